//! Warnings about what is valid but likely wrong in an import: an item far outside the
//! project's area (a stray point on another continent, a file of another place), one whose
//! latitude and longitude look swapped (the swapped position falls inside the area), and one
//! identical to a drawing already in the workshop (the same map imported again after a
//! change, or drawn in the room and imported too). They do not block the import.

use std::collections::HashSet;

use geo::{Centroid, Closest, ClosestPoint, Distance, Geometry, Haversine, Intersects, MapCoords};

use super::{Outcome, Problem};

/// What an import is checked against.
#[derive(Debug, Default)]
pub struct Surroundings {
    /// The project, whose size limit every drawing must fit.
    pub project: Option<crate::domain::project::Project>,
    /// The project's area (WGS84 lon/lat), when it has one.
    pub area: Option<Geometry<f64>>,
    /// The workshop's drawings, as (symbol key, stored GeoJSON geometry text).
    pub existing: HashSet<(String, String)>,
}

/// Great-circle metres from `geometry` to the nearest point of `area` (0 when they meet).
fn distance_m(geometry: &Geometry<f64>, area: &Geometry<f64>) -> Option<f64> {
    let from = geometry.centroid()?;
    match area.closest_point(&from) {
        Closest::Intersection(_) => Some(0.0),
        Closest::SinglePoint(to) => Some(Haversine.distance(from, to)),
        Closest::Indeterminate => None,
    }
}

fn swapped(geometry: &Geometry<f64>) -> Option<Geometry<f64>> {
    let in_range =
        geo::CoordsIter::coords_iter(geometry).all(|c| c.x.abs() <= 90.0 && c.y.abs() <= 180.0);
    in_range.then(|| geometry.map_coords(|c| geo::coord! { x: c.y, y: c.x }))
}

fn kilometres(metres: f64) -> String {
    if metres < 10_000.0 {
        format!("{:.1} km", metres / 1000.0)
    } else {
        format!("{:.0} km", metres / 1000.0)
    }
}

/// Adds the warnings of every ready item of `outcome`, in item order; an item far larger than
/// the project (`Project::admits`) becomes a problem instead.
pub fn check(outcome: &mut Outcome, surroundings: &Surroundings) {
    if let Some(project) = &surroundings.project {
        let mut admitted = Vec::with_capacity(outcome.ready.len());
        for ready in std::mem::take(&mut outcome.ready) {
            match project.admits(&ready.geometry, "") {
                Ok(()) => admitted.push(ready),
                Err(refused) => outcome.problems.push(Problem {
                    item: ready.number,
                    line: ready.line,
                    value: Some(refused.detail.clone()),
                    problem: refused.detail,
                    code: "geometry",
                }),
            }
        }
        outcome.ready = admitted;
        outcome.problems.sort_by_key(|p| p.item);
    }
    for ready in &outcome.ready {
        let warn = |code: &'static str, value: String, problem: String| Problem {
            item: ready.number,
            line: ready.line,
            problem,
            code,
            value: Some(value),
        };
        let geometry = ready.geometry.as_geo();
        if let Some(area) = &surroundings.area
            && !area.intersects(geometry)
        {
            let metres = distance_m(geometry, area).unwrap_or(f64::NAN);
            outcome.warnings.push(warn(
                "outside_area",
                format!("{metres:.0}"),
                format!("{} outside the project's area", kilometres(metres)),
            ));
            if swapped(geometry).is_some_and(|s| area.intersects(&s)) {
                outcome.warnings.push(warn(
                    "axis_swap",
                    String::new(),
                    "latitude and longitude look swapped: with them exchanged the item falls inside the project's area"
                        .into(),
                ));
            }
        }
        let key = (ready.symbol.clone(), ready.geometry.to_geojson_string());
        if surroundings.existing.contains(&key) {
            outcome.warnings.push(warn(
                "duplicate",
                ready.symbol.clone(),
                "identical to a drawing already in the workshop (same symbol and shape)".into(),
            ));
        }
    }
    outcome.warnings.sort_by_key(|w| w.item);
}
