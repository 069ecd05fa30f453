//! The parts of a feature query's WHERE clause that read the same in every dialect.

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::domain::feature::FeatureFilter;

/// Something a WHERE clause is written into: a sqlx query, or the SQLite listings' own.
pub(super) trait Conditions<'a> {
    fn push_sql(&mut self, sql: &str);
    fn bind_str(&mut self, value: &'a str);
    fn bind_time(&mut self, value: DateTime<Utc>);
}

impl<'a, DB> Conditions<'a> for QueryBuilder<DB>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
    DateTime<Utc>: Encode<'a, DB> + Type<DB>,
{
    fn push_sql(&mut self, sql: &str) {
        self.push(sql);
    }

    fn bind_str(&mut self, value: &'a str) {
        self.push_bind(value);
    }

    fn bind_time(&mut self, value: DateTime<Utc>) {
        self.push_bind(value);
    }
}

/// Appends the symbol, review state, date and visibility conditions of `filter` (the caller
/// adds project, bbox, workshop and group, whose ids each backend binds in its own way).
pub(super) fn push_value_filters<'a>(query: &mut impl Conditions<'a>, filter: &'a FeatureFilter) {
    if let Some(symbol) = &filter.symbol {
        query.push_sql(" AND s.key = ");
        query.bind_str(symbol);
    }
    if let Some(state) = filter.review_state {
        query.push_sql(" AND f.review_state = ");
        query.bind_str(state.as_str());
    }
    if let Some(since) = filter.since {
        query.push_sql(" AND f.created_at >= ");
        query.bind_time(since);
    }
    if let Some(until) = filter.until {
        query.push_sql(" AND f.created_at < ");
        query.bind_time(until);
    }
    if !filter.include_hidden {
        query.push_sql(" AND NOT f.hidden");
    }
    if !filter.include_deleted {
        query.push_sql(" AND f.deleted_at IS NULL");
    }
}
