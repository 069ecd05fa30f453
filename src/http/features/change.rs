//! The life of a feature after it is drawn: edit (with `If-Match`), soft delete, restore,
//! review, hide, and the history of every revision.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{feature_response, if_match, readable_feature};
use crate::application::features::Sights;
use crate::domain::Invalid;
use crate::domain::access::Principal;
use crate::domain::change::Change;
use crate::domain::feature::{
    Feature, FeatureChange, FeaturePatch, ReviewRequest, ReviewState, SeenAuthor, Sight,
    check_symbol,
};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::workshop::Workshop;
use crate::geojson::FeatureOut;
use crate::http::announce;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, Auth};
use crate::http::state::AppState;

/// Applies a change as the next revision. `expected` is the revision the client last saw.
async fn apply(
    state: &AppState,
    principal: &Principal,
    feature: &Feature,
    change: FeatureChange,
    expected: Option<i64>,
) -> Result<Feature, AppError> {
    if let Some(expected) = expected
        && expected != feature.revision
    {
        return Err(AppError::PreconditionFailed(format!(
            "the feature is at revision {}, not {expected}; reload it and apply your change again",
            feature.revision
        )));
    }
    let next = feature
        .apply(&change, Utc::now())
        .map_err(|refused| AppError::Conflict(refused.to_string()))?;
    state
        .store
        .save_feature_revision(&next, change.action(), &principal.author())
        .await?;
    announce(
        state,
        Change::features(next.project_id, next.workshop_id, [next.id]),
    )
    .await;
    Ok(next)
}

fn require_edit(
    principal: &Principal,
    feature: &Feature,
    workshop: Option<&Workshop>,
) -> Result<(), AppError> {
    if principal.can_edit_feature(feature, workshop) {
        return Ok(());
    }
    if workshop.is_some_and(|w| !w.is_open()) && feature.author == principal.author() {
        return Err(AppError::forbidden(
            "the workshop is closed; its features can no longer be changed by participants",
        ));
    }
    Err(AppError::forbidden(
        "you may change only the features you drew",
    ))
}

fn require_moderator(principal: &Principal) -> Result<(), AppError> {
    if principal.can_moderate() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "only analysts and admins moderate features",
        ))
    }
}

pub async fn edit_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let (feature, workshop) = readable_feature(&state, &principal, &id).await?;
    require_edit(&principal, &feature, workshop.as_ref())?;
    let Some(expected) = if_match(&headers)? else {
        return Err(AppError::PreconditionRequired(
            "send If-Match with the revision you edited (the feature's ETag), so no one's change is overwritten".into(),
        ));
    };
    let patch = FeaturePatch::parse(&body, state.limits.features)
        .map_err(|errors| AppError::invalid("the change is not valid", errors))?;
    if patch.symbol.is_some() || patch.geometry.is_some() {
        let symbol = patch.symbol.as_deref().unwrap_or(&feature.symbol);
        let stored;
        let geometry = match &patch.geometry {
            Some(g) => g,
            None => {
                stored = stored_geometry(&feature)?;
                &stored
            }
        };
        let legend = state.store.legend(feature.project_id).await?;
        check_symbol(symbol, geometry, &legend, "")
            .map_err(|e| AppError::invalid("the change is not valid", vec![e]))?;
        if let Some(project) = state.store.find_project_by_id(feature.project_id).await? {
            project
                .admits(geometry, "")
                .map_err(|e| AppError::invalid("the change is not valid", vec![e]))?;
        }
    }
    let next = apply(
        &state,
        &principal,
        &feature,
        FeatureChange::Edit(patch),
        Some(expected),
    )
    .await?;
    feature_response(&next, Sight::Exact)
}

fn stored_geometry(feature: &Feature) -> Result<FeatureGeometry, AppError> {
    let value: Value =
        serde_json::from_str(&feature.geometry).map_err(|e| AppError::Internal(e.to_string()))?;
    FeatureGeometry::from_geojson(&value, "/geometry", usize::MAX)
        .map_err(|_| AppError::Internal("a stored geometry no longer validates".into()))
}

pub async fn delete_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (feature, workshop) = readable_feature(&state, &principal, &id).await?;
    require_edit(&principal, &feature, workshop.as_ref())?;
    apply(
        &state,
        &principal,
        &feature,
        FeatureChange::Delete,
        if_match(&headers)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn restore_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_moderator(&principal)?;
    let (feature, _) = readable_feature(&state, &principal, &id).await?;
    let next = apply(&state, &principal, &feature, FeatureChange::Restore, None).await?;
    feature_response(&next, Sight::Exact)
}

pub async fn review_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<Response, AppError> {
    require_moderator(&principal)?;
    let Principal::User { id: reviewer, .. } = &principal else {
        return Err(AppError::forbidden(
            "only analysts and admins review features",
        ));
    };
    let (feature, _) = readable_feature(&state, &principal, &id).await?;
    let review = request
        .validate(&feature, *reviewer)
        .map_err(|errors| AppError::invalid("the review is not valid", errors))?;
    if let (ReviewState::Merged, Some(target)) = (review.state, review.merge_into) {
        let target = state.store.find_feature(target).await?;
        let usable = target.is_some_and(|t| t.project_id == feature.project_id && !t.is_deleted());
        if !usable {
            return Err(AppError::invalid(
                "the review is not valid",
                vec![Invalid::new(
                    "/merge_into",
                    "no live feature of this project has this id",
                )],
            ));
        }
    }
    let next = apply(
        &state,
        &principal,
        &feature,
        FeatureChange::Review(review),
        None,
    )
    .await?;
    feature_response(&next, Sight::Exact)
}

async fn set_hidden(
    state: AppState,
    principal: Principal,
    id: String,
    hidden: bool,
) -> Result<Response, AppError> {
    require_moderator(&principal)?;
    let (feature, _) = readable_feature(&state, &principal, &id).await?;
    let next = apply(
        &state,
        &principal,
        &feature,
        FeatureChange::Hide { hidden },
        None,
    )
    .await?;
    feature_response(&next, Sight::Exact)
}

pub async fn hide_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_hidden(state, principal, id, true).await
}

pub async fn unhide_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_hidden(state, principal, id, false).await
}

pub async fn feature_history(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (feature, workshop) = readable_feature(&state, &principal, &id).await?;
    // Each revision as the caller would see it: one drawn with a sensitive symbol masked for
    // whoever sees such drawings masked, whatever the symbol is now (a history told the exact
    // place to any reader before); and every revision masked, words and all, when the drawing
    // is seen masked now (an earlier title or shape would locate it).
    let sights = Sights::load(&*state.store, feature.project_id).await?;
    let now = sights.of(&principal, &feature, workshop.as_ref());
    let history = state.store.feature_history(feature.id).await?;
    let entries: Vec<HistoryEntry> = history
        .iter()
        .map(|r| {
            let sight = sights
                .of(&principal, &r.feature, workshop.as_ref())
                .narrower(now);
            Ok(HistoryEntry {
                revision: r.revision,
                action: &r.action,
                actor: sight.author(&r.actor),
                at: r.at,
                feature: RawValue::from_string(FeatureOut::new(&r.feature, sight).to_json()?)
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
