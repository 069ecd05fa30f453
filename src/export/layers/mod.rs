//! The layers an export is made of, one builder per content: features (anonymised or
//! aggregated as the privacy level says), priority cells, saved zones and annotations.

mod annotations;
mod features;
mod priority;

use futures::StreamExt;
use geo::Geometry;

use super::{ColumnKind, ExportResult, Layer, Row};

pub use annotations::annotation_layer;
pub use features::{feature_layer, workshop_key_layer};
pub use priority::{cell_layer, check_cells, zone_layer};

impl Layer {
    /// A layer whose rows are already read (zones, cells, annotations: a project's worth).
    fn from_rows(
        name: &'static str,
        geometry_type: &'static str,
        columns: Vec<(&'static str, ColumnKind)>,
        rows: Vec<ExportResult<Row>>,
    ) -> Self {
        Layer {
            name,
            columns: columns
                .into_iter()
                .map(|(name, kind)| (name.into(), kind))
                .collect(),
            geometry_type,
            styles: Vec::new(),
            rows: futures::stream::iter(rows).boxed(),
        }
    }
}

/// The outline of an H3 cell, for layers of cells.
fn cell_polygon(cell: h3o::CellIndex) -> Geometry<f64> {
    Geometry::Polygon(crate::domain::priority::cell_outline(cell))
}
