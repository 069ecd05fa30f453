//! Write rates: how many drawings and comments one participant may send in a minute, how
//! many a workshop takes as a whole, and how often one address or one workshop may be joined.
//! One participant made 5,000 drawings in 10 s and 3,000 comments in 2.3 s; one client that
//! joined 100 times in 3.5 s, each time a new participant with its own rate, stored 30,000
//! drawings in 25 s. A table drawing by hand makes a few a minute, and a phone sending what it
//! queued offline sends them at once, which the per-participant limit leaves room for; a room
//! of phones behind one address (a mobile router's NAT) joins well within the per-address
//! limit. Counted in this process's memory: with several instances behind a balancer each
//! counts its own share.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Every rate is counted over this window.
const WINDOW: Duration = Duration::from_secs(60);

/// How many writes of each kind fit in a minute. The defaults suit a workshop; an operator
/// raises the joins for a large room (`trama serve --joins-per-address`,
/// `--joins-per-workshop`).
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Drawings of one participant (a phone's offline queue goes at once).
    pub drawings: usize,
    /// Comments of one participant.
    pub comments: usize,
    /// Drawings of a workshop's tables together: ten busy tables.
    pub workshop_drawings: usize,
    /// Joins from one address: a room behind one router joins within it.
    pub joins_per_address: usize,
    /// Joins of one workshop.
    pub joins_per_workshop: usize,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            drawings: 300,
            comments: 30,
            workshop_drawings: 3_000,
            joins_per_address: 60,
            joins_per_workshop: 150,
        }
    }
}

/// Which kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Write {
    Drawings,
    Comments,
    Joins,
}

/// Whose writes are counted: a participant's, a workshop's as a whole, or one client
/// address's (joins, before there is a participant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Participant(Uuid),
    Workshop(Uuid),
    Address(String),
}

impl RateLimits {
    /// At most this many writes of `kind` by `subject` per window; `None` where the pair is
    /// not counted.
    fn of(&self, subject: &Subject, kind: Write) -> Option<usize> {
        match (subject, kind) {
            (Subject::Participant(_), Write::Drawings) => Some(self.drawings),
            (Subject::Participant(_), Write::Comments) => Some(self.comments),
            (Subject::Workshop(_), Write::Drawings) => Some(self.workshop_drawings),
            (Subject::Workshop(_), Write::Joins) => Some(self.joins_per_workshop),
            (Subject::Address(_), Write::Joins) => Some(self.joins_per_address),
            _ => None,
        }
    }
}

/// A write refused for its rate: whose rate, what it is, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverRate {
    pub subject: Subject,
    pub kind: Write,
    /// Writes of the kind the subject may make in a minute.
    pub max: usize,
    pub retry_after_secs: u64,
}

impl OverRate {
    /// The limit in words, for a 429's detail.
    pub fn says(&self) -> String {
        let max = self.max;
        match (&self.subject, self.kind) {
            (Subject::Participant(_), Write::Comments) => {
                format!("a participant may send {max} comments a minute")
            }
            (Subject::Participant(_), _) => {
                format!("a participant may send {max} drawings a minute")
            }
            (Subject::Workshop(_), Write::Joins) => {
                format!("a workshop may be joined {max} times a minute")
            }
            (Subject::Workshop(_), _) => {
                format!("a workshop takes {max} drawings a minute from all its tables")
            }
            (Subject::Address(_), _) => format!("one address may join {max} times a minute"),
        }
    }
}

/// One subject's writes of one kind within the window: when, and how many.
type Recent = VecDeque<(Instant, usize)>;

/// Recent writes of every subject, and the limits they are held to.
#[derive(Debug, Default)]
pub struct WriteRates {
    pub limits: RateLimits,
    recent: Mutex<HashMap<(Subject, Write), Recent>>,
}

