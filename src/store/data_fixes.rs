//! Fixes of stored data that the SQL migrations cannot make, run after them at every start
//! and recorded in `data_fixes` once done, so each runs once per database (several
//! PostgreSQL instances starting at once may both run it: every fix is idempotent).
//!
//! `right_hand_rule`: polygons stored before Trama oriented them (RFC 7946 §3.1.6: shells
//! counterclockwise, holes clockwise) are rewritten as Trama now writes every polygon, in
//! drawings, their history, saved priority zones and project areas. No revision is added: the
//! shape is the same, only its ring order changes.

use futures::TryStreamExt;
use sqlx::{PgPool, SqlitePool};

use super::StoreResult;
use crate::domain::geometry::reoriented;

const RIGHT_HAND_RULE: &str = "right_hand_rule";

/// The columns that key a row, with their PostgreSQL types.
type Keys = &'static [(&'static str, &'static str)];

/// The tables and columns that hold stored GeoJSON geometries, and the keys of their rows.
const GEOMETRY_COLUMNS: [(&str, &str, Keys); 4] = [
    ("features", "geometry", &[("id", "uuid")]),
    (
        "feature_revisions",
        "geometry",
        &[("id", "uuid"), ("revision", "bigint")],
    ),
    ("priority_zones", "geometry", &[("id", "uuid")]),
    ("projects", "area", &[("id", "uuid")]),
];

fn select(
    table: &str,
    column: &str,
    keys: &[(&str, &str)],
    as_text: impl Fn(&str) -> String,
) -> String {
    let keys: Vec<String> = keys.iter().map(|(k, _)| as_text(k)).collect();
    format!(
        r#"SELECT {}, {column} FROM {table} WHERE {column} LIKE '{{"type":"Polygon"%' OR {column} LIKE '{{"type":"MultiPolygon"%'"#,
        keys.join(" || ' ' || ")
    )
}

/// How a backend's SQL differs where these fixes need it.
struct Dialect {
    /// The `n`th (from 1) bind parameter.
    parameter: fn(usize) -> String,
    /// A key column as text.
    as_text: fn(&str) -> String,
    /// A key column compared with a text parameter (`kind` is its PostgreSQL type).
    matches: fn(&str, &str, usize) -> String,
}

const SQLITE: Dialect = Dialect {
    parameter: |_| "?".to_owned(),
    as_text: |k| format!("CAST({k} AS TEXT)"),
    matches: |k, _, _| format!("{k} = ?"),
};

const POSTGRES: Dialect = Dialect {
    parameter: |n| format!("${n}"),
    as_text: |k| format!("{k}::text"),
    matches: |k, kind, n| format!("{k} = ${n}::{kind}"),
};

/// The fix, once per database, written once for both backends: the same statements in each
/// dialect, run in one transaction on `$pool`.
macro_rules! right_hand_rule {
    ($pool:expr, $dialect:expr) => {{
        let dialect: &Dialect = $dialect;
        let done: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM data_fixes WHERE name = {}",
            (dialect.parameter)(1)
        )))
        .bind(RIGHT_HAND_RULE)
        .fetch_optional($pool)
        .await?;
        if done.is_some() {
            return Ok(());
        }
        let mut tx = $pool.begin().await?;
        for (table, column, keys) in GEOMETRY_COLUMNS {
            let query = select(table, column, keys, dialect.as_text);
            let changed: Vec<(String, String)> =
                sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(query))
                    .fetch(&mut *tx)
                    .try_filter_map(
                        |(key, text)| async move { Ok(reoriented(&text).map(|t| (key, t))) },
                    )
                    .try_collect()
                    .await?;
            let matches: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, (k, kind))| (dialect.matches)(k, kind, i + 2))
                .collect();
            let update = format!(
                "UPDATE {table} SET {column} = {} WHERE {}",
                (dialect.parameter)(1),
                matches.join(" AND ")
            );
            for (key, text) in changed {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(update.clone())).bind(text);
                for part in key.split(' ') {
                    query = query.bind(part.to_owned());
                }
                query.execute(&mut *tx).await?;
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO data_fixes (name, done_at) VALUES ({}, {}) ON CONFLICT DO NOTHING",
            (dialect.parameter)(1),
            (dialect.parameter)(2)
        )))
        .bind(RIGHT_HAND_RULE)
        .bind(chrono::Utc::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }};
}

/// Runs the fixes not yet done on a SQLite database.
pub async fn run_sqlite(pool: &SqlitePool) -> StoreResult<()> {
    right_hand_rule!(pool, &SQLITE)
}

/// Runs the fixes not yet done on a PostgreSQL database.
pub async fn run_postgres(pool: &PgPool) -> StoreResult<()> {
    right_hand_rule!(pool, &POSTGRES)
}
