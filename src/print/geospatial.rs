//! ISO 32000-2 geospatial features (§12.10 of ISO 32000-2; Adobe's supplement to ISO
//! 32000-1, level 3): each page's `/VP` array holds a `/Viewport` over its map frame whose
//! `/Measure` (subtype `/GEO`) pairs the frame's corners on the page (`/LPTS`, 0 to 1 within
//! the viewport's `/BBox`, y up) with their latitudes and longitudes (`/GPTS`, latitude first,
//! WGS84). The map is drawn in Web Mercator, so `/GCS` says so (a `/PROJCS`, EPSG:3857): a
//! reader fits the corners in that projection, where the page is exactly linear, and every
//! point inside is where it is drawn (fitted in degrees instead, the middle of an A0 sheet at
//! 1:100,000 would drift by about 160 m). GDAL's PDF driver reads it (`gdalinfo` reports the
//! CRS and the neatline), as do Adobe Acrobat and Avenza Maps.
//!
//! krilla writes no page entry of its own choosing, so the finished document is opened with
//! lopdf and the viewport added to each page. lopdf writes reals as f32: a degree is then
//! kept to about 4e-6, under half a metre.

use lopdf::{Object, dictionary};

use super::PrintError;
use crate::domain::paper::Layout;

/// Points a millimetre is.
const POINTS_PER_MM: f64 = 72.0 / 25.4;

/// WGS 84 / Pseudo-Mercator (EPSG:3857) as OGC WKT 1, as GDAL writes it.
const PSEUDO_MERCATOR: &str = r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"]]"#;

/// `pdf` (one page per sheet of `layout`, in its order) with each page's viewport.
///
/// # Errors
/// `PrintError::Pdf` when the document does not read back or has fewer pages than sheets.
pub fn georeference(pdf: &[u8], layout: &Layout) -> Result<Vec<u8>, PrintError> {
    let failed = |e: lopdf::Error| PrintError::Pdf(e.to_string());
    let mut document = lopdf::Document::load_mem(pdf).map_err(failed)?;
    let pages: Vec<_> = document.get_pages().into_values().collect();
    if pages.len() < layout.sheets.len() {
        return Err(PrintError::Pdf(format!(
            "{} pages for {} sheets",
            pages.len(),
            layout.sheets.len()
        )));
    }
    let page_height = layout.page_mm.1 * POINTS_PER_MM;
    for (page, sheet) in pages.into_iter().zip(&layout.sheets) {
        let frame = sheet.frame;
        let [west, south, east, north] = sheet.ground;
        let real = |v: f64| Object::Real(v as f32);
        let bbox = vec![
            real(frame.x * POINTS_PER_MM),
            real(page_height - (frame.y + frame.height) * POINTS_PER_MM),
            real((frame.x + frame.width) * POINTS_PER_MM),
            real(page_height - frame.y * POINTS_PER_MM),
        ];
        // Corners in the same order in both: bottom-left, top-left, top-right, bottom-right.
        let unit = |v: i64| Object::Integer(v);
        let lpts = vec![
            unit(0),
            unit(0),
            unit(0),
            unit(1),
            unit(1),
            unit(1),
            unit(1),
            unit(0),
        ];
        let gpts = vec![
            real(south),
            real(west),
            real(north),
            real(west),
            real(north),
            real(east),
            real(south),
            real(east),
        ];
        let viewport = dictionary! {
            "Type" => "Viewport",
            "Name" => Object::string_literal(format!("Map Layers {}", sheet.name)),
            "BBox" => bbox,
            "Measure" => dictionary! {
                "Type" => "Measure",
                "Subtype" => "GEO",
                "Bounds" => lpts.clone(),
                "GPTS" => gpts,
                "LPTS" => lpts,
                "GCS" => dictionary! {
                    "Type" => "PROJCS",
                    "EPSG" => 3857,
                    "WKT" => Object::string_literal(PSEUDO_MERCATOR),
                },
            },
        };
        document
            .get_dictionary_mut(page)
            .map_err(failed)?
            .set("VP", vec![Object::Dictionary(viewport)]);
    }
    let mut out = Vec::new();
    document
        .save_to(&mut out)
        .map_err(|e| PrintError::Pdf(e.to_string()))?;
    Ok(out)
}
