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
    // A layer of lines keeps each line's own type in a file of `Unknown` type: the
    // flatgeobuf crate leaves out the `ends` of a one-part MultiLineString (the format
    // allows it), and GDAL 3.6 cannot read a MultiLineString without them ("Unexpected
    // nullptr: MultiLineString ends data"), so one-part lines go as LineStrings.
    let geometry_type = match layer.geometry_type {
        "MULTIPOINT" => GeometryType::MultiPoint,
        "MULTIPOLYGON" => GeometryType::MultiPolygon,
        _ => GeometryType::Unknown,
    };
    // An empty layer is written without a spatial index: GDAL 3.6 refuses an index of no
    // items ("Failed to calculate tree size"), and there is nothing to index.
    let (name, columns) = (layer.name, layer.columns.clone());
    let writer = |write_index: bool| -> ExportResult<FgbWriter<'_>> {
        let options = FgbWriterOptions {
            write_index,
            crs: FgbCrs {
                org: Some("EPSG"),
                code: 4326,
                ..Default::default()
            },
            // A layer of one type (`export::family`) declares it; a mixed one (`GEOMETRY`) is
            // `Unknown`, each feature carrying its own type.
            detect_type: false,
            promote_to_multi: false,
            title: Some(name),
            metadata: Some(&metadata),
            ..Default::default()
        };
        let mut fgb =
            FgbWriter::create_with_options(name, geometry_type, options).map_err(fgb_error)?;
        for (name, kind) in &columns {
            let kind = match kind {
                ColumnKind::Text => ColumnType::String,
                ColumnKind::Integer => ColumnType::Long,
                ColumnKind::Real => ColumnType::Double,
                ColumnKind::Boolean => ColumnType::Bool,
                ColumnKind::DateTime | ColumnKind::Date => ColumnType::DateTime,
            };
            fgb.add_column(name, kind, |_, column| column.nullable = true);
        }
        Ok(fgb)
    };
    let mut fgb = writer(true)?;
    let mut count = 0;
    while let Some(row) = layer.rows.next().await {
        let row = row?;
        let Some(geometry) = row.geometry.as_ref().and_then(|s| s.geo()) else {
            continue;
        };
        let geometry = match geometry.into_owned() {
            geo::Geometry::MultiLineString(mut lines) if lines.0.len() == 1 => {
                geo::Geometry::LineString(lines.0.remove(0))
            }
            other => other,
        };
        fgb.add_feature_geom(geometry, |feature| {
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
                    Field::Boolean(b) => ColumnValue::Bool(*b),
                    Field::DateTime(_) | Field::Date(_) => ColumnValue::DateTime(&time),
                };
                // Columns were declared above: writing a declared property cannot fail.
                let _ = feature.property(i, name, &value);
            }
        })
        .map_err(fgb_error)?;
        count += 1;
    }
    if count == 0 {
        fgb = writer(false)?;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    fgb.write(file).map_err(fgb_error)?;
    Ok(count)
}
