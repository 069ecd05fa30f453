//! Priority analyses over a stored project: what the API and `trama priority` share. Loads the
//! drawings a selection names, runs the pure engine (`domain::priority`) on a blocking thread,
//! and writes the results as GeoJSON.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use geo::orient::{Direction, Orient};
use geo::{Geometry, MultiPolygon};
use h3o::{CellIndex, Resolution};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::feature::{FeatureFilter, ReviewState};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::legend::SymbolKind;
use crate::domain::priority::{
    Analysis, ComparedZone, Drawing, Params, Rule, Tally, TooManyCells, UnitScore, Zone,
    analyse_unless, check_size, compare_zones, find_zones,
};
use crate::domain::project::Project;
use crate::store::{Store, StoreResult};

/// Which drawings an analysis looks at. Hidden, deleted, rejected and merged drawings never
/// count: moderation took them out, and a merged drawing lives on in the one it joined.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub workshops: Option<Vec<Uuid>>,
    pub groups: Option<Vec<Uuid>>,
    pub symbols: Option<Vec<String>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The drawings of `project` that `selection` names, weighted by the project's legend.
pub async fn drawings(
    store: &dyn Store,
    project: &Project,
    selection: &Selection,
) -> StoreResult<Vec<Drawing>> {
    let legend = store.legend(project.id).await?;
    let symbols: HashMap<&str, (Arc<str>, f64, bool)> = legend
        .iter()
        .map(|s| {
            (
                s.key.as_str(),
                (
                    Arc::from(s.key.as_str()),
                    s.weight,
                    s.kind == SymbolKind::Risk,
                ),
            )
        })
        .collect();
    let filter = FeatureFilter {
        workshops: selection.workshops.clone(),
        since: selection.since,
        until: selection.until,
        group: match selection.groups.as_deref() {
            Some([one]) => Some(*one),
            _ => None,
        },
        symbol: match selection.symbols.as_deref() {
            Some([one]) => Some(one.clone()),
            _ => None,
        },
        ..FeatureFilter::default()
    };
    // Streamed and turned into drawings one by one: the stored form (GeoJSON text) of a
    // whole project is never held at once.
    let mut features = store.stream_outlines(project.id, &filter);
    let mut drawings = Vec::new();
    while let Some(feature) = features.next().await {
        let f = feature?;
        if matches!(f.review_state, ReviewState::Rejected | ReviewState::Merged)
            || selection
                .groups
                .as_ref()
                .is_some_and(|gs| !f.group_id.is_some_and(|g| gs.contains(&g)))
            || selection
                .symbols
                .as_ref()
                .is_some_and(|ss| !ss.contains(&f.symbol))
        {
            continue;
        }
        let (Some((symbol, weight, risk)), Some(geometry)) = (
            symbols.get(f.symbol.as_str()).cloned(),
            FeatureGeometry::parse_stored(&f.geometry),
        ) else {
            continue;
        };
        drawings.push(Drawing {
            id: f.id,
            symbol,
            weight,
            risk,
            group: f.group_id,
            workshop: f.workshop_id,
            geometry,
        });
    }
    Ok(drawings)
}

