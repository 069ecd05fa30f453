//! Annotations over HTTP: comments on features, and narratives on workshops and their groups
//! (written by `application::annotations`), listed a page at a time.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::application::annotations::{self, Page};
use crate::domain::annotation::{Annotation, NewAnnotationRequest};
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

/// One page of a listing as a JSON array; a full page links the next with `Link: <…>;
/// rel="next"` (RFC 8288), so that a thousand comments never come at once (3,000 came back
/// as 16 MB).
fn page_response(page: Page<Annotation>, query: &PageQuery, path: &str) -> Response {
    let mut response = Json(&page.items).into_response();
    if let Some(last) = page.next_after {
        let group = query
            .group
            .as_deref()
            .map(|g| format!("&group={}", url_escape(g)))
            .unwrap_or_default();
        let limit = query.limit.unwrap_or(DEFAULT_PAGE);
        let link = format!("<{path}?after={last}&limit={limit}{group}>; rel=\"next\"");
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
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
    let feature_id = parse_id(&id, "feature")?;
    let page = annotations::of_feature(state.store.as_ref(), &principal, feature_id, query.page()?)
        .await?;
    Ok(page_response(
        page,
        &query,
        &format!("/api/features/{feature_id}/annotations"),
    ))
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
    let workshop_id = parse_id(&id, "workshop")?;
    let page = annotations::of_workshop(
        state.store.as_ref(),
        &principal,
        workshop_id,
        query.group.as_deref(),
        query.page()?,
    )
    .await?;
    Ok(page_response(
        page,
        &query,
        &format!("/api/workshops/{workshop_id}/annotations"),
    ))
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
