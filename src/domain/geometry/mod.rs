//! Validated feature geometry: RFC 7946 GeoJSON in, `geo_types` inside.
//!
//! All coordinates are WGS84 longitude/latitude in degrees (RFC 7946 §4). A third position
//! element (altitude) is accepted and dropped, since mapping workshops draw on a flat map.

mod text;
mod typed;
mod validity;

use geo::{BoundingRect, CoordsIter, Geometry, LineString, Polygon};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// Where a value sits in the request, as a linked list on the stack: the JSON Pointer text
/// is only built when there is an error to report, not for every coordinate.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root(&'a str),
    Key(&'static str),
    Index(usize),
}

impl<'a> Path<'a> {
    fn root(pointer: &'a str) -> Self {
        Self {
            parent: None,
            segment: Segment::Root(pointer),
        }
    }
    fn key(&'a self, key: &'static str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }
    fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
    fn pointer(&self) -> String {
        let mut text = self.parent.map(Path::pointer).unwrap_or_default();
        match self.segment {
            Segment::Root(root) => text.push_str(root),
            Segment::Key(key) => {
                text.push('/');
                text.push_str(key);
            }
            Segment::Index(index) => text.push_str(&format!("/{index}")),
        }
        text
    }
    fn invalid(&self, detail: impl Into<String>) -> Invalid {
        Invalid::new(self.pointer(), detail)
    }
}

/// Reads one GeoJSON geometry object (RFC 7946 §3.1) into `geo` types with its positions
/// checked (finite, WGS84 longitude/latitude in range) but not its validity nor its size:
/// for readers that reshape what they read (imports) before `FeatureGeometry` checks it.
/// A GeometryCollection is refused; the caller opens collections itself.
pub fn parse_unchecked(value: &Value, pointer: &str) -> Result<Geometry<f64>, Invalid> {
    parse_geometry(value, pointer)
}

fn parse_geometry(value: &Value, pointer: &str) -> Result<Geometry<f64>, Invalid> {
    let root = Path::root(pointer);
    let object = value
        .as_object()
        .ok_or_else(|| root.invalid("geometry must be a GeoJSON geometry object"))?;
    let type_at = root.key("type");
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| type_at.invalid("geometry needs a \"type\""))?;
    if kind == "GeometryCollection" {
        return Err(
            type_at.invalid("GeometryCollection is not supported: send one feature per geometry")
        );
    }
    let at = root.key("coordinates");
    let coordinates = object
        .get("coordinates")
        .ok_or_else(|| at.invalid(format!("{kind} needs \"coordinates\"")))?;
    Ok(match kind {
        "Point" => Geometry::Point(position(coordinates, &at)?.into()),
        "MultiPoint" => Geometry::MultiPoint(
            array(
                coordinates,
                &at,
                1,
                "MultiPoint needs at least one position",
            )?
            .iter()
            .enumerate()
            .map(|(i, p)| position(p, &at.index(i)).map(geo::Point::from))
            .collect::<Result<Vec<_>, _>>()?
            .into(),
        ),
        "LineString" => Geometry::LineString(line_string(coordinates, &at)?),
        "MultiLineString" => Geometry::MultiLineString(geo::MultiLineString::new(
            array(
                coordinates,
                &at,
                1,
                "MultiLineString needs at least one line",
            )?
            .iter()
            .enumerate()
            .map(|(i, l)| line_string(l, &at.index(i)))
            .collect::<Result<Vec<_>, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon(coordinates, &at)?),
        "MultiPolygon" => Geometry::MultiPolygon(
            array(
                coordinates,
                &at,
                1,
                "MultiPolygon needs at least one polygon",
            )?
            .iter()
            .enumerate()
            .map(|(i, p)| polygon(p, &at.index(i)))
            .collect::<Result<Vec<_>, _>>()?
            .into(),
        ),
        other => return Err(type_at.invalid(format!("\"{other}\" is not a GeoJSON geometry type"))),
    })
}

fn array<'v>(
    value: &'v Value,
    at: &Path,
    min_len: usize,
    too_short: &str,
) -> Result<&'v Vec<Value>, Invalid> {
    let items = value
        .as_array()
        .ok_or_else(|| at.invalid("must be an array"))?;
    if items.len() < min_len {
        return Err(at.invalid(too_short));
    }
    Ok(items)
}

