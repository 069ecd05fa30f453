//! Zones: the cells that pass a rule, merged with their neighbours into polygons.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use geo::MultiPolygon;
use h3o::CellIndex;
use h3o::geom::SolventBuilder;

use super::{Analysis, ScoredCell, Tally};

/// Which cells make a zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Hot spots at this confidence (90, 95 or 99) or more.
    HotSpots { confidence: u8 },
    /// Marked as a risk by at least this many distinct groups.
    Consensus { groups: usize },
    /// The highest-scoring cells: this percentage of the cells with a positive score.
    Top { percent: f64 },
}

impl Rule {
    /// The cells of `analysis` that pass.
    fn select<'a>(&self, analysis: &'a Analysis) -> Vec<&'a ScoredCell> {
        match *self {
            Rule::HotSpots { confidence } => analysis
                .cells
                .iter()
                .filter(|c| c.hotspot.is_hot_at(confidence))
                .collect(),
            Rule::Consensus { groups } => analysis
                .cells
                .iter()
                .filter(|c| c.tally.risk_groups.len() >= groups.max(1))
                .collect(),
            Rule::Top { percent } => {
                let mut positive: Vec<&ScoredCell> = analysis
                    .cells
                    .iter()
                    .filter(|c| c.tally.score > 0.0)
                    .collect();
                positive.sort_by(|a, b| b.tally.score.total_cmp(&a.tally.score));
                let keep = (positive.len() as f64 * percent.clamp(0.0, 100.0) / 100.0).ceil();
                positive.truncate(keep as usize);
                positive
            }
        }
    }
}

/// A priority zone computed from cells.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Stable while the same cells make the zone: `zone-` and its smallest cell index.
    pub id: String,
    pub cells: Vec<CellIndex>,
    /// The outline of the cells, dissolved (shared edges removed, no slivers).
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
    /// Everything the zone's cells hold; `features` without repeats.
    pub tally: Tally,
    /// Highest Gi* z-score among the zone's cells.
    pub max_z: f64,
}

/// Merges the cells passing `rule` into zones of adjacent cells (sharing an edge), the
/// highest-scoring zone first.
pub fn find_zones(analysis: &Analysis, rule: Rule) -> Vec<Zone> {
    find_zones_unless(analysis, rule, &AtomicBool::new(false)).unwrap_or_default()
}

/// `find_zones`, giving up with None as soon as `cancelled` is set (checked per zone).
pub fn find_zones_unless(
    analysis: &Analysis,
    rule: Rule,
    cancelled: &AtomicBool,
) -> Option<Vec<Zone>> {
    let selected = rule.select(analysis);
    let by_cell: HashMap<CellIndex, &ScoredCell> = selected.iter().map(|c| (c.cell, *c)).collect();
    let mut seen: HashSet<CellIndex> = HashSet::new();
    let mut zones = Vec::new();
    let mut starts: Vec<CellIndex> = by_cell.keys().copied().collect();
    starts.sort_unstable();
    for start in starts {
        if !seen.insert(start) {
            continue;
        }
        if cancelled.load(Ordering::Relaxed) {
            return None;
        }
        let mut component = vec![start];
        let mut next = 0;
        while next < component.len() {
            let cell = component[next];
            next += 1;
            for neighbour in cell.grid_disk::<Vec<_>>(1) {
                if by_cell.contains_key(&neighbour) && seen.insert(neighbour) {
                    component.push(neighbour);
                }
            }
        }
        component.sort_unstable();
        zones.push(zone(&component, &by_cell));
    }
    zones.sort_by(|a, b| b.tally.score.total_cmp(&a.tally.score));
    Some(zones)
}

fn zone(cells: &[CellIndex], by_cell: &HashMap<CellIndex, &ScoredCell>) -> Zone {
    let mut tally = Tally::default();
    let mut max_z = f64::NEG_INFINITY;
    for cell in cells {
        let scored = by_cell[cell];
        tally.merge(&scored.tally);
        max_z = max_z.max(scored.hotspot.z);
    }
    tally.features.sort_unstable();
    tally.features.dedup();
    let geometry = SolventBuilder::new()
        .build()
        .dissolve(cells.iter().copied())
        .unwrap_or_else(|_| MultiPolygon::new(Vec::new()));
    Zone {
        id: format!("zone-{}", cells[0]),
        cells: cells.to_vec(),
        geometry,
        area_m2: cells.iter().map(|c| c.area_m2()).sum(),
        tally,
        max_z,
    }
}
