//! A sheet's basemap as one picture: the raster tiles (Web Mercator XYZ, PNG/JPEG/WebP) that
//! cover its map frame, at the zoom whose pixels are no coarser than the print's, resampled
//! onto the frame at the print's resolution. The `image` crate decodes; the resampling is a
//! nearest-pixel lookup by row and column (Web Mercator is separable: a column's longitude
//! and a row's latitude each map to one tile column and row), written here because it is that
//! small.

use std::collections::HashMap;

use image::RgbImage;

use super::PrintError;
use crate::domain::paper::{Sheet, mercator};

/// A tile's address: zoom, column, row (XYZ, rows from the north).
pub type TileKey = (u8, u32, u32);

/// Half of Web Mercator's extent, metres.
const HALF_WORLD: f64 = std::f64::consts::PI * 6_378_137.0;
/// Most tiles one sheet reads: a bound on memory and time, whatever a print asks.
pub const MAX_TILES: usize = 400;
/// The ground colour where a tile is missing.
const NO_TILE: image::Rgb<u8> = image::Rgb([238, 238, 238]);

/// Pixels across a frame `mm` wide at `dpi`.
pub fn pixels(mm: f64, dpi: f64) -> u32 {
    (mm / 25.4 * dpi).round().max(1.0) as u32
}

/// The zoom whose 256-pixel tiles are no coarser than the print's pixels (`dpi` at 1:`scale`
/// at latitude `lat`), within the basemap's `zooms` and [`MAX_TILES`] a sheet of `frame_mm`.
pub fn zoom_for(
    scale: f64,
    lat: f64,
    dpi: f64,
    zooms: std::ops::RangeInclusive<u8>,
    frame_mm: (f64, f64),
) -> u8 {
    // Mercator metres a print pixel spans.
    let pixel = scale * 0.0254 / dpi / lat.to_radians().cos();
    let mut zoom = *zooms.start();
    while zoom < *zooms.end() && 2.0 * HALF_WORLD / (256.0 * f64::from(1u32 << zoom)) > pixel {
        zoom += 1;
    }
    // Fewer, coarser tiles past the bound.
    let tile_span = |zoom: u8| 2.0 * HALF_WORLD / f64::from(1u32 << zoom);
    let frame = (
        frame_mm.0 / 1000.0 * scale / lat.to_radians().cos(),
        frame_mm.1 / 1000.0 * scale / lat.to_radians().cos(),
    );
    while zoom > *zooms.start()
        && ((frame.0 / tile_span(zoom)).ceil() + 1.0) * ((frame.1 / tile_span(zoom)).ceil() + 1.0)
            > MAX_TILES as f64
    {
        zoom -= 1;
    }
    zoom
}

/// World pixel of a Mercator position at `zoom`, for tiles of `size` pixels.
fn world_pixel(x: f64, y: f64, zoom: u8, size: f64) -> (f64, f64) {
    let world = size * f64::from(1u32 << zoom);
    (
        (x + HALF_WORLD) / (2.0 * HALF_WORLD) * world,
        (HALF_WORLD - y) / (2.0 * HALF_WORLD) * world,
    )
}

/// The tiles that cover `sheet`'s map frame at `zoom`.
pub fn tiles_for(sheet: &Sheet, zoom: u8) -> Vec<TileKey> {
    let [west, south, east, north] = sheet.ground;
    let (left, top) = mercator(west, north);
    let (right, bottom) = mercator(east, south);
    let last = (1u32 << zoom) - 1;
    let (x0, y0) = world_pixel(left, top, zoom, 1.0);
    let (x1, y1) = world_pixel(right, bottom, zoom, 1.0);
    let columns = (x0.floor().max(0.0) as u32)..=(x1.floor() as u32).min(last);
    let rows = (y0.floor().max(0.0) as u32)..=(y1.floor() as u32).min(last);
    rows.flat_map(|y| columns.clone().map(move |x| (zoom, x, y)))
        .collect()
}

