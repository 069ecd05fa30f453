//! Annotations over HTTP: comments on features, and narratives on workshops and their groups
//! (written by `application::annotations`), listed a page at a time.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::{ApiJson, ApiQuery, Auth, parse_id};
use super::features::readable_feature;
use super::workshops::readable_workshop;
use crate::application::annotations;
use crate::application::features::sees_exact;
use crate::domain::annotation::{Annotation, AnnotationTarget, NewAnnotationRequest};
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
    let annotation = annotations::comment(
        state.store.as_ref(),
        &state.writes,
        &principal,
        parse_id(&id, "feature")?,
        request,
    )
    .await?;
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
    let annotation = annotations::narrate(
        state.store.as_ref(),
        &state.writes,
        &principal,
        parse_id(&id, "workshop")?,
        request,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(annotation)))
}
