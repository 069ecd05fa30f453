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

use super::announce;
use super::extract::{ApiQuery, Auth, FileBytes, parse_id};
use crate::application::import::{ImportRequest, Stored, read_into_workshop, store_import};
use crate::domain::Invalid;
use crate::domain::change::Change;
use crate::error::AppError;
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
    let workshop = state
        .store
        .find_workshop(parse_id(&id, "workshop")?)
        .await?
        .ok_or_else(|| AppError::not_found("workshop"))?;
    if !principal.can_manage_workshop(&workshop) {
        return Err(AppError::forbidden(
            "imports are for the workshop's facilitator, analysts and admins",
        ));
    }
    let request = query.request();
    let format = request.format().map_err(AppError::BadRequest)?;
    let mapping = request.mapping().map_err(AppError::BadRequest)?;
    let group = request.group(&workshop).map_err(AppError::BadRequest)?;
    let outcome = read_into_workshop(
        state.store.as_ref(),
        &workshop,
        format,
        body.clone(),
        mapping,
        state.limits.features,
    )
    .await?;

    if query.dry_run.unwrap_or(false) {
        return Ok(axum::Json(json!({
            "dry_run": true,
            "items": outcome.items,
            "ready": outcome.ready.len(),
            "problems": outcome.problems,
            "warnings": outcome.warnings,
            "categories": outcome.categories,
        }))
        .into_response());
    }
    if !outcome.problems.is_empty() {
        let errors = outcome
            .problems
            .iter()
            .map(|p| {
                Invalid::new(
                    format!("/items/{}", p.item),
                    format!("{}: {}", p.place(), p.problem),
                )
            })
            .collect();
        return Err(AppError::invalid(
            "some items cannot be imported; nothing was stored (try dry_run=true for the report)",
            errors,
        ));
    }

    let stored = store_import(
        state.store.as_ref(),
        &workshop,
        &request,
        &body,
        outcome.ready,
        group,
        &principal.author(),
    )
    .await?;
    match stored {
        Stored::New { ids, answer } => {
            announce(
                &state,
                Change::features(workshop.project_id, Some(workshop.id), ids),
            )
            .await;
            Ok((
                StatusCode::CREATED,
                [(header::CONTENT_TYPE, "application/json")],
                answer,
            )
                .into_response())
        }
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
