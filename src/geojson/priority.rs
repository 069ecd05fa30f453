//! Priority analyses as GeoJSON (RFC 7946): cells with their scores and Gi* statistics,
//! zones, zones compared between two sets of workshops, and units of a boundary layer. Each
//! FeatureCollection also says how it was computed (rule, H3 resolution, ring), so a file
//! taken into QGIS or R keeps its meaning. Scores and coordinates keep six decimals. And the
//! zones analysts saved, with what the computation said when they were saved.

use geo::orient::{Direction, Orient};
use geo::{Geometry, MultiPolygon};
use h3o::CellIndex;
use serde_json::{Map, Value, json};

use crate::domain::geometry::FeatureGeometry;
use crate::domain::priority::{
    Analysis, ComparedZone, Params, Rule, ScoredCell, Tally, Unit, UnitScore, Zone,
};
use crate::domain::zone::{PriorityZone, ZoneEvent};

/// Six decimals: micro-units of score, about 0.1 m in coordinates. Keeps answers small.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn by_symbol(tally: &Tally) -> Value {
    Value::Object(
        tally
            .by_symbol
            .iter()
            .map(|(k, v)| (k.to_string(), json!(round(*v))))
            .collect(),
    )
}

fn cell_polygon(cell: CellIndex) -> Value {
    let outline = crate::domain::priority::cell_outline(cell);
    let ring: Vec<[f64; 2]> = outline
        .exterior()
        .coords()
        .map(|c| [round(c.x), round(c.y)])
        .collect();
    json!({"type": "Polygon", "coordinates": [ring]})
}

/// RFC 7946 winding (exterior rings counter-clockwise), one Polygon when there is one.
fn geometry_value(geometry: &MultiPolygon<f64>) -> Value {
    let geometry = geometry.orient(Direction::Default);
    let geometry = match geometry.0.as_slice() {
        [one] => Geometry::Polygon(one.clone()),
        _ => Geometry::MultiPolygon(geometry.clone()),
    };
    FeatureGeometry::from_trusted(geometry).to_geojson_value()
}

fn cell_feature(c: &ScoredCell) -> Value {
    json!({
        "type": "Feature",
        "id": c.cell.to_string(),
        "geometry": cell_polygon(c.cell),
        "properties": {
            "score": round(c.tally.score),
            "groups": c.tally.groups.len(),
            "workshops": c.tally.workshops.len(),
            "risk_groups": c.tally.risk_groups.len(),
            "features": c.tally.features.len(),
            "by_symbol": by_symbol(&c.tally),
            "gi_z": round(c.hotspot.z),
            "gi_p": round(c.hotspot.p),
            "confidence": c.hotspot.confidence,
            "spot": c.hotspot.spot,
        },
    })
}

/// Cells written per piece of `cells_geojson`: about 500 KB.
const CELLS_PER_PIECE: usize = 1_000;

/// The study area's cells with their scores and Gi* statistics: one FeatureCollection, as
/// pieces of text written one after the other as its reader takes them. A quarter of a
/// million cells make about 130 MB of GeoJSON, which is never held whole, and whose writing
/// stops when its reader (an HTTP client that left) stops taking pieces.
pub fn cells_geojson(analysis: Analysis) -> impl Iterator<Item = String> + Send + 'static {
    // The collection's members, its features last and open for the pieces.
    let head = format!(
        r#"{{"type":"FeatureCollection","resolution":{},"ring":{},"total_score":{},"features":["#,
        u8::from(analysis.params.resolution),
        analysis.params.ring,
        json!(round(analysis.total_score())),
    );
    let pieces = analysis.cells.len().div_ceil(CELLS_PER_PIECE);
    let body = (0..pieces).map(move |piece| {
        let start = piece * CELLS_PER_PIECE;
        let end = (start + CELLS_PER_PIECE).min(analysis.cells.len());
        let mut text = String::new();
        for (i, cell) in analysis.cells[start..end].iter().enumerate() {
            if start + i > 0 {
                text.push(',');
            }
            text.push_str(&cell_feature(cell).to_string());
        }
        text
    });
    std::iter::once(head)
        .chain(body)
        .chain(std::iter::once("]}".to_owned()))
}

