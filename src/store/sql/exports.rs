//! The log of researcher exports (`ExportStore`), for both backends (see `store::sql`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tracing::instrument;
use uuid::Uuid;

use super::Backend;
use super::dialect::sql_id;
use super::rows;
use crate::domain::export::ExportLogEntry;
use crate::domain::permit::{Moderation, Permit};
use crate::store::{ExportStore, StoreResult};

#[async_trait]
impl ExportStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn record_export(&self, entry: &ExportLogEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO export_log (id, project_id, user_id, actor, at, content, format, privacy, parameters)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(sql_id(entry.id))
        .bind(sql_id(entry.project_id))
        .bind(entry.user_id.map(sql_id))
        .bind(&entry.actor)
        .bind(entry.at)
        .bind(&entry.content)
        .bind(&entry.format)
        .bind(entry.privacy.as_str())
        .bind(entry.parameters.to_string())
        .execute(self.writes())
        .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_exports(
        &self,
        _permit: &Permit<Moderation>,
        project_id: Uuid,
    ) -> StoreResult<Vec<ExportLogEntry>> {
        sqlx::query("SELECT * FROM export_log WHERE project_id = $1 ORDER BY at DESC")
            .bind(sql_id(project_id))
            .fetch_all(self.reads())
            .await?
            .iter()
            .map(rows::export_entry)
            .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn count_exports_by(&self, user: Uuid, since: DateTime<Utc>) -> StoreResult<u32> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM export_log WHERE user_id = $1 AND at >= $2")
                .bind(sql_id(user))
                .bind(since)
                .fetch_one(self.reads())
                .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}
