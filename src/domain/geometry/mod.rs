//! Validated feature geometry: RFC 7946 GeoJSON in, `geo_types` inside.
//!
//! All coordinates are WGS84 longitude/latitude in degrees (RFC 7946 §4). A third position
//! element (altitude) is accepted and dropped, since mapping workshops draw on a flat map.

#[cfg(test)]
mod tests;
mod text;
mod tree;
mod typed;
mod validity;

use geo::{BoundingRect, CoordsIter, Geometry, LineString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use tree::parse_geometry;
pub use tree::parse_unchecked;
pub use typed::GeometryText;

use super::Invalid;
use super::bbox::BBox;

/// Decimal places kept of a drawn coordinate: 7 is about 1 cm on the ground, finer than any
/// drawing on a map. A browser hands over 15-17 digits of floating-point noise per number;
/// keeping them (RFC 7946 §11.2 warns against precision the data does not have) made every
/// stored drawing, answer and export about a third larger.
pub const COORDINATE_DECIMALS: i32 = 7;

/// Rounds a coordinate to `COORDINATE_DECIMALS` places.
fn snap(c: geo::Coord<f64>) -> geo::Coord<f64> {
    let scale = 10f64.powi(COORDINATE_DECIMALS);
    geo::coord! { x: (c.x * scale).round() / scale, y: (c.y * scale).round() / scale }
}

/// A sound drawing as it is stored: its coordinates rounded to `COORDINATE_DECIMALS` places,
/// unless that is what would break it (edges within a centimetre of each other): then as
/// drawn, for a drawing is never refused because of our rounding. Errors are the validity
/// problems of the drawing itself.
pub fn rounded_if_sound(raw: Geometry<f64>, pointer: &str) -> Result<Geometry<f64>, Vec<Invalid>> {
    let rounded = geo::MapCoords::map_coords(&raw, snap);
    if lines_have_length(&rounded) && validity::check(&rounded, pointer).is_ok() {
        return Ok(rounded);
    }
    validity::check(&raw, pointer).map(|()| raw)
}

/// Orients polygons by the right-hand rule of RFC 7946 §3.1.6: exterior rings
/// counterclockwise, holes clockwise. A browser or a file may give either winding; GIS tools
/// (and d3, and PostGIS's `ST_AsGeoJSON` readers) that follow the RFC read a clockwise shell
/// as "everything but this". Other types are returned unchanged.
pub fn right_hand(geometry: Geometry<f64>) -> Geometry<f64> {
    use geo::orient::{Direction, Orient};
    match geometry {
        Geometry::Polygon(polygon) => Geometry::Polygon(polygon.orient(Direction::Default)),
        Geometry::MultiPolygon(polygons) => {
            Geometry::MultiPolygon(polygons.orient(Direction::Default))
        }
        other => other,
    }
}

/// A stored polygon's text by the right-hand rule, when it is not so already (Trama kept
/// polygons as drawn before it oriented them); None for other types and sound polygons.
pub fn reoriented(stored: &str) -> Option<String> {
    let polygonal = stored.starts_with(r#"{"type":"Polygon""#)
        || stored.starts_with(r#"{"type":"MultiPolygon""#);
    if !polygonal {
        return None;
    }
    let text =
        FeatureGeometry::from_trusted(FeatureGeometry::parse_stored(stored)?).to_geojson_string();
    (text != stored).then_some(text)
}

/// Whether every line still has two distinct positions (rounding may merge close ones).
fn lines_have_length(geometry: &Geometry<f64>) -> bool {
    let distinct = |line: &LineString<f64>| line.0.windows(2).any(|pair| pair[0] != pair[1]);
    match geometry {
        Geometry::LineString(line) => distinct(line),
        Geometry::MultiLineString(lines) => lines.iter().all(distinct),
        _ => true,
    }
}

/// What a legend symbol may be drawn as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum GeometryKind {
    Point,
    Line,
    Polygon,
}

impl GeometryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GeometryKind::Point => "point",
            GeometryKind::Line => "line",
            GeometryKind::Polygon => "polygon",
        }
    }
}

/// A geometry that passed every check: well-formed, in range, valid per OGC simple features.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureGeometry(Geometry<f64>);

impl FeatureGeometry {
    /// Validates a GeoJSON geometry object. `pointer` locates it in the request for messages;
    /// `max_vertices` bounds the work a single drawing may cost.
    pub fn from_geojson(
        value: &Value,
        pointer: &str,
        max_vertices: usize,
    ) -> Result<Self, Vec<Invalid>> {
        let geometry = parse_geometry(value, pointer).map_err(|e| vec![e])?;
        Self::settle(geometry, pointer, max_vertices)
    }

    /// The fast path of `from_geojson`, for a geometry read straight from the JSON text:
    /// `None` unless it passes every check, and then `from_geojson` says what is wrong and
    /// where.
    pub fn from_geojson_text(geometry: GeometryText, max_vertices: usize) -> Option<Self> {
        let geometry = typed::parse_checked(geometry)?;
        Self::settle(geometry, "", max_vertices).ok()
    }

    /// The checks after parsing, whichever parser read it: the vertex limit, then validity on
    /// the coordinates as they will be stored.
    fn settle(
        geometry: Geometry<f64>,
        pointer: &str,
        max_vertices: usize,
    ) -> Result<Self, Vec<Invalid>> {
        let vertices = geometry.coords_count();
        if vertices > max_vertices {
            return Err(vec![Invalid::new(
                pointer,
                format!(
                    "geometry has {vertices} vertices; the limit is {max_vertices} per feature"
                ),
            )]);
        }
        rounded_if_sound(geometry, pointer).map(|g| Self(right_hand(g)))
    }