fn position(value: &Value, at: &Path) -> Result<geo::Coord<f64>, Invalid> {
    let items = value
        .as_array()
        .ok_or_else(|| at.invalid("a position must be an array [longitude, latitude]"))?;
    if items.len() < 2 {
        return Err(at.invalid("a position needs at least 2 numbers [longitude, latitude]"));
    }
    let number = |i: usize| {
        items[i]
            .as_f64()
            .filter(|v| v.is_finite())
            .ok_or_else(|| at.index(i).invalid("must be a finite number"))
    };
    let (x, y) = (number(0)?, number(1)?);
    // Altitude, and what GPS apps add after it (a time, an accuracy): RFC 7946 §3.1.1 lets
    // parsers ignore elements after the third, and drawings are flat, so all are dropped;
    // they must still be numbers, for anything else means the array is not a position.
    for (i, extra) in items.iter().enumerate().skip(2) {
        if !extra.is_number() {
            return Err(at
                .index(i)
                .invalid("must be a number (an altitude or a measure)"));
        }
    }
    // Numbers in the thousands are metres of a projected system (UTM, Gauss-Krüger, Web
    // Mercator), not degrees: say so, for the fix is to reproject, not to retype.
    let projected = if x.abs() > 1000.0 || y.abs() > 1000.0 {
        "; numbers this large are metres of a projected coordinate system: save the file as WGS 84 (EPSG:4326)"
    } else {
        ""
    };
    if !(-180.0..=180.0).contains(&x) {
        return Err(at.index(0).invalid(format!(
            "longitude {x} is outside -180..180 (GeoJSON positions are [longitude, latitude]){projected}"
        )));
    }
    if !(-90.0..=90.0).contains(&y) {
        return Err(at.index(1).invalid(format!(
            "latitude {y} is outside -90..90 (GeoJSON positions are [longitude, latitude]){projected}"
        )));
    }
    Ok(geo::coord! { x: x, y: y })
}

fn positions(
    value: &Value,
    at: &Path,
    min_len: usize,
    too_short: &str,
) -> Result<Vec<geo::Coord<f64>>, Invalid> {
    array(value, at, min_len, too_short)?
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &at.index(i)))
        .collect()
}

fn line_string(value: &Value, at: &Path) -> Result<LineString<f64>, Invalid> {
    let coords = positions(value, at, 2, "a line needs at least 2 positions")?;
    if coords.windows(2).all(|pair| pair[0] == pair[1]) {
        return Err(at.invalid("a line needs at least 2 distinct positions"));
    }
    Ok(LineString::new(coords))
}

