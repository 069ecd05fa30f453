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

/// Counts drawings per (cell, symbol), a drawing in the cell of its interior point, and
/// keeps the counts of at least `k`.
pub fn count_cells<'a>(
    drawings: impl IntoIterator<Item = (&'a str, &'a Geometry<f64>)>,
    resolution: Resolution,
    k: u32,
) -> Vec<CellCount> {
    let mut counts: BTreeMap<(CellIndex, &str), u32> = BTreeMap::new();
    for (symbol, geometry) in drawings {
        if let Some(at) = geometry.interior_point() {
            *counts
                .entry((cell_of(at.0, resolution), symbol))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count >= k)
        .map(|((cell, symbol), count)| CellCount {
            cell,
            symbol: symbol.to_owned(),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Point;

    #[test]
    fn counts_under_k_are_suppressed() {
        let here = Geometry::Point(Point::new(-58.478, -34.713));
        let there = Geometry::Point(Point::new(-58.40, -34.76));
        let mut drawings = vec![("taller", &here); 5];
        drawings.extend(vec![("taller", &there); 4]);
        drawings.push(("escuela", &here));
        let counts = count_cells(drawings, Resolution::Eight, 5);
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].count, 5);
        assert_eq!(counts[0].symbol, "taller");
    }
}
