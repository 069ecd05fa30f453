//! Layers of one geometry type. Drawings mix points, lines and polygons; a GeoPackage table
//! or a FlatGeobuf file of type `GEOMETRY` holding all three is awkward in QGIS (one layer
//! drawn three ways, styled as one) and refused by stricter tools (ArcGIS, some R and
//! DuckDB workflows). So a GeoPackage holds one table per type, and any format can be asked
//! for one type; each is promoted to its Multi type (OGC Simple Features), so that a table
//! has exactly one type whatever was drawn.

use geo::{Geometry, MultiLineString, MultiPoint, MultiPolygon};

/// One kind of geometry, as a layer of one type holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryFamily {
    Points,
    Lines,
    Polygons,
}

impl GeometryFamily {
    pub const ALL: [GeometryFamily; 3] = [
        GeometryFamily::Points,
        GeometryFamily::Lines,
        GeometryFamily::Polygons,
    ];

    /// `points`, `lines` or `polygons`, as the export's `geometry` option names them.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "points" => Some(GeometryFamily::Points),
            "lines" => Some(GeometryFamily::Lines),
            "polygons" => Some(GeometryFamily::Polygons),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GeometryFamily::Points => "points",
            GeometryFamily::Lines => "lines",
            GeometryFamily::Polygons => "polygons",
        }
    }

    /// The features layer of this type: `features_points`, `features_lines`,
    /// `features_polygons`.
    pub fn features_layer(self) -> &'static str {
        match self {
            GeometryFamily::Points => "features_points",
            GeometryFamily::Lines => "features_lines",
            GeometryFamily::Polygons => "features_polygons",
        }
    }

    /// The layer's geometry type, as GeoPackage names it (OGC 12-128r18 Table 30).
    pub fn geometry_type(self) -> &'static str {
        match self {
            GeometryFamily::Points => "MULTIPOINT",
            GeometryFamily::Lines => "MULTILINESTRING",
            GeometryFamily::Polygons => "MULTIPOLYGON",
        }
    }

    /// The family of `geometry`; `None` for a collection (Trama stores none).
    pub fn of(geometry: &Geometry<f64>) -> Option<Self> {
        match geometry {
            Geometry::Point(_) | Geometry::MultiPoint(_) => Some(GeometryFamily::Points),
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                Some(GeometryFamily::Lines)
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => Some(GeometryFamily::Polygons),
            Geometry::GeometryCollection(_) => None,
        }
    }

    /// `geometry` as its Multi type: a point as a multipoint of one, and so on.
    pub fn promote(geometry: Geometry<f64>) -> Geometry<f64> {
        match geometry {
            Geometry::Point(p) => MultiPoint(vec![p]).into(),
            Geometry::Line(l) => MultiLineString(vec![l.into()]).into(),
            Geometry::LineString(l) => MultiLineString(vec![l]).into(),
            Geometry::Polygon(p) => MultiPolygon(vec![p]).into(),
            Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]).into(),
            Geometry::Triangle(t) => MultiPolygon(vec![t.to_polygon()]).into(),
            multi => multi,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn each_shape_goes_to_its_family_as_its_multi_type() {
        let point = Geometry::Point(wkt!(POINT(1. 2.)));
        assert_eq!(GeometryFamily::of(&point), Some(GeometryFamily::Points));
        assert!(matches!(
            GeometryFamily::promote(point),
            Geometry::MultiPoint(m) if m.0.len() == 1
        ));
        let line = Geometry::LineString(wkt!(LINESTRING(0. 0., 1. 1.)));
        assert_eq!(GeometryFamily::of(&line), Some(GeometryFamily::Lines));
        assert!(matches!(
            GeometryFamily::promote(line),
            Geometry::MultiLineString(_)
        ));
        let polygon = Geometry::Polygon(wkt!(POLYGON((0. 0., 1. 0., 1. 1., 0. 0.))));
        assert_eq!(GeometryFamily::of(&polygon), Some(GeometryFamily::Polygons));
        assert!(matches!(
            GeometryFamily::promote(polygon),
            Geometry::MultiPolygon(_)
        ));
        for family in GeometryFamily::ALL {
            assert_eq!(GeometryFamily::parse(family.as_str()), Some(family));
        }
    }
}
