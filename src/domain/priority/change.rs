//! Change between two sets of zones (earlier workshops against later ones): which zones are
//! new, which persist and which are gone, with how much they overlap.
//!
//! Zones of one resolution are sets of the same grid's cells, so overlaps are exact sums of
//! cell areas: no polygon clipping, no slivers.

use std::collections::HashSet;

use h3o::CellIndex;
use serde::Serialize;

use super::Zone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ZoneChange {
    /// A later zone that overlaps no earlier one.
    New,
    /// A later zone that overlaps an earlier one.
    Persisting,
    /// An earlier zone that no later zone overlaps.
    Gone,
}

#[derive(Debug, Clone)]
pub struct ComparedZone {
    pub zone: Zone,
    pub change: ZoneChange,
    /// Share of this zone's area that the other set's zones also cover (0 to 1).
    pub overlap: f64,
}

/// Compares the zones found in `before` with those found in `after`: every later zone as new
/// or persisting, then the earlier zones that are gone.
pub fn compare_zones(before: Vec<Zone>, after: Vec<Zone>) -> Vec<ComparedZone> {
    let earlier: HashSet<CellIndex> = before
        .iter()
        .flat_map(|z| z.cells.iter().copied())
        .collect();
    let later: HashSet<CellIndex> = after.iter().flat_map(|z| z.cells.iter().copied()).collect();
    let mut compared: Vec<ComparedZone> = after
        .into_iter()
        .map(|zone| {
            let overlap = overlap(&zone, &earlier);
            let change = if overlap > 0.0 {
                ZoneChange::Persisting
            } else {
                ZoneChange::New
            };
            ComparedZone {
                zone,
                change,
                overlap,
            }
        })
        .collect();
    compared.extend(before.into_iter().filter_map(|zone| {
        (overlap(&zone, &later) == 0.0).then_some(ComparedZone {
            zone,
            change: ZoneChange::Gone,
            overlap: 0.0,
        })
    }));
    compared
}

fn overlap(zone: &Zone, others: &HashSet<CellIndex>) -> f64 {
    if zone.area_m2 <= 0.0 {
        return 0.0;
    }
    let shared: f64 = zone
        .cells
        .iter()
        .filter(|c| others.contains(c))
        .map(|c| c.area_m2())
        .sum();
    shared / zone.area_m2
}
