//! Recording, reading and verifying the audit trail (`domain::audit`). Every use case that
//! does what matters for people's safety records it here, at the same point it announces:
//! reads of exact sensitive places and exports *before* they answer (no record, no answer),
//! writes once done (a record that could not be written is logged, the write stands).

use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use serde::Deserialize;
use tracing::instrument;
use uuid::Uuid;

use super::Error;
use crate::domain::access::{Principal, Role};
use crate::domain::audit::{self, Broken, ChainCheck, Checkpoint, Details, Door, Entry, Kind};
use crate::store::{AuditFilter, Store};

/// Records an entry; fails when it cannot be written (for reads and exports, which must not
/// answer unrecorded).
///
/// # Errors
/// The store's.
pub async fn record(store: &dyn Store, kind: Kind, details: Details) -> Result<(), Error> {
    store.append_audit(kind, &details, Utc::now()).await?;
    Ok(())
}

/// Records an entry after a write that is done: a failure is logged, not returned (the write
/// stands and its caller is told it did).
pub async fn note(store: &dyn Store, kind: Kind, details: Details) {
    if let Err(error) = store.append_audit(kind, &details, Utc::now()).await {
        tracing::error!(%error, kind = kind.as_str(), "could not record an audit entry");
    }
}

/// The details' first words: who, through which door.
pub fn by(principal: Option<&Principal>, door: Door) -> Details {
    Details::new(audit::actor(principal), door)
}

/// Records that `principal` read the exact places of the sensitive drawings `ids` of
/// `project` through `door` (nothing when `ids` is empty).
///
/// # Errors
/// The store's: the read must then not be answered.
pub async fn exact_reads(
    store: &dyn Store,
    principal: Option<&Principal>,
    door: Door,
    project: Uuid,
    ids: &[Uuid],
) -> Result<(), Error> {
    if ids.is_empty() {
        return Ok(());
    }
    record(
        store,
        Kind::ExactRead,
        by(principal, door).project(project).drawings(ids),
    )
    .await
}

/// What `GET /api/audit` filters on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub door: Option<String>,
    pub kind: Option<String>,
    pub project: Option<Uuid>,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    pub since: Option<chrono::NaiveDate>,
    /// `YYYY-MM-DD`, to the end of that day (UTC).
    pub until: Option<chrono::NaiveDate>,
    /// Entries before this number: the next page.
    pub before: Option<u64>,
    /// 1 to 500; 100 by default.
    pub limit: Option<u32>,
}

/// The entries `principal` may read, newest first: admins every entry, analysts those of a
/// project (not sign-ins or accounts).
///
/// # Errors
/// `NotAllowed` for other roles; `BadInput` for an unknown door or kind.
#[instrument(skip_all, err(level = "debug"))]
pub async fn list(
    store: &dyn Store,
    principal: &Principal,
    query: AuditQuery,
) -> Result<Vec<Entry>, Error> {
    let permit = principal
        .moderation()
        .ok_or_else(|| Error::not_allowed("the audit trail is for admins and analysts"))?;
    let door = query
        .door
        .as_deref()
        .map(|d| Door::parse(d).ok_or_else(|| Error::BadInput(format!("no door is called {d:?}"))))
        .transpose()?;
    let kind = query
        .kind
        .as_deref()
        .map(|k| Kind::parse(k).ok_or_else(|| Error::BadInput(format!("no kind is called {k:?}"))))
        .transpose()?;
    let filter = AuditFilter {
        actor: query.actor.filter(|a| !a.trim().is_empty()),
        door,
        kind,
        project: query.project,
        project_scoped: principal.role() != Some(Role::Admin),
        since: query.since.map(super::features::from_day),
        until: query.until.map(super::features::until_day),
        before: query.before,
        limit: query.limit.unwrap_or(100).clamp(1, 500),
    };
    Ok(store.list_audit(&permit, &filter).await?)
}

/// What a verification found: the entries checked and the head, and whether a kept
/// checkpoint matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub count: u64,
    pub head: Option<String>,
}

/// Entries read at a time while verifying.
const VERIFY_PAGE: u32 = 5_000;

