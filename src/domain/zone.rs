//! Priority zones an analyst saved: a name, a status that moves from proposed to closed, notes,
//! and the geometry as it was computed, which later drawings do not move.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::geometry::{FeatureGeometry, GeometryKind};
use super::{Invalid, bounded_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneStatus {
    Proposed,
    Confirmed,
    InterventionPlanned,
    Closed,
}

impl ZoneStatus {
    pub const ALL: [ZoneStatus; 4] = [
        ZoneStatus::Proposed,
        ZoneStatus::Confirmed,
        ZoneStatus::InterventionPlanned,
        ZoneStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ZoneStatus::Proposed => "proposed",
            ZoneStatus::Confirmed => "confirmed",
            ZoneStatus::InterventionPlanned => "intervention_planned",
            ZoneStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(Value::String(text.to_owned())).ok()
    }
}

/// A saved priority zone at one revision.
#[derive(Debug, Clone)]
pub struct PriorityZone {
    pub id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    pub status: ZoneStatus,
    pub notes: String,
    /// GeoJSON Polygon or MultiPolygon (WGS84) as compact text.
    pub geometry: String,
    /// What the computation said when the zone was saved: rule, score, area, symbols...
    pub computed: Value,
    pub revision: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of a zone's history: the status it had from that revision on, and why.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneEvent {
    pub revision: i64,
    pub at: DateTime<Utc>,
    /// Username of who made the change.
    pub by: Option<String>,
    pub status: ZoneStatus,
    pub note: Option<String>,
}

pub const MAX_NAME: usize = 200;
pub const MAX_NOTES: usize = 10_000;
pub const MAX_NOTE: usize = 2_000;
/// Vertices of a saved zone: a zone of a few thousand cells stays far below.
pub const MAX_VERTICES: usize = 200_000;

/// The body of `POST /api/projects/{slug}/priority-zones`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewZoneRequest {
    pub name: String,
    pub geometry: Value,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub status: Option<ZoneStatus>,
    /// The computed zone's properties, kept as they were.
    #[serde(default)]
    pub computed: Option<Value>,
    /// Why it was saved (first history entry).
    #[serde(default)]
    pub note: Option<String>,
}

impl NewZoneRequest {
    /// Validates into a zone (revision 1) and its first history note.
    pub fn into_zone(
        self,
        project_id: Uuid,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(PriorityZone, Option<String>), Vec<Invalid>> {
        let mut errors = Vec::new();
        let name = required_name(&self.name, &mut errors);
        let notes = bounded_text(self.notes.as_deref(), MAX_NOTES, "/notes", &mut errors);
        let note = bounded_text(self.note.as_deref(), MAX_NOTE, "/note", &mut errors);
        let geometry =
            match FeatureGeometry::from_geojson(&self.geometry, "/geometry", MAX_VERTICES) {
                Ok(g) if g.kind() == GeometryKind::Polygon => Some(g.to_geojson_string()),
                Ok(_) => {
                    errors.push(Invalid::new(
                        "/geometry",
                        "a zone must be a Polygon or MultiPolygon",
                    ));
                    None
                }
                Err(mut problems) => {
                    errors.append(&mut problems);
                    None
                }
            };
        let computed = match self.computed {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(value @ Value::Object(_)) => value,
            Some(_) => {
                errors.push(Invalid::new(
                    "/computed",
                    "computed must be an object (the computed zone's properties)",
                ));
                Value::Null
            }
        };
        match (name, geometry) {
            (Some(name), Some(geometry)) if errors.is_empty() => Ok((
                PriorityZone {
                    id: Uuid::new_v4(),
                    project_id,
                    name,
                    status: self.status.unwrap_or(ZoneStatus::Proposed),
                    notes: notes.unwrap_or_default(),
                    geometry,
                    computed,
                    revision: 1,
                    created_by: Some(user),
                    created_at: now,
                    updated_at: now,
                },
                note,
            )),
            _ => Err(errors),
        }
    }
}

fn required_name(text: &str, errors: &mut Vec<Invalid>) -> Option<String> {
    let name = bounded_text(Some(text), MAX_NAME, "/name", errors);
    if name.is_none() && errors.iter().all(|e| e.pointer != "/name") {
        errors.push(Invalid::new("/name", "a zone needs a name"));
    }
    name
}

/// The body of `PATCH /api/priority-zones/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZonePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<ZoneStatus>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Why the change was made, kept in the history.
    #[serde(default)]
    pub note: Option<String>,
}

impl PriorityZone {
    /// Applies a patch as the next revision; returns the history note. Nothing to change is
    /// refused, so that the history only holds real changes.
    pub fn apply(
        &mut self,
        patch: ZonePatch,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, Vec<Invalid>> {
        let mut errors = Vec::new();
        let name = patch
            .name
            .as_deref()
            .and_then(|n| required_name(n, &mut errors));
        let notes = patch
            .notes
            .as_deref()
            .map(|n| bounded_text(Some(n), MAX_NOTES, "/notes", &mut errors).unwrap_or_default());
        let note = bounded_text(patch.note.as_deref(), MAX_NOTE, "/note", &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let changed = name.as_ref().is_some_and(|n| *n != self.name)
            || patch.status.is_some_and(|s| s != self.status)
            || notes.as_ref().is_some_and(|n| *n != self.notes);
        if !changed {
            return Err(vec![Invalid::new(
                "",
                "nothing to change: send a new name, status or notes",
            )]);
        }
        if let Some(name) = name {
            self.name = name;
        }
        if let Some(status) = patch.status {
            self.status = status;
        }
        if let Some(notes) = notes {
            self.notes = notes;
        }
        self.revision += 1;
        self.updated_at = now;
        Ok(note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(geometry: Value) -> NewZoneRequest {
        serde_json::from_value(json!({"name": "La Salada", "geometry": geometry})).unwrap()
    }

    fn square() -> Value {
        json!({"type": "Polygon", "coordinates": [[[-58.48, -34.72], [-58.47, -34.72],
            [-58.47, -34.71], [-58.48, -34.71], [-58.48, -34.72]]]})
    }

    #[test]
    fn a_new_zone_is_proposed_at_revision_one() {
        let (zone, _) = request(square())
            .into_zone(Uuid::nil(), Uuid::nil(), Utc::now())
            .unwrap();
        assert_eq!(zone.status, ZoneStatus::Proposed);
        assert_eq!(zone.revision, 1);
    }

    #[test]
    fn a_zone_must_be_an_area() {
        let errors = request(json!({"type": "Point", "coordinates": [-58.4, -34.7]}))
            .into_zone(Uuid::nil(), Uuid::nil(), Utc::now())
            .unwrap_err();
        assert_eq!(errors[0].pointer, "/geometry");
    }

    #[test]
    fn patches_move_the_revision_and_refuse_no_change() {
        let (mut zone, _) = request(square())
            .into_zone(Uuid::nil(), Uuid::nil(), Utc::now())
            .unwrap();
        let patch = ZonePatch {
            status: Some(ZoneStatus::Confirmed),
            note: Some("visitado con la mesa local".into()),
            ..Default::default()
        };
        let note = zone.apply(patch, Utc::now()).unwrap();
        assert_eq!(note.as_deref(), Some("visitado con la mesa local"));
        assert_eq!((zone.status, zone.revision), (ZoneStatus::Confirmed, 2));
        let same = ZonePatch {
            status: Some(ZoneStatus::Confirmed),
            ..Default::default()
        };
        assert!(zone.apply(same, Utc::now()).is_err());
        assert_eq!(zone.revision, 2);
    }
}