fn zone_properties(zone: &Zone) -> Map<String, Value> {
    let properties = json!({
        "area_m2": round(zone.area_m2),
        "score": round(zone.tally.score),
        "cells": zone.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "feature_count": zone.tally.features.len(),
        "features": zone.tally.features,
        "by_symbol": by_symbol(&zone.tally),
        "groups": zone.tally.groups.len(),
        "workshops": zone.tally.workshops.len(),
        "risk_groups": zone.tally.risk_groups.len(),
        "max_gi_z": round(zone.max_z),
    });
    match properties {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn zone_feature(zone: &Zone, extra: Map<String, Value>) -> Value {
    let mut properties = zone_properties(zone);
    properties.extend(extra);
    json!({
        "type": "Feature",
        "id": zone.id,
        "geometry": geometry_value(&zone.geometry),
        "properties": properties,
    })
}

/// Words for a rule in answers and saved zones.
pub fn rule_json(rule: Rule) -> Value {
    match rule {
        Rule::HotSpots { confidence } => json!({"rule": "gi", "confidence": confidence}),
        Rule::Consensus { groups } => json!({"rule": "consensus", "k": groups}),
        Rule::Top { percent } => json!({"rule": "top", "percent": percent}),
    }
}

fn with_rule(rule: Rule, params: Params) -> Map<String, Value> {
    let mut map = match rule_json(rule) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    map.insert("resolution".into(), json!(u8::from(params.resolution)));
    map.insert("ring".into(), json!(params.ring));
    map
}

/// The zones a rule found, each with its score, area, cells and drawings.
pub fn zones_geojson(zones: &[Zone], rule: Rule, params: Params) -> Value {
    let features: Vec<Value> = zones
        .iter()
        .map(|z| zone_feature(z, with_rule(rule, params)))
        .collect();
    let mut collection = with_rule(rule, params);
    collection.insert("type".into(), json!("FeatureCollection"));
    collection.insert("features".into(), Value::Array(features));
    Value::Object(collection)
}

/// Zones of the later set of workshops and of the earlier one, each said new, persisting
/// or gone, with its overlap.
pub fn change_geojson(compared: &[ComparedZone], rule: Rule, params: Params) -> Value {
    let features: Vec<Value> = compared
        .iter()
        .map(|c| {
            let mut extra = with_rule(rule, params);
            extra.insert("change".into(), json!(c.change));
            extra.insert("overlap".into(), json!(round(c.overlap)));
            zone_feature(&c.zone, extra)
        })
        .collect();
    let mut collection = with_rule(rule, params);
    collection.insert("type".into(), json!("FeatureCollection"));
    collection.insert("features".into(), Value::Array(features));
    Value::Object(collection)
}

/// The units of a boundary layer with their scores and density per km².
pub fn units_geojson(units: &[Unit], scores: &[UnitScore]) -> Value {
    let features: Vec<Value> = units
        .iter()
        .zip(scores)
        .map(|(unit, score)| {
            json!({
                "type": "Feature",
                "geometry": geometry_value(&unit.geometry),
                "properties": {
                    "name": score.name,
                    "area_m2": round(score.area_m2),
                    "score": round(score.tally.score),
                    "density_per_km2": round(score.density),
                    "groups": score.tally.groups.len(),
                    "workshops": score.tally.workshops.len(),
                    "features": score.tally.features.len(),
                    "by_symbol": by_symbol(&score.tally),
                },
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// A saved priority zone as a GeoJSON Feature: its name, status, notes, what the computation
/// said (`computed`), revision and times; `history` when it was asked for.
pub fn saved_zone_feature(zone: &PriorityZone, history: Option<&[ZoneEvent]>) -> Value {
    let geometry: Value = serde_json::from_str(&zone.geometry).unwrap_or(Value::Null);
    let mut properties = json!({
        "name": zone.name,
        "status": zone.status,
        "notes": zone.notes,
        "computed": zone.computed,
        "revision": zone.revision,
        "created_at": zone.created_at,
        "updated_at": zone.updated_at,
    });
    if let Some(history) = history {
        properties["history"] = json!(history);
    }
    json!({"type": "Feature", "id": zone.id, "geometry": geometry, "properties": properties})
}

/// The project's saved priority zones as a FeatureCollection (without their histories).
pub fn saved_zones_geojson(zones: &[PriorityZone]) -> Value {
    let features: Vec<Value> = zones.iter().map(|z| saved_zone_feature(z, None)).collect();
    json!({"type": "FeatureCollection", "features": features})
}
