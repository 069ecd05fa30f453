//! Features: what participants draw. Parsing submissions, the stored model, and the rules
//! of editing, deleting, reviewing and hiding.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::bbox::BBox;
use super::geometry::FeatureGeometry;
use super::legend::{Symbol, is_valid_key};
use super::workshop::Workshop;
use super::{Invalid, bounded_text};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;
/// Most features one request may carry.
pub const MAX_BATCH: usize = 10_000;

/// Limits that an operator may tune (`--max-vertices`).
#[derive(Debug, Clone, Copy)]
pub struct FeatureLimits {
    pub max_vertices: usize,
}

impl Default for FeatureLimits {
    fn default() -> Self {
        Self {
            max_vertices: 20_000,
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
#[derive(Debug, Clone)]
pub struct FeatureDraft {
    /// JSON pointer of this feature in the request, for error messages.
    pub pointer: String,
    pub symbol: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub geometry: FeatureGeometry,
    pub workshop: Option<String>,
    pub group: Option<String>,
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
}

impl DraftFields {
    fn read(properties: &Map<String, Value>, at: &str, errors: &mut Vec<Invalid>) -> Self {
        let mut fields = DraftFields::default();
        for (name, value) in properties {
            let pointer = format!("{at}/{name}");
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
                        "unknown property \"{other}\": a feature carries symbol, title, description, workshop and group"
                    ),
                )),
            }
        }
        fields
    }
}

/// Who drew or wrote something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Author {
    Participant {
        id: Uuid,
        display_name: Option<String>,
    },
    User {
        id: Uuid,
        username: String,
    },
}

impl Author {
    pub fn is_participant(&self, participant: Uuid) -> bool {
        matches!(self, Author::Participant { id, .. } if *id == participant)
    }
    pub fn is_user(&self, user: Uuid) -> bool {
        matches!(self, Author::User { id, .. } if *id == user)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    Submitted,
    Accepted,
    Rejected,
    Merged,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Submitted => "submitted",
            ReviewState::Accepted => "accepted",
            ReviewState::Rejected => "rejected",
            ReviewState::Merged => "merged",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(Value::String(text.to_owned())).ok()
    }
}

