//! The duty of care's use cases (issue 26): a table or a participant withdraws their consent,
//! and a project's retention ends its workshops' raw drawings. Both remove the raw data at
//! once for every reader, scrub the database files of it, and tell the live pages.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::instrument;
use uuid::Uuid;

use super::jobs::Jobs;
use super::{Error, announce, attachments, audit, workshops};
use crate::domain::access::Principal;
use crate::domain::audit::{Details, Door, Kind};
use crate::domain::change::Change;
use crate::domain::export::CellCounter;
use crate::domain::feature::{FeatureFilter, ReviewState};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::permit::Permit;
use crate::domain::project::Project;
use crate::domain::retention::{AfterRetention, KeptCount, Purged};
use crate::domain::workshop::Workshop;
use crate::media::Folder;
use crate::store::{PurgeOutcome, PurgeScope, Store};

/// Whose consent is withdrawn (`POST /api/workshops/{id}/withdrawals`): a table by its name,
/// or one participant by their id or its last characters (at least `WITHDRAWAL_CODE_CHARS`:
/// the code their phone shows, `withdrawal_code`). Exactly one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub participant: Option<String>,
}

/// Characters of a participant's id their phone shows as the code to withdraw with: the id's
/// last 8 hex digits (random in a UUID v4 or v7; a workshop would need tens of thousands of
/// participants before two shared one, and then the facilitator is asked for more).
pub const WITHDRAWAL_CODE_CHARS: usize = 8;

/// The code a participant gives to withdraw (`WITHDRAWAL_CODE_CHARS` of their id).
pub fn withdrawal_code(participant: Uuid) -> String {
    let id = participant.simple().to_string();
    id[id.len() - WITHDRAWAL_CODE_CHARS..].to_owned()
}

/// The participant of `workshop` a code or id names.
async fn participant_named(store: &dyn Store, workshop: Uuid, code: &str) -> Result<Uuid, Error> {
    let code = code.trim().to_ascii_lowercase();
    if let Ok(id) = Uuid::parse_str(&code) {
        return Ok(id);
    }
    let hex = code.chars().filter(|c| *c != '-').count();
    if hex < WITHDRAWAL_CODE_CHARS || !code.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::BadInput(format!(
            "a participant is named by their id or the {WITHDRAWAL_CODE_CHARS}-character code their phone shows"
        )));
    }
    match store.participants_ending(workshop, &code).await?.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::not_found("participant")),
        _ => Err(Error::BadInput(
            "several participants have that code: give more of their id".into(),
        )),
    }
}

/// Withdraws a table's or a participant's consent in a workshop the caller runs: their
/// drawings, revisions, comments, sessions, nicknames and consents are purged at once (no
/// page, answer, stream, export or analysis has them from then) and the database files
/// scrubbed of them. The live pages drop the drawings; the participants' streams end.
///
/// # Errors
/// As `workshops::managed` (`NotFound`, `NotAllowed`); `BadInput` unless exactly one of
/// `group` and `participant` is given; `NotFound` for a table the workshop has not or a
/// participant who is not (or no longer) in it; `Conflict` when the scrub could not finish
/// (the rows are gone; purging again scrubs).
#[instrument(skip_all, err(level = "debug"))]
pub async fn withdraw(
    store: &dyn Store,
    folder: &Folder,
    principal: &Principal,
    workshop_id: Uuid,
    withdrawal: Withdrawal,
) -> Result<Purged, Error> {
    let (workshop, permit) = workshops::management(store, principal, workshop_id).await?;
    let scope = match (withdrawal.group, withdrawal.participant) {
        (Some(name), None) => {
            let group = workshop
                .groups
                .iter()
                .find(|g| g.name == name.trim())
                .ok_or_else(|| Error::not_found("table"))?;
            PurgeScope::Table(group.id)
        }
        (None, Some(code)) => {
            PurgeScope::Participant(participant_named(store, workshop.id, &code).await?)
        }
        _ => {
            return Err(Error::BadInput(
                "give either `group` (a table's name) or `participant` (an id)".into(),
            ));
        }
    };
    let outcome = store.purge(&permit, scope, &[], false).await?;
    if matches!(scope, PurgeScope::Participant(_)) && outcome.participants.is_empty() {
        return Err(Error::not_found("participant"));
    }
    tell(store, &workshop, &outcome).await;
    attachments::remove_named(store, folder).await;
    let whose = match scope {
        PurgeScope::Table(id) | PurgeScope::Participant(id) => id,
        PurgeScope::Workshop => workshop.id,
    };
    audit::note(
        store,
        Kind::Withdrawal,
        counted(
            audit::by(Some(principal), Door::Api),
            &workshop,
            outcome.counts,
        )
        .subject(whose),
    )
    .await;
    // The rows are gone for every reader and the record says so; then the files. A scrub
    // that cannot finish is said (`Conflict`), and the next purge or sweep scrubs again.
    store.scrub().await?;
    Ok(outcome.counts)
}

