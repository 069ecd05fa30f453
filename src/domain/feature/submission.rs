//! Parsing what clients send: `POST /features` (a Feature or a FeatureCollection) and
//! `PATCH /features/{id}`, and checking drafts against the legend and the workshop.
//!
//! Long (about 440 lines and its tests) because the fast reader of a submission's text and the
//! slower tree reader that says what is wrong must accept exactly the same documents: they
//! live side by side so that a change to one is seen beside the other.

use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::super::geometry::{FeatureGeometry, GeometryText};
use super::super::legend::{Symbol, is_valid_key};
use super::super::question::{Answers, check_answers};
use super::super::workshop::Workshop;
use super::super::{Invalid, bounded_text};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;
/// Most features one request may carry.
pub const MAX_BATCH: usize = 10_000;

/// Limits that an operator may tune (`--max-vertices`, `--import-max-items`).
#[derive(Debug, Clone, Copy)]
pub struct FeatureLimits {
    pub max_vertices: usize,
    /// Most items (features, placemarks, waypoints, rows) one imported file may hold: more
    /// than a workshop draws, far fewer than a file that would swamp the workshop's map (a
    /// 3 MB KMZ held 552,856).
    pub max_import_items: usize,
}

/// The default of [`FeatureLimits::max_import_items`].
pub const MAX_IMPORT_ITEMS: usize = 5_000;

impl Default for FeatureLimits {
    fn default() -> Self {
        Self {
            max_vertices: 20_000,
            max_import_items: MAX_IMPORT_ITEMS,
        }
    }
}

/// Properties the server writes itself; a client may send them back (a GET, edited, PATCHed)
/// and they are ignored.
const SERVER_PROPERTIES: &[&str] = &[
    "id",
    "revision",
    "symbol_label",
    "kind",
    "workshop_title",
    "group_name",
    "author",
    "review_state",
    "review_reason",
    "merged_into",
    "hidden",
    "created_at",
    "updated_at",
    "deleted_at",
    "masked",
];

/// One feature as submitted, validated for shape but not yet against the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDraft {
    /// JSON pointer of this feature in the request, for error messages.
    pub pointer: String,
    pub symbol: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub geometry: FeatureGeometry,
    pub workshop: Option<String>,
    pub group: Option<String>,
    /// The answers to its symbol's questions: as sent until [`check_symbol`] keeps them
    /// typed.
    pub answers: Answers,
}

