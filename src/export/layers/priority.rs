//! The priority layers: saved zones, and the cells the engine scores over the export's
//! selection (small counts suppressed at the aggregated level).

use serde_json::Value;

use super::super::{
    ColumnKind, ExportError, ExportRequest, ExportResult, Field, Layer, Row, Shape,
};
use super::cell_polygon;
use crate::domain::export::Privacy;
use crate::domain::priority::Analysis;
use crate::domain::project::Project;
use crate::store::Store;

pub async fn zone_layer(
    store: &dyn Store,
    project: &Project,
    request: &ExportRequest,
) -> ExportResult<Layer> {
    if request.privacy != Privacy::Full {
        return Err(ExportError::Refused(
            "saved priority zones carry analysts' names and notes: they are in full exports only"
                .into(),
        ));
    }
    let zones = store.list_priority_zones(project.id).await?;
    let rows: Vec<ExportResult<Row>> = zones
        .into_iter()
        .map(|z| {
            let number = |key: &str| z.computed.get(key).and_then(Value::as_f64);
            Ok(Row {
                fields: vec![
                    Field::Text(z.id.to_string()),
                    Field::Text(z.name.clone()),
                    Field::Text(z.status.as_str().to_owned()),
                    Field::Text(z.notes.clone()),
                    number("score").map_or(Field::Null, Field::Real),
                    number("area_m2").map_or(Field::Null, Field::Real),
                    Field::Integer(z.revision),
                    Field::DateTime(z.created_at),
                    Field::DateTime(z.updated_at),
                ],
                geometry: Some(Shape::Stored(z.geometry.clone())),
            })
        })
        .collect();
    Ok(Layer::from_rows(
        "priority_zones",
        "GEOMETRY",
        vec![
            ("id", ColumnKind::Text),
            ("name", ColumnKind::Text),
            ("status", ColumnKind::Text),
            ("notes", ColumnKind::Text),
            ("score", ColumnKind::Real),
            ("area_m2", ColumnKind::Real),
            ("revision", ColumnKind::Integer),
            ("created", ColumnKind::DateTime),
            ("updated", ColumnKind::DateTime),
        ],
        rows,
    ))
}

/// Refuses priority cells at the anonymised level: they are aggregated by nature.
pub fn check_cells(request: &ExportRequest) -> ExportResult<()> {
    if request.privacy == Privacy::Anonymised {
        return Err(ExportError::Refused(
            "priority cells are aggregated by nature: ask for privacy=aggregated (or full)".into(),
        ));
    }
    Ok(())
}

/// The priority cells of `analysis` (the engine's, over the export's selection: see
/// `application::export::layers`) as a layer. At the aggregated level, cells that one to
/// k − 1 drawings reach are suppressed, and Gi* is computed from the released ones.
pub fn cell_layer(analysis: Analysis, request: &ExportRequest) -> ExportResult<Layer> {
    check_cells(request)?;
    let k = match request.privacy {
        Privacy::Aggregated => request.masking.k as usize,
        _ => 0,
    };
    // At the aggregated level, Gi* from the released cells only: the engine's, from every
    // cell, would tell the suppressed ones (see `domain::priority::released`).
    let mut cells = analysis.cells;
    if k > 0 {
        let hotspots = crate::domain::priority::released_hotspots(&cells, k, 1);
        for c in &mut cells {
            c.hotspot = hotspots[&c.cell];
        }
    }
    let rows: Vec<ExportResult<Row>> = cells
        .into_iter()
        .filter(|c| crate::domain::priority::released(c, k))
        .map(|c| {
            Ok(Row {
                fields: vec![
                    Field::Text(c.cell.to_string()),
                    Field::Real(c.tally.score),
                    Field::Integer(c.tally.features.len() as i64),
                    Field::Integer(c.tally.groups.len() as i64),
                    Field::Integer(c.tally.workshops.len() as i64),
                    Field::Real(c.hotspot.z),
                    Field::Real(c.hotspot.p),
                    c.hotspot
                        .confidence
                        .map_or(Field::Null, |v| Field::Integer(i64::from(v))),
                    Field::from(c.hotspot.spot.map(|s| match s {
                        crate::domain::priority::Spot::Hot => "hot",
                        crate::domain::priority::Spot::Cold => "cold",
                    })),
                ],
                geometry: Some(Shape::Geo(cell_polygon(c.cell))),
            })
        })
        .collect();
    Ok(Layer::from_rows(
        "priority_cells",
        "POLYGON",
        vec![
            ("cell", ColumnKind::Text),
            ("score", ColumnKind::Real),
            ("features", ColumnKind::Integer),
            ("groups", ColumnKind::Integer),
            ("workshops", ColumnKind::Integer),
            ("gi_z", ColumnKind::Real),
            ("gi_p", ColumnKind::Real),
            ("confidence", ColumnKind::Integer),
            ("spot", ColumnKind::Text),
        ],
        rows,
    ))
}
