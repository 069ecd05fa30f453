//! CSV: UTF-8 with a header; the attributes, the centroid's `lon` and `lat`, and the geometry
//! as WKT (`wkt`), which QGIS, R (sf) and pandas read. Streamed like GeoJSON.
//!
//! Text that a spreadsheet would run as a formula (a participant's title `=HYPERLINK(…)`) is
//! neutralised with a leading apostrophe, as OWASP's "CSV Injection" advises; the metadata
//! says so, and the GeoJSON and GeoPackage exports keep every text exactly as written.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use geo::Centroid;
use wkt::ToWkt;

use super::{ExportError, ExportResult, Field, Layer};

const ROWS_PER_CHUNK: usize = 256;

/// What the export's metadata says of the neutralised cells.
pub const FORMULA_GUARD: &str = "text cells that begin with = + - @, a tab or a carriage return \
     (after any spaces) are written with a leading ' so that spreadsheets show them instead of \
     running them as formulas (OWASP, CSV Injection); the GeoJSON and GeoPackage exports keep \
     the text exactly";

/// Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a
/// formula, the full-width forms included, which some of them also accept.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// `text` as a spreadsheet will show it, never run it.
fn neutralised(text: &str) -> std::borrow::Cow<'_, str> {
    let first = text.trim_start_matches(' ').chars().next();
    if first.is_some_and(|c| FORMULA_STARTS.contains(&c)) || text.starts_with(['\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

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
                    Field::Text(t) => neutralised(t).into_owned(),
                    other => other.text().unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn text_a_spreadsheet_would_run_gets_an_apostrophe_and_the_rest_stays() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"ver\")",
            "@SUM(A1:A9)",
            "+54 11 1234",
            "-1+2",
            "  =1+1",
            "\t=1",
            "\r=1",
            "＝1+1",
        ] {
            assert_eq!(neutralised(formula), format!("'{formula}"), "{formula:?}");
        }
        for text in [
            "Taller en la esquina",
            "3 chicos",
            "Av. 25 de Mayo = ruta",
            "",
        ] {
            assert_eq!(neutralised(text), text);
        }
    }
}
