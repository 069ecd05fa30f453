//! The log of researcher exports (who took what, when, how masked).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::export::ExportLogEntry;
use crate::domain::permit::{Moderation, Permit};
use crate::store::StoreResult;

#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Records an export taken.
    async fn record_export(&self, entry: &ExportLogEntry) -> StoreResult<()>;
    /// The project's exports, newest first.
    async fn list_exports(
        &self,
        permit: &Permit<Moderation>,
        project_id: Uuid,
    ) -> StoreResult<Vec<ExportLogEntry>>;
    /// How many exports `user` took since `since`, in every project (a rate limit).
    async fn count_exports_by(&self, user: Uuid, since: DateTime<Utc>) -> StoreResult<u32>;
}
