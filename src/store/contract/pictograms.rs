//! Pictograms (SVG) uploaded by admins for the legends.

use async_trait::async_trait;

use crate::domain::permit::{LegendEditing, Permit};
use crate::store::StoreResult;

#[async_trait]
pub trait PictogramStore: Send + Sync {
    /// Stores (or replaces) the pictogram of that name; `svg` was sanitised before.
    async fn save_pictogram(
        &self,
        permit: &Permit<LegendEditing>,
        name: &str,
        svg: &str,
    ) -> StoreResult<()>;
    /// The SVG text of that pictogram; None when there is none.
    async fn pictogram(&self, name: &str) -> StoreResult<Option<String>>;
    /// Every uploaded pictogram's name, sorted.
    async fn list_pictograms(&self) -> StoreResult<Vec<String>>;
}
