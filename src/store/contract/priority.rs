//! Priority areas: boundary layers (units to score) and saved priority zones with their history.

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::boundary::{BoundaryLayer, BoundaryLayerSummary};
use crate::domain::permit::{Moderation, Permit};
use crate::domain::zone::{PriorityZone, ZoneEvent};
use crate::store::StoreResult;

#[async_trait]
pub trait PriorityStore: Send + Sync {
    /// Stores a boundary layer with its units. Conflict when the project has a layer of that
    /// name.
    async fn create_boundary_layer(
        &self,
        permit: &Permit<Moderation>,
        layer: &BoundaryLayer,
    ) -> StoreResult<()>;
    /// The project's boundary layers without their units, by name.
    async fn list_boundary_layers(
        &self,
        project_id: Uuid,
    ) -> StoreResult<Vec<BoundaryLayerSummary>>;
    /// The boundary layer with its units; None when there is none.
    async fn find_boundary_layer(&self, id: Uuid) -> StoreResult<Option<BoundaryLayer>>;
    /// NotFound when there is no such layer.
    async fn delete_boundary_layer(&self, permit: &Permit<Moderation>, id: Uuid)
    -> StoreResult<()>;
    /// Stores a zone at its first revision, with its first history entry (`note` its reason).
    async fn create_priority_zone(
        &self,
        zone: &PriorityZone,
        note: Option<&str>,
    ) -> StoreResult<()>;
    /// The project's saved zones, oldest first.
    async fn list_priority_zones(&self, project_id: Uuid) -> StoreResult<Vec<PriorityZone>>;
    /// The zone of that id; None when there is none.
    async fn find_priority_zone(&self, id: Uuid) -> StoreResult<Option<PriorityZone>>;
    /// Saves `zone` as its next revision if the stored one is still `zone.revision - 1`
    /// (StaleRevision otherwise), and records the change by `by` in its history.
    async fn save_priority_zone(
        &self,
        zone: &PriorityZone,
        by: Uuid,
        note: Option<&str>,
    ) -> StoreResult<()>;
    /// The zone's history, oldest first.
    async fn priority_zone_history(&self, id: Uuid) -> StoreResult<Vec<ZoneEvent>>;
}
