//! Projects, their privacy and their legends (`ProjectStore`), for both backends (see
//! `store::sql`).

use async_trait::async_trait;
use sqlx::QueryBuilder;
use tracing::instrument;
use uuid::Uuid;

use super::Backend;
use super::dialect::sql_id;
use super::rows;
use crate::domain::legend::Symbol;
use crate::domain::permit::{LegendEditing, Moderation, Permit, ProjectCreation};
use crate::domain::project::Project;
use crate::domain::retention::AfterRetention;
use crate::store::{ProjectStore, StoreError, StoreResult, conflict_if_unique};

#[async_trait]
impl ProjectStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn create_project(
        &self,
        _permit: &Permit<ProjectCreation>,
        project: &Project,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO projects (id, slug, name, description, default_locale, area, created_at, sensitive_exact,
                mask_min_m, mask_max_m, mask_resolution, mask_k, import_max_items, retention_months, retention_then,
                photo_max_mb, voice_note_max_seconds)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(sql_id(project.id))
        .bind(&project.slug)
        .bind(&project.name)
        .bind(&project.description)
        .bind(&project.default_locale)
        .bind(project.area.as_ref().map(|a| a.to_geojson_string()))
        .bind(project.created_at)
        .bind(project.sensitive_exact.as_str())
        .bind(project.masking.min_m)
        .bind(project.masking.max_m)
        .bind(i64::from(u8::from(project.masking.aggregate_resolution)))
        .bind(i64::from(project.masking.k))
        .bind(project.import_max_items.map(i64::from))
        .bind(project.retention.map(|r| i64::from(r.months)))
        .bind(project.retention.map_or(AfterRetention::Delete, |r| r.then).as_str())
        .bind(project.attachment_limits.photo_mb.map(i64::from))
        .bind(project.attachment_limits.voice_note_seconds.map(i64::from))
        .execute(self.writes())
        .await
        .map_err(conflict_if_unique(|| format!("a project with slug \"{}\" exists", project.slug)))?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_projects(&self) -> StoreResult<Vec<Project>> {
        sqlx::query("SELECT * FROM projects ORDER BY name")
            .fetch_all(self.reads())
            .await?
            .iter()
            .map(rows::project)
            .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_project(&self, slug: &str) -> StoreResult<Option<Project>> {
        let row = sqlx::query("SELECT * FROM projects WHERE slug = $1")
            .bind(slug)
            .fetch_optional(self.reads())
            .await?;
        row.as_ref().map(rows::project).transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_project_by_id(&self, id: Uuid) -> StoreResult<Option<Project>> {
        let row = sqlx::query("SELECT * FROM projects WHERE id = $1")
            .bind(sql_id(id))
            .fetch_optional(self.reads())
            .await?;
        row.as_ref().map(rows::project).transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn set_policies(
        &self,
        _permit: &Permit<Moderation>,
        project: &Project,
    ) -> StoreResult<()> {
        let masking = &project.masking;
        sqlx::query("UPDATE projects SET mask_min_m = $1, mask_max_m = $2, mask_resolution = $3, mask_k = $4, sensitive_exact = $5, import_max_items = $6, retention_months = $7, retention_then = $8, photo_max_mb = $9, voice_note_max_seconds = $10 WHERE id = $11")
            .bind(masking.min_m)
            .bind(masking.max_m)
            .bind(i64::from(u8::from(masking.aggregate_resolution)))
            .bind(i64::from(masking.k))
            .bind(project.sensitive_exact.as_str())
            .bind(project.import_max_items.map(i64::from))
            .bind(project.retention.map(|r| i64::from(r.months)))
            .bind(project.retention.map_or(AfterRetention::Delete, |r| r.then).as_str())
            .bind(project.attachment_limits.photo_mb.map(i64::from))
            .bind(project.attachment_limits.voice_note_seconds.map(i64::from))
            .bind(sql_id(project.id))
            .execute(self.writes())
            .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn legend(&self, project_id: Uuid) -> StoreResult<Vec<Symbol>> {
        sqlx::query("SELECT * FROM symbols WHERE project_id = $1 ORDER BY position")
            .bind(sql_id(project_id))
            .fetch_all(self.reads())
            .await?
            .iter()
            .map(rows::symbol)
            .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn replace_legend(
        &self,
        _permit: &Permit<LegendEditing>,
        project_id: Uuid,
        symbols: &[Symbol],
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        let in_use: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.key, COUNT(f.id) FROM symbols s JOIN features f ON f.symbol_id = s.id
             WHERE s.project_id = $1 GROUP BY s.key",
        )
        .bind(sql_id(project_id))
        .fetch_all(&mut *tx)
        .await?;
        let dropped: Vec<String> = in_use
            .iter()
            .filter(|(key, _)| !symbols.iter().any(|s| &s.key == key))
            .map(|(key, count)| format!("\"{key}\" ({count} features)"))
            .collect();
        if !dropped.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the legend would drop symbols still in use: {}; keep them or move their features first",
                dropped.join(", ")
            )));
        }
        let mut delete = QueryBuilder::new("DELETE FROM symbols WHERE project_id = ");
        delete.push_bind(sql_id(project_id));
        if !symbols.is_empty() {
            delete.push(" AND key NOT IN (");
            let mut keys = delete.separated(", ");
            for symbol in symbols {
                keys.push_bind(&symbol.key);
            }
            delete.push(")");
        }
        delete.build().execute(&mut *tx).await?;
        for (position, symbol) in symbols.iter().enumerate() {
            sqlx::query(
                "INSERT INTO symbols (id, project_id, key, labels, kind, geometry_types, color, icon, weight, sensitive, position, questions)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (project_id, key) DO UPDATE SET
                   labels = excluded.labels, kind = excluded.kind, geometry_types = excluded.geometry_types,
                   color = excluded.color, icon = excluded.icon, weight = excluded.weight,
                   sensitive = excluded.sensitive, position = excluded.position,
                   questions = excluded.questions",
            )
            .bind(sql_id(Uuid::new_v4()))
            .bind(sql_id(project_id))
            .bind(&symbol.key)
            .bind(sqlx::types::Json(&symbol.labels))
            .bind(symbol.kind.as_str())
            .bind(sqlx::types::Json(&symbol.geometry_types))
            .bind(&symbol.color)
            .bind(&symbol.icon)
            .bind(symbol.weight)
            .bind(symbol.sensitive)
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .bind(sqlx::types::Json(&symbol.questions))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
