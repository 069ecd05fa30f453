//! `trama copy`: a whole database into another, backend to backend, keeping every id.
//!
//! Both schemas have the same tables and columns (the migrations mirror each other), so the
//! copy goes table by table in foreign-key order, each row inserted with `ON CONFLICT DO
//! NOTHING`: copying twice adds nothing, and links (feature → workshop → group) stay valid.
//! Rows that exist only in the target are left alone.

mod tables;

use futures::{StreamExt, TryStreamExt};
use serde_json::Value as Json;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Sqlite, SqlitePool};
use uuid::Uuid;
use uuid::fmt::Hyphenated;

use super::{PostgresStore, SqliteStore, StoreError, StoreOptions, StoreResult};
use tables::{Kind, TABLES};

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

/// Copies every table of `from` into `to` (both migrated first), keeping ids, and answers
/// what it did to each table (rows read, rows new).
///
/// # Errors
/// As `connect` for either database, and the target's refusals of a row.
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
    // Found by its name: a column added before it moved it once, and the copy then took the
    // reviewer for the merge.
    let merged_into = columns.iter().position(|(name, _)| *name == "merged_into");
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
        if table == "features"
            && let Some(at) = merged_into
            && !matches!(row[at], Cell::Uuid(None))
        {
            merges.push((row[0].clone(), row[at].clone()));
            row[at] = Cell::Uuid(None);
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
