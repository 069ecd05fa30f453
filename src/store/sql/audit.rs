//! The audit trail (`AuditStore`), for both backends (see `store::sql`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use tracing::instrument;

use super::Backend;
use super::dialect::{self, DbRow, sql_id};
use crate::domain::audit::{Checkpoint, Details, Entry, Kind, Listed};
use crate::domain::permit::{Moderation, Permit};
use crate::store::{AuditFilter, AuditStore, StoreError, StoreResult};

fn entry(row: &DbRow) -> StoreResult<Entry> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("audit entry: {what}"));
    let seq: i64 = row.try_get("seq")?;
    let kind: String = row.try_get("kind")?;
    let details: Option<String> = row.try_get("details")?;
    Ok(Entry {
        seq: u64::try_from(seq).map_err(|_| corrupt("seq"))?,
        at: row.try_get("at")?,
        kind: Kind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        erasable: row.try_get("erasable")?,
        listed: Listed {
            actor: row.try_get("actor")?,
            door: row.try_get("door")?,
            project: dialect::opt_uuid(row, "project_id")?,
        },
        details: details
            .map(|text| serde_json::from_str::<Details>(&text))
            .transpose()
            .map_err(|e| corrupt(&e.to_string()))?,
        salt: row.try_get("salt")?,
        commitment: row.try_get("commitment")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

#[async_trait]
impl AuditStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn append_audit(
        &self,
        kind: Kind,
        details: &Details,
        at: DateTime<Utc>,
    ) -> StoreResult<Entry> {
        let mut tx = dialect::begin_audit(self).await?;
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| -> StoreResult<(u64, String)> {
                let seq: i64 = row.try_get("seq")?;
                Ok((u64::try_from(seq).unwrap_or(0), row.try_get("hash")?))
            })
            .transpose()?;
        let entry = Entry::next(
            last.as_ref().map(|(seq, hash)| (*seq, hash.as_str())),
            at,
            kind,
            details.clone(),
        );
        sqlx::query(
            "INSERT INTO audit_log (seq, at, kind, erasable, actor, door, project_id, details, salt, commitment, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(i64::try_from(entry.seq).unwrap_or(i64::MAX))
        .bind(entry.at)
        .bind(kind.as_str())
        .bind(entry.erasable)
        .bind(&details.actor)
        .bind(details.door.as_str())
        .bind(details.project.map(sql_id))
        .bind(details.canonical())
        .bind(entry.salt.as_deref())
        .bind(&entry.commitment)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn audit_entries(&self, after: u64, limit: u32) -> StoreResult<Vec<Entry>> {
        sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(self.reads())
            .await?
            .iter()
            .map(entry)
            .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_audit(
        &self,
        _permit: &Permit<Moderation>,
        filter: &AuditFilter,
    ) -> StoreResult<Vec<Entry>> {
        sqlx::query(
            "SELECT * FROM audit_log
             WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR door = $2)
               AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR project_id = $4)
               AND (NOT $5 OR project_id IS NOT NULL)
               AND ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR at < $7)
               AND ($8 IS NULL OR seq < $8)
             ORDER BY seq DESC LIMIT $9",
        )
        .bind(filter.actor.as_deref())
        .bind(filter.door.map(|d| d.as_str()))
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.project.map(sql_id))
        .bind(filter.project_scoped)
        .bind(filter.since)
        .bind(filter.until)
        .bind(filter.before.map(|b| i64::try_from(b).unwrap_or(i64::MAX)))
        .bind(i64::from(filter.limit))
        .fetch_all(self.reads())
        .await?
        .iter()
        .map(entry)
        .collect()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn save_checkpoint(&self, checkpoint: &Checkpoint) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_checkpoints (count, head, at, public_key, signature)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(i64::try_from(checkpoint.count).unwrap_or(i64::MAX))
        .bind(&checkpoint.head)
        .bind(checkpoint.at)
        .bind(&checkpoint.public_key)
        .bind(&checkpoint.signature)
        .execute(self.writes())
        .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn latest_checkpoint(&self) -> StoreResult<Option<Checkpoint>> {
        let Some(row) =
            sqlx::query("SELECT * FROM audit_checkpoints ORDER BY count DESC, at DESC LIMIT 1")
                .fetch_optional(self.reads())
                .await?
        else {
            return Ok(None);
        };
        let count: i64 = row.try_get("count")?;
        Ok(Some(Checkpoint {
            count: u64::try_from(count).unwrap_or(0),
            head: row.try_get("head")?,
            at: row.try_get("at")?,
            public_key: row.try_get("public_key")?,
            signature: row.try_get("signature")?,
        }))
    }
}
