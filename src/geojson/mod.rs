//! GeoJSON (RFC 7946) as Trama writes it: a stored drawing as a Feature, seen exactly or as
//! its masking cell, and FeatureCollections written as the features come. Stored geometry is
//! GeoJSON text this server wrote after validation, so it is copied as it is, never parsed
//! again (half the time of a large answer).

pub mod priority;

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

pub use crate::domain::feature::Sight;
use crate::domain::feature::{Feature, ReviewState, SeenAuthor};
use crate::domain::geometry::masked_cell;
use crate::domain::question::{Answers, Question};

/// An RFC 7946 Feature as the API returns it.
pub struct FeatureOut<'a> {
    id: Uuid,
    geometry: GeometryOut<'a>,
    properties: PropertiesOut<'a>,
}

enum GeometryOut<'a> {
    /// The stored GeoJSON text: written by this server after validation, so it goes out as
    /// it is, without the cost of parsing it again (half the time of a large bbox answer).
    Exact(&'a str),
    /// The coarse cell that stands for a sensitive feature.
    Masked(Value),
}

#[derive(Serialize)]
struct PropertiesOut<'a> {
    symbol: &'a str,
    title: Option<&'a str>,
    description: Option<&'a str>,
    /// The answers to the symbol's questions this sight shows (see [`Sight::answers`]).
    answers: Answers,
    workshop: Option<Uuid>,
    group: Option<Uuid>,
    author: SeenAuthor<'a>,
    review_state: ReviewState,
    review_reason: Option<&'a str>,
    merged_into: Option<Uuid>,
    hidden: bool,
    revision: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// True when the geometry is the coarse cell of a sensitive symbol, not the drawing, and
    /// its words (title, description, review reason, nickname) are withheld.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
}

impl<'a> FeatureOut<'a> {
    /// The feature as a caller with `sight` sees it: its geometry, its words (see
    /// [`Sight::words`]) and its answers to `questions`, its symbol's (see
    /// [`Sight::answers`]; none are needed to show a drawing exactly).
    pub fn new(feature: &'a Feature, sight: Sight, questions: &[Question]) -> Self {
        let geometry = match sight {
            Sight::Exact | Sight::Open => GeometryOut::Exact(&feature.geometry),
            Sight::Masked(resolution) => {
                GeometryOut::Masked(masked_cell(&feature.geometry, resolution))
            }
        };
        let words = sight.words(feature);
        Self {
            id: feature.id,
            geometry,
            properties: PropertiesOut {
                symbol: &feature.symbol,
                title: words.title,
                description: words.description,
                answers: sight.answers(questions, feature),
                workshop: feature.workshop_id,
                group: feature.group_id,
                author: words.author,
                review_state: feature.review_state,
                review_reason: words.review_reason,
                merged_into: feature.merged_into,
                hidden: feature.hidden,
                revision: feature.revision,
                created_at: feature.created_at,
                updated_at: feature.updated_at,
                deleted_at: feature.deleted_at,
                masked: sight.is_masked(),
            },
        }
    }

    /// Appends the feature as JSON to `out`.
    ///
    /// # Errors
    /// serde_json's, which its values (strings, numbers, maps) do not cause.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":\"");
        out.extend_from_slice(
            self.id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer())
                .as_bytes(),
        );
        out.extend_from_slice(b"\",\"geometry\":");
        match &self.geometry {
            GeometryOut::Exact(text) => out.extend_from_slice(text.as_bytes()),
            GeometryOut::Masked(value) => serde_json::to_writer(&mut *out, value)?,
        }
        out.extend_from_slice(b",\"properties\":");
        serde_json::to_writer(&mut *out, &self.properties)?;
        out.push(b'}');
        Ok(())
    }

    /// The feature as JSON text.
    ///
    /// # Errors
    /// As [`FeatureOut::write_json`].
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut out = Vec::with_capacity(1024);
        self.write_json(&mut out)?;
        // UTF-8 throughout: serde_json's output and the stored GeoJSON text (a String).
        String::from_utf8(out).map_err(|e| serde_json::Error::io(std::io::Error::other(e)))
    }
}

