//! An admin's basemap uploads (the file as the body, streamed to disk and checked before
//! it is kept) and removals.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::{admin_only, describe};
use crate::basemap::Upload;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, Auth};
use crate::http::projects::visible_project;
use crate::http::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UploadQuery {
    label: Option<String>,
    /// The file's name on the sender's device, to name it in a refusal (never kept).
    filename: Option<String>,
}

/// The name a refusal gives the uploaded file: its name on the sender's device (its last
/// part, at most 120 characters), else "the file".
fn shown_as(filename: Option<&str>) -> String {
    filename
        .and_then(|name| name.rsplit(['/', '\\']).next())
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map_or_else(
            || "the file".to_owned(),
            |name| name.chars().take(120).collect(),
        )
}

pub(super) async fn upload(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    request: Request,
) -> Result<Response, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let label = query.label.unwrap_or_default().trim().to_owned();
    if label.is_empty() || label.chars().count() > 80 {
        return Err(AppError::BadRequest(
            "give the basemap a label of 1 to 80 characters (?label=Calles)".to_owned(),
        ));
    }
    let limit = state.limits.max_basemap_bytes;
    if let Some(length) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit
    {
        return Err(AppError::PayloadTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        });
    }
    let scratch = state
        .basemaps
        .scratch_file(&format!("{}.upload", Uuid::new_v4()))
        .await?;
    // Streamed to disk as it arrives: files of hundreds of MB never sit in memory.
    let received = save_body(request.into_body(), &scratch, limit).await;
    if let Err(e) = received {
        let _ = tokio::fs::remove_file(&scratch).await;
        return Err(e);
    }
    let basemap = state
        .basemaps
        .add(
            project.id,
            &scratch,
            &shown_as(query.filename.as_deref()),
            Upload {
                label,
                added_at: Utc::now(),
                added_by: principal.username().unwrap_or_default().to_owned(),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(describe(&basemap, true, project.area_bounds())),
    )
        .into_response())
}

async fn save_body(body: Body, to: &std::path::Path, limit: u64) -> Result<(), AppError> {
    let mut file = tokio::fs::File::create(to)
        .await
        .map_err(|e| AppError::Internal(format!("could not create {}: {e}", to.display())))?;
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    // Exempt from the request timeout (a big file takes minutes), but not from silence.
    let idle = std::time::Duration::from_secs(60);
    while let Some(chunk) = tokio::time::timeout(idle, stream.next())
        .await
        .map_err(|_| AppError::RequestTimeout(idle.as_secs()))?
    {
        let chunk = chunk.map_err(|e| {
            AppError::BadRequest(format!(
                "the upload stopped before its end ({e}); send it again"
            ))
        })?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(AppError::PayloadTooLarge {
                limit: usize::try_from(limit).unwrap_or(usize::MAX),
            });
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| AppError::Internal(format!("could not write {}: {e}", to.display())))?;
    }
    file.flush()
        .await
        .map_err(|e| AppError::Internal(format!("could not write {}: {e}", to.display())))?;
    if written == 0 {
        return Err(AppError::BadRequest(
            "the request has no file: send the MBTiles or PMTiles file as the body".to_owned(),
        ));
    }
    Ok(())
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    state.basemaps.for_project(project.id).await;
    if !state.basemaps.owned_by(project.id, &id) {
        return Err(AppError::not_found("basemap of this project"));
    }
    state.basemaps.remove(project.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
