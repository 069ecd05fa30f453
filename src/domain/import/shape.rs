//! An imported item's geometry, whatever nesting its format allowed (a GeoJSON
//! GeometryCollection of collections, a KML MultiGeometry of MultiGeometries, a GPX track of
//! segments), flattened into its parts and fitted to what the item's symbol may be drawn as.
//! All coordinates are WGS84 longitude/latitude in degrees.

use geo::{Geometry, GeometryCollection, InteriorPoint, MultiLineString, MultiPoint, MultiPolygon};

use super::Note;
use crate::domain::geometry::GeometryKind;
use crate::domain::legend::Symbol;

/// The parts of `geometry`: points, lines and polygons, with every Multi* and collection
/// opened. Iterative, so no nesting depth can exhaust the stack.
pub fn parts(geometry: Geometry<f64>) -> Vec<Geometry<f64>> {
    let mut parts = Vec::new();
    let mut pending = vec![geometry];
    while let Some(geometry) = pending.pop() {
        match geometry {
            Geometry::MultiPoint(points) => {
                pending.extend(points.0.into_iter().rev().map(Geometry::Point))
            }
            Geometry::MultiLineString(lines) => {
                pending.extend(lines.0.into_iter().rev().map(Geometry::LineString))
            }
            Geometry::MultiPolygon(polygons) => {
                pending.extend(polygons.0.into_iter().rev().map(Geometry::Polygon))
            }
            Geometry::GeometryCollection(collection) => {
                pending.extend(collection.0.into_iter().rev())
            }
            Geometry::Line(line) => parts.push(Geometry::LineString(line.into())),
            Geometry::Rect(rect) => parts.push(Geometry::Polygon(rect.to_polygon())),
            Geometry::Triangle(triangle) => parts.push(Geometry::Polygon(triangle.to_polygon())),
            part => parts.push(part),
        }
    }
    parts
}

fn kind(part: &Geometry<f64>) -> GeometryKind {
    match part {
        Geometry::Point(_) | Geometry::MultiPoint(_) => GeometryKind::Point,
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
            GeometryKind::Line
        }
        _ => GeometryKind::Polygon,
    }
}

fn noun(kind: GeometryKind, count: usize) -> &'static str {
    match (kind, count) {
        (GeometryKind::Point, 1) => "point",
        (GeometryKind::Point, _) => "points",
        (GeometryKind::Line, 1) => "line",
        (GeometryKind::Line, _) => "lines",
        (GeometryKind::Polygon, 1) => "polygon",
        (GeometryKind::Polygon, _) => "polygons",
    }
}

/// Parts of one kind as one geometry: a single part as itself, several as the Multi* of it.
fn join(kind: GeometryKind, parts: Vec<Geometry<f64>>) -> Geometry<f64> {
    if parts.len() == 1 {
        return parts
            .into_iter()
            .next()
            .unwrap_or(Geometry::GeometryCollection(Default::default()));
    }
    match kind {
        GeometryKind::Point => Geometry::MultiPoint(MultiPoint::new(
            parts
                .into_iter()
                .filter_map(|p| geo::Point::try_from(p).ok())
                .collect(),
        )),
        GeometryKind::Line => Geometry::MultiLineString(MultiLineString::new(
            parts
                .into_iter()
                .filter_map(|p| geo::LineString::try_from(p).ok())
                .collect(),
        )),
        GeometryKind::Polygon => Geometry::MultiPolygon(MultiPolygon::new(
            parts
                .into_iter()
                .filter_map(|p| geo::Polygon::try_from(p).ok())
                .collect(),
        )),
    }
}

