//! Reading GeoJSON geometries fast: the coordinates are parsed straight into arrays of numbers
//! for the geometry's type, without building a JSON tree. Stored geometries (validated when
//! they were saved) are read back this way by analyses and exports; submitted ones too, with
//! the checks the general parser makes while parsing. Anything unexpected gives `None`, and
//! the caller falls back to the general parser, which says what is wrong and where.

use std::fmt;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// A geometry object as read from JSON: its type, and its coordinates parsed in the same pass
/// (whatever the type, and in whichever order the two members come) but not yet checked.
#[derive(Deserialize)]
pub struct GeometryText<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    coordinates: Coords,
}

/// Nested coordinate arrays: a position (`[x, y]` or `[x, y, z]`, the altitude dropped) or a
/// list of deeper arrays.
enum Coords {
    Position(Coord<f64>),
    List(Vec<Coords>),
}

impl<'de> Deserialize<'de> for Coords {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(CoordsVisitor)
    }
}

/// An array's element: a number (of a position) or another array.
enum Element {
    Number(f64),
    Coords(Coords),
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ElementVisitor;
        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or an array")
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Element, E> {
                Ok(Element::Number(x))
            }
            fn visit_i64<E: de::Error>(self, x: i64) -> Result<Element, E> {
                Ok(Element::Number(x as f64))
            }
            fn visit_u64<E: de::Error>(self, x: u64) -> Result<Element, E> {
                Ok(Element::Number(x as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Element, A::Error> {
                CoordsVisitor.visit_seq(seq).map(Element::Coords)
            }
        }
        deserializer.deserialize_any(ElementVisitor)
    }
}

struct CoordsVisitor;

impl<'de> Visitor<'de> for CoordsVisitor {
    type Value = Coords;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("coordinates: a position of 2 or more numbers, or an array of them")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Coords, A::Error> {
        match seq.next_element::<Element>()? {
            None => Ok(Coords::List(Vec::new())),
            Some(Element::Number(x)) => {
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                // Altitude and any measures after it are dropped (RFC 7946 §3.1.1), as the
                // general parser drops them; they must be numbers there too.
                while seq.next_element::<f64>()?.is_some() {}
                Ok(Coords::Position(Coord { x, y }))
            }
            Some(Element::Coords(first)) => {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(8) + 1);
                list.push(first);
                while let Some(next) = seq.next_element::<Coords>()? {
                    list.push(next);
                }
                Ok(Coords::List(list))
            }
        }
    }
}

impl Coords {
    fn list(self) -> Option<Vec<Coords>> {
        match self {
            Coords::List(list) => Some(list),
            Coords::Position(_) => None,
        }
    }
}

/// What a submitted geometry must satisfy besides its shape: the general parser's rules.
#[derive(Clone, Copy)]
struct Rules {
    check: bool,
}

impl Rules {
    /// A submitted position is finite and in range.
    fn position(self, c: Coords) -> Option<Coord<f64>> {
        let Coords::Position(p) = c else { return None };
        if !self.check {
            return Some(p);
        }
        let sound = p.x.is_finite()
            && p.y.is_finite()
            && (-180.0..=180.0).contains(&p.x)
            && (-90.0..=90.0).contains(&p.y);
        sound.then_some(p)
    }

    fn coords(self, ring: Coords, min_len: usize) -> Option<Vec<Coord<f64>>> {
        let ring = ring.list()?;
        if self.check && ring.len() < min_len {
            return None;
        }
        ring.into_iter().map(|p| self.position(p)).collect()
    }

    fn line(self, ring: Coords) -> Option<LineString<f64>> {
        let coords = self.coords(ring, 2)?;
        if self.check && coords.windows(2).all(|pair| pair[0] == pair[1]) {
            return None;
        }
        Some(LineString::new(coords))
    }

    fn polygon(self, rings: Coords) -> Option<Polygon<f64>> {
        let rings = rings.list()?;
        let mut lines = Vec::with_capacity(rings.len());
        for ring in rings {
            let coords = self.coords(ring, 4)?;
            if self.check && coords.first() != coords.last() {
                return None;
            }
            lines.push(LineString::new(coords));
        }
        if lines.is_empty() {
            return None;
        }
        let exterior = lines.remove(0);
        Some(Polygon::new(exterior, lines))
    }

    /// The members of a Multi* geometry (at least one when checking), each read by `read`.
    fn members<T>(self, items: Coords, read: impl Fn(Coords) -> Option<T>) -> Option<Vec<T>> {
        let items = items.list()?;
        if self.check && items.is_empty() {
            return None;
        }
        items.into_iter().map(read).collect()
    }

    fn geometry(self, geometry: GeometryText) -> Option<Geometry<f64>> {
        let coords = geometry.coordinates;
        Some(match geometry.kind {
            "Point" => Geometry::Point(Point(self.position(coords)?)),
            "MultiPoint" => Geometry::MultiPoint(MultiPoint::new(
                self.members(coords, |p| self.position(p).map(Point))?,
            )),
            "LineString" => Geometry::LineString(self.line(coords)?),
            "MultiLineString" => Geometry::MultiLineString(MultiLineString::new(
                self.members(coords, |l| self.line(l))?,
            )),
            "Polygon" => Geometry::Polygon(self.polygon(coords)?),
            "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon::new(
                self.members(coords, |p| self.polygon(p))?,
            )),
            _ => return None,
        })
    }
}

/// Reads a stored geometry, trusting it.
pub(super) fn parse(text: &str) -> Option<Geometry<f64>> {
    Rules { check: false }.geometry(serde_json::from_str(text).ok()?)
}

/// Reads a submitted geometry when it passes every check the general parser makes while
/// parsing; `None` otherwise, for the general parser to report on.
pub(super) fn parse_checked(geometry: GeometryText) -> Option<Geometry<f64>> {
    Rules { check: true }.geometry(geometry)
}
