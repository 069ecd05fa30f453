//! The two ways in: a participant joins a workshop with its code, staff log in with a
//! password. Both count failed attempts per client address (a burst is refused unchecked past
//! the limit), and a join is held to the address's and the workshop's join rates.

use chrono::{DateTime, Duration, Utc};
use tracing::instrument;
use uuid::Uuid;

use super::rates::WriteRates;
use super::{Error, audit};
use crate::application::identity;
use crate::domain::access::Principal;
use crate::domain::audit::{Door, Kind};
use crate::domain::consent::{BasisRefusal, consent_on_joining};
use crate::domain::workshop::{Group, JoinCode, JoinRequest, Workshop};
use crate::domain::{Invalid, bounded_text};
use crate::store::{NewToken, Participant, Store, StoreError, User};

/// How long a participant's token lasts: well past any workshop, not forever.
pub const PARTICIPANT_TOKEN_DAYS: i64 = 30;

/// Failed attempts a client may make in a window before it waits (`--auth-failures`).
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimits {
    pub failures_per_window: u32,
    pub window_secs: i64,
}

/// A participant who just joined: their token (shown once) and where they are.
pub struct Joined {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub participant: Participant,
    pub workshop: Workshop,
    pub group: Group,
    pub project_slug: Option<String>,
}

/// Counts an attempt of this client before it is checked, and refuses when the client has
/// failed too often lately. Counting first makes the limit hold for a burst: of 200 parallel
/// wrong passwords, at most the limit get to be checked (it used to be 200). The caller
/// forgets the attempt when it succeeds, so that only failures count.
async fn begin_attempt(
    store: &dyn Store,
    limits: AttemptLimits,
    scope: &str,
    client: &str,
) -> Result<Uuid, Error> {
    let now = Utc::now();
    let (attempt, counted) = store
        .begin_auth_attempt(
            scope,
            client,
            now,
            now - Duration::seconds(limits.window_secs),
        )
        .await?;
    if counted > limits.failures_per_window {
        // Refused unchecked: not a failure of its own, so it does not lengthen the wait.
        store.forget_auth_attempt(attempt).await?;
        return Err(Error::TooManyAttempts {
            retry_after_secs: u64::try_from(limits.window_secs).unwrap_or(600),
        });
    }
    Ok(attempt)
}

/// The open workshop of a join code, for `client`, counting failures against it.
///
/// # Errors
/// `NotFound` for a code no open workshop has; `TooManyAttempts` after too many; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn open_workshop_by_code(
    store: &dyn Store,
    limits: AttemptLimits,
    client: &str,
    code: &str,
) -> Result<Workshop, Error> {
    let attempt = begin_attempt(store, limits, "join", client).await?;
    let workshop = match JoinCode::parse(code) {
        Some(code) => store.find_open_workshop_by_code(&code).await?,
        None => None,
    };
    let Some(workshop) = workshop else {
        return Err(Error::NotFound(
            "no open workshop has this code; check it with the facilitator".into(),
        ));
    };
    store.forget_auth_attempt(attempt).await?;
    Ok(workshop)
}

