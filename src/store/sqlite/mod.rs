//! The embedded SQLite backend: one file, WAL mode, foreign keys on, R*Tree for bboxes.
//!
//! Reads go through a small pool; writes through a pool of exactly one connection, because
//! SQLite admits one writer at a time and queueing in the pool is kinder than `SQLITE_BUSY`.

mod dialect;
mod listings;
mod live;
mod positional;
mod reader;
// The shared SQL, compiled once per backend on purpose (see `store::sql`).
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{StoreError, StoreResult};
use crate::domain::change::Change;

/// The store the shared SQL (`sql`) is compiled for here.
type Backend = SqliteStore;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub struct SqliteStore {
    read: SqlitePool,
    /// The long listings' own connections (`reader`).
    readers: std::sync::Arc<reader::Readers>,
    write: SqlitePool,
    /// One process owns a SQLite file, so live changes travel in memory.
    changes: tokio::sync::broadcast::Sender<Change>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file of a `sqlite://path` URL and migrates it.
    ///
    /// # Errors
    /// UnsupportedUrl for an in-memory database (the listings read the file through
    /// connections of their own); Database when the file cannot be opened; Migration.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?;
        if options
            .get_filename()
            .to_string_lossy()
            .starts_with("file:sqlx-in-memory")
        {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let readers = reader::Readers::new(options.get_filename().to_owned());
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // Page caches in KiB (negative cache_size): enough to keep the R*Tree and indexes of a
        // million features warm, small enough for the whole server to stay well under 200 MB.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", "-16000")
                    // What a delete frees is overwritten with zeros, not left in free pages
                    // (a purge must leave no recoverable copy: `CareStore::purge`).
                    .pragma("secure_delete", "ON")
                    // Statement journals of multi-row inserts stay in memory, not temp files.
                    .pragma("temp_store", "memory")
                    // Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB.
                    .pragma("wal_autocheckpoint", "10000")
                    .pragma("journal_size_limit", "67108864"),
            )
            .await?;
        MIGRATOR.run(&write).await?;
        super::data_fixes::run_sqlite(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            // The short reads; the long listings have connections of their own (`reader`).
            .connect_with(options.read_only(true).pragma("cache_size", "-2000"))
            .await?;
        let (changes, _) = tokio::sync::broadcast::channel(super::CHANGE_BUFFER);
        Ok(Self {
            read,
            readers,
            write,
            changes,
        })
    }
}

impl SqliteStore {
    /// The writing connection, for whole-database operations (`trama copy`).
    pub(crate) fn writer_pool(&self) -> SqlitePool {
        self.write.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;

    #[tokio::test]
    async fn an_in_memory_database_is_refused_with_a_clear_error() {
        // Listings read the file through connections of their own, which an in-memory
        // database does not have.
        let Err(error) = SqliteStore::connect("sqlite::memory:").await else {
            panic!("an in-memory database was accepted");
        };
        assert!(
            error.to_string().contains("sqlite://path/to/file.db"),
            "{error}"
        );
    }
}
