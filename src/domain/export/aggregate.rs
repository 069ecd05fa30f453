//! Aggregated exports: how many features of each symbol lie in each H3 cell, with small
//! counts suppressed so that no single drawing can be told apart.
//!
//! Counts are released at fixed partitions: a workshop's count of a symbol in a cell is
//! released when it reaches k, and a count over several workshops is the sum of the released
//! ones. Two exports over different workshops (or symbols) then subtract to released counts
//! only, never to a suppressed one (6 − 5 = 1 told a researcher a count of 1 before). The
//! aggregated level filters by workshop and symbol only (`check_masked_filter`), the
//! partition's own keys.

use std::collections::BTreeMap;

use geo::{Geometry, InteriorPoint};
use h3o::{CellIndex, Resolution};
use uuid::Uuid;

use super::Masking;
use crate::domain::priority::cell_of;
use crate::domain::retention::KeptCount;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCount {
    pub cell: CellIndex,
    pub symbol: String,
    pub count: u32,
    /// Per (question, option) of the choices counted (see [`CellCounter::add_choosing`]):
    /// how many of the drawings chose it, the released ones only.
    pub options: BTreeMap<(String, String), u32>,
}

/// A partition's (cell, symbol, workshop) options chosen: (question, option) → drawings.
type Chosen = BTreeMap<(String, String), u32>;

/// Counts drawings per (cell, symbol), a drawing in the cell of its interior point, one at a
/// time (an export streams them). Drawings of sensitive symbols are counted in their mask's
/// cell at `Masking::sensitive_count_resolution` (its ancestor of the project's mask, see
/// `mask_cell`), coarser than the others' when their mask is.
#[derive(Debug)]
pub struct CellCounter {
    resolution: Resolution,
    sensitive_resolution: Resolution,
    /// The project's mask resolution, the finest a sensitive drawing is placed at.
    floor: Resolution,
    /// Per partition: cell, symbol and workshop (None for drawings of no workshop).
    counts: BTreeMap<(CellIndex, String, Option<Uuid>), u32>,
    /// Per partition, the options its drawings chose.
    chosen: BTreeMap<(CellIndex, String, Option<Uuid>), Chosen>,
}

impl CellCounter {
    /// Counts as `masking` asks, sensitive drawings from their masks at `floor` (the
    /// project's mask resolution).
    pub fn new(masking: &Masking, floor: Resolution) -> Self {
        Self {
            resolution: masking.aggregate_resolution,
            sensitive_resolution: masking.sensitive_count_resolution(),
            floor,
            counts: BTreeMap::new(),
            chosen: BTreeMap::new(),
        }
    }

    /// Counts one drawing of `symbol` made in `workshop`.
    pub fn add(
        &mut self,
        symbol: &str,
        workshop: Option<Uuid>,
        sensitive: bool,
        geometry: &Geometry<f64>,
    ) {
        self.add_choosing(symbol, workshop, sensitive, geometry, &[]);
    }

    /// Counts one drawing as [`CellCounter::add`] does, and the options it `chose`
    /// (question key, option key) among the choices an aggregated export counts.
    pub fn add_choosing(
        &mut self,
        symbol: &str,
        workshop: Option<Uuid>,
        sensitive: bool,
        geometry: &Geometry<f64>,
        chose: &[(String, String)],
    ) {
        let cell = if sensitive {
            Some(super::mask_cell(
                geometry,
                self.floor,
                self.sensitive_resolution,
            ))
        } else {
            geometry
                .interior_point()
                .map(|at| cell_of(at.0, self.resolution))
        };
        if let Some(cell) = cell {
            let partition = (cell, symbol.to_owned(), workshop);
            if !chose.is_empty() {
                let chosen = self.chosen.entry(partition.clone()).or_default();
                for option in chose {
                    *chosen.entry(option.clone()).or_default() += 1;
                }
            }
            *self.counts.entry(partition).or_default() += 1;
        }
    }

    /// Adds what a retention kept of a purged workshop (`KeptCount`): in its own cell, or
    /// that cell's ancestor at this counter's resolution when the counter is coarser. A
    /// count kept at a coarser resolution than asked stays in its coarser cell: the drawings
    /// it stands for are gone and cannot be placed more finely.
    pub fn add_kept(&mut self, kept: &KeptCount, sensitive: bool) {
        let resolution = if sensitive {
            self.sensitive_resolution
        } else {
            self.resolution
        };
        let cell = kept.cell.parent(resolution).unwrap_or(kept.cell);
        *self
            .counts
            .entry((cell, kept.symbol.clone(), Some(kept.workshop)))
            .or_default() += kept.count;
    }

