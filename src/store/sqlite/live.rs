//! Live changes on SQLite: one process owns the file, so they travel in memory.

use async_trait::async_trait;

use super::SqliteStore;
use crate::domain::change::Change;
use crate::store::{LiveStore, StoreResult};

#[async_trait]
impl LiveStore for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.reads()).await?;
        Ok(())
    }

    async fn publish(&self, change: &Change) -> StoreResult<()> {
        // No subscriber is not an error: nobody has a live page open.
        let _ = self.changes.send(change.clone());
        Ok(())
    }

    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }
}
