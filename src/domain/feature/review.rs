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
