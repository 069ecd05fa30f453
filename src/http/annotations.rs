//! Annotations: comments on features, and narratives on workshops and their groups.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;

use super::extract::{ApiJson, ApiQuery, Auth, parse_id};
use super::features::readable_feature;
use super::workshops::readable_workshop;
use crate::application::features::sees_exact;
use crate::domain::Invalid;
use crate::domain::access::Principal;
use crate::domain::annotation::{Annotation, AnnotationTarget, NewAnnotationRequest};
use crate::domain::change::Change;
use crate::http::announce;
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::store::AnnotationPage;

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

/// Most annotations one answer carries, and how many unless asked.
const MAX_PAGE: usize = 1_000;
const DEFAULT_PAGE: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    /// The id of the last annotation of the page before.
    after: Option<String>,
    limit: Option<usize>,
    /// Workshops only: one group's narratives.
    group: Option<String>,
}

impl PageQuery {
    fn page(&self) -> Result<AnnotationPage, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(AppError::BadRequest(format!(
                "limit is 1 to {MAX_PAGE} annotations"
            )));
        }
        let after = self
            .after
            .as_deref()
            .map(|id| parse_id(id, "annotation"))
            .transpose()?;
        Ok(AnnotationPage { after, limit })
    }
}

/// One page of a listing, oldest first, as a JSON array; a full page links the next with
/// `Link: <…>; rel="next"` (RFC 8288), so that a thousand comments never come at once (3,000
/// came back as 16 MB).
///
/// `shown` says which annotations the caller may read (see
/// [`crate::domain::feature::Sight::shows_comment`]); a page
/// may then hold fewer than its limit, and still links the next.
async fn page_of(
    state: &AppState,
    target: &AnnotationTarget,
    query: &PageQuery,
    path: &str,
    shown: impl Fn(&Annotation) -> bool,
) -> Result<Response, AppError> {
    let page = query.page()?;
    let mut found = state
        .store
        .list_annotations(
            target,
            AnnotationPage {
                limit: page.limit + 1,
                ..page
            },
        )
        .await?;
    let more = found.len() > page.limit;
    found.truncate(page.limit);
    let last = found.last().map(|a| a.id);
    found.retain(|a| shown(a));
    let mut response = Json(&found).into_response();
    if more && let Some(last) = last {
        let group = query
            .group
            .as_deref()
            .map(|g| format!("&group={}", url_escape(g)))
            .unwrap_or_default();
        let link = format!(
            "<{path}?after={}&limit={}{group}>; rel=\"next\"",
            last, page.limit
        );
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// `text` as a URL query value.
fn url_escape(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|pair| pair.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

async fn list_feature_annotations(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let (feature, workshop) = readable_feature(&state, &principal, &id).await?;
    // Comments are a drawing's words: on a drawing the caller sees masked, only their own.
    let sight = sees_exact(&*state.store, &principal, &feature, workshop.as_ref()).await?;
    let target = AnnotationTarget::Feature {
        feature_id: feature.id,
    };
    page_of(
        &state,
        &target,
        &query,
        &format!("/api/features/{}/annotations", feature.id),
        |a| sight.shows_comment(&principal, &a.author),
    )
    .await
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
    super::admit_writes(
        &state,
        &principal,
        crate::application::rates::Write::Comments,
        1,
    )?;
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

async fn list_workshop_annotations(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
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
    page_of(
        &state,
        &target,
        &query,
        &format!("/api/workshops/{}/annotations", workshop.id),
        |_| true,
    )
    .await
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
    super::admit_writes(
        &state,
        &principal,
        crate::application::rates::Write::Comments,
        1,
    )?;
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
