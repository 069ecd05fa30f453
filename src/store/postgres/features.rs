//! Features, their revisions and annotations on PostgreSQL.

use std::collections::HashMap;

use futures::StreamExt;
use futures::stream::BoxStream;
use sqlx::{Postgres, QueryBuilder, Row};
use tracing::instrument;
use uuid::Uuid;

use super::PostgresStore;
use super::rows::{
    self, FEATURE_COLUMNS, FEATURE_JOINS, OUTLINE_COLUMNS, OUTLINE_JOINS, opt_uuid, uuid,
};
use crate::store::conflict_if_unique;

/// Features per multi-row INSERT (26 bound parameters each; PostgreSQL allows 65,535).
const ROWS_PER_STATEMENT: usize = 500;
use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::domain::feature::{Author, Feature, FeatureFilter};
use crate::store::AnnotationsOf;
use crate::store::filters::push_value_filters;
use crate::store::stream;
use crate::store::{FeatureOutline, FeatureRevision, IdempotentResponse, StoreError, StoreResult};

fn author_ids(author: &Author) -> (Option<Uuid>, Option<Uuid>) {
    match author {
        Author::Participant { id, .. } => (Some(*id), None),
        Author::User { id, .. } => (None, Some(*id)),
    }
}

impl PostgresStore {
    #[instrument(skip_all, fields(count = features.len()))]
    pub(super) async fn insert_features_tx(
        &self,
        features: &[Feature],
        answer: Option<&IdempotentResponse>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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
            let symbols: Vec<(String, Uuid)> =
                sqlx::query_as("SELECT key, id FROM symbols WHERE project_id = $1")
                    .bind(project)
                    .fetch_all(&mut *tx)
                    .await?;
            symbol_ids.extend(symbols.into_iter().map(|(key, id)| ((project, key), id)));
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
        // Many rows per statement: each statement is a round trip to the server.
        for chunk in features.chunks(ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Postgres>::new(
                "INSERT INTO features (id, project_id, workshop_id, group_id, participant_id, user_id, symbol_id,
                    geometry, min_x, min_y, max_x, max_y, title, description, review_state, review_reason,
                    reviewer_id, merged_into, hidden, revision, created_at, updated_at, deleted_at,
                    last_action, changed_by_participant_id, changed_by_user_id) ",
            );
            insert.push_values(chunk, |mut row, feature| {
                let (participant_id, user_id) = author_ids(&feature.author);
                let b = feature.bbox;
                row.push_bind(feature.id)
                    .push_bind(feature.project_id)
                    .push_bind(feature.workshop_id)
                    .push_bind(feature.group_id)
                    .push_bind(participant_id)
                    .push_bind(user_id)
                    .push_bind(symbol_ids[&(feature.project_id, feature.symbol.clone())])
                    .push_bind(feature.geometry.as_str())
                    .push_bind(b.min_x)
                    .push_bind(b.min_y)
                    .push_bind(b.max_x)
                    .push_bind(b.max_y)
                    .push_bind(feature.title.as_deref())
                    .push_bind(feature.description.as_deref())
                    .push_bind(feature.review_state.as_str())
                    .push_bind(feature.review_reason.as_deref())
                    .push_bind(feature.reviewer_id)
                    .push_bind(feature.merged_into)
                    .push_bind(feature.hidden)
                    .push_bind(feature.revision)
                    .push_bind(feature.created_at)
                    .push_bind(feature.updated_at)
                    .push_bind(feature.deleted_at)
                    .push_bind("create")
                    .push_bind(participant_id)
                    .push_bind(user_id);
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all)]
    pub(super) async fn query_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>> {
        let Some(mut query) = features_query(project_id, filter) else {
            return Ok(Vec::new());
        };
        query
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::feature)
            .collect()
    }

    /// The same features as `query_features`, one by one as the database reads them: a
    /// reader task sends them through a small channel, so memory stays flat whatever the
    /// size of the answer.
    pub(super) fn feature_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<Feature>> {
        self.stream_rows(features_query(project_id, filter), rows::feature)
    }

    /// The outlines of the same features, streamed the same way.
    pub(super) fn outline_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<FeatureOutline>> {
        let query = select(OUTLINE_COLUMNS, OUTLINE_JOINS, project_id, filter, false);
        self.stream_rows(query, rows::outline)
    }

