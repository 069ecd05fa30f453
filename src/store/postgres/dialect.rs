//! What PostgreSQL does its own way, for the SQL both backends share (`store::sql`).

use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::PostgresStore;
use crate::store::StoreResult;

pub type Db = sqlx::Postgres;
pub type DbRow = sqlx::postgres::PgRow;

/// A UUID as PostgreSQL stores it: its own `uuid` type.
pub fn sql_id(id: Uuid) -> Uuid {
    id
}

/// A UUID column of `row`.
pub fn uuid(row: &DbRow, column: &str) -> StoreResult<Uuid> {
    Ok(row.try_get(column)?)
}

/// A UUID column of `row` that may be NULL.
pub fn opt_uuid(row: &DbRow, column: &str) -> StoreResult<Option<Uuid>> {
    Ok(row.try_get(column)?)
}

impl PostgresStore {
    /// Reads and writes share one pool.
    pub(super) fn reads(&self) -> &PgPool {
        &self.pool
    }

    pub(super) fn writes(&self) -> &PgPool {
        &self.pool
    }
}

/// Makes the attempts of one client and scope wait for each other within their transactions
/// (a transaction-scoped advisory lock on their hash), so that each counts the others even
/// when several instances check them at once.
pub async fn serialize_attempts(
    tx: &mut sqlx::Transaction<'_, Db>,
    scope: &str,
    client: &str,
) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1 || ' ' || $2))")
        .bind(scope)
        .bind(client)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Rewrites the tables a purge touches into new files (`VACUUM FULL`; the old files, with the
/// deleted rows' tuples, are unlinked) and forces a checkpoint, so that the deleted rows are
/// in no live data file. Simple-query protocol: `VACUUM` runs in no transaction block.
pub async fn scrub(store: &PostgresStore) -> StoreResult<()> {
    sqlx::raw_sql(
        "VACUUM FULL features, feature_revisions, annotations, idempotency_keys, api_tokens, \
         group_consents, participants, audit_log",
    )
    .execute(store.writes())
    .await?;
    // A CHECKPOINT needs a superuser or the pg_checkpoint role; without it the deleted rows
    // leave the WAL at the next regular checkpoint (checkpoint_timeout, 5 min by default).
    if let Err(error) = sqlx::raw_sql("CHECKPOINT").execute(store.writes()).await {
        tracing::warn!(%error, "could not force a checkpoint after a purge; the next regular one clears the WAL (grant pg_checkpoint to Trama's role to force it)");
    }
    Ok(())
}

/// A transaction to append an audit entry in, waiting for the other instances' appends (a
/// transaction-scoped advisory lock), so that each chains to the one before.
pub async fn begin_audit(store: &PostgresStore) -> StoreResult<sqlx::Transaction<'static, Db>> {
    let mut tx = store.writes().begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('trama audit trail'))")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}
