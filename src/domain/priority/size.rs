//! How large an analysis would be, before it runs: the work and memory of scoring grow with
//! the cells the drawings and the study area cover, which a fine resolution multiplies (each
//! H3 level has seven times the cells of the one above). An analysis over the limit is refused
//! with what to change, rather than run for minutes and gigabytes past its request's end.

use geo::{BoundingRect, Geometry, MultiPolygon};
use h3o::Resolution;

use super::Drawing;

/// Most cells one analysis may cover: a million cells score in a few seconds on a laptop.
pub const MAX_CELLS: u64 = 1_000_000;

/// An analysis too large to run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "this analysis would cover about {cells} cells at H3 resolution {resolution}, more than the {limit} an analysis may: choose a coarser resolution (a lower number), or fewer workshops, symbols or days"
)]
pub struct TooManyCells {
    pub cells: u64,
    pub resolution: u8,
    pub limit: u64,
}

/// Cells of `resolution` a geometry's bounding box covers, at least one (WGS84 degrees to
/// square metres at the box's latitude).
fn cells_over(geometry: &Geometry<f64>, cell_m2: f64) -> u64 {
    let Some(rect) = geometry.bounding_rect() else {
        return 1;
    };
    let metres = 111_320.0;
    let width = rect.width() * metres * rect.min().y.to_radians().cos().abs();
    let height = rect.height() * metres;
    ((width * height / cell_m2).ceil() as u64).max(1)
}

/// Refuses an analysis whose drawings and study area would cover more than `MAX_CELLS`
/// cells (estimated from bounding boxes, which only overestimate).
pub fn check_size(
    drawings: &[Drawing],
    area: Option<&MultiPolygon<f64>>,
    resolution: Resolution,
) -> Result<(), TooManyCells> {
    let cell_m2 = resolution.area_m2();
    let area_cells = area.map_or(0, |a| {
        cells_over(&Geometry::MultiPolygon(a.clone()), cell_m2)
    });
    let cells = drawings
        .iter()
        .map(|d| cells_over(&d.geometry, cell_m2))
        .fold(area_cells, u64::saturating_add);
    if cells > MAX_CELLS {
        return Err(TooManyCells {
            cells,
            resolution: u8::from(resolution),
            limit: MAX_CELLS,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Point, Rect, coord};
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

    #[test]
    fn a_fine_resolution_over_a_huge_drawing_is_refused_before_any_work() {
        let huge = drawing(Geometry::Rect(Rect::new(
            coord! { x: -60.0, y: -36.0 },
            coord! { x: -57.0, y: -33.0 },
        )));
        let refused = check_size(&[huge], None, Resolution::Ten).unwrap_err();
        // 270 × 333 km at about 0.015 km² a cell.
        assert!(refused.cells > 5_000_000, "{refused:?}");
        assert!(refused.to_string().contains("coarser resolution"));
        // A workshop's worth of points is nothing.
        let points: Vec<Drawing> = (0..10_000)
            .map(|i| {
                drawing(Geometry::Point(Point::new(
                    -58.4 + f64::from(i) * 1e-5,
                    -34.7,
                )))
            })
            .collect();
        assert_eq!(check_size(&points, None, Resolution::Ten), Ok(()));
    }
}
