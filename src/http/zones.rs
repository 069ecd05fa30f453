//! Saved priority zones: an analyst names a computed zone, moves it from proposed to closed,
//! keeps notes; every change is kept in its history (`application::zones`).

use super::extract::{ApiJson, Auth, parse_id};
use super::features::{geojson_response, if_match};
use crate::application::zones::{self, Kept};
use crate::domain::zone::{NewZoneRequest, ZonePatch};
use crate::geojson::priority;
use crate::http::error::AppError;
use crate::http::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/projects/{slug}/priority-zones",
            get(list_zones).post(create_zone),
        )
        .route("/api/priority-zones/{id}", get(get_zone).patch(update_zone))
}

fn with_etag(mut response: Response, revision: i64) -> Response {
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// A saved zone with its history, and its revision as the ETag.
fn kept_response(kept: &Kept, status: StatusCode) -> Response {
    let body = priority::saved_zone_feature(&kept.zone, Some(&kept.history)).to_string();
    with_etag(
        (status, geojson_response(body)).into_response(),
        kept.zone.revision,
    )
}

async fn create_zone(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<NewZoneRequest>,
) -> Result<Response, AppError> {
    let kept = zones::create(state.store.as_ref(), &principal, &slug, request).await?;
    Ok(kept_response(&kept, StatusCode::CREATED))
}

async fn list_zones(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let zones = zones::list(state.store.as_ref(), &principal, &slug).await?;
    Ok(geojson_response(
        priority::saved_zones_geojson(&zones).to_string(),
    ))
}

async fn get_zone(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let kept = zones::read(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "priority zone")?,
    )
    .await?;
    Ok(kept_response(&kept, StatusCode::OK))
}

async fn update_zone(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<ZonePatch>,
) -> Result<Response, AppError> {
    let kept = zones::update(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "priority zone")?,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(kept_response(&kept, StatusCode::OK))
}
