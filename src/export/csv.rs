//! CSV: UTF-8 with a header; the attributes, `lon` and `lat` (a point's position, or a line's
//! or polygon's centroid), and the geometry as WKT (`wkt`), which QGIS, R (sf) and pandas
//! read. Streamed like GeoJSON.
//!
//! A spreadsheet cell holds at most 32,767 characters (Excel; LibreOffice breaks the row
//! too), and a 20,000-vertex polygon's WKT is twice that: such a geometry is simplified,
//! keeping its topology, until its WKT fits, and `wkt_simplified_m` says by how much (the
//! metadata says so too); the other formats carry it whole.
//!
//! Text that a spreadsheet would run as a formula (a participant's title `=HYPERLINK(…)`) is
//! neutralised with a leading apostrophe, as OWASP's "CSV Injection" advises; the metadata
//! says so, and the GeoJSON and GeoPackage exports keep every text exactly as written.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use geo::Centroid;
use wkt::ToWkt;

use super::{ExportError, ExportResult, Field, Layer};

const ROWS_PER_CHUNK: usize = 256;

/// Most characters of a spreadsheet cell (Excel's limit, which LibreOffice and Google Sheets
/// also keep within).
pub const CELL_LIMIT: usize = 32_767;

/// What the export's metadata says of the geometries too long for a cell.
pub const LONG_GEOMETRIES: &str = "lon and lat are a point's position, or a line's or polygon's \
     centroid; wkt is the whole geometry, except where its WKT would pass 32,767 characters \
     (the most a spreadsheet cell holds): then it is simplified, keeping its topology, until it \
     fits, and wkt_simplified_m gives the tolerance in metres (empty when whole). The GeoJSON, \
     GeoPackage and FlatGeobuf exports carry every geometry whole";

/// What the export's metadata says of the neutralised cells.
pub const FORMULA_GUARD: &str = "text cells that begin with = + - @, a tab or a carriage return \
     (after any spaces) are written with a leading ' so that spreadsheets show them instead of \
     running them as formulas (OWASP, CSV Injection); the GeoJSON and GeoPackage exports keep \
     the text exactly";

/// Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a
/// formula, the full-width forms included, which some of them also accept.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// `text` as a spreadsheet will show it, never run it.
fn neutralised(text: &str) -> std::borrow::Cow<'_, str> {
    let first = text.trim_start_matches(' ').chars().next();
    if first.is_some_and(|c| FORMULA_STARTS.contains(&c)) || text.starts_with(['\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

pub fn write(layer: Layer) -> BoxStream<'static, ExportResult<Bytes>> {
    let mut header: Vec<String> = layer.columns.iter().map(|(n, _)| n.to_string()).collect();
    header.extend([
        "lon".into(),
        "lat".into(),
        "wkt".into(),
        "wkt_simplified_m".into(),
    ]);
    let head = line(&header);
    let body = layer.rows.ready_chunks(ROWS_PER_CHUNK).map(|rows| {
        let mut out = ::csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
        for row in rows {
            let row = row?;
            let mut record: Vec<String> = row
                .fields
                .iter()
                .map(|f| match f {
                    Field::Text(t) => neutralised(t).into_owned(),
                    other => other.text().unwrap_or_default(),
                })
                .collect();
            let geometry = row.geometry.as_ref().and_then(|s| s.geo());
            let centroid = geometry.as_ref().and_then(|g| g.centroid());
            record.push(centroid.map_or_else(String::new, |c| c.x().to_string()));
            record.push(centroid.map_or_else(String::new, |c| c.y().to_string()));
            let (wkt, simplified) = geometry.map_or_else(Default::default, |g| fitted_wkt(&g));
            record.push(wkt);
            record.push(simplified.map_or_else(String::new, |m| format!("{m:.1}")));
            out.write_record(&record).map_err(csv_error)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        Ok(Bytes::from(bytes))
    });
    futures::stream::once(async move { head })
        .chain(body)
        .boxed()
}

/// The geometry's WKT, whole when it fits in a spreadsheet cell; else simplified (Visvalingam-
/// Whyatt, topology kept, so a polygon stays valid) with a tolerance doubled until it fits,
/// and that tolerance in metres (degrees × 111,320: the width of a degree at the equator).
/// A multipoint has nothing to simplify: it goes whole (a drawing has at most 20,000
/// vertices, and symbols drawn as points are single points).
fn fitted_wkt(geometry: &geo::Geometry<f64>) -> (String, Option<f64>) {
    use geo::{Geometry, SimplifyVwPreserve};
    let whole = geometry.wkt_string();
    if whole.len() <= CELL_LIMIT {
        return (whole, None);
    }
    let simplified = |epsilon: f64| -> Option<Geometry<f64>> {
        Some(match geometry {
            Geometry::Polygon(g) => g.simplify_vw_preserve(epsilon).into(),
            Geometry::MultiPolygon(g) => g.simplify_vw_preserve(epsilon).into(),
            Geometry::LineString(g) => g.simplify_vw_preserve(epsilon).into(),
            Geometry::MultiLineString(g) => g.simplify_vw_preserve(epsilon).into(),
            _ => return None,
        })
    };
    // Epsilon is an area in square degrees (a vertex whose triangle is smaller goes), from
    // a square millimetre's worth; each step doubles the side, and 40 reach past a country.
    let mut epsilon = 1e-16;
    for _ in 0..40 {
        let Some(simpler) = simplified(epsilon) else {
            break;
        };
        let text = simpler.wkt_string();
        if text.len() <= CELL_LIMIT {
            return (text, Some(epsilon.sqrt() * 111_320.0));
        }
        epsilon *= 4.0;
    }
    (whole, None)
}

fn line(fields: &[String]) -> ExportResult<Bytes> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(fields).map_err(csv_error)?;
    let bytes = out
        .into_inner()
        .map_err(|e| csv_error(e.into_error().into()))?;
    Ok(Bytes::from(bytes))
}

fn csv_error(error: ::csv::Error) -> ExportError {
    ExportError::Io(std::io::Error::other(error))
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn text_a_spreadsheet_would_run_gets_an_apostrophe_and_the_rest_stays() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"ver\")",
            "@SUM(A1:A9)",
            "+54 11 1234",
            "-1+2",
            "  =1+1",
            "\t=1",
            "\r=1",
            "＝1+1",
        ] {
            assert_eq!(neutralised(formula), format!("'{formula}"), "{formula:?}");
        }
        for text in [
            "Taller en la esquina",
            "3 chicos",
            "Av. 25 de Mayo = ruta",
            "",
        ] {
            assert_eq!(neutralised(text), text);
        }
    }
}

#[cfg(test)]
mod long_geometry_tests {
    use super::{CELL_LIMIT, fitted_wkt};
    use geo::{Geometry, LineString, Polygon, Validation};

    #[test]
    fn a_twenty_thousand_vertex_polygon_fits_a_spreadsheet_cell_and_stays_valid() {
        // A circle of 20,000 vertices (the most a drawing has) around Lomas de Zamora, 500 m.
        let ring: LineString<f64> = (0..=20_000)
            .map(|i| {
                let a = f64::from(i % 20_000) * std::f64::consts::TAU / 20_000.0;
                (-58.40 + 0.0055 * a.cos(), -34.76 + 0.0045 * a.sin())
            })
            .collect();
        let circle = Geometry::Polygon(Polygon::new(ring, vec![]));
        let (wkt, simplified) = fitted_wkt(&circle);
        assert!(wkt.len() <= CELL_LIMIT, "{}", wkt.len());
        let metres = simplified.expect("simplified");
        assert!(metres < 5.0, "{metres} m");
        let read: Geometry<f64> = wkt::TryFromWkt::try_from_wkt_str(&wkt).expect("WKT");
        assert!(read.is_valid());
        // A small drawing goes whole.
        let small = Geometry::Polygon(geo::wkt!(POLYGON((0. 0., 1. 0., 1. 1., 0. 0.))));
        assert_eq!(fitted_wkt(&small).1, None);
    }
}
