//! Drawings, their revisions and idempotent answers (`FeatureStore`), for both backends (see
//! `store::sql`). The listings are each backend's own (`listings`): SQLite reads them through
//! its R*Tree with connections of their own, PostgreSQL through a GiST index.

use std::collections::HashMap;

use async_trait::async_trait;
use futures::stream::BoxStream;
use sqlx::{QueryBuilder, Row};
use tracing::instrument;
use uuid::Uuid;

use super::dialect::{Db, sql_id};
use super::rows::{self, FEATURE_COLUMNS, FEATURE_JOINS, opt_uuid, uuid};
use super::{Backend, author_ids};
use crate::domain::feature::{Author, Feature, FeatureFilter};
use crate::domain::permit::{Permit, Revision};
use crate::store::{
    FeatureOutline, FeatureRevision, FeatureStore, IdempotentResponse, StoreError, StoreResult,
    conflict_if_unique,
};

/// Features per multi-row INSERT: 26 bound parameters each, well under SQLite's 32,766 and
/// PostgreSQL's 65,535.
const ROWS_PER_STATEMENT: usize = 500;

#[async_trait]
impl FeatureStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn insert_features(
        &self,
        features: &[Feature],
        answer: Option<&IdempotentResponse>,
    ) -> StoreResult<()> {
        let mut tx = self.writes().begin().await?;
        if let Some(answer) = answer {
            sqlx::query(
                "INSERT INTO idempotency_keys (principal, key, request_hash, status, response, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&answer.principal)
            .bind(&answer.key)
            .bind(&answer.request_hash)
            .bind(i32::from(answer.status))
            .bind(&answer.body)
            .bind(chrono::Utc::now())
            .execute(&mut *tx)
            .await
            .map_err(conflict_if_unique(|| "idempotency key stored concurrently".into()))?;
        }
        // Symbol keys to ids, one query per project in the batch (in practice, one).
        let mut symbol_ids: HashMap<(Uuid, String), Uuid> = HashMap::new();
        let mut projects: Vec<Uuid> = features.iter().map(|f| f.project_id).collect();
        projects.dedup();
        for project in projects {
            let symbols = sqlx::query("SELECT key, id FROM symbols WHERE project_id = $1")
                .bind(sql_id(project))
                .fetch_all(&mut *tx)
                .await?;
            for symbol in &symbols {
                symbol_ids.insert((project, symbol.try_get("key")?), uuid(symbol, "id")?);
            }
        }
        if let Some(gone) = features
            .iter()
            .find(|f| !symbol_ids.contains_key(&(f.project_id, f.symbol.clone())))
        {
            return Err(StoreError::Conflict(format!(
                "symbol \"{}\" left the legend",
                gone.symbol
            )));
        }
        // A participant's drawings go only into a workshop still open when they are stored:
        // checked and held in this transaction (the no-op update locks the workshop's row, so
        // a closing waits for these drawings, or these drawings see it closed). Before, drawings
        // in flight when a workshop closed were stored after it had (8 of 1,872).
        let mut by_participants: Vec<Uuid> = features
            .iter()
            .filter(|f| matches!(f.author, Author::Participant { .. }))
            .filter_map(|f| f.workshop_id)
            .collect();
        by_participants.sort_unstable();
        by_participants.dedup();
        for workshop in by_participants {
            let open = sqlx::query(
                "UPDATE workshops SET status = status WHERE id = $1 AND status = 'open'",
            )
            .bind(sql_id(workshop))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if open == 0 {
                return Err(StoreError::Conflict(
                    "the workshop closed before these drawings were stored".into(),
                ));
            }
        }
        // Many rows per statement: each statement is a round trip to the server (to SQLite's
        // worker thread), which costs more than the insert itself.
        for chunk in features.chunks(ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO features (id, project_id, workshop_id, group_id, participant_id, user_id, symbol_id,
                    geometry, min_x, min_y, max_x, max_y, title, description, answers, review_state,
                    review_reason, reviewer_id, merged_into, hidden, revision, created_at, updated_at,
                    deleted_at, last_action, changed_by_participant_id, changed_by_user_id) ",
            );
            insert.push_values(chunk, |mut row, feature| {
                let (participant_id, user_id) = author_ids(&feature.author);
                let b = feature.bbox;
                row.push_bind(sql_id(feature.id))
                    .push_bind(sql_id(feature.project_id))
                    .push_bind(feature.workshop_id.map(sql_id))
                    .push_bind(feature.group_id.map(sql_id))
                    .push_bind(participant_id.map(sql_id))
                    .push_bind(user_id.map(sql_id))
                    .push_bind(sql_id(
                        symbol_ids[&(feature.project_id, feature.symbol.clone())],
                    ))
                    .push_bind(feature.geometry.as_str())
                    .push_bind(b.min_x)
                    .push_bind(b.min_y)
                    .push_bind(b.max_x)
                    .push_bind(b.max_y)
                    .push_bind(feature.title.as_deref())
                    .push_bind(feature.description.as_deref())
                    .push_bind(sqlx::types::Json(&feature.answers))
                    .push_bind(feature.review_state.as_str())
                    .push_bind(feature.review_reason.as_deref())
                    .push_bind(feature.reviewer_id.map(sql_id))
                    .push_bind(feature.merged_into.map(sql_id))
                    .push_bind(feature.hidden)
                    .push_bind(feature.revision)
                    .push_bind(feature.created_at)
                    .push_bind(feature.updated_at)
                    .push_bind(feature.deleted_at)
                    .push_bind("create")
                    .push_bind(participant_id.map(sql_id))
                    .push_bind(user_id.map(sql_id));
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn idempotent_response(
        &self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotentResponse>> {
        let row = sqlx::query("SELECT * FROM idempotency_keys WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_optional(self.reads())
            .await?;
        row.map(|row| {
            Ok(IdempotentResponse {
                principal: row.try_get("principal")?,
                key: row.try_get("key")?,
                request_hash: row.try_get("request_hash")?,
                status: u16::try_from(row.try_get::<i32, _>("status")?).unwrap_or(500),
                body: row.try_get("response")?,
            })
        })
        .transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>> {
        self.query_features(project_id, filter).await
    }

    fn stream_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<Feature>> {
        self.feature_stream(project_id, filter)
    }

    fn stream_outlines(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<FeatureOutline>> {
        self.outline_stream(project_id, filter)
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_feature(&self, id: Uuid) -> StoreResult<Option<Feature>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FEATURE_COLUMNS} FROM features f {FEATURE_JOINS} WHERE f.id = $1"
        )))
        .bind(sql_id(id))
        .fetch_optional(self.reads())
        .await?;
        row.as_ref().map(rows::feature).transpose()
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn save_feature_revision(
        &self,
        permit: &Permit<Revision>,
        feature: &Feature,
        action: &str,
        actor: &Author,
    ) -> StoreResult<()> {
        if permit.operation().feature != feature.id {
            return Err(StoreError::NotFound);
        }
        let (actor_participant, actor_user) = author_ids(actor);
        let b = feature.bbox;
        // The trigger `features_keep_revision` files the previous version in the history.
        let updated: Option<i64> = sqlx::query_scalar(
            "UPDATE features SET
                symbol_id = (SELECT id FROM symbols WHERE project_id = features.project_id AND key = $1),
                geometry = $2, min_x = $3, min_y = $4, max_x = $5, max_y = $6, title = $7, description = $8,
                review_state = $9, review_reason = $10, reviewer_id = $11, merged_into = $12, hidden = $13,
                revision = $14, updated_at = $15, deleted_at = $16,
                last_action = $17, changed_by_participant_id = $18, changed_by_user_id = $19,
                answers = $22
             WHERE id = $20 AND revision = $21
             RETURNING revision",
        )
        .bind(&feature.symbol)
        .bind(&feature.geometry)
        .bind(b.min_x)
        .bind(b.min_y)
        .bind(b.max_x)
        .bind(b.max_y)
        .bind(&feature.title)
        .bind(&feature.description)
        .bind(feature.review_state.as_str())
        .bind(&feature.review_reason)
        .bind(feature.reviewer_id.map(sql_id))
        .bind(feature.merged_into.map(sql_id))
        .bind(feature.hidden)
        .bind(feature.revision)
        .bind(feature.updated_at)
        .bind(feature.deleted_at)
        .bind(action)
        .bind(actor_participant.map(sql_id))
        .bind(actor_user.map(sql_id))
        .bind(sql_id(feature.id))
        .bind(feature.revision - 1)
        .bind(sqlx::types::Json(&feature.answers))
        .fetch_optional(self.writes())
        .await?;
        match updated {
            Some(_) => Ok(()),
            None => Err(StoreError::StaleRevision),
        }
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn feature_history(&self, id: Uuid) -> StoreResult<Vec<FeatureRevision>> {
        let version = |table: &str| {
            format!(
                "SELECT {FEATURE_COLUMNS}, f.last_action, f.changed_by_participant_id, f.changed_by_user_id,
                        cp.display_name AS actor_display_name, cu.username AS actor_username
                 FROM {table} f {FEATURE_JOINS}
                 LEFT JOIN participants cp ON cp.id = f.changed_by_participant_id
                 LEFT JOIN users cu ON cu.id = f.changed_by_user_id
                 WHERE f.id = $1"
            )
        };
        let sql = format!(
            "{} UNION ALL {} ORDER BY revision",
            version("feature_revisions"),
            version("features")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sql_id(id))
            .fetch_all(self.reads())
            .await?;
        rows.iter()
            .map(|row| {
                let actor = match opt_uuid(row, "changed_by_participant_id")? {
                    Some(id) => Author::Participant {
                        id,
                        display_name: row.try_get("actor_display_name")?,
                    },
                    None => Author::User {
                        id: uuid(row, "changed_by_user_id")?,
                        username: row.try_get("actor_username")?,
                    },
                };
                let feature = rows::feature(row)?;
                Ok(FeatureRevision {
                    revision: feature.revision,
                    action: row.try_get("last_action")?,
                    actor,
                    at: feature.updated_at,
                    feature,
                })
            })
            .collect()
    }
}
