//! Boundary layers and saved priority zones on SQLite.

use chrono::Utc;
use uuid::Uuid;

use super::SqliteStore;
use super::rows;
use crate::domain::boundary::{BoundaryLayer, BoundaryLayerSummary};
use crate::domain::export::ExportLogEntry;
use crate::domain::zone::{PriorityZone, ZoneEvent};
use crate::store::conflict_if_unique;
use crate::store::{StoreError, StoreResult};

const ZONE_COLUMNS: &str = "id, project_id, name, status, notes, geometry, computed, revision,
    created_by, created_at, updated_at";

impl SqliteStore {
    pub(super) async fn insert_boundary_layer(&self, layer: &BoundaryLayer) -> StoreResult<()> {
        let units = BoundaryLayer::units_geojson(&layer.units).to_string();
        sqlx::query(
            "INSERT INTO boundary_layers (id, project_id, name, units, unit_count, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(layer.id.hyphenated())
        .bind(layer.project_id.hyphenated())
        .bind(&layer.name)
        .bind(units)
        .bind(layer.units.len() as i64)
        .bind(layer.created_by.map(|u| u.hyphenated()))
        .bind(layer.created_at)
        .execute(&self.write)
        .await
        .map_err(conflict_if_unique(|| format!("the project already has a layer named {:?}", layer.name)))?;
        Ok(())
    }

    pub(super) async fn boundary_layers(
        &self,
        project_id: Uuid,
    ) -> StoreResult<Vec<BoundaryLayerSummary>> {
        sqlx::query(
            "SELECT id, name, unit_count, created_at FROM boundary_layers
             WHERE project_id = ? ORDER BY name",
        )
        .bind(project_id.hyphenated())
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(rows::boundary_summary)
        .collect()
    }

    pub(super) async fn boundary_layer(&self, id: Uuid) -> StoreResult<Option<BoundaryLayer>> {
        sqlx::query("SELECT * FROM boundary_layers WHERE id = ?")
            .bind(id.hyphenated())
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(rows::boundary_layer)
            .transpose()
    }

    pub(super) async fn remove_boundary_layer(&self, id: Uuid) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM boundary_layers WHERE id = ?")
            .bind(id.hyphenated())
            .execute(&self.write)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub(super) async fn insert_priority_zone(
        &self,
        zone: &PriorityZone,
        note: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO priority_zones ({ZONE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )))
        .bind(zone.id.hyphenated())
        .bind(zone.project_id.hyphenated())
        .bind(&zone.name)
        .bind(zone.status.as_str())
        .bind(&zone.notes)
        .bind(&zone.geometry)
        .bind(zone.computed.to_string())
        .bind(zone.revision)
        .bind(zone.created_by.map(|u| u.hyphenated()))
        .bind(zone.created_at)
        .bind(zone.updated_at)
        .execute(&mut *tx)
        .await?;
        record_event(&mut tx, zone, zone.created_by, note).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn priority_zones(&self, project_id: Uuid) -> StoreResult<Vec<PriorityZone>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ZONE_COLUMNS} FROM priority_zones WHERE project_id = ? ORDER BY created_at"
        )))
        .bind(project_id.hyphenated())
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(rows::priority_zone)
        .collect()
    }

    pub(super) async fn priority_zone(&self, id: Uuid) -> StoreResult<Option<PriorityZone>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ZONE_COLUMNS} FROM priority_zones WHERE id = ?"
        )))
        .bind(id.hyphenated())
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(rows::priority_zone)
        .transpose()
    }

    pub(super) async fn update_priority_zone(
        &self,
        zone: &PriorityZone,
        by: Uuid,
        note: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE priority_zones SET name = ?, status = ?, notes = ?, revision = ?, updated_at = ?
             WHERE id = ? AND revision = ?",
        )
        .bind(&zone.name)
        .bind(zone.status.as_str())
        .bind(&zone.notes)
        .bind(zone.revision)
        .bind(zone.updated_at)
        .bind(zone.id.hyphenated())
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

    pub(super) async fn zone_history(&self, id: Uuid) -> StoreResult<Vec<ZoneEvent>> {
        sqlx::query(
            "SELECT e.revision, e.at, e.status, e.note, u.username
             FROM priority_zone_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.zone_id = ? ORDER BY e.revision",
        )
        .bind(id.hyphenated())
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(rows::zone_event)
        .collect()
    }
}

impl SqliteStore {
    pub(super) async fn insert_export(&self, entry: &ExportLogEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO export_log (id, project_id, user_id, actor, at, content, format, privacy, parameters)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.id.hyphenated())
        .bind(entry.project_id.hyphenated())
        .bind(entry.user_id.map(|u| u.hyphenated()))
        .bind(&entry.actor)
        .bind(entry.at)
        .bind(&entry.content)
        .bind(&entry.format)
        .bind(entry.privacy.as_str())
        .bind(entry.parameters.to_string())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub(super) async fn exports(&self, project_id: Uuid) -> StoreResult<Vec<ExportLogEntry>> {
        sqlx::query("SELECT * FROM export_log WHERE project_id = ? ORDER BY at DESC")
            .bind(project_id.hyphenated())
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(rows::export_entry)
            .collect()
    }
}

async fn record_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    zone: &PriorityZone,
    by: Option<Uuid>,
    note: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO priority_zone_events (zone_id, revision, at, user_id, status, note)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(zone.id.hyphenated())
    .bind(zone.revision)
    .bind(Utc::now().max(zone.updated_at))
    .bind(by.map(|u| u.hyphenated()))
    .bind(zone.status.as_str())
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
