//! Identity over HTTP: joining a workshop with its code, logging in for a token, users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{ApiJson, Auth, ClientAddr};
use crate::domain::access::{Principal, Role};
use crate::domain::change::Change;
use crate::domain::workshop::{JoinCode, JoinRequest};
use crate::domain::{Invalid, bounded_text};
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::identity::{self, NewUserError};
use crate::store::{NewToken, Participant, StoreError, User};

/// How long a participant's token lasts: well past any workshop, not forever.
pub const PARTICIPANT_TOKEN_DAYS: i64 = 30;
const LOGIN_TOKEN_DAYS: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/join", post(join_workshop))
        .route("/api/tokens", post(create_token))
        .route("/api/me", get(me))
        .route("/api/users", get(list_users).post(create_user))
        .route("/api/users/{username}", axum::routing::patch(update_user))
}

/// Counts an attempt of this client before it is checked, and refuses with 429 when the
/// client has failed too often lately. Counting first makes the limit hold for a burst: of
/// 200 parallel wrong passwords, at most the limit get to be checked (it used to be 200).
/// The caller forgets the attempt when it succeeds, so that only failures count.
async fn begin_attempt(state: &AppState, scope: &str, client: &str) -> Result<Uuid, AppError> {
    let window = state.limits.auth_failure_window_secs;
    let now = Utc::now();
    let (attempt, counted) = state
        .store
        .begin_auth_attempt(scope, client, now, now - Duration::seconds(window))
        .await?;
    if counted > state.limits.auth_failures_per_window {
        // Refused unchecked: not a failure of its own, so it does not lengthen the wait.
        state.store.forget_auth_attempt(attempt).await?;
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(window).unwrap_or(600),
        });
    }
    Ok(attempt)
}

async fn join_workshop(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let joined = join(&state, &client, &request).await?;
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

/// A participant who just joined: their token (shown once) and where they are.
pub struct Joined {
    pub token: String,
    pub expires_at: chrono::DateTime<Utc>,
    pub participant: Participant,
    pub workshop: crate::domain::workshop::Workshop,
    pub group: crate::domain::workshop::Group,
    pub project_slug: Option<String>,
}

/// Finds an open workshop by code for `client`, counting failures against it (429 after too
/// many): the API's join and the join page share this.
pub async fn open_workshop_by_code(
    state: &AppState,
    client: &str,
    code: &str,
) -> Result<crate::domain::workshop::Workshop, AppError> {
    let attempt = begin_attempt(state, "join", client).await?;
    let workshop = match JoinCode::parse(code) {
        Some(code) => state.store.find_open_workshop_by_code(&code).await?,
        None => None,
    };
    match workshop {
        Some(workshop) => {
            state.store.forget_auth_attempt(attempt).await?;
            Ok(workshop)
        }
        None => Err(AppError::NotFound(
            "no open workshop has this code; check it with the facilitator".into(),
        )),
    }
}

/// Joins a workshop's group as a new pseudonymous participant.
pub async fn join(
    state: &AppState,
    client: &str,
    request: &JoinRequest,
) -> Result<Joined, AppError> {
    let workshop = open_workshop_by_code(state, client, &request.code).await?;
    let Some(group) = workshop.find_group(&request.group).cloned() else {
        let names: Vec<&str> = workshop.groups.iter().map(|g| g.name.as_str()).collect();
        return Err(AppError::invalid(
            "unknown group",
            vec![Invalid::new(
                "/group",
                format!("this workshop's groups are: {}", names.join(", ")),
            )],
        ));
    };
    // Each join is a new participant with a rate of their own: joins are counted per address
    // and per workshop (one client joined 100 times in 3.5 s and drew 30,000 in 25 s); only
    // joins that would succeed count, so a mistyped table costs nobody a place.
    state
        .writes
        .admit_join(client, workshop.id, workshop.joins_per_minute)?;
    let mut errors = Vec::new();
    let display_name = bounded_text(
        request.display_name.as_deref(),
        40,
        "/display_name",
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::invalid("invalid display name", errors));
    }
    let now = Utc::now();
    let participant = Participant {
        id: Uuid::new_v4(),
        workshop_id: workshop.id,
        group_id: group.id,
        display_name,
        created_at: now,
    };
    let (token, hash) = identity::new_token();
    let expires_at = now + Duration::days(PARTICIPANT_TOKEN_DAYS);
    state
        .store
        .create_participant(
            &participant,
            &NewToken {
                hash,
                expires_at: Some(expires_at),
                created_at: now,
            },
        )
        .await?;
    let project_slug = state
        .store
        .find_project_by_id(workshop.project_id)
        .await?
        .map(|p| p.slug);
    Ok(Joined {
        token,
        expires_at,
        participant,
        workshop,
        group,
        project_slug,
    })
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
    let (user, token, expires_at) = log_in(
        &state,
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

/// Checks a password (rate limited per client) and issues a token valid for `lifetime`:
/// the API's `POST /api/tokens` and the login page share this.
pub async fn log_in(
    state: &AppState,
    client: &str,
    username: &str,
    password: String,
    lifetime: Duration,
) -> Result<(User, String, chrono::DateTime<Utc>), AppError> {
    let attempt = begin_attempt(state, "login", client).await?;
    let credentials = state.store.user_credentials(username).await?;
    let (user, phc) = credentials.unzip();
    let checked = phc.clone();
    // Verified either way, so that a name that does not exist costs the same time.
    let verified = tokio::task::spawn_blocking(move || match checked {
        Some(phc) => identity::verify_password(&password, &phc),
        None => identity::verify_against_nothing(&password),
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (Some(user), Some(phc)) = (user.filter(|u| verified && !u.disabled), phc) else {
        return Err(AppError::Unauthenticated);
    };
    let expires_at = Utc::now() + lifetime;
    // The token is stored only if the password checked is still the user's: a login racing
    // a password reset fails, as it would have a moment later.
    let token = match identity::issue_login_token(&*state.store, user.id, &phc, expires_at).await {
        Ok(token) => token,
        Err(StoreError::StaleRevision) => return Err(AppError::Unauthenticated),
        Err(other) => return Err(other.into()),
    };
    state.store.forget_auth_attempt(attempt).await?;
    Ok((user, token, expires_at))
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
        check_current_password(&state, &user, current_hash, change.current_password).await?;
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

/// Checks the current password an admin gives to change their own (counted as a sign-in
/// attempt of theirs, so that a held session cannot guess it).
async fn check_current_password(
    state: &AppState,
    user: &User,
    hash: String,
    given: Option<String>,
) -> Result<(), AppError> {
    let Some(given) = given else {
        return Err(AppError::forbidden(
            "to change your own password, give your current one (current_password)",
        ));
    };
    let attempt = begin_attempt(state, "current-password", &user.id.to_string()).await?;
    let right = tokio::task::spawn_blocking(move || identity::verify_password(&given, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !right {
        return Err(AppError::forbidden("the current password is not right"));
    }
    state.store.forget_auth_attempt(attempt).await?;
    Ok(())
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
