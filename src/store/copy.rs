//! `trama copy`: a whole database into another, backend to backend, keeping every id.
//!
//! Both schemas have the same tables and columns (the migrations mirror each other), so the
//! copy goes table by table in foreign-key order, each row inserted with `ON CONFLICT DO
//! NOTHING`: copying twice adds nothing, and links (feature → workshop → group) stay valid.
//! Rows that exist only in the target are left alone.

use futures::{StreamExt, TryStreamExt};
use serde_json::Value as Json;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Sqlite, SqlitePool};
use uuid::Uuid;
use uuid::fmt::Hyphenated;

use super::{PostgresStore, SqliteStore, StoreError, StoreOptions, StoreResult};

/// How a column is stored: the two dialects spell these types differently.
#[derive(Clone, Copy)]
enum Kind {
    Uuid,
    Text,
    Float,
    /// `bigint` in PostgreSQL.
    Int,
    /// `integer` in PostgreSQL.
    Int4,
    Bool,
    Time,
    Json,
}

#[derive(Debug, Clone)]
enum Cell {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Float(Option<f64>),
    Int(Option<i64>),
    Int4(Option<i32>),
    Bool(Option<bool>),
    Time(Option<chrono::DateTime<chrono::Utc>>),
    Json(Option<Json>),
}

use Kind::{Bool, Float, Int, Int4, Text, Time, Uuid as Id};

const FEATURE_COLUMNS: &[(&str, Kind)] = &[
    ("id", Id),
    ("project_id", Id),
    ("workshop_id", Id),
    ("group_id", Id),
    ("participant_id", Id),
    ("user_id", Id),
    ("symbol_id", Id),
    ("geometry", Text),
    ("min_x", Float),
    ("min_y", Float),
    ("max_x", Float),
    ("max_y", Float),
    ("title", Text),
    ("description", Text),
    ("review_state", Text),
    ("review_reason", Text),
    ("reviewer_id", Id),
    ("merged_into", Id),
    ("hidden", Bool),
    ("revision", Int),
    ("created_at", Time),
    ("updated_at", Time),
    ("deleted_at", Time),
    ("last_action", Text),
    ("changed_by_participant_id", Id),
    ("changed_by_user_id", Id),
];

/// Tables in foreign-key order, with their columns. Failed-attempt counters are not copied:
/// they are about one server's recent traffic.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "users",
        &[
            ("id", Id),
            ("username", Text),
            ("role", Text),
            ("password_hash", Text),
            ("created_at", Time),
            ("disabled_at", Time),
        ],
    ),
    (
        "projects",
        &[
            ("id", Id),
            ("slug", Text),
            ("name", Text),
            ("description", Text),
            ("default_locale", Text),
            ("area", Text),
            ("created_at", Time),
            ("sensitive_exact", Text),
            ("mask_min_m", Float),
            ("mask_max_m", Float),
            ("mask_resolution", Int),
            ("mask_k", Int),
        ],
    ),
    (
        "symbols",
        &[
            ("id", Id),
            ("project_id", Id),
            ("key", Text),
            ("labels", Kind::Json),
            ("kind", Text),
            ("geometry_types", Kind::Json),
            ("color", Text),
            ("icon", Text),
            ("weight", Float),
            ("sensitive", Bool),
            ("position", Int4),
        ],
    ),
    (
        "workshops",
        &[
            ("id", Id),
            ("project_id", Id),
            ("title", Text),
            ("place", Text),
            ("starts_at", Time),
            ("ends_at", Time),
            ("facilitator_id", Id),
            ("status", Text),
            ("join_code", Text),
            ("created_at", Time),
            ("closed_at", Time),
        ],
    ),
    (
        "workshop_groups",
        &[
            ("id", Id),
            ("workshop_id", Id),
            ("name", Text),
            ("position", Int4),
        ],
    ),
    (
        "participants",
        &[
            ("id", Id),
            ("workshop_id", Id),
            ("group_id", Id),
            ("display_name", Text),
            ("created_at", Time),
        ],
    ),
    (
        "api_tokens",
        &[
            ("token_hash", Text),
            ("user_id", Id),
            ("participant_id", Id),
            ("created_at", Time),
            ("expires_at", Time),
        ],
    ),
    ("features", FEATURE_COLUMNS),
    ("feature_revisions", FEATURE_COLUMNS),
    (
        "annotations",
        &[
            ("id", Id),
            ("project_id", Id),
            ("feature_id", Id),
            ("workshop_id", Id),
            ("group_id", Id),
            ("participant_id", Id),
            ("user_id", Id),
            ("body", Text),
            ("created_at", Time),
        ],
    ),
    (
        "pictograms",
        &[("name", Text), ("svg", Text), ("created_at", Time)],
    ),
    (
        "boundary_layers",
        &[
            ("id", Id),
            ("project_id", Id),
            ("name", Text),
            ("units", Text),
            ("unit_count", Int),
            ("created_by", Id),
            ("created_at", Time),
        ],
    ),
    (
        "priority_zones",
        &[
            ("id", Id),
            ("project_id", Id),
            ("name", Text),
            ("status", Text),
            ("notes", Text),
            ("geometry", Text),
            ("computed", Text),
            ("revision", Int),
            ("created_by", Id),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    ),
    (
        "priority_zone_events",
        &[
            ("zone_id", Id),
            ("revision", Int),
            ("at", Time),
            ("user_id", Id),
            ("status", Text),
            ("note", Text),
        ],
    ),
    (
        "export_log",
        &[
            ("id", Id),
            ("project_id", Id),
            ("user_id", Id),
            ("actor", Text),
            ("at", Time),
            ("content", Text),
            ("format", Text),
            ("privacy", Text),
            ("parameters", Text),
        ],
    ),
    (
        "idempotency_keys",
        &[
            ("principal", Text),
            ("key", Text),
            ("request_hash", Text),
            ("status", Int4),
            ("response", Text),
            ("created_at", Time),
        ],
    ),
];

