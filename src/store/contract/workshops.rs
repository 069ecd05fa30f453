//! Workshops, their tables (groups) and the participants who join them.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::NewToken;
use crate::domain::consent::LegalBasis;
use crate::domain::permit::{Permit, WorkshopCreation, WorkshopManagement};
use crate::domain::workshop::{JoinCode, Workshop};
use crate::store::StoreResult;

/// Someone who joined a workshop at a table with its join code.
#[derive(Debug, Clone)]
pub struct Participant {
    pub id: Uuid,
    pub workshop_id: Uuid,
    /// The table (group) they sit at.
    pub group_id: Uuid,
    pub display_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The version of the workshop's consent text they accepted on joining, if it asked.
    pub consent_version: Option<u32>,
}

/// What a workshop gathered: participants who joined, drawings kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkshopTally {
    pub participants: u64,
    pub drawings: u64,
}

#[async_trait]
pub trait WorkshopStore: Send + Sync {
    /// Stores a workshop with its tables, all or nothing. Conflict when another open
    /// workshop has the same join code.
    async fn create_workshop(
        &self,
        permit: &Permit<WorkshopCreation>,
        workshop: &Workshop,
    ) -> StoreResult<()>;
    /// The workshop with its tables in order; None when there is none.
    async fn find_workshop(&self, id: Uuid) -> StoreResult<Option<Workshop>>;
    /// The open workshop of that join code; None when no open workshop has it.
    async fn find_open_workshop_by_code(&self, code: &JoinCode) -> StoreResult<Option<Workshop>>;
    /// The project's workshops with their tables, oldest first.
    async fn list_workshops(&self, project_id: Uuid) -> StoreResult<Vec<Workshop>>;
    /// Per workshop of the project: how many participants joined and how many drawings they
    /// have (deleted ones left out), for the workshop list.
    async fn workshop_tallies(&self, project_id: Uuid)
    -> StoreResult<HashMap<Uuid, WorkshopTally>>;
    /// Closes an open workshop at `now` (its join code stops working); a closed or unknown
    /// one is left as it is.
    async fn close_workshop(
        &self,
        permit: &Permit<WorkshopManagement>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sets how many times a minute the workshop may be joined (None: the server's limit).
    /// NotFound when there is no such workshop.
    async fn set_joins_per_minute(
        &self,
        permit: &Permit<WorkshopManagement>,
        joins: Option<u32>,
    ) -> StoreResult<()>;
    /// Opens a closed workshop again (its code works again); an open one is left as it is.
    /// Conflict when another open workshop has taken its join code meanwhile.
    async fn reopen_workshop(&self, permit: &Permit<WorkshopManagement>) -> StoreResult<()>;
    /// Sets the workshop's legal basis (`basis.version` the next one) and keeps the version,
    /// with who set it. Conflict when that version exists already (a concurrent change).
    async fn set_legal_basis(
        &self,
        permit: &Permit<WorkshopManagement>,
        basis: &LegalBasis,
        set_by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// How many consents were given in the workshop: participants who accepted a text and
    /// tables whose agreement was recorded.
    async fn consents_given(&self, workshop_id: Uuid) -> StoreResult<u64>;
    /// The consent version participant `participant_id` accepted; None if none (or no such
    /// participant).
    async fn participant_consent(&self, participant_id: Uuid) -> StoreResult<Option<u32>>;
    /// Records that the table `group_id` of the permit's workshop agreed aloud to `version`,
    /// with the facilitator's `note`. Conflict when it is recorded already.
    async fn record_group_consent(
        &self,
        permit: &Permit<WorkshopManagement>,
        group_id: Uuid,
        version: u32,
        note: &str,
        recorded_by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The latest consent version recorded for table `group_id`; None if none.
    async fn group_consent(&self, group_id: Uuid) -> StoreResult<Option<u32>>;
    /// Stores a participant and their token in one transaction.
    async fn create_participant(
        &self,
        participant: &Participant,
        token: &NewToken,
    ) -> StoreResult<()>;
}
