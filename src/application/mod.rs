//! The use cases: every decision, write and announcement, one function each, which the doors
//! (the HTTP API and pages, the CLI) call after extracting their arguments and before
//! answering in their own way. Nothing here knows HTTP; errors are [`Error`]. `drawings`
//! creates and changes drawings, `features` lists them and says how a caller sees each;
//! ARCHITECTURE.md has the map.

pub mod annotations;
pub mod attachments;
pub mod audit;
pub mod basemaps;
pub mod care;
pub mod drawings;
pub mod export;
pub mod features;
pub mod idempotency;
pub mod identity;
pub mod import;
pub mod jobs;
pub mod live;
pub mod pictograms;
pub mod prints;
pub mod priority;
pub mod projects;
pub mod rates;
pub mod sessions;
pub mod users;
pub mod workshops;
pub mod zones;

mod error;

pub use error::{Error, Result};

/// Tells live pages (walls, review pages, phones) about a stored change, from the use case
/// that made it, whatever its door. The change is already saved, so a failure to announce it
/// is logged, not returned: the pages catch up when they reload.
pub(crate) async fn announce(
    store: &dyn crate::store::Store,
    change: crate::domain::change::Change,
) {
    if let Err(error) = store.publish(&change).await {
        tracing::warn!(%error, "could not announce a change to live pages");
    }
}

/// The keys of the project's sensitive symbols: the drawings every door masks for those who
/// may not see them exactly.
///
/// # Errors
/// The store's.
pub(crate) async fn sensitive_symbols(
    store: &dyn crate::store::Store,
    project: uuid::Uuid,
) -> crate::store::StoreResult<std::collections::HashSet<String>> {
    Ok(store
        .legend(project)
        .await?
        .into_iter()
        .filter(|s| s.sensitive)
        .map(|s| s.key)
        .collect())
}
