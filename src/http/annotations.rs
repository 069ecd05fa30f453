//! Annotations: comments on features, and narratives on workshops and their groups.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;

use super::extract::{ApiJson, ApiQuery, Auth};
use super::features::readable_feature;
use super::workshops::readable_workshop;
use crate::domain::Invalid;
use crate::domain::access::Principal;
use crate::domain::annotation::{Annotation, AnnotationTarget, NewAnnotationRequest};
use crate::domain::change::Change;
use crate::error::AppError;
use crate::http::announce;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/features/{id}/annotations",
            get(list_feature_annotations).post(annotate_feature),
        )
        .route(
            "/api/workshops/{id}/annotations",
            get(list_workshop_annotations).post(annotate_workshop),
        )
}

async fn list_feature_annotations(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<Annotation>>, AppError> {
    let (feature, _) = readable_feature(&state, &principal, &id).await?;
    let target = AnnotationTarget::Feature {
        feature_id: feature.id,
    };
    Ok(Json(state.store.list_annotations(&target).await?))
}

async fn annotate_feature(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewAnnotationRequest>,
) -> Result<(StatusCode, Json<Annotation>), AppError> {
    let (feature, workshop) = readable_feature(&state, &principal, &id).await?;
    let allowed = principal.can_moderate()
        || workshop
            .as_ref()
            .is_some_and(|w| principal.can_contribute_to(w));
    if !allowed {
        return Err(AppError::forbidden(
            "you may comment only on features of your open workshop",
        ));
    }
    if feature.is_deleted() {
        return Err(AppError::Conflict("the feature is deleted".into()));
    }
    if request.group.is_some() {
        return Err(AppError::invalid(
            "a comment on a feature has no group",
            vec![Invalid::new(
                "/group",
                "only workshop narratives belong to a group",
            )],
        ));
    }
    let body = request
        .validated_body()
        .map_err(|e| AppError::invalid("the annotation is not valid", e))?;
    super::admit_writes(&state, &principal, super::rate::Write::Comments, 1)?;
    let target = AnnotationTarget::Feature {
        feature_id: feature.id,
    };
    let annotation = Annotation::new(
        feature.project_id,
        target,
        principal.author(),
        body,
        Utc::now(),
    );
    state.store.add_annotation(&annotation).await?;
    announce(
        &state,
        Change::Annotation {
            project_id: annotation.project_id,
            workshop_id: feature.workshop_id,
            feature_id: Some(feature.id),
            annotation_id: annotation.id,
        },
    )
    .await;
    Ok((StatusCode::CREATED, Json(annotation)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NarrativeQuery {
    group: Option<String>,
}

async fn list_workshop_annotations(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<NarrativeQuery>,
) -> Result<Json<Vec<Annotation>>, AppError> {
    let workshop = readable_workshop(&state, &principal, &id).await?;
    let group_id = match &query.group {
        Some(reference) => Some(
            workshop
                .find_group(reference)
                .ok_or_else(|| AppError::not_found("group"))?
                .id,
        ),
        None => None,
    };
    let target = AnnotationTarget::Workshop {
        workshop_id: workshop.id,
        group_id,
    };
    Ok(Json(state.store.list_annotations(&target).await?))
}

async fn annotate_workshop(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewAnnotationRequest>,
) -> Result<(StatusCode, Json<Annotation>), AppError> {
    let workshop = readable_workshop(&state, &principal, &id).await?;
    if !principal.can_contribute_to(&workshop) {
        return Err(AppError::forbidden(
            "the workshop is closed; its narratives can no longer be added to",
        ));
    }
    let body = request
        .validated_body()
        .map_err(|e| AppError::invalid("the annotation is not valid", e))?;
    super::admit_writes(&state, &principal, super::rate::Write::Comments, 1)?;
    let named =
        match &request.group {
            Some(reference) => Some(workshop.find_group(reference).map(|g| g.id).ok_or_else(
                || {
                    AppError::invalid(
                        "unknown group",
                        vec![Invalid::new(
                            "/group",
                            "no group of this workshop has this name or id",
                        )],
                    )
                },
            )?),
            None => None,
        };
    // A participant's narrative belongs to their own table.
    let group_id = match (&principal, named) {
        (Principal::Participant { group_id, .. }, Some(other)) if other != *group_id => {
            return Err(AppError::invalid(
                "participants write for their own group",
                vec![Invalid::new("/group", "this is not your group")],
            ));
        }
        (Principal::Participant { group_id, .. }, _) => Some(*group_id),
        (Principal::User { .. }, named) => named,
    };
    let target = AnnotationTarget::Workshop {
        workshop_id: workshop.id,
        group_id,
    };
    let annotation = Annotation::new(
        workshop.project_id,
        target,
        principal.author(),
        body,
        Utc::now(),
    );
    state.store.add_annotation(&annotation).await?;
    announce(
        &state,
        Change::Annotation {
            project_id: annotation.project_id,
            workshop_id: Some(workshop.id),
            feature_id: None,
            annotation_id: annotation.id,
        },
    )
    .await;
    Ok((StatusCode::CREATED, Json(annotation)))
}
