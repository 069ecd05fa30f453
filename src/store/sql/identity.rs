//! Users, passwords, tokens and authentication attempts (`IdentityStore`), for both
//! backends (see `store::sql`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use tracing::instrument;
use uuid::Uuid;

use super::Backend;
use super::dialect::{self, Db, sql_id};
use super::rows::{self, opt_uuid, uuid};
use crate::domain::access::{Principal, Role};
use crate::domain::permit::{Permit, UserAdministration};
use crate::store::{IdentityStore, NewToken, StoreError, StoreResult, User, conflict_if_unique};

#[async_trait]
impl IdentityStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn create_user(
        &self,
        _permit: &Permit<UserAdministration>,
        user: &User,
        password_hash: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO users (id, username, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(sql_id(user.id))
            .bind(&user.username)
            .bind(user.role.as_str())
            .bind(password_hash)
            .bind(user.created_at)
            .execute(self.writes())
            .await
            .map_err(conflict_if_unique(|| format!("the username \"{}\" is taken", user.username)))?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(
            "SELECT id, username, role, password_hash, created_at, disabled_at FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(self.reads())
        .await?;
        row.map(|row| Ok((rows::user(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_users(&self, _permit: &Permit<UserAdministration>) -> StoreResult<Vec<User>> {
        sqlx::query(
            "SELECT id, username, role, created_at, disabled_at FROM users ORDER BY username",
        )
        .fetch_all(self.reads())
        .await?
        .iter()
        .map(rows::user)
        .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn update_user(
        &self,
        _permit: &Permit<UserAdministration>,
        username: &str,
        role: Role,
        disabled: bool,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        let updated = sqlx::query("UPDATE users SET role = $1, disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, $3) ELSE NULL END WHERE username = $4")
            .bind(role.as_str())
            .bind(disabled)
            .bind(now)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(hash) = password_hash {
            replace_password(&mut tx, username, hash).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn set_password(
        &self,
        _permit: &Permit<UserAdministration>,
        username: &str,
        password_hash: &str,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        replace_password(&mut tx, username, password_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn create_user_token(
        &self,
        _permit: &Permit<UserAdministration>,
        user_id: Uuid,
        token: &NewToken,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&token.hash)
            .bind(sql_id(user_id))
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(self.writes())
            .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn create_login_token(
        &self,
        user_id: Uuid,
        password_hash: &str,
        token: &NewToken,
    ) -> StoreResult<()> {
        let stored = sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at)
             SELECT $1, id, $2, $3 FROM users WHERE id = $4 AND password_hash = $5",
        )
        .bind(&token.hash)
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(sql_id(user_id))
        .bind(password_hash)
        .execute(self.writes())
        .await?;
        if stored.rows_affected() == 0 {
            return Err(StoreError::StaleRevision);
        }
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn revoke_token(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.writes())
            .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn principal_for_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT t.expires_at, t.user_id AS token_user, u.id AS user_id, u.username, u.role,
                    t.participant_id, p.display_name, p.workshop_id, p.group_id, w.project_id
             FROM api_tokens t
             LEFT JOIN users u ON u.id = t.user_id AND u.disabled_at IS NULL
             LEFT JOIN participants p ON p.id = t.participant_id
             LEFT JOIN workshops w ON w.id = p.workshop_id
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.reads())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: Option<DateTime<Utc>> = row.try_get("expires_at")?;
        if expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        if opt_uuid(&row, "token_user")?.is_some() {
            // A disabled user's tokens find no user row: refused like an unknown token.
            let Some(id) = opt_uuid(&row, "user_id")? else {
                return Ok(None);
            };
            let role: String = row.try_get("role")?;
            return Ok(Some(Principal::User {
                id,
                username: row.try_get("username")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
            }));
        }
        Ok(Some(Principal::Participant {
            id: uuid(&row, "participant_id")?,
            project_id: uuid(&row, "project_id")?,
            workshop_id: uuid(&row, "workshop_id")?,
            group_id: uuid(&row, "group_id")?,
            display_name: row.try_get("display_name")?,
        }))
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn begin_auth_attempt(
        &self,
        scope: &str,
        client: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<(Uuid, u32)> {
        let id = Uuid::new_v4();
        let mut tx = self.writes().begin().await?;
        // Attempts of one client and scope wait for each other, so each counts the others.
        dialect::serialize_attempts(&mut tx, scope, client).await?;
        // Old entries are pruned here so that the table stays small without a background job.
        sqlx::query("DELETE FROM auth_failures WHERE at < $1")
            .bind(now.timestamp() - 86_400)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO auth_failures (scope, client, at, attempt) VALUES ($1, $2, $3, $4)",
        )
        .bind(scope)
        .bind(client)
        .bind(now.timestamp())
        .bind(sql_id(id))
        .execute(&mut *tx)
        .await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_failures WHERE scope = $1 AND client = $2 AND at >= $3",
        )
        .bind(scope)
        .bind(client)
        .bind(since.timestamp())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((id, u32::try_from(count).unwrap_or(u32::MAX)))
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn forget_auth_attempt(&self, attempt: Uuid) -> StoreResult<()> {
        sqlx::query("DELETE FROM auth_failures WHERE attempt = $1")
            .bind(sql_id(attempt))
            .execute(self.writes())
            .await?;
        Ok(())
    }
}

/// Sets `username`'s password hash and deletes their tokens, in `tx`; NotFound for an unknown
/// user.
async fn replace_password(
    tx: &mut sqlx::Transaction<'_, Db>,
    username: &str,
    password_hash: &str,
) -> StoreResult<()> {
    let updated = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(password_hash)
        .bind(username)
        .execute(&mut **tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query(
        "DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE username = $1)",
    )
    .bind(username)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
