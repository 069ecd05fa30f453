//! Pictograms: the shipped set and the ones admins upload (checked SVG).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::extract::{Auth, FileBytes};
use crate::application::pictograms;
use crate::domain::pictogram::{is_valid_name, shipped, shipped_names};
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/pictograms", get(list_pictograms))
        .route(
            "/api/projects/{slug}/legend/pictograms",
            get(legend_pictograms),
        )
        .route("/api/pictograms/{name}", put(upload_pictogram))
        .route("/pictograms/{file}", get(pictogram_file))
}

async fn list_pictograms(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> Result<Json<Value>, AppError> {
    Ok(Json(
        json!({"shipped": shipped_names(), "uploaded": pictograms::uploaded(state.store.as_ref()).await?}),
    ))
}

/// `GET /api/projects/{slug}/legend/pictograms`: every pictogram the project's legend draws
/// with, in one answer, `{"pictograms": {"<name>": "data:image/svg+xml;base64,…"}}` (see
/// `application::pictograms::of_legend`); whoever may read the legend may read them.
async fn legend_pictograms(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    use base64::Engine;
    let found = pictograms::of_legend(state.store.as_ref(), &principal, &slug).await?;
    let urls: serde_json::Map<String, Value> = found
        .into_iter()
        .map(|(name, svg)| {
            let data = base64::engine::general_purpose::STANDARD.encode(svg);
            (
                name,
                Value::String(format!("data:image/svg+xml;base64,{data}")),
            )
        })
        .collect();
    Ok(Json(json!({ "pictograms": urls })))
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
            Some(text) => text.as_bytes().to_vec(),
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
