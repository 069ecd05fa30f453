//! GeoJSON imports (RFC 7946): a FeatureCollection, one Feature, or a bare geometry, with any
//! properties. GeometryCollections are opened at any depth (RFC 7946 §3.1.8), and a `crs`
//! member of the 2008 GeoJSON specification is read: WGS 84 longitude/latitude is what RFC
//! 7946 §4 requires, and any other is refused rather than misplaced.

use serde_json::Value;

use super::shape::parts;
use super::{Item, Note, Unshaped};
use crate::domain::geometry::parse_unchecked;

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Names of WGS 84 longitude/latitude in `crs` members as GDAL, QGIS, ArcGIS and PostGIS
/// write them. EPSG:4326 is latitude first in its definition, but every GeoJSON writer puts
/// longitude first under that name, so it is read as longitude/latitude too.
const WGS84_NAMES: [&str; 8] = [
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
    "crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
    "urn:ogc:def:crs:epsg:6.6:4326",
    "http://www.opengis.net/def/crs/epsg/0/4326",
];

/// Refuses a `crs` member that names anything but WGS 84 longitude/latitude.
fn check_crs(document: &Value) -> Result<(), String> {
    let Some(crs) = document.get("crs") else {
        return Ok(());
    };
    if crs.is_null() {
        return Ok(());
    }
    let name = crs
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str);
    match name {
        Some(name) if WGS84_NAMES.contains(&name.trim().to_lowercase().as_str()) => Ok(()),
        Some(name) => Err(format!(
            "the file's coordinates are in {name} (its \"crs\" member), not WGS 84 longitude/latitude: \
             save it again as WGS 84 (in QGIS: Export → Save Features As…, CRS EPSG:4326) and import that"
        )),
        None => Err(
            "the file's \"crs\" member does not name a coordinate system Trama can read: \
             save it again as WGS 84 (EPSG:4326) without a crs member"
                .into(),
        ),
    }
}

/// The parts of a GeoJSON geometry, collections opened with a stack of our own.
fn shape(geometry: &Value, pointer: String) -> Result<Vec<geo::Geometry<f64>>, String> {
    let mut found = Vec::new();
    let mut pending = vec![(geometry, pointer)];
    while let Some((value, at)) = pending.pop() {
        if value.get("type").and_then(Value::as_str) == Some("GeometryCollection") {
            let members = value
                .get("geometries")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    format!("{at}: a GeometryCollection needs a \"geometries\" array")
                })?;
            pending.extend(
                members
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, m)| (m, format!("{at}/geometries/{i}"))),
            );
            continue;
        }
        let geometry =
            parse_unchecked(value, &at).map_err(|e| format!("{}: {}", e.pointer, e.detail))?;
        found.extend(parts(geometry));
    }
    if found.is_empty() {
        return Err("an empty GeometryCollection: nothing to draw".into());
    }
    Ok(found)
}

/// The file's features as items, at most `limit + 1` of them (one more tells that the file
/// holds too many).
pub fn items(source: &str, field: Option<&str>, limit: usize) -> Result<Vec<Item>, String> {
    let document: Value = serde_json::from_str(source)
        .map_err(|e| format!("not JSON: {e} (line {}, column {})", e.line(), e.column()))?;
    check_crs(&document)?;
    let kind = document.get("type").and_then(Value::as_str);
    let features: Vec<&Value> = match kind {
        Some("FeatureCollection") => document
            .get("features")
            .and_then(Value::as_array)
            .ok_or("a FeatureCollection needs a \"features\" array")?
            .iter()
            .collect(),
        Some("Feature") => vec![&document],
        Some(
            "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
            | "GeometryCollection",
        ) => {
            return Ok(vec![Item {
                number: 1,
                line: None,
                category: None,
                title: None,
                description: None,
                shape: shape(&document, String::new()).map_err(Into::into),
                fields: Default::default(),
                notes: Vec::new(),
            }]);
        }
        _ => {
            return Err(
                "a GeoJSON import is a FeatureCollection, a Feature or a geometry (its \"type\")"
                    .into(),
            );
        }
    };
    Ok(features
        .into_iter()
        .take(limit.saturating_add(1))
        .enumerate()
        .map(|(i, feature)| {
            let properties = feature.get("properties");
            let property = |name: &str| text(properties.and_then(|p| p.get(name)));
            let category = match field {
                Some(field) => property(field),
                None => property("symbol")
                    .or_else(|| property("category"))
                    .or_else(|| property("categoria"))
                    .or_else(|| property("categoría")),
            };
            let pointer = if kind == Some("Feature") {
                "/geometry".to_owned()
            } else {
                format!("/features/{i}/geometry")
            };
            let shape = match (
                feature.get("type").and_then(Value::as_str),
                feature.get("geometry"),
            ) {
                (Some("Feature"), Some(Value::Null)) => Err(Unshaped::Unlocated(
                    "the Feature's geometry is null: it has no location (a phone without a GPS \
                     fix?)"
                        .to_owned(),
                )),
                (Some("Feature"), Some(geometry)) if is_empty_geometry(geometry) => {
                    Err(Unshaped::Unlocated(
                        "the Feature's geometry is empty: it has no location".to_owned(),
                    ))
                }
                (Some("Feature"), None) => {
                    Err("the Feature has no \"geometry\" member".to_owned().into())
                }
                (Some("Feature"), Some(geometry)) => shape(geometry, pointer).map_err(Into::into),
                (Some(other), _) => {
                    Err(format!("a \"{other}\" where the collection holds Features").into())
                }
                (None, _) => Err("an entry of \"features\" without \"type\": \"Feature\""
                    .to_owned()
                    .into()),
            };
            Item {
                number: i + 1,
                line: None,
                category,
                title: property("title")
                    .or_else(|| property("name"))
                    .or_else(|| property("nombre")),
                description: property("description").or_else(|| property("descripcion")),
                fields: properties
                    .and_then(Value::as_object)
                    .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                shape,
                notes: Vec::<Note>::new(),
            }
        })
        .collect())
}

/// A geometry with no position at all, as GDAL writes an empty one: `"coordinates": []`
/// (or nested empty arrays), or a GeometryCollection with no `geometries`.
fn is_empty_geometry(geometry: &Value) -> bool {
    fn no_position(value: &Value) -> bool {
        match value {
            Value::Array(items) => items.iter().all(no_position),
            _ => false,
        }
    }
    match (geometry.get("coordinates"), geometry.get("geometries")) {
        (Some(coordinates), _) => no_position(coordinates),
        (None, Some(Value::Array(members))) => members.iter().all(is_empty_geometry),
        _ => false,
    }
}
