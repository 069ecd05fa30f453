//! GeoJSON (RFC 7946) streamed: the collection's head, then each feature as it is read, so that
//! memory stays flat whatever the size. The export's metadata is a foreign member of the
//! collection (RFC 7946 §6.1), which GDAL and QGIS ignore and people can read.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::{Map, Value};

use super::{ExportResult, Field, Layer, Row};
use crate::domain::geometry::FeatureGeometry;

/// Rows per chunk sent to the client: large enough that chunk framing costs nothing.
const ROWS_PER_CHUNK: usize = 256;

pub fn write(layer: Layer, meta: Value) -> BoxStream<'static, ExportResult<Bytes>> {
    let head = format!(
        "{{\"type\":\"FeatureCollection\",\"name\":\"{}\",\"metadata\":{},\"features\":[\n",
        layer.name, meta
    );
    let names: Vec<&'static str> = layer.columns.iter().map(|(name, _)| *name).collect();
    let mut first = true;
    let body = layer.rows.ready_chunks(ROWS_PER_CHUNK).map(move |rows| {
        let mut out = Vec::with_capacity(rows.len() * 512);
        for row in rows {
            let row = row?;
            if !first {
                out.extend_from_slice(b",\n");
            }
            first = false;
            feature(&row, &names, &mut out);
        }
        Ok(Bytes::from(out))
    });
    futures::stream::once(async move { Ok(Bytes::from(head)) })
        .chain(body)
        .chain(futures::stream::once(async {
            Ok(Bytes::from_static(b"\n]}\n"))
        }))
        .boxed()
}

fn feature(row: &Row, names: &[&str], out: &mut Vec<u8>) {
    let properties: Map<String, Value> = names
        .iter()
        .zip(&row.fields)
        .filter_map(|(name, field)| {
            let value = match field {
                Field::Null => return None,
                Field::Text(text) => Value::String(text.clone()),
                Field::Integer(n) => Value::from(*n),
                Field::Real(x) => Value::from(*x),
            };
            Some(((*name).to_owned(), value))
        })
        .collect();
    out.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":");
    // Writing a map of strings and numbers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &properties);
    out.extend_from_slice(b",\"geometry\":");
    match &row.geometry {
        Some(geometry) => out.extend_from_slice(
            FeatureGeometry::from_trusted(geometry.clone())
                .to_geojson_string()
                .as_bytes(),
        ),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}
