//! Who is calling, and their secrets: bearer tokens (random, stored as SHA-256), passwords
//! (argon2id), new users and their tokens. The HTTP API, the pages and the CLI all come here
//! for these, so each is decided once.
//!
//! Argon2 is slow on purpose; call these from `spawn_blocking` in async code.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tracing::instrument;
use uuid::Uuid;

use crate::domain::access::{Principal, Role};
use crate::domain::permit::{Permit, UserAdministration};
use crate::store::{NewToken, Store, StoreError, StoreResult, User};

pub const MIN_PASSWORD_CHARS: usize = 10;

/// A fresh bearer token and the hash to store. The `trm_` prefix lets secret scanners spot
/// leaked tokens.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("trm_{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

/// SHA-256 of a bearer token, lower-case hex: what the database keeps instead of the token.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The caller a bearer token or session cookie's `token` stands for at `now`: a user or a
/// participant; `None` for a token unknown, expired, revoked or of a disabled user. The one
/// place a token becomes a caller (the API's `Authorization`, the pages' session cookie).
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn caller(
    store: &dyn Store,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Principal>> {
    store.principal_for_token(&hash_token(token), now).await
}

/// Checks a new user's name: 3 to 40 letters, digits, `.`, `_` or `-`.
///
/// # Errors
/// What is wrong with the name, said for the person who typed it.
pub fn check_username(username: &str) -> Result<(), String> {
    let valid = (3..=40).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if valid {
        Ok(())
    } else {
        Err("3-40 characters of letters, digits, '.', '_' or '-'".to_owned())
    }
}

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    /// The name is not valid ([`check_username`]), said for the person who typed it.
    #[error("{0}")]
    Username(String),
    /// The password is too weak ([`new_password_hash`]).
    #[error("{0}")]
    Password(String),
    /// The store's: Conflict when the name is taken.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a user (the API's `POST /api/users` and `trama user add`): the name checked, the
/// password checked and hashed with argon2id off the async threads, the user stored.
///
/// # Errors
/// See [`NewUserError`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn create_user(
    store: &dyn Store,
    permit: &Permit<UserAdministration>,
    username: String,
    role: Role,
    password: String,
) -> Result<User, NewUserError> {
    check_username(&username).map_err(NewUserError::Username)?;
    let hash = new_password_hash(password)
        .await
        .map_err(NewUserError::Password)?;
    let user = User {
        id: Uuid::new_v4(),
        username,
        role,
        created_at: Utc::now(),
        disabled: false,
    };
    store.create_user(permit, &user, &hash).await?;
    Ok(user)
}

/// Issues a bearer token for user `user_id`, valid until `expires_at` (or until revoked), and
/// stores its hash: the token itself is returned once and kept nowhere.
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn issue_user_token(
    store: &dyn Store,
    permit: &Permit<UserAdministration>,
    user_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
) -> StoreResult<String> {
    let (token, hash) = new_token();
    store
        .create_user_token(
            permit,
            user_id,
            &NewToken {
                hash,
                expires_at,
                created_at: Utc::now(),
            },
        )
        .await?;
    Ok(token)
}

/// Issues a token to a user who has just logged in with the password whose argon2 hash is
/// `password_hash`, valid until `expires_at`, unless that password was changed meanwhile.
///
/// # Errors
/// The store's: StaleRevision when the password changed since it was checked (the login
/// must fail: the password given is no longer theirs).
#[instrument(skip_all, err(level = "debug"))]
pub async fn issue_login_token(
    store: &dyn Store,
    user_id: Uuid,
    password_hash: &str,
    expires_at: DateTime<Utc>,
) -> StoreResult<String> {
    let (token, hash) = new_token();
    store
        .create_login_token(
            user_id,
            password_hash,
            &NewToken {
                hash,
                expires_at: Some(expires_at),
                created_at: Utc::now(),
            },
        )
        .await?;
    Ok(token)
}

pub fn check_password_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    Ok(())
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
/// Checks a new password's strength and hashes it off the async threads (argon2 takes tens of
/// milliseconds): what creating a user and resetting a password both do.
///
/// # Errors
/// The password is too weak (the text says why), or hashing failed.
#[instrument(skip_all, err(level = "debug"))]
pub async fn new_password_hash(password: String) -> Result<String, String> {
    check_password_strength(&password)?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| e.to_string())?
}

pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("could not hash the password: {e}"))
}

/// Spends on `password` what `verify_password` spends on a real hash, and fails: a login with
/// a name that does not exist must take as long as one with a wrong password, or the answer's
/// time tells which names exist (40 ms against 2 ms, before).
pub fn verify_against_nothing(password: &str) -> bool {
    static NOBODY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());
    let _ = verify_password(password, &NOBODY);
    false
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_argon2id_hash_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with("trm_") && a.len() > 40);
        assert_eq!(hash_a, hash_token(&a));
        assert!(!hash_a.contains(&a[4..]));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password_strength("short").is_err());
        assert!(check_password_strength("long enough pass").is_ok());
    }
}
