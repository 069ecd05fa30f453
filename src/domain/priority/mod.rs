//! Priority areas: from many groups' drawings, where to act first.
//!
//! A pure engine, geometry in and results out: drawings are spread over an equal-area H3 grid
//! (`shares`), scored per cell with their symbol's weight, tested for clusters with Getis-Ord
//! Gi* (`hotspots`), merged into zones (`zones`), scored per administrative unit (`units`)
//! and compared between two sets of workshops (`change`).

mod change;
mod hotspots;
mod released;
mod shares;
mod size;
mod units;
mod zones;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use geo::{BooleanOps, BoundingRect, Geometry, MultiPolygon, Rect};
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, Resolution};
use uuid::Uuid;

pub use change::{ComparedZone, ZoneChange, compare_zones};
pub use hotspots::{HotSpot, Spot, getis_ord};
pub use released::{released, released_hotspots};
pub use shares::{Shares, cell_of, shares};
pub use size::{MAX_ANALYSIS_BYTES, Size, TooLarge, check_size, estimate};

pub use units::{Unit, UnitScore, score_units};
pub use zones::{Rule, Zone, find_zones, find_zones_unless};

/// One drawing as the engine sees it.
#[derive(Debug, Clone)]
pub struct Drawing {
    pub id: Uuid,
    pub symbol: Arc<str>,
    /// The symbol's weight in the legend.
    pub weight: f64,
    /// Drawn with a symbol of kind `risk` (counts towards consensus).
    pub risk: bool,
    pub group: Option<Uuid>,
    pub workshop: Option<Uuid>,
    /// WGS84 lon/lat.
    pub geometry: Geometry<f64>,
}

/// What one cell holds.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Σ weight × share over the drawings in the cell.
    pub score: f64,
    /// Σ share per symbol: how much of each symbol was drawn in the cell.
    pub by_symbol: BTreeMap<Arc<str>, f64>,
    pub groups: BTreeSet<Uuid>,
    pub workshops: BTreeSet<Uuid>,
    /// Groups that marked the cell with a risk symbol.
    pub risk_groups: BTreeSet<Uuid>,
    /// The drawings that reach into the cell, each once.
    pub features: Vec<Uuid>,
}

impl Tally {
    fn add(&mut self, drawing: &Drawing, share: f64) {
        self.score += drawing.weight * share;
        *self.by_symbol.entry(drawing.symbol.clone()).or_default() += share;
        if let Some(group) = drawing.group {
            self.groups.insert(group);
            if drawing.risk {
                self.risk_groups.insert(group);
            }
        }
        if let Some(workshop) = drawing.workshop {
            self.workshops.insert(workshop);
        }
        self.features.push(drawing.id);
    }

    /// Folds another tally in (cells into a zone).
    fn merge(&mut self, other: &Tally) {
        self.score += other.score;
        for (symbol, share) in &other.by_symbol {
            *self.by_symbol.entry(symbol.clone()).or_default() += share;
        }
        self.groups.extend(&other.groups);
        self.workshops.extend(&other.workshops);
        self.risk_groups.extend(&other.risk_groups);
        self.features.extend(&other.features);
    }
}

/// One cell of the study area with its score and its Gi* statistic.
#[derive(Debug, Clone)]
pub struct ScoredCell {
    pub cell: CellIndex,
    pub tally: Tally,
    pub hotspot: HotSpot,
}

/// Parameters of an analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub resolution: Resolution,
    /// Ring distance of the Gi* neighbourhood (the cell itself included).
    pub ring: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            resolution: Resolution::Nine,
            ring: 1,
        }
    }
}

/// Cell scores and hot spots over a study area.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub params: Params,
    /// How many drawings were scored.
    pub drawings: usize,
    /// Every cell of the study area, empty ones included, ordered by index.
    pub cells: Vec<ScoredCell>,
}

impl Analysis {
    pub fn total_score(&self) -> f64 {
        self.cells.iter().map(|c| c.tally.score).sum()
    }
}

/// Scores the drawings per cell (no study area, no statistics): the cells they touch only.
pub fn score_cells(drawings: &[Drawing], resolution: Resolution) -> HashMap<CellIndex, Tally> {
    tally(drawings, resolution, &AtomicBool::new(false)).unwrap_or_default()
}

/// `score_cells`, stopping with None as soon as `cancelled` is set.
fn tally(
    drawings: &[Drawing],
    resolution: Resolution,
    cancelled: &AtomicBool,
) -> Option<HashMap<CellIndex, Tally>> {
    let mut tallies: HashMap<CellIndex, Tally> = HashMap::new();
    let split: Vec<Shares> = split_all(drawings, resolution, cancelled)?;
    for (drawing, shares) in drawings.iter().zip(&split) {
        for &(cell, share) in shares {
            tallies.entry(cell).or_default().add(drawing, share);
        }
    }
    Some(tallies)
}

/// The shares of some drawings, None as soon as `cancelled` is set (checked per drawing).
fn split_part(
    part: &[Drawing],
    resolution: Resolution,
    cancelled: &AtomicBool,
) -> Option<Vec<Shares>> {
    part.iter()
        .map(|d| (!cancelled.load(Ordering::Relaxed)).then(|| shares(&d.geometry, resolution)))
        .collect()
}