/// Joins a workshop's group as a new pseudonymous participant.
///
/// # Errors
/// As [`open_workshop_by_code`]; `Invalid` for an unknown group or a display name too long;
/// `RateLimited` past the address's or the workshop's joins a minute.
#[instrument(skip_all, err(level = "debug"))]
pub async fn join(
    store: &dyn Store,
    limits: AttemptLimits,
    rates: &WriteRates,
    client: &str,
    request: &JoinRequest,
) -> Result<Joined, Error> {
    let workshop = open_workshop_by_code(store, limits, client, &request.code).await?;
    let Some(group) = workshop.find_group(&request.group).cloned() else {
        let names: Vec<&str> = workshop.groups.iter().map(|g| g.name.as_str()).collect();
        return Err(Error::invalid(
            "unknown group",
            vec![Invalid::new(
                "/group",
                format!("this workshop's groups are: {}", names.join(", ")),
            )],
        ));
    };
    let consent_version =
        consent_on_joining(workshop.legal_basis.as_ref(), request.consent_version).map_err(
            |refusal| match refusal {
                BasisRefusal::NoConsent(_) => Error::invalid(
                    "consent required",
                    vec![Invalid::new("/consent_version", refusal.to_string())],
                ),
                _ => Error::Conflict(refusal.to_string()),
            },
        )?;
    // Each join is a new participant with a rate of their own: joins are counted per address
    // and per workshop (one client joined 100 times in 3.5 s and drew 30,000 in 25 s); only
    // joins that would succeed count, so a mistyped table costs nobody a place.
    rates.admit_join(client, workshop.id, workshop.joins_per_minute)?;
    let mut errors = Vec::new();
    let display_name = bounded_text(
        request.display_name.as_deref(),
        40,
        "/display_name",
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(Error::invalid("invalid display name", errors));
    }
    let now = Utc::now();
    let participant = Participant {
        id: Uuid::new_v4(),
        workshop_id: workshop.id,
        group_id: group.id,
        display_name,
        created_at: now,
        consent_version,
    };
    let (token, hash) = identity::new_token();
    let expires_at = now + Duration::days(PARTICIPANT_TOKEN_DAYS);
    store
        .create_participant(
            &participant,
            &NewToken {
                hash,
                expires_at: Some(expires_at),
                created_at: now,
            },
        )
        .await?;
    let project_slug = store
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

/// Checks a password (failures counted per client) and issues a token valid for `lifetime`.
///
/// # Errors
/// `Unauthenticated` for a wrong name or password, a disabled user, or a password reset while
/// it was checked; `TooManyAttempts` after too many failures; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn log_in(
    store: &dyn Store,
    limits: AttemptLimits,
    client: &str,
    username: &str,
    password: String,
    lifetime: Duration,
    door: Door,
) -> Result<(User, String, DateTime<Utc>), Error> {
    let attempt = begin_attempt(store, limits, "login", client).await?;
    let credentials = store.user_credentials(username).await?;
    let (user, phc) = credentials.unzip();
    let checked = phc.clone();
    // Verified either way, so that a name that does not exist costs the same time.
    let verified = tokio::task::spawn_blocking(move || match checked {
        Some(phc) => identity::verify_password(&password, &phc),
        None => identity::verify_against_nothing(&password),
    })
    .await
    .map_err(|e| Error::Failed(e.to_string()))?;
    let (Some(user), Some(phc)) = (user.filter(|u| verified && !u.disabled), phc) else {
        return Err(Error::Unauthenticated);
    };
    let expires_at = Utc::now() + lifetime;
    // The token is stored only if the password checked is still the user's: a login racing
    // a password reset fails, as it would have a moment later.
    let token = match identity::issue_login_token(store, user.id, &phc, expires_at).await {
        Ok(token) => token,
        Err(StoreError::StaleRevision) => return Err(Error::Unauthenticated),
        Err(other) => return Err(other.into()),
    };
    store.forget_auth_attempt(attempt).await?;
    let who = Principal::User {
        id: user.id,
        username: user.username.clone(),
        role: user.role,
    };
    audit::note(store, Kind::SignIn, audit::by(Some(&who), door)).await;
    Ok((user, token, expires_at))
}

/// Checks the current password a user gives to change their own (counted as a sign-in
/// attempt of theirs, so that a held session cannot guess it).
///
/// # Errors
/// `NotAllowed` without it or when it is not right; `TooManyAttempts` after too many; the
/// store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn check_current_password(
    store: &dyn Store,
    limits: AttemptLimits,
    user: &User,
    hash: String,
    given: Option<String>,
) -> Result<(), Error> {
    let Some(given) = given else {
        return Err(Error::not_allowed(
            "to change your own password, give your current one (current_password)",
        ));
    };
    let attempt = begin_attempt(store, limits, "current-password", &user.id.to_string()).await?;
    let right = tokio::task::spawn_blocking(move || identity::verify_password(&given, &hash))
        .await
        .map_err(|e| Error::Failed(e.to_string()))?;
    if !right {
        return Err(Error::not_allowed("the current password is not right"));
    }
    store.forget_auth_attempt(attempt).await?;
    Ok(())
}
