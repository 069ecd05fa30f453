//! The life of a feature after it is drawn: edit (with `If-Match`), soft delete, restore,
//! review, hide, and the history of every revision.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::{feature_response, if_match};
use crate::application::drawings::{self, Moderation};
use crate::domain::access::Principal;
use crate::domain::feature::{BulkModerationRequest, ReviewRequest, SeenAuthor, Sight};
use crate::geojson::FeatureOut;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, Auth, parse_id};
use crate::http::projects::visible_project;
use crate::http::state::AppState;

pub async fn edit_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let next = drawings::edit(
        state.store.as_ref(),
        state.limits.features,
        &principal,
        parse_id(&id, "feature")?,
        if_match(&headers)?,
        &body,
    )
    .await?;
    feature_response(&next, Sight::Exact, &[])
}

pub async fn delete_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    drawings::delete(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "feature")?,
        if_match(&headers)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn moderate(
    state: AppState,
    principal: Principal,
    id: String,
    moderation: Moderation,
) -> Result<Response, AppError> {
    let next = drawings::moderate(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "feature")?,
        moderation,
    )
    .await?;
    feature_response(&next, Sight::Exact, &[])
}

pub async fn restore_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    moderate(state, principal, id, Moderation::Restore).await
}

pub async fn review_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<Response, AppError> {
    moderate(state, principal, id, Moderation::Review(request)).await
}

pub async fn hide_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    moderate(state, principal, id, Moderation::Hide { hidden: true }).await
}

pub async fn unhide_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    moderate(state, principal, id, Moderation::Hide { hidden: false }).await
}

/// `POST /api/projects/{slug}/features/moderation`: one decision (accept, reject with one
/// reason, hide, unhide) for up to 1,000 drawings; see [`drawings::moderate_many`]. Answers
/// 200 with `{"moderated": [id…], "unchanged": [id…], "refused": [{"id", "status",
/// "title", "detail"}…]}`: each drawing's refusal is reported, not the whole request's.
pub async fn moderate_features(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<BulkModerationRequest>,
) -> Result<Response, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let outcome =
        drawings::moderate_many(state.store.as_ref(), &principal, &project, request).await?;
    let refused: Vec<Value> = outcome
        .refused
        .into_iter()
        .map(|(id, error)| {
            let error = AppError::from(error);
            if let AppError::Internal(text) = &error {
                tracing::error!(%id, error = %text, "a drawing of a bulk decision failed");
            }
            let mut problem = error.problem_members();
            problem["id"] = json!(id);
            problem
        })
        .collect();
    Ok(Json(json!({
        "moderated": outcome.moderated.iter().map(|f| f.id).collect::<Vec<_>>(),
        "unchanged": outcome.unchanged,
        "refused": refused,
    }))
    .into_response())
}

pub async fn feature_history(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let history =
        drawings::history(state.store.as_ref(), &principal, parse_id(&id, "feature")?).await?;
    let entries: Vec<HistoryEntry> = history
        .iter()
        .map(|(r, seen)| {
            let feature = FeatureOut::new(&r.feature, seen.sight, &seen.questions);
            Ok(HistoryEntry {
                revision: r.revision,
                action: &r.action,
                actor: seen.sight.author(&r.actor),
                at: r.at,
                feature: RawValue::from_string(feature.to_json()?)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Json(entries).into_response())
}

/// One revision: who did what, when, and the feature as it was afterwards.
#[derive(serde::Serialize)]
struct HistoryEntry<'a> {
    revision: i64,
    action: &'a str,
    actor: SeenAuthor<'a>,
    at: chrono::DateTime<Utc>,
    feature: Box<RawValue>,
}
