//! What SQLite does its own way, for the SQL both backends share (`store::sql`).

use sqlx::{Row, SqlitePool};
use uuid::Uuid;
use uuid::fmt::Hyphenated;

use super::SqliteStore;
use crate::store::StoreResult;

pub type Db = sqlx::Sqlite;
pub type DbRow = sqlx::sqlite::SqliteRow;

/// A UUID as SQLite stores it: hyphenated lower-case text.
pub fn sql_id(id: Uuid) -> Hyphenated {
    id.hyphenated()
}

/// A UUID column of `row` (hyphenated text).
pub fn uuid(row: &DbRow, column: &str) -> StoreResult<Uuid> {
    Ok(row.try_get::<Hyphenated, _>(column)?.into_uuid())
}

/// A UUID column of `row` that may be NULL.
pub fn opt_uuid(row: &DbRow, column: &str) -> StoreResult<Option<Uuid>> {
    Ok(row
        .try_get::<Option<Hyphenated>, _>(column)?
        .map(Hyphenated::into_uuid))
}

impl SqliteStore {
    /// The short reads' pool (read-only connections).
    pub(super) fn reads(&self) -> &SqlitePool {
        &self.read
    }

    /// The pool of the one writing connection: SQLite admits one writer at a time.
    pub(super) fn writes(&self) -> &SqlitePool {
        &self.write
    }
}

/// Nothing to do: with one writing connection, authentication attempts are already counted
/// one after the other.
pub async fn serialize_attempts(
    _tx: &mut sqlx::Transaction<'_, Db>,
    _scope: &str,
    _client: &str,
) -> StoreResult<()> {
    Ok(())
}

/// Copies the WAL into the database file and truncates it to nothing: the pages a delete
/// overwrote (`secure_delete` is on for the writing connection) stay as they were in the WAL
/// until then. Readers holding an older snapshot keep the WAL; it is retried for a minute.
pub async fn scrub(store: &SqliteStore) -> StoreResult<()> {
    for _ in 0..120 {
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(store.writes())
            .await?;
        let busy: i64 = row.try_get(0)?;
        if busy == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Err(crate::store::StoreError::Conflict(
        "the purge is done but its pages are still in the WAL: readers held it for a minute; \
         run `trama purge` again to scrub"
            .into(),
    ))
}

/// A transaction to append an audit entry in, holding the file's write lock from its start
/// (`BEGIN IMMEDIATE`): this process appends one at a time through its one writing
/// connection, but `trama purge` or `trama export` may append from another process, and a
/// deferred transaction that read the head would then fail to write instead of waiting.
pub async fn begin_audit(store: &SqliteStore) -> StoreResult<sqlx::Transaction<'static, Db>> {
    Ok(store.writes().begin_with("BEGIN IMMEDIATE").await?)
}
