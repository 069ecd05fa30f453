//! How long a project keeps its workshops' raw drawings, and when a workshop is due to lose
//! them (OCHA Data Responsibility Guidelines, 2025: data is kept no longer than needed for the
//! purpose it was gathered for, then destroyed so that it cannot be recovered).
//!
//! What a purge removes, and that it leaves no copy in the database files, is the store's
//! (`store::contract::care`); this module only decides *what is due*.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use super::workshop::Workshop;

/// The longest retention a project may set, in months (ten years): beyond it, the project
/// keeps its drawings for ever and should say so by setting none.
pub const MAX_RETENTION_MONTHS: u32 = 120;

/// A project's retention of raw drawings: `months` after each workshop ended, its drawings,
/// their revisions and comments, its participants' nicknames and consents are purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// 1 to `MAX_RETENTION_MONTHS`.
    pub months: u32,
}

impl Retention {
    /// A retention of `months`, or why not.
    ///
    /// # Errors
    /// The months out of 1..=`MAX_RETENTION_MONTHS`, as a sentence.
    pub fn new(months: u32) -> Result<Self, String> {
        if (1..=MAX_RETENTION_MONTHS).contains(&months) {
            Ok(Self { months })
        } else {
            Err(format!(
                "retention_months is 1 to {MAX_RETENTION_MONTHS} months, or null to keep drawings"
            ))
        }
    }

    /// When `workshop`'s raw drawings are due to be purged: `months` after it ended (closed,
    /// or its planned end when it was never closed). None while it is open with no planned
    /// end: a workshop still running is never purged by age.
    pub fn due_at(self, workshop: &Workshop) -> Option<DateTime<Utc>> {
        let ended = workshop.closed_at.or(workshop.ends_at)?;
        ended.checked_add_months(Months::new(self.months))
    }

    /// Whether `workshop` is due at `now`.
    pub fn is_due(self, workshop: &Workshop, now: DateTime<Utc>) -> bool {
        self.due_at(workshop).is_some_and(|due| due <= now)
    }
}

/// What a purge removed (or, dry, would remove): counts of rows, never their content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Drawings, deleted ones included.
    pub drawings: u64,
    /// Their earlier versions.
    pub revisions: u64,
    /// Comments on them, and comments their participants wrote.
    pub comments: u64,
    /// Participants, with their nicknames and consents.
    pub participants: u64,
    /// Participants' sessions ended.
    pub sessions: u64,
    /// Kept answers of retried submissions that carried the drawings.
    pub idempotency_records: u64,
    /// Tables' consents recorded by a facilitator.
    pub table_consents: u64,
    /// Audit entries of the participants whose details were erased (the chain stays).
    pub audit_entries_erased: u64,
}

impl Purged {
    /// Whether nothing was (or would be) removed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The sum of two purges' counts.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            drawings: self.drawings + other.drawings,
            revisions: self.revisions + other.revisions,
            comments: self.comments + other.comments,
            participants: self.participants + other.participants,
            sessions: self.sessions + other.sessions,
            idempotency_records: self.idempotency_records + other.idempotency_records,
            table_consents: self.table_consents + other.table_consents,
            audit_entries_erased: self.audit_entries_erased + other.audit_entries_erased,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::domain::workshop::{JoinCode, WorkshopStatus};

    fn workshop(closed: Option<DateTime<Utc>>, ends: Option<DateTime<Utc>>) -> Workshop {
        Workshop {
            id: Uuid::new_v4(),
            project_id: Uuid::new_v4(),
            title: "Taller".into(),
            place: None,
            starts_at: None,
            ends_at: ends,
            facilitator_id: None,
            status: if closed.is_some() {
                WorkshopStatus::Closed
            } else {
                WorkshopStatus::Open
            },
            join_code: JoinCode::generate(),
            groups: Vec::new(),
            created_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            closed_at: closed,
            joins_per_minute: None,
            legal_basis: None,
        }
    }

    #[test]
    fn a_workshop_is_due_months_after_it_ended() {
        let closed = Utc.with_ymd_and_hms(2024, 3, 31, 18, 0, 0).unwrap();
        let retention = Retention::new(24).unwrap();
        let w = workshop(Some(closed), None);
        // Month arithmetic clamps to the month's last day.
        assert_eq!(
            retention.due_at(&w),
            Some(Utc.with_ymd_and_hms(2026, 3, 31, 18, 0, 0).unwrap())
        );
        assert!(!retention.is_due(&w, Utc.with_ymd_and_hms(2026, 3, 31, 17, 59, 59).unwrap()));
        assert!(retention.is_due(&w, Utc.with_ymd_and_hms(2026, 3, 31, 18, 0, 0).unwrap()));
    }

    #[test]
    fn a_workshop_never_closed_counts_from_its_planned_end_and_an_open_one_never_expires() {
        let ends = Utc.with_ymd_and_hms(2024, 5, 10, 12, 0, 0).unwrap();
        let retention = Retention::new(1).unwrap();
        let far = Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0).unwrap();
        assert!(retention.is_due(&workshop(None, Some(ends)), far));
        assert!(!retention.is_due(&workshop(None, None), far));
    }

    #[test]
    fn retention_is_bounded() {
        assert!(Retention::new(0).is_err());
        assert!(Retention::new(MAX_RETENTION_MONTHS + 1).is_err());
        assert!(Retention::new(MAX_RETENTION_MONTHS).is_ok());
    }
}