/// Verifies the whole record, in constant memory, and against `checkpoint` when one is given
/// (its signature, and that entry `count` still has its `head`).
///
/// # Errors
/// `Ok(Err(broken))` names the first entry that does not verify (or the checkpoint that
/// does not match); `Err` is the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn verify(
    store: &dyn Store,
    checkpoint: Option<&Checkpoint>,
) -> Result<Result<Verified, Broken>, Error> {
    if let Some(checkpoint) = checkpoint
        && let Err(why) = checkpoint.check_signature()
    {
        return Ok(Err(Broken {
            seq: checkpoint.count,
            why,
        }));
    }
    let mut check = ChainCheck::default();
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, VERIFY_PAGE).await?;
        for entry in &page {
            if let Err(broken) = check.check(entry) {
                return Ok(Err(broken));
            }
            if let Some(checkpoint) = checkpoint
                && entry.seq == checkpoint.count
                && entry.hash != checkpoint.head
            {
                return Ok(Err(Broken {
                    seq: entry.seq,
                    why: "it is not the entry the checkpoint signed: the record was rewritten up to it".into(),
                }));
            }
        }
        match page.last() {
            Some(last) => after = last.seq,
            None => break,
        }
    }
    let head = check.head().map(|(count, hash)| (count, hash.to_owned()));
    let count = head.as_ref().map_or(0, |(count, _)| *count);
    if let Some(checkpoint) = checkpoint
        && count < checkpoint.count
    {
        return Ok(Err(Broken {
            seq: count + 1,
            why: format!(
                "missing: the checkpoint of {} signed {} entries; the record ends at {count} (its tail was cut)",
                checkpoint.at.format("%Y-%m-%d %H:%M"),
                checkpoint.count
            ),
        }));
    }
    Ok(Ok(Verified {
        count,
        head: head.map(|(_, hash)| hash),
    }))
}

/// Verifies the record against the latest checkpoint kept, for an admin.
///
/// # Errors
/// `NotAllowed` for other roles; as [`verify`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn verify_as(
    store: &dyn Store,
    principal: &Principal,
) -> Result<(Option<Checkpoint>, Result<Verified, Broken>), Error> {
    if principal.role() != Some(Role::Admin) {
        return Err(Error::not_allowed(
            "verifying the audit trail is for admins",
        ));
    }
    let checkpoint = store.latest_checkpoint().await?;
    let outcome = verify(store, checkpoint.as_ref()).await?;
    Ok((checkpoint, outcome))
}

/// Verifies the record and signs a checkpoint of its head with `key`, kept in the database
/// (and answered, for an admin to keep elsewhere).
///
/// # Errors
/// `Conflict` when the record does not verify (nothing is signed); the store's.
pub async fn sign_checkpoint(
    store: &dyn Store,
    key: &SigningKey,
    at: DateTime<Utc>,
) -> Result<Checkpoint, Error> {
    let verified = verify(store, None)
        .await?
        .map_err(|broken| Error::Conflict(format!("nothing was signed: {broken}")))?;
    let checkpoint = Checkpoint::sign(
        key,
        verified.count,
        verified.head.as_deref().unwrap_or(audit::GENESIS),
        at,
    );
    store.save_checkpoint(&checkpoint).await?;
    Ok(checkpoint)
}

/// The server's checkpoint signing key, from `path` (64 hex digits), made there (readable by
/// its owner only) when missing. Kept outside the database, so that whoever can rewrite the
/// database cannot sign.
///
/// # Errors
/// `Failed` when the file cannot be read, made or does not hold a key.
pub fn signing_key(path: &Path) -> Result<SigningKey, Error> {
    let failed =
        |e: &dyn std::fmt::Display| Error::Failed(format!("the audit key {}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(text) => audit::signing_key(&text).map_err(|e| failed(&e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = audit::new_signing_key();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(|e| failed(&e))?;
            std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| failed(&e))?;
            audit::signing_key(&text).map_err(|e| failed(&e))
        }
        Err(e) => Err(failed(&e)),
    }
}
