//! Files attached to drawings: the rows (the files are in the data folder, `trama::media`).

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::attachment::Attachment;
use crate::store::StoreResult;

/// What storing an attachment came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    Stored,
    /// The drawing holds as many as it may.
    Full,
    /// One sent with the same key was stored first: this one is not.
    Earlier(Attachment),
    /// One sent with the same key was stored, then removed: it is not kept again.
    Removed,
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores an attachment's row, sent with `idempotency_key` when given, unless its drawing
    /// holds one sent with that key already, had one removed, or holds `max_per_drawing`
    /// (counted and inserted while other uploads to the drawing wait).
    async fn add_attachment(
        &self,
        attachment: &Attachment,
        idempotency_key: Option<&str>,
        max_per_drawing: usize,
    ) -> StoreResult<Added>;
    /// The attachment of drawing `feature_id` sent with `idempotency_key`.
    async fn find_attachment_sent(
        &self,
        feature_id: Uuid,
        idempotency_key: &str,
    ) -> StoreResult<Option<Attachment>>;
    /// A project's attachments, oldest first (a full export's).
    async fn list_project_attachments(&self, project_id: Uuid) -> StoreResult<Vec<Attachment>>;
    /// A drawing's attachments, oldest first.
    async fn list_attachments(&self, feature_id: Uuid) -> StoreResult<Vec<Attachment>>;
    async fn find_attachment(&self, id: Uuid) -> StoreResult<Option<Attachment>>;
    /// Removes an attachment's row; false when there was none. Whatever removes a row names
    /// it among the removed (a trigger), whose files are to go.
    async fn remove_attachment(&self, id: Uuid) -> StoreResult<bool>;
    /// Every attachment's id.
    async fn attachment_ids(&self) -> StoreResult<Vec<Uuid>>;
    /// The attachments removed (one by one or with their drawings' purge) whose files may
    /// still be in the data folder.
    async fn removed_attachments(&self) -> StoreResult<Vec<Uuid>>;
    /// Forgets removed attachments whose files are gone.
    async fn forget_removed_attachments(&self, ids: &[Uuid]) -> StoreResult<()>;
}
