//! The audit trail: an append-only record of what matters for people's safety — who read
//! exact sensitive places, exports, moderation, role changes, legal-basis and consent
//! changes, withdrawals, purges and sign-ins (issue 26; OCHA Data Responsibility Guidelines,
//! 2025). An entry holds ids and counts, never a drawing's words or coordinates (ODK Central
//! took labels out of its audit log for that reason): [`Details`] has no field that could.
//!
//! **Tamper-evident.** Entry `n` commits to its details with a salted hash,
//! `commitment = SHA-256(salt ‖ details-JSON)`, and chains them:
//! `hash = SHA-256(prev_hash ‖ n ‖ at ‖ kind ‖ commitment)` (fields separated by newlines,
//! `at` in RFC 3339 with microseconds, the first entry's `prev_hash` 64 zeros). Changing,
//! deleting or reordering an entry breaks the chain at it ([`verify`]). A purge may *erase*
//! an entry's details (a withdrawn participant's id) — the salt and details go, the
//! commitment stays, and the chain still verifies. A cut tail keeps a valid chain, so the
//! server signs [`Checkpoint`]s (the count and the head hash, Ed25519, the key outside the
//! database) that an admin keeps elsewhere; verifying against one finds a rewritten tail.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::Principal;

/// The first entry's `prev_hash`.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Ids of drawings an entry lists at most; beyond, it counts them (`counts.drawings`).
pub const MAX_SUBJECTS: usize = 500;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Exact places of sensitive drawings were read (by someone other than their author).
    ExactRead,
    Export,
    /// A drawing was hidden, restored or reviewed by a moderator.
    Moderation,
    /// A user was created, given another role, disabled or enabled, or their password reset.
    Account,
    LegalBasis,
    /// A table's consent recorded by its facilitator.
    Consent,
    Withdrawal,
    Purge,
    SignIn,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ExactRead => "exact_read",
            Kind::Export => "export",
            Kind::Moderation => "moderation",
            Kind::Account => "account",
            Kind::LegalBasis => "legal_basis",
            Kind::Consent => "consent",
            Kind::Withdrawal => "withdrawal",
            Kind::Purge => "purge",
            Kind::SignIn => "sign_in",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// Through which door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    /// A page's form (signing in on the login page).
    Page,
    Api,
    /// A file: an export taken over the API or the console.
    Export,
    /// The projected wall, asked to show sensitive places exactly.
    Wall,
    /// The server's console (`trama …`).
    Cli,
    /// The server itself (the retention sweep).
    Job,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Page => "page",
            Door::Api => "api",
            Door::Export => "export",
            Door::Wall => "wall",
            Door::Cli => "cli",
            Door::Job => "job",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// Who did it, as the record names them: `user:<id>`, `participant:<id>`, `operator` (the
/// console) or `retention` (the server's sweep). Never a name.
pub fn actor(principal: Option<&Principal>) -> String {
    match principal {
        Some(Principal::User { id, .. }) => format!("user:{id}"),
        Some(Principal::Participant { id, .. }) => format!("participant:{id}"),
        None => "operator".to_owned(),
    }
}

/// What an entry says: ids, counts and closed words (a level, a format, a role), never free
/// text or coordinates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Details {
    pub actor: String,
    pub door: Door,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workshop: Option<Uuid>,
    /// The drawings (or the user, the table…) it is about, at most `MAX_SUBJECTS`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Uuid>,
    /// Counts: `drawings` read, rows purged by kind…
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
    /// Closed words: an export's `privacy`, `format` and `content`; a moderation's `action`;
    /// an account's `role`… Each value is one of the API's own words.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub words: BTreeMap<String, String>,
}