    /// The counts of one workshop a retention keeps (`AfterRetention::KeepCounts`): per cell
    /// and symbol, those of at least `k`, as `finish` would release them. Counts of drawings
    /// of no workshop are not `workshop`'s and are left out.
    pub fn kept(self, workshop: Uuid, k: u32) -> Vec<KeptCount> {
        self.counts
            .into_iter()
            .filter(|((_, _, of), count)| *of == Some(workshop) && *count >= k)
            .map(|((cell, symbol, _), count)| KeptCount {
                workshop,
                symbol,
                cell,
                count,
            })
            .collect()
    }

    /// Per cell and symbol, the sum of the workshops' counts of at least `k`; smaller ones
    /// are suppressed, and a cell and symbol without any released count is left out.
    ///
    /// An option's count is released by the same partitions, when it is at least `k` and
    /// so is the count of the partition's drawings that did not choose it (or there are
    /// none): else "8 of 10 said nights" would tell that 2 did not, as a count of 2. And
    /// of one question's options, those released never leave a small rest: 12 drawings, 5
    /// at night and 5 by day, would tell that 2 did not answer; the smallest released
    /// option is withheld until the rest is none or at least `k`.
    pub fn finish(self, k: u32) -> Vec<CellCount> {
        let mut released: BTreeMap<(CellIndex, String), (u32, Chosen)> = BTreeMap::new();
        let mut chosen = self.chosen;
        for (partition, count) in self.counts {
            if count < k {
                continue;
            }
            let options = chosen.remove(&partition).unwrap_or_default();
            let (cell, symbol, _) = partition;
            let sum = released.entry((cell, symbol)).or_default();
            sum.0 += count;
            for (option, chose) in released_options(options, count, k) {
                *sum.1.entry(option).or_default() += chose;
            }
        }
        released
            .into_iter()
            .map(|((cell, symbol), (count, options))| CellCount {
                cell,
                symbol,
                count,
                options,
            })
            .collect()
    }
}

