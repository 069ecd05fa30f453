//! Attachments' rows (`AttachmentStore`), for both backends (see `store::sql`).

use async_trait::async_trait;
use sqlx::Row;
use tracing::instrument;
use uuid::Uuid;

use super::dialect::{self, DbRow, sql_id};
use super::rows::{self, opt_uuid, uuid};
use super::{Backend, author_ids};
use crate::domain::attachment::{Attachment, AttachmentKind};
use crate::store::{Added, AttachmentStore, StoreError, StoreResult};

const SELECT: &str = "SELECT a.*, p.display_name, u.username FROM attachments a
     LEFT JOIN participants p ON p.id = a.participant_id
     LEFT JOIN users u ON u.id = a.user_id";

fn attachment(row: &DbRow) -> StoreResult<Attachment> {
    let kind: String = row.try_get("kind")?;
    let size = |column: &str| -> StoreResult<Option<u32>> {
        Ok(row
            .try_get::<Option<i32>, _>(column)?
            .and_then(|n| u32::try_from(n).ok()))
    };
    Ok(Attachment {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        feature_id: uuid(row, "feature_id")?,
        annotation_id: opt_uuid(row, "annotation_id")?,
        author: rows::author(row)?,
        kind: AttachmentKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("attachment kind: {kind:?}")))?,
        media_type: row.try_get("media_type")?,
        width: size("width")?,
        height: size("height")?,
        duration_ms: size("duration_ms")?,
        bytes: u64::try_from(row.try_get::<i64, _>("bytes")?).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl AttachmentStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn add_attachment(
        &self,
        a: &Attachment,
        idempotency_key: Option<&str>,
        max_per_drawing: usize,
    ) -> StoreResult<Added> {
        let (participant_id, user_id) = author_ids(&a.author);
        let size = |n: Option<u32>| n.and_then(|n| i32::try_from(n).ok());
        let mut tx = self.writes().begin().await?;
        // Two uploads to one drawing count one after the other (PostgreSQL: an advisory lock
        // on the drawing; SQLite: one writer).
        dialect::serialize_attempts(&mut tx, "attachments", &a.feature_id.to_string()).await?;
        if let Some(key) = idempotency_key {
            let earlier = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE a.feature_id = $1 AND a.idempotency_key = $2"
            )))
            .bind(sql_id(a.feature_id))
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = earlier {
                return Ok(Added::Earlier(attachment(&row)?));
            }
            let removed: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM removed_attachment_keys WHERE feature_id = $1 AND idempotency_key = $2",
            )
            .bind(sql_id(a.feature_id))
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            if removed > 0 {
                return Ok(Added::Removed);
            }
        }
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE feature_id = $1")
                .bind(sql_id(a.feature_id))
                .fetch_one(&mut *tx)
                .await?;
        if usize::try_from(held).unwrap_or(usize::MAX) >= max_per_drawing {
            return Ok(Added::Full);
        }
        sqlx::query(
            "INSERT INTO attachments (id, project_id, feature_id, participant_id, user_id, kind,
                media_type, width, height, bytes, created_at, idempotency_key, duration_ms,
                annotation_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(sql_id(a.id))
        .bind(sql_id(a.project_id))
        .bind(sql_id(a.feature_id))
        .bind(participant_id.map(sql_id))
        .bind(user_id.map(sql_id))
        .bind(a.kind.as_str())
        .bind(&a.media_type)
        .bind(size(a.width))
        .bind(size(a.height))
        .bind(i64::try_from(a.bytes).unwrap_or(i64::MAX))
        .bind(a.created_at)
        .bind(idempotency_key)
        .bind(size(a.duration_ms))
        .bind(a.annotation_id.map(sql_id))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Added::Stored)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_attachment_sent(
        &self,
        feature_id: Uuid,
        idempotency_key: &str,
    ) -> StoreResult<Option<Attachment>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE a.feature_id = $1 AND a.idempotency_key = $2"
        )))
        .bind(sql_id(feature_id))
        .bind(idempotency_key)
        .fetch_optional(self.reads())
        .await?
        .as_ref()
        .map(attachment)
        .transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_attachments(&self, feature_id: Uuid) -> StoreResult<Vec<Attachment>> {
        oldest_first(self, "a.feature_id", feature_id).await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_project_attachments(&self, project_id: Uuid) -> StoreResult<Vec<Attachment>> {
        oldest_first(self, "a.project_id", project_id).await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_attachment(&self, id: Uuid) -> StoreResult<Option<Attachment>> {
        sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1")))
            .bind(sql_id(id))
            .fetch_optional(self.reads())
            .await?
            .as_ref()
            .map(attachment)
            .transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn remove_attachment(&self, id: Uuid) -> StoreResult<bool> {
        Ok(sqlx::query("DELETE FROM attachments WHERE id = $1")
            .bind(sql_id(id))
            .execute(self.writes())
            .await?
            .rows_affected()
            > 0)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn attachment_ids(&self) -> StoreResult<Vec<Uuid>> {
        ids(self, "SELECT id FROM attachments").await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn removed_attachments(&self) -> StoreResult<Vec<Uuid>> {
        ids(self, "SELECT id FROM removed_attachments").await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn forget_removed_attachments(&self, ids: &[Uuid]) -> StoreResult<()> {
        for chunk in ids.chunks(500) {
            let mut query = sqlx::QueryBuilder::<dialect::Db>::new(
                "DELETE FROM removed_attachments WHERE id IN (",
            );
            let mut each = query.separated(", ");
            for id in chunk {
                each.push_bind(sql_id(*id));
            }
            query.push(")");
            query.build().execute(self.writes()).await?;
        }
        Ok(())
    }
}

/// The attachments whose `column` (one of this module's) is `id`, oldest first.
async fn oldest_first(
    backend: &Backend,
    column: &'static str,
    id: Uuid,
) -> StoreResult<Vec<Attachment>> {
    // Safe: `column` is this module's constant, the id is bound.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {column} = $1 ORDER BY a.created_at, a.id"
    )))
    .bind(sql_id(id))
    .fetch_all(backend.reads())
    .await?
    .iter()
    .map(attachment)
    .collect()
}

/// The ids a one-column query answers.
async fn ids(backend: &Backend, sql: &'static str) -> StoreResult<Vec<Uuid>> {
    sqlx::query(sql)
        .fetch_all(backend.reads())
        .await?
        .iter()
        .map(|row| uuid(row, "id"))
        .collect()
}
