//! Projects, their privacy settings and their legends.

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::legend::Symbol;
use crate::domain::permit::{LegendEditing, Moderation, Permit, ProjectCreation};
use crate::domain::project::Project;
use crate::store::StoreResult;

#[async_trait]
pub trait ProjectStore: Send + Sync {
    /// Stores a new project (without legend). Conflict when its slug is taken.
    async fn create_project(
        &self,
        permit: &Permit<ProjectCreation>,
        project: &Project,
    ) -> StoreResult<()>;
    /// Every project, by name.
    async fn list_projects(&self) -> StoreResult<Vec<Project>>;
    /// The project of that slug; None when there is none.
    async fn find_project(&self, slug: &str) -> StoreResult<Option<Project>>;
    /// The project of that id; None when there is none.
    async fn find_project_by_id(&self, id: Uuid) -> StoreResult<Option<Project>>;
    /// Sets a project's policies as `project` has them, in one statement: the finest masking
    /// its researcher exports may have, who sees its sensitive drawings exactly, and the most
    /// items one imported file may hold. Nothing happens for an unknown project.
    async fn set_policies(&self, permit: &Permit<Moderation>, project: &Project)
    -> StoreResult<()>;
    /// The project's legend, in its order (empty for an unknown project).
    async fn legend(&self, project_id: Uuid) -> StoreResult<Vec<Symbol>>;
    /// Replaces the whole legend, keeping the ids of symbols whose key stays; Conflict
    /// (naming them and their counts) when it would drop symbols that drawings still use.
    async fn replace_legend(
        &self,
        permit: &Permit<LegendEditing>,
        project_id: Uuid,
        symbols: &[Symbol],
    ) -> StoreResult<()>;
}
