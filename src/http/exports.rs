//! Exports: `GET /api/projects/{slug}/export` streams a file at the privacy level asked for
//! (and allowed), and records who took what in the export log.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::extract::{ApiQuery, Auth};
use super::projects::visible_project;
use crate::application;
use crate::application::export::{Export, ExportQuery};
use crate::export::{self, ExportError, Format};
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects/{slug}/export", get(export))
        .route("/api/projects/{slug}/exports", get(export_log))
}

impl From<ExportError> for AppError {
    fn from(error: ExportError) -> Self {
        application::Error::from(error).into()
    }
}

/// Header values are ASCII: other characters are escaped as JSON does.
fn ascii_json(value: &Value) -> String {
    value
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                let mut buf = [0u16; 2];
                c.encode_utf16(&mut buf)
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
        })
        .collect()
}

async fn export(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let Export {
        layers,
        meta,
        format,
        file_name,
        attached,
        ..
    } = application::export::take(
        state.store.clone(),
        &state.media,
        &principal,
        &project,
        &query,
    )
    .await?;
    let body = match format {
        // SQLite writes a file: it is built in a temporary one, then streamed out. The answer
        // starts at once (a million features take longer than the request timeout to write);
        // a failure while building cuts the download short and is logged.
        Format::GeoPackage | Format::FlatGeobuf => {
            Body::from_stream(file_download(format, layers, meta.clone(), attached))
        }
        format => Body::from_stream(export::stream(format, layers, meta.clone())),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&ascii_json(&meta)) {
        headers.insert("trama-export-metadata", value);
    }
    Ok(response)
}

/// Formats written to a file first (GeoPackage, FlatGeobuf): built in a temporary file, then
/// streamed out; the temporary file goes when the download ends.
fn file_download(
    format: Format,
    mut layers: Vec<export::Layer>,
    meta: Value,
    attached: Option<export::AttachedFiles>,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> {
    let build = async move {
        let file = tempfile::NamedTempFile::new()?;
        let written = match format {
            Format::FlatGeobuf => {
                export::write_flatgeobuf(file.path(), layers.remove(0), &meta).await
            }
            _ => export::write_geopackage(file.path(), layers, &meta, attached.as_ref()).await,
        };
        written.map_err(|e| {
            tracing::error!(error = %e, "export to a file failed");
            std::io::Error::other(e.to_string())
        })?;
        let reader = tokio::fs::File::open(file.path()).await?;
        Ok::<_, std::io::Error>(file_chunks(reader, file))
    };
    futures::stream::once(build).try_flatten()
}

/// A file's bytes in 64 KiB chunks; the temporary file is removed when the stream ends.
fn file_chunks(
    reader: tokio::fs::File,
    keep: tempfile::NamedTempFile,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> {
    use tokio::io::AsyncReadExt;
    futures::stream::unfold(
        (reader, keep, false),
        |(mut reader, keep, done)| async move {
            if done {
                return None;
            }
            let mut buf = vec![0u8; 64 * 1024];
            match reader.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(bytes::Bytes::from(buf)), (reader, keep, false)))
                }
                Err(e) => Some((Err(e), (reader, keep, true))),
            }
        },
    )
    .boxed()
}

async fn export_log(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (exports, unusual) =
        application::export::log(state.store.as_ref(), &principal, &slug).await?;
    Ok(axum::Json(json!({ "exports": exports, "unusual": unusual })).into_response())
}
