//! Storing a batch of drawings once, however often it is sent: the API's `Idempotency-Key`
//! (a phone's offline queue retries until it hears back) and an imported file (the same
//! file sent twice) both name their first answer, and a retry gets that answer back.

use crate::domain::feature::Feature;
use crate::store::{IdempotentResponse, Store, StoreError, StoreResult};
use tracing::instrument;

/// What storing a batch came to.
#[derive(Debug)]
pub enum Inserted {
    /// Stored now, with its answer when it had one.
    Now,
    /// A request with the same principal and key was stored first (a retry sent at the same
    /// time as the first): nothing was stored, and this is that request's answer.
    Earlier(IdempotentResponse),
}

/// Stores `features` all or nothing, with `answer` under its principal and key when given.
/// When a concurrent request with the same key won the race, answers that request's stored
/// answer instead of failing.
///
/// # Errors
/// The store's: Conflict when a feature's symbol left the legend meanwhile.
#[instrument(skip_all, err(level = "debug"))]
pub async fn insert_once(
    store: &dyn Store,
    features: &[Feature],
    answer: Option<&IdempotentResponse>,
) -> StoreResult<Inserted> {
    match store.insert_features(features, answer).await {
        Ok(()) => Ok(Inserted::Now),
        Err(StoreError::Conflict(conflict)) if let Some(answer) = answer => store
            .idempotent_response(&answer.principal, &answer.key)
            .await?
            .map(Inserted::Earlier)
            .ok_or(StoreError::Conflict(conflict)),
        Err(other) => Err(other),
    }
}
