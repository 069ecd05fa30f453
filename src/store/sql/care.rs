//! Purges (`CareStore`), for both backends (see `store::sql`); the scrub after them is each
//! backend's own (`dialect::scrub`).

use async_trait::async_trait;
use sqlx::Row;
use tracing::instrument;
use uuid::Uuid;

use super::Backend;
use super::dialect::{self, Db, sql_id};
use super::rows::uuid;
use crate::domain::permit::{Permit, WorkshopManagement};
use crate::domain::retention::{KeptCount, Purged};
use crate::store::{CareStore, PurgeOutcome, PurgeScope, StoreError, StoreResult};

/// Which participants and which drawings a scope covers: SQL conditions on `participants`
/// and on `features` over `$1` (the workshop) and, for a table or a participant, `$2`.
fn conditions(scope: PurgeScope) -> (&'static str, &'static str, Option<Uuid>) {
    match scope {
        PurgeScope::Workshop => ("workshop_id = $1", "workshop_id = $1", None),
        PurgeScope::Table(group) => (
            "workshop_id = $1 AND group_id = $2",
            "workshop_id = $1 AND group_id = $2",
            Some(group),
        ),
        PurgeScope::Participant(participant) => (
            "workshop_id = $1 AND id = $2",
            "workshop_id = $1 AND participant_id = $2",
            Some(participant),
        ),
    }
}