    /// The rows of `query` mapped by `map`, read by a task of their own and handed over in
    /// batches (`store::stream`); None is an empty listing.
    fn stream_rows<T: Send + 'static>(
        &self,
        query: Option<QueryBuilder<Postgres>>,
        map: fn(&sqlx::postgres::PgRow) -> StoreResult<T>,
    ) -> BoxStream<'static, StoreResult<T>> {
        let (sender, receiver) = stream::channel();
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let Some(mut query) = query else { return };
            let rows = query
                .build()
                .fetch(&pool)
                .map(|row| row.map_err(StoreError::from).and_then(|r| map(&r)));
            stream::forward(rows, sender).await;
        });
        stream::receive(receiver)
    }
}

/// The SELECT of a feature listing, or None when it can only be empty.
fn features_query(project_id: Uuid, filter: &FeatureFilter) -> Option<QueryBuilder<Postgres>> {
    select(FEATURE_COLUMNS, FEATURE_JOINS, project_id, filter, true)
}

/// The SELECT of `columns` of a feature listing (with the `joins` they need), in drawing
/// order when `ordered` (an analysis does not care, and sorting a whole project costs), or
/// None when it can only be empty.
fn select(
    columns: &str,
    joins: &'static str,
    project_id: Uuid,
    filter: &FeatureFilter,
    ordered: bool,
) -> Option<QueryBuilder<Postgres>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT ");
    query.push(columns);
    match filter.bbox {
        // The GiST index answers `&&` (PostGIS keeps 32-bit boxes, rounded outwards); the
        // exact columns decide.
        Some(b) => {
            query.push(" FROM features f");
            query.push(joins);
            query
                .push(" WHERE f.geom && ST_MakeEnvelope(")
                .push_bind(b.min_x)
                .push(", ")
                .push_bind(b.min_y)
                .push(", ")
                .push_bind(b.max_x)
                .push(", ")
                .push_bind(b.max_y)
                .push(", 4326) AND f.min_x <= ")
                .push_bind(b.max_x)
                .push(" AND f.max_x >= ")
                .push_bind(b.min_x)
                .push(" AND f.min_y <= ")
                .push_bind(b.max_y)
                .push(" AND f.max_y >= ")
                .push_bind(b.min_y)
                .push(" AND f.project_id = ")
                .push_bind(project_id);
        }
        None => {
            query.push(" FROM features f");
            query.push(joins);
            query.push(" WHERE f.project_id = ").push_bind(project_id);
        }
    }
    if let Some(workshops) = &filter.workshops {
        if workshops.is_empty() {
            return None;
        }
        query.push(" AND f.workshop_id IN (");
        let mut ids = query.separated(", ");
        for id in workshops {
            ids.push_bind(id);
        }
        query.push(")");
    }
    if let Some(group) = filter.group {
        query.push(" AND f.group_id = ").push_bind(group);
    }
    push_value_filters(&mut query, filter);
    if let Some(after) = filter.after {
        query.push(" AND f.id > ").push_bind(after);
    }
    // Drawing order (ids are time-ordered UUIDv7) for whole listings; a bbox answer comes
    // in index order, so that a LIMIT stops the search early.
    if ordered && filter.bbox.is_none() {
        query.push(" ORDER BY f.id");
    }
    if let Some(limit) = filter.limit {
        query
            .push(" LIMIT ")
            .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
    }
    Some(query)
}