/// A FeatureCollection with `numberReturned` (OGC API Features), `truncated` (true when
/// `limit` cut the listing short) and, when there is one, a `next` link to the following
/// page, written ahead of the features so clients can read them first: the features are
/// written as they come, the head when their number is known.
#[derive(Default)]
pub struct CollectionWriter {
    features: Vec<u8>,
    /// How many features were pushed.
    pub count: usize,
    /// The id of the last one, for the next page's link.
    pub last_id: Option<Uuid>,
}

impl CollectionWriter {
    pub fn push(&mut self, feature: &FeatureOut) -> Result<(), serde_json::Error> {
        if self.count > 0 {
            self.features.push(b',');
        }
        self.count += 1;
        self.last_id = Some(feature.id);
        feature.write_json(&mut self.features)
    }

    /// The collection's JSON text (UTF-8: serde_json's output and stored GeoJSON text).
    pub fn finish(self, truncated: bool, next: Option<&str>) -> Vec<u8> {
        let links = match next {
            Some(href) => format!(
                ",\"links\":[{{\"rel\":\"next\",\"type\":\"application/geo+json\",\"href\":{}}}]",
                serde_json::Value::from(href)
            ),
            None => String::new(),
        };
        let head = format!(
            "{{\"type\":\"FeatureCollection\",\"numberReturned\":{},\"truncated\":{truncated}{links},\"features\":[",
            self.count
        );
        let mut out = Vec::with_capacity(head.len() + self.features.len() + 2);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&self.features);
        out.extend_from_slice(b"]}");
        out
    }
}

