//! Mapping PostgreSQL rows to domain types: the mappers (and their imports) come from
//! `store::rows`; this module says how PostgreSQL stores UUIDs.

use sqlx::postgres::PgRow;
use uuid::Uuid;

pub fn uuid(row: &PgRow, column: &str) -> StoreResult<Uuid> {
    Ok(row.try_get(column)?)
}

pub fn opt_uuid(row: &PgRow, column: &str) -> StoreResult<Option<Uuid>> {
    Ok(row.try_get(column)?)
}

crate::store::rows::row_mapping!(PgRow);
