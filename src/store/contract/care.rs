//! The duty of care's writes (issue 26): removing a workshop's raw data for good, when its
//! people withdraw their consent or its retention ends.

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::permit::{Permit, WorkshopManagement};
use crate::domain::retention::{KeptCount, Purged};
use crate::store::StoreResult;

/// Whose raw data a purge removes, within the permit's workshop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeScope {
    /// Everything its people made: every drawing, comment and participant (retention).
    Workshop,
    /// One table's: the drawings made for it (by its participants or by staff on its behalf),
    /// its participants and their comments, its recorded consent.
    Table(Uuid),
    /// One participant's: their drawings, comments, sessions and nickname.
    Participant(Uuid),
}

/// What a purge removed (or would remove): the counts, and the ids of the drawings and the
/// participants, for the live pages and the streams to end.
#[derive(Debug, Clone, Default)]
pub struct PurgeOutcome {
    pub counts: Purged,
    pub drawings: Vec<Uuid>,
    pub participants: Vec<Uuid>,
    /// The attachments removed, whose files the caller removes (`removed_attachments`).
    pub attachments: Vec<Uuid>,
}

#[async_trait]
pub trait CareStore: Send + Sync {
    /// Removes the raw data of `scope` in the permit's workshop, all in one transaction:
    /// drawings (deleted ones too), their revisions, comments on them and by its participants,
    /// their attachments' rows (named in `removed_attachments`, their files left to the caller),
    /// kept answers of retried submissions that carried them, participants' sessions,
    /// nicknames and consents, a table's recorded consent; the details of the audit entries
    /// of its participants are erased (`domain::audit`: the chain still verifies). Drawings of other tables merged
    /// into a removed one keep their own and lose the link. With `dry_run` nothing is removed
    /// (the transaction is rolled back) and the counts say what would be.
    ///
    /// `keep` is stored in the same transaction: the aggregated form a retention keeps of the
    /// workshop (`AfterRetention::KeepCounts`), added to any kept before; a withdrawal keeps
    /// nothing (empty).
    ///
    /// The rows are gone for every reader at once; [`scrub`](Self::scrub) then removes what the
    /// database files still hold of them.
    async fn purge(
        &self,
        permit: &Permit<WorkshopManagement>,
        scope: PurgeScope,
        keep: &[KeptCount],
        dry_run: bool,
    ) -> StoreResult<PurgeOutcome>;

    /// The counts retentions kept of the project's purged workshops (of `workshops` only,
    /// when given), ordered by workshop, symbol and cell.
    async fn kept_counts(
        &self,
        project_id: Uuid,
        workshops: Option<&[Uuid]>,
    ) -> StoreResult<Vec<KeptCount>>;

    /// The participants of `workshop_id` whose id ends with `suffix` (lower-case hex, with
    /// or without dashes as the id has them): how a facilitator finds the one who asks to
    /// withdraw from the short code their phone shows.
    async fn participants_ending(&self, workshop_id: Uuid, suffix: &str) -> StoreResult<Vec<Uuid>>;

    /// Leaves no recoverable copy of deleted rows in the database's files. SQLite: deletes
    /// already overwrite what they free (`secure_delete` on the writing connection); this
    /// checkpoints the WAL into the file and truncates it, where old pages stayed. PostgreSQL:
    /// `VACUUM FULL` of the tables a purge touches (a new file for each, the old one
    /// unlinked) and a `CHECKPOINT`. Neither reaches WAL archives, replicas or backups
    /// (README, "Retention and purge").
    ///
    /// # Errors
    /// `Database` when the checkpoint cannot finish (readers held the WAL for a minute) or
    /// the role may not vacuum or checkpoint.
    async fn scrub(&self) -> StoreResult<()>;
}
