//! The parts of a feature query's WHERE clause that read the same in every dialect.

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::domain::feature::FeatureFilter;

/// Appends the symbol, review state, date and visibility conditions of `filter` (the caller
/// adds project, bbox, workshop and group, whose ids each backend binds in its own way).
pub(super) fn push_value_filters<'a, DB>(query: &mut QueryBuilder<DB>, filter: &'a FeatureFilter)
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
    DateTime<Utc>: Encode<'a, DB> + Type<DB>,
{
    if let Some(symbol) = &filter.symbol {
        query.push(" AND s.key = ").push_bind(symbol.as_str());
    }
    if let Some(state) = filter.review_state {
        query
            .push(" AND f.review_state = ")
            .push_bind(state.as_str());
    }
    if let Some(since) = filter.since {
        query.push(" AND f.created_at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        query.push(" AND f.created_at < ").push_bind(until);
    }
    if !filter.include_hidden {
        query.push(" AND NOT f.hidden");
    }
    if !filter.include_deleted {
        query.push(" AND f.deleted_at IS NULL");
    }
}