/// Places found in a basemap's names, as a FeatureCollection of WGS84 points with their
/// `name`, the tile `layer` they are in and their `kind`.
pub fn places_geojson(places: &[&crate::basemap::places::Place]) -> Value {
    let features: Vec<Value> = places
        .iter()
        .map(|p| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {"name": p.name, "layer": p.layer, "kind": p.kind},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{Principal, Role};
    use crate::domain::feature::{FeatureLimits, parse_submission};
    use crate::domain::project::SensitiveView;
    use crate::domain::workshop::{NewWorkshopRequest, Workshop};
    use chrono::Utc;
    use proptest::prelude::*;
    use serde_json::json;

    fn workshop(facilitator: Uuid) -> Workshop {
        NewWorkshopRequest {
            title: "Taller".into(),
            place: None,
            starts_at: None,
            ends_at: None,
            facilitator: None,
            groups: vec!["Jóvenes".into(), "Docentes".into()],
            joins_per_minute: None,
            legal_basis: None,
        }
        .into_workshop(Uuid::new_v4(), Some(facilitator), Utc::now())
        .expect("valid")
    }

    fn participant(w: &Workshop, group: usize, nickname: Option<String>) -> Principal {
        Principal::Participant {
            id: Uuid::new_v4(),
            project_id: w.project_id,
            workshop_id: w.id,
            group_id: w.groups[group].id,
            display_name: nickname,
        }
    }

    fn user(id: Uuid, role: Role) -> Principal {
        Principal::User {
            id,
            username: format!("staff-{}", role.as_str()),
            role,
        }
    }

    /// Free text that cannot occur in a UUID, a date or a number by chance.
    fn words() -> impl Strategy<Value = String> {
        "[g-z]{3}[ ,.][g-z]{4,12}".prop_map(|w| format!("SECRETO {w}"))
    }

    proptest! {
        /// Whoever sees a drawing masked reads none of its words, in any role and any policy;
        /// whoever sees it exactly reads all of them. An answer to a sensitive question is
        /// read only by those who would see a sensitive drawing exactly, on any drawing; a
        /// short-text answer goes with the words.
        #[test]
        fn a_masked_drawing_carries_none_of_its_words(
            caller in 0..7_usize,
            sensitive in any::<bool>(),
            workshop_policy in any::<bool>(),
            closed in any::<bool>(),
            title in words(),
            description in words(),
            reason in words(),
            nickname in words(),
            lon in -58.6..-58.3_f64,
            lat in -34.9..-34.6_f64,
        ) {
            let facilitator = Uuid::new_v4();
            let mut w = workshop(facilitator);
            if closed {
                w.status = crate::domain::workshop::WorkshopStatus::Closed;
            }
            let author = participant(&w, 0, Some(nickname.clone()));
            let draft = parse_submission(
                &json!({"type": "Feature",
                        "properties": {"symbol": "taller", "title": title, "description": description},
                        "geometry": {"type": "Point", "coordinates": [lon, lat]}}),
                FeatureLimits::default(),
            )
            .expect("valid")
            .remove(0);
            let mut feature = Feature::create(
                draft, w.project_id, Some(w.id), Some(w.groups[0].id), author.author(), Utc::now(),
            );
            feature.review_reason = Some(reason.clone());
            let questions: Vec<Question> = serde_json::from_value(json!([
                {"key": "cuantos", "type": "integer", "labels": {"es": "¿Cuántos?"}},
                {"key": "edades", "type": "choice", "sensitive": true, "labels": {"es": "¿Edades?"},
                 "options": [{"key": "menos_de_trece", "labels": {"es": "Menos de 13"}}]},
                {"key": "nota", "type": "text", "labels": {"es": "Nota"}}
            ])).expect("questions");
            feature.answers = json!({"cuantos": 7, "edades": "menos_de_trece", "nota": title.clone() + " nota"})
                .as_object().expect("answers").clone();
            let principal = match caller {
                0 => user(Uuid::new_v4(), Role::Admin),
                1 => user(Uuid::new_v4(), Role::Analyst),
                2 => user(facilitator, Role::Facilitator),
                3 => user(Uuid::new_v4(), Role::Researcher),
                4 => participant(&w, 0, None),
                5 => participant(&w, 1, None),
                _ => author,
            };
            let policy = if workshop_policy { SensitiveView::Workshop } else { SensitiveView::Analysts };
            let resolution = h3o::Resolution::Eight;
            let sights = [
                Sight::of(&principal, &feature, sensitive, Some(&w), (policy, resolution)),
                Sight::public(sensitive, resolution),
            ];
            for sight in sights {
                let text = FeatureOut::new(&feature, sight, &questions).to_json().expect("json");
                let shown: Value = serde_json::from_str(&text).expect("valid JSON");
                let words = [&title, &description, &reason, &nickname];
                if sight.is_masked() {
                    prop_assert!(sensitive);
                    for secret in words {
                        prop_assert!(!text.contains(secret.as_str()), "{secret} in {text}");
                    }
                    prop_assert_eq!(&shown["properties"]["masked"], &json!(true));
                    prop_assert_eq!(&shown["geometry"]["type"], &json!("Polygon"));
                    prop_assert!(!text.contains(&format!("{lon}")), "the exact longitude in {text}");
                } else {
                    for secret in words {
                        prop_assert!(text.contains(secret.as_str()), "{secret} missing from {text}");
                    }
                }
            }
            // Only what the place's rule allows sees it exactly.
            let exact_for_caller = !sensitive
                || caller <= 1
                || caller == 6
                || (workshop_policy && closed && matches!(caller, 2 | 4 | 5));
            prop_assert_eq!(sights[0].is_masked(), !exact_for_caller);
            let sensitive_for_caller = caller <= 1
                || caller == 6
                || (workshop_policy && closed && matches!(caller, 2 | 4 | 5));
            for (sight, sensitive_shown) in [(sights[0], sensitive_for_caller), (sights[1], false)] {
                let answers = &FeatureOut::new(&feature, sight, &questions).properties.answers;
                prop_assert_eq!(answers.get("cuantos"), Some(&json!(7)));
                prop_assert_eq!(answers.contains_key("edades"), sensitive_shown, "{:?}", sight);
                prop_assert_eq!(answers.contains_key("nota"), !sight.is_masked(), "{:?}", sight);
            }
        }
    }
}