impl PostgresStore {
    pub(super) async fn feature_by_id(&self, id: Uuid) -> StoreResult<Option<Feature>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FEATURE_COLUMNS} FROM features f {FEATURE_JOINS} WHERE f.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(rows::feature).transpose()
    }

    #[instrument(skip_all, fields(action))]
    pub(super) async fn update_feature_tx(
        &self,
        feature: &Feature,
        action: &str,
        actor: &Author,
    ) -> StoreResult<()> {
        let (actor_participant, actor_user) = author_ids(actor);
        let b = feature.bbox;
        // The trigger `features_keep_revision` files the previous version in the history.
        let updated: Option<Uuid> = sqlx::query_scalar(
            "UPDATE features SET
                symbol_id = (SELECT id FROM symbols WHERE project_id = features.project_id AND key = $1),
                geometry = $2, min_x = $3, min_y = $4, max_x = $5, max_y = $6, title = $7, description = $8,
                review_state = $9, review_reason = $10, reviewer_id = $11, merged_into = $12, hidden = $13,
                revision = $14, updated_at = $15, deleted_at = $16,
                last_action = $17, changed_by_participant_id = $18, changed_by_user_id = $19
             WHERE id = $20 AND revision = $21
             RETURNING id",
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
        .bind(feature.reviewer_id)
        .bind(feature.merged_into)
        .bind(feature.hidden)
        .bind(feature.revision)
        .bind(feature.updated_at)
        .bind(feature.deleted_at)
        .bind(action)
        .bind(actor_participant)
        .bind(actor_user)
        .bind(feature.id)
        .bind(feature.revision - 1)
        .fetch_optional(&self.pool)
        .await?;
        match updated {
            Some(_) => Ok(()),
            None => Err(StoreError::StaleRevision),
        }
    }

    pub(super) async fn history(&self, id: Uuid) -> StoreResult<Vec<FeatureRevision>> {
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
            .bind(id)
            .bind(id)
            .fetch_all(&self.pool)
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

    #[instrument(skip_all)]
    pub(super) async fn insert_annotation(&self, annotation: &Annotation) -> StoreResult<()> {
        let (feature_id, workshop_id, group_id) = match &annotation.target {
            AnnotationTarget::Feature { feature_id } => (Some(*feature_id), None, None),
            AnnotationTarget::Workshop {
                workshop_id,
                group_id,
            } => (None, Some(*workshop_id), *group_id),
        };
        let (participant_id, user_id) = author_ids(&annotation.author);
        sqlx::query(
            "INSERT INTO annotations (id, project_id, feature_id, workshop_id, group_id, participant_id, user_id, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(annotation.id)
        .bind(annotation.project_id)
        .bind(feature_id)
        .bind(workshop_id)
        .bind(group_id)
        .bind(participant_id)
        .bind(user_id)
        .bind(&annotation.body)
        .bind(annotation.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn annotations(&self, of: AnnotationsOf<'_>) -> StoreResult<Vec<Annotation>> {
        let mut query = QueryBuilder::<Postgres>::new(
            "SELECT a.*, p.display_name, u.username FROM annotations a
             LEFT JOIN participants p ON p.id = a.participant_id
             LEFT JOIN users u ON u.id = a.user_id WHERE ",
        );
        match of {
            AnnotationsOf::Project(project_id) => {
                query.push("a.project_id = ").push_bind(project_id);
            }
            AnnotationsOf::Target(AnnotationTarget::Feature { feature_id }, _) => {
                query.push("a.feature_id = ").push_bind(feature_id);
            }
            AnnotationsOf::Target(
                AnnotationTarget::Workshop {
                    workshop_id,
                    group_id,
                },
                _,
            ) => {
                query.push("a.workshop_id = ").push_bind(workshop_id);
                if let Some(group) = group_id {
                    query.push(" AND a.group_id = ").push_bind(group);
                }
            }
        }
        let page = match of {
            AnnotationsOf::Target(_, page) => Some(page),
            AnnotationsOf::Project(_) => None,
        };
        if let Some(after) = page.and_then(|p| p.after) {
            query
                .push(" AND (a.created_at, a.id) > (SELECT created_at, id FROM annotations WHERE id = ")
                .push_bind(after)
                .push(")");
        }
        query.push(" ORDER BY a.created_at, a.id");
        if let Some(page) = page {
            query
                .push(" LIMIT ")
                .push_bind(i64::try_from(page.limit).unwrap_or(i64::MAX));
        }
        query
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let target = match opt_uuid(row, "feature_id")? {
                    Some(feature_id) => AnnotationTarget::Feature { feature_id },
                    None => AnnotationTarget::Workshop {
                        workshop_id: uuid(row, "workshop_id")?,
                        group_id: opt_uuid(row, "group_id")?,
                    },
                };
                Ok(Annotation {
                    id: uuid(row, "id")?,
                    project_id: uuid(row, "project_id")?,
                    target,
                    author: rows::author(row)?,
                    body: row.try_get("body")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }
}
