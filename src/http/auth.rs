//! Identity over HTTP: joining a workshop with its code, logging in for a token, users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ApiJson, Auth, ClientAddr};
use crate::application::sessions::{self, AttemptLimits};
use crate::application::users::{self, UserChange};
use crate::domain::access::{Principal, Role};
use crate::domain::audit::Door;
use crate::domain::workshop::JoinRequest;
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::store::User;

const LOGIN_TOKEN_DAYS: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/join", post(join_workshop))
        .route("/api/tokens", post(create_token))
        .route("/api/me", get(me))
        .route("/api/users", get(list_users).post(create_user))
        .route("/api/users/{username}", axum::routing::patch(update_user))
}

/// The failed-attempt limits of this server.
pub fn attempt_limits(state: &AppState) -> AttemptLimits {
    AttemptLimits {
        failures_per_window: state.limits.auth_failures_per_window,
        window_secs: state.limits.auth_failure_window_secs,
    }
}

async fn join_workshop(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let joined = sessions::join(
        state.store.as_ref(),
        attempt_limits(&state),
        &state.writes,
        &client,
        &request,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "token": joined.token,
            "expires_at": joined.expires_at,
            "participant": {"id": joined.participant.id, "display_name": joined.participant.display_name},
            "workshop": {"id": joined.workshop.id, "title": joined.workshop.title},
            "project": joined.project_slug,
            "group": joined.group,
        })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
    #[serde(default)]
    expires_days: Option<u32>,
}

async fn create_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(login): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let days = login
        .expires_days
        .map_or(LOGIN_TOKEN_DAYS, i64::from)
        .clamp(1, 365);
    let (user, token, expires_at) = sessions::log_in(
        state.store.as_ref(),
        attempt_limits(&state),
        &client,
        &login.username,
        login.password,
        Duration::days(days),
        Door::Api,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "expires_at": expires_at, "user": user})),
    ))
}

async fn me(Auth(principal): Auth) -> Json<Value> {
    Json(match principal {
        Principal::User { id, username, role } => {
            json!({"kind": "user", "id": id, "username": username, "role": role})
        }
        Principal::Participant {
            id,
            project_id,
            workshop_id,
            group_id,
            display_name,
        } => json!({
            "kind": "participant", "id": id, "project_id": project_id, "workshop_id": workshop_id,
            "group_id": group_id, "display_name": display_name,
        }),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserRequest {
    username: String,
    role: Role,
    password: String,
}

async fn create_user(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<User>), AppError> {
    let user = users::create(
        state.store.as_ref(),
        &principal,
        request.username,
        request.role,
        request.password,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `PATCH /api/users/{username}`: change a role, disable or enable an account, or reset its
/// password (admins); see `application::users::update`.
async fn update_user(
    State(state): State<AppState>,
    Auth(principal): Auth,
    axum::extract::Path(username): axum::extract::Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<User>, AppError> {
    Ok(Json(
        users::update(
            state.store.as_ref(),
            attempt_limits(&state),
            &principal,
            &username,
            change,
        )
        .await?,
    ))
}

async fn list_users(
    State(state): State<AppState>,
    Auth(principal): Auth,
) -> Result<Json<Vec<User>>, AppError> {
    Ok(Json(users::list(state.store.as_ref(), &principal).await?))
}
