//! Features, their revisions and annotations on SQLite.

use std::collections::HashMap;

use futures::StreamExt;
use futures::stream::BoxStream;
use sqlx::{QueryBuilder, Row, Sqlite};
use tracing::instrument;
use uuid::Uuid;
use uuid::fmt::Hyphenated;

use super::SqliteStore;
use super::reader::Select;
use super::rows::{
    self, FEATURE_COLUMNS, FEATURE_JOINS, OUTLINE_COLUMNS, OUTLINE_JOINS, opt_uuid, uuid,
};
use crate::store::conflict_if_unique;

/// Features per multi-row INSERT (23 bound parameters each).
const ROWS_PER_STATEMENT: usize = 500;
use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::domain::feature::{Author, Feature, FeatureFilter};
use crate::store::AnnotationsOf;
use crate::store::filters::push_value_filters;
use crate::store::{FeatureOutline, FeatureRevision, IdempotentResponse, StoreError, StoreResult};

fn author_ids(author: &Author) -> (Option<Hyphenated>, Option<Hyphenated>) {
    match author {
        Author::Participant { id, .. } => (Some(id.hyphenated()), None),
        Author::User { id, .. } => (None, Some(id.hyphenated())),
    }
}

impl SqliteStore {
    #[instrument(skip_all, fields(count = features.len()))]
    pub(super) async fn insert_features_tx(
        &self,
        features: &[Feature],
        answer: Option<&IdempotentResponse>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        if let Some(answer) = answer {
            sqlx::query(
                "INSERT INTO idempotency_keys (principal, key, request_hash, status, response, created_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&answer.principal)
            .bind(&answer.key)
            .bind(&answer.request_hash)
            .bind(i64::from(answer.status))
            .bind(&answer.body)
            .bind(chrono::Utc::now())
            .execute(&mut *tx)
            .await
            .map_err(conflict_if_unique(|| "idempotency key stored concurrently".into()))?;
        }
        // Symbol keys to ids, one query per project in the batch (in practice, one).
        let mut symbol_ids: HashMap<(Uuid, String), String> = HashMap::new();
        let mut projects: Vec<Uuid> = features.iter().map(|f| f.project_id).collect();
        projects.dedup();
        for project in projects {
            let symbols: Vec<(String, String)> =
                sqlx::query_as("SELECT key, id FROM symbols WHERE project_id = ?")
                    .bind(project.hyphenated())
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
        // Many rows per statement: each statement is a round trip to SQLite's worker thread,
        // which costs more than the insert itself. 23 binds per row stays under SQLite's
        // limit of 32,766 bound parameters.
        for chunk in features.chunks(ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO features (id, project_id, workshop_id, group_id, participant_id, user_id, symbol_id,
                    geometry, min_x, min_y, max_x, max_y, title, description, review_state, review_reason,
                    reviewer_id, merged_into, hidden, revision, created_at, updated_at, deleted_at,
                    last_action, changed_by_participant_id, changed_by_user_id) ",
            );
            insert.push_values(chunk, |mut row, feature| {
                let (participant_id, user_id) = author_ids(&feature.author);
                let b = feature.bbox;
                row.push_bind(feature.id.hyphenated())
                    .push_bind(feature.project_id.hyphenated())
                    .push_bind(feature.workshop_id.map(|id| id.hyphenated()))
                    .push_bind(feature.group_id.map(|id| id.hyphenated()))
                    .push_bind(participant_id)
                    .push_bind(user_id)
                    .push_bind(symbol_ids[&(feature.project_id, feature.symbol.clone())].as_str())
                    .push_bind(feature.geometry.as_str())
                    .push_bind(b.min_x)
                    .push_bind(b.min_y)
                    .push_bind(b.max_x)
                    .push_bind(b.max_y)
                    .push_bind(feature.title.as_deref())
                    .push_bind(feature.description.as_deref())
                    .push_bind(feature.review_state.as_str())
                    .push_bind(feature.review_reason.as_deref())
                    .push_bind(feature.reviewer_id.map(|id| id.hyphenated()))
                    .push_bind(feature.merged_into.map(|id| id.hyphenated()))
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
        self.feature_stream(project_id, filter)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    /// The same features as `query_features`, one by one as the database reads them, with
    /// memory bounded by the reader's channel whatever the size of the answer.
    pub(super) fn feature_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<Feature>> {
        self.readers.stream(
            features_query(project_id, filter),
            rows::positional::feature,
        )
    }

    /// The outlines of the same features, streamed the same way.
    pub(super) fn outline_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<FeatureOutline>> {
        let query = select(OUTLINE_COLUMNS, OUTLINE_JOINS, project_id, filter, false);
        self.readers.stream(query, rows::positional::outline)
    }
}

/// The SELECT of a feature listing, or None when it can only be empty.
fn features_query(project_id: Uuid, filter: &FeatureFilter) -> Option<Select> {
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
) -> Option<Select> {
    let mut query = Select::new("SELECT ");
    query.push(columns);
    match filter.bbox {
        // The R*Tree drives the query (CROSS JOIN keeps SQLite from reordering it), so
        // the cost follows the size of the answer, not of the project. The R*Tree stores
        // 32-bit floats rounded outwards; the exact columns decide.
        Some(b) => {
            query.push(" FROM features_rtree r CROSS JOIN features f ON f.pk = r.pk");
            query.push(joins);
            query
                .push(" WHERE r.min_x <= ")
                .push_bind(b.max_x)
                .push(" AND r.max_x >= ")
                .push_bind(b.min_x)
                .push(" AND r.min_y <= ")
                .push_bind(b.max_y)
                .push(" AND r.max_y >= ")
                .push_bind(b.min_y)
                .push(" AND f.min_x <= ")
                .push_bind(b.max_x)
                .push(" AND f.max_x >= ")
                .push_bind(b.min_x)
                .push(" AND f.min_y <= ")
                .push_bind(b.max_y)
                .push(" AND f.max_y >= ")
                .push_bind(b.min_y)
                .push(" AND f.project_id = ")
                .push_bind(project_id.hyphenated().to_string());
        }
        None => {
            query.push(" FROM features f");
            query.push(joins);
            query
                .push(" WHERE f.project_id = ")
                .push_bind(project_id.hyphenated().to_string());
        }
    }
    if let Some(workshops) = &filter.workshops {
        if workshops.is_empty() {
            return None;
        }
        query.push(" AND f.workshop_id IN (");
        for (i, id) in workshops.iter().enumerate() {
            if i > 0 {
                query.push(", ");
            }
            query.push_bind(id.hyphenated().to_string());
        }
        query.push(")");
    }
    if let Some(group) = filter.group {
        query
            .push(" AND f.group_id = ")
            .push_bind(group.hyphenated().to_string());
    }
    push_value_filters(&mut query, filter);
    if let Some(after) = filter.after {
        // An unknown id gives no pk, and so an empty page.
        query
            .push(" AND f.pk > (SELECT pk FROM features WHERE id = ")
            .push_bind(after.hyphenated().to_string())
            .push(")");
    }
    // Drawing order for whole listings; a bbox answer comes in R*Tree order, so that a
    // LIMIT stops the search early instead of sorting every candidate.
    if ordered && filter.bbox.is_none() {
        query.push(" ORDER BY f.pk");
    }
    if let Some(limit) = filter.limit {
        query
            .push(" LIMIT ")
            .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
    }
    Some(query)
}

impl SqliteStore {
    pub(super) async fn feature_by_id(&self, id: Uuid) -> StoreResult<Option<Feature>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FEATURE_COLUMNS} FROM features f {FEATURE_JOINS} WHERE f.id = ?"
        )))
        .bind(id.hyphenated())
        .fetch_optional(&self.read)
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
        let updated: Option<i64> = sqlx::query_scalar(
            "UPDATE features SET
                symbol_id = (SELECT id FROM symbols WHERE project_id = features.project_id AND key = ?),
                geometry = ?, min_x = ?, min_y = ?, max_x = ?, max_y = ?, title = ?, description = ?,
                review_state = ?, review_reason = ?, reviewer_id = ?, merged_into = ?, hidden = ?,
                revision = ?, updated_at = ?, deleted_at = ?,
                last_action = ?, changed_by_participant_id = ?, changed_by_user_id = ?
             WHERE id = ? AND revision = ?
             RETURNING pk",
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
        .bind(feature.reviewer_id.map(|id| id.hyphenated()))
        .bind(feature.merged_into.map(|id| id.hyphenated()))
        .bind(feature.hidden)
        .bind(feature.revision)
        .bind(feature.updated_at)
        .bind(feature.deleted_at)
        .bind(action)
        .bind(actor_participant)
        .bind(actor_user)
        .bind(feature.id.hyphenated())
        .bind(feature.revision - 1)
        .fetch_optional(&self.write)
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
                 WHERE f.id = ?"
            )
        };
        let sql = format!(
            "{} UNION ALL {} ORDER BY revision",
            version("feature_revisions"),
            version("features")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.hyphenated())
            .bind(id.hyphenated())
            .fetch_all(&self.read)
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
            AnnotationTarget::Feature { feature_id } => (Some(feature_id.hyphenated()), None, None),
            AnnotationTarget::Workshop {
                workshop_id,
                group_id,
            } => (
                None,
                Some(workshop_id.hyphenated()),
                group_id.map(|g| g.hyphenated()),
            ),
        };
        let (participant_id, user_id) = author_ids(&annotation.author);
        sqlx::query(
            "INSERT INTO annotations (id, project_id, feature_id, workshop_id, group_id, participant_id, user_id, body, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(annotation.id.hyphenated())
        .bind(annotation.project_id.hyphenated())
        .bind(feature_id)
        .bind(workshop_id)
        .bind(group_id)
        .bind(participant_id)
        .bind(user_id)
        .bind(&annotation.body)
        .bind(annotation.created_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub(super) async fn annotations(&self, of: AnnotationsOf<'_>) -> StoreResult<Vec<Annotation>> {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT a.*, p.display_name, u.username FROM annotations a
             LEFT JOIN participants p ON p.id = a.participant_id
             LEFT JOIN users u ON u.id = a.user_id WHERE ",
        );
        match of {
            AnnotationsOf::Project(project_id) => {
                query
                    .push("a.project_id = ")
                    .push_bind(project_id.hyphenated());
            }
            AnnotationsOf::Target(AnnotationTarget::Feature { feature_id }, _) => {
                query
                    .push("a.feature_id = ")
                    .push_bind(feature_id.hyphenated());
            }
            AnnotationsOf::Target(
                AnnotationTarget::Workshop {
                    workshop_id,
                    group_id,
                },
                _,
            ) => {
                query
                    .push("a.workshop_id = ")
                    .push_bind(workshop_id.hyphenated());
                if let Some(group) = group_id {
                    query
                        .push(" AND a.group_id = ")
                        .push_bind(group.hyphenated());
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
                .push_bind(after.hyphenated())
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
            .fetch_all(&self.read)
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
