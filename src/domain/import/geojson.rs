//! GeoJSON imports: a FeatureCollection (or one Feature) with any properties.

use serde_json::Value;

use super::Item;
use crate::domain::feature::FeatureLimits;
use crate::domain::geometry::FeatureGeometry;

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn items(
    text_in: &str,
    field: Option<&str>,
    limits: FeatureLimits,
) -> Result<Vec<Item>, String> {
    let document: Value = serde_json::from_str(text_in)
        .map_err(|e| format!("not JSON: {e} (line {}, column {})", e.line(), e.column()))?;
    let features: Vec<&Value> = match document.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => document
            .get("features")
            .and_then(Value::as_array)
            .ok_or("a FeatureCollection needs a \"features\" array")?
            .iter()
            .collect(),
        Some("Feature") => vec![&document],
        _ => return Err("a GeoJSON import is a FeatureCollection or a Feature".into()),
    };
    Ok(features
        .into_iter()
        .enumerate()
        .map(|(i, feature)| {
            let properties = feature.get("properties");
            let property = |name: &str| text(properties.and_then(|p| p.get(name)));
            let category = match field {
                Some(field) => property(field),
                None => property("symbol").or_else(|| property("category")),
            };
            let geometry = match feature.get("geometry") {
                None | Some(Value::Null) => Err(super::MISSING_GEOMETRY.to_owned()),
                Some(g) => {
                    FeatureGeometry::from_geojson(g, "", limits.max_vertices).map_err(|problems| {
                        problems
                            .into_iter()
                            .map(|p| p.detail)
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                }
            };
            Item {
                number: i + 1,
                line: None,
                category,
                title: property("title")
                    .or_else(|| property("name"))
                    .or_else(|| property("nombre")),
                description: property("description").or_else(|| property("descripcion")),
                geometry,
            }
        })
        .collect())
}