/// Rows per INSERT: 26 columns × 400 rows stays under SQLite's 32,766 bound parameters.
const ROWS_PER_INSERT: usize = 400;

enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What a copy did to one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: &'static str,
    pub read: u64,
    pub inserted: u64,
}

async fn open(url: &str, options: &StoreOptions) -> StoreResult<Database> {
    match url.split(':').next() {
        Some("sqlite") => Ok(Database::Sqlite(
            SqliteStore::connect(url).await?.writer_pool(),
        )),
        Some("postgres" | "postgresql") => Ok(Database::Postgres(
            PostgresStore::connect(url, options).await?.pool(),
        )),
        _ => Err(StoreError::UnsupportedUrl(url.to_owned())),
    }
}

/// Copies every table of `from` into `to` (both migrated first), keeping ids.
pub async fn copy_database(
    from: &str,
    to: &str,
    options: &StoreOptions,
) -> StoreResult<Vec<CopiedTable>> {
    let source = open(from, options).await?;
    let target = open(to, options).await?;
    let mut report = Vec::new();
    for (table, columns) in TABLES {
        let copied = copy_table(&source, &target, table, columns).await?;
        tracing::info!(
            table,
            read = copied.read,
            inserted = copied.inserted,
            "copied"
        );
        report.push(copied);
    }
    // A large copy leaves PostgreSQL's planner without statistics until autovacuum comes
    // round; without them bbox queries may scan instead of using the GiST index.
    if let Database::Postgres(pool) = &target {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    Ok(report)
}

/// Streams one table across in chunks, so memory stays flat whatever the size.
async fn copy_table(
    source: &Database,
    target: &Database,
    table: &'static str,
    columns: &[(&str, Kind)],
) -> StoreResult<CopiedTable> {
    let sql = format!("SELECT {} FROM {table}", column_list(columns));
    let mut copied = CopiedTable {
        table,
        read: 0,
        inserted: 0,
    };
    // A merge points at another feature that may come later: features go in without it, and
    // get it once all are there.
    let mut merges: Vec<(Cell, Cell)> = Vec::new();
    let mut chunk: Vec<Vec<Cell>> = Vec::with_capacity(ROWS_PER_INSERT);
    let mut rows: futures::stream::BoxStream<StoreResult<Vec<Cell>>> = match source {
        Database::Sqlite(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch(pool)
            .map_err(StoreError::from)
            .and_then(|row| async move {
                columns
                    .iter()
                    .map(|(name, kind)| sqlite_cell(&row, name, *kind))
                    .collect()
            })
            .boxed(),
        Database::Postgres(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch(pool)
            .map_err(StoreError::from)
            .and_then(|row| async move {
                columns
                    .iter()
                    .map(|(name, kind)| pg_cell(&row, name, *kind))
                    .collect()
            })
            .boxed(),
    };
    while let Some(mut row) = rows.try_next().await? {
        copied.read += 1;
        if table == "features" && !matches!(row[MERGED_INTO], Cell::Uuid(None)) {
            merges.push((row[0].clone(), row[MERGED_INTO].clone()));
            row[MERGED_INTO] = Cell::Uuid(None);
        }
        chunk.push(row);
        if chunk.len() == ROWS_PER_INSERT {
            copied.inserted += insert_rows(target, table, columns, &chunk).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        copied.inserted += insert_rows(target, table, columns, &chunk).await?;
    }
    for (id, merged_into) in merges {
        set_merge(target, id, merged_into).await?;
    }
    Ok(copied)
}

/// Position of `merged_into` in `FEATURE_COLUMNS`.
const MERGED_INTO: usize = 17;

fn column_list(columns: &[(&str, Kind)]) -> String {
    columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn sqlite_cell(row: &SqliteRow, name: &str, kind: Kind) -> StoreResult<Cell> {
    Ok(match kind {
        Kind::Uuid => Cell::Uuid(
            row.try_get::<Option<Hyphenated>, _>(name)?
                .map(Hyphenated::into_uuid),
        ),
        Kind::Text => Cell::Text(row.try_get(name)?),
        Kind::Float => Cell::Float(row.try_get(name)?),
        Kind::Int => Cell::Int(row.try_get(name)?),
        Kind::Int4 => Cell::Int4(row.try_get(name)?),
        Kind::Bool => Cell::Bool(row.try_get(name)?),
        Kind::Time => Cell::Time(row.try_get(name)?),
        Kind::Json => Cell::Json(
            row.try_get::<Option<sqlx::types::Json<Json>>, _>(name)?
                .map(|j| j.0),
        ),
    })
}

fn pg_cell(row: &PgRow, name: &str, kind: Kind) -> StoreResult<Cell> {
    Ok(match kind {
        Kind::Uuid => Cell::Uuid(row.try_get(name)?),
        Kind::Text => Cell::Text(row.try_get(name)?),
        Kind::Float => Cell::Float(row.try_get(name)?),
        Kind::Int => Cell::Int(row.try_get(name)?),
        Kind::Int4 => Cell::Int4(row.try_get(name)?),
        Kind::Bool => Cell::Bool(row.try_get(name)?),
        Kind::Time => Cell::Time(row.try_get(name)?),
        Kind::Json => Cell::Json(
            row.try_get::<Option<sqlx::types::Json<Json>>, _>(name)?
                .map(|j| j.0),
        ),
    })
}

async fn insert_rows(
    database: &Database,
    table: &str,
    columns: &[(&str, Kind)],
    rows: &[Vec<Cell>],
) -> StoreResult<u64> {
    let head = format!("INSERT INTO {table} ({}) ", column_list(columns));
    let result = match database {
        Database::Sqlite(pool) => {
            let mut insert = QueryBuilder::<Sqlite>::new(head);
            insert.push_values(rows, |mut values, row| {
                for cell in row {
                    match cell.clone() {
                        Cell::Uuid(v) => values.push_bind(v.map(|id| id.hyphenated())),
                        Cell::Text(v) => values.push_bind(v),
                        Cell::Float(v) => values.push_bind(v),
                        Cell::Int(v) => values.push_bind(v),
                        Cell::Int4(v) => values.push_bind(v),
                        Cell::Bool(v) => values.push_bind(v),
                        Cell::Time(v) => values.push_bind(v),
                        Cell::Json(v) => values.push_bind(v.map(sqlx::types::Json)),
                    };
                }
            });
            insert.push(" ON CONFLICT DO NOTHING");
            insert.build().execute(pool).await?.rows_affected()
        }
        Database::Postgres(pool) => {
            let mut insert = QueryBuilder::<Postgres>::new(head);
            insert.push_values(rows, |mut values, row| {
                for cell in row {
                    match cell.clone() {
                        Cell::Uuid(v) => values.push_bind(v),
                        Cell::Text(v) => values.push_bind(v),
                        Cell::Float(v) => values.push_bind(v),
                        Cell::Int(v) => values.push_bind(v),
                        Cell::Int4(v) => values.push_bind(v),
                        Cell::Bool(v) => values.push_bind(v),
                        Cell::Time(v) => values.push_bind(v),
                        Cell::Json(v) => values.push_bind(v.map(sqlx::types::Json)),
                    };
                }
            });
            insert.push(" ON CONFLICT DO NOTHING");
            insert.build().execute(pool).await?.rows_affected()
        }
    };
    Ok(result)
}

async fn set_merge(database: &Database, id: Cell, merged_into: Cell) -> StoreResult<()> {
    let (Cell::Uuid(Some(id)), Cell::Uuid(Some(target))) = (id, merged_into) else {
        return Ok(());
    };
    match database {
        Database::Sqlite(pool) => {
            sqlx::query("UPDATE features SET merged_into = ? WHERE id = ? AND merged_into IS NULL")
                .bind(target.hyphenated())
                .bind(id.hyphenated())
                .execute(pool)
                .await?;
        }
        Database::Postgres(pool) => {
            sqlx::query(
                "UPDATE features SET merged_into = $1 WHERE id = $2 AND merged_into IS NULL",
            )
            .bind(target)
            .bind(id)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
