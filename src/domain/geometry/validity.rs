//! OGC simple-feature validity for what people draw, in O(n log n).
//!
//! `geo`'s `Validation` checks ring self-intersection by comparing every edge with every
//! other one; a 20,000-vertex drawing would cost seconds of CPU. These checks follow the same
//! rules (OGC SFA §6.1.11: simple rings, holes inside the shell, rings meeting at points only,
//! polygons of a multipolygon not overlapping) with a sweep over the edges, and say where a
//! ring crosses itself so a participant can fix their drawing.

use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{
    Coord, Geometry, Intersects, Line, LineString, Polygon, PreparedGeometry, Relate,
    RemoveRepeatedPoints,
};

use crate::domain::Invalid;

/// Checks `geometry` (WGS84 degrees); every problem is reported with `pointer`.
pub fn check(geometry: &Geometry<f64>, pointer: &str) -> Result<(), Vec<Invalid>> {
    let mut problems = Vec::new();
    match geometry {
        Geometry::Polygon(polygon) => check_polygon(polygon, "", &mut problems),
        Geometry::MultiPolygon(multi) => {
            for (i, polygon) in multi.iter().enumerate() {
                check_polygon(polygon, &format!("polygon {i}: "), &mut problems);
            }
            if problems.is_empty() {
                check_disjoint(&multi.0, &mut problems);
            }
        }
        // Points and lines were fully checked while parsing (finite, in range, two distinct
        // positions); lines may cross themselves.
        _ => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems
            .into_iter()
            .map(|detail| Invalid::new(pointer, format!("invalid geometry: {detail}")))
            .collect())
    }
}

/// Below this area (square degrees; about 0.01 m² at the equator, less towards the poles) a
/// ring encloses nothing: its points are collinear or repeated. Such a polygon is invalid for
/// every reader (GEOS: "Too few points" or a zero-area shell) though no edge crosses another.
const NO_AREA: f64 = 1e-12;

/// The area a ring encloses, in square degrees (shoelace formula, unsigned).
fn ring_area(ring: &LineString<f64>) -> f64 {
    use geo::Area;
    Polygon::new(ring.clone(), vec![]).unsigned_area()
}

fn ring_name(index: usize) -> String {
    if index == 0 {
        "exterior ring".to_owned()
    } else {
        format!("interior ring {}", index - 1)
    }
}

fn check_polygon(polygon: &Polygon<f64>, prefix: &str, problems: &mut Vec<String>) {
    let before = problems.len();
    for (index, ring) in std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .enumerate()
    {
        if ring.remove_repeated_points().0.len() < 4 {
            problems.push(format!(
                "{prefix}{} must have at least 3 distinct points",
                ring_name(index)
            ));
        } else if let Some(at) = self_intersection(ring) {
            problems.push(format!(
                "{prefix}{} has a self-intersection near [{:.6}, {:.6}]",
                ring_name(index),
                at.x,
                at.y
            ));
        } else if ring_area(ring) < NO_AREA {
            // A ring whose edges only run back over each other: no crossing, and nothing inside.
            problems.push(format!(
                "{prefix}{} has no area: its points lie on one line (or repeat), so it encloses \
                 nothing; draw it again around the place",
                ring_name(index)
            ));
        }
    }
    if problems.len() > before || polygon.interiors().is_empty() {
        return;
    }
    // Holes: inside the shell, touching it and each other at points only.
    let shell = Polygon::new(polygon.exterior().clone(), vec![]);
    let shell = PreparedGeometry::from(&shell);
    let holes: Vec<Polygon<f64>> = polygon
        .interiors()
        .iter()
        .map(|r| Polygon::new(r.clone(), vec![]))
        .collect();
    for (i, hole) in holes.iter().enumerate() {
        let matrix = shell.relate(hole);
        if !matrix.is_contains() {
            problems.push(format!(
                "{prefix}{} is not inside the exterior ring",
                ring_name(i + 1)
            ));
        }
        if matrix.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            problems.push(format!(
                "{prefix}{} touches the exterior ring along a line",
                ring_name(i + 1)
            ));
        }
        for (j, other) in holes.iter().enumerate().skip(i + 1) {
            let matrix = hole.relate(other);
            if matrix.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                problems.push(format!(
                    "{prefix}{} and {} overlap",
                    ring_name(i + 1),
                    ring_name(j + 1)
                ));
            } else if matrix.get(CoordPos::OnBoundary, CoordPos::OnBoundary)
                == Dimensions::OneDimensional
            {
                problems.push(format!(
                    "{prefix}{} and {} touch along a line",
                    ring_name(i + 1),
                    ring_name(j + 1)
                ));
            }
        }
    }
}

