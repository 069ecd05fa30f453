//! The audit trail over HTTP: listing it (admins every entry, analysts their projects') and
//! verifying it (admins); the use cases are `application::audit`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::extract::{ApiQuery, Auth};
use crate::application::audit::{self, AuditQuery};
use crate::domain::audit::Entry;
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/audit", get(list))
        .route("/api/audit/verify", get(verify))
}

/// An entry as the API shows it: erased details are `null`.
pub fn entry_json(entry: &Entry) -> Value {
    json!({
        "seq": entry.seq,
        "at": entry.at,
        "kind": entry.kind,
        "details": entry.details,
        "commitment": entry.commitment,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    })
}

/// `GET /api/audit?actor=&door=&kind=&project=&since=&until=&before=&limit=`: entries newest
/// first, with `next` (the `before` of the next page) while there may be more.
async fn list(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Value>, AppError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    let entries = audit::list(state.store.as_ref(), &principal, query).await?;
    let next = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(json!({
        "entries": entries.iter().map(entry_json).collect::<Vec<_>>(),
        "next_before": next,
    })))
}

/// `GET /api/audit/verify` (admins): the whole chain, against the latest checkpoint kept.
/// `{"verifies": true, "count", "head", "checkpoint"}` or `{"verifies": false, "broken":
/// {"seq", "why"}}`.
async fn verify(
    State(state): State<AppState>,
    Auth(principal): Auth,
) -> Result<Json<Value>, AppError> {
    let (checkpoint, outcome) = audit::verify_as(state.store.as_ref(), &principal).await?;
    Ok(Json(match outcome {
        Ok(verified) => json!({
            "verifies": true,
            "count": verified.count,
            "head": verified.head,
            "checkpoint": checkpoint,
        }),
        Err(broken) => json!({
            "verifies": false,
            "broken": {"seq": broken.seq, "why": broken.why},
        }),
    }))
}