    /// Reads a geometry stored by this server (validated when it was saved), without
    /// validating it again; None when the text is not a geometry.
    pub fn parse_stored(text: &str) -> Option<Geometry<f64>> {
        typed::parse(text).or_else(|| {
            let value: Value = serde_json::from_str(text).ok()?;
            parse_geometry(&value, "").ok()
        })
    }

    /// Wraps a geometry that is already trusted (read back from storage, or computed), its
    /// polygons oriented by the right-hand rule as every geometry Trama writes is.
    pub fn from_trusted(geometry: Geometry<f64>) -> Self {
        Self(right_hand(geometry))
    }

    pub fn as_geo(&self) -> &Geometry<f64> {
        &self.0
    }

    pub fn kind(&self) -> GeometryKind {
        match self.0 {
            Geometry::Point(_) | Geometry::MultiPoint(_) => GeometryKind::Point,
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                GeometryKind::Line
            }
            _ => GeometryKind::Polygon,
        }
    }

    /// The RFC 7946 type name ("Point", "LineString", ...).
    pub fn type_name(&self) -> &'static str {
        match self.0 {
            Geometry::Point(_) => "Point",
            Geometry::MultiPoint(_) => "MultiPoint",
            Geometry::Line(_) | Geometry::LineString(_) => "LineString",
            Geometry::MultiLineString(_) => "MultiLineString",
            Geometry::MultiPolygon(_) => "MultiPolygon",
            _ => "Polygon",
        }
    }

    pub fn bbox(&self) -> BBox {
        // Every validated geometry has at least one coordinate, so a rect always exists.
        let rect = self.0.bounding_rect().unwrap_or(geo::Rect::new(
            geo::coord! { x: 0.0, y: 0.0 },
            geo::coord! { x: 0.0, y: 0.0 },
        ));
        BBox {
            min_x: rect.min().x,
            min_y: rect.min().y,
            max_x: rect.max().x,
            max_y: rect.max().y,
        }
    }

    /// Serialises as a compact RFC 7946 geometry object.
    pub fn to_geojson_string(&self) -> String {
        text::write(&self.0).unwrap_or_else(|| {
            let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&self.0));
            serde_json::to_string(&geometry).unwrap_or_else(|_| "null".to_owned())
        })
    }

    pub fn to_geojson_value(&self) -> Value {
        serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(
            &self.0,
        )))
        .unwrap_or(Value::Null)
    }
}

/// A sensitive drawing as API answers show it to those who may not see it exactly: the H3
/// cell (of the project's masking `resolution`, 8 by default: about 0.7 km²) that holds its
/// interior point, the very cell that anonymised exports show (`domain::export::sensitive_cell`). One mask for one place: a
/// second grid (a 0.01° square was used here) would tell, with the first, where in the cell
/// the place lies.
pub fn masked_cell(geometry_json: &str, resolution: h3o::Resolution) -> Value {
    let Some(geometry) = FeatureGeometry::parse_stored(geometry_json) else {
        return Value::Null;
    };
    FeatureGeometry::from_trusted(crate::domain::export::sensitive_cell(
        &geometry, resolution, resolution,
    ))
    .to_geojson_value()
}

#[cfg(test)]
mod masking_tests {
    use super::*;

    #[test]
    fn a_masked_drawing_is_the_same_cell_that_exports_show() {
        let stored = r#"{"type":"Point","coordinates":[-58.4712,-34.7133]}"#;
        let cell = masked_cell(stored, h3o::Resolution::Eight);
        let exported = crate::domain::export::sensitive_cell(
            &Geometry::Point(geo::Point::new(-58.4712, -34.7133)),
            h3o::Resolution::Eight,
            h3o::Resolution::Eight,
        );
        let exported = FeatureGeometry::from_trusted(exported).to_geojson_value();
        assert_eq!(cell, exported);
        let polygon = parse_geometry(&cell, "").expect("a polygon");
        assert!(geo::Contains::contains(
            &polygon,
            &geo::Point::new(-58.4712, -34.7133)
        ));
    }
}

#[cfg(test)]
mod stored_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_geometries_read_back_as_the_general_parser_reads_them() {
        for value in [
            json!({"type": "Point", "coordinates": [-58.4, -34.7]}),
            json!({"type": "MultiPoint", "coordinates": [[-58.4, -34.7], [-58.41, -34.71]]}),
            json!({"type": "LineString", "coordinates": [[-58.4, -34.7], [-58.41, -34.71]]}),
            json!({"type": "Polygon", "coordinates": [[[-58.4, -34.7], [-58.3, -34.7], [-58.3, -34.6], [-58.4, -34.7]],
                                                    [[-58.36, -34.68], [-58.35, -34.67], [-58.35, -34.68], [-58.36, -34.68]]]}),
            json!({"type": "MultiPolygon", "coordinates": [[[[-58.4, -34.7], [-58.3, -34.7], [-58.3, -34.6], [-58.4, -34.7]]]]}),
            json!({"type": "MultiLineString", "coordinates": [[[-58.4, -34.7], [-58.41, -34.71]]]}),
        ] {
            let general = parse_geometry(&value, "").expect("general");
            let text = FeatureGeometry::from_trusted(general.clone()).to_geojson_string();
            assert_eq!(typed::parse(&text), Some(general), "{text}");
        }
        // Anything else still reads through the general parser.
        let z = r#"{"type":"Point","coordinates":[-58.4,-34.7,12.0]}"#;
        assert_eq!(
            typed::parse(z),
            Some(Geometry::Point(geo::Point::new(-58.4, -34.7)))
        );
        assert!(FeatureGeometry::parse_stored(z).is_some());
    }
}