impl WriteRates {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            recent: Mutex::default(),
        }
    }

    /// Counts `count` writes of `kind` by each of `subjects` now, or answers which subject is
    /// over its rate and how many seconds to wait (and counts nothing for any of them).
    pub fn admit(&self, subjects: &[Subject], kind: Write, count: usize) -> Result<(), OverRate> {
        self.admit_at(subjects, kind, count, Instant::now(), None)
    }

    /// Counts a join of `workshop` from `address`, the workshop held to its facilitator's
    /// `joins_per_minute` when set (the server's `joins_per_workshop` otherwise); as `admit`.
    pub fn admit_join(
        &self,
        address: &str,
        workshop: Uuid,
        joins_per_minute: Option<u32>,
    ) -> Result<(), OverRate> {
        let subjects = [
            Subject::Address(address.to_owned()),
            Subject::Workshop(workshop),
        ];
        let raised = joins_per_minute.map(|n| n as usize);
        self.admit_at(&subjects, Write::Joins, 1, Instant::now(), raised)
    }

    /// `admit` at `now`; `workshop_max`, when given, is a workshop's own limit.
    fn admit_at(
        &self,
        subjects: &[Subject],
        kind: Write,
        count: usize,
        now: Instant,
        workshop_max: Option<usize>,
    ) -> Result<(), OverRate> {
        let max_of = |subject: &Subject| match subject {
            Subject::Workshop(_) => workshop_max.or_else(|| self.limits.of(subject, kind)),
            _ => self.limits.of(subject, kind),
        };
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget whoever has written nothing within the window, so the map stays small.
        recent.retain(|_, writes| {
            while writes
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) >= WINDOW)
            {
                writes.pop_front();
            }
            !writes.is_empty()
        });
        for subject in subjects {
            let Some(max) = max_of(subject) else {
                continue;
            };
            let writes = recent.get(&(subject.clone(), kind));
            let written: usize = writes.map_or(0, |w| w.iter().map(|(_, n)| n).sum());
            if written + count > max {
                let oldest = writes.and_then(|w| w.front()).map_or(now, |(at, _)| *at);
                let wait = WINDOW.saturating_sub(now.duration_since(oldest));
                return Err(OverRate {
                    subject: subject.clone(),
                    kind,
                    max,
                    retry_after_secs: wait.as_secs().max(1),
                });
            }
        }
        for subject in subjects.iter().filter(|s| max_of(s).is_some()) {
            recent
                .entry((subject.clone(), kind))
                .or_default()
                .push_back((now, count));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_stops_at_the_rate_and_the_window_lets_it_go_on() {
        let rates = WriteRates::default();
        let (someone, other) = (
            [Subject::Participant(Uuid::new_v4())],
            [Subject::Participant(Uuid::new_v4())],
        );
        let start = Instant::now();
        for _ in 0..RateLimits::default().comments {
            assert_eq!(
                rates.admit_at(&someone, Write::Comments, 1, start, None),
                Ok(())
            );
        }
        let over = rates
            .admit_at(&someone, Write::Comments, 1, start, None)
            .unwrap_err();
        assert_eq!(over.retry_after_secs, 60);
        assert_eq!(over.says(), "a participant may send 30 comments a minute");
        // Others, and other kinds of writes, are counted apart.
        assert_eq!(
            rates.admit_at(&other, Write::Comments, 1, start, None),
            Ok(())
        );
        assert_eq!(
            rates.admit_at(&someone, Write::Drawings, 200, start, None),
            Ok(())
        );
        // A queued batch larger than what is left waits; a minute later it goes.
        assert!(
            rates
                .admit_at(&someone, Write::Drawings, 200, start, None)
                .is_err()
        );
        let later = start + WINDOW;
        assert_eq!(
            rates.admit_at(&someone, Write::Drawings, 200, later, None),
            Ok(())
        );
        assert_eq!(
            rates.admit_at(&someone, Write::Comments, 1, later, None),
            Ok(())
        );
    }

    #[test]
    fn new_participants_do_not_escape_their_workshop_s_rate() {
        let rates = WriteRates::default();
        let workshop = Subject::Workshop(Uuid::new_v4());
        let start = Instant::now();
        // Many participants, each under their own rate, fill the workshop's.
        let mut stored = 0;
        for _ in 0..100 {
            let subjects = [Subject::Participant(Uuid::new_v4()), workshop.clone()];
            if rates
                .admit_at(&subjects, Write::Drawings, 300, start, None)
                .is_ok()
            {
                stored += 300;
            }
        }
        assert_eq!(stored, RateLimits::default().workshop_drawings);
        // One address joins a room's worth, not a hundred participants in seconds.
        let address = [Subject::Address("10.0.0.7".into())];
        let joined = (0..100)
            .filter(|_| {
                rates
                    .admit_at(&address, Write::Joins, 1, start, None)
                    .is_ok()
            })
            .count();
        assert_eq!(joined, RateLimits::default().joins_per_address);
        // A refused write counts for nobody.
        let fresh = Subject::Participant(Uuid::new_v4());
        assert!(
            rates
                .admit_at(&[fresh.clone(), workshop], Write::Drawings, 1, start, None)
                .is_err()
        );
        assert_eq!(
            rates.admit_at(&[fresh], Write::Drawings, 300, start, None),
            Ok(())
        );
    }

    #[test]
    fn a_facilitator_s_raised_joins_hold_for_their_workshop_only() {
        let rates = WriteRates::default();
        let (large, other) = (Uuid::new_v4(), Uuid::new_v4());
        // 400 phones from 10 addresses of a large hall, within each address's 60.
        let joined = (0..400)
            .filter(|i| {
                rates
                    .admit_join(&format!("10.0.0.{}", i % 10), large, Some(400))
                    .is_ok()
            })
            .count();
        assert_eq!(joined, 400);
        let over = rates.admit_join("10.0.1.1", large, Some(400)).unwrap_err();
        assert_eq!(over.says(), "a workshop may be joined 400 times a minute");
        // Another workshop keeps the server's limit.
        let joined = (0..400)
            .filter(|i| {
                rates
                    .admit_join(&format!("10.0.2.{}", i % 10), other, None)
                    .is_ok()
            })
            .count();
        assert_eq!(joined, RateLimits::default().joins_per_workshop);
    }
}
