//! Live changes on PostgreSQL: several instances share one database, so a change is
//! announced with NOTIFY and every instance LISTENs.

use std::time::Duration;

use sqlx::PgPool;

use super::PostgresStore;
use crate::domain::change::Change;
use crate::store::{StoreError, StoreResult};

/// The NOTIFY channel live changes travel on between instances.
const CHANGES_CHANNEL: &str = "trama_changes";

/// Forwards NOTIFYs from every instance (this one included) to this instance's live pages.
/// The listener reconnects by itself after the database restarts; changes announced while
/// it was away are lost, and pages reload on their next reconnect.
pub(super) fn spawn_listener(pool: PgPool, changes: tokio::sync::broadcast::Sender<Change>) {
    tokio::spawn(async move {
        loop {
            let listener = async {
                let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
                listener.listen(CHANGES_CHANNEL).await?;
                loop {
                    let notification = listener.recv().await?;
                    if let Ok(change) = serde_json::from_str::<Change>(notification.payload()) {
                        let _ = changes.send(change);
                    }
                }
                #[allow(unreachable_code)]
                Ok::<(), sqlx::Error>(())
            };
            if let Err(error) = listener.await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(%error, "live changes: listening again shortly");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
}

impl PostgresStore {
    /// Announces a change to every instance over this database (this one included, through
    /// its own listener).
    pub(super) async fn announce(&self, change: &Change) -> StoreResult<()> {
        let payload =
            serde_json::to_string(change).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANGES_CHANNEL)
            .bind(payload)
            .execute(self.writes())
            .await?;
        Ok(())
    }
}
