//! Features over HTTP: submit, list, read, and the changes of their life (edit, delete,
//! restore, review, hide) with their history.

mod change;
mod create;

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::extract::{ApiQuery, Auth, parse_id};
use super::projects::visible_project;
use crate::domain::access::{FeatureScope, Principal};
use crate::domain::bbox::BBox;
use crate::domain::feature::{Author, Feature, FeatureFilter, ReviewState};
use crate::domain::geometry::masked_cell;
use crate::domain::workshop::Workshop;
use crate::error::AppError;
use crate::state::AppState;

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
        .route("/api/features/{id}/restore", post(change::restore_feature))
        .route("/api/features/{id}/review", post(change::review_feature))
        .route("/api/features/{id}/hide", post(change::hide_feature))
        .route("/api/features/{id}/unhide", post(change::unhide_feature))
        .route("/api/features/{id}/history", get(change::feature_history))
}

/// Default and largest number of features one list request returns.
const DEFAULT_LIMIT: usize = 10_000;
const MAX_LIMIT: usize = 100_000;

/// An RFC 7946 Feature as the API returns it.
pub struct FeatureOut<'a> {
    id: Uuid,
    geometry: GeometryOut<'a>,
    properties: PropertiesOut<'a>,
}

enum GeometryOut<'a> {
    /// The stored GeoJSON text: written by this server after validation, so it goes out as
    /// it is, without the cost of parsing it again (half the time of a large bbox answer).
    Exact(&'a str),
    /// The coarse cell that stands for a sensitive feature.
    Masked(Value),
}

#[derive(Serialize)]
struct PropertiesOut<'a> {
    symbol: &'a str,
    title: &'a Option<String>,
    description: &'a Option<String>,
    workshop: Option<Uuid>,
    group: Option<Uuid>,
    author: &'a Author,
    review_state: ReviewState,
    review_reason: &'a Option<String>,
    merged_into: Option<Uuid>,
    hidden: bool,
    revision: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// True when the geometry is the coarse cell of a sensitive symbol, not the drawing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
}

/// How a caller sees a feature's geometry: as drawn, or (a sensitive symbol, for those the
/// project's policy does not let see it) as the H3 cell of the project's masking resolution,
/// the same cell its exports show.
#[derive(Debug, Clone, Copy)]
pub enum Sight {
    Exact,
    Masked(h3o::Resolution),
}

impl<'a> FeatureOut<'a> {
    pub fn new(feature: &'a Feature, sight: Sight) -> Self {
        let geometry = match sight {
            Sight::Exact => GeometryOut::Exact(&feature.geometry),
            Sight::Masked(resolution) => {
                GeometryOut::Masked(masked_cell(&feature.geometry, resolution))
            }
        };
        let exact = matches!(sight, Sight::Exact);
        Self {
            id: feature.id,
            geometry,
            properties: PropertiesOut {
                symbol: &feature.symbol,
                title: &feature.title,
                description: &feature.description,
                workshop: feature.workshop_id,
                group: feature.group_id,
                author: &feature.author,
                review_state: feature.review_state,
                review_reason: &feature.review_reason,
                merged_into: feature.merged_into,
                hidden: feature.hidden,
                revision: feature.revision,
                created_at: feature.created_at,
                updated_at: feature.updated_at,
                deleted_at: feature.deleted_at,
                masked: !exact,
            },
        }
    }

    /// Appends the feature as JSON to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), AppError> {
        out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":\"");
        out.extend_from_slice(
            self.id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer())
                .as_bytes(),
        );
        out.extend_from_slice(b"\",\"geometry\":");
        match &self.geometry {
            GeometryOut::Exact(text) => out.extend_from_slice(text.as_bytes()),
            GeometryOut::Masked(value) => {
                serde_json::to_writer(&mut *out, value).map_err(internal)?
            }
        }
        out.extend_from_slice(b",\"properties\":");
        serde_json::to_writer(&mut *out, &self.properties).map_err(internal)?;
        out.push(b'}');
        Ok(())
    }

    pub fn to_json(&self) -> Result<String, AppError> {
        let mut out = Vec::with_capacity(1024);
        self.write_json(&mut out)?;
        String::from_utf8(out).map_err(internal)
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(error.to_string())
}