/// A stored feature at one revision. Every change writes a new revision; the old ones are kept.
#[derive(Debug, Clone)]
pub struct Feature {
    pub id: Uuid,
    pub project_id: Uuid,
    pub workshop_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub author: Author,
    pub symbol: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// RFC 7946 geometry object as compact JSON text (WGS84 lon/lat).
    pub geometry: String,
    /// The geometry's bounding box, kept beside it for spatial indexing.
    pub bbox: BBox,
    pub review_state: ReviewState,
    pub review_reason: Option<String>,
    pub reviewer_id: Option<Uuid>,
    pub merged_into: Option<Uuid>,
    pub hidden: bool,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Feature {
    /// A new feature from a draft already checked against the legend and workshop.
    pub fn create(
        draft: FeatureDraft,
        project_id: Uuid,
        workshop_id: Option<Uuid>,
        group_id: Option<Uuid>,
        author: Author,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            // Time-ordered (v7) so that new features append to the id index instead of
            // landing on random pages of it; 74 random bits keep ids unguessable.
            id: Uuid::now_v7(),
            project_id,
            workshop_id,
            group_id,
            author,
            symbol: draft.symbol,
            title: draft.title,
            description: draft.description,
            geometry: draft.geometry.to_geojson_string(),
            bbox: draft.geometry.bbox(),
            review_state: ReviewState::Submitted,
            review_reason: None,
            reviewer_id: None,
            merged_into: None,
            hidden: false,
            revision: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Applies a change and returns the next revision, or says why the change is refused.
    pub fn apply(
        &self,
        change: &FeatureChange,
        now: DateTime<Utc>,
    ) -> Result<Feature, ChangeRefused> {
        let mut next = self.clone();
        match change {
            FeatureChange::Edit(patch) => {
                if self.is_deleted() {
                    return Err(ChangeRefused::Deleted);
                }
                if let Some(symbol) = &patch.symbol {
                    next.symbol = symbol.clone();
                }
                if let Some(title) = &patch.title {
                    next.title = title.clone();
                }
                if let Some(description) = &patch.description {
                    next.description = description.clone();
                }
                if let Some(geometry) = &patch.geometry {
                    next.geometry = geometry.to_geojson_string();
                    next.bbox = geometry.bbox();
                }
            }
            FeatureChange::Delete => {
                if self.is_deleted() {
                    return Err(ChangeRefused::Deleted);
                }
                next.deleted_at = Some(now);
            }
            FeatureChange::Restore => {
                if !self.is_deleted() {
                    return Err(ChangeRefused::NotDeleted);
                }
                next.deleted_at = None;
            }
            FeatureChange::Review(review) => {
                next.review_state = review.state;
                next.review_reason = review.reason.clone();
                next.reviewer_id = Some(review.reviewer);
                next.merged_into = review.merge_into;
            }
            FeatureChange::Hide { hidden } => next.hidden = *hidden,
        }
        next.revision += 1;
        next.updated_at = now;
        Ok(next)
    }
}

/// The reasons a change cannot be applied to a feature's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    #[error("the feature is deleted; an analyst can restore it first")]
    Deleted,
    #[error("the feature is not deleted")]
    NotDeleted,
}

/// What can happen to a feature; each one becomes a revision with its action name.
#[derive(Debug, Clone)]
pub enum FeatureChange {
    Edit(FeaturePatch),
    Delete,
    Restore,
    Review(Review),
    Hide { hidden: bool },
}

impl FeatureChange {
    pub fn action(&self) -> &'static str {
        match self {
            FeatureChange::Edit(_) => "edit",
            FeatureChange::Delete => "delete",
            FeatureChange::Restore => "restore",
            FeatureChange::Review(_) => "review",
            FeatureChange::Hide { hidden: true } => "hide",
            FeatureChange::Hide { hidden: false } => "unhide",
        }
    }
}

/// A validated partial update (`PATCH /api/features/{id}`).
#[derive(Debug, Clone, Default)]
pub struct FeaturePatch {
    pub symbol: Option<String>,
    pub title: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub geometry: Option<FeatureGeometry>,
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

/// The body of `POST /api/features/{id}/review`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub state: ReviewState,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub merge_into: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub state: ReviewState,
    pub reason: Option<String>,
    pub reviewer: Uuid,
    pub merge_into: Option<Uuid>,
}

impl ReviewRequest {
    /// A rejection needs a reason; a merge needs another feature to merge into.
    pub fn validate(self, feature: &Feature, reviewer: Uuid) -> Result<Review, Vec<Invalid>> {
        let mut errors = Vec::new();
        let reason = bounded_text(self.reason.as_deref(), 1_000, "/reason", &mut errors);
        match self.state {
            ReviewState::Rejected if reason.is_none() && errors.is_empty() => {
                errors.push(Invalid::new("/reason", "a rejection needs a reason"));
            }
            ReviewState::Merged => match self.merge_into {
                None => errors.push(Invalid::new(
                    "/merge_into",
                    "a merge needs the id of the feature to merge into",
                )),
                Some(target) if target == feature.id => errors.push(Invalid::new(
                    "/merge_into",
                    "a feature cannot be merged into itself",
                )),
                Some(_) => {}
            },
            _ if self.merge_into.is_some() => errors.push(Invalid::new(
                "/merge_into",
                "merge_into is only for the state \"merged\"",
            )),
            _ => {}
        }
        if errors.is_empty() {
            Ok(Review {
                state: self.state,
                reason,
                reviewer,
                merge_into: self.merge_into,
            })
        } else {
            Err(errors)
        }
    }
}

/// Filters of `GET /api/projects/{slug}/features`.
#[derive(Debug, Clone, Default)]
pub struct FeatureFilter {
    pub bbox: Option<BBox>,
    pub workshops: Option<Vec<Uuid>>,
    pub group: Option<Uuid>,
    pub symbol: Option<String>,
    pub review_state: Option<ReviewState>,
    /// Drawn at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Drawn before this instant.
    pub until: Option<DateTime<Utc>>,
    pub include_hidden: bool,
    pub include_deleted: bool,
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feature(props: Value) -> Value {
        json!({"type": "Feature", "properties": props,
               "geometry": {"type": "Point", "coordinates": [-58.4, -34.76]}})
    }

