//! Scores per administrative unit (barrio, census tract) from a boundary layer: the same
//! weighted shares as the cells, over the units' polygons, normalised by their area.

use geo::{
    Area, BooleanOps, BoundingRect, Coord, Euclidean, GeodesicArea, Geometry, Intersects, Length,
    MapCoords, MultiLineString, MultiPolygon, Rect,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::{Drawing, Tally};

/// One polygon of an uploaded boundary layer.
#[derive(Debug, Clone)]
pub struct Unit {
    pub name: String,
    /// WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct UnitScore {
    pub name: String,
    pub area_m2: f64,
    pub tally: Tally,
    /// Score per square kilometre, comparable between units of different sizes.
    pub density: f64,
}

/// Scores every unit. A drawing counts in a unit by the share of its points, length or area
/// inside it; what lies outside every unit counts nowhere.
pub fn score_units(drawings: &[Drawing], units: &[Unit]) -> Vec<UnitScore> {
    let frame = Frame::around(units);
    let planar: Vec<MultiPolygon<f64>> = units
        .iter()
        .map(|u| u.geometry.map_coords(|c| frame.project(c)))
        .collect();
    let index: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> = RTree::bulk_load(
        planar
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                g.bounding_rect()
                    .map(|r| GeomWithData::new(rectangle(r), i))
            })
            .collect(),
    );
    let mut tallies = vec![Tally::default(); units.len()];
    for drawing in drawings {
        let geometry = drawing.geometry.map_coords(|c| frame.project(c));
        let Some(bounds) = geometry.bounding_rect() else {
            continue;
        };
        let envelope = AABB::from_corners(
            [bounds.min().x, bounds.min().y],
            [bounds.max().x, bounds.max().y],
        );
        for candidate in index.locate_in_envelope_intersecting(&envelope) {
            let unit = &planar[candidate.data];
            let share = share_inside(&geometry, unit);
            if share > 0.0 {
                tallies[candidate.data].add(drawing, share);
            }
        }
    }
    units
        .iter()
        .zip(tallies)
        .map(|(unit, tally)| {
            let area_m2 = unit.geometry.geodesic_area_unsigned();
            let density = if area_m2 > 0.0 {
                tally.score / (area_m2 / 1e6)
            } else {
                0.0
            };
            UnitScore {
                name: unit.name.clone(),
                area_m2,
                tally,
                density,
            }
        })
        .collect()
}

fn rectangle(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// The share of a (planar) drawing inside a (planar) unit.
fn share_inside(drawing: &Geometry<f64>, unit: &MultiPolygon<f64>) -> f64 {
    match drawing {
        Geometry::Point(p) => f64::from(u8::from(unit.intersects(p))),
        Geometry::MultiPoint(points) if !points.0.is_empty() => {
            let inside = points.iter().filter(|p| unit.intersects(*p)).count();
            inside as f64 / points.0.len() as f64
        }
        Geometry::LineString(line) => length_share(&MultiLineString::new(vec![line.clone()]), unit),
        Geometry::MultiLineString(lines) => length_share(lines, unit),
        Geometry::Polygon(polygon) => area_share(&MultiPolygon::new(vec![polygon.clone()]), unit),
        Geometry::MultiPolygon(polygons) => area_share(polygons, unit),
        _ => 0.0,
    }
}

fn length_share(lines: &MultiLineString<f64>, unit: &MultiPolygon<f64>) -> f64 {
    let total = Euclidean.length(lines);
    if total <= 0.0 {
        return lines
            .iter()
            .next()
            .and_then(|l| l.0.first())
            .map_or(0.0, |c| f64::from(u8::from(unit.intersects(c))));
    }
    Euclidean.length(&unit.clip(lines, false)) / total
}

fn area_share(polygons: &MultiPolygon<f64>, unit: &MultiPolygon<f64>) -> f64 {
    let total = polygons.unsigned_area();
    if total <= 0.0 {
        return 0.0;
    }
    (polygons.intersection(unit).unsigned_area() / total).min(1.0)
}

/// A plane around the units' mean latitude, where lengths and areas are proportional to
/// metres over a district.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x_scale: f64,
}

impl Frame {
    fn around(units: &[Unit]) -> Self {
        let rects: Vec<Rect<f64>> = units
            .iter()
            .filter_map(|u| u.geometry.bounding_rect())
            .collect();
        let latitude = if rects.is_empty() {
            0.0
        } else {
            rects.iter().map(|r| r.center().y).sum::<f64>() / rects.len() as f64
        };
        Self {
            x_scale: super::shares::x_scale(latitude),
        }
    }

    fn project(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: c.x * self.x_scale,
            y: c.y,
        }
    }
}