/// Parses `POST /features`: one GeoJSON Feature or a FeatureCollection. Every problem of every
/// feature is reported; nothing is returned unless all features are sound.
pub fn parse_submission(
    body: &Value,
    limits: FeatureLimits,
) -> Result<Vec<FeatureDraft>, Vec<Invalid>> {
    let kind = body.get("type").and_then(Value::as_str);
    let items: Vec<(String, &Value)> = match kind {
        Some("Feature") => vec![(String::new(), body)],
        Some("FeatureCollection") => {
            let features = body
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    vec![Invalid::new(
                        "/features",
                        "a FeatureCollection needs a \"features\" array",
                    )]
                })?;
            if features.is_empty() {
                return Err(vec![Invalid::new(
                    "/features",
                    "the collection has no features",
                )]);
            }
            if features.len() > MAX_BATCH {
                return Err(vec![Invalid::new(
                    "/features",
                    format!("at most {MAX_BATCH} features per request"),
                )]);
            }
            features
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("/features/{i}"), f))
                .collect()
        }
        _ => {
            return Err(vec![Invalid::new(
                "/type",
                "expected a GeoJSON Feature or FeatureCollection",
            )]);
        }
    };
    let mut drafts = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (pointer, item) in items {
        match parse_feature(item, &pointer, limits) {
            Ok(draft) => drafts.push(draft),
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

/// A sound submission read by `parse_submission_text`.
#[derive(Debug)]
pub struct Submission {
    /// A single Feature rather than a FeatureCollection: answered as one.
    pub single: bool,
    pub drafts: Vec<FeatureDraft>,
}

/// Reads `POST /features` straight from its JSON text, without building a JSON tree: a batch
/// of a thousand drawings is millions of numbers, and the tree cost more than everything else
/// the server does with them. `None` when anything at all is off (syntax, shape, a property, a
/// geometry); then `parse_submission` on the parsed JSON reports every problem and its place.
pub fn parse_submission_text(text: &[u8], limits: FeatureLimits) -> Option<Submission> {
    #[derive(Deserialize)]
    struct Item<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        #[serde(borrow, default)]
        features: Option<Vec<Item<'a>>>,
        #[serde(borrow, default)]
        geometry: Option<GeometryText<'a>>,
        #[serde(default)]
        properties: Option<Map<String, Value>>,
    }
    fn draft(item: Item, pointer: String, limits: FeatureLimits) -> Option<FeatureDraft> {
        if item.kind != "Feature" {
            return None;
        }
        let mut errors = Vec::new();
        let fields = DraftFields::read(&item.properties.unwrap_or_default(), "", &mut errors);
        if !errors.is_empty() {
            return None;
        }
        Some(FeatureDraft {
            pointer,
            symbol: fields.symbol?,
            title: fields.title.flatten(),
            description: fields.description.flatten(),
            geometry: FeatureGeometry::from_geojson_text(item.geometry?, limits.max_vertices)?,
            workshop: fields.workshop,
            group: fields.group,
            answers: fields.answers.flatten().unwrap_or_default(),
        })
    }

    let body: Item = serde_json::from_slice(text).ok()?;
    match body.kind {
        "Feature" => Some(Submission {
            single: true,
            drafts: vec![draft(body, String::new(), limits)?],
        }),
        "FeatureCollection" => {
            let features = body.features?;
            if features.is_empty() || features.len() > MAX_BATCH {
                return None;
            }
            let drafts = features
                .into_iter()
                .enumerate()
                .map(|(i, item)| draft(item, format!("/features/{i}"), limits))
                .collect::<Option<_>>()?;
            Some(Submission {
                single: false,
                drafts,
            })
        }
        _ => None,
    }
}

fn parse_feature(
    value: &Value,
    pointer: &str,
    limits: FeatureLimits,
) -> Result<FeatureDraft, Vec<Invalid>> {
    if value.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(vec![Invalid::new(
            format!("{pointer}/type"),
            "expected \"type\": \"Feature\"",
        )]);
    }
    let mut errors = Vec::new();
    let empty = Map::new();
    let properties = match value.get("properties") {
        Some(Value::Object(map)) => map,
        None | Some(Value::Null) => &empty,
        Some(_) => {
            return Err(vec![Invalid::new(
                format!("{pointer}/properties"),
                "properties must be an object",
            )]);
        }
    };
    let fields = DraftFields::read(properties, &format!("{pointer}/properties"), &mut errors);
    let symbol = match fields.symbol {
        Some(s) => Some(s),
        None => {
            if !errors.iter().any(|e| e.pointer.ends_with("/symbol")) {
                errors.push(Invalid::new(
                    format!("{pointer}/properties/symbol"),
                    "every feature needs properties.symbol, a key of the project's legend",
                ));
            }
            None
        }
    };
    let geometry = match value.get("geometry") {
        None | Some(Value::Null) => {
            errors.push(Invalid::new(
                format!("{pointer}/geometry"),
                "a feature needs a geometry",
            ));
            None
        }
        Some(g) => match FeatureGeometry::from_geojson(
            g,
            &format!("{pointer}/geometry"),
            limits.max_vertices,
        ) {
            Ok(g) => Some(g),
            Err(mut problems) => {
                errors.append(&mut problems);
                None
            }
        },
    };
    match (symbol, geometry) {
        (Some(symbol), Some(geometry)) if errors.is_empty() => Ok(FeatureDraft {
            pointer: pointer.to_owned(),
            symbol,
            title: fields.title.flatten(),
            description: fields.description.flatten(),
            geometry,
            workshop: fields.workshop,
            group: fields.group,
            answers: fields.answers.flatten().unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

/// The client-writable properties of a feature. `Some(None)` means "present and empty",
/// which a PATCH uses to clear a title or description.
#[derive(Debug, Default)]
struct DraftFields {
    symbol: Option<String>,
    title: Option<Option<String>>,
    description: Option<Option<String>>,
    workshop: Option<String>,
    group: Option<String>,
    answers: Option<Option<Answers>>,
}

impl DraftFields {
    fn read(properties: &Map<String, Value>, at: &str, errors: &mut Vec<Invalid>) -> Self {
        let mut fields = DraftFields::default();
        for (name, value) in properties {
            let pointer = format!("{at}/{name}");
            if name == "answers" {
                match value {
                    Value::Object(answers) => fields.answers = Some(Some(answers.clone())),
                    Value::Null => fields.answers = Some(None),
                    _ => errors.push(Invalid::new(
                        pointer,
                        "answers is an object: question key → answer",
                    )),
                }
                continue;
            }
            let text = match value {
                Value::String(s) => Some(s.as_str()),
                Value::Null => None,
                _ if SERVER_PROPERTIES.contains(&name.as_str()) => continue,
                _ => {
                    errors.push(Invalid::new(&pointer, "must be a string"));
                    continue;
                }
            };
            match name.as_str() {
                "symbol" => match text {
                    Some(key) if is_valid_key(key) => fields.symbol = Some(key.to_owned()),
                    _ => errors.push(Invalid::new(pointer, "symbol must be a legend key such as \"escuela\"")),
                },
                "title" => fields.title = Some(bounded_text(text, MAX_TITLE, &pointer, errors)),
                "description" => {
                    fields.description = Some(bounded_text(text, MAX_DESCRIPTION, &pointer, errors))
                }
                "workshop" => fields.workshop = bounded_text(text, 64, &pointer, errors),
                "group" => fields.group = bounded_text(text, 100, &pointer, errors),
                other if SERVER_PROPERTIES.contains(&other) => {}
                other => errors.push(Invalid::new(
                    pointer,
                    format!(
                        "unknown property \"{other}\": a feature carries symbol, title, description, answers, workshop and group"
                    ),
                )),
            }
        }
        fields
    }
}

/// A validated partial update (`PATCH /api/features/{id}`).
#[derive(Debug, Clone, Default)]
pub struct FeaturePatch {
    pub symbol: Option<String>,
    pub title: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub geometry: Option<FeatureGeometry>,
    /// New answers (an empty object clears them), as sent until checked against the
    /// symbol's questions.
    pub answers: Option<Answers>,
}

impl FeaturePatch {
    /// Parses a PATCH body: a Feature-shaped object whose members are all optional.
    pub fn parse(body: &Value, limits: FeatureLimits) -> Result<Self, Vec<Invalid>> {
        let Some(object) = body.as_object() else {
            return Err(vec![Invalid::new(
                "",
                "expected a JSON object shaped like a GeoJSON Feature",
            )]);
        };
        let mut errors = Vec::new();
        let mut patch = FeaturePatch::default();
        match object.get("properties") {
            None | Some(Value::Null) => {}
            Some(Value::Object(properties)) => {
                let fields = DraftFields::read(properties, "/properties", &mut errors);
                if fields.workshop.is_some() || fields.group.is_some() {
                    errors.push(Invalid::new(
                        "/properties",
                        "a feature's workshop and group cannot be changed",
                    ));
                }
                patch.symbol = fields.symbol;
                patch.title = fields.title;
                patch.description = fields.description;
                patch.answers = fields.answers.map(Option::unwrap_or_default);
            }
            Some(_) => errors.push(Invalid::new("/properties", "properties must be an object")),
        }
        match object.get("geometry") {
            None => {}
            Some(Value::Null) => errors.push(Invalid::new(
                "/geometry",
                "a feature's geometry cannot be removed",
            )),
            Some(g) => match FeatureGeometry::from_geojson(g, "/geometry", limits.max_vertices) {
                Ok(g) => patch.geometry = Some(g),
                Err(mut problems) => errors.append(&mut problems),
            },
        }
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }
}

/// Checks `answers` (as sent, `at` their pointer) against the questions of the legend's
/// symbol `symbol_key`, and returns them as kept (see `question::check_answers`). An unknown
/// symbol asks nothing ([`check_symbol`] refuses it).
///
/// # Errors
/// Each wrong or missing answer, named by its pointer.
pub fn check_drawing_answers(
    symbol_key: &str,
    answers: &Answers,
    legend: &[Symbol],
    at: &str,
) -> Result<Answers, Vec<Invalid>> {
    let questions = legend
        .iter()
        .find(|s| s.key == symbol_key)
        .map_or(&[][..], |s| &s.questions);
    check_answers(questions, answers, at)
}

/// Checks a draft or patch against the legend: the symbol must exist and allow the geometry.
pub fn check_symbol(
    symbol_key: &str,
    geometry: &FeatureGeometry,
    legend: &[Symbol],
    pointer: &str,
) -> Result<(), Invalid> {
    let Some(symbol) = legend.iter().find(|s| s.key == symbol_key) else {
        let known: Vec<&str> = legend.iter().map(|s| s.key.as_str()).take(20).collect();
        return Err(Invalid::new(
            format!("{pointer}/properties/symbol"),
            format!(
                "unknown symbol \"{symbol_key}\"; the legend has: {}",
                known.join(", ")
            ),
        ));
    };
    if !symbol.allows(geometry.kind()) {
        let allowed: Vec<&str> = symbol.geometry_types.iter().map(|k| k.as_str()).collect();
        return Err(Invalid::new(
            format!("{pointer}/geometry"),
            format!(
                "symbol \"{symbol_key}\" is drawn as {}, not as a {}",
                allowed.join(" or "),
                geometry.kind().as_str()
            ),
        ));
    }
    Ok(())
}

/// Resolves a draft's optional `workshop`/`group` references against the workshop the
/// author works in. Returns the group id.
pub fn check_placement(
    draft: &FeatureDraft,
    workshop: &Workshop,
    fixed_group: Option<Uuid>,
) -> Result<Option<Uuid>, Invalid> {
    if let Some(reference) = &draft.workshop
        && reference.to_ascii_lowercase() != workshop.id.to_string()
    {
        return Err(Invalid::new(
            format!("{}/properties/workshop", draft.pointer),
            "this feature names a different workshop from the one it is submitted to",
        ));
    }
    let named =
        match &draft.group {
            None => None,
            Some(reference) => Some(workshop.find_group(reference).map(|g| g.id).ok_or_else(
                || {
                    let names: Vec<&str> =
                        workshop.groups.iter().map(|g| g.name.as_str()).collect();
                    Invalid::new(
                        format!("{}/properties/group", draft.pointer),
                        format!(
                            "unknown group \"{reference}\"; this workshop's groups are: {}",
                            names.join(", ")
                        ),
                    )
                },
            )?),
        };
    match (fixed_group, named) {
        (Some(own), Some(other)) if own != other => Err(Invalid::new(
            format!("{}/properties/group", draft.pointer),
            "participants draw for their own group only",
        )),
        (Some(own), _) => Ok(Some(own)),
        (None, named) => Ok(named),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::generate;

    /// Both readings of a body's text: the direct one (None when it gives up) and the
    /// general one, through a JSON tree.
    fn both(body: &Value) -> (Option<Submission>, Result<Vec<FeatureDraft>, Vec<Invalid>>) {
        let text = serde_json::to_vec(body).expect("json");
        let tree: Value = serde_json::from_slice(&text).expect("json");
        let limits = FeatureLimits::default();
        (
            parse_submission_text(&text, limits),
            parse_submission(&tree, limits),
        )
    }

    #[test]
    fn sound_drawings_read_directly_as_the_general_parser_reads_them() {
        let features: Vec<Value> = generate::generate(300, 11)
            .map(|f| {
                let mut value = generate::to_geojson(&f);
                value["properties"]["title"] = json!("Taller en la casa de Rosa");
                value
            })
            .collect();
        let (direct, general) = both(&json!({"type": "FeatureCollection", "features": features}));
        let direct = direct.expect("read directly");
        assert!(!direct.single);
        assert_eq!(direct.drafts, general.expect("valid"));

        // One feature, a 3D position (altitude dropped), and a hole in a polygon.
        let single = json!({"type": "Feature", "properties": {"symbol": "taller", "group": "Mesa 1"},
            "geometry": {"type": "Polygon", "coordinates": [
                [[-58.48, -34.72, 10.0], [-58.46, -34.72, 10.0], [-58.46, -34.70, 10.0], [-58.48, -34.72, 10.0]],
                [[-58.465, -34.717], [-58.462, -34.717], [-58.462, -34.714], [-58.465, -34.717]]]}});
        let (direct, general) = both(&single);
        let direct = direct.expect("read directly");
        assert!(direct.single);
        assert_eq!(direct.drafts, general.expect("valid"));

        // Positions as GPS apps write them, [lon, lat, alt, time]: the rest after the
        // latitude is dropped by both (RFC 7946 §3.1.1).
        let tracked = json!({"type": "Feature", "properties": {"symbol": "ruta"},
            "geometry": {"type": "LineString", "coordinates": [
                [-58.45, -34.72, 10.0, 1700000000], [-58.44, -34.725, 11.0, 1700000060, 4.5]]}});
        let (direct, general) = both(&tracked);
        let direct = direct.expect("read directly");
        let general = general.expect("valid");
        assert_eq!(direct.drafts, general);
        assert_eq!(
            general[0].geometry.to_geojson_string(),
            r#"{"type":"LineString","coordinates":[[-58.45,-34.72],[-58.44,-34.725]]}"#
        );
    }

    #[test]
    fn anything_unsound_is_left_to_the_general_parser() {
        let feature = |geometry: Value, properties: Value| json!({"type": "Feature", "properties": properties, "geometry": geometry});
        let point = json!({"type": "Point", "coordinates": [-58.4, -34.7]});
        let symbol = json!({"symbol": "taller"});
        let unsound = [
            json!({"type": "FeatureCollection", "features": []}),
            json!({"type": "FeatureCollection"}),
            json!({"type": "Topology"}),
            feature(point.clone(), json!({})),
            feature(point.clone(), json!({"symbol": "taller", "nombre": "Juan"})),
            feature(
                point.clone(),
                json!({"symbol": "taller", "title": "x".repeat(MAX_TITLE + 1)}),
            ),
            feature(point.clone(), json!([1])),
            feature(Value::Null, symbol.clone()),
            json!({"type": "Thing", "properties": symbol, "geometry": point}),
            feature(
                json!({"type": "Point", "coordinates": [-34.7, -158.4]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "Point", "coordinates": [1, 2, 3, "12:00"]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "Point", "coordinates": ["a", 1]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "MultiPoint", "coordinates": []}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "LineString", "coordinates": [[0, 1], [0, 1]]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "Polygon", "coordinates": []}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}),
                symbol.clone(),
            ),
            feature(
                json!({"type": "GeometryCollection", "geometries": []}),
                symbol.clone(),
            ),
        ];
        for body in unsound {
            let (direct, general) = both(&body);
            assert!(direct.is_none(), "read directly: {body}");
            assert!(general.is_err(), "accepted: {body}");
        }
        let too_many = json!({"type": "LineString",
            "coordinates": (0..30).map(|i| json!([i as f64 * 0.001, 0.0])).collect::<Vec<_>>()});
        let text = serde_json::to_vec(&feature(too_many, symbol)).expect("json");
        assert!(
            parse_submission_text(
                &text,
                FeatureLimits {
                    max_vertices: 10,
                    ..FeatureLimits::default()
                }
            )
            .is_none()
        );
    }
}
