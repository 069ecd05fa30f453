//! How large an analysis would be, before it runs: the work and memory of scoring grow with
//! the cells of its study area and with the (drawing, cell) shares, which a fine resolution
//! multiplies (each H3 level has seven times the cells of the one above). An analysis whose
//! estimate is over the bound is refused with the resolution that would fit, rather than run
//! for seconds and gigabytes past its request's end.

use geo::{BoundingRect, Geometry, MultiPolygon, Rect};
use h3o::Resolution;

use super::Drawing;

/// Peak bytes one cell of the study area costs: its tally, its entries in the engine's maps,
/// its Gi* input and statistic. Measured on the server (peak resident memory, jemalloc): the
/// demo project's area at resolution 11, 159,899 cells nearly all empty, took 80 MB (500 B a
/// cell); with a 21 km square drawn over it, 381,627 cells of which about 296,000 marked took
/// 328 MB (about 960 B a marked cell). Both constants carry a fifth more for safety.
pub const BYTES_PER_CELL: u64 = 600;

/// Peak bytes one (drawing, cell) share costs: the share, and in a cell's tally the symbol,
/// group, workshop and drawing it adds (the first of a cell allocates each of those).
pub const BYTES_PER_SHARE: u64 = 600;

/// The most memory one analysis may take, estimated before it starts (README, "Priority
/// areas"): about 330,000 cells one drawing covers, 500 km² at resolution 11 in Buenos Aires
/// or 24,000 km² at resolution 9.
pub const MAX_ANALYSIS_BYTES: u64 = 384 * 1024 * 1024;

/// What an analysis would hold at its peak, estimated from the drawings' bounding boxes (which
/// only overestimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Cells of the study area.
    pub cells: u64,
    /// (drawing, cell) shares.
    pub shares: u64,
}

impl Size {
    /// The estimated peak memory, in bytes.
    pub fn bytes(self) -> u64 {
        self.cells
            .saturating_mul(BYTES_PER_CELL)
            .saturating_add(self.shares.saturating_mul(BYTES_PER_SHARE))
    }

    /// The estimated peak memory in whole megabytes (MiB), at least one.
    pub fn megabytes(self) -> u64 {
        self.bytes().div_ceil(1024 * 1024).max(1)
    }
}

/// An analysis too large to run, and the finest coarser resolution that would fit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "this analysis would cover about {cells} cells at H3 resolution {resolution} and take about {megabytes} MB, more than the {limit_megabytes} MB an analysis may: {}",
    match fits { Some(r) => format!("resolution {r} would fit (a lower number is coarser), or choose fewer workshops, symbols or days"), None => "choose fewer workshops, symbols or days".to_owned() }
)]
pub struct TooLarge {
    pub cells: u64,
    pub megabytes: u64,
    pub resolution: u8,
    pub limit_megabytes: u64,
    /// The finest resolution, coarser than the one asked for, whose estimate fits.
    pub fits: Option<u8>,
}

/// Side of a resolution's cell around `at`, in metres, as if square: H3 cells of one
/// resolution differ in area by a factor of two over the globe (at Buenos Aires, 0.69 of the
/// resolution's average), so the average would underestimate the cells by a third there.
fn cell_side_m(resolution: Resolution, at: geo::Coord<f64>) -> f64 {
    super::cell_of(at, resolution).area_m2().sqrt()
}

/// Cells of a given side a box covers, at least one (WGS84 degrees to metres at the box's
/// latitude), with `margin` more cells on each side.
fn cells_over(rect: Rect<f64>, side_m: f64, margin: f64) -> u64 {
    let metres = 111_320.0;
    let width = rect.width() * metres * rect.min().y.to_radians().cos().abs();
    let height = rect.height() * metres;
    let across = (width / side_m).ceil() + 2.0 * margin;
    let down = (height / side_m).ceil() + 2.0 * margin;
    ((across.max(1.0) * down.max(1.0)) as u64).max(1)
}

