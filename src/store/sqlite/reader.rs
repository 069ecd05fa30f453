//! Long listings (bbox answers, review lists, exports, analyses) read with rusqlite on a
//! blocking thread, handed to the async side in batches.
//!
//! sqlx runs each SQLite connection on a worker thread that hands every row to the async
//! side through a channel, with a copy of each column: on two cores a 500-row bbox answer
//! cost some 260 thread switches, and the answers waiting on them made the slow tail. Here
//! one thread reads the rows, maps them and sends them on in batches (16 rows, then twice as
//! many each time, up to 256). Writes, and the short reads, stay with sqlx.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use futures::stream::BoxStream;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, Row};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::domain::question::AnswerFilter;
use crate::store::filters::Conditions;
use crate::store::stream::{self, BatchSender};
use crate::store::{StoreError, StoreResult};

/// Listings read at once; each holds a connection with its own page cache.
const READERS: usize = 4;
/// Page cache of each reading connection, in KiB.
const CACHE_KIB: i64 = 8_000;
/// Rows in the first batch handed over; each next one is twice as large, up to
/// `stream::BATCH`.
const FIRST_BATCH: usize = 16;

/// A SELECT and its parameters, built with `?` placeholders.
pub(super) struct Select {
    sql: String,
    params: Vec<Value>,
}

impl Select {
    pub(super) fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            params: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    pub(super) fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.sql.push('?');
        self.params.push(value.into());
        self
    }
}

impl Conditions<'_> for Select {
    fn push_sql(&mut self, sql: &str) {
        self.push(sql);
    }

    fn bind_str(&mut self, value: &str) {
        self.push_bind(value.to_owned());
    }

    /// As sqlx writes a time into SQLite, so that text comparisons order correctly.
    fn bind_time(&mut self, value: DateTime<Utc>) {
        self.push_bind(value.to_rfc3339_opts(SecondsFormat::AutoSi, false));
    }

    fn bind_f64(&mut self, value: f64) {
        self.push_bind(value);
    }

    fn bind_i64(&mut self, value: i64) {
        self.push_bind(value);
    }

    /// UUIDs are hyphenated text in SQLite.
    fn bind_id(&mut self, value: Uuid) {
        self.push_bind(value.hyphenated().to_string());
    }

    /// `json_each` of the answer: one row for a single value, one per chosen option, of the
    /// value's JSON type (true and false read as 1 and 0, as the number 1 does).
    fn push_answer(&mut self, filter: &AnswerFilter) {
        self.push(" AND EXISTS (SELECT 1 FROM json_each(f.answers, ");
        self.push_bind(filter.path());
        self.push(") WHERE json_each.value = ");
        let kind = match &filter.equals {
            serde_json::Value::Bool(yes) => {
                self.push_bind(i64::from(*yes));
                if *yes { "true" } else { "false" }
            }
            serde_json::Value::Number(n) => {
                self.push_bind(n.as_i64().unwrap_or_default());
                "integer"
            }
            other => {
                self.push_bind(other.as_str().unwrap_or_default().to_owned());
                "text"
            }
        };
        self.push(" AND json_each.type = ");
        self.push_bind(kind.to_owned());
        self.push(")");
    }
}

/// The reading connections of one database file, opened when first needed.
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    pub(super) fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            path,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(READERS)),
        })
    }

    /// The rows of `select`, each mapped by `map`, as a stream; None is an empty listing.
    pub(super) fn stream<T: Send + 'static>(
        self: &Arc<Self>,
        select: Option<Select>,
        map: fn(&Row) -> StoreResult<T>,
    ) -> BoxStream<'static, StoreResult<T>> {
        let (sender, receiver) = stream::channel();
        let readers = self.clone();
        tokio::spawn(async move {
            let Some(select) = select else { return };
            let Ok(permit) = readers.permits.clone().acquire_owned().await else {
                return;
            };
            let _ = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                readers.read(&select, map, &sender);
            })
            .await;
        });
        stream::receive(receiver)
    }

    fn read<T>(&self, select: &Select, map: fn(&Row) -> StoreResult<T>, sender: &BatchSender<T>) {
        if sender.is_closed() {
            return; // the client hung up while the listing waited for a connection
        }
        let connection = match self.connection() {
            Ok(connection) => connection,
            Err(error) => {
                let _ = sender.blocking_send(vec![Err(error)]);
                return;
            }
        };
        let outcome = send_rows(&connection, select, map, sender);
        if let Err(error) = outcome {
            let _ = sender.blocking_send(vec![Err(error)]);
        }
        // A connection goes back to the pool only after a clean read.
        else if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
    }

    fn connection(&self) -> StoreResult<Connection> {
        if let Some(connection) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        connection.pragma_update(None, "cache_size", -CACHE_KIB)?;
        Ok(connection)
    }
}

/// Reads the rows and sends them on in batches; stops early when the receiver is gone.
fn send_rows<T>(
    connection: &Connection,
    select: &Select,
    map: fn(&Row) -> StoreResult<T>,
    sender: &BatchSender<T>,
) -> StoreResult<()> {
    let mut statement = connection.prepare(&select.sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(&select.params))?;
    // Small batches first, so that the answer is being written while the rest is read (on
    // two cores, the overlap is most of a bbox answer's speed), then larger ones, so that a
    // long listing costs few wake-ups.
    let mut size = FIRST_BATCH;
    let mut batch = Vec::with_capacity(size);
    while let Some(row) = rows.next()? {
        let mapped = map(row);
        let failed = mapped.is_err();
        batch.push(mapped);
        if failed || batch.len() == size {
            if sender.blocking_send(std::mem::take(&mut batch)).is_err() || failed {
                return Ok(());
            }
            size = (size * 2).min(stream::BATCH);
            batch.reserve(size);
        }
    }
    if !batch.is_empty() {
        let _ = sender.blocking_send(batch);
    }
    Ok(())
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Reader(error.to_string())
    }
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(error: rusqlite::types::FromSqlError) -> Self {
        StoreError::Reader(error.to_string())
    }
}
