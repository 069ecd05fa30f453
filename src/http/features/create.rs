//! `POST /api/projects/{slug}/features`: one Feature or a FeatureCollection, all or nothing,
//! with `Idempotency-Key` so that a retried submission is stored exactly once. The door reads
//! the key and the body and answers; storing is `application::drawings::create`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::geojson_response;
use crate::application::drawings::{self, Drawn, Submitted};
use crate::domain::feature::Feature;
use crate::http::error::AppError;
use crate::http::extract::{Auth, JsonBytes, hash_body};
use crate::http::projects::visible_project;
use crate::http::state::AppState;
use crate::store::IdempotentResponse;

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub async fn create_features(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    headers: HeaderMap,
    JsonBytes(bytes): JsonBytes,
) -> Result<Response, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    // A request that may be retried carries a key; the body's fingerprint tells a retry
    // from a different request under the same key.
    let idempotency = idempotency_key(&headers)?.map(|key| (key, hash_body(&bytes)));
    let submitted = Submitted {
        body: &bytes,
        idempotency,
    };
    let drawn = drawings::create(
        state.store.as_ref(),
        &state.writes,
        state.limits.features,
        &principal,
        &project,
        submitted,
    )
    .await?;
    Ok(match drawn {
        Drawn::Stored {
            features,
            text,
            single,
        } => created(text, single.then(|| &features[0])),
        Drawn::Replayed(earlier) => replay(earlier),
    })
}

/// 201 with the stored features; a single feature also gets its Location and ETag.
fn created(text: String, single: Option<&Feature>) -> Response {
    let mut response = (StatusCode::CREATED, geojson_response(text)).into_response();
    if let Some(feature) = single {
        let headers = response.headers_mut();
        if let Ok(location) = HeaderValue::from_str(&format!("/api/features/{}", feature.id)) {
            headers.insert(header::LOCATION, location);
        }
        if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", feature.revision)) {
            headers.insert(header::ETAG, etag);
        }
    }
    response
}

/// The `Idempotency-Key` a retried submission is sent with (1-255 visible ASCII characters).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) => Ok(Some(key.to_owned())),
        _ => Err(AppError::BadRequest(
            "Idempotency-Key must be 1-255 visible ASCII characters".into(),
        )),
    }
}

/// Answers a retry with its first answer, marked as replayed.
fn replay(earlier: IdempotentResponse) -> Response {
    let status = StatusCode::from_u16(earlier.status).unwrap_or(StatusCode::CREATED);
    (
        status,
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                "true",
            ),
        ],
        earlier.body,
    )
        .into_response()
}