    #[test]
    fn a_collection_with_one_bad_feature_reports_that_feature_only() {
        let body = json!({"type": "FeatureCollection", "features": [
            feature(json!({"symbol": "escuela"})),
            feature(json!({"title": "sin símbolo"})),
        ]});
        let errors = parse_submission(&body, FeatureLimits::default()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/features/1/properties/symbol");
    }

    #[test]
    fn properties_must_be_an_object_and_strings_bounded() {
        let body = json!({"type": "Feature", "properties": [1],
                          "geometry": {"type": "Point", "coordinates": [0, 0]}});
        assert!(parse_submission(&body, FeatureLimits::default()).is_err());
        let long = "x".repeat(MAX_TITLE + 1);
        let errors = parse_submission(
            &feature(json!({"symbol": "a", "title": long})),
            FeatureLimits::default(),
        )
        .unwrap_err();
        assert_eq!(errors[0].pointer, "/properties/title");
    }

    #[test]
    fn unknown_properties_are_refused_but_server_ones_are_ignored() {
        let errors = parse_submission(
            &feature(json!({"symbol": "a", "nombre": "Juan"})),
            FeatureLimits::default(),
        )
        .unwrap_err();
        assert!(errors[0].detail.contains("unknown property"));
        let ok = parse_submission(
            &feature(json!({"symbol": "a", "revision": 3, "id": "x"})),
            FeatureLimits::default(),
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn edits_bump_the_revision_and_deleted_features_cannot_be_edited() {
        let draft = parse_submission(
            &feature(json!({"symbol": "a", "title": "Escuela 12"})),
            FeatureLimits::default(),
        )
        .expect("valid")
        .remove(0);
        let now = Utc::now();
        let f = Feature::create(
            draft,
            Uuid::new_v4(),
            None,
            None,
            Author::User {
                id: Uuid::new_v4(),
                username: "ana".into(),
            },
            now,
        );
        let patch = FeaturePatch {
            title: Some(None),
            ..Default::default()
        };
        let edited = f
            .apply(&FeatureChange::Edit(patch.clone()), now)
            .expect("edit");
        assert_eq!(edited.revision, 2);
        assert_eq!(edited.title, None);
        let deleted = edited.apply(&FeatureChange::Delete, now).expect("delete");
        assert_eq!(
            deleted.apply(&FeatureChange::Edit(patch), now).unwrap_err(),
            ChangeRefused::Deleted
        );
        let restored = deleted
            .apply(&FeatureChange::Restore, now)
            .expect("restore");
        assert!(!restored.is_deleted());
        assert_eq!(restored.revision, 4);
    }

    #[test]
    fn a_rejection_needs_a_reason_and_a_merge_a_target() {
        let draft = parse_submission(&feature(json!({"symbol": "a"})), FeatureLimits::default())
            .expect("ok")
            .remove(0);
        let f = Feature::create(
            draft,
            Uuid::new_v4(),
            None,
            None,
            Author::User {
                id: Uuid::new_v4(),
                username: "ana".into(),
            },
            Utc::now(),
        );
        let reviewer = Uuid::new_v4();
        let reject = ReviewRequest {
            state: ReviewState::Rejected,
            reason: None,
            merge_into: None,
        };
        assert_eq!(
            reject.validate(&f, reviewer).unwrap_err()[0].pointer,
            "/reason"
        );
        let merge_self = ReviewRequest {
            state: ReviewState::Merged,
            reason: None,
            merge_into: Some(f.id),
        };
        assert!(merge_self.validate(&f, reviewer).is_err());
        let accept = ReviewRequest {
            state: ReviewState::Accepted,
            reason: None,
            merge_into: None,
        };
        assert!(accept.validate(&f, reviewer).is_ok());
    }
}