/// A JSON response with the GeoJSON media type (RFC 7946 §12).
pub fn geojson_response(body: impl Into<axum::body::Body>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.into(),
    )
        .into_response()
}

/// A single feature with its revision as a strong ETag, for `If-Match` on the next edit.
pub fn feature_response(feature: &Feature, sight: Sight) -> Result<Response, AppError> {
    let body = FeatureOut::new(feature, sight).to_json()?;
    let mut response = geojson_response(body);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", feature.revision)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Loads a feature and the workshop it was drawn in; 404 when absent, 403 when the caller
/// may not see it.
pub async fn readable_feature(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<(Feature, Option<Workshop>), AppError> {
    let feature = state
        .store
        .find_feature(parse_id(id, "feature")?)
        .await?
        .ok_or_else(|| AppError::not_found("feature"))?;
    let workshop = match feature.workshop_id {
        Some(id) => state.store.find_workshop(id).await?,
        None => None,
    };
    if feature.is_deleted() && !principal.can_moderate() {
        return Err(AppError::not_found("feature"));
    }
    if !principal.can_read_feature(&feature, workshop.as_ref()) {
        return Err(AppError::forbidden("you may not see this feature"));
    }
    Ok((feature, workshop))
}

/// How the caller sees this feature's geometry (sensitive symbols are masked).
pub async fn sees_exact(
    state: &AppState,
    principal: &Principal,
    feature: &Feature,
    workshop: Option<&Workshop>,
) -> Result<Sight, AppError> {
    if principal.can_moderate() {
        return Ok(Sight::Exact);
    }
    let legend = state.store.legend(feature.project_id).await?;
    let sensitive = legend
        .iter()
        .any(|s| s.key == feature.symbol && s.sensitive);
    if !sensitive {
        return Ok(Sight::Exact);
    }
    let project = state
        .store
        .find_project_by_id(feature.project_id)
        .await?
        .ok_or_else(|| AppError::not_found("project"))?;
    Ok(sight(principal, feature, true, workshop, &project))
}

/// Degrees of longitude or latitude that cover a masking cell of `resolution` at `lat`, with
/// room to spare (two edge lengths, widened for the latitude).
fn cell_span_degrees(resolution: h3o::Resolution, lat: f64) -> f64 {
    let km = 2.5 * resolution.edge_length_km();
    km / (111.32 * lat.to_radians().cos().abs().max(0.2))
}

/// Whether the drawing as the caller sees it (exact, or its cell) meets `asked`.
fn meets(stored: &str, seen: Sight, asked: &BBox) -> bool {
    use geo::BoundingRect;
    let Some(geometry) = crate::domain::geometry::FeatureGeometry::parse_stored(stored) else {
        return false;
    };
    let shown = match seen {
        Sight::Exact => geometry,
        Sight::Masked(resolution) => crate::domain::export::sensitive_cell(&geometry, resolution),
    };
    shown.bounding_rect().is_some_and(|r| {
        asked.intersects(&BBox {
            min_x: r.min().x,
            min_y: r.min().y,
            max_x: r.max().x,
            max_y: r.max().y,
        })
    })
}

/// How `principal` sees `feature` in `project`.
fn sight(
    principal: &Principal,
    feature: &Feature,
    sensitive: bool,
    workshop: Option<&Workshop>,
    project: &crate::domain::project::Project,
) -> Sight {
    if principal.sees_exact_geometry(feature, sensitive, workshop, project.sensitive_exact) {
        Sight::Exact
    } else {
        Sight::Masked(project.masking.sensitive_resolution)
    }
}

/// Whom an answer is for: the caller, or a public screen (the wall a projector shows the
/// whole room), where a sensitive drawing is masked as on the participants' phones whoever
/// asks. Hidden drawings are not projected either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    #[default]
    Caller,
    Public,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureQuery {
    #[serde(default)]
    view: View,
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
    let sight = match query.view {
        View::Public => public_sight(&state, &feature).await?,
        View::Caller => None,
    };
    let sight = match sight {
        Some(masked) => masked,
        None => sees_exact(&state, &principal, &feature, workshop.as_ref()).await?,
    };
    feature_response(&feature, sight)
}

/// On a public screen: the mask of a sensitive drawing (`None` for any other).
async fn public_sight(state: &AppState, feature: &Feature) -> Result<Option<Sight>, AppError> {
    let legend = state.store.legend(feature.project_id).await?;
    if !legend
        .iter()
        .any(|s| s.key == feature.symbol && s.sensitive)
    {
        return Ok(None);
    }
    let project = state
        .store
        .find_project_by_id(feature.project_id)
        .await?
        .ok_or_else(|| AppError::not_found("project"))?;
    Ok(Some(Sight::Masked(project.masking.sensitive_resolution)))
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    bbox: Option<String>,
    workshop: Option<String>,
    group: Option<String>,
    symbol: Option<String>,
    /// Review state: submitted, accepted, rejected or merged.
    state: Option<ReviewState>,
    /// Drawn at or after (RFC 3339, or a date: the day's start in UTC).
    since: Option<String>,
    /// Drawn before (RFC 3339, or a date: the day's end in UTC).
    until: Option<String>,
    /// Moderators only: list soft-deleted features (to restore them).
    deleted: Option<bool>,
    limit: Option<usize>,
    /// The id of the last feature of the previous page.
    after: Option<String>,
    /// `public`: for a screen the whole room sees (see [`View`]).
    view: Option<View>,
}

/// An instant from `2026-09-12T14:00:00Z`, or a whole day from `2026-09-12` (its start, or
/// with `end_of_day` the next day's start).
pub(crate) fn query_time(
    text: &Option<String>,
    name: &str,
    end_of_day: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let Some(text) = text.as_deref() else {
        return Ok(None);
    };
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&chrono::Utc)));
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        AppError::BadRequest(format!(
            "{name} must be a date (2026-09-12) or an RFC 3339 time"
        ))
    })?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
}