/// The project's area as the study area of Gi*, when it has one.
pub fn study_area(project: &Project) -> Option<MultiPolygon<f64>> {
    match project.area.as_ref()?.as_geo() {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

/// Why an analysis did not run: the store's reason, or its size.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Over `MAX_CELLS`: the caller should narrow it (a 422 for the API).
    #[error(transparent)]
    TooLarge(#[from] TooManyCells),
}

/// Sets its flag when dropped: with the future of the request that awaits an analysis (a
/// timeout, a client that left), so that the analysis on its blocking thread stops too.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs the engine off the async threads (100,000 drawings take most of a second), after
/// checking that its size is bounded; it stops when the caller stops waiting for it.
pub async fn run_analysis(
    drawings: Vec<Drawing>,
    area: Option<MultiPolygon<f64>>,
    params: Params,
) -> Result<Analysis, TooManyCells> {
    Ok(run_zones_or_cells(drawings, area, params, None).await?.0)
}

/// Zones of a selection under a rule.
pub async fn run_zones(
    drawings: Vec<Drawing>,
    area: Option<MultiPolygon<f64>>,
    params: Params,
    rule: Rule,
) -> Result<(Analysis, Vec<Zone>), TooManyCells> {
    run_zones_or_cells(drawings, area, params, Some(rule)).await
}

async fn run_zones_or_cells(
    drawings: Vec<Drawing>,
    area: Option<MultiPolygon<f64>>,
    params: Params,
    rule: Option<Rule>,
) -> Result<(Analysis, Vec<Zone>), TooManyCells> {
    check_size(&drawings, area.as_ref(), params.resolution)?;
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel = CancelOnDrop(cancelled.clone());
    let done = tokio::task::spawn_blocking(move || {
        let analysis = analyse_unless(&drawings, area.as_ref(), params, &cancelled)?;
        let zones = rule.map_or_else(Vec::new, |rule| find_zones(&analysis, rule));
        Some((analysis, zones))
    })
    .await
    .expect("the priority engine does not panic");
    // Cancelled only once this future is dropped, when nobody reads the answer any more.
    Ok(done.unwrap_or_else(|| {
        (
            Analysis {
                params,
                cells: Vec::new(),
            },
            Vec::new(),
        )
    }))
}

/// The zones of the `before` workshops against those of the `after` ones, each set within
/// `selection`'s other filters.
pub async fn run_change(
    store: &dyn Store,
    project: &Project,
    selection: &Selection,
    [before, after]: [Vec<Uuid>; 2],
    params: Params,
    rule: Rule,
) -> Result<Vec<ComparedZone>, AnalysisError> {
    let area = study_area(project);
    let mut zones = Vec::with_capacity(2);
    for workshops in [before, after] {
        let selection = Selection {
            workshops: Some(workshops),
            ..selection.clone()
        };
        let drawings = drawings(store, project, &selection).await?;
        zones.push(run_zones(drawings, area.clone(), params, rule).await?.1);
    }
    let after = zones.pop().unwrap_or_default();
    let before = zones.pop().unwrap_or_default();
    Ok(compare_zones(before, after))
}

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

/// The study area's cells with their scores and Gi* statistics.
pub fn cells_geojson(analysis: &Analysis) -> Value {
    let features: Vec<Value> = analysis
        .cells
        .iter()
        .map(|c| {
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
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "resolution": u8::from(analysis.params.resolution),
        "ring": analysis.params.ring,
        "total_score": round(analysis.total_score()),
        "features": features,
    })
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

/// Scores `drawings` per unit of a boundary layer (`units`, WGS84 polygons) and writes them as
/// a GeoJSON FeatureCollection ([`units_geojson`]), off the async threads: what the API's
/// `GET .../priority/units` and `trama priority --units` both run.
///
/// # Errors
/// The scoring's thread failed (a panic), said as text.
pub async fn score_units_geojson(
    drawings: Vec<crate::domain::priority::Drawing>,
    units: Vec<crate::domain::priority::Unit>,
) -> Result<Value, String> {
    tokio::task::spawn_blocking(move || {
        let scores = crate::domain::priority::score_units(&drawings, &units);
        units_geojson(&units, &scores)
    })
    .await
    .map_err(|e| format!("scoring units failed: {e}"))
}

pub fn units_geojson(units: &[crate::domain::priority::Unit], scores: &[UnitScore]) -> Value {
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

/// Parses a rule from its query words: `gi` (with `confidence`), `consensus` (with `k`) or
/// `top` (with `percent`).
pub fn parse_rule(
    name: Option<&str>,
    k: Option<usize>,
    confidence: Option<u8>,
    percent: Option<f64>,
) -> Result<Rule, String> {
    match name.unwrap_or("gi") {
        "gi" => match confidence.unwrap_or(95) {
            c @ (90 | 95 | 99) => Ok(Rule::HotSpots { confidence: c }),
            _ => Err("confidence must be 90, 95 or 99".into()),
        },
        "consensus" => match k.unwrap_or(2) {
            k @ 1..=1000 => Ok(Rule::Consensus { groups: k }),
            _ => Err("k must be between 1 and 1000 groups".into()),
        },
        "top" => match percent.unwrap_or(10.0) {
            p if p > 0.0 && p <= 100.0 => Ok(Rule::Top { percent: p }),
            _ => Err("percent must be more than 0 and at most 100".into()),
        },
        other => Err(format!(
            "unknown rule {other:?}: use gi (hot spots), consensus or top"
        )),
    }
}

/// Resolutions the API offers: from about 5 km² (6) to about 2,000 m² (11) per cell.
pub fn parse_params(resolution: Option<u8>, ring: Option<u32>) -> Result<Params, String> {
    let resolution = match resolution.unwrap_or(9) {
        r @ 6..=11 => Resolution::try_from(r).map_err(|e| e.to_string())?,
        _ => return Err("resolution must be between 6 and 11 (H3; 9 is about 0.1 km²)".into()),
    };
    let ring @ 1..=5 = ring.unwrap_or(1) else {
        return Err("ring must be between 1 and 5".into());
    };
    Ok(Params { resolution, ring })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_analysis_whose_request_is_dropped_is_told_to_stop() {
        // A future holding the guard, dropped before it ends, as a timeout drops a request's.
        let cancelled = Arc::new(AtomicBool::new(false));
        let waiting = {
            let cancelled = cancelled.clone();
            async move {
                let _cancel = CancelOnDrop(cancelled);
                std::future::pending::<()>().await;
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_millis(10), waiting).await;
        assert!(cancelled.load(Ordering::Relaxed));
    }
}
