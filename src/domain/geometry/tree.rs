//! Reading a GeoJSON geometry object from a JSON tree, saying where it is wrong: the slow
//! path of `FeatureGeometry::from_geojson`, taken when the fast text reader (`typed`) does
//! not accept a drawing, and by imports that reshape what they read.

use geo::{Geometry, LineString, Polygon};
use serde_json::Value;

use super::super::Invalid;

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

pub(super) fn parse_geometry(value: &Value, pointer: &str) -> Result<Geometry<f64>, Invalid> {
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