/// Fits an item's parts to `symbol`: one geometry per kind the symbol may be drawn as (a
/// collection of points and polygons under a symbol drawn as both gives two drawings); parts
/// of other kinds left out with a note; and when no part is of a kind the symbol accepts but
/// the symbol is drawn as points, one point inside the whole (a school drawn as its grounds
/// under a point-only symbol). Errors say which kinds the symbol takes and what the item is.
pub fn fit(
    parts: Vec<Geometry<f64>>,
    symbol: &Symbol,
) -> Result<(Vec<Geometry<f64>>, Vec<Note>), String> {
    let mut by_kind: [(GeometryKind, Vec<Geometry<f64>>); 3] = [
        (GeometryKind::Point, Vec::new()),
        (GeometryKind::Line, Vec::new()),
        (GeometryKind::Polygon, Vec::new()),
    ];
    for part in parts {
        let at = kind(&part) as usize;
        by_kind[at].1.push(part);
    }
    let present: Vec<(GeometryKind, usize)> = by_kind
        .iter()
        .filter(|(_, parts)| !parts.is_empty())
        .map(|(kind, parts)| (*kind, parts.len()))
        .collect();
    let described = present
        .iter()
        .map(|(kind, count)| format!("{count} {}", noun(*kind, *count)))
        .collect::<Vec<_>>()
        .join(" and ");
    // For pages to say in their language: "2 polygon, 1 point".
    let counted = present
        .iter()
        .map(|(kind, count)| format!("{count} {}", kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    if !present.iter().any(|(kind, _)| symbol.allows(*kind)) {
        let takes = symbol
            .geometry_types
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        if symbol.allows(GeometryKind::Point) && !present.is_empty() {
            let whole = Geometry::GeometryCollection(GeometryCollection::new_from(
                by_kind.into_iter().flat_map(|(_, parts)| parts).collect(),
            ));
            let point = whole
                .interior_point()
                .ok_or_else(|| format!("{described} without a point inside"))?;
            let note = Note::new(
                "reduced_to_point",
                counted,
                format!(
                    "drawn as {described}; the symbol \"{}\" is drawn as {takes}: imported as a point inside it",
                    symbol.key
                ),
            );
            return Ok((vec![Geometry::Point(point)], vec![note]));
        }
        return Err(format!(
            "the symbol \"{}\" is drawn as {takes}, and this item is {described}",
            symbol.key
        ));
    }
    let mut geometries = Vec::new();
    let mut notes = Vec::new();
    for (kind, parts) in by_kind {
        if parts.is_empty() {
            continue;
        }
        if symbol.allows(kind) {
            geometries.push(join(kind, parts));
        } else {
            let left_out = format!("{} {}", parts.len(), noun(kind, parts.len()));
            notes.push(Note::new(
                "dropped_parts",
                format!("{} {}", parts.len(), kind.as_str()),
                format!(
                    "{left_out} left out: the symbol \"{}\" is not drawn as a {}",
                    symbol.key,
                    kind.as_str()
                ),
            ));
        }
    }
    Ok((geometries, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Point, Polygon, line_string, point, polygon};

    fn symbol(kinds: &[GeometryKind]) -> Symbol {
        serde_json::from_value(serde_json::json!({
            "key": "escuela", "labels": {"es": "Escuela"}, "kind": "resource",
            "geometry_types": kinds, "color": "#1565c0", "weight": -1
        }))
        .expect("symbol")
    }

    fn square() -> Polygon<f64> {
        polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]
    }

    #[test]
    fn collections_of_collections_are_flattened_in_order() {
        let mut nested = Geometry::Point(point!(x: 9.0, y: 9.0));
        for _ in 0..100_000 {
            nested = Geometry::GeometryCollection(GeometryCollection::new_from(vec![nested]));
        }
        let found = parts(Geometry::GeometryCollection(GeometryCollection::new_from(
            vec![
                Geometry::MultiPoint(vec![point!(x: 1.0, y: 1.0), point!(x: 2.0, y: 2.0)].into()),
                nested,
            ],
        )));
        assert_eq!(found.len(), 3);
        assert_eq!(found[0], Geometry::Point(Point::new(1.0, 1.0)));
        assert_eq!(found[2], Geometry::Point(Point::new(9.0, 9.0)));
    }

    #[test]
    fn one_part_is_itself_and_several_are_a_multi() {
        let (one, notes) = fit(
            vec![Geometry::Polygon(square())],
            &symbol(&[GeometryKind::Polygon]),
        )
        .expect("fits");
        assert_eq!(one, vec![Geometry::Polygon(square())]);
        assert!(notes.is_empty());
        let line: LineString<f64> = line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)];
        let (two, _) = fit(
            vec![
                Geometry::LineString(line.clone()),
                Geometry::LineString(line),
            ],
            &symbol(&[GeometryKind::Line]),
        )
        .expect("fits");
        assert!(matches!(two[0], Geometry::MultiLineString(ref m) if m.0.len() == 2));
    }

    #[test]
    fn a_mixed_collection_keeps_the_kinds_its_symbol_takes_and_says_what_it_left_out() {
        let mixed = vec![
            Geometry::Point(point!(x: 0.5, y: 0.5)),
            Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)]),
            Geometry::Polygon(square()),
        ];
        let (kept, notes) = fit(
            mixed,
            &symbol(&[GeometryKind::Point, GeometryKind::Polygon]),
        )
        .expect("fits");
        assert_eq!(kept.len(), 2, "one drawing per kind the symbol takes");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].code, "dropped_parts");
        assert!(
            notes[0].message.contains("1 line left out"),
            "{:?}",
            notes[0]
        );
    }

    #[test]
    fn a_polygon_under_a_point_symbol_becomes_a_point_inside_it_and_a_point_cannot_become_a_zone() {
        let (kept, notes) = fit(
            vec![Geometry::Polygon(square())],
            &symbol(&[GeometryKind::Point]),
        )
        .expect("fits");
        let Geometry::Point(p) = kept[0] else {
            panic!("{kept:?}")
        };
        assert!(p.x() > 0.0 && p.x() < 1.0 && p.y() > 0.0 && p.y() < 1.0);
        assert_eq!(notes[0].code, "reduced_to_point");
        let err = fit(
            vec![Geometry::Point(point!(x: 0.0, y: 0.0))],
            &symbol(&[GeometryKind::Polygon]),
        )
        .unwrap_err();
        assert!(
            err.contains("drawn as polygon, and this item is 1 point"),
            "{err}"
        );
    }
}
