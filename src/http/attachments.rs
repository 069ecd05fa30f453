//! Photos attached to drawings over HTTP (the use cases are `application::attachments`).
//! A photo is served as the JPEG Trama wrote, with `nosniff`, so that no browser reads it as
//! anything else.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use serde::Deserialize;

use super::extract::{ApiQuery, Auth, FileBytes, parse_id};
use super::features::create::idempotency_key;
use crate::application::attachments::{self, Attached};
use crate::application::features::View;
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

/// `?view=public`: as a projected screen sees the drawing, whoever asks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewQuery {
    #[serde(default)]
    view: View,
}

/// `POST /api/features/{id}/attachments`, the photo as the body; with `Idempotency-Key`, a
/// retry answers the first sending's photo (`Idempotent-Replayed: true`).
async fn attach(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    FileBytes(body): FileBytes,
) -> Result<Response, AppError> {
    let attached = attachments::attach(
        state.store.as_ref(),
        &state.media,
        &principal,
        parse_id(&id, "feature")?,
        body,
        idempotency_key(&headers)?.as_deref(),
    )
    .await?;
    Ok(match attached {
        Attached::Now(a) => (StatusCode::CREATED, Json(attachment_json(&a))).into_response(),
        Attached::Earlier(a) => (
            StatusCode::CREATED,
            [(
                header::HeaderName::from_static("idempotent-replayed"),
                "true",
            )],
            Json(attachment_json(&a)),
        )
            .into_response(),
    })
}

async fn of_drawing(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Json<Value>, AppError> {
    let list = attachments::of_drawing(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "feature")?,
        query.view,
    )
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
    view: View,
) -> Result<Response, AppError> {
    let (attachment, bytes) = attachments::file(
        state.store.as_ref(),
        &state.media,
        principal,
        parse_id(id, "attachment")?,
        size,
        view,
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
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Response, AppError> {
    serve(&state, &principal, &id, Size::Full, query.view).await
}

async fn thumbnail(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Response, AppError> {
    serve(&state, &principal, &id, Size::Thumbnail, query.view).await
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
