//! Comments on drawings, workshops and tables (`AnnotationStore`), for both backends (see
//! `store::sql`).

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};
use tracing::instrument;
use uuid::Uuid;

use super::dialect::{Db, sql_id};
use super::rows::{self, opt_uuid, uuid};
use super::{Backend, author_ids};
use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::store::{AnnotationPage, AnnotationStore, StoreResult};

/// Which annotations a listing reads.
#[derive(Clone, Copy)]
enum AnnotationsOf<'a> {
    Target(&'a AnnotationTarget, AnnotationPage),
    Project(Uuid),
    One(Uuid),
}

#[async_trait]
impl AnnotationStore for Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn add_annotation(&self, annotation: &Annotation) -> StoreResult<()> {
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
        .bind(sql_id(annotation.id))
        .bind(sql_id(annotation.project_id))
        .bind(feature_id.map(sql_id))
        .bind(workshop_id.map(sql_id))
        .bind(group_id.map(sql_id))
        .bind(participant_id.map(sql_id))
        .bind(user_id.map(sql_id))
        .bind(&annotation.body)
        .bind(annotation.created_at)
        .execute(self.writes())
        .await?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_annotations(
        &self,
        target: &AnnotationTarget,
        page: AnnotationPage,
    ) -> StoreResult<Vec<Annotation>> {
        self.annotations(AnnotationsOf::Target(target, page)).await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn list_project_annotations(&self, project_id: Uuid) -> StoreResult<Vec<Annotation>> {
        self.annotations(AnnotationsOf::Project(project_id)).await
    }

    #[instrument(skip_all, err(level = "debug"))]
    async fn find_annotation(&self, id: Uuid) -> StoreResult<Option<Annotation>> {
        Ok(self.annotations(AnnotationsOf::One(id)).await?.pop())
    }
}

impl Backend {
    #[instrument(skip_all, err(level = "debug"))]
    async fn annotations(&self, of: AnnotationsOf<'_>) -> StoreResult<Vec<Annotation>> {
        let mut query = QueryBuilder::<Db>::new(
            "SELECT a.*, p.display_name, u.username FROM annotations a
             LEFT JOIN participants p ON p.id = a.participant_id
             LEFT JOIN users u ON u.id = a.user_id WHERE ",
        );
        match of {
            AnnotationsOf::Project(project_id) => {
                query.push("a.project_id = ").push_bind(sql_id(project_id));
            }
            AnnotationsOf::One(id) => {
                query.push("a.id = ").push_bind(sql_id(id));
            }
            AnnotationsOf::Target(AnnotationTarget::Feature { feature_id }, _) => {
                query.push("a.feature_id = ").push_bind(sql_id(*feature_id));
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
                    .push_bind(sql_id(*workshop_id));
                if let Some(group) = group_id {
                    query.push(" AND a.group_id = ").push_bind(sql_id(*group));
                }
            }
        }
        let page = match of {
            AnnotationsOf::Target(_, page) => Some(page),
            AnnotationsOf::Project(_) | AnnotationsOf::One(_) => None,
        };
        if let Some(after) = page.and_then(|p| p.after) {
            query
                .push(" AND (a.created_at, a.id) > (SELECT created_at, id FROM annotations WHERE id = ")
                .push_bind(sql_id(after))
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
            .fetch_all(self.reads())
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
