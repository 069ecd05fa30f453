//! FlatGeobuf: a single layer with its packed Hilbert R-tree index, the WGS 84 CRS and the
//! export's metadata in the header. The `flatgeobuf` crate writes features to a temporary
//! file as they come and the index at the end, so memory holds only the index's nodes.

use std::path::Path;

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use futures::StreamExt;
use geozero::{ColumnValue, PropertyProcessor};
use serde_json::Value;

use super::{ColumnKind, ExportError, ExportResult, Field, Layer};

fn fgb_error(error: impl std::fmt::Display) -> ExportError {
    ExportError::Io(std::io::Error::other(format!("FlatGeobuf: {error}")))
}

/// Writes `layer` into a new FlatGeobuf file at `path`; returns the features written.
pub async fn write_flatgeobuf(path: &Path, mut layer: Layer, meta: &Value) -> ExportResult<u64> {
    let metadata = meta.to_string();
    let options = FgbWriterOptions {
        crs: FgbCrs {
            org: Some("EPSG"),
            code: 4326,
            ..Default::default()
        },
        // Drawings mix points, lines and polygons: each feature carries its own type.
        detect_type: false,
        promote_to_multi: false,
        title: Some(layer.name),
        metadata: Some(&metadata),
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(layer.name, GeometryType::Unknown, options)
        .map_err(fgb_error)?;
    for (name, kind) in &layer.columns {
        let kind = match kind {
            ColumnKind::Text => ColumnType::String,
            ColumnKind::Integer => ColumnType::Long,
            ColumnKind::Real => ColumnType::Double,
            ColumnKind::DateTime | ColumnKind::Date => ColumnType::DateTime,
        };
        fgb.add_column(name, kind, |_, column| column.nullable = true);
    }
    let mut count = 0;
    while let Some(row) = layer.rows.next().await {
        let row = row?;
        let Some(geometry) = row.geometry.as_ref().and_then(|s| s.geo()) else {
            continue;
        };
        let columns = &layer.columns;
        fgb.add_feature_geom(geometry.into_owned(), |feature| {
            for (i, ((name, _), field)) in columns.iter().zip(&row.fields).enumerate() {
                // FlatGeobuf's DateTime is ISO 8601 text; a day is written as the day.
                let time = match field {
                    Field::DateTime(_) | Field::Date(_) => field.text().unwrap_or_default(),
                    _ => String::new(),
                };
                let value = match field {
                    Field::Null => continue,
                    Field::Text(text) => ColumnValue::String(text),
                    Field::Integer(n) => ColumnValue::Long(*n),
                    Field::Real(x) => ColumnValue::Double(*x),
                    Field::DateTime(_) | Field::Date(_) => ColumnValue::DateTime(&time),
                };
                // Columns were declared above: writing a declared property cannot fail.
                let _ = feature.property(i, name, &value);
            }
        })
        .map_err(fgb_error)?;
        count += 1;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    fgb.write(file).map_err(fgb_error)?;
    Ok(count)
}
