//! Files attached to drawings: the rows (the files are in the data folder, `trama::media`).

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::attachment::Attachment;
use crate::store::StoreResult;

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores an attachment's row.
    async fn add_attachment(&self, attachment: &Attachment) -> StoreResult<()>;
    /// A drawing's attachments, oldest first.
    async fn list_attachments(&self, feature_id: Uuid) -> StoreResult<Vec<Attachment>>;
    async fn find_attachment(&self, id: Uuid) -> StoreResult<Option<Attachment>>;
    /// Removes an attachment's row; false when there was none.
    async fn remove_attachment(&self, id: Uuid) -> StoreResult<bool>;
    /// Every attachment's id, for the sweep that removes the files of purged drawings.
    async fn attachment_ids(&self) -> StoreResult<Vec<Uuid>>;
}