/// The options of one partition (`count` drawings) that may be released at `k` (see
/// [`CellCounter::finish`]).
fn released_options(options: Chosen, count: u32, k: u32) -> Chosen {
    let mut released: Chosen = options
        .into_iter()
        .filter(|(_, chose)| {
            let others = count - chose;
            *chose >= k && (others == 0 || others >= k)
        })
        .collect();
    let questions: Vec<String> = released.keys().map(|(q, _)| q.clone()).collect();
    for question in questions {
        loop {
            let of_it: Vec<((String, String), u32)> = released
                .iter()
                .filter(|((q, _), _)| *q == question)
                .map(|(option, n)| (option.clone(), *n))
                .collect();
            let sum: u32 = of_it.iter().map(|(_, n)| n).sum();
            // Several chosen at once can sum past the count: then no rest is told.
            let rest = count.checked_sub(sum);
            if !rest.is_some_and(|rest| rest > 0 && rest < k) {
                break;
            }
            match of_it.iter().min_by_key(|(_, n)| *n) {
                Some((smallest, _)) => {
                    released.remove(smallest);
                }
                None => break,
            }
        }
    }
    released
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Point;

    #[test]
    fn counts_under_k_are_suppressed() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let there = Geometry::Point(Point::new(-58.40, -34.76));
        let mut counter = CellCounter::new(&Masking::default(), Resolution::Eight);
        for _ in 0..5 {
            counter.add("taller", None, false, &here);
        }
        for _ in 0..4 {
            counter.add("taller", None, false, &there);
        }
        counter.add("escuela", None, false, &here);
        let counts = counter.finish(5);
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].count, 5);
        assert_eq!(counts[0].symbol, "taller");
    }

    /// The attack: all workshops gave 6, one workshop 5, so the other held 1. Now each
    /// workshop's count is released or not on its own, and the sum is of released ones.
    #[test]
    fn two_exports_never_subtract_to_a_suppressed_count() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let count = |workshops: &[Uuid]| {
            let mut counter = CellCounter::new(&Masking::default(), Resolution::Eight);
            for (workshop, drawings) in [(a, 5), (b, 1)] {
                if workshops.contains(&workshop) {
                    for _ in 0..drawings {
                        counter.add("taller", Some(workshop), false, &here);
                    }
                }
            }
            counter.finish(5).first().map_or(0, |c| c.count)
        };
        assert_eq!(count(&[a, b]), 5, "b's single drawing is not added in");
        assert_eq!(count(&[a, b]) - count(&[a]), 0);
        assert_eq!(count(&[b]), 0);
    }

    /// A retention keeps what an export would release of the workshop, and an export
    /// afterwards counts it again as it did the drawings.
    #[test]
    fn kept_counts_are_what_an_export_released_and_count_again() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let there = Geometry::Point(Point::new(-58.40, -34.76));
        let workshop = Uuid::new_v4();
        let mut counter = CellCounter::new(&Masking::default(), Resolution::Eight);
        for _ in 0..6 {
            counter.add("taller", Some(workshop), false, &here);
        }
        counter.add("taller", Some(workshop), false, &there);
        counter.add("taller", None, false, &here);
        let kept = counter.kept(workshop, 5);
        assert_eq!(
            kept.len(),
            1,
            "the single drawings are suppressed: {kept:?}"
        );
        assert_eq!(kept[0].count, 6);
        assert_eq!(kept[0].cell.resolution(), Resolution::Eight);

        // A coarser export folds the kept cell into its parent; a finer one keeps it whole.
        let coarser = Masking {
            aggregate_resolution: Resolution::Six,
            sensitive_resolution: Resolution::Six,
            ..Masking::default()
        };
        let mut counter = CellCounter::new(&coarser, Resolution::Eight);
        counter.add_kept(&kept[0], false);
        counter.add("taller", Some(workshop), false, &here);
        let counts = counter.finish(5);
        assert_eq!(counts.len(), 1);
        assert_eq!(
            (counts[0].count, counts[0].cell.resolution()),
            (7, Resolution::Six)
        );
        let finer = Masking {
            aggregate_resolution: Resolution::Ten,
            ..Masking::default()
        };
        let mut counter = CellCounter::new(&finer, Resolution::Eight);
        counter.add_kept(&kept[0], false);
        assert_eq!(counter.finish(5)[0].cell, kept[0].cell);
    }

    /// Options are counted per cell as drawings are, each released only when neither its
    /// count nor the count of those that did not choose it is small.
    #[test]
    fn an_option_s_count_is_released_only_when_neither_it_nor_its_complement_is_small() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let mut counter = CellCounter::new(&Masking::default(), Resolution::Eight);
        let choice = |option: &str| vec![("horario".to_owned(), option.to_owned())];
        // 12 drawings: 6 at night, 4 by day, 2 unanswered; all 12 chose "menos_13".
        for i in 0..12 {
            let mut chose = match i {
                0..6 => choice("noche"),
                6..10 => choice("dia"),
                _ => Vec::new(),
            };
            chose.push(("edades".to_owned(), "menos_13".to_owned()));
            counter.add_choosing("taller", None, false, &here, &chose);
        }
        let counts = counter.finish(5);
        assert_eq!(counts[0].count, 12);
        let released: Vec<(&str, &str, u32)> = counts[0]
            .options
            .iter()
            .map(|((q, o), n)| (q.as_str(), o.as_str(), *n))
            .collect();
        assert_eq!(
            released,
            [("edades", "menos_13", 12), ("horario", "noche", 6)],
            "4 by day is small, and so would be the 2 who did not say 'noche' if 10 had"
        );

        // 12: 5 at night, 5 by day, 2 unanswered: both released would tell the 2.
        let mut counter = CellCounter::new(&Masking::default(), Resolution::Eight);
        for i in 0..12 {
            let chose = match i {
                0..5 => choice("noche"),
                5..10 => choice("dia"),
                _ => Vec::new(),
            };
            counter.add_choosing("taller", None, false, &here, &chose);
        }
        let counts = counter.finish(5);
        assert_eq!(
            counts[0].options.len(),
            1,
            "one is withheld; the rest, 7, is 5 and 2 together, which no one can part: {:?}",
            counts[0].options
        );
    }

    #[test]
    fn sensitive_drawings_count_no_more_finely_than_their_mask() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let masking = Masking {
            sensitive_resolution: Resolution::Seven,
            aggregate_resolution: Resolution::Eight,
            ..Masking::default()
        };
        let mut counter = CellCounter::new(&masking, Resolution::Eight);
        for _ in 0..5 {
            counter.add("taller_clandestino", None, true, &here);
            counter.add("escuela", None, false, &here);
        }
        let counts = counter.finish(5);
        let resolution_of = |symbol: &str| {
            counts
                .iter()
                .find(|c| c.symbol == symbol)
                .map(|c| c.cell.resolution())
        };
        assert_eq!(resolution_of("taller_clandestino"), Some(Resolution::Seven));
        assert_eq!(resolution_of("escuela"), Some(Resolution::Eight));
        // A mask no coarser than the cells changes nothing.
        assert_eq!(
            Masking::default().sensitive_count_resolution(),
            Resolution::Eight
        );
        assert_eq!(
            masking.masks_sensitive_counts(super::super::Privacy::Full),
            None
        );
        assert_eq!(
            masking.masks_sensitive_counts(super::super::Privacy::Aggregated),
            Some(Resolution::Seven)
        );
        assert_eq!(
            Masking::default().masks_sensitive_counts(super::super::Privacy::Aggregated),
            None
        );
    }
}
