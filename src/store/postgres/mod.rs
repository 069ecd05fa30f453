//! The PostgreSQL + PostGIS backend, for deployments that outgrow one machine: several Trama
//! instances over one database. Everything shared (idempotency keys, failed-attempt counts,
//! tokens) lives in the database, not in one process.

mod dialect;
mod listings;
mod live;
// The shared SQL, compiled once per backend on purpose (see `store::sql`).
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{StoreOptions, StoreResult};
use crate::domain::change::Change;

/// The store the shared SQL (`sql`) is compiled for here.
type Backend = PostgresStore;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct PostgresStore {
    pool: PgPool,
    /// Changes from every instance, fed by the LISTEN task.
    changes: tokio::sync::broadcast::Sender<Change>,
}

impl PostgresStore {
    /// Connects to a `postgres://` URL, waiting up to `options.wait` for the server to come up
    /// (saying what it waits for), then applies pending migrations. Several instances may
    /// start at once: sqlx serialises their migrations with an advisory lock.
    ///
    /// # Errors
    /// Database when the server is still unreachable after `options.wait` or refuses the
    /// connection; Migration.
    pub async fn connect(url: &str, options: &StoreOptions) -> StoreResult<Self> {
        let connect = PgConnectOptions::from_str(url)?.application_name("trama");
        let target = format!(
            "{}:{}/{}",
            connect.get_host(),
            connect.get_port(),
            connect.get_database().unwrap_or("postgres")
        );
        let deadline = Instant::now() + options.wait;
        let mut delay = Duration::from_millis(250);
        let mut attempt = 1;
        let pool = loop {
            // Connections are checked before use, so after a database restart broken ones are
            // replaced instead of failing requests.
            let result = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .test_before_acquire(true)
                .connect_with(connect.clone())
                .await;
            match result {
                Ok(pool) => break pool,
                Err(error) if Instant::now() + delay < deadline && is_unreachable(&error) => {
                    tracing::warn!(%target, attempt, %error, "waiting for PostgreSQL");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                    attempt += 1;
                }
                Err(error) => return Err(error.into()),
            }
        };
        MIGRATOR.run(&pool).await?;
        super::data_fixes::run_postgres(&pool).await?;
        let (changes, _) = tokio::sync::broadcast::channel(super::CHANGE_BUFFER);
        live::spawn_listener(pool.clone(), changes.clone());
        Ok(Self { pool, changes })
    }
}

impl PostgresStore {
    /// The connection pool, for whole-database operations (`trama copy`).
    pub(crate) fn pool(&self) -> PgPool {
        self.pool.clone()
    }
}

/// Errors that mean "the server is not there (yet)", worth waiting out at startup.
fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
        // 57P03: the database system is starting up.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code == "57P03"),
        _ => false,
    }
}
