//! Imports: `POST /api/workshops/{id}/import` with a file as the body. A dry run reports
//! what would be imported and every problem; the real import is all or nothing, and the same
//! file imported twice is stored once (its fingerprint is the idempotency key).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use super::extract::{ApiQuery, Auth, FileBytes, parse_id};
use crate::application::import::{
    Accepted, ImportRequest, Stored, read_into_workshop, store_import,
};
use crate::domain::Invalid;
use crate::domain::import::summarise;
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/workshops/{id}/import", post(import))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// geojson, kml (or kmz), gpx or csv.
    format: String,
    /// Only report; store nothing.
    dry_run: Option<bool>,
    /// The property, column or element holding each item's category.
    field: Option<String>,
    /// JSON object: category → symbol key.
    map: Option<String>,
    /// Symbol of items without a mapped category.
    default_symbol: Option<String>,
    /// The workshop group the imported features belong to (name or id).
    group: Option<String>,
    /// CSV: the columns of the longitude and latitude, where the header does not say.
    lon_column: Option<String>,
    lat_column: Option<String>,
    /// CSV: a column of WKT or ODK geo-strings.
    geometry_column: Option<String>,
    /// JSON object: question key → the property or column holding its answer.
    answers: Option<String>,
    /// Import the located items, leaving out those without a location (listed in the answer).
    skip_unlocated: Option<bool>,
}

impl ImportQuery {
    fn request(&self) -> ImportRequest {
        ImportRequest {
            format: self.format.clone(),
            map: self.map.clone(),
            field: self.field.clone(),
            default_symbol: self.default_symbol.clone(),
            group: self.group.clone(),
            lon_column: self.lon_column.clone(),
            lat_column: self.lat_column.clone(),
            geometry_column: self.geometry_column.clone(),
            answers: self.answers.clone(),
            skip_unlocated: self.skip_unlocated.unwrap_or(false),
        }
    }
}

async fn import(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    FileBytes(body): FileBytes,
) -> Result<Response, AppError> {
    let workshop = crate::application::workshops::managed(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "workshop")?,
    )
    .await?;
    let request = query.request();
    let format = request.format().map_err(AppError::BadRequest)?;
    let mapping = request.mapping().map_err(AppError::BadRequest)?;
    let group = request.group(&workshop).map_err(AppError::BadRequest)?;
    let mut outcome = read_into_workshop(
        state.store.as_ref(),
        &principal,
        &workshop,
        format,
        body.clone(),
        mapping,
        state.limits.features,
    )
    .await?;

    let left_out = request.leave_out(&mut outcome);
    // Problems and warnings of a kind are listed up to a few, and counted.
    let (problems, problem_counts) = summarise(&outcome.problems);
    if query.dry_run.unwrap_or(false) {
        let (warnings, warning_counts) = summarise(&outcome.warnings);
        let (left_out, left_out_counts) = summarise(&left_out);
        return Ok(axum::Json(json!({
            "dry_run": true,
            "items": outcome.items,
            "ready": outcome.ready.len(),
            "problems": problems,
            "problem_counts": problem_counts,
            "warnings": warnings,
            "warning_counts": warning_counts,
            "left_out": left_out,
            "left_out_count": left_out_counts.values().sum::<usize>(),
            "categories": outcome.categories,
        }))
        .into_response());
    }
    if !problems.is_empty() {
        let errors = problems
            .iter()
            .map(|p| {
                Invalid::new(
                    format!("/items/{}", p.item),
                    format!("{}: {}", p.place(), p.problem),
                )
            })
            .collect();
        let unlocated = problem_counts.get("unlocated").copied().unwrap_or(0);
        let detail = if unlocated > 0 {
            format!(
                "some items cannot be imported; nothing was stored (items without a location: \
                 {unlocated}; skip_unlocated=true imports the others and lists those left out; \
                 dry_run=true for the report)"
            )
        } else {
            "some items cannot be imported; nothing was stored (try dry_run=true for the report)"
                .to_owned()
        };
        return Err(AppError::invalid(detail, errors));
    }

    let stored = store_import(
        state.store.as_ref(),
        &workshop,
        &request,
        &body,
        Accepted {
            ready: outcome.ready,
            left_out,
        },
        group,
        &principal.author(),
    )
    .await?;
    match stored {
        Stored::New { answer, .. } => Ok((
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/json")],
            answer,
        )
            .into_response()),
        // Nothing is stored twice: the first import's answer.
        Stored::Again(text) => Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::HeaderName::from_static("idempotent-replayed"),
                    "true",
                ),
            ],
            text,
        )
            .into_response()),
    }
}
