//! Aggregated exports: how many features of each symbol lie in each H3 cell, with small
//! counts suppressed so that no single drawing can be told apart.

use std::collections::BTreeMap;

use geo::{Geometry, InteriorPoint};
use h3o::{CellIndex, Resolution};

use super::Masking;
use crate::domain::priority::cell_of;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCount {
    pub cell: CellIndex,
    pub symbol: String,
    pub count: u32,
}

/// Counts drawings per (cell, symbol), a drawing in the cell of its interior point, one at a
/// time (an export streams them). Drawings of sensitive symbols are counted in the cell of
/// `Masking::sensitive_count_resolution`, coarser than the others' when their mask is.
#[derive(Debug)]
pub struct CellCounter {
    resolution: Resolution,
    sensitive_resolution: Resolution,
    counts: BTreeMap<(CellIndex, String), u32>,
}

impl CellCounter {
    pub fn new(masking: &Masking) -> Self {
        Self {
            resolution: masking.aggregate_resolution,
            sensitive_resolution: masking.sensitive_count_resolution(),
            counts: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, symbol: &str, sensitive: bool, geometry: &Geometry<f64>) {
        let resolution = if sensitive {
            self.sensitive_resolution
        } else {
            self.resolution
        };
        if let Some(at) = geometry.interior_point() {
            let key = (cell_of(at.0, resolution), symbol.to_owned());
            *self.counts.entry(key).or_default() += 1;
        }
    }

    /// The counts of at least `k`; smaller ones are suppressed.
    pub fn finish(self, k: u32) -> Vec<CellCount> {
        self.counts
            .into_iter()
            .filter(|(_, count)| *count >= k)
            .map(|((cell, symbol), count)| CellCount {
                cell,
                symbol,
                count,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Point;

    #[test]
    fn counts_under_k_are_suppressed() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let there = Geometry::Point(Point::new(-58.40, -34.76));
        let mut counter = CellCounter::new(&Masking::default());
        for _ in 0..5 {
            counter.add("taller", false, &here);
        }
        for _ in 0..4 {
            counter.add("taller", false, &there);
        }
        counter.add("escuela", false, &here);
        let counts = counter.finish(5);
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].count, 5);
        assert_eq!(counts[0].symbol, "taller");
    }

    #[test]
    fn sensitive_drawings_count_no_more_finely_than_their_mask() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let masking = Masking {
            sensitive_resolution: Resolution::Seven,
            aggregate_resolution: Resolution::Eight,
            ..Masking::default()
        };
        let mut counter = CellCounter::new(&masking);
        for _ in 0..5 {
            counter.add("taller_clandestino", true, &here);
            counter.add("escuela", false, &here);
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
