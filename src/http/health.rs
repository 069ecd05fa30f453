//! `GET /healthz`: is the server up and its database reachable.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    crate::application::live::ready(state.store.as_ref())
        .await
        .map_err(|_| AppError::Unavailable)?;
    Ok(Json(
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}),
    ))
}