/// The polygons of a multipolygon may touch at points, never overlap or share an edge.
fn check_disjoint(polygons: &[Polygon<f64>], problems: &mut Vec<String>) {
    for (i, a) in polygons.iter().enumerate() {
        for (j, b) in polygons.iter().enumerate().skip(i + 1) {
            let matrix = a.relate(b);
            if matrix.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                problems.push(format!("polygons {i} and {j} overlap"));
            } else if matrix.get(CoordPos::OnBoundary, CoordPos::OnBoundary)
                == Dimensions::OneDimensional
            {
                problems.push(format!("polygons {i} and {j} share an edge"));
            }
        }
    }
}

/// Where two edges of a ring meet other than at the vertex they share (the rule of `geo`'s
/// validation), found with a sweep over the edges sorted by their west end: only edges whose
/// longitude spans overlap are compared.
pub fn self_intersection(ring: &LineString<f64>) -> Option<Coord<f64>> {
    let edges: Vec<Line<f64>> = ring.lines().collect();
    let span = |line: &Line<f64>| (line.start.x.min(line.end.x), line.start.x.max(line.end.x));
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_unstable_by(|a, b| span(&edges[*a]).0.total_cmp(&span(&edges[*b]).0));
    for (k, &i) in order.iter().enumerate() {
        let line = &edges[i];
        let (_, east) = span(line);
        let (south, north) = (line.start.y.min(line.end.y), line.start.y.max(line.end.y));
        for &j in &order[k + 1..] {
            let other = &edges[j];
            if span(other).0 > east {
                break;
            }
            let (other_south, other_north) = (
                other.start.y.min(other.end.y),
                other.start.y.max(other.end.y),
            );
            if other_south > north || other_north < south {
                continue;
            }
            if let Some(at) = crossing(line, other) {
                return Some(at);
            }
        }
    }
    None
}

