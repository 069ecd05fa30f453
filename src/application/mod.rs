//! Use cases that more than one front door runs (the HTTP API and the CLI): each is one
//! function here, which the doors call after extracting their arguments and before
//! answering in their own way. Nothing here knows HTTP.

pub mod export;
pub mod features;
pub mod idempotency;
pub mod import;
pub mod priority;
pub mod rates;

use crate::store::StoreError;

/// Why a use case failed: the store's reason, or the use case's own work failing (a reader
/// that panicked on a thread of its own), which callers answer as an internal error.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Failed(String),
}