/// The picture of `sheet`'s map frame at `dpi`, from the tiles `read` gives (the bytes of a
/// tile, None where the basemap has none). Tiles that do not decode are left as ground.
///
/// # Errors
/// `PrintError::Raster` when no tile decodes (a basemap of vector tiles, say).
pub fn stitch(
    sheet: &Sheet,
    zoom: u8,
    dpi: f64,
    read: &mut dyn FnMut(TileKey) -> Option<Vec<u8>>,
) -> Result<RgbImage, PrintError> {
    let keys = tiles_for(sheet, zoom);
    if keys.len() > MAX_TILES {
        // The basemap's coarsest zoom still takes too many: no basemap rather than part of one.
        return Err(PrintError::Raster(format!(
            "the sheet takes {} tiles at the basemap's coarsest zoom, more than {MAX_TILES}",
            keys.len()
        )));
    }
    let mut decoded: HashMap<(u32, u32), RgbImage> = HashMap::new();
    for key in keys {
        if let Some(bytes) = read(key)
            && let Ok(tile) = image::load_from_memory(&bytes)
        {
            decoded.insert((key.1, key.2), tile.to_rgb8());
        }
    }
    let Some(size) = decoded.values().next().map(|t| f64::from(t.width())) else {
        return Err(PrintError::Raster(
            "no tile of the area decodes as a picture".into(),
        ));
    };
    let (width, height) = (
        pixels(sheet.frame.width, dpi),
        pixels(sheet.frame.height, dpi),
    );
    let [west, south, east, north] = sheet.ground;
    let (left, top) = mercator(west, north);
    let (right, bottom) = mercator(east, south);
    // Each output column's tile column and pixel in it; each row's likewise.
    let along = |i: u32, n: u32, from: f64, to: f64| {
        from + (f64::from(i) + 0.5) / f64::from(n) * (to - from)
    };
    let columns: Vec<(u32, u32)> = (0..width)
        .map(|i| {
            let (px, _) = world_pixel(along(i, width, left, right), top, zoom, size);
            ((px / size) as u32, (px % size) as u32)
        })
        .collect();
    let rows: Vec<(u32, u32)> = (0..height)
        .map(|j| {
            let (_, py) = world_pixel(left, along(j, height, top, bottom), zoom, size);
            ((py / size) as u32, (py % size) as u32)
        })
        .collect();
    let mut picture = RgbImage::from_pixel(width, height, NO_TILE);
    for (j, &(tile_y, py)) in rows.iter().enumerate() {
        for (i, &(tile_x, px)) in columns.iter().enumerate() {
            if let Some(tile) = decoded.get(&(tile_x, tile_y))
                && px < tile.width()
                && py < tile.height()
            {
                picture.put_pixel(i as u32, j as u32, *tile.get_pixel(px, py));
            }
        }
    }
    Ok(picture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bbox::BBox;
    use crate::domain::paper::{Orientation, PaperSize, PrintRequest, bands, plan};

    fn sheet() -> Sheet {
        plan(&PrintRequest {
            area: BBox {
                min_x: -58.404,
                min_y: -34.765,
                max_x: -58.400,
                max_y: -34.762,
            },
            paper: PaperSize::A4,
            orientation: Orientation::Landscape,
            scale: Some(5_000.0),
            columns: 1,
            rows: 1,
            overlap_mm: bands::OVERLAP,
            notes: false,
            legend_mm: bands::LEGEND,
        })
        .expect("plan")
        .sheets
        .remove(0)
    }

    #[test]
    fn the_zoom_has_pixels_no_coarser_than_the_print() {
        // 1:5,000 at 150 dpi: 0.85 m of ground a pixel, 1.03 Mercator metres at Lomas de
        // Zamora's latitude; zoom 17's tile pixels are 1.19, zoom 18's 0.60.
        let zoom = zoom_for(5_000.0, -34.76, 150.0, 0..=19, (245.0, 120.0));
        assert_eq!(zoom, 18);
        assert_eq!(zoom_for(5_000.0, -34.76, 150.0, 0..=14, (245.0, 120.0)), 14);
        // An A0 at 1:500 would take thousands of zoom-21 tiles: fewer, coarser ones.
        let bounded = zoom_for(500.0, -34.76, 300.0, 0..=22, (789.0, 1105.0));
        assert!(bounded < 21, "{bounded}");
    }

    #[test]
    fn a_sheet_is_drawn_from_its_tiles_and_ground_where_none() {
        let sheet = sheet();
        let zoom = 15;
        let keys = tiles_for(&sheet, zoom);
        assert!(!keys.is_empty() && keys.len() < 20, "{keys:?}");
        let red = {
            let tile = RgbImage::from_pixel(256, 256, image::Rgb([200, 30, 30]));
            let mut bytes = Vec::new();
            tile.write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .expect("png");
            bytes
        };
        let first = keys[0];
        let picture = stitch(&sheet, zoom, 100.0, &mut |key| {
            (key != first).then(|| red.clone())
        })
        .expect("picture");
        assert_eq!(picture.width(), pixels(sheet.frame.width, 100.0));
        // The first tile (north-west) is missing: the top-left corner is ground.
        assert_eq!(*picture.get_pixel(0, 0), NO_TILE);
        let (w, h) = picture.dimensions();
        assert_eq!(*picture.get_pixel(w - 1, h - 1), image::Rgb([200, 30, 30]));
        assert!(stitch(&sheet, zoom, 100.0, &mut |_| None).is_err());
    }
}
