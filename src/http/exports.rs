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
        with_files,
        data_name,
        ..
    } = application::export::take(
        state.store.clone(),
        &state.media,
        &principal,
        &project,
        &query,
    )
    .await?;
    let (body, media_type) = match (format, attached) {
        // A ZIP, SQLite and FlatGeobuf write a file: it is built in a temporary one, then
        // streamed out. The answer starts at once (a million features take longer than the
        // request timeout to write); a failure while building cuts the download short and is
        // logged.
        (format, Some(attached)) if with_files => (
            Body::from_stream(file_download(FileDownload::Archive {
                format,
                layers,
                meta: meta.clone(),
                attached,
                data_name,
            })),
            "application/zip",
        ),
        (Format::GeoPackage | Format::FlatGeobuf, attached) => (
            Body::from_stream(file_download(FileDownload::Data {
                format,
                layers,
                meta: meta.clone(),
                attached,
            })),
            format.media_type(),
        ),
        (format, _) => (
            Body::from_stream(export::stream(format, layers, meta.clone())),
            format.media_type(),
        ),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&ascii_json(&meta)) {
        headers.insert("trama-export-metadata", value);
    }
    Ok(response)
}

/// What is written to a file before it is sent.
enum FileDownload {
    /// A GeoPackage or FlatGeobuf (a GeoPackage with its media table).
    Data {
        format: Format,
        layers: Vec<export::Layer>,
        meta: Value,
        attached: Option<export::AttachedFiles>,
    },
    /// A ZIP of the data file and its drawings' files beside it.
    Archive {
        format: Format,
        layers: Vec<export::Layer>,
        meta: Value,
        attached: export::AttachedFiles,
        data_name: String,
    },
}

/// An export written to a temporary file first, then streamed out; the temporary file goes
/// when the download ends.
fn file_download(
    download: FileDownload,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> {
    let build = async move {
        let file = tempfile::NamedTempFile::new()?;
        let written = match download {
            FileDownload::Data {
                format,
                layers,
                meta,
                attached,
            } => export::write_file(file.path(), format, layers, &meta, attached.as_ref())
                .await
                .map(drop),
            FileDownload::Archive {
                format,
                layers,
                meta,
                attached,
                data_name,
            } => export::write_archive(file.path(), format, layers, &meta, &attached, &data_name)
                .await
                .map(drop),
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
