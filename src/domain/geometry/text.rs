//! Writing geometries as GeoJSON text directly from the geo types: every submitted drawing is
//! stored as text, and going through geojson's own types first allocated a vector for each
//! position. The numbers are written by serde_json's formatter, so the text is the same.

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::ser::{CompactFormatter, Formatter};

/// `geometry` as compact RFC 7946 text, or None for the types drawings never have (the
/// caller writes those the general way).
pub fn write(geometry: &Geometry<f64>) -> Option<String> {
    let mut out = Vec::with_capacity(48 + 24 * geo::CoordsIter::coords_count(geometry));
    let kind = match geometry {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        _ => return None,
    };
    out.extend_from_slice(b"{\"type\":\"");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\",\"coordinates\":");
    match geometry {
        Geometry::Point(point) => position(&mut out, point.0),
        Geometry::MultiPoint(points) => list(&mut out, &points.0, |out, p| position(out, p.0)),
        Geometry::LineString(line) => line_string(&mut out, line),
        Geometry::MultiLineString(lines) => list(&mut out, &lines.0, line_string),
        Geometry::Polygon(polygon) => rings(&mut out, polygon),
        Geometry::MultiPolygon(polygons) => list(&mut out, &polygons.0, rings),
        _ => return None,
    }
    out.push(b'}');
    // Only ASCII was written.
    String::from_utf8(out).ok()
}

fn list<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

fn position(out: &mut Vec<u8>, coord: Coord<f64>) {
    out.push(b'[');
    number(out, coord.x);
    out.push(b',');
    number(out, coord.y);
    out.push(b']');
}

/// As serde_json writes an f64 (validated coordinates are always finite).
fn number(out: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        let _ = CompactFormatter.write_f64(out, value);
    } else {
        out.extend_from_slice(b"null");
    }
}

fn line_string(out: &mut Vec<u8>, line: &LineString<f64>) {
    list(out, &line.0, |out, c| position(out, *c));
}

fn rings(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    out.push(b'[');
    line_string(out, polygon.exterior());
    for ring in polygon.interiors() {
        out.push(b',');
        line_string(out, ring);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::generate;

    fn the_general_way(geometry: &Geometry<f64>) -> String {
        serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(
            geometry,
        )))
        .expect("serialise")
    }

    #[test]
    fn writes_what_geojson_writes_for_generated_drawings() {
        for drawing in generate::generate(500, 7) {
            let geometry = drawing.geometry.as_geo();
            assert_eq!(
                write(geometry).as_deref(),
                Some(the_general_way(geometry).as_str())
            );
        }
    }

    #[test]
    fn writes_what_geojson_writes_for_every_drawing_type() {
        let ring =
            |x: f64| LineString::from(vec![(x, 0.0), (x + 1.0, 0.0), (x + 1.0, 1.0), (x, 0.0)]);
        let holed = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 0.0)]),
            vec![ring(2.0), ring(5.0)],
        );
        let geometries: Vec<Geometry<f64>> = vec![
            geo::Point::new(-58.4011972, -34.7579844).into(),
            geo::Point::new(0.5, 4e-7).into(),
            geo::Point::new(-0.0, 1e21).into(),
            geo::MultiPoint::from(vec![(1.0, 2.0), (3.5, -4.25)]).into(),
            ring(0.0).into(),
            geo::MultiLineString::new(vec![ring(0.0), ring(3.0)]).into(),
            holed.clone().into(),
            geo::MultiPolygon::new(vec![holed, Polygon::new(ring(20.0), vec![])]).into(),
        ];
        for geometry in &geometries {
            assert_eq!(
                write(geometry).as_deref(),
                Some(the_general_way(geometry).as_str())
            );
        }
        assert_eq!(write(&geo::Line::new((0.0, 0.0), (1.0, 1.0)).into()), None);
    }
}
