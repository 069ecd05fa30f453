//! Storage: one `Store` trait with a method per question the application asks, and one
//! implementation per backend. All SQL lives below this module.

mod copy;
mod data_fixes;
mod filters;
mod postgres;
mod rows;
mod sqlite;
mod stream;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::access::{Principal, Role};
use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::domain::boundary::{BoundaryLayer, BoundaryLayerSummary};
use crate::domain::change::Change;
use crate::domain::export::ExportLogEntry;
use crate::domain::feature::{Author, Feature, FeatureFilter, ReviewState};
use crate::domain::legend::Symbol;
use crate::domain::project::Project;
use crate::domain::workshop::{JoinCode, Workshop};
use crate::domain::zone::{PriorityZone, ZoneEvent};

pub use copy::{CopiedTable, copy_database};

/// A feature as an analysis reads it: where, what and by whom, without its texts or history.
#[derive(Debug, Clone)]
pub struct FeatureOutline {
    pub id: Uuid,
    pub symbol: String,
    pub workshop_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub review_state: ReviewState,
    /// The stored GeoJSON text.
    pub geometry: String,
}
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

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Disabled users cannot log in and their tokens are refused.
    #[serde(default)]
    pub disabled: bool,
}

/// A bearer token about to be stored: only its hash, never the token itself.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub hash: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Participant {
    pub id: Uuid,
    pub workshop_id: Uuid,
    pub group_id: Uuid,
    pub display_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The first answer to a request that carried an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct IdempotentResponse {
    pub principal: String,
    pub key: String,
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// One entry of a feature's history.
#[derive(Debug, Clone)]
pub struct FeatureRevision {
    pub revision: i64,
    pub action: String,
    pub actor: Author,
    pub at: DateTime<Utc>,
    pub feature: Feature,
}

/// What a workshop gathered: participants who joined, drawings kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkshopTally {
    pub participants: u64,
    pub drawings: u64,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Cheap round trip to the database, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;

    // Identity.
    async fn create_user(&self, user: &User, password_hash: &str) -> StoreResult<()>;
    /// The user and their argon2 password hash.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Changes a user's role, whether they are disabled and, with `password_hash`, their
    /// password (ending every token and session, as [`Store::set_password`]), all in one
    /// transaction; NotFound for an unknown user.
    async fn update_user(
        &self,
        username: &str,
        role: Role,
        disabled: bool,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sets a user's password hash and ends every token and session they had (whoever knew
    /// the old password is signed out); NotFound for an unknown user.
    async fn set_password(&self, username: &str, password_hash: &str) -> StoreResult<()>;
    async fn create_user_token(&self, user_id: Uuid, token: &NewToken) -> StoreResult<()>;
    /// Ends a token now (a browser session logging out): it is refused from then on.
    /// Nothing happens for an unknown token.
    async fn revoke_token(&self, token_hash: &str) -> StoreResult<()>;
    async fn principal_for_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Principal>>;
    /// Counts an authentication attempt (a join code, a password) of `client` in `scope`
    /// before it is checked, and answers its id and how many attempts of that client and scope
    /// were counted since `since`, this one included. Atomic: of a burst of parallel attempts
    /// each counts those before it, so no more than the limit get to be checked.
    async fn begin_auth_attempt(
        &self,
        scope: &str,
        client: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<(Uuid, u32)>;
    /// Forgets an attempt that succeeded or was not checked: only failures count.
    async fn forget_auth_attempt(&self, attempt: Uuid) -> StoreResult<()>;

    // Projects and legends.
    async fn create_project(&self, project: &Project) -> StoreResult<()>;
    async fn list_projects(&self) -> StoreResult<Vec<Project>>;
    async fn find_project(&self, slug: &str) -> StoreResult<Option<Project>>;
    async fn find_project_by_id(&self, id: Uuid) -> StoreResult<Option<Project>>;
    /// Sets a project's privacy in one statement: the finest masking its researcher exports
    /// may have, and who sees its sensitive drawings exactly.
    async fn set_privacy(
        &self,
        project_id: Uuid,
        masking: &crate::domain::export::Masking,
        view: crate::domain::project::SensitiveView,
    ) -> StoreResult<()>;
    async fn legend(&self, project_id: Uuid) -> StoreResult<Vec<Symbol>>;
    /// Replaces the whole legend; refuses (Conflict) to drop a symbol features still use.
    async fn replace_legend(&self, project_id: Uuid, symbols: &[Symbol]) -> StoreResult<()>;

    // Workshops and participants.
    /// Conflict when another open workshop has the same join code.
    async fn create_workshop(&self, workshop: &Workshop) -> StoreResult<()>;
    async fn find_workshop(&self, id: Uuid) -> StoreResult<Option<Workshop>>;
    async fn find_open_workshop_by_code(&self, code: &JoinCode) -> StoreResult<Option<Workshop>>;
    async fn list_workshops(&self, project_id: Uuid) -> StoreResult<Vec<Workshop>>;
    /// Per workshop of the project: how many participants joined and how many drawings they
    /// have (deleted ones left out), for the workshop list.
    async fn workshop_tallies(
        &self,
        project_id: Uuid,
    ) -> StoreResult<std::collections::HashMap<Uuid, WorkshopTally>>;
    async fn close_workshop(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;
    /// Opens a closed workshop again (its code works again); an open one is left as it is.
    /// Conflict when another open workshop has taken its join code meanwhile.
    async fn reopen_workshop(&self, id: Uuid) -> StoreResult<()>;
    async fn create_participant(
        &self,
        participant: &Participant,
        token: &NewToken,
    ) -> StoreResult<()>;

    // Features.
    /// Stores a batch all-or-nothing, with its first revision, and the idempotent answer.
    /// Conflict when the idempotency key was stored meanwhile by a concurrent retry.
    async fn insert_features(
        &self,
        features: &[Feature],
        answer: Option<&IdempotentResponse>,
    ) -> StoreResult<()>;
    async fn idempotent_response(
        &self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotentResponse>>;
    async fn list_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>>;
    /// The same features as `list_features`, as the database reads them: for answers too
    /// large to hold (exports, whole-project analyses).
    fn stream_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> futures::stream::BoxStream<'static, StoreResult<Feature>>;
    /// What whole-project analyses need of the same features, and no more: reading every
    /// column of every drawing cost more than the analysis itself.
    fn stream_outlines(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> futures::stream::BoxStream<'static, StoreResult<FeatureOutline>>;
    async fn find_feature(&self, id: Uuid) -> StoreResult<Option<Feature>>;
    /// Saves `feature` as its next revision if the stored one is still `feature.revision - 1`
    /// (StaleRevision otherwise), and records it in the history.
    async fn save_feature_revision(
        &self,
        feature: &Feature,
        action: &str,
        actor: &Author,
    ) -> StoreResult<()>;
    async fn feature_history(&self, id: Uuid) -> StoreResult<Vec<FeatureRevision>>;

    // Annotations.
    async fn add_annotation(&self, annotation: &Annotation) -> StoreResult<()>;
    /// The annotations of a feature or a workshop, oldest first: at most `page.limit`, after
    /// the annotation `page.after` when given.
    async fn list_annotations(
        &self,
        target: &AnnotationTarget,
        page: AnnotationPage,
    ) -> StoreResult<Vec<Annotation>>;
    /// Every annotation of a project (exports).
    async fn list_project_annotations(&self, project_id: Uuid) -> StoreResult<Vec<Annotation>>;

    // Pictograms uploaded by admins.
    async fn save_pictogram(&self, name: &str, svg: &str) -> StoreResult<()>;
    async fn pictogram(&self, name: &str) -> StoreResult<Option<String>>;
    async fn list_pictograms(&self) -> StoreResult<Vec<String>>;

    // Priority areas: boundary layers and saved priority zones.
    /// Conflict when the project has a layer of that name.
    async fn create_boundary_layer(&self, layer: &BoundaryLayer) -> StoreResult<()>;
    async fn list_boundary_layers(
        &self,
        project_id: Uuid,
    ) -> StoreResult<Vec<BoundaryLayerSummary>>;
    async fn find_boundary_layer(&self, id: Uuid) -> StoreResult<Option<BoundaryLayer>>;
    /// NotFound when there is no such layer.
    async fn delete_boundary_layer(&self, id: Uuid) -> StoreResult<()>;
    /// Stores a zone at its first revision, with its first history entry.
    async fn create_priority_zone(
        &self,
        zone: &PriorityZone,
        note: Option<&str>,
    ) -> StoreResult<()>;
    async fn list_priority_zones(&self, project_id: Uuid) -> StoreResult<Vec<PriorityZone>>;
    async fn find_priority_zone(&self, id: Uuid) -> StoreResult<Option<PriorityZone>>;
    /// Saves `zone` as its next revision if the stored one is still `zone.revision - 1`
    /// (StaleRevision otherwise), and records the change in its history.
    async fn save_priority_zone(
        &self,
        zone: &PriorityZone,
        by: Uuid,
        note: Option<&str>,
    ) -> StoreResult<()>;
    async fn priority_zone_history(&self, id: Uuid) -> StoreResult<Vec<ZoneEvent>>;

    // Exports.
    async fn record_export(&self, entry: &ExportLogEntry) -> StoreResult<()>;
    /// The project's exports, newest first.
    async fn list_exports(&self, project_id: Uuid) -> StoreResult<Vec<ExportLogEntry>>;
    /// How many exports `user` took since `since`, in every project (a rate limit).
    async fn count_exports_by(&self, user: Uuid, since: DateTime<Utc>) -> StoreResult<u32>;

    // Live changes.
    /// Announces a stored change to the live pages of every instance over this database.
    async fn publish(&self, change: &Change) -> StoreResult<()>;
    /// The changes announced by any instance over this database, from now on.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change>;
}

/// Which annotations a backend query reads.
#[derive(Clone, Copy)]
pub(crate) enum AnnotationsOf<'a> {
    Target(&'a AnnotationTarget, AnnotationPage),
    Project(Uuid),
}

/// A page of an annotation listing: at most `limit`, after the annotation `after`.
#[derive(Debug, Clone, Copy)]
pub struct AnnotationPage {
    pub after: Option<Uuid>,
    pub limit: usize,
}

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
/// applying migrations as needed.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    connect_with(url, &StoreOptions::default()).await
}

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
