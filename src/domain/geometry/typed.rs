//! Reading GeoJSON geometries fast: the coordinates are parsed straight into arrays of numbers
//! for the geometry's type, without building a JSON tree. Stored geometries (validated when
//! they were saved) are read back this way by analyses and exports; submitted ones too, with
//! the checks the general parser makes while parsing. Anything unexpected gives `None`, and
//! the caller falls back to the general parser, which says what is wrong and where.

use std::fmt;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Typed<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    coordinates: &'a RawValue,
}

/// A position: `[longitude, latitude]`, or with an altitude, which is dropped.
#[derive(Clone, Copy, PartialEq)]
struct Position(Coord<f64>);

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PositionVisitor;
        impl<'de> Visitor<'de> for PositionVisitor {
            type Value = Position;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("2 or 3 numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Position, A::Error> {
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let _altitude: Option<f64> = seq.next_element()?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(Position(Coord { x, y }))
            }
        }
        deserializer.deserialize_seq(PositionVisitor)
    }
}

type Ring = Vec<Position>;

/// What a submitted geometry must satisfy besides its shape: the general parser's rules.
#[derive(Clone, Copy)]
struct Rules {
    check: bool,
}

impl Rules {
    /// A submitted position is finite and in range.
    fn position(self, p: Position) -> Option<Coord<f64>> {
        if !self.check {
            return Some(p.0);
        }
        let Coord { x, y } = p.0;
        let sound = x.is_finite()
            && y.is_finite()
            && (-180.0..=180.0).contains(&x)
            && (-90.0..=90.0).contains(&y);
        sound.then_some(p.0)
    }

    fn coords(self, ring: Ring, min_len: usize) -> Option<Vec<Coord<f64>>> {
        if self.check && ring.len() < min_len {
            return None;
        }
        ring.into_iter().map(|p| self.position(p)).collect()
    }

    fn line(self, ring: Ring) -> Option<LineString<f64>> {
        let coords = self.coords(ring, 2)?;
        if self.check && coords.windows(2).all(|pair| pair[0] == pair[1]) {
            return None;
        }
        Some(LineString::new(coords))
    }

    fn polygon(self, rings: Vec<Ring>) -> Option<Polygon<f64>> {
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

    fn at_least_one<T>(self, items: Vec<T>) -> Option<Vec<T>> {
        (!self.check || !items.is_empty()).then_some(items)
    }

    fn geometry(self, text: &str) -> Option<Geometry<f64>> {
        let typed: Typed = serde_json::from_str(text).ok()?;
        let raw = typed.coordinates.get();
        Some(match typed.kind {
            "Point" => Geometry::Point(Point(self.position(serde_json::from_str(raw).ok()?)?)),
            "MultiPoint" => {
                let points: Ring = self.at_least_one(serde_json::from_str(raw).ok()?)?;
                Geometry::MultiPoint(MultiPoint::new(
                    points
                        .into_iter()
                        .map(|p| self.position(p).map(Point))
                        .collect::<Option<_>>()?,
                ))
            }
            "LineString" => Geometry::LineString(self.line(serde_json::from_str(raw).ok()?)?),
            "MultiLineString" => {
                let lines: Vec<Ring> = self.at_least_one(serde_json::from_str(raw).ok()?)?;
                Geometry::MultiLineString(MultiLineString::new(
                    lines
                        .into_iter()
                        .map(|l| self.line(l))
                        .collect::<Option<_>>()?,
                ))
            }
            "Polygon" => Geometry::Polygon(self.polygon(serde_json::from_str(raw).ok()?)?),
            "MultiPolygon" => {
                let polygons: Vec<Vec<Ring>> =
                    self.at_least_one(serde_json::from_str(raw).ok()?)?;
                Geometry::MultiPolygon(MultiPolygon::new(
                    polygons
                        .into_iter()
                        .map(|p| self.polygon(p))
                        .collect::<Option<_>>()?,
                ))
            }
            _ => return None,
        })
    }
}

/// Reads a stored geometry, trusting it.
pub(super) fn parse(text: &str) -> Option<Geometry<f64>> {
    Rules { check: false }.geometry(text)
}

/// Reads a submitted geometry when it passes every check the general parser makes while
/// parsing; `None` otherwise, for the general parser to report on.
pub(super) fn parse_checked(text: &str) -> Option<Geometry<f64>> {
    Rules { check: true }.geometry(text)
}