impl Details {
    pub fn new(actor: String, door: Door) -> Self {
        Self {
            actor,
            door,
            project: None,
            workshop: None,
            subjects: Vec::new(),
            counts: BTreeMap::new(),
            words: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn project(mut self, project: Uuid) -> Self {
        self.project = Some(project);
        self
    }

    #[must_use]
    pub fn workshop(mut self, workshop: Uuid) -> Self {
        self.workshop = Some(workshop);
        self
    }

    /// Lists `ids` (the first `MAX_SUBJECTS`) and counts them all as `drawings`.
    #[must_use]
    pub fn drawings(mut self, ids: &[Uuid]) -> Self {
        self.subjects = ids.iter().take(MAX_SUBJECTS).copied().collect();
        self.counts.insert("drawings".into(), ids.len() as u64);
        self
    }

    #[must_use]
    pub fn subject(mut self, id: Uuid) -> Self {
        self.subjects.push(id);
        self
    }

    #[must_use]
    pub fn count(mut self, name: &str, n: u64) -> Self {
        self.counts.insert(name.into(), n);
        self
    }

    #[must_use]
    pub fn word(mut self, name: &str, value: &str) -> Self {
        self.words.insert(name.into(), value.into());
        self
    }

    /// The details as committed to: JSON with keys in a fixed order (struct order, maps
    /// sorted).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One entry as stored. `details` and `salt` are None once erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// 1, 2, 3… with no gap.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: Kind,
    /// Whether its details may be erased: a participant's (a withdrawal erases who they
    /// were). Chained, so that erasing anyone else's reads as tampering.
    pub erasable: bool,
    pub details: Option<Details>,
    #[serde(skip)]
    pub salt: Option<String>,
    /// What the record's filter columns say (actor, door, project), checked against the
    /// details: editing them would hide an entry from a filter.
    #[serde(skip)]
    pub listed: Listed,
    pub commitment: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The filter columns an entry is stored with beside its details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub actor: Option<String>,
    pub door: Option<String>,
    pub project: Option<Uuid>,
}

impl Listed {
    /// What the columns say of `details`.
    pub fn of(details: &Details) -> Self {
        Self {
            actor: Some(details.actor.clone()),
            door: Some(details.door.as_str().to_owned()),
            project: details.project,
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new salt: 16 random bytes, hex.
pub fn new_salt() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `SHA-256(salt ‖ details-JSON)`, hex.
pub fn commitment(salt: &str, details: &Details) -> String {
    sha256_hex(format!("{salt}{}", details.canonical()).as_bytes())
}

/// The time as chained: RFC 3339, microseconds, `Z` (what both databases keep).
pub fn chained_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `SHA-256(prev_hash ‖ seq ‖ at ‖ kind ‖ erasable ‖ commitment)`, newline-separated, hex
/// (`erasable` as `1` or `0`).
pub fn chain_hash(
    prev_hash: &str,
    seq: u64,
    at: DateTime<Utc>,
    (kind, erasable): (Kind, bool),
    commitment: &str,
) -> String {
    sha256_hex(
        format!(
            "{prev_hash}\n{seq}\n{}\n{}\n{}\n{commitment}",
            chained_time(at),
            kind.as_str(),
            u8::from(erasable)
        )
        .as_bytes(),
    )
}

impl Entry {
    /// The entry after `previous` (None: the first), at `at`, with fresh salt.
    pub fn next(
        previous: Option<(u64, &str)>,
        at: DateTime<Utc>,
        kind: Kind,
        details: Details,
    ) -> Self {
        let (seq, prev_hash) = match previous {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS.to_owned()),
        };
        // Microseconds only: what the databases keep, so that the hash reads back the same.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let salt = new_salt();
        let commitment = commitment(&salt, &details);
        let erasable = details.actor.starts_with("participant:");
        let hash = chain_hash(&prev_hash, seq, at, (kind, erasable), &commitment);
        Self {
            seq,
            at,
            kind,
            erasable,
            listed: Listed::of(&details),
            details: Some(details),
            salt: Some(salt),
            commitment,
            prev_hash,
            hash,
        }
    }
}

/// Where and why a record does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {why}")]
pub struct Broken {
    pub seq: u64,
    pub why: String,
}

/// Checks entries as they follow each other, in `seq` order. Holds only the previous entry's number and hash, so a record of any size
/// is checked in constant memory.
#[derive(Debug, Default)]
pub struct ChainCheck {
    last: Option<(u64, String)>,
}

impl ChainCheck {
    /// Checks the next entry.
    ///
    /// # Errors
    /// [`Broken`] at the entry: a missing or repeated number, a `prev_hash` that is not the
    /// previous entry's hash, a hash that does not follow from the entry, details that do
    /// not match their commitment.
    pub fn check(&mut self, entry: &Entry) -> Result<(), Broken> {
        let broken = |why: &str| Broken {
            seq: entry.seq,
            why: why.to_owned(),
        };
        let (expected_seq, expected_prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        if entry.seq != expected_seq {
            return Err(Broken {
                seq: expected_seq,
                why: format!(
                    "missing: the record goes on at {} (deleted or reordered entries)",
                    entry.seq
                ),
            });
        }
        if entry.prev_hash != expected_prev {
            return Err(broken(
                "its previous hash is not the previous entry's (an entry before it was changed, removed or moved)",
            ));
        }
        if chain_hash(
            &entry.prev_hash,
            entry.seq,
            entry.at,
            (entry.kind, entry.erasable),
            &entry.commitment,
        ) != entry.hash
        {
            return Err(broken(
                "its hash does not follow from it (its time, kind or commitment was changed)",
            ));
        }
        match (&entry.details, &entry.salt) {
            (Some(details), Some(salt)) if commitment(salt, details) != entry.commitment => {
                return Err(broken("its details were changed"));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(broken("its details were half erased"));
            }
            _ => {}
        }
        match &entry.details {
            Some(details) if entry.listed != Listed::of(details) => {
                return Err(broken(
                    "its actor, door or project columns were changed (they no longer say what its details say)",
                ));
            }
            None if !entry.erasable => {
                return Err(broken(
                    "its details were erased, but only a withdrawn participant's may be",
                ));
            }
            None if entry.listed.actor.is_some() => {
                return Err(broken(
                    "its details were erased but its actor column was not",
                ));
            }
            _ => {}
        }
        self.last = Some((entry.seq, entry.hash.clone()));
        Ok(())
    }

    /// The number of entries checked and the head hash (None for an empty record).
    pub fn head(&self) -> Option<(u64, &str)> {
        self.last.as_ref().map(|(seq, hash)| (*seq, hash.as_str()))
    }
}

/// A signed statement of the record's length and head: kept elsewhere, it finds a tail cut
/// or rewritten after it was signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Entries in the record when signed.
    pub count: u64,
    /// The hash of entry `count`.
    pub head: String,
    pub at: DateTime<Utc>,
    /// The Ed25519 public key, hex (32 bytes).
    pub public_key: String,
    /// Ed25519 signature of `trama-audit-checkpoint\n{count}\n{head}\n{at}`, hex (64 bytes).
    pub signature: String,
}

fn signed_text(count: u64, head: &str, at: DateTime<Utc>) -> String {
    format!(
        "trama-audit-checkpoint\n{count}\n{head}\n{}",
        chained_time(at)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A new signing key's 32 secret bytes, hex (what the key file holds).
pub fn new_signing_key() -> String {
    let secret: [u8; 32] = rand::random();
    hex(&secret)
}

/// The signing key of a key file's text.
///
/// # Errors
/// A sentence when the text is not 64 hex digits.
pub fn signing_key(text: &str) -> Result<SigningKey, String> {
    unhex::<32>(text.trim())
        .map(|secret| SigningKey::from_bytes(&secret))
        .ok_or_else(|| "an audit key file holds 64 hex digits (32 bytes)".to_owned())
}

/// The public key (hex) of a key file's text: what a checkpoint signed with it carries.
///
/// # Errors
/// As [`signing_key`].
pub fn public_key(text: &str) -> Result<String, String> {
    signing_key(text).map(|key| hex(key.verifying_key().as_bytes()))
}

impl Checkpoint {
    /// Signs the record's `count` and `head` at `at` with `key`.
    pub fn sign(key: &SigningKey, count: u64, head: &str, at: DateTime<Utc>) -> Self {
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let signature = key.sign(signed_text(count, head, at).as_bytes());
        Self {
            count,
            head: head.to_owned(),
            at,
            public_key: hex(key.verifying_key().as_bytes()),
            signature: hex(&signature.to_bytes()),
        }
    }

    /// Whether the signature is the public key's over the count, head and time.
    ///
    /// # Errors
    /// A sentence when the key or signature do not read or do not verify.
    pub fn check_signature(&self) -> Result<(), String> {
        let key = unhex::<32>(&self.public_key)
            .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
            .ok_or("the checkpoint's public key does not read")?;
        let signature = unhex::<64>(&self.signature)
            .map(|bytes| Signature::from_bytes(&bytes))
            .ok_or("the checkpoint's signature does not read")?;
        key.verify(
            signed_text(self.count, &self.head, self.at).as_bytes(),
            &signature,
        )
        .map_err(|_| "the checkpoint's signature does not verify: it was not signed by that key, or was changed".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u64) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for i in 0..n {
            let previous = entries.last().map(|e| (e.seq, e.hash.as_str()));
            let actor = if i % 2 == 0 { "user" } else { "participant" };
            let details = Details::new(format!("{actor}:{}", Uuid::new_v4()), Door::Api)
                .drawings(&[Uuid::new_v4()])
                .word("privacy", if i % 2 == 0 { "full" } else { "anonymised" });
            entries.push(Entry::next(previous, Utc::now(), Kind::ExactRead, details));
        }
        entries
    }

    fn verify(entries: &[Entry]) -> Result<(), Broken> {
        let mut check = ChainCheck::default();
        entries.iter().try_for_each(|e| check.check(e))
    }

    #[test]
    fn a_record_verifies_and_any_change_breaks_it_at_that_entry() {
        let entries = record(6);
        assert_eq!(verify(&entries), Ok(()));

        let mut changed = entries.clone();
        changed[2]
            .details
            .as_mut()
            .unwrap()
            .counts
            .insert("drawings".into(), 9);
        assert_eq!(verify(&changed).unwrap_err().seq, 3);

        let mut retimed = entries.clone();
        retimed[3].at += chrono::Duration::seconds(1);
        assert_eq!(verify(&retimed).unwrap_err().seq, 4);

        let mut deleted = entries.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted).unwrap_err().seq, 2);

        let mut reordered = entries.clone();
        reordered.swap(3, 4);
        assert_eq!(verify(&reordered).unwrap_err().seq, 4);

        // Rehashing a changed entry breaks the next one.
        let mut rehashed = entries;
        rehashed[1].kind = Kind::Export;
        rehashed[1].hash = chain_hash(
            &rehashed[1].prev_hash,
            2,
            rehashed[1].at,
            (Kind::Export, rehashed[1].erasable),
            &rehashed[1].commitment,
        );
        assert_eq!(verify(&rehashed).unwrap_err().seq, 3);
    }

    #[test]
    fn erased_details_keep_the_chain_only_where_they_may_be_erased() {
        let erase = |entry: &mut Entry| {
            entry.details = None;
            entry.salt = None;
            entry.listed.actor = None;
        };
        let mut entries = record(4);
        // Entry 2 is a participant's: a withdrawal erases it.
        erase(&mut entries[1]);
        assert_eq!(verify(&entries), Ok(()));
        // Entry 3 is a user's: erasing it is tampering.
        let mut hidden = entries.clone();
        erase(&mut hidden[2]);
        assert_eq!(verify(&hidden).unwrap_err().seq, 3);
        entries[3].salt = None;
        assert_eq!(verify(&entries).unwrap_err().seq, 4);
    }

    #[test]
    fn the_filter_columns_must_say_what_the_details_say() {
        let mut entries = record(3);
        entries[0].listed.actor = Some("operator".into());
        assert_eq!(verify(&entries).unwrap_err().seq, 1);
        let mut entries = record(3);
        entries[2].listed.project = Some(Uuid::new_v4());
        assert_eq!(verify(&entries).unwrap_err().seq, 3);
    }

    #[test]
    fn a_checkpoint_is_signed_and_finds_its_own_changes() {
        let key = signing_key(&new_signing_key()).unwrap();
        let checkpoint = Checkpoint::sign(&key, 7, "ab", Utc::now());
        assert_eq!(checkpoint.check_signature(), Ok(()));
        let mut forged = checkpoint.clone();
        forged.count = 5;
        assert!(forged.check_signature().is_err());
        assert!(signing_key("not hex").is_err());
        assert_eq!(
            public_key(&hex(key.as_bytes())).unwrap(),
            checkpoint.public_key
        );
    }

    #[test]
    fn details_hold_ids_counts_and_closed_words_only() {
        let details = Details::new("operator".into(), Door::Cli)
            .project(Uuid::nil())
            .drawings(&vec![Uuid::nil(); MAX_SUBJECTS + 3]);
        assert_eq!(details.subjects.len(), MAX_SUBJECTS);
        assert_eq!(details.counts["drawings"], (MAX_SUBJECTS + 3) as u64);
        let back: Details = serde_json::from_str(&details.canonical()).unwrap();
        assert_eq!(back, details);
        assert_eq!(Kind::parse("exact_read"), Some(Kind::ExactRead));
        assert_eq!(Door::parse("wall"), Some(Door::Wall));
    }
}
