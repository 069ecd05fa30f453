//! Workshops, their tables and participants (`WorkshopStore`), for both backends (see
//! `store::sql`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use tracing::instrument;
use uuid::Uuid;

use super::Backend;
use super::dialect::{DbRow, sql_id};
use super::rows::{self, uuid};
use crate::domain::consent::LegalBasis;
use crate::domain::permit::{Permit, WorkshopCreation, WorkshopManagement};
use crate::domain::workshop::{JoinCode, Workshop};
use crate::store::{
    NewToken, Participant, StoreError, StoreResult, WorkshopStore, WorkshopTally,
    conflict_if_unique,
};

#[async_trait]
impl WorkshopStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn create_workshop(
        &self,
        _permit: &Permit<WorkshopCreation>,
        workshop: &Workshop,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        sqlx::query(
            "INSERT INTO workshops (id, project_id, title, place, starts_at, ends_at, facilitator_id, status, join_code, created_at, joins_per_minute, legal_basis)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(sql_id(workshop.id))
        .bind(sql_id(workshop.project_id))
        .bind(&workshop.title)
        .bind(&workshop.place)
        .bind(workshop.starts_at)
        .bind(workshop.ends_at)
        .bind(workshop.facilitator_id.map(sql_id))
        .bind(workshop.status.as_str())
        .bind(workshop.join_code.as_str())
        .bind(workshop.created_at)
        .bind(workshop.joins_per_minute.map(i64::from))
        .bind(workshop.legal_basis.as_ref().map(basis_json).transpose()?)
        .execute(&mut *tx)
        .await
        .map_err(conflict_if_unique(|| "join code already in use".into()))?;
        if let Some(basis) = &workshop.legal_basis {
            keep_version(
                &mut tx,
                workshop.id,
                basis,
                workshop.facilitator_id,
                workshop.created_at,
            )
            .await?;
        }
        for (position, group) in workshop.groups.iter().enumerate() {
            sqlx::query(
                "INSERT INTO workshop_groups (id, workshop_id, name, position) VALUES ($1, $2, $3, $4)",
            )
            .bind(sql_id(group.id))
            .bind(sql_id(workshop.id))
            .bind(&group.name)
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_workshop(&self, id: Uuid) -> StoreResult<Option<Workshop>> {
        let row = sqlx::query("SELECT * FROM workshops WHERE id = $1")
            .bind(sql_id(id))
            .fetch_optional(self.reads())
            .await?;
        self.with_groups(row).await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_open_workshop_by_code(&self, code: &JoinCode) -> StoreResult<Option<Workshop>> {
        let row = sqlx::query("SELECT * FROM workshops WHERE join_code = $1 AND status = 'open'")
            .bind(code.as_str())
            .fetch_optional(self.reads())
            .await?;
        self.with_groups(row).await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_workshops(&self, project_id: Uuid) -> StoreResult<Vec<Workshop>> {
        let mut workshops: Vec<Workshop> =
            sqlx::query("SELECT * FROM workshops WHERE project_id = $1 ORDER BY created_at")
                .bind(sql_id(project_id))
                .fetch_all(self.reads())
                .await?
                .iter()
                .map(rows::workshop)
                .collect::<StoreResult<_>>()?;
        let groups = sqlx::query(
            "SELECT g.* FROM workshop_groups g JOIN workshops w ON w.id = g.workshop_id
             WHERE w.project_id = $1 ORDER BY g.position",
        )
        .bind(sql_id(project_id))
        .fetch_all(self.reads())
        .await?;
        for row in &groups {
            let workshop_id = uuid(row, "workshop_id")?;
            if let Some(w) = workshops.iter_mut().find(|w| w.id == workshop_id) {
                w.groups.push(rows::group(row)?);
            }
        }
        Ok(workshops)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn workshop_tallies(
        &self,
        project_id: Uuid,
    ) -> StoreResult<HashMap<Uuid, WorkshopTally>> {
        let rows = sqlx::query(
            "SELECT w.id,
                    (SELECT COUNT(*) FROM participants p WHERE p.workshop_id = w.id) AS participants,
                    (SELECT COUNT(*) FROM features f WHERE f.workshop_id = w.id AND f.deleted_at IS NULL) AS drawings
             FROM workshops w WHERE w.project_id = $1",
        )
        .bind(sql_id(project_id))
        .fetch_all(self.reads())
        .await?;
        let mut tallies = HashMap::new();
        for row in rows {
            let count = |name: &str| {
                row.try_get::<i64, _>(name)
                    .map(|n| u64::try_from(n).unwrap_or(0))
            };
            tallies.insert(
                uuid(&row, "id")?,
                WorkshopTally {
                    participants: count("participants")?,
                    drawings: count("drawings")?,
                },
            );
        }
        Ok(tallies)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn close_workshop(
        &self,
        permit: &Permit<WorkshopManagement>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE workshops SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'open'")
            .bind(now)
            .bind(sql_id(permit.operation().workshop))
            .execute(self.writes())
            .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn set_joins_per_minute(
        &self,
        permit: &Permit<WorkshopManagement>,
        joins: Option<u32>,
    ) -> StoreResult<()> {
        let changed = sqlx::query("UPDATE workshops SET joins_per_minute = $1 WHERE id = $2")
            .bind(joins.map(i64::from))
            .bind(sql_id(permit.operation().workshop))
            .execute(self.writes())
            .await?;
        if changed.rows_affected() == 0 {
            return Err(crate::store::StoreError::NotFound);
        }
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn reopen_workshop(&self, permit: &Permit<WorkshopManagement>) -> StoreResult<()> {
        sqlx::query("UPDATE workshops SET status = 'open', closed_at = NULL WHERE id = $1 AND status = 'closed'")
            .bind(sql_id(permit.operation().workshop))
            .execute(self.writes())
            .await
            .map_err(conflict_if_unique(|| "another open workshop has taken this workshop's join code meanwhile".into()))?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn create_participant(
        &self,
        participant: &Participant,
        token: &NewToken,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        sqlx::query("INSERT INTO participants (id, workshop_id, group_id, display_name, created_at, consent_version, consented_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(sql_id(participant.id))
            .bind(sql_id(participant.workshop_id))
            .bind(sql_id(participant.group_id))
            .bind(&participant.display_name)
            .bind(participant.created_at)
            .bind(participant.consent_version.map(i64::from))
            .bind(participant.consent_version.map(|_| participant.created_at))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO api_tokens (token_hash, participant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&token.hash)
            .bind(sql_id(participant.id))
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_legal_basis(
        &self,
        permit: &Permit<WorkshopManagement>,
        basis: &LegalBasis,
        set_by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let workshop = permit.operation().workshop;
        let mut tx = self.writes().begin().await?;
        let changed = sqlx::query("UPDATE workshops SET legal_basis = $1 WHERE id = $2")
            .bind(basis_json(basis)?)
            .bind(sql_id(workshop))
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        keep_version(&mut tx, workshop, basis, set_by, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn consents_given(&self, workshop_id: Uuid) -> StoreResult<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM participants WHERE workshop_id = $1 AND consent_version IS NOT NULL)
                  + (SELECT COUNT(*) FROM group_consents WHERE workshop_id = $1)",
        )
        .bind(sql_id(workshop_id))
        .fetch_one(self.reads())
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn participant_consent(&self, participant_id: Uuid) -> StoreResult<Option<u32>> {
        let version: Option<Option<i64>> =
            sqlx::query_scalar("SELECT consent_version FROM participants WHERE id = $1")
                .bind(sql_id(participant_id))
                .fetch_optional(self.reads())
                .await?;
        Ok(version.flatten().and_then(|v| u32::try_from(v).ok()))
    }

    async fn record_group_consent(
        &self,
        permit: &Permit<WorkshopManagement>,
        group_id: Uuid,
        version: u32,
        note: &str,
        recorded_by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO group_consents (group_id, workshop_id, version, note, recorded_by, recorded_at)
             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS
                 (SELECT 1 FROM workshop_groups WHERE id = $1 AND workshop_id = $2)",
        )
        .bind(sql_id(group_id))
        .bind(sql_id(permit.operation().workshop))
        .bind(i64::from(version))
        .bind(note)
        .bind(recorded_by.map(sql_id))
        .bind(now)
        .execute(self.writes())
        .await
        .map_err(conflict_if_unique(|| {
            "this table's agreement to this version is recorded already".into()
        }))
        .and_then(|done| {
            if done.rows_affected() == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
    }

    async fn group_consent(&self, group_id: Uuid) -> StoreResult<Option<u32>> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM group_consents WHERE group_id = $1")
                .bind(sql_id(group_id))
                .fetch_one(self.reads())
                .await?;
        Ok(version.and_then(|v| u32::try_from(v).ok()))
    }
}

/// A legal basis as the JSON the `legal_basis` column keeps.
fn basis_json(basis: &LegalBasis) -> StoreResult<String> {
    serde_json::to_string(basis).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Keeps a version of a workshop's legal basis (append-only): a consent given names it.
async fn keep_version(
    tx: &mut sqlx::Transaction<'_, super::dialect::Db>,
    workshop: Uuid,
    basis: &LegalBasis,
    set_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO legal_basis_versions (workshop_id, version, document, hash, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sql_id(workshop))
    .bind(i64::from(basis.version))
    .bind(basis_json(basis)?)
    .bind(&basis.hash)
    .bind(set_by.map(sql_id))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(conflict_if_unique(|| {
        "the legal basis changed meanwhile; read it again".into()
    }))?;
    Ok(())
}

impl Backend {
    /// The workshop of `row` with its tables in order; None for no row.
    #[instrument(skip_all, err(level = "debug"))]
    async fn with_groups(&self, row: Option<DbRow>) -> StoreResult<Option<Workshop>> {
        let Some(row) = row else { return Ok(None) };
        let mut workshop = rows::workshop(&row)?;
        workshop.groups =
            sqlx::query("SELECT * FROM workshop_groups WHERE workshop_id = $1 ORDER BY position")
                .bind(sql_id(workshop.id))
                .fetch_all(self.reads())
                .await?
                .iter()
                .map(rows::group)
                .collect::<StoreResult<_>>()?;
        Ok(Some(workshop))
    }
}
