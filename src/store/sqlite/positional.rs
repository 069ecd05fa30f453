//! Mapping the rows the listings read with rusqlite (`reader`) to domain types, by position:
//! `FEATURE_COLUMNS` and `OUTLINE_COLUMNS` (in `store::sql::rows`) name the columns in this
//! order.

use chrono::{DateTime, Utc};
use rusqlite::Row;
use uuid::Uuid;

use crate::domain::bbox::BBox;
use crate::domain::feature::{Author, Feature, ReviewState};
use crate::store::{FeatureOutline, StoreError, StoreResult};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

fn text(row: &Row, index: usize) -> StoreResult<String> {
    Ok(row.get(index)?)
}

fn uuid(row: &Row, index: usize) -> StoreResult<Uuid> {
    opt_uuid(row, index)?.ok_or_else(|| corrupt("id", "NULL"))
}

fn opt_uuid(row: &Row, index: usize) -> StoreResult<Option<Uuid>> {
    let text: rusqlite::types::ValueRef = row.get_ref(index)?;
    match text.as_str_or_null()? {
        Some(text) => Uuid::try_parse(text)
            .map(Some)
            .map_err(|_| corrupt("id", text)),
        None => Ok(None),
    }
}

fn time(row: &Row, index: usize) -> StoreResult<DateTime<Utc>> {
    let text: rusqlite::types::ValueRef = row.get_ref(index)?;
    let text = text.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| corrupt("time", text))
}

fn opt_time(row: &Row, index: usize) -> StoreResult<Option<DateTime<Utc>>> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => time(row, index).map(Some),
    }
}

fn answers(row: &Row, index: usize) -> StoreResult<crate::domain::question::Answers> {
    let text: rusqlite::types::ValueRef = row.get_ref(index)?;
    let text = text.as_str()?;
    serde_json::from_str(text).map_err(|_| corrupt("answers", text))
}

fn review_state(row: &Row, index: usize) -> StoreResult<ReviewState> {
    let text: rusqlite::types::ValueRef = row.get_ref(index)?;
    let text = text.as_str()?;
    ReviewState::parse(text).ok_or_else(|| corrupt("review state", text))
}

/// A row of `FEATURE_COLUMNS`.
pub fn feature(row: &Row) -> StoreResult<Feature> {
    let author = match opt_uuid(row, 4)? {
        Some(id) => Author::Participant {
            id,
            display_name: row.get(5)?,
        },
        None => Author::User {
            id: uuid(row, 6)?,
            username: text(row, 7)?,
        },
    };
    Ok(Feature {
        id: uuid(row, 0)?,
        project_id: uuid(row, 1)?,
        workshop_id: opt_uuid(row, 2)?,
        group_id: opt_uuid(row, 3)?,
        author,
        symbol: text(row, 8)?,
        title: row.get(9)?,
        description: row.get(10)?,
        answers: answers(row, 25)?,
        geometry: text(row, 11)?,
        bbox: BBox {
            min_x: row.get(12)?,
            min_y: row.get(13)?,
            max_x: row.get(14)?,
            max_y: row.get(15)?,
        },
        review_state: review_state(row, 16)?,
        review_reason: row.get(17)?,
        reviewer_id: opt_uuid(row, 18)?,
        merged_into: opt_uuid(row, 19)?,
        hidden: row.get(20)?,
        revision: row.get(21)?,
        created_at: time(row, 22)?,
        updated_at: time(row, 23)?,
        deleted_at: opt_time(row, 24)?,
    })
}

/// A row of `OUTLINE_COLUMNS`.
pub fn outline(row: &Row) -> StoreResult<FeatureOutline> {
    Ok(FeatureOutline {
        id: uuid(row, 0)?,
        symbol: text(row, 1)?,
        workshop_id: opt_uuid(row, 2)?,
        group_id: opt_uuid(row, 3)?,
        review_state: review_state(row, 4)?,
        geometry: text(row, 5)?,
        answers: answers(row, 6)?,
    })
}
