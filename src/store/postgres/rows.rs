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

/// A row of `OUTLINE_COLUMNS` (SQLite reads these positionally, in `sqlite::rows`).
pub fn outline(row: &PgRow) -> StoreResult<crate::store::FeatureOutline> {
    let state: String = row.try_get("review_state")?;
    Ok(crate::store::FeatureOutline {
        id: uuid(row, "id")?,
        symbol: row.try_get("symbol")?,
        workshop_id: opt_uuid(row, "workshop_id")?,
        group_id: opt_uuid(row, "group_id")?,
        review_state: ReviewState::parse(&state).ok_or_else(|| corrupt("review state", &state))?,
        geometry: row.try_get("geometry")?,
    })
}