/// The peak an analysis of `drawings` over `area` (the study area when there is one) would
/// reach at `resolution`.
pub fn estimate(
    drawings: &[Drawing],
    area: Option<&MultiPolygon<f64>>,
    resolution: Resolution,
) -> Size {
    let boxes: Vec<Rect<f64>> = drawings
        .iter()
        .filter_map(|d| d.geometry.bounding_rect())
        .collect();
    let area_box = area.and_then(|a| Geometry::MultiPolygon(a.clone()).bounding_rect());
    let Some(centre) = area_box.or(boxes.first().copied()).map(|r| r.center()) else {
        return Size {
            cells: 0,
            shares: 0,
        };
    };
    let side = cell_side_m(resolution, centre);
    let shares = boxes
        .iter()
        .map(|r| cells_over(*r, side, 0.0))
        .fold(0, u64::saturating_add);
    // The marked cells and the ring around each, at most every cell of their extent.
    let extent = boxes.iter().copied().reduce(|a, b| {
        Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    });
    let marked = extent.map_or(0, |e| {
        shares.saturating_mul(7).min(cells_over(e, side, 1.0))
    });
    let area_cells = area_box.map_or(0, |r| cells_over(r, side, 0.0));
    Size {
        cells: marked.saturating_add(area_cells),
        shares,
    }
}

/// Refuses an analysis whose estimate (`estimate`) is over `MAX_ANALYSIS_BYTES`, saying
/// which coarser resolution would fit; answers the estimate otherwise.
pub fn check_size(
    drawings: &[Drawing],
    area: Option<&MultiPolygon<f64>>,
    resolution: Resolution,
) -> Result<Size, TooLarge> {
    let size = estimate(drawings, area, resolution);
    if size.bytes() <= MAX_ANALYSIS_BYTES {
        return Ok(size);
    }
    let fits = (0..u8::from(resolution))
        .rev()
        .filter_map(|r| Resolution::try_from(r).ok())
        .find(|&r| estimate(drawings, area, r).bytes() <= MAX_ANALYSIS_BYTES)
        .map(u8::from);
    Err(TooLarge {
        cells: size.cells,
        megabytes: size.megabytes(),
        resolution: u8::from(resolution),
        limit_megabytes: MAX_ANALYSIS_BYTES / (1024 * 1024),
        fits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Point, coord};
    use std::sync::Arc;

    fn drawing(geometry: Geometry<f64>) -> Drawing {
        Drawing {
            id: uuid::Uuid::new_v4(),
            symbol: Arc::from("zona_riesgo"),
            weight: 1.0,
            risk: true,
            group: None,
            workshop: None,
            geometry,
        }
    }

    /// A square of `km` kilometres a side over Lomas de Zamora.
    fn square(km: f64) -> Drawing {
        let degrees = km / 111.32;
        drawing(Geometry::Rect(Rect::new(
            coord! { x: -58.45, y: -34.80 },
            coord! { x: -58.45 + degrees / 0.82, y: -34.80 + degrees },
        )))
    }

    #[test]
    fn a_fine_resolution_over_a_huge_drawing_is_refused_with_what_would_fit() {
        let refused = check_size(&[square(300.0)], None, Resolution::Ten).unwrap_err();
        // 90,000 km² at about 0.011 km² a cell here.
        assert!(refused.cells > 5_000_000, "{refused:?}");
        assert!(refused.megabytes > 384, "{refused:?}");
        // Resolution 8 (about 0.5 km² a cell here) takes 176,000 cells, 9 over a million.
        assert_eq!(refused.fits, Some(8), "{refused:?}");
        assert!(refused.to_string().contains("resolution 8 would fit"));
        assert!(check_size(&[square(300.0)], None, Resolution::Eight).is_ok());
    }

    #[test]
    fn the_bound_falls_near_500_km2_at_resolution_11_in_buenos_aires() {
        assert!(check_size(&[square(21.0)], None, Resolution::Eleven).is_ok());
        let refused = check_size(&[square(24.0)], None, Resolution::Eleven).unwrap_err();
        assert_eq!(refused.fits, Some(10), "{refused:?}");
    }

    #[test]
    fn a_workshop_s_worth_of_drawings_is_nothing() {
        let points: Vec<Drawing> = (0..100_000)
            .map(|i| {
                drawing(Geometry::Point(Point::new(
                    -58.4 + f64::from(i % 300) * 1e-4,
                    -34.7 - f64::from(i / 300) * 1e-4,
                )))
            })
            .collect();
        let size = check_size(&points, None, Resolution::Eleven).expect("fits");
        // Their extent (3 × 3.7 km) bounds the cells, not seven per point.
        assert!(size.cells < 10_000, "{size:?}");
        assert_eq!(size.shares, 100_000);
    }
}
