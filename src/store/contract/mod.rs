//! The storage contract: what the application may ask of a database, one trait per area,
//! summed in [`Store`] so that the application holds one `Arc<dyn Store>`.
//!
//! Every method may also fail with [`StoreError::Database`](crate::store::StoreError) when the
//! database cannot answer (see `StoreError::is_unavailable`) and with `Corrupt` when a stored
//! value cannot be read back; the errors a method's *answer* may be are named in its `///`.
//! Ids are UUIDs (v7 where time-ordered), times UTC, geometries GeoJSON text in WGS84
//! lon/lat (RFC 7946).
//!
//! A method that changes what others see or may do (users, projects, legends, workshops, a
//! drawing's revisions, boundary layers) or reads what only moderators read (the export log,
//! the users) takes a [`Permit`](crate::domain::permit::Permit) for it: the caller must have
//! asked the caller's role first (`domain::permit`). A workshop's or a drawing's permit names
//! which one; the store writes that one and no other.

mod annotations;
mod attachments;
mod audit;
mod care;
mod exports;
mod features;
mod identity;
mod live;
mod pictograms;
mod priority;
mod projects;
mod workshops;

pub use annotations::{AnnotationPage, AnnotationStore};
pub use attachments::{Added, AttachmentStore};
pub use audit::{AuditFilter, AuditStore};
pub use care::{CareStore, PurgeOutcome, PurgeScope};
pub use exports::ExportStore;
pub use features::{FeatureOutline, FeatureRevision, FeatureStore, IdempotentResponse};
pub use identity::{IdentityStore, NewToken, User};
pub use live::LiveStore;
pub use pictograms::PictogramStore;
pub use priority::PriorityStore;
pub use projects::ProjectStore;
pub use workshops::{Participant, WorkshopStore, WorkshopTally};

/// Everything Trama stores, on one database: each backend implements every area.
pub trait Store:
    IdentityStore
    + ProjectStore
    + WorkshopStore
    + FeatureStore
    + AnnotationStore
    + AttachmentStore
    + PictogramStore
    + PriorityStore
    + ExportStore
    + LiveStore
    + CareStore
    + AuditStore
    + 'static
{
}

impl<T> Store for T where
    T: IdentityStore
        + ProjectStore
        + WorkshopStore
        + FeatureStore
        + AnnotationStore
        + AttachmentStore
        + PictogramStore
        + PriorityStore
        + ExportStore
        + LiveStore
        + CareStore
        + AuditStore
        + 'static
{
}
