//! Identity over HTTP: joining a workshop with its code, logging in for a token, users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ApiJson, Auth, ClientAddr};
use crate::application::sessions::{self, AttemptLimits};
use crate::domain::Invalid;
use crate::domain::access::{Principal, Role};
use crate::domain::change::Change;
use crate::domain::workshop::JoinRequest;
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::identity::{self, NewUserError};
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
    if !principal.can_manage_users() {
        return Err(AppError::forbidden("only admins manage users"));
    }
    let user = identity::create_user(
        state.store.as_ref(),
        request.username,
        request.role,
        request.password,
    )
    .await
    .map_err(|error| match error {
        NewUserError::Username(e) => {
            AppError::invalid("invalid username", vec![Invalid::new("/username", e)])
        }
        NewUserError::Password(e) => {
            AppError::invalid("weak password", vec![Invalid::new("/password", e)])
        }
        NewUserError::Store(e) => e.into(),
    })?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserChange {
    role: Option<Role>,
    disabled: Option<bool>,
    /// A new password (a reset): every token and session of the user ends.
    password: Option<String>,
    /// An admin changing their own password gives their current one: whoever holds their
    /// session, on a laptop left open, must not take the account with it.
    current_password: Option<String>,
}

/// `PATCH /api/users/{username}`: change a role, disable or enable an account, or reset its
/// password (admins). An admin cannot lock themselves out.
async fn update_user(
    State(state): State<AppState>,
    Auth(principal): Auth,
    axum::extract::Path(username): axum::extract::Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<User>, AppError> {
    if !principal.can_manage_users() {
        return Err(AppError::forbidden("only admins manage users"));
    }
    let (user, current_hash) = state
        .store
        .user_credentials(&username)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let role = change.role.unwrap_or(user.role);
    let disabled = change.disabled.unwrap_or(user.disabled);
    let myself = matches!(&principal, Principal::User { id, .. } if *id == user.id);
    if myself && (disabled || role != Role::Admin) {
        return Err(AppError::Conflict(
            "you cannot disable yourself or give up your own admin role".into(),
        ));
    }
    if myself && change.password.is_some() {
        sessions::check_current_password(
            state.store.as_ref(),
            attempt_limits(&state),
            &user,
            current_hash,
            change.current_password,
        )
        .await?;
    }
    let hash =
        match change.password {
            Some(password) => Some(identity::new_password_hash(password).await.map_err(|e| {
                AppError::invalid("weak password", vec![Invalid::new("/password", e)])
            })?),
            None => None,
        };
    state
        .store
        .update_user(&username, role, disabled, hash.as_deref(), Utc::now())
        .await?;
    if hash.is_some() || disabled || role != user.role {
        // Their open event streams check their tokens again, and who they stand for.
        super::announce(&state, Change::SignedOut { caller_id: user.id }).await;
    }
    let (updated, _) = state
        .store
        .user_credentials(&username)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    Ok(Json(updated))
}

async fn list_users(
    State(state): State<AppState>,
    Auth(principal): Auth,
) -> Result<Json<Vec<User>>, AppError> {
    if !principal.can_manage_users() {
        return Err(AppError::forbidden("only admins manage users"));
    }
    Ok(Json(state.store.list_users().await?))
}
