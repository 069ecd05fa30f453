//! Changes worth telling live pages about (the workshop wall). They carry ids only: a page
//! fetches what changed through the API, with its own permissions.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// At most this many ids travel in one change; past it, pages reload the whole layer.
/// (PostgreSQL NOTIFY payloads are limited to 8,000 bytes.)
pub const MAX_IDS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Features were drawn or changed.
    Features {
        project_id: Uuid,
        workshop_id: Option<Uuid>,
        feature_ids: Vec<Uuid>,
        /// More features changed than `feature_ids` lists.
        more: bool,
    },
    /// An annotation was added to a feature or to a workshop's narrative.
    Annotation {
        project_id: Uuid,
        workshop_id: Option<Uuid>,
        feature_id: Option<Uuid>,
        annotation_id: Uuid,
    },
    /// A workshop was closed or opened again: its participants' pages say so.
    Workshop {
        project_id: Uuid,
        workshop_id: Uuid,
        open: bool,
    },
    /// Who a caller is changed: some of a user's or a participant's tokens ended (a password
    /// reset, a disabled account, a logout, a participant who left) or a user's role changed.
    /// The event streams they hold check their token again, and end unless it still stands
    /// for the same caller. `caller_id` is the user's or the participant's id. Never sent to
    /// a page.
    SignedOut { caller_id: Uuid },
}

impl Change {
    /// Features of one workshop (or of the project itself), ids capped at `MAX_IDS`.
    pub fn features(
        project_id: Uuid,
        workshop_id: Option<Uuid>,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Self {
        let mut feature_ids: Vec<Uuid> = ids.into_iter().take(MAX_IDS + 1).collect();
        let more = feature_ids.len() > MAX_IDS;
        feature_ids.truncate(MAX_IDS);
        Change::Features {
            project_id,
            workshop_id,
            feature_ids,
            more,
        }
    }

    pub fn workshop_id(&self) -> Option<Uuid> {
        match self {
            Change::Features { workshop_id, .. } | Change::Annotation { workshop_id, .. } => {
                *workshop_id
            }
            Change::Workshop { workshop_id, .. } => Some(*workshop_id),
            Change::SignedOut { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_batch_is_announced_without_every_id() {
        let project = Uuid::new_v4();
        let Change::Features {
            feature_ids, more, ..
        } = Change::features(project, None, (0..500).map(|_| Uuid::new_v4()))
        else {
            panic!("features");
        };
        assert_eq!(feature_ids.len(), MAX_IDS);
        assert!(more);
        let text = serde_json::to_string(&Change::features(
            project,
            None,
            (0..MAX_IDS).map(|_| Uuid::new_v4()),
        ))
        .expect("json");
        assert!(text.len() < 8_000, "fits in a NOTIFY payload");
    }
}
