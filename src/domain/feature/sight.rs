//! How a drawing is seen: the one decision every door follows (API answers, the public
//! screen, histories, comments, the pages that render them).
//!
//! A sensitive symbol's drawing is shown exactly only to those who act on it (analysts,
//! admins, its author; its workshop when an analyst opened it to them); everyone else sees
//! its symbol and the H3 cell that holds it, **and none of its words**: a title, a
//! description, a comment, a review's reason or a nickname locate a place as well as its
//! coordinates do ("the house at the back of the market", a neighbour's name).
//!
//! A legend's questions follow the same rule (`domain::question`): the answer to a question
//! marked sensitive is shown only to those who would see a sensitive drawing exactly, on
//! any drawing; a short-text answer is words, masked with the drawing's.

use uuid::Uuid;

use super::{Author, Feature};
use crate::domain::access::Principal;
use crate::domain::project::SensitiveView;
use crate::domain::question::{Answers, Question, shown_answers};
use crate::domain::workshop::Workshop;

/// How a caller sees a drawing: as drawn, or (a sensitive symbol, for those the project's
/// policy does not let see it) as the H3 cell of the project's masking resolution, the same
/// cell its exports show, without any of its free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// As drawn, every answer included.
    Exact,
    /// As drawn, without the answers to sensitive questions: a drawing whose symbol is not
    /// sensitive, seen by one who would see a sensitive drawing masked (another table, a
    /// public screen).
    Open,
    Masked(h3o::Resolution),
}

impl Sight {
    /// How `principal` sees `feature`, drawn with a symbol that is `sensitive` or not, in
    /// `workshop` (the one it was drawn in, when there is one), under the project's `policy`
    /// and masking `resolution`.
    pub fn of(
        principal: &Principal,
        feature: &Feature,
        sensitive: bool,
        workshop: Option<&Workshop>,
        (policy, resolution): (SensitiveView, h3o::Resolution),
    ) -> Self {
        if principal.sees_exact_geometry(feature, true, workshop, policy) {
            Sight::Exact
        } else if sensitive {
            Sight::Masked(resolution)
        } else {
            Sight::Open
        }
    }

    /// How a public screen (the wall projected to the room) sees a drawing: a sensitive one
    /// masked and no sensitive answer, whoever is signed in.
    pub fn public(sensitive: bool, resolution: h3o::Resolution) -> Self {
        if sensitive {
            Sight::Masked(resolution)
        } else {
            Sight::Open
        }
    }

    /// The narrower of two sights: masked if either is (a revision of a drawing seen masked
    /// now is masked too, whatever its symbol was then: its exact shape would locate it).
    pub fn narrower(self, other: Sight) -> Sight {
        match (self, other) {
            (Sight::Exact, other) => other,
            (Sight::Open, Sight::Exact) => Sight::Open,
            (Sight::Open, other) => other,
            (masked, _) => masked,
        }
    }

    /// Whether this sight shows a sensitive drawing's exact place to someone other than its
    /// author: such a read is recorded in the audit trail (`domain::audit`). An author's own
    /// drawing is not (they know where they drew, and their phone reads it often).
    pub fn reveals(self, sensitive: bool, principal: &Principal, feature: &Feature) -> bool {
        let author = match &feature.author {
            super::Author::Participant { id, .. } | super::Author::User { id, .. } => *id,
        };
        sensitive && self == Sight::Exact && author != principal.id()
    }

    pub fn is_masked(self) -> bool {
        matches!(self, Sight::Masked(_))
    }

    /// The drawing's free text as this sight shows it: all of it, or none.
    pub fn words(self, feature: &Feature) -> Words<'_> {
        let masked = self.is_masked();
        fn shown(text: Option<&str>, masked: bool) -> Option<&str> {
            text.filter(|_| !masked)
        }
        Words {
            title: shown(feature.title.as_deref(), masked),
            description: shown(feature.description.as_deref(), masked),
            review_reason: shown(feature.review_reason.as_deref(), masked),
            author: self.author(&feature.author),
        }
    }

    /// Who drew (or changed) a drawing seen this way: their id, and their nickname or user
    /// name only when the drawing is seen exactly.
    pub fn author(self, author: &Author) -> SeenAuthor<'_> {
        let masked = self.is_masked();
        match author {
            Author::Participant { id, display_name } => SeenAuthor::Participant {
                id: *id,
                display_name: display_name.as_deref().filter(|_| !masked),
            },
            Author::User { id, username } => SeenAuthor::User {
                id: *id,
                username: Some(username.as_str()).filter(|_| !masked),
            },
        }
    }

    /// The answers `feature` gives to its symbol's `questions`, as this sight shows them:
    /// all of them seen exactly; without those to sensitive questions seen open; without
    /// short texts too seen masked (see `question::shown_answers`).
    pub fn answers(self, questions: &[Question], feature: &Feature) -> Answers {
        match self {
            Sight::Exact => feature.answers.clone(),
            Sight::Open => shown_answers(questions, &feature.answers, false, true),
            Sight::Masked(_) => shown_answers(questions, &feature.answers, false, false),
        }
    }

    /// Whether a comment by `author` on a drawing seen this way is shown to `principal`:
    /// every comment on a drawing seen exactly; on a masked one, only the caller's own.
    pub fn shows_comment(self, principal: &Principal, author: &Author) -> bool {
        match self {
            Sight::Exact | Sight::Open => true,
            Sight::Masked(_) => match principal {
                Principal::Participant { id, .. } => author.is_participant(*id),
                Principal::User { id, .. } => author.is_user(*id),
            },
        }
    }
}

/// A drawing's free text as a caller sees it (see [`Sight::words`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub review_reason: Option<&'a str>,
    pub author: SeenAuthor<'a>,
}

/// Who drew it, as the caller sees it: the same shape as [`Author`], without the nickname or
/// user name of a drawing seen masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SeenAuthor<'a> {
    Participant {
        id: Uuid,
        display_name: Option<&'a str>,
    },
    User {
        id: Uuid,
        #[serde(skip_serializing_if = "Option::is_none")]
        username: Option<&'a str>,
    },
}
