//! The database as a live service: whether it answers, and the changes it carries to every
//! instance's live pages.

use async_trait::async_trait;
use tokio::sync::broadcast::Receiver;

use crate::domain::change::Change;
use crate::store::StoreResult;

#[async_trait]
pub trait LiveStore: Send + Sync {
    /// Cheap round trip to the database, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;
    /// Announces a stored change to the live pages of every instance over this database.
    async fn publish(&self, change: &Change) -> StoreResult<()>;
    /// The changes announced by any instance over this database, from now on; a receiver
    /// that lags more than `CHANGE_BUFFER` changes behind is told so (and its page reloads).
    fn subscribe(&self) -> Receiver<Change>;
}