fn query_id(text: &Option<String>, name: &str) -> Result<Option<Uuid>, AppError> {
    text.as_deref()
        .map(|t| {
            Uuid::parse_str(t).map_err(|_| AppError::BadRequest(format!("{name} must be a UUID")))
        })
        .transpose()
}

async fn list_features(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let workshops: HashMap<Uuid, Workshop> = state
        .store
        .list_workshops(project.id)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let facilitated = || {
        workshops
            .values()
            .filter(|w| principal.can_manage_workshop(w))
            .map(|w| w.id)
            .collect()
    };
    let mut filter = FeatureFilter {
        bbox: query
            .bbox
            .as_deref()
            .map(BBox::parse)
            .transpose()
            .map_err(|e| AppError::BadRequest(e.detail))?,
        group: query_id(&query.group, "group")?,
        symbol: query.symbol.clone(),
        review_state: query.state,
        since: query_time(&query.since, "since", false)?,
        until: query_time(&query.until, "until", true)?,
        include_hidden: principal.can_moderate() && query.view != Some(View::Public),
        include_deleted: query.deleted.unwrap_or(false),
        limit: Some(query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)),
        after: query_id(&query.after, "after")?,
        workshops: None,
    };
    if filter.after.is_some() && filter.bbox.is_some() {
        return Err(AppError::BadRequest(
            "after pages through a listing in drawing order; a bbox answer has no such order, \
             so narrow the box instead"
                .into(),
        ));
    }
    if filter.include_deleted && !principal.can_moderate() {
        return Err(AppError::forbidden(
            "only analysts and admins list deleted features",
        ));
    }
    filter.workshops = match principal.feature_scope(project.id, facilitated) {
        FeatureScope::Nothing => {
            return Err(AppError::forbidden(
                "this role gets no raw features; use an anonymised export",
            ));
        }
        FeatureScope::All => query_id(&query.workshop, "workshop")?.map(|w| vec![w]),
        FeatureScope::Workshops(allowed) => match query_id(&query.workshop, "workshop")? {
            Some(w) if !allowed.contains(&w) => {
                return Err(AppError::forbidden("this workshop is not yours"));
            }
            Some(w) => Some(vec![w]),
            None => Some(allowed),
        },
    };
    let public = query.view == Some(View::Public);
    let sensitive: HashSet<String> = if principal.can_moderate() && !public {
        HashSet::new()
    } else {
        state
            .store
            .legend(project.id)
            .await?
            .into_iter()
            .filter(|s| s.sensitive)
            .map(|s| s.key)
            .collect()
    };
    // A box must not tell where a masked drawing is: whoever sees sensitive drawings masked
    // gets them by whether their *cell* meets the box (the store, which knows only exact
    // extents, is asked a box grown by a cell's width, and the answer is narrowed here).
    // Otherwise halving the box until the drawing drops out would find it.
    let asked_box = filter.bbox;
    let resolution = project.masking.sensitive_resolution;
    if let Some(b) = filter.bbox.as_mut()
        && !sensitive.is_empty()
    {
        let pad = cell_span_degrees(resolution, (b.min_y + b.max_y) / 2.0);
        b.min_x = (b.min_x - pad).max(-180.0);
        b.max_x = (b.max_x + pad).min(180.0);
        b.min_y = (b.min_y - pad).max(-90.0);
        b.max_y = (b.max_y + pad).min(90.0);
    }
    // Each feature is written as it is read, so that on two cores the database's thread
    // and ours work at the same time instead of one after the other.
    let mut features = state.store.stream_features(project.id, &filter);
    let mut collection = CollectionWriter::default();
    while let Some(feature) = features.next().await {
        let f = feature?;
        let workshop = f.workshop_id.and_then(|id| workshops.get(&id));
        let is_sensitive = sensitive.contains(&f.symbol);
        let seen = if public && is_sensitive {
            Sight::Masked(project.masking.sensitive_resolution)
        } else {
            sight(&principal, &f, is_sensitive, workshop, &project)
        };
        if let Some(asked) = &asked_box
            && !sensitive.is_empty()
            && !meets(&f.geometry, seen, asked)
        {
            continue;
        }
        collection.push(&FeatureOut::new(&f, seen))?;
    }
    let truncated = filter.limit.is_some_and(|limit| collection.count >= limit);
    // The next page, as OGC API Features links it: the same query, after the last feature.
    let next = match collection.last_id {
        Some(last) if truncated && filter.bbox.is_none() => {
            let query = ListQuery {
                after: Some(last.to_string()),
                ..query
            };
            let query = serde_urlencoded::to_string(&query).map_err(internal)?;
            Some(format!("/api/projects/{slug}/features?{query}"))
        }
        _ => None,
    };
    Ok(geojson_response(
        collection.finish(truncated, next.as_deref()),
    ))
}

