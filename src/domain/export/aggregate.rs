//! Aggregated exports: how many features of each symbol lie in each H3 cell, with small
//! counts suppressed so that no single drawing can be told apart.

use std::collections::BTreeMap;

use geo::{Geometry, InteriorPoint};
use h3o::{CellIndex, Resolution};

use crate::domain::priority::cell_of;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCount {
    pub cell: CellIndex,
    pub symbol: String,
    pub count: u32,
}

/// Counts drawings per (cell, symbol), a drawing in the cell of its interior point, one at a
/// time (an export streams them).
#[derive(Debug)]
pub struct CellCounter {
    resolution: Resolution,
    counts: BTreeMap<(CellIndex, String), u32>,
}

impl CellCounter {
    pub fn new(resolution: Resolution) -> Self {
        Self {
            resolution,
            counts: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, symbol: &str, geometry: &Geometry<f64>) {
        if let Some(at) = geometry.interior_point() {
            let key = (cell_of(at.0, self.resolution), symbol.to_owned());
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
        let mut counter = CellCounter::new(Resolution::Eight);
        for _ in 0..5 {
            counter.add("taller", &here);
        }
        for _ in 0..4 {
            counter.add("taller", &there);
        }
        counter.add("escuela", &here);
        let counts = counter.finish(5);
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].count, 5);
        assert_eq!(counts[0].symbol, "taller");
    }
}
