//! Features over HTTP: submit, list, read, and the changes of their life (edit, delete,
//! restore, review, hide) with their history.

mod change;
pub mod create;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::extract::{ApiQuery, Auth, parse_id};
use super::projects::visible_project;
use crate::application::features::{ListQuery, Listing, View, list, public_sight, sees_exact};
use crate::domain::access::Principal;
use crate::domain::audit::Door;
use crate::domain::feature::Feature;
use crate::domain::question::Question;
use crate::domain::workshop::Workshop;
use crate::geojson::{FeatureOut, Sight};
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/projects/{slug}/features",
            get(list_features).post(create::create_features),
        )
        .route(
            "/api/features/{id}",
            get(get_feature)
                .patch(change::edit_feature)
                .delete(change::delete_feature),
        )
        .route(
            "/api/projects/{slug}/features/moderation",
            post(change::moderate_features),
        )
        .route("/api/features/{id}/restore", post(change::restore_feature))
        .route("/api/features/{id}/review", post(change::review_feature))
        .route("/api/features/{id}/hide", post(change::hide_feature))
        .route("/api/features/{id}/unhide", post(change::unhide_feature))
        .route("/api/features/{id}/history", get(change::feature_history))
}

/// `GET /api/projects/{slug}/features`: see [`list`].
async fn list_features(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let listing = list(&*state.store, &principal, &project, query).await?;
    Ok(geojson_response(finish_listing(listing, &project.slug)?))
}

/// A listing's text, its `next` link the API's address for the next page.
///
/// # Errors
/// Internal, for a query that cannot be written back (not expected).
pub fn finish_listing(listing: Listing, slug: &str) -> Result<Vec<u8>, AppError> {
    let next = listing
        .next
        .as_ref()
        .map(|query| {
            serde_urlencoded::to_string(query)
                .map(|query| format!("/api/projects/{slug}/features?{query}"))
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .transpose()?;
    Ok(listing.finish(next.as_deref()))
}

/// A JSON response with the GeoJSON media type (RFC 7946 §12).
pub fn geojson_response(body: impl Into<axum::body::Body>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.into(),
    )
        .into_response()
}

/// A single feature, as `sight` shows it with its symbol's `questions`, with its revision as
/// a strong ETag, for `If-Match` on the next edit.
pub fn feature_response(
    feature: &Feature,
    sight: Sight,
    questions: &[Question],
) -> Result<Response, AppError> {
    let body = FeatureOut::new(feature, sight, questions).to_json()?;
    let mut response = geojson_response(body);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", feature.revision)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Loads a feature the caller may read and the workshop it was drawn in (see
/// `application::drawings::readable`).
pub async fn readable_feature(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<(Feature, Option<Workshop>), AppError> {
    Ok(crate::application::drawings::readable(
        state.store.as_ref(),
        principal,
        parse_id(id, "feature")?,
    )
    .await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureQuery {
    #[serde(default)]
    view: View,
    /// `wall`: the projected wall asks (the audit trail records its exact reads as the wall's).
    door: Option<Door>,
}

async fn get_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<FeatureQuery>,
) -> Result<Response, AppError> {
    let (feature, workshop) = readable_feature(&state, &principal, &id).await?;
    if query.view == View::Public && feature.hidden {
        return Err(AppError::not_found("feature"));
    }
    let seen = match query.view {
        View::Public => public_sight(&*state.store, &feature).await?,
        View::Caller => {
            let door = match query.door {
                Some(Door::Wall) => Door::Wall,
                _ => Door::Api,
            };
            sees_exact(&*state.store, &principal, &feature, workshop.as_ref(), door).await?
        }
    };
    feature_response(&feature, seen.sight, &seen.questions)
}

/// Reads the `If-Match` revision: `"3"`, `3` or `W/"3"`; `*` matches any revision.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| {
            AppError::BadRequest("If-Match must be the feature's revision, as in its ETag".into())
        })
}
