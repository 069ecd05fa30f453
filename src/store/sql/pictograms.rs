//! Uploaded pictograms (`PictogramStore`), for both backends (see `store::sql`).

use async_trait::async_trait;
use chrono::Utc;
use tracing::instrument;

use super::Backend;
use crate::domain::permit::{LegendEditing, Permit};
use crate::store::{PictogramStore, StoreResult};

#[async_trait]
impl PictogramStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn save_pictogram(
        &self,
        _permit: &Permit<LegendEditing>,
        name: &str,
        svg: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pictograms (name, svg, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET svg = excluded.svg, created_at = excluded.created_at",
        )
        .bind(name)
        .bind(svg)
        .bind(Utc::now())
        .execute(self.writes())
        .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn pictogram(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT svg FROM pictograms WHERE name = $1")
                .bind(name)
                .fetch_optional(self.reads())
                .await?,
        )
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_pictograms(&self) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT name FROM pictograms ORDER BY name")
                .fetch_all(self.reads())
                .await?,
        )
    }
}
