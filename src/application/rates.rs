//! Write rates per participant: how many drawings and comments one participant may send in a
//! minute. One participant made 5,000 drawings in 10 s and 3,000 comments in 2.3 s; a table
//! drawing by hand makes a few a minute, and a phone sending what it queued offline sends
//! them at once, which the drawing limit leaves room for. Counted in this process's memory:
//! with several instances behind a balancer each counts its own share.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// What participants may write per `WINDOW`.
const WINDOW: Duration = Duration::from_secs(60);
const DRAWINGS_PER_WINDOW: usize = 300;
const COMMENTS_PER_WINDOW: usize = 30;

/// Which kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Write {
    Drawings,
    Comments,
}

/// One participant's writes of one kind within the window: when, and how many.
type Recent = VecDeque<(Instant, usize)>;

/// Recent writes of every participant.
#[derive(Debug, Default)]
pub struct WriteRates {
    recent: Mutex<HashMap<(Uuid, Write), Recent>>,
}

impl WriteRates {
    /// Counts `count` writes of `kind` by `participant` now, or answers how many seconds to
    /// wait when they would go over the rate (and counts nothing).
    pub fn admit(&self, participant: Uuid, kind: Write, count: usize) -> Result<(), u64> {
        self.admit_at(participant, kind, count, Instant::now())
    }

    fn admit_at(
        &self,
        participant: Uuid,
        kind: Write,
        count: usize,
        now: Instant,
    ) -> Result<(), u64> {
        let max = match kind {
            Write::Drawings => DRAWINGS_PER_WINDOW,
            Write::Comments => COMMENTS_PER_WINDOW,
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
        let writes = recent.entry((participant, kind)).or_default();
        let written: usize = writes.iter().map(|(_, n)| n).sum();
        if written + count > max {
            let oldest = writes.front().map_or(now, |(at, _)| *at);
            let wait = WINDOW.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        writes.push_back((now, count));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_stops_at_the_rate_and_the_window_lets_it_go_on() {
        let rates = WriteRates::default();
        let (someone, other) = (Uuid::new_v4(), Uuid::new_v4());
        let start = Instant::now();
        for _ in 0..COMMENTS_PER_WINDOW {
            assert_eq!(rates.admit_at(someone, Write::Comments, 1, start), Ok(()));
        }
        let wait = rates
            .admit_at(someone, Write::Comments, 1, start)
            .unwrap_err();
        assert_eq!(wait, 60);
        // Others, and other kinds of writes, are counted apart.
        assert_eq!(rates.admit_at(other, Write::Comments, 1, start), Ok(()));
        assert_eq!(rates.admit_at(someone, Write::Drawings, 200, start), Ok(()));
        // A queued batch larger than what is left waits; a minute later it goes.
        assert!(
            rates
                .admit_at(someone, Write::Drawings, 200, start)
                .is_err()
        );
        let later = start + WINDOW;
        assert_eq!(rates.admit_at(someone, Write::Drawings, 200, later), Ok(()));
        assert_eq!(rates.admit_at(someone, Write::Comments, 1, later), Ok(()));
    }
}
