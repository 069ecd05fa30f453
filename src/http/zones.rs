//! Saved priority zones: an analyst names a computed zone, moves it from proposed to closed,
//! keeps notes; every change is kept in its history.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use super::extract::{ApiJson, Auth, parse_id};
use super::features::{geojson_response, if_match};
use super::projects::visible_project;
use crate::domain::access::Principal;
use crate::domain::zone::{NewZoneRequest, PriorityZone, ZonePatch};
use crate::geojson::priority;
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/projects/{slug}/priority-zones",
            get(list_zones).post(create_zone),
        )
        .route("/api/priority-zones/{id}", get(get_zone).patch(update_zone))
}

fn moderator(principal: &Principal) -> Result<uuid::Uuid, AppError> {
    match principal {
        Principal::User { id, .. } if principal.can_moderate() => Ok(*id),
        _ => Err(AppError::forbidden(
            "priority zones are decided by analysts and admins",
        )),
    }
}

fn with_etag(mut response: Response, revision: i64) -> Response {
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

async fn create_zone(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<NewZoneRequest>,
) -> Result<Response, AppError> {
    let user = moderator(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let (zone, note) = request
        .into_zone(project.id, user, Utc::now())
        .map_err(|errors| AppError::invalid("the priority zone is not valid", errors))?;
    state
        .store
        .create_priority_zone(&zone, note.as_deref())
        .await?;
    let history = state.store.priority_zone_history(zone.id).await?;
    let response = (
        StatusCode::CREATED,
        geojson_response(priority::saved_zone_feature(&zone, Some(&history)).to_string()),
    )
        .into_response();
    Ok(with_etag(response, zone.revision))
}

async fn list_zones(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    moderator(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let zones = state.store.list_priority_zones(project.id).await?;
    Ok(geojson_response(
        priority::saved_zones_geojson(&zones).to_string(),
    ))
}

async fn find_zone(state: &AppState, id: &str) -> Result<PriorityZone, AppError> {
    state
        .store
        .find_priority_zone(parse_id(id, "priority zone")?)
        .await?
        .ok_or_else(|| AppError::not_found("priority zone"))
}

async fn get_zone(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    moderator(&principal)?;
    let zone = find_zone(&state, &id).await?;
    let history = state.store.priority_zone_history(zone.id).await?;
    Ok(with_etag(
        geojson_response(priority::saved_zone_feature(&zone, Some(&history)).to_string()),
        zone.revision,
    ))
}

async fn update_zone(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<ZonePatch>,
) -> Result<Response, AppError> {
    let user = moderator(&principal)?;
    let mut zone = find_zone(&state, &id).await?;
    if let Some(expected) = if_match(&headers)?
        && expected != zone.revision
    {
        return Err(AppError::PreconditionFailed(format!(
            "the zone is at revision {}, not {expected}: reload it and try again",
            zone.revision
        )));
    }
    let note = zone
        .apply(patch, Utc::now())
        .map_err(|errors| AppError::invalid("the change is not valid", errors))?;
    state
        .store
        .save_priority_zone(&zone, user, note.as_deref())
        .await?;
    let history = state.store.priority_zone_history(zone.id).await?;
    Ok(with_etag(
        geojson_response(priority::saved_zone_feature(&zone, Some(&history)).to_string()),
        zone.revision,
    ))
}
