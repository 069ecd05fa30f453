//! Imports: `POST /api/workshops/{id}/import` with a file as the body. A dry run reports
//! what would be imported and every problem; the real import is all or nothing, and the same
//! file imported twice is stored once (its fingerprint is the idempotency key).

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::announce;
use super::extract::{ApiQuery, Auth, parse_id};
use crate::domain::Invalid;
use crate::domain::change::Change;
use crate::domain::import::{ImportFormat, Mapping, fingerprint, into_features, read};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{IdempotentResponse, StoreError};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/workshops/{id}/import", post(import))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// geojson, kml, gpx or csv.
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
}

async fn import(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Bytes,
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
    let format = ImportFormat::parse(&query.format).ok_or_else(|| {
        AppError::BadRequest(format!(
            "unknown format {:?}: use geojson, kml, gpx or csv",
            query.format
        ))
    })?;
    let categories: BTreeMap<String, String> = match query.map.as_deref() {
        None => BTreeMap::new(),
        Some(text) => serde_json::from_str(text).map_err(|_| {
            AppError::BadRequest(
                "map must be a JSON object of category → symbol, e.g. {\"Escuelas\":\"escuela\"}"
                    .into(),
            )
        })?,
    };
    let group = match query.group.as_deref() {
        None => None,
        Some(reference) => Some(
            workshop
                .groups
                .iter()
                .find(|g| g.name == reference || g.id.to_string() == reference)
                .map(|g| g.id)
                .ok_or_else(|| {
                    AppError::BadRequest(format!("the workshop has no group {reference:?}"))
                })?,
        ),
    };
    let mapping = Mapping {
        field: query.field.clone(),
        categories,
        default_symbol: query.default_symbol.clone(),
    };
    let legend = state.store.legend(workshop.project_id).await?;
    let limits = state.limits.features;
    let file = body.clone();
    let outcome =
        tokio::task::spawn_blocking(move || read(format, &file, &mapping, &legend, limits))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    let items = outcome.ready.len() + outcome.problems.iter().filter(|p| p.item > 0).count();

    if query.dry_run.unwrap_or(false) {
        return Ok(axum::Json(json!({
            "dry_run": true,
            "items": items,
            "ready": outcome.ready.len(),
            "problems": outcome.problems,
            "categories": outcome.categories,
        }))
        .into_response());
    }
    if !outcome.problems.is_empty() {
        let errors = outcome
            .problems
            .iter()
            .map(|p| {
                let at = match p.line {
                    Some(line) => format!("item {} (line {line})", p.item),
                    None if p.item == 0 => "the file".to_owned(),
                    None => format!("item {}", p.item),
                };
                Invalid::new(format!("/items/{}", p.item), format!("{at}: {}", p.problem))
            })
            .collect();
        return Err(AppError::invalid(
            "some items cannot be imported; nothing was stored (try dry_run=true for the report)",
            errors,
        ));
    }

    // The same file with the same mapping into the same workshop is one import.
    let settings = format!(
        "{}\n{:?}\n{:?}\n{:?}\n{:?}",
        query.format, query.field, query.map, query.default_symbol, query.group
    );
    let fingerprint = fingerprint(workshop.id, &settings, &body);
    let key = format!("import:{}", workshop.id);
    let principal_key = format!("import:{fingerprint}");
    if let Some(earlier) = state
        .store
        .idempotent_response(&principal_key, &key)
        .await?
    {
        return Ok(replayed(earlier));
    }
    let features = into_features(
        outcome.ready,
        workshop.project_id,
        workshop.id,
        group,
        &principal.author(),
        Utc::now(),
    );
    let text = json!({
        "imported": features.len(),
        "workshop": workshop.id,
        "ids": features.iter().map(|f| f.id).collect::<Vec<_>>(),
    })
    .to_string();
    let answer = IdempotentResponse {
        principal: principal_key,
        key,
        request_hash: fingerprint,
        status: StatusCode::CREATED.as_u16(),
        body: text.clone(),
    };
    match state.store.insert_features(&features, Some(&answer)).await {
        Ok(()) => {
            announce(
                &state,
                Change::features(
                    workshop.project_id,
                    Some(workshop.id),
                    features.iter().map(|f| f.id),
                ),
            )
            .await;
            Ok((
                StatusCode::CREATED,
                [(header::CONTENT_TYPE, "application/json")],
                text,
            )
                .into_response())
        }
        // The same import, sent twice at once: answer as the first was answered.
        Err(StoreError::Conflict(_)) => match state
            .store
            .idempotent_response(&answer.principal, &answer.key)
            .await?
        {
            Some(earlier) => Ok(replayed(earlier)),
            None => Err(AppError::Conflict(
                "the import conflicted with another; retry it".into(),
            )),
        },
        Err(other) => Err(other.into()),
    }
}

/// The first answer to this same import: nothing is stored twice.
fn replayed(earlier: IdempotentResponse) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                "true",
            ),
        ],
        earlier.body,
    )
        .into_response()
}