/// Where two edges meet, unless it is only at the vertex they share.
fn crossing(line: &Line<f64>, other: &Line<f64>) -> Option<Coord<f64>> {
    let shares_vertex = line.end == other.start || line.start == other.end;
    if shares_vertex || !line.intersects(other) {
        return None;
    }
    Some(
        match geo::algorithm::line_intersection::line_intersection(*line, *other) {
            Some(geo::LineIntersection::SinglePoint { intersection, .. }) => intersection,
            Some(geo::LineIntersection::Collinear { intersection }) => intersection.start,
            None => line.start,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::algorithm::Validation;
    use geo::wkt;

    #[test]
    fn agrees_with_geo_on_its_own_validity_cases() {
        let cases: Vec<Polygon<f64>> = vec![
            wkt!(POLYGON((0. 0., 4. 1., 4. 4., 0. 4., 0. 0.), (0. 2., 2. 1., 3. 2., 2. 3., 0. 2.))),
            wkt!(POLYGON((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (1. 2., 2. 1., 3. 2., 2. 3., 1. 2.), (3. 2., 3.5 1., 3.75 2., 3.5 3., 3. 2.))),
            wkt!(POLYGON((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (1. 1., 2. 1., 2. 2., 1. 2., 1. 1.), (2. 1., 3. 1., 3. 2., 2. 2., 2. 1.))),
            wkt!(POLYGON((0. 0., 2. 2., 2. 0., 0. 2., 0. 0.))),
            wkt!(POLYGON((0. 0., 1. 0., 1. 1., 2. 1., 1. 1., 0. 1., 0. 0.))),
            wkt!(POLYGON((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.), (5. 5., 6. 5., 6. 6., 5. 5.))),
            wkt!(POLYGON((0. 0., 1. 0., 1. 1., 0. 0.))),
        ];
        for polygon in cases {
            let ours = check(&Geometry::Polygon(polygon.clone()), "").is_ok();
            assert_eq!(ours, polygon.is_valid(), "{polygon:?}");
        }
    }

    #[test]
    fn a_polygon_of_no_area_is_refused_where_geo_would_take_it() {
        // Collinear points, as a finger that slid along a street draws them, in round numbers
        // and in real coordinates (whose shoelace area is rounding noise, not zero). GEOS
        // calls them invalid; `geo` 0.33 takes the first.
        for polygon in [
            wkt!(POLYGON((0. 0., 1. 0., 2. 0., 0. 0.))),
            wkt!(POLYGON((
                -58.4 - 34.7,
                -58.39 - 34.69,
                -58.38 - 34.68,
                -58.4 - 34.7
            ))),
        ] {
            let problems =
                check(&Geometry::Polygon(polygon.clone()), "/geometry").expect_err("no area");
            assert!(problems[0].detail.contains("has no area"), "{problems:?}");
        }
        // A real small drawing (a house, 10 m by 10 m) has area.
        let house = wkt!(POLYGON((
            -58.4 - 34.7,
            -58.3999 - 34.7,
            -58.3999 - 34.6999,
            -58.4 - 34.6999,
            -58.4 - 34.7
        )));
        assert!(check(&Geometry::Polygon(house), "").is_ok());
    }

    #[test]
    fn a_bowtie_is_located_at_its_crossing() {
        let ring = wkt!(LINESTRING(0. 0., 2. 2., 2. 0., 0. 2., 0. 0.));
        assert_eq!(self_intersection(&ring), Some(Coord { x: 1.0, y: 1.0 }));
    }

    #[test]
    fn small_and_large_rings_get_the_same_answer() {
        // A zigzag whose closing edges cross the first ones, short and long.
        for teeth in [5, 100] {
            let mut coords: Vec<Coord<f64>> = (0..=teeth)
                .map(|i| Coord {
                    x: f64::from(i),
                    y: if i % 2 == 0 { 0.0 } else { 1.0 },
                })
                .collect();
            coords.push(Coord {
                x: f64::from(teeth),
                y: -1.0,
            });
            coords.push(Coord { x: 0.5, y: 2.0 });
            coords.push(coords[0]);
            let ring = LineString::new(coords);
            let polygon = Polygon::new(ring.clone(), vec![]);
            assert!(self_intersection(&ring).is_some(), "{teeth}");
            assert!(!polygon.is_valid(), "{teeth}");
        }
    }

    #[test]
    fn a_twenty_thousand_vertex_circle_is_checked_quickly_and_is_valid() {
        let n = 20_000;
        let mut coords: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let a = std::f64::consts::TAU * f64::from(i) / f64::from(n);
                Coord {
                    x: a.cos(),
                    y: a.sin(),
                }
            })
            .collect();
        coords.push(coords[0]);
        let started = std::time::Instant::now();
        assert!(
            check(
                &Geometry::Polygon(Polygon::new(LineString::new(coords), vec![])),
                ""
            )
            .is_ok()
        );
        // Brute force would compare 4 × 10⁸ edge pairs; the sweep does it in milliseconds.
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn overlapping_parts_of_a_multipolygon_are_refused() {
        let multi = wkt!(MULTIPOLYGON(((0. 0., 2. 0., 2. 2., 0. 2., 0. 0.)), ((1. 1., 3. 1., 3. 3., 1. 3., 1. 1.))));
        let problems = check(&Geometry::MultiPolygon(multi), "/g").unwrap_err();
        assert!(problems[0].detail.contains("overlap"), "{problems:?}");
    }
}