/// Splitting is the costly part and independent per drawing: spread it over the cores.
fn split_all(
    drawings: &[Drawing],
    resolution: Resolution,
    cancelled: &AtomicBool,
) -> Option<Vec<Shares>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || drawings.len() < 1_000 {
        return split_part(drawings, resolution, cancelled);
    }
    let chunk = drawings.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = drawings
            .chunks(chunk)
            .map(|part| scope.spawn(move || split_part(part, resolution, cancelled)))
            .collect();
        let mut all = Vec::with_capacity(drawings.len());
        for handle in handles {
            all.extend(handle.join().expect("splitting drawings does not panic")?);
        }
        Some(all)
    })
}

/// Scores the drawings over the study area and finds its hot spots.
///
/// The study area is the project's `area` when it has one (the cells whose centre lies in
/// it, plus any cell a drawing reaches outside it), otherwise every cell within one ring of
/// a cell with drawings. Empty cells belong to it: Gi* compares a neighbourhood with the
/// whole area, not with the marked cells only.
pub fn analyse(drawings: &[Drawing], area: Option<&MultiPolygon<f64>>, params: Params) -> Analysis {
    analyse_unless(drawings, area, params, &AtomicBool::new(false)).unwrap_or(Analysis {
        params,
        drawings: drawings.len(),
        cells: Vec::new(),
    })
}

/// `analyse`, giving up with None as soon as `cancelled` is set: the request that asked for
/// it has ended (timed out, or its client left), and the work would go on for nobody.
pub fn analyse_unless(
    drawings: &[Drawing],
    area: Option<&MultiPolygon<f64>>,
    params: Params,
    cancelled: &AtomicBool,
) -> Option<Analysis> {
    let mut tallies = tally(drawings, params.resolution, cancelled)?;
    if cancelled.load(Ordering::Relaxed) {
        return None;
    }
    for cell in study_area(tallies.keys().copied(), area, params.resolution, cancelled)? {
        tallies.entry(cell).or_default();
    }
    if cancelled.load(Ordering::Relaxed) {
        return None;
    }
    let values: HashMap<CellIndex, f64> = tallies.iter().map(|(c, t)| (*c, t.score)).collect();
    // Once cancelled, no cell has neighbours any more: the rest of the loop costs nothing,
    // and its answer is dropped below.
    let hotspots = getis_ord(&values, |cell| {
        if cancelled.load(Ordering::Relaxed) {
            Vec::new()
        } else {
            cell.grid_disk::<Vec<_>>(params.ring)
        }
    });
    if cancelled.load(Ordering::Relaxed) {
        return None;
    }
    let mut cells: Vec<ScoredCell> = tallies
        .into_iter()
        .map(|(cell, tally)| ScoredCell {
            cell,
            hotspot: hotspots[&cell],
            tally,
        })
        .collect();
    cells.sort_unstable_by_key(|c| c.cell);
    Some(Analysis {
        params,
        drawings: drawings.len(),
        cells,
    })
}

/// Latitude strips of the project's area tiled at once: h3o's tiler cannot be stopped, and
/// an area of 160,000 cells took seconds in one go; a strip is a few thousand cells.
const STRIPS: usize = 32;

/// The study area's cells, None as soon as `cancelled` is set (checked between strips).
fn study_area(
    marked: impl Iterator<Item = CellIndex>,
    area: Option<&MultiPolygon<f64>>,
    resolution: Resolution,
    cancelled: &AtomicBool,
) -> Option<HashSet<CellIndex>> {
    let Some((area, bounds)) = area.and_then(|a| Some((a, a.bounding_rect()?))) else {
        return Some(
            marked
                .flat_map(|cell| cell.grid_disk::<Vec<_>>(1))
                .collect(),
        );
    };
    let mut cells = HashSet::new();
    let height = bounds.height() / STRIPS as f64;
    for strip in 0..STRIPS {
        if cancelled.load(Ordering::Relaxed) {
            return None;
        }
        // A cell belongs to the strip that holds its centre (the tiler's containment mode).
        let south = bounds.min().y + height * strip as f64;
        let north = if strip + 1 == STRIPS {
            bounds.max().y
        } else {
            south + height
        };
        let band = Rect::new(
            geo::coord! { x: bounds.min().x, y: south },
            geo::coord! { x: bounds.max().x, y: north },
        );
        let mut tiler = TilerBuilder::new(resolution)
            .containment_mode(ContainmentMode::ContainsCentroid)
            .build();
        for polygon in &area.intersection(&MultiPolygon::new(vec![band.to_polygon()])) {
            // An area that does not tile (invalid) falls back to the marked cells' rings.
            if tiler.add(polygon.clone()).is_err() {
                return study_area(marked, None, resolution, cancelled);
            }
        }
        cells.extend(tiler.into_coverage());
    }
    Some(cells)
}

/// A cell's outline as a closed WGS84 polygon.
pub fn cell_outline(cell: CellIndex) -> geo::Polygon<f64> {
    let mut ring: Vec<geo::Coord<f64>> = cell
        .boundary()
        .iter()
        .map(|ll| geo::Coord {
            x: ll.lng(),
            y: ll.lat(),
        })
        .collect();
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    geo::Polygon::new(geo::LineString::new(ring), vec![])
}

/// Parses an H3 cell index written as hexadecimal (`89c2e...ff`).
pub fn parse_cell(text: &str) -> Option<CellIndex> {
    text.parse().ok()
}

/// A resolution from its number (0-15).
pub fn resolution(number: u8) -> Option<Resolution> {
    Resolution::try_from(number).ok()
}

#[cfg(test)]
mod tests;