#[async_trait]
impl CareStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn purge(
        &self,
        permit: &Permit<WorkshopManagement>,
        scope: PurgeScope,
        keep: &[KeptCount],
        dry_run: bool,
    ) -> StoreResult<PurgeOutcome> {
        let workshop = permit.operation().workshop;
        let (people, drawings, second) = conditions(scope);
        let mut tx = self.writes().begin().await?;
        // Each statement over the scope's conditions, in an order the foreign keys allow.
        // Safe: the conditions are this module's constants, the ids are bound.
        let bound = |sql: String| {
            let query = sqlx::query::<Db>(sqlx::AssertSqlSafe(sql)).bind(sql_id(workshop));
            match second {
                Some(id) => query.bind(sql_id(id)),
                None => query,
            }
        };
        macro_rules! run {
            ($sql:expr) => {
                bound($sql).execute(&mut *tx).await?.rows_affected()
            };
        }
        macro_rules! ids {
            ($sql:expr) => {
                bound($sql)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|row| uuid(row, "id"))
                    .collect::<StoreResult<Vec<Uuid>>>()?
            };
        }
        let kept_at = chrono::Utc::now();
        for kept in keep {
            sqlx::query(
                "INSERT INTO kept_counts (workshop_id, symbol, cell, count, kept_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (workshop_id, symbol, cell)
                 DO UPDATE SET count = kept_counts.count + excluded.count, kept_at = excluded.kept_at",
            )
            .bind(sql_id(kept.workshop))
            .bind(&kept.symbol)
            .bind(kept.cell.to_string())
            .bind(i64::from(kept.count))
            .bind(kept_at)
            .execute(&mut *tx)
            .await?;
        }
        let drawing_ids = ids!(format!("SELECT id FROM features WHERE {drawings}"));
        let participant_ids = ids!(format!("SELECT id FROM participants WHERE {people}"));
        let mut purged = Purged {
            // A retried submission's kept answer holds the drawing whole: by whom it was sent
            // (a participant's), or naming a removed drawing (a facilitator's for the table).
            idempotency_records: run!(format!(
                "DELETE FROM idempotency_keys
                 WHERE principal IN (SELECT 'participant:' || id FROM participants WHERE {people})
                    OR EXISTS (SELECT 1 FROM features f WHERE {drawings}
                               AND idempotency_keys.response LIKE '%' || f.id || '%')"
            )),
            // Comments on the drawings, by the participants, and the narratives written for
            // the table (or the workshop), staff's included: they may transcribe what was said.
            comments: run!(format!(
                "DELETE FROM annotations
                 WHERE feature_id IN (SELECT id FROM features WHERE {drawings})
                    OR participant_id IN (SELECT id FROM participants WHERE {people})
                    OR ({drawings})"
            )),
            cell_counts_kept: keep.len() as u64,
            revisions: run!(format!(
                "DELETE FROM feature_revisions WHERE id IN (SELECT id FROM features WHERE {drawings})"
            )),
            ..Purged::default()
        };
        // Photos and notes of the drawings and by the participants: named among the removed
        // (a trigger), their files removed by the caller once this commits (and by a sweep,
        // should that fail).
        let photos = format!(
            "FROM attachments WHERE feature_id IN (SELECT id FROM features WHERE {drawings})
                OR participant_id IN (SELECT id FROM participants WHERE {people})"
        );
        let attachment_ids = ids!(format!("DELETE {photos} RETURNING id"));
        purged.attachments = attachment_ids.len() as u64;
        run!(format!(
            "UPDATE features SET merged_into = NULL
             WHERE merged_into IN (SELECT id FROM features WHERE {drawings})"
        ));
        purged.drawings = run!(format!("DELETE FROM features WHERE {drawings}"));
        purged.sessions = run!(format!(
            "DELETE FROM api_tokens WHERE participant_id IN (SELECT id FROM participants WHERE {people})"
        ));
        purged.table_consents = match scope {
            PurgeScope::Participant(_) => 0,
            _ => run!(format!("DELETE FROM group_consents WHERE {drawings}")),
        };
        // What they did stays in the audit trail as a link of its chain, without who they were.
        purged.audit_entries_erased = run!(format!(
            "UPDATE audit_log SET details = NULL, salt = NULL, actor = NULL
             WHERE actor IN (SELECT 'participant:' || id FROM participants WHERE {people})"
        ));
        purged.participants = run!(format!("DELETE FROM participants WHERE {people}"));
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(PurgeOutcome {
            counts: purged,
            drawings: drawing_ids,
            participants: participant_ids,
            attachments: attachment_ids,
        })
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn participants_ending(&self, workshop_id: Uuid, suffix: &str) -> StoreResult<Vec<Uuid>> {
        // `suffix` is hex and dashes only (the caller checks), so it has no LIKE wildcard.
        sqlx::query(
            "SELECT id FROM participants WHERE workshop_id = $1 AND CAST(id AS TEXT) LIKE '%' || $2",
        )
        .bind(sql_id(workshop_id))
        .bind(suffix)
        .fetch_all(self.reads())
        .await?
        .iter()
        .map(|row| uuid(row, "id"))
        .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn kept_counts(
        &self,
        project_id: Uuid,
        workshops: Option<&[Uuid]>,
    ) -> StoreResult<Vec<KeptCount>> {
        let rows = sqlx::query(
            "SELECT k.workshop_id, k.symbol, k.cell, k.count FROM kept_counts k
             JOIN workshops w ON w.id = k.workshop_id
             WHERE w.project_id = $1
             ORDER BY k.workshop_id, k.symbol, k.cell",
        )
        .bind(sql_id(project_id))
        .fetch_all(self.reads())
        .await?;
        let mut kept = Vec::with_capacity(rows.len());
        for row in &rows {
            let workshop = uuid(row, "workshop_id")?;
            if workshops.is_some_and(|only| !only.contains(&workshop)) {
                continue;
            }
            let cell: String = row.try_get("cell")?;
            let count: i64 = row.try_get("count")?;
            kept.push(KeptCount {
                workshop,
                symbol: row.try_get("symbol")?,
                cell: cell
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("kept_counts.cell: {cell:?}")))?,
                count: u32::try_from(count)
                    .map_err(|_| StoreError::Corrupt(format!("kept_counts.count: {count}")))?,
            });
        }
        Ok(kept)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn scrub(&self) -> StoreResult<()> {
        dialect::scrub(self).await
    }
}
