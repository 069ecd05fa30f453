//! Storage: the contract of what the application may ask (`contract`, one trait per area,
//! summed in [`Store`]) and its two backends, embedded SQLite and PostgreSQL + PostGIS. All
//! SQL lives below this module, and is written once where the two dialects agree (`sql`,
//! compiled into each backend with that backend's `dialect`).

mod contract;
mod copy;
mod data_fixes;
mod filters;
mod postgres;
mod sqlite;
mod stream;

use std::sync::Arc;
use std::time::Duration;

pub use contract::{
    Added, AnnotationPage, AnnotationStore, AttachmentStore, AuditFilter, AuditStore, CareStore,
    ExportStore, FeatureOutline, FeatureRevision, FeatureStore, IdempotentResponse, IdentityStore,
    LiveStore, NewToken, Participant, PictogramStore, PriorityStore, ProjectStore, PurgeOutcome,
    PurgeScope, Store, User, WorkshopStore, WorkshopTally,
};
pub use copy::{CopiedTable, copy_database};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (a taken username, slug or join code).
    #[error("{0}")]
    Conflict(String),
    /// The row changed since it was read (optimistic concurrency).
    #[error("the record was changed by someone else")]
    StaleRevision,
    #[error("not found")]
    NotFound,
    /// The database URL names a backend this build does not have.
    #[error(
        "unsupported database URL {0:?}: use sqlite://path/to/file.db or postgres://user@host/database"
    )]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// An error of the SQLite listings' reader (rusqlite), as its text.
    #[error("database error: {0}")]
    Reader(String),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// How a failed write is told: a broken uniqueness rule (a taken username, slug, join code,
/// idempotency key) becomes [`StoreError::Conflict`] in `words()`, anything else stays the
/// database's error. The same on SQLite and PostgreSQL (sqlx's `is_unique_violation`).
pub(crate) fn conflict_if_unique(
    words: impl FnOnce() -> String,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(words()),
        _ => error.into(),
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Changes a slow page may lag behind before it is told to reload.
pub const CHANGE_BUFFER: usize = 1024;

/// How to connect to a database server (PostgreSQL; SQLite ignores them).
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections this instance keeps open.
    pub max_connections: u32,
    /// How long startup waits for the database to accept connections.
    pub wait: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            wait: Duration::from_secs(30),
        }
    }
}

/// Opens the database named by `url` (the scheme picks the backend), creating it and
/// applying migrations as needed, with the default connection options.
///
/// # Errors
/// UnsupportedUrl for another scheme (or an in-memory SQLite database); Database when it
/// cannot be reached or opened; Migration when its migrations fail.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    connect_with(url, &StoreOptions::default()).await
}

/// [`connect`] with `options` for a database server (PostgreSQL: pool size, how long to wait
/// for it at startup).
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(url: &str, options: &StoreOptions) -> StoreResult<Arc<dyn Store>> {
    match url.split(':').next() {
        Some("sqlite") => Ok(Arc::new(SqliteStore::connect(url).await?)),
        Some("postgres" | "postgresql") => {
            Ok(Arc::new(PostgresStore::connect(url, options).await?))
        }
        _ => Err(StoreError::UnsupportedUrl(url.to_owned())),
    }
}

impl StoreError {
    /// True when the database cannot be reached right now (down, restarting, pool exhausted):
    /// the request may succeed if retried shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed,
            ) => true,
            // SQLSTATE class 08 (connection exception) and 57P (operator intervention: shutdown,
            // restart, crash recovery).
            StoreError::Database(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
            _ => false,
        }
    }
}
