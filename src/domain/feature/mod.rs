//! Features: what participants draw. The stored model and the rules of editing, deleting,
//! reviewing and hiding; parsing submissions is in `submission`, reviews in `review`.

mod review;
mod sight;
mod submission;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::bbox::BBox;

use super::question::Answers;
pub use review::{
    BulkAction, BulkModeration, BulkModerationRequest, MAX_BULK, Review, ReviewRequest,
};
pub use sight::{SeenAuthor, Sight, Words};
pub use submission::{
    FeatureDraft, FeatureLimits, FeaturePatch, MAX_BATCH, MAX_DESCRIPTION, MAX_IMPORT_ITEMS,
    MAX_TITLE, Submission, check_drawing_answers, check_placement, check_symbol, parse_submission,
    parse_submission_text,
};

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
    /// The answers to its symbol's questions (`domain::question`), as checked when given.
    pub answers: Answers,
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
            answers: draft.answers,
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
                if let Some(answers) = &patch.answers {
                    next.answers = answers.clone();
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
    /// Only the features drawn after this one: the next page of a listing in drawing order
    /// (not of a bbox answer, which comes in spatial order).
    pub after: Option<Uuid>,
    /// Only the features whose answer to a question is (or, for a choice of several,
    /// includes) a value (see `question::AnswerFilter`).
    pub answer: Option<super::question::AnswerFilter>,
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
