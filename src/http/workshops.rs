//! Workshops over HTTP: creating, listing, reading, closing and reopening them, a large
//! room's joins a minute (the use cases are `application::workshops`), and the live pages'
//! event stream.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use serde_json::{Value, json};

use super::extract::{ApiJson, Auth, CallerToken, parse_id};
use super::projects::visible_project;
use crate::application::care;
use crate::application::live::{self, Heard};
use crate::application::workshops;
use crate::domain::access::Principal;
use crate::domain::consent::LegalBasisRequest;
use crate::domain::workshop::{NewWorkshopRequest, Workshop};
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/projects/{slug}/workshops",
            get(list_workshops).post(create_workshop),
        )
        .route(
            "/api/workshops/{id}",
            get(get_workshop).patch(change_workshop),
        )
        .route("/api/workshops/{id}/close", post(close_workshop))
        .route("/api/workshops/{id}/reopen", post(reopen_workshop))
        .route("/api/workshops/{id}/events", get(workshop_events))
        .route(
            "/api/workshops/{id}/legal-basis",
            axum::routing::put(set_legal_basis),
        )
        .route(
            "/api/workshops/{id}/groups/{group}/consent",
            post(record_table_consent),
        )
        .route("/api/workshops/{id}/withdrawals", post(withdraw))
}

/// A workshop as its reader may see it: the join code only for those who run it.
fn workshop_json(workshop: &Workshop, principal: &Principal) -> Value {
    let mut value = json!({
        "id": workshop.id,
        "project_id": workshop.project_id,
        "title": workshop.title,
        "place": workshop.place,
        "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "facilitator_id": workshop.facilitator_id,
        "status": workshop.status,
        "groups": workshop.groups,
        "created_at": workshop.created_at,
        "closed_at": workshop.closed_at,
        // What its participants agree to is theirs to read (domain::consent).
        "legal_basis": workshop.legal_basis,
    });
    if principal.can_manage_workshop(workshop) {
        value["join_code"] = json!(workshop.join_code);
        value["joins_per_minute"] = json!(workshop.joins_per_minute);
    }
    value
}

/// `PUT /api/workshops/{id}/legal-basis`: sets the workshop's legal basis (those who run
/// it); see `application::workshops::set_legal_basis`.
async fn set_legal_basis(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<LegalBasisRequest>,
) -> Result<Json<Value>, AppError> {
    let workshop = workshops::set_legal_basis(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "workshop")?,
        request,
    )
    .await?;
    Ok(Json(workshop_json(&workshop, &principal)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableConsent {
    /// How the table agreed (read aloud by whom, in which language, who objected).
    note: String,
}

/// `POST /api/workshops/{id}/groups/{group}/consent`: records that a table agreed aloud to
/// the workshop's consent text; see `application::workshops::record_table_consent`.
async fn record_table_consent(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path((id, group)): Path<(String, String)>,
    ApiJson(request): ApiJson<TableConsent>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let version = workshops::record_table_consent(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "workshop")?,
        &group,
        &request.note,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"version": version}))))
}

/// `POST /api/workshops/{id}/withdrawals` `{"group": name}` or `{"participant": id}`:
/// withdraws their consent and purges what they made, answering the counts removed (never
/// their content); see `application::care::withdraw`.
async fn withdraw(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<care::Withdrawal>,
) -> Result<Json<Value>, AppError> {
    let purged = care::withdraw(
        state.store.as_ref(),
        &state.media,
        &principal,
        parse_id(&id, "workshop")?,
        request,
    )
    .await?;
    Ok(Json(json!({ "purged": purged })))
}

/// Loads a workshop the caller may read (see `application::workshops::readable`).
pub async fn readable_workshop(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Workshop, AppError> {
    Ok(workshops::readable(state.store.as_ref(), principal, parse_id(id, "workshop")?).await?)
}

async fn create_workshop(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<NewWorkshopRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let workshop = workshops::create(state.store.as_ref(), &principal, &project, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(workshop_json(&workshop, &principal)),
    ))
}

async fn list_workshops(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let workshops: Vec<Value> = workshops::list(state.store.as_ref(), &principal, &project)
        .await?
        .iter()
        .map(|w| workshop_json(w, &principal))
        .collect();
    Ok(Json(json!({"workshops": workshops})))
}

async fn get_workshop(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let workshop = readable_workshop(&state, &principal, &id).await?;
    Ok(Json(workshop_json(&workshop, &principal)))
}

/// The body of `PATCH /api/workshops/{id}`: what its facilitator may change while it runs.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkshopChange {
    /// Joins a minute for a large room; null gives back the server's limit.
    joins_per_minute: Option<u32>,
}

/// A facilitator raises the joins a minute for a large room (or gives back the server's).
async fn change_workshop(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<WorkshopChange>,
) -> Result<Json<Value>, AppError> {
    let workshop = workshops::set_joins_per_minute(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "workshop")?,
        change.joins_per_minute,
    )
    .await?;
    Ok(Json(workshop_json(&workshop, &principal)))
}

/// Closing is idempotent: closing a closed workshop answers with it as it is. Its
/// participants' pages are told.
async fn close_workshop(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    set_open(state, principal, &id, false).await
}

/// Opens a closed workshop again (a close by mistake): its code works again, and its
/// participants' pages are told. Idempotent.
async fn reopen_workshop(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    set_open(state, principal, &id, true).await
}

async fn set_open(
    state: AppState,
    principal: Principal,
    id: &str,
    open: bool,
) -> Result<Json<Value>, AppError> {
    let changed = workshops::set_open(
        state.store.as_ref(),
        &principal,
        parse_id(id, "workshop")?,
        open,
    )
    .await?;
    Ok(Json(workshop_json(&changed, &principal)))
}

/// `GET /api/workshops/{id}/events`: server-sent events for the workshop's live pages (the
/// wall). Each event names what changed (`features`, `annotation` or `workshop`, with ids);
/// the page fetches it through the API. A `reload` event means some were missed. The stream
/// ends once the caller is no longer who they were (`application::live::workshop_changes`).
async fn workshop_events(
    State(state): State<AppState>,
    Auth(principal): Auth,
    CallerToken(token): CallerToken,
    Path(id): Path<String>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>>, AppError> {
    let workshop = readable_workshop(&state, &principal, &id).await?;
    let stream =
        live::workshop_changes(state.store.clone(), principal, token, &workshop).map(|heard| {
            Ok(match heard {
                Heard::Changed(name, change) => Event::default()
                    .event(name)
                    .json_data(&change)
                    .unwrap_or_else(|_| Event::default().event("reload")),
                Heard::Reload => Event::default().event("reload").data("{}"),
            })
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}
