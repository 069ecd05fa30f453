//! Photos attached to drawings over HTTP (the use cases are `application::attachments`).
//! A photo is served as the JPEG Trama wrote, with `nosniff`, so that no browser reads it as
//! anything else.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::extract::{Auth, FileBytes, parse_id};
use crate::application::attachments;
use crate::domain::attachment::Attachment;
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::media::Size;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/features/{id}/attachments",
            post(attach)
                .get(of_drawing)
                // A photo's own limit (`media::PhotoLimits`), whatever the server's body limit.
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::media::PhotoLimits::default().max_bytes + 64 * 1024,
                )),
        )
        .route("/api/attachments/{id}", get(photo).delete(remove))
        .route("/api/attachments/{id}/thumbnail", get(thumbnail))
}

/// An attachment as the API answers it, with the addresses of its files.
fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "feature": a.feature_id,
        "kind": a.kind,
        "media_type": a.media_type,
        "width": a.width,
        "height": a.height,
        "bytes": a.bytes,
        "created_at": a.created_at,
        "url": format!("/api/attachments/{}", a.id),
        "thumbnail_url": format!("/api/attachments/{}/thumbnail", a.id),
    })
}

async fn attach(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    FileBytes(body): FileBytes,
) -> Result<Response, AppError> {
    let attachment = attachments::attach(
        state.store.as_ref(),
        &state.media,
        &principal,
        parse_id(&id, "feature")?,
        body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(attachment_json(&attachment))).into_response())
}

async fn of_drawing(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let list = attachments::of_drawing(state.store.as_ref(), &principal, parse_id(&id, "feature")?)
        .await?;
    Ok(Json(json!({
        "attachments": list.iter().map(attachment_json).collect::<Vec<_>>()
    })))
}

async fn serve(
    state: &AppState,
    principal: &crate::domain::access::Principal,
    id: &str,
    size: Size,
) -> Result<Response, AppError> {
    let (attachment, bytes) = attachments::file(
        state.store.as_ref(),
        &state.media,
        principal,
        parse_id(id, "attachment")?,
        size,
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, attachment.media_type.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // Asked again each time: a photo removed, withdrawn or masked again is gone.
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.jpg\"", attachment.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn photo(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&state, &principal, &id, Size::Full).await
}

async fn thumbnail(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&state, &principal, &id, Size::Thumbnail).await
}

async fn remove(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    attachments::remove(
        state.store.as_ref(),
        &state.media,
        &principal,
        parse_id(&id, "attachment")?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
