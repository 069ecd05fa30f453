//! Users, their passwords and tokens, and the counting of authentication attempts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::access::{Principal, Role};
use crate::domain::permit::{Permit, UserAdministration};
use crate::store::StoreResult;

/// A staff account (facilitator, analyst, admin).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Disabled users cannot log in and their tokens are refused.
    #[serde(default)]
    pub disabled: bool,
}

/// A bearer token about to be stored: only its hash, never the token itself.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// SHA-256 of the token, hex (`identity::hash_token`).
    pub hash: String,
    /// None: the token lasts until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Stores a new user with their argon2 password hash (PHC string).
    /// Conflict when the username is taken.
    async fn create_user(
        &self,
        permit: &Permit<UserAdministration>,
        user: &User,
        password_hash: &str,
    ) -> StoreResult<()>;
    /// The user of that name and their argon2 password hash; None for an unknown name
    /// (disabled users are returned, with `disabled` set).
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    /// Every user, by username.
    async fn list_users(&self, permit: &Permit<UserAdministration>) -> StoreResult<Vec<User>>;
    /// Changes a user's role, whether they are disabled and, with `password_hash`, their
    /// password (ending every token and session, as [`IdentityStore::set_password`]), all in
    /// one transaction; NotFound for an unknown user.
    async fn update_user(
        &self,
        permit: &Permit<UserAdministration>,
        username: &str,
        role: Role,
        disabled: bool,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sets a user's password hash and ends every token and session they had (whoever knew
    /// the old password is signed out); NotFound for an unknown user.
    async fn set_password(
        &self,
        permit: &Permit<UserAdministration>,
        username: &str,
        password_hash: &str,
    ) -> StoreResult<()>;
    /// Stores a token of `user_id` (an API token or a browser session).
    async fn create_user_token(
        &self,
        permit: &Permit<UserAdministration>,
        user_id: Uuid,
        token: &NewToken,
    ) -> StoreResult<()>;
    /// Stores a token of a user who has just given their password, in the same statement as
    /// checking that `password_hash` (the hash the password was checked against) is still
    /// theirs: a login that races a password reset must not outlive it. StaleRevision when
    /// the password changed meanwhile (or the user is gone).
    async fn create_login_token(
        &self,
        user_id: Uuid,
        password_hash: &str,
        token: &NewToken,
    ) -> StoreResult<()>;
    /// Ends a token now (a browser session logging out): it is refused from then on.
    /// Nothing happens for an unknown token.
    async fn revoke_token(&self, token_hash: &str) -> StoreResult<()>;
    /// Who holds the token of that hash at `now`: a user (not disabled) or a participant;
    /// None for an unknown, expired or disabled user's token.
    async fn principal_for_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Principal>>;
    /// Counts an authentication attempt (a join code, a password) of `client` in `scope`
    /// before it is checked, and answers its id and how many attempts of that client and scope
    /// were counted since `since`, this one included. Atomic: of a burst of parallel attempts
    /// each counts those before it, so no more than the limit get to be checked.
    async fn begin_auth_attempt(
        &self,
        scope: &str,
        client: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<(Uuid, u32)>;
    /// Forgets an attempt that succeeded or was not checked: only failures count.
    async fn forget_auth_attempt(&self, attempt: Uuid) -> StoreResult<()>;
}
