//! Boundary layers: administrative units (barrios, census tracts) an analyst uploads to score
//! priority per unit.

use chrono::{DateTime, Utc};
use geo::{Geometry, MultiPolygon};
use serde_json::{Value, json};
use uuid::Uuid;

use super::geometry::FeatureGeometry;
use super::priority::Unit;
use super::{Invalid, bounded_text};

/// Units per layer: the census tracts of a large district are a few thousand.
pub const MAX_UNITS: usize = 20_000;
const MAX_VERTICES: usize = 2_000_000;

#[derive(Debug, Clone)]
pub struct BoundaryLayer {
    pub id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    pub units: Vec<Unit>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A layer as listed, without its units.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BoundaryLayerSummary {
    pub id: Uuid,
    pub name: String,
    pub unit_count: i64,
    pub created_at: DateTime<Utc>,
}

impl BoundaryLayer {
    /// Validates an uploaded GeoJSON FeatureCollection of Polygon or MultiPolygon features,
    /// each named by its `name_property` property (a string or a number).
    pub fn parse(
        name: &str,
        collection: &Value,
        name_property: &str,
    ) -> Result<Vec<Unit>, Vec<Invalid>> {
        let mut errors = Vec::new();
        bounded_text(Some(name), 200, "/name", &mut errors);
        if name.trim().is_empty() {
            errors.push(Invalid::new("/name", "the layer needs a name"));
        }
        let Some(features) = collection
            .get("features")
            .and_then(Value::as_array)
            .filter(|_| {
                collection.get("type").and_then(Value::as_str) == Some("FeatureCollection")
            })
        else {
            errors.push(Invalid::new(
                "",
                "a boundary layer is a GeoJSON FeatureCollection of polygons",
            ));
            return Err(errors);
        };
        if features.is_empty() || features.len() > MAX_UNITS {
            errors.push(Invalid::new(
                "/features",
                format!("a layer has between 1 and {MAX_UNITS} units"),
            ));
            return Err(errors);
        }
        let mut units = Vec::with_capacity(features.len());
        for (i, feature) in features.iter().enumerate() {
            let at = format!("/features/{i}");
            let unit_name = match feature.pointer(&format!("/properties/{name_property}")) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => {
                    errors.push(Invalid::new(
                        format!("{at}/properties/{name_property}"),
                        format!("each unit needs a \"{name_property}\" property naming it"),
                    ));
                    None
                }
            };
            let geometry = feature.get("geometry").unwrap_or(&Value::Null);
            let geometry = match FeatureGeometry::from_geojson(
                geometry,
                &format!("{at}/geometry"),
                MAX_VERTICES,
            ) {
                Ok(g) => match g.as_geo() {
                    Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
                    Geometry::MultiPolygon(m) => Some(m.clone()),
                    _ => {
                        errors.push(Invalid::new(
                            format!("{at}/geometry"),
                            "a unit must be a Polygon or MultiPolygon",
                        ));
                        None
                    }
                },
                Err(mut problems) => {
                    errors.append(&mut problems);
                    None
                }
            };
            if let (Some(name), Some(geometry)) = (unit_name, geometry) {
                units.push(Unit { name, geometry });
            }
            if errors.len() >= 50 {
                break;
            }
        }
        if errors.is_empty() {
            Ok(units)
        } else {
            Err(errors)
        }
    }

    /// The units as a GeoJSON FeatureCollection (how layers are stored and served).
    pub fn units_geojson(units: &[Unit]) -> Value {
        let features: Vec<Value> = units
            .iter()
            .map(|u| {
                json!({
                    "type": "Feature",
                    "properties": {"name": u.name},
                    "geometry": FeatureGeometry::from_trusted(Geometry::MultiPolygon(u.geometry.clone()))
                        .to_geojson_value(),
                })
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_need_a_name_and_an_area() {
        let layer = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"barrio": "Fiorito"},
             "geometry": {"type": "Polygon", "coordinates": [[[-58.45, -34.71], [-58.44, -34.71], [-58.44, -34.70], [-58.45, -34.71]]]}},
            {"type": "Feature", "properties": {},
             "geometry": {"type": "Point", "coordinates": [-58.45, -34.71]}}
        ]});
        let errors = BoundaryLayer::parse("Barrios", &layer, "barrio").unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/features/1/properties/barrio", "/features/1/geometry"]
        );
        let ok = json!({"type": "FeatureCollection", "features": [layer["features"][0].clone()]});
        let units = BoundaryLayer::parse("Barrios", &ok, "barrio").unwrap();
        assert_eq!(units[0].name, "Fiorito");
        let back = BoundaryLayer::units_geojson(&units);
        assert_eq!(back["features"][0]["properties"]["name"], "Fiorito");
    }
}
