//! Annotations: comments on a feature, or a table's narrative on its workshop or group.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::feature::Author;
use super::{Invalid, bounded_text};

pub const MAX_BODY: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "on", rename_all = "lowercase")]
pub enum AnnotationTarget {
    Feature {
        feature_id: Uuid,
    },
    Workshop {
        workshop_id: Uuid,
        group_id: Option<Uuid>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Annotation {
    pub id: Uuid,
    pub project_id: Uuid,
    #[serde(flatten)]
    pub target: AnnotationTarget,
    pub author: Author,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The body of `POST .../annotations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAnnotationRequest {
    pub body: String,
    /// For a workshop narrative: the group (name or id) it belongs to.
    #[serde(default)]
    pub group: Option<String>,
}

impl NewAnnotationRequest {
    pub fn validated_body(&self) -> Result<String, Vec<Invalid>> {
        let mut errors = Vec::new();
        match bounded_text(Some(&self.body), MAX_BODY, "/body", &mut errors) {
            Some(body) => Ok(body),
            None if errors.is_empty() => {
                Err(vec![Invalid::new("/body", "an annotation needs some text")])
            }
            None => Err(errors),
        }
    }
}

impl Annotation {
    pub fn new(
        project_id: Uuid,
        target: AnnotationTarget,
        author: Author,
        body: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::new_v4(),
            project_id,
            target,
            author,
            body,
            created_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_overlong_annotation_is_refused() {
        let empty = NewAnnotationRequest {
            body: "   ".into(),
            group: None,
        };
        assert!(empty.validated_body().is_err());
        let long = NewAnnotationRequest {
            body: "a".repeat(MAX_BODY + 1),
            group: None,
        };
        assert!(
            long.validated_body().unwrap_err()[0]
                .detail
                .contains("at most")
        );
        let fine = NewAnnotationRequest {
            body: " Confirmado por la escuela ".into(),
            group: None,
        };
        assert_eq!(
            fine.validated_body().expect("valid"),
            "Confirmado por la escuela"
        );
    }
}
