//! CSV: UTF-8 with a header; the attributes, the centroid's `lon` and `lat`, and the geometry
//! as WKT (`wkt`), which QGIS, R (sf) and pandas read. Streamed like GeoJSON.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use geo::Centroid;
use wkt::ToWkt;

use super::{ExportError, ExportResult, Field, Layer};

const ROWS_PER_CHUNK: usize = 256;

pub fn write(layer: Layer) -> BoxStream<'static, ExportResult<Bytes>> {
    let mut header: Vec<String> = layer.columns.iter().map(|(n, _)| (*n).to_owned()).collect();
    header.extend(["lon".into(), "lat".into(), "wkt".into()]);
    let head = line(&header);
    let body = layer.rows.ready_chunks(ROWS_PER_CHUNK).map(|rows| {
        let mut out = ::csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
        for row in rows {
            let row = row?;
            let mut record: Vec<String> = row
                .fields
                .iter()
                .map(|f| match f {
                    Field::Null => String::new(),
                    Field::Text(t) => t.clone(),
                    Field::Integer(n) => n.to_string(),
                    Field::Real(x) => x.to_string(),
                })
                .collect();
            let geometry = row.geometry.as_ref().and_then(|s| s.geo());
            let centroid = geometry.as_ref().and_then(|g| g.centroid());
            record.push(centroid.map_or_else(String::new, |c| c.x().to_string()));
            record.push(centroid.map_or_else(String::new, |c| c.y().to_string()));
            record.push(geometry.map_or_else(String::new, |g| g.wkt_string()));
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
