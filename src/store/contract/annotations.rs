//! Comments (annotations) on a drawing, or on a workshop or one of its tables.

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::store::StoreResult;

/// A page of an annotation listing: at most `limit`, after the annotation `after`.
#[derive(Debug, Clone, Copy)]
pub struct AnnotationPage {
    pub after: Option<Uuid>,
    pub limit: usize,
}

#[async_trait]
pub trait AnnotationStore: Send + Sync {
    /// Stores an annotation.
    async fn add_annotation(&self, annotation: &Annotation) -> StoreResult<()>;
    /// The annotations of a feature or a workshop (of one table with its `group_id`), oldest
    /// first: at most `page.limit`, after the annotation `page.after` when given.
    async fn list_annotations(
        &self,
        target: &AnnotationTarget,
        page: AnnotationPage,
    ) -> StoreResult<Vec<Annotation>>;
    /// Every annotation of a project, oldest first (exports).
    async fn list_project_annotations(&self, project_id: Uuid) -> StoreResult<Vec<Annotation>>;
    async fn find_annotation(&self, id: Uuid) -> StoreResult<Option<Annotation>>;
}
