//! Use cases that more than one front door runs (the HTTP API and the CLI): each is one
//! function here, which the doors call after extracting their arguments and before
//! answering in their own way. Nothing here knows HTTP.

pub mod export;
pub mod features;
pub mod idempotency;
pub mod import;
pub mod priority;
pub mod rates;

mod error;

pub use error::{Error, Result};
