//! Staff accounts: a new password, an admin's change to a user, and signing out, each of
//! which ends the user's open event streams.

use chrono::Utc;
use tracing::instrument;

use super::identity::{self, NewUserError};
use super::sessions::{AttemptLimits, check_current_password};
use super::{Error, announce, audit};
use crate::domain::access::{Principal, Role};
use crate::domain::audit::{Door, Kind};
use crate::domain::change::Change;
use crate::domain::permit::{Permit, UserAdministration};
use crate::store::{Store, User};

/// Gives `username` a new password (checked for strength, hashed off the async threads): every
/// token and session they had ends, and their open event streams are told at once, whatever
/// the door (`trama user password`, an admin's page).
///
/// # Errors
/// `Invalid` for a weak password; `NotFound` for an unknown user; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn reset_password(
    store: &dyn Store,
    permit: &Permit<UserAdministration>,
    username: &str,
    password: String,
) -> Result<(), Error> {
    let hash = identity::new_password_hash(password)
        .await
        .map_err(|weak| {
            Error::invalid(
                format!("weak password: {weak}"),
                vec![crate::domain::Invalid::new("/password", weak)],
            )
        })?;
    let (user, _) = store
        .user_credentials(username)
        .await?
        .ok_or_else(|| Error::not_found(&format!("user {username}")))?;
    store.set_password(permit, username, &hash).await?;
    announce(store, Change::SignedOut { caller_id: user.id }).await;
    audit::note(
        store,
        Kind::Account,
        audit::by(None, Door::Cli)
            .subject(user.id)
            .word("password", "reset"),
    )
    .await;
    Ok(())
}

/// What an admin changes of a user: a role, disabling or enabling, a new password (with their
/// own current one, for their own account).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// A new password (a reset): every token and session of the user ends.
    pub password: Option<String>,
    /// An admin changing their own password gives their current one: whoever holds their
    /// session, on a laptop left open, must not take the account with it.
    pub current_password: Option<String>,
}

/// Changes a user (admins). An admin cannot lock themselves out. A new password, a disabled
/// account or another role ends the user's open event streams (they check who they stand
/// for again).
///
/// # Errors
/// `NotAllowed` for whoever does not manage users, or a wrong or missing current password;
/// `NotFound` for an unknown user; `Conflict` for an admin disabling or demoting themselves;
/// `Invalid` for a weak password; `TooManyAttempts`; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn update(
    store: &dyn Store,
    limits: AttemptLimits,
    principal: &Principal,
    username: &str,
    change: UserChange,
) -> Result<User, Error> {
    let permit = administration(principal)?;
    let (user, current_hash) = store
        .user_credentials(username)
        .await?
        .ok_or_else(|| Error::not_found("user"))?;
    let role = change.role.unwrap_or(user.role);
    let disabled = change.disabled.unwrap_or(user.disabled);
    let myself = matches!(principal, Principal::User { id, .. } if *id == user.id);
    if myself && (disabled || role != Role::Admin) {
        return Err(Error::Conflict(
            "you cannot disable yourself or give up your own admin role".into(),
        ));
    }
    if myself && change.password.is_some() {
        check_current_password(store, limits, &user, current_hash, change.current_password).await?;
    }
    let hash = match change.password {
        Some(password) => Some(identity::new_password_hash(password).await.map_err(|e| {
            Error::invalid(
                "weak password",
                vec![crate::domain::Invalid::new("/password", e)],
            )
        })?),
        None => None,
    };
    store
        .update_user(
            &permit,
            username,
            role,
            disabled,
            hash.as_deref(),
            Utc::now(),
        )
        .await?;
    if hash.is_some() || disabled || role != user.role {
        announce(store, Change::SignedOut { caller_id: user.id }).await;
    }
    let mut details = audit::by(Some(principal), Door::Api)
        .subject(user.id)
        .word("role", role.as_str())
        .word("disabled", if disabled { "yes" } else { "no" });
    if hash.is_some() {
        details = details.word("password", "reset");
    }
    audit::note(store, Kind::Account, details).await;
    let (updated, _) = store
        .user_credentials(username)
        .await?
        .ok_or_else(|| Error::not_found("user"))?;
    Ok(updated)
}

/// Ends the session of `token` (a participant leaving, a logout): the token stops working,
/// and the caller's open event streams end.
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn sign_out(store: &dyn Store, token: &str) -> Result<(), Error> {
    let caller = identity::caller(store, token, Utc::now())
        .await
        .ok()
        .flatten()
        .map(|caller| caller.id());
    store.revoke_token(&identity::hash_token(token)).await?;
    if let Some(caller_id) = caller {
        announce(store, Change::SignedOut { caller_id }).await;
    }
    Ok(())
}

/// Every user (admins).
///
/// # Errors
/// `NotAllowed` for other roles; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn list(store: &dyn Store, principal: &Principal) -> Result<Vec<User>, Error> {
    Ok(store.list_users(&administration(principal)?).await?)
}

/// Creates a user (admins; `trama user add` creates them as the operator): see
/// [`identity::create_user`].
///
/// # Errors
/// `NotAllowed` for other roles; `Invalid` for a name or a password that will not do (at
/// `/username`, `/password`); `Conflict` for a name taken; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn create(
    store: &dyn Store,
    principal: &Principal,
    username: String,
    role: Role,
    password: String,
) -> Result<User, Error> {
    let permit = administration(principal)?;
    let created = identity::create_user(store, &permit, username, role, password)
        .await
        .map_err(|error| match error {
            NewUserError::Username(e) => Error::invalid(
                "invalid username",
                vec![crate::domain::Invalid::new("/username", e)],
            ),
            NewUserError::Password(e) => Error::invalid(
                "weak password",
                vec![crate::domain::Invalid::new("/password", e)],
            ),
            NewUserError::Store(e) => e.into(),
        })?;
    audit::note(
        store,
        Kind::Account,
        audit::by(Some(principal), Door::Api)
            .subject(created.id)
            .word("created", created.role.as_str()),
    )
    .await;
    Ok(created)
}

fn administration(principal: &Principal) -> Result<Permit<UserAdministration>, Error> {
    principal
        .user_administration()
        .ok_or_else(|| Error::not_allowed("only admins manage users"))
}
