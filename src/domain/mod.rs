//! The language of participatory mapping: projects, legends, workshops, features,
//! annotations and who may do what. Pure types and rules; no HTTP, no SQL.

pub mod access;
pub mod annotation;
pub mod attachment;
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
pub mod paper;
pub mod permit;
pub mod pictogram;
pub mod priority;
pub mod project;
pub mod question;
pub mod retention;
pub mod workshop;
pub mod xlsform;
pub mod zone;

use serde::Serialize;

/// One reason a piece of input was refused, with where it was found.
///
/// `pointer` is a JSON Pointer (RFC 6901) into the submitted document, so that a client can
/// show the problem next to the field or feature that caused it (RFC 9457 `errors` member).
///
/// `detail` is in English, for API clients and logs; where a person meets the refusal on a
/// page, `code` names the message that says it in their language (`problem.code.<code>` in
/// the catalogues) and `params` fills its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{pointer}: {detail}")]
pub struct Invalid {
    pub pointer: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

impl Invalid {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
            code: None,
            params: Params::new(),
        }
    }

    /// This refusal with the message `code` that says it on a page, and its values.
    #[must_use]
    pub fn said_as(mut self, code: &'static str, params: Params) -> Self {
        self.code = Some(code);
        self.params = params;
        self
    }
}

/// A refused request's reason as a page says it: the message's values by name, numbers as
/// JSON numbers (they choose a plural form) and names as JSON strings (kept as written).
pub type Params = std::collections::BTreeMap<&'static str, serde_json::Value>;

/// A refusal of input that is not about one field: the English `detail` for API clients, and
/// the `code` and `params` of the message that says it on a page (see [`Invalid`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Refusal {
    pub code: &'static str,
    pub params: Params,
    pub detail: String,
}

impl Refusal {
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            params: Params::new(),
            detail: detail.into(),
        }
    }

    /// This refusal with the value `name` for its message.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(name, value.into());
        self
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
