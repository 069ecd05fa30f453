//! How long a project keeps its workshops' raw drawings, and when a workshop is due to lose
//! them (OCHA Data Responsibility Guidelines, 2025: data is kept no longer than needed for the
//! purpose it was gathered for, then destroyed so that it cannot be recovered).
//!
//! What a purge removes, and that it leaves no copy in the database files, is the store's
//! (`store::contract::care`); this module only decides *what is due*.

use chrono::{DateTime, Months, Utc};
use h3o::{CellIndex, LatLng};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::feature::FeatureFilter;
use super::workshop::Workshop;

/// The longest retention a project may set, in months (ten years): beyond it, the project
/// keeps its drawings for ever and should say so by setting none.
pub const MAX_RETENTION_MONTHS: u32 = 120;

/// A project's retention of raw drawings: `months` after each workshop ended, its drawings,
/// their revisions and comments, its participants' nicknames and consents are purged; what
/// is kept of them then is `then`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// 1 to `MAX_RETENTION_MONTHS`.
    pub months: u32,
    pub then: AfterRetention,
}

/// What a retention keeps of a workshop's drawings when it purges them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterRetention {
    /// Nothing: the drawings are deleted.
    #[default]
    Delete,
    /// Only their aggregated form: the counts per H3 cell, symbol and workshop that an
    /// aggregated export at the project's masking would release (`KeptCount`), read by
    /// aggregated exports and priority analyses from then on.
    KeepCounts,
}

impl AfterRetention {
    /// Its name in the API and the database: `delete`, `keep_counts`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::KeepCounts => "keep_counts",
        }
    }

    /// The action a name gives, or None.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Delete, Self::KeepCounts]
            .into_iter()
            .find(|a| a.as_str() == name)
    }
}

/// How many drawings of `symbol` a purged workshop had in H3 `cell`: the aggregated form a
/// retention keeps (`AfterRetention::KeepCounts`). The cell is at the project's resolution
/// when it was kept (a sensitive symbol's, its mask's); `count` is at least the project's k
/// then, smaller ones being suppressed as an aggregated export suppresses them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeptCount {
    pub workshop: Uuid,
    pub symbol: String,
    pub cell: CellIndex,
    pub count: u32,
}

impl KeptCount {
    /// Whether a selection of drawings takes this count: its workshop and symbol are among
    /// those asked, its cell's centre within the box asked. A selection by table or by time
    /// takes none: the drawings a count stands for had them, the count does not.
    pub fn selected_by(&self, filter: &FeatureFilter) -> bool {
        let centre = LatLng::from(self.cell);
        let (x, y) = (centre.lng(), centre.lat());
        filter.group.is_none()
            && filter.since.is_none()
            && filter.until.is_none()
            && filter
                .workshops
                .as_ref()
                .is_none_or(|ws| ws.contains(&self.workshop))
            && filter.symbol.as_ref().is_none_or(|s| *s == self.symbol)
            && filter.bbox.is_none_or(|b| {
                (b.min_x..=b.max_x).contains(&x) && (b.min_y..=b.max_y).contains(&y)
            })
    }
}

impl Retention {
    /// A retention of `months` that then does `then`, or why not.
    ///
    /// # Errors
    /// The months out of 1..=`MAX_RETENTION_MONTHS`, as a sentence.
    pub fn new(months: u32, then: AfterRetention) -> Result<Self, String> {
        if (1..=MAX_RETENTION_MONTHS).contains(&months) {
            Ok(Self { months, then })
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
    /// Counts per cell and symbol kept of the drawings (`AfterRetention::KeepCounts`).
    pub cell_counts_kept: u64,
    /// Photos attached to the drawings or taken by the participants, files included.
    pub attachments: u64,
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
            cell_counts_kept: self.cell_counts_kept + other.cell_counts_kept,
            attachments: self.attachments + other.attachments,
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
        let retention = Retention::new(24, AfterRetention::Delete).unwrap();
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
        let retention = Retention::new(1, AfterRetention::KeepCounts).unwrap();
        let far = Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0).unwrap();
        assert!(retention.is_due(&workshop(None, Some(ends)), far));
        assert!(!retention.is_due(&workshop(None, None), far));
    }

    #[test]
    fn an_action_is_named_as_the_api_names_it() {
        for then in [AfterRetention::Delete, AfterRetention::KeepCounts] {
            assert_eq!(AfterRetention::parse(then.as_str()), Some(then));
            assert_eq!(
                serde_json::to_value(then).unwrap(),
                serde_json::json!(then.as_str())
            );
        }
        assert_eq!(AfterRetention::parse("aggregate"), None);
    }

    #[test]
    fn a_kept_count_is_selected_by_workshop_symbol_and_place_never_by_table_or_time() {
        let workshop = Uuid::new_v4();
        let kept = KeptCount {
            workshop,
            symbol: "taller".into(),
            cell: crate::domain::priority::cell_of(
                geo::Coord {
                    x: -58.478,
                    y: -34.713,
                },
                h3o::Resolution::Eight,
            ),
            count: 5,
        };
        let around = crate::domain::bbox::BBox {
            min_x: -58.5,
            min_y: -34.8,
            max_x: -58.4,
            max_y: -34.7,
        };
        let selected = |filter: FeatureFilter| kept.selected_by(&filter);
        assert!(selected(FeatureFilter::default()));
        assert!(selected(FeatureFilter {
            workshops: Some(vec![workshop]),
            symbol: Some("taller".into()),
            bbox: Some(around),
            ..FeatureFilter::default()
        }));
        assert!(!selected(FeatureFilter {
            workshops: Some(vec![Uuid::new_v4()]),
            ..FeatureFilter::default()
        }));
        assert!(!selected(FeatureFilter {
            symbol: Some("escuela".into()),
            ..FeatureFilter::default()
        }));
        assert!(!selected(FeatureFilter {
            bbox: Some(crate::domain::bbox::BBox {
                min_x: -58.0,
                max_x: -57.9,
                ..around
            }),
            ..FeatureFilter::default()
        }));
        assert!(!selected(FeatureFilter {
            group: Some(Uuid::new_v4()),
            ..FeatureFilter::default()
        }));
        assert!(!selected(FeatureFilter {
            since: Some(Utc::now()),
            ..FeatureFilter::default()
        }));
    }

    #[test]
    fn retention_is_bounded() {
        assert!(Retention::new(0, AfterRetention::Delete).is_err());
        assert!(Retention::new(MAX_RETENTION_MONTHS + 1, AfterRetention::Delete).is_err());
        assert!(Retention::new(MAX_RETENTION_MONTHS, AfterRetention::Delete).is_ok());
    }
}
