//! Pictograms: the shipped set and the ones admins upload (checked SVG).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::extract::{Auth, FileBytes};
use crate::application::pictograms;
use crate::domain::pictogram::is_valid_name;
use crate::embedded::STATIC_FILES;
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/pictograms", get(list_pictograms))
        .route("/api/pictograms/{name}", put(upload_pictogram))
        .route("/pictograms/{file}", get(pictogram_file))
}

fn shipped(name: &str) -> Option<&'static [u8]> {
    let path = format!("pictograms/{name}.svg");
    STATIC_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, bytes)| *bytes)
}

fn shipped_names() -> Vec<&'static str> {
    STATIC_FILES
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("pictograms/")?.strip_suffix(".svg"))
        .collect()
}

async fn list_pictograms(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> Result<Json<Value>, AppError> {
    Ok(Json(
        json!({"shipped": shipped_names(), "uploaded": pictograms::uploaded(state.store.as_ref()).await?}),
    ))
}

/// `PUT /api/pictograms/{name}` with an `image/svg+xml` body (admins).
async fn upload_pictogram(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(name): Path<String>,
    FileBytes(body): FileBytes,
) -> Result<StatusCode, AppError> {
    pictograms::upload(state.store.as_ref(), &principal, &name, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /pictograms/{name}.svg`: an uploaded pictogram, or a shipped one. Served with a
/// policy that lets nothing in it run or load, in case a browser opens it directly.
async fn pictogram_file(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(name) = file.strip_suffix(".svg").filter(|n| is_valid_name(n)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body: Vec<u8> = match pictograms::svg(state.store.as_ref(), name).await {
        Ok(Some(svg)) => svg.into_bytes(),
        Ok(None) => match shipped(name) {
            Some(bytes) => bytes.to_vec(),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=600"),
            ),
        ],
        body,
    )
        .into_response()
}
