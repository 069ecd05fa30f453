//! The parts of a feature listing's query that read the same in every dialect: everything
//! after the spatial index has had its say (the exact bbox, project, workshops, table,
//! values) and the LIMIT. Each backend writes its own FROM (the R*Tree on SQLite, the GiST
//! index on PostgreSQL), its drawing order, and how a UUID binds (`Conditions::bind_id`).

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::feature::FeatureFilter;
use crate::domain::question::AnswerFilter;

/// Something a WHERE clause is written into: PostgreSQL's sqlx query, or the SQLite
/// listings' own (`sqlite::reader::Select`).
pub(super) trait Conditions<'a> {
    fn push_sql(&mut self, sql: &str);
    fn bind_str(&mut self, value: &'a str);
    fn bind_time(&mut self, value: DateTime<Utc>);
    fn bind_f64(&mut self, value: f64);
    fn bind_i64(&mut self, value: i64);
    /// A UUID as the backend stores it (native on PostgreSQL, text on SQLite).
    fn bind_id(&mut self, value: Uuid);
    /// ` AND` the drawing's answer to `filter`'s question is, or includes, its value: JSON
    /// is read differently by each backend.
    fn push_answer(&mut self, filter: &'a AnswerFilter);
}

impl<'a> Conditions<'a> for QueryBuilder<Postgres> {
    fn push_sql(&mut self, sql: &str) {
        self.push(sql);
    }

    fn bind_str(&mut self, value: &'a str) {
        self.push_bind(value.to_owned());
    }

    fn bind_time(&mut self, value: DateTime<Utc>) {
        self.push_bind(value);
    }

    fn bind_f64(&mut self, value: f64) {
        self.push_bind(value);
    }

    fn bind_i64(&mut self, value: i64) {
        self.push_bind(value);
    }

    fn bind_id(&mut self, value: Uuid) {
        self.push_bind(value);
    }

    /// jsonb containment, of the value or of a list holding it (a choice of several).
    fn push_answer(&mut self, filter: &'a AnswerFilter) {
        let one = serde_json::json!({ filter.question.as_str(): filter.equals });
        let several = serde_json::json!({ filter.question.as_str(): [filter.equals] });
        self.push(" AND (f.answers @> ");
        self.push_bind(sqlx::types::Json(one));
        self.push(" OR f.answers @> ");
        self.push_bind(sqlx::types::Json(several));
        self.push(")");
    }
}

/// Appends, after a `WHERE` (and whatever the spatial index asked), the conditions every
/// listing shares: the project, the exact bbox (the indexes keep 32-bit boxes rounded
/// outwards; these columns decide), workshops, table, symbol, review state, dates and
/// visibility. False when the listing can only be empty (no workshop allowed).
pub(super) fn push_conditions<'a>(
    query: &mut impl Conditions<'a>,
    project_id: Uuid,
    filter: &'a FeatureFilter,
) -> bool {
    query.push_sql("f.project_id = ");
    query.bind_id(project_id);
    if let Some(b) = filter.bbox {
        for (condition, value) in [
            (" AND f.min_x <= ", b.max_x),
            (" AND f.max_x >= ", b.min_x),
            (" AND f.min_y <= ", b.max_y),
            (" AND f.max_y >= ", b.min_y),
        ] {
            query.push_sql(condition);
            query.bind_f64(value);
        }
    }
    if let Some(workshops) = &filter.workshops {
        if workshops.is_empty() {
            return false;
        }
        query.push_sql(" AND f.workshop_id IN (");
        for (i, id) in workshops.iter().enumerate() {
            if i > 0 {
                query.push_sql(", ");
            }
            query.bind_id(*id);
        }
        query.push_sql(")");
    }
    if let Some(group) = filter.group {
        query.push_sql(" AND f.group_id = ");
        query.bind_id(group);
    }
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
    if let Some(answer) = &filter.answer {
        query.push_sql(" AND s.key IN (");
        for (i, symbol) in answer.symbols.iter().enumerate() {
            if i > 0 {
                query.push_sql(", ");
            }
            query.bind_str(symbol);
        }
        query.push_sql(")");
        query.push_answer(answer);
    }
    if !filter.include_hidden {
        query.push_sql(" AND NOT f.hidden");
    }
    if !filter.include_deleted {
        query.push_sql(" AND f.deleted_at IS NULL");
    }
    true
}

/// Appends the listing's LIMIT, when it has one.
pub(super) fn push_limit<'a>(query: &mut impl Conditions<'a>, filter: &FeatureFilter) {
    if let Some(limit) = filter.limit {
        query.push_sql(" LIMIT ");
        query.bind_i64(i64::try_from(limit).unwrap_or(i64::MAX));
    }
}
