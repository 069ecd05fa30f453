//! Boundary layers and saved priority zones (`PriorityStore`), for both backends (see
//! `store::sql`).

use async_trait::async_trait;
use chrono::Utc;
use tracing::instrument;
use uuid::Uuid;

use super::Backend;
use super::dialect::{Db, sql_id};
use super::rows;
use crate::domain::boundary::{BoundaryLayer, BoundaryLayerSummary};
use crate::domain::permit::{Moderation, Permit};
use crate::domain::zone::{PriorityZone, ZoneEvent};
use crate::store::{PriorityStore, StoreError, StoreResult, conflict_if_unique};

const ZONE_COLUMNS: &str = "id, project_id, name, status, notes, geometry, computed, revision,
    created_by, created_at, updated_at";

#[async_trait]
impl PriorityStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn create_boundary_layer(
        &self,
        _permit: &Permit<Moderation>,
        layer: &BoundaryLayer,
    ) -> StoreResult<()> {
        let units = BoundaryLayer::units_geojson(&layer.units).to_string();
        sqlx::query(
            "INSERT INTO boundary_layers (id, project_id, name, units, unit_count, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(sql_id(layer.id))
        .bind(sql_id(layer.project_id))
        .bind(&layer.name)
        .bind(units)
        .bind(layer.units.len() as i64)
        .bind(layer.created_by.map(sql_id))
        .bind(layer.created_at)
        .execute(self.writes())
        .await
        .map_err(conflict_if_unique(|| format!("the project already has a layer named {:?}", layer.name)))?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_boundary_layers(
        &self,
        project_id: Uuid,
    ) -> StoreResult<Vec<BoundaryLayerSummary>> {
        sqlx::query(
            "SELECT id, name, unit_count, created_at FROM boundary_layers
             WHERE project_id = $1 ORDER BY name",
        )
        .bind(sql_id(project_id))
        .fetch_all(self.reads())
        .await?
        .iter()
        .map(rows::boundary_summary)
        .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_boundary_layer(&self, id: Uuid) -> StoreResult<Option<BoundaryLayer>> {
        sqlx::query("SELECT * FROM boundary_layers WHERE id = $1")
            .bind(sql_id(id))
            .fetch_optional(self.reads())
            .await?
            .as_ref()
            .map(rows::boundary_layer)
            .transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn delete_boundary_layer(
        &self,
        _permit: &Permit<Moderation>,
        id: Uuid,
    ) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM boundary_layers WHERE id = $1")
            .bind(sql_id(id))
            .execute(self.writes())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn create_priority_zone(
        &self,
        zone: &PriorityZone,
        note: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO priority_zones ({ZONE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(sql_id(zone.id))
        .bind(sql_id(zone.project_id))
        .bind(&zone.name)
        .bind(zone.status.as_str())
        .bind(&zone.notes)
        .bind(&zone.geometry)
        .bind(zone.computed.to_string())
        .bind(zone.revision)
        .bind(zone.created_by.map(sql_id))
        .bind(zone.created_at)
        .bind(zone.updated_at)
        .execute(&mut *tx)
        .await?;
        record_event(&mut tx, zone, zone.created_by, note).await?;
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_priority_zones(&self, project_id: Uuid) -> StoreResult<Vec<PriorityZone>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ZONE_COLUMNS} FROM priority_zones WHERE project_id = $1 ORDER BY created_at"
        )))
        .bind(sql_id(project_id))
        .fetch_all(self.reads())
        .await?
        .iter()
        .map(rows::priority_zone)
        .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_priority_zone(&self, id: Uuid) -> StoreResult<Option<PriorityZone>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ZONE_COLUMNS} FROM priority_zones WHERE id = $1"
        )))
        .bind(sql_id(id))
        .fetch_optional(self.reads())
        .await?
        .as_ref()
        .map(rows::priority_zone)
        .transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn save_priority_zone(
        &self,
        zone: &PriorityZone,
        by: Uuid,
        note: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        let done = sqlx::query(
            "UPDATE priority_zones SET name = $1, status = $2, notes = $3, revision = $4, updated_at = $5
             WHERE id = $6 AND revision = $7",
        )
        .bind(&zone.name)
        .bind(zone.status.as_str())
        .bind(&zone.notes)
        .bind(zone.revision)
        .bind(zone.updated_at)
        .bind(sql_id(zone.id))
        .bind(zone.revision - 1)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::StaleRevision);
        }
        record_event(&mut tx, zone, Some(by), note).await?;
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn priority_zone_history(&self, id: Uuid) -> StoreResult<Vec<ZoneEvent>> {
        sqlx::query(
            "SELECT e.revision, e.at, e.status, e.note, u.username
             FROM priority_zone_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.zone_id = $1 ORDER BY e.revision",
        )
        .bind(sql_id(id))
        .fetch_all(self.reads())
        .await?
        .iter()
        .map(rows::zone_event)
        .collect()
    }
}

/// Files `zone`'s revision in its history, in `tx`: who (`by`), when, its status and why.
async fn record_event(
    tx: &mut sqlx::Transaction<'_, Db>,
    zone: &PriorityZone,
    by: Option<Uuid>,
    note: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO priority_zone_events (zone_id, revision, at, user_id, status, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sql_id(zone.id))
    .bind(zone.revision)
    .bind(Utc::now().max(zone.updated_at))
    .bind(by.map(sql_id))
    .bind(zone.status.as_str())
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
