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