/// A FeatureCollection with `numberReturned` (OGC API Features), `truncated` (true when
/// `limit` cut the listing short) and, when there is one, a `next` link to the following
/// page, written ahead of the features so clients can read them first: the features are
/// written as they come, the head when their number is known.
#[derive(Default)]
pub struct CollectionWriter {
    features: Vec<u8>,
    count: usize,
    last_id: Option<Uuid>,
}

impl CollectionWriter {
    pub fn push(&mut self, feature: &FeatureOut) -> Result<(), AppError> {
        if self.count > 0 {
            self.features.push(b',');
        }
        self.count += 1;
        self.last_id = Some(feature.id);
        feature.write_json(&mut self.features)
    }

    /// The collection's JSON text (UTF-8: serde_json's output and stored GeoJSON text).
    pub fn finish(self, truncated: bool, next: Option<&str>) -> Vec<u8> {
        let links = match next {
            Some(href) => format!(
                ",\"links\":[{{\"rel\":\"next\",\"type\":\"application/geo+json\",\"href\":{}}}]",
                serde_json::Value::from(href)
            ),
            None => String::new(),
        };
        let head = format!(
            "{{\"type\":\"FeatureCollection\",\"numberReturned\":{},\"truncated\":{truncated}{links},\"features\":[",
            self.count
        );
        let mut out = Vec::with_capacity(head.len() + self.features.len() + 2);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&self.features);
        out.extend_from_slice(b"]}");
        out
    }
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
