//! Live changes on SQLite: one process owns the file, so they travel in memory.

use super::SqliteStore;
use crate::domain::change::Change;
use crate::store::StoreResult;

impl SqliteStore {
    /// Hands a change to this process's live pages.
    pub(super) async fn announce(&self, change: &Change) -> StoreResult<()> {
        // No subscriber is not an error: nobody has a live page open.
        let _ = self.changes.send(change.clone());
        Ok(())
    }
}
