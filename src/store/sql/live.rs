//! The database as a live service (`LiveStore`), for both backends (see `store::sql`): how a
//! change travels to the other instances is the backend's own (`live::announce`).

use async_trait::async_trait;
use tokio::sync::broadcast::Receiver;
use tracing::instrument;

use super::Backend;
use crate::domain::change::Change;
use crate::store::{LiveStore, StoreResult};

#[async_trait]
impl LiveStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.reads()).await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn publish(&self, change: &Change) -> StoreResult<()> {
        self.announce(change).await
    }

    fn subscribe(&self) -> Receiver<Change> {
        self.changes.subscribe()
    }
}
