//! Priority cells as an aggregated export releases them: cells that one to k − 1 drawings
//! reach are suppressed, and what is released must not tell them. Gi* sums each cell's
//! neighbourhood, so a released cell's z-score computed from every cell carried its suppressed
//! neighbours' scores: a researcher solved 38 of 43 suppressed cells' scores from the released
//! z-scores. Here Gi* is computed again from the released scores only, a suppressed cell
//! counting as an empty one.

use std::collections::HashMap;

use h3o::CellIndex;

use super::{HotSpot, ScoredCell, getis_ord};

/// Whether a cell is released at `k`: no drawing, or `k` or more.
pub fn released(cell: &ScoredCell, k: usize) -> bool {
    cell.tally.features.is_empty() || cell.tally.features.len() >= k
}

/// Gi* of every cell of `cells` (the whole study area) from the released cells' scores only,
/// a suppressed cell counting as 0, over neighbourhoods of `ring`.
pub fn released_hotspots(cells: &[ScoredCell], k: usize, ring: u32) -> HashMap<CellIndex, HotSpot> {
    let values: HashMap<CellIndex, f64> = cells
        .iter()
        .map(|c| (c.cell, if released(c, k) { c.tally.score } else { 0.0 }))
        .collect();
    getis_ord(&values, |cell| cell.grid_disk::<Vec<_>>(ring))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::Tally;

    fn cell(index: CellIndex, drawings: usize, score: f64) -> ScoredCell {
        let tally = Tally {
            features: (0..drawings).map(|_| uuid::Uuid::new_v4()).collect(),
            score,
            ..Tally::default()
        };
        ScoredCell {
            cell: index,
            tally,
            hotspot: HotSpot {
                z: 0.0,
                p: 1.0,
                confidence: None,
                spot: None,
            },
        }
    }

    #[test]
    fn released_z_scores_say_nothing_of_a_suppressed_cell() {
        // A patch of cells around the Salada, one of them reached by a single drawing.
        let centre = crate::domain::priority::cell_of(
            geo::Coord {
                x: -58.45,
                y: -34.68,
            },
            h3o::Resolution::Eight,
        );
        let area: Vec<CellIndex> = centre.grid_disk(3);
        let with = |suppressed_score: f64| -> Vec<ScoredCell> {
            area.iter()
                .enumerate()
                .map(|(i, &c)| match i {
                    0 => cell(c, 1, suppressed_score),
                    i if i % 3 == 0 => cell(c, 6, 4.0 + i as f64),
                    _ => cell(c, 0, 0.0),
                })
                .collect()
        };
        let (low, high) = (with(1.0), with(50.0));
        let (a, b) = (
            released_hotspots(&low, 5, 1),
            released_hotspots(&high, 5, 1),
        );
        for c in low.iter().filter(|c| released(c, 5)) {
            assert_eq!(
                a[&c.cell], b[&c.cell],
                "a released cell's z moved with a suppressed score"
            );
        }
        // From every cell (what was released before), the neighbours' z told the difference.
        let every = |cells: &[ScoredCell]| {
            let values = cells.iter().map(|c| (c.cell, c.tally.score)).collect();
            getis_ord(&values, |cell| cell.grid_disk::<Vec<_>>(1))
        };
        let (before_low, before_high) = (every(&low), every(&high));
        assert!(
            low.iter()
                .filter(|c| released(c, 5))
                .any(|c| before_low[&c.cell].z != before_high[&c.cell].z)
        );
    }
}
