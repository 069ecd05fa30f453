//! Reviews: what an analyst decides about a feature.

use serde::Deserialize;
use uuid::Uuid;

use super::super::{Invalid, bounded_text};
use super::{Feature, ReviewState};

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

/// The most drawings one bulk decision names: a review page's page of a workshop's drawings
/// is 500; twice that leaves room without letting one request run for minutes.
pub const MAX_BULK: usize = 1_000;

/// The body of `POST /api/projects/{slug}/features/moderation`: one decision for many
/// drawings, such as rejecting the 40 duplicates of a table with one reason.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkModerationRequest {
    /// The drawings, 1 to [`MAX_BULK`]; a repeated id counts once.
    pub ids: Vec<Uuid>,
    pub action: BulkAction,
    /// Why: required to reject (it becomes each drawing's `review_reason`), refused with the
    /// other actions, which keep no reason.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a bulk decision does to each drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BulkAction {
    Accept,
    Reject,
    Hide,
    Unhide,
}

/// A bulk decision that validated: the drawings once each, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkModeration {
    pub ids: Vec<Uuid>,
    pub action: BulkAction,
    pub reason: Option<String>,
}

impl BulkModerationRequest {
    /// Every problem at once: no drawing or more than [`MAX_BULK`], a rejection without a
    /// reason (or a reason over 1,000 characters), a reason given where none is kept.
    pub fn validate(self) -> Result<BulkModeration, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<Uuid> = self.ids.into_iter().filter(|id| seen.insert(*id)).collect();
        if ids.is_empty() {
            errors.push(Invalid::new("/ids", "name at least one drawing"));
        } else if ids.len() > MAX_BULK {
            errors.push(Invalid::new(
                "/ids",
                format!(
                    "at most {MAX_BULK} drawings at once, not {}: decide in parts",
                    ids.len()
                ),
            ));
        }
        let before = errors.len();
        let reason = bounded_text(self.reason.as_deref(), 1_000, "/reason", &mut errors);
        let reason_read = errors.len() == before;
        match self.action {
            BulkAction::Reject if reason.is_none() && reason_read => {
                errors.push(Invalid::new("/reason", "a rejection needs a reason"));
            }
            BulkAction::Accept | BulkAction::Hide | BulkAction::Unhide if reason.is_some() => {
                errors.push(Invalid::new("/reason", "only a rejection keeps a reason"));
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(BulkModeration {
                ids,
                action: self.action,
                reason,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ids: Vec<Uuid>, action: BulkAction, reason: Option<&str>) -> BulkModerationRequest {
        BulkModerationRequest {
            ids,
            action,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn a_bulk_decision_names_each_drawing_once() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let bulk = request(vec![a, b, a], BulkAction::Reject, Some(" duplicado "))
            .validate()
            .expect("valid");
        assert_eq!(bulk.ids, vec![a, b]);
        assert_eq!(bulk.reason.as_deref(), Some("duplicado"));
    }

    #[test]
    fn a_bulk_decision_says_every_problem() {
        let none = request(vec![], BulkAction::Reject, None)
            .validate()
            .unwrap_err();
        assert_eq!(none[0].pointer, "/ids");
        assert_eq!(none[1].pointer, "/reason", "{none:?}");
        let too_many = (0..=MAX_BULK).map(|_| Uuid::new_v4()).collect();
        let errors = request(too_many, BulkAction::Accept, None)
            .validate()
            .unwrap_err();
        assert!(errors[0].detail.contains("at most 1000"), "{errors:?}");
        let kept = request(vec![Uuid::new_v4()], BulkAction::Hide, Some("spam"))
            .validate()
            .unwrap_err();
        assert_eq!(kept[0].pointer, "/reason");
    }
}