/// One workshop a retention sweep purged (or, dry, would purge).
#[derive(Debug, Clone, Serialize)]
pub struct Swept {
    pub project: String,
    pub workshop: Uuid,
    pub title: String,
    /// When its retention ended.
    pub due_at: DateTime<Utc>,
    pub purged: Purged,
}

/// Applies every project's retention at `now`: each workshop whose retention ended loses
/// its raw drawings, comments, participants and consents (the workshop itself, its title and
/// tables, stay), keeping only their counts per cell and symbol when the project's retention
/// says so (`AfterRetention::KeepCounts`); then the database files are scrubbed. With `dry_run` nothing is removed
/// and the answer says what would be. Workshops with nothing left to purge are not listed.
///
/// Run by the server at start and daily (`sweep_daily`) and by `trama purge`. No caller: the
/// permit comes from the retention itself (`Permit::retention_due`).
///
/// # Errors
/// The store's; `Conflict` when the scrub could not finish (run it again).
#[instrument(skip_all, err(level = "debug"))]
pub async fn apply_retention(
    store: &dyn Store,
    folder: &Folder,
    now: DateTime<Utc>,
    dry_run: bool,
    door: Door,
) -> Result<Vec<Swept>, Error> {
    let mut swept = Vec::new();
    for project in store.list_projects().await? {
        let Some(retention) = project.retention else {
            continue;
        };
        for workshop in store.list_workshops(project.id).await? {
            let (Some(permit), Some(due_at)) = (
                Permit::retention_due(retention, &workshop, now),
                retention.due_at(&workshop),
            ) else {
                continue;
            };
            let keep = match retention.then {
                AfterRetention::Delete => Vec::new(),
                AfterRetention::KeepCounts => counts_to_keep(store, &project, &workshop).await?,
            };
            let outcome = store
                .purge(&permit, PurgeScope::Workshop, &keep, dry_run)
                .await?;
            if outcome.counts.is_empty() {
                continue;
            }
            if !dry_run {
                tell(store, &workshop, &outcome).await;
                attachments::remove_named(store, folder).await;
                audit::note(
                    store,
                    Kind::Purge,
                    counted(audit::by(None, door), &workshop, outcome.counts)
                        .word("reason", "retention"),
                )
                .await;
            }
            swept.push(Swept {
                project: project.slug.clone(),
                workshop: workshop.id,
                title: workshop.title.clone(),
                due_at,
                purged: outcome.counts,
            });
        }
    }
    if !dry_run && !swept.is_empty() {
        store.scrub().await?;
    }
    Ok(swept)
}

/// The aggregated form of `workshop`'s drawings a retention keeps: what an aggregated export
/// at the project's masking releases of them (counts per cell and symbol of at least its k,
/// sensitive drawings in their mask's cell), hidden, deleted, rejected and merged drawings left
/// out as exports and analyses leave them out. Read before the purge's transaction: the
/// workshop has ended (retention starts from its end), so only a moderator's late decision
/// could fall between the two.
async fn counts_to_keep(
    store: &dyn Store,
    project: &Project,
    workshop: &Workshop,
) -> Result<Vec<KeptCount>, Error> {
    let sensitive = super::sensitive_symbols(store, project.id).await?;
    let filter = FeatureFilter {
        workshops: Some(vec![workshop.id]),
        ..FeatureFilter::default()
    };
    let mut counter = CellCounter::new(&project.masking, project.masking.sensitive_resolution);
    let mut drawings = store.stream_features(project.id, &filter);
    while let Some(drawing) = drawings.next().await {
        let drawing = drawing?;
        // Moderation took these out, as priority analyses leave them out (a merged drawing
        // lives on in the one it joined).
        if matches!(
            drawing.review_state,
            ReviewState::Rejected | ReviewState::Merged
        ) {
            continue;
        }
        if let Some(geometry) = FeatureGeometry::parse_stored(&drawing.geometry) {
            let secret = sensitive.contains(&drawing.symbol);
            counter.add(&drawing.symbol, drawing.workshop_id, secret, &geometry);
        }
    }
    Ok(counter.kept(workshop.id, project.masking.k))
}

