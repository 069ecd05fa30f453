//! The audit trail (`domain::audit`): appended to by every use case that does what matters
//! for people's safety, read by admins and analysts, verified by `trama audit verify`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::audit::{Checkpoint, Details, Door, Entry, Kind};
use crate::domain::permit::{Moderation, Permit};
use crate::store::StoreResult;

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `user:<id>`, `participant:<id>`, `operator`, `retention`.
    pub actor: Option<String>,
    pub door: Option<Door>,
    pub kind: Option<Kind>,
    /// Only this project's entries; `project_scoped` alone: any project's (not sign-ins or
    /// accounts).
    pub project: Option<Uuid>,
    pub project_scoped: bool,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Entries before this number (the next page).
    pub before: Option<u64>,
    pub limit: u32,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry of `kind` with `details` at `at`, chained to the last (entries are
    /// appended one at a time across instances). Answers it.
    async fn append_audit(
        &self,
        kind: Kind,
        details: &Details,
        at: DateTime<Utc>,
    ) -> StoreResult<Entry>;
    /// Up to `limit` entries after number `after`, in order (for verifying).
    async fn audit_entries(&self, after: u64, limit: u32) -> StoreResult<Vec<Entry>>;
    /// Entries matching `filter`, newest first.
    async fn list_audit(
        &self,
        permit: &Permit<Moderation>,
        filter: &AuditFilter,
    ) -> StoreResult<Vec<Entry>>;
    /// Keeps a signed checkpoint.
    async fn save_checkpoint(&self, checkpoint: &Checkpoint) -> StoreResult<()>;
    /// The latest checkpoint kept, if any.
    async fn latest_checkpoint(&self) -> StoreResult<Option<Checkpoint>>;
}
