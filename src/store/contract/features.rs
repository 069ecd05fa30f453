//! Drawings (features), their revisions and the idempotent answers of their creation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use uuid::Uuid;

use crate::domain::feature::{Author, Feature, FeatureFilter, ReviewState};
use crate::domain::permit::{Permit, Revision};
use crate::store::StoreResult;

/// A feature as an analysis reads it: where, what and by whom, without its texts or history.
#[derive(Debug, Clone)]
pub struct FeatureOutline {
    pub id: Uuid,
    /// The legend symbol's key.
    pub symbol: String,
    pub workshop_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub review_state: ReviewState,
    /// The stored GeoJSON geometry text (RFC 7946, WGS84 lon/lat).
    pub geometry: String,
    /// Its answers to its symbol's questions (a priority analysis may weigh by one).
    pub answers: crate::domain::question::Answers,
}

/// The first answer to a request that carried an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct IdempotentResponse {
    /// Who sent it (a user's or a participant's id), so keys of two callers never meet.
    pub principal: String,
    pub key: String,
    /// SHA-256 of the request body, hex: a retry with another body is refused.
    pub request_hash: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The JSON body answered.
    pub body: String,
}

/// One entry of a feature's history.
#[derive(Debug, Clone)]
pub struct FeatureRevision {
    pub revision: i64,
    /// What made it: "create", "update", "delete", "review", "merge"….
    pub action: String,
    pub actor: Author,
    pub at: DateTime<Utc>,
    pub feature: Feature,
}

#[async_trait]
pub trait FeatureStore: Send + Sync {
    /// Stores a batch all-or-nothing, with its first revision, and the idempotent answer.
    /// Conflict when the idempotency key was stored meanwhile by a concurrent retry, when
    /// a feature's symbol left the legend, or when a participant's drawing's workshop is
    /// closed (checked in the same transaction).
    async fn insert_features(
        &self,
        features: &[Feature],
        answer: Option<&IdempotentResponse>,
    ) -> StoreResult<()>;
    /// The stored answer to `principal`'s request of that `Idempotency-Key`; None when there
    /// is none.
    async fn idempotent_response(
        &self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotentResponse>>;
    /// The project's features that pass `filter` (deleted ones only when it asks), in
    /// drawing order, or in the spatial index's order when it has a bbox.
    async fn list_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>>;
    /// The same features as `list_features`, as the database reads them: for answers too
    /// large to hold (exports, whole-project analyses).
    fn stream_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<Feature>>;
    /// What whole-project analyses need of the same features, and no more: reading every
    /// column of every drawing cost more than the analysis itself. In no particular order.
    fn stream_outlines(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<FeatureOutline>>;
    /// The feature of that id, deleted or not; None when there is none.
    async fn find_feature(&self, id: Uuid) -> StoreResult<Option<Feature>>;
    /// Saves `feature` as its next revision if the stored one is still `feature.revision - 1`
    /// (StaleRevision otherwise, or for an unknown feature), and records it in the history.
    async fn save_feature_revision(
        &self,
        permit: &Permit<Revision>,
        feature: &Feature,
        action: &str,
        actor: &Author,
    ) -> StoreResult<()>;
    /// Every revision of the feature, oldest first (empty for an unknown feature).
    async fn feature_history(&self, id: Uuid) -> StoreResult<Vec<FeatureRevision>>;
}
