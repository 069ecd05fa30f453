//! Photos and voice notes attached to drawings over HTTP (the use cases are
//! `application::attachments`). A file is served as the type Trama wrote it in (JPEG, or the
//! note's container), with `nosniff`, so that no browser reads it as anything else; a note in
//! the byte ranges a player asks for.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use serde::Deserialize;

use super::extract::{ApiQuery, Auth, FileBytes, parse_id};
use super::features::create::idempotency_key;
use crate::application::attachments::Size;
use crate::application::attachments::{self, Attached};
use crate::application::features::View;
use crate::domain::attachment::Attachment;
use crate::domain::attachment::AttachmentKind;
use crate::domain::audit::Door;
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::media::AudioFormat;

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
        .route("/api/attachments/{id}", get(full).delete(remove))
        .route("/api/attachments/{id}/thumbnail", get(thumbnail))
}

/// An attachment as the API answers it, with the addresses of its files.
fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "feature": a.feature_id,
        "annotation": a.annotation_id,
        "kind": a.kind,
        "media_type": a.media_type,
        "width": a.width,
        "height": a.height,
        "duration_ms": a.duration_ms,
        "bytes": a.bytes,
        "created_at": a.created_at,
        "url": format!("/api/attachments/{}", a.id),
        "thumbnail_url": (a.kind == AttachmentKind::Photo)
            .then(|| format!("/api/attachments/{}/thumbnail", a.id)),
    })
}

/// `?annotation=<id>`: a comment's on the drawing, rather than the drawing's own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachQuery {
    annotation: Option<uuid::Uuid>,
}

/// `?view=public`: as a projected screen sees the drawing, whoever asks; `?door=wall`: the
/// wall asks to show it exactly (the audit trail records its exact reads as the wall's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewQuery {
    #[serde(default)]
    view: View,
    door: Option<Door>,
}

impl ViewQuery {
    /// Which door an exact read is recorded as.
    fn door(&self) -> Door {
        match self.door {
            Some(Door::Wall) => Door::Wall,
            _ => Door::Api,
        }
    }
}

/// `POST /api/features/{id}/attachments`, the photo as the body; with `Idempotency-Key`, a
/// retry answers the first sending's photo (`Idempotent-Replayed: true`).
async fn attach(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AttachQuery>,
    headers: HeaderMap,
    FileBytes(body): FileBytes,
) -> Result<Response, AppError> {
    let attached = attachments::attach(
        state.store.as_ref(),
        &state.media,
        &principal,
        parse_id(&id, "feature")?,
        query.annotation,
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
        (query.view, query.door()),
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
    query: &ViewQuery,
    range: Option<&header::HeaderValue>,
) -> Result<Response, AppError> {
    let (attachment, bytes) = attachments::file(
        state.store.as_ref(),
        &state.media,
        principal,
        parse_id(id, "attachment")?,
        size,
        (query.view, query.door()),
    )
    .await?;
    let extension =
        AudioFormat::of_media_type(&attachment.media_type).map_or("jpg", |f| f.extension());
    let total = bytes.len() as u64;
    // One range of the file, as a player seeks (several, or none that fits: the whole file).
    let part = range
        .and_then(|value| value.to_str().ok())
        .and_then(|value| http_range_header::parse_range_header(value).ok())
        .filter(|_| total > 0)
        .and_then(|ranges| ranges.validate(total).ok())
        .and_then(|ranges| match ranges.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        });
    let headers = [
        (header::CONTENT_TYPE, attachment.media_type.clone()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        // Asked again each time: a file removed, withdrawn or masked again is gone.
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.{extension}\"", attachment.id),
        ),
        (header::ACCEPT_RANGES, "bytes".to_owned()),
    ];
    Ok(match part {
        Some(part) => {
            let (start, end) = (*part.start(), *part.end());
            let content_range = format!("bytes {start}-{end}/{total}");
            let slice = bytes[start as usize..=end as usize].to_vec();
            (
                StatusCode::PARTIAL_CONTENT,
                headers,
                [(header::CONTENT_RANGE, content_range)],
                slice,
            )
                .into_response()
        }
        None => (headers, bytes).into_response(),
    })
}

/// `GET /api/attachments/{id}`: the photo, or the voice note (in the `Range` asked for).
async fn full(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Response, AppError> {
    let range = headers.get(header::RANGE);
    serve(&state, &principal, &id, Size::Full, &query, range).await
}

async fn thumbnail(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Response, AppError> {
    serve(&state, &principal, &id, Size::Thumbnail, &query, None).await
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
