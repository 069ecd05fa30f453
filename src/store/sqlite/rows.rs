//! Mapping SQLite rows to domain types: the mappers (and their imports) come from
//! `store::rows`; this module says how SQLite stores UUIDs.

use sqlx::sqlite::SqliteRow;
use uuid::Uuid;
use uuid::fmt::Hyphenated;

/// UUIDs are stored as hyphenated text in SQLite.
pub fn uuid(row: &SqliteRow, column: &str) -> StoreResult<Uuid> {
    Ok(row.try_get::<Hyphenated, _>(column)?.into_uuid())
}

pub fn opt_uuid(row: &SqliteRow, column: &str) -> StoreResult<Option<Uuid>> {
    Ok(row
        .try_get::<Option<Hyphenated>, _>(column)?
        .map(Hyphenated::into_uuid))
}

crate::store::rows::row_mapping!(SqliteRow);
