//! The language of participatory mapping: projects, legends, workshops, features,
//! annotations and who may do what. Pure types and rules; no HTTP, no SQL.

pub mod access;
pub mod annotation;
pub mod audit;
pub mod bbox;
pub mod boundary;
pub mod change;
pub mod consent;
pub mod export;
pub mod feature;
pub mod generate;
pub mod geometry;
pub mod import;
pub mod legend;
pub mod permit;
pub mod pictogram;
pub mod priority;
pub mod project;
pub mod retention;
pub mod workshop;
pub mod zone;

use serde::Serialize;

/// One reason a piece of input was refused, with where it was found.
///
/// `pointer` is a JSON Pointer (RFC 6901) into the submitted document, so that a client can
/// show the problem next to the field or feature that caused it (RFC 9457 `errors` member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{pointer}: {detail}")]
pub struct Invalid {
    pub pointer: String,
    pub detail: String,
}

impl Invalid {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// Checks that an optional free-text field is within `max` characters and not blank.
pub(crate) fn bounded_text(
    value: Option<&str>,
    max: usize,
    pointer: &str,
    errors: &mut Vec<Invalid>,
) -> Option<String> {
    let text = value?.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > max {
        errors.push(Invalid::new(
            pointer,
            format!("must be at most {max} characters"),
        ));
        return None;
    }
    Some(text.to_owned())
}