/// How often the server applies the retention, besides at start.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Applies the retention now and every `SWEEP_EVERY`, for as long as the server runs, each
/// time as a job (`jobs`, kind `retention`: its outcome lists what it purged), and signs a
/// checkpoint of the audit trail with the key at `audit_key`; a failed sweep is logged and
/// tried again at the next.
pub async fn sweep_daily(
    store: Arc<dyn Store>,
    folder: Arc<Folder>,
    jobs: Arc<Jobs>,
    audit_key: std::path::PathBuf,
) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        let store = store.clone();
        let folder = folder.clone();
        let audit_key = audit_key.clone();
        let started = jobs.start(
            ("retention", Uuid::nil()),
            "retention sweep".into(),
            (json!({}), json!({})),
            |_job| async move {
                // Photos of drawings removed while their files could not be, and uploads
                // abandoned half-way.
                if let Err(error) = attachments::sweep(&*store, &folder).await {
                    tracing::warn!(%error, "could not sweep the photos' folder; next in a day");
                }
                match apply_retention(&*store, &folder, Utc::now(), false, Door::Job).await {
                    Ok(swept) => {
                        for workshop in &swept {
                            tracing::info!(
                                project = workshop.project,
                                workshop = %workshop.workshop,
                                drawings = workshop.purged.drawings,
                                participants = workshop.purged.participants,
                                "retention purged a workshop's raw drawings"
                            );
                        }
                        // The day's checkpoint of the audit trail, for admins to keep.
                        let signed = match audit::signing_key(&audit_key) {
                            Ok(key) => audit::sign_checkpoint(&*store, &key, Utc::now())
                                .await
                                .map(|c| json!(c))
                                .unwrap_or_else(|e| json!({"error": e.to_string()})),
                            Err(e) => json!({"error": e.to_string()}),
                        };
                        Ok(json!({"purged": swept, "audit_checkpoint": signed}))
                    }
                    Err(error) => {
                        tracing::warn!(%error, "the retention sweep failed; next in a day");
                        Err(crate::domain::Refusal::new(
                            "retention.failed",
                            error.to_string(),
                        ))
                    }
                }
            },
        );
        if let Err(error) = started {
            tracing::warn!(%error, "the retention sweep could not start; next in a day");
        }
    }
}

/// An audit entry's details with a purge's counts (ids and counts only).
fn counted(details: Details, workshop: &Workshop, purged: Purged) -> Details {
    details
        .project(workshop.project_id)
        .workshop(workshop.id)
        .count("drawings", purged.drawings)
        .count("revisions", purged.revisions)
        .count("comments", purged.comments)
        .count("participants", purged.participants)
        .count("sessions", purged.sessions)
        .count("idempotency_records", purged.idempotency_records)
        .count("table_consents", purged.table_consents)
        .count("audit_entries_erased", purged.audit_entries_erased)
        .count("cell_counts_kept", purged.cell_counts_kept)
}

/// Tells the workshop's live pages that its purged drawings are gone (each page asks for
/// them and hears they are not found), and ends the purged participants' streams.
async fn tell(store: &dyn Store, workshop: &Workshop, outcome: &PurgeOutcome) {
    if !outcome.drawings.is_empty() {
        announce(
            store,
            Change::features(
                workshop.project_id,
                Some(workshop.id),
                outcome.drawings.iter().copied(),
            ),
        )
        .await;
    }
    for participant in &outcome.participants {
        announce(
            store,
            Change::SignedOut {
                caller_id: *participant,
            },
        )
        .await;
    }
}