fn polygon(value: &Value, at: &Path) -> Result<Polygon<f64>, Invalid> {
    let rings = array(value, at, 1, "a polygon needs at least its exterior ring")?;
    let mut parsed = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        let ring_at = at.index(i);
        let coords = positions(
            ring,
            &ring_at,
            4,
            "a polygon ring needs at least 4 positions (RFC 7946 §3.1.6)",
        )?;
        if coords.first() != coords.last() {
            return Err(ring_at
                .invalid("a polygon ring must be closed: its last position must equal its first"));
        }
        parsed.push(LineString::new(coords));
    }
    let exterior = parsed.remove(0);
    Ok(Polygon::new(exterior, parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value) -> Result<FeatureGeometry, Vec<Invalid>> {
        FeatureGeometry::from_geojson(&value, "/geometry", 20_000)
    }

    #[test]
    fn a_point_in_lomas_de_zamora_is_valid() {
        let g = check(json!({"type": "Point", "coordinates": [-58.4, -34.76]})).expect("valid");
        assert_eq!(g.kind(), GeometryKind::Point);
        assert_eq!(g.bbox().min_x, -58.4);
    }

    #[test]
    fn coordinates_are_kept_to_a_centimetre() {
        let g = check(json!({"type": "LineString",
            "coordinates": [[-58.40119724245629, -34.757984387140674], [-58.4, -34.75]]}))
        .expect("valid");
        assert_eq!(
            g.to_geojson_string(),
            r#"{"type":"LineString","coordinates":[[-58.4011972,-34.7579844],[-58.4,-34.75]]}"#
        );
    }

    #[test]
    fn a_drawing_that_rounding_would_break_is_kept_as_drawn() {
        // A vertex 4e-7 degrees (4 cm) above the opposite edge: rounding does not move it onto it.
        let spike = |height: f64| {
            json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0],
                [0.5, height], [0.0, 1.0], [0.0, 0.0]]]})
        };
        let far = check(spike(4e-7)).expect("valid");
        assert!(
            far.to_geojson_string().contains("[0.5,4e-7]"),
            "{}",
            far.to_geojson_string()
        );
        // At 4e-8 (4 mm), rounding would put the vertex on the edge: it stays as drawn.
        let near = check(spike(4e-8)).expect("valid as drawn");
        assert!(
            near.to_geojson_string().contains("[0.5,4e-8]"),
            "{}",
            near.to_geojson_string()
        );
        // Two positions 1 mm apart make a line only as drawn.
        let short = check(json!({"type": "LineString", "coordinates": [[0.0, 0.0], [1e-8, 0.0]]}))
            .expect("valid as drawn");
        assert_eq!(short.bbox().max_x, 1e-8);
    }

    #[test]
    fn swapped_latitude_and_longitude_is_refused_with_a_hint() {
        let err = check(json!({"type": "Point", "coordinates": [-34.76, -158.4]})).unwrap_err();
        assert_eq!(err[0].pointer, "/geometry/coordinates/1");
        assert!(err[0].detail.contains("[longitude, latitude]"));
    }

    #[test]
    fn polygons_follow_the_right_hand_rule_whatever_their_drawn_winding() {
        // A clockwise shell with a counterclockwise hole, as a browser may draw them.
        let g = check(json!({"type": "Polygon", "coordinates": [
            [[0.0,0.0],[0.0,4.0],[4.0,4.0],[4.0,0.0],[0.0,0.0]],
            [[1.0,1.0],[2.0,1.0],[2.0,2.0],[1.0,2.0],[1.0,1.0]]
        ]}))
        .expect("valid");
        assert_eq!(
            g.to_geojson_string(),
            r#"{"type":"Polygon","coordinates":[[[0.0,0.0],[4.0,0.0],[4.0,4.0],[0.0,4.0],[0.0,0.0]],[[1.0,1.0],[1.0,2.0],[2.0,2.0],[2.0,1.0],[1.0,1.0]]]}"#
        );
        let computed = FeatureGeometry::from_trusted(Geometry::MultiPolygon(
            vec![geo::Polygon::new(
                geo::LineString::from(vec![(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]),
                vec![],
            )]
            .into(),
        ));
        assert_eq!(
            computed.to_geojson_string(),
            r#"{"type":"MultiPolygon","coordinates":[[[[0.0,0.0],[1.0,0.0],[0.0,1.0],[0.0,0.0]]]]}"#
        );
    }

    #[test]
    fn an_unclosed_ring_is_refused() {
        let err = check(json!({"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]}))
            .unwrap_err();
        assert!(err[0].detail.contains("closed"), "{err:?}");
        assert_eq!(err[0].pointer, "/geometry/coordinates/0");
    }

    #[test]
    fn a_ring_with_three_positions_is_refused() {
        let err =
            check(json!({"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]})).unwrap_err();
        assert!(err[0].detail.contains("at least 4 positions"));
    }

    #[test]
    fn a_bowtie_polygon_is_rejected_and_the_crossing_is_located() {
        let err =
            check(json!({"type": "Polygon", "coordinates": [[[0,0],[2,2],[2,0],[0,2],[0,0]]]}))
                .unwrap_err();
        assert!(err[0].detail.contains("self-intersection"), "{err:?}");
        assert!(err[0].detail.contains("[1.000000, 1.000000]"), "{err:?}");
    }

    #[test]
    fn a_hole_outside_its_shell_is_rejected() {
        let err = check(json!({"type": "Polygon", "coordinates": [
            [[0,0],[1,0],[1,1],[0,1],[0,0]],
            [[5,5],[6,5],[6,6],[5,6],[5,5]]
        ]}))
        .unwrap_err();
        assert!(
            err.iter().any(|e| e.detail.contains("not inside")),
            "{err:?}"
        );
    }

    #[test]
    fn too_many_vertices_are_refused() {
        let coords: Vec<Value> = (0..30).map(|i| json!([i as f64 * 0.001, 0.0])).collect();
        let err = FeatureGeometry::from_geojson(
            &json!({"type": "LineString", "coordinates": coords}),
            "/g",
            10,
        )
        .unwrap_err();
        assert!(err[0].detail.contains("30 vertices"));
    }

    #[test]
    fn non_numbers_unknown_types_and_collections_are_refused() {
        assert!(check(json!({"type": "Point", "coordinates": ["a", 1]})).is_err());
        assert!(check(json!({"type": "Circle", "coordinates": [0, 1]})).is_err());
        assert!(check(json!({"type": "GeometryCollection", "geometries": []})).is_err());
        assert!(check(json!({"type": "LineString", "coordinates": [[0, 1], [0, 1]]})).is_err());
        assert!(check(json!("POINT(0 1)")).is_err());
    }

    #[test]
    fn geometry_round_trips_through_geojson() {
        let input =
            json!({"type": "Polygon", "coordinates": [[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]});
        let g = check(input.clone()).expect("valid");
        let back: Value = serde_json::from_str(&g.to_geojson_string()).expect("json");
        assert_eq!(back, input);
        assert_eq!(g.type_name(), "Polygon");
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
    FeatureGeometry::from_trusted(crate::domain::export::sensitive_cell(&geometry, resolution))
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
