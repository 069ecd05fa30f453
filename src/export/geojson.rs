//! GeoJSON (RFC 7946) streamed: the collection's head, then each feature as it is read, so that
//! memory stays flat whatever the size. The export's metadata is a foreign member of the
//! collection (RFC 7946 §6.1), which GDAL and QGIS ignore and people can read.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::Value;

use super::{ExportResult, Field, Layer, Row};

/// Rows per chunk sent to the client: large enough that chunk framing costs nothing.
const ROWS_PER_CHUNK: usize = 256;

pub fn write(layer: Layer, meta: Value) -> BoxStream<'static, ExportResult<Bytes>> {
    let head = format!(
        "{{\"type\":\"FeatureCollection\",\"name\":\"{}\",\"metadata\":{},\"features\":[\n",
        layer.name, meta
    );
    let names: Vec<String> = layer
        .columns
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
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

fn feature(row: &Row, names: &[String], out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
    let mut first = true;
    for (name, field) in names.iter().zip(&row.fields) {
        if *field == Field::Null {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        // Writing a string or a number into a Vec cannot fail.
        let _ = match field {
            Field::Text(text) => serde_json::to_writer(&mut *out, text),
            Field::Integer(n) => serde_json::to_writer(&mut *out, n),
            Field::Real(x) => serde_json::to_writer(&mut *out, x),
            Field::Boolean(b) => serde_json::to_writer(&mut *out, b),
            Field::DateTime(_) | Field::Date(_) => {
                serde_json::to_writer(&mut *out, &field.text().unwrap_or_default())
            }
            Field::Null => Ok(()),
        };
    }
    out.extend_from_slice(b"},\"geometry\":");
    match &row.geometry {
        Some(shape) => shape.write_geojson(out),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}
