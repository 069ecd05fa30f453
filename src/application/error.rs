//! Why a use case did not do what it was asked, in the caller's terms. Each door says it in
//! its own way: the HTTP API as RFC 9457 problem JSON (`http::error`), the CLI as a message.
//! Nothing here knows HTTP statuses or links.

use crate::domain::Invalid;
use crate::domain::priority::TooLarge;
use crate::store::StoreError;

use super::rates::OverRate;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be read (a malformed id, date, box, or a combination that makes no
    /// sense): the caller's mistake, said in words.
    #[error("{0}")]
    BadInput(String),
    /// Input refused for a reason a page says in the person's language (the code of its
    /// message, its values, and the English words for API clients): answered as `BadInput`.
    #[error(transparent)]
    Refused(#[from] crate::domain::Refusal),
    /// Input that was understood but refused, with every problem and where it is.
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<Invalid>,
    },
    /// The caller's role or scope does not allow it; the words say what would.
    #[error("{0}")]
    NotAllowed(String),
    /// What was named does not exist, or the caller may not know it does; the words say
    /// which (`Error::not_found("feature")`: "feature not found").
    #[error("{0}")]
    NotFound(String),
    /// The caller is not who they say (a wrong name or password).
    #[error("the name or password is not right")]
    Unauthenticated,
    /// Too many failed attempts from the caller's address lately.
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    /// It would clash with what is there (a closed workshop, a state that refuses the change).
    #[error("{0}")]
    Conflict(String),
    /// It changed since the caller read it (the revision they name is not the current one).
    #[error("{0}")]
    Stale(String),
    /// A change that must name the revision it was made on, and did not.
    #[error("{0}")]
    RevisionRequired(String),
    /// Over a rate: what it is, and when to try again.
    #[error("{what}: wait {retry_after_secs} seconds and try again")]
    RateLimited { what: String, retry_after_secs: u64 },
    /// Over a size bound, with what would fit.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// The store's reason (unavailable, not found, conflict, or an internal fault).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The use case's own work failed (a reader that panicked on a thread of its own):
    /// answered as an internal error, its words kept for the log.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// `NotFound` for a thing named by its kind: "feature not found".
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn not_allowed(words: impl Into<String>) -> Self {
        Self::NotAllowed(words.into())
    }

    pub fn invalid(detail: impl Into<String>, errors: Vec<Invalid>) -> Self {
        Self::Invalid {
            detail: detail.into(),
            errors,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Self::Failed(format!("could not write JSON: {error}"))
    }
}

impl From<OverRate> for Error {
    fn from(over: OverRate) -> Self {
        Self::RateLimited {
            what: over.says(),
            retry_after_secs: over.retry_after_secs,
        }
    }
}

impl From<crate::domain::access::ScopeRefusal> for Error {
    fn from(refusal: crate::domain::access::ScopeRefusal) -> Self {
        Self::NotAllowed(refusal.to_string())
    }
}

/// A drawing or a comment its workshop's legal basis does not admit: a workshop with no
/// basis is a state to change first (409), a missing consent a refusal of this caller (403).
impl From<crate::domain::consent::BasisRefusal> for Error {
    fn from(refusal: crate::domain::consent::BasisRefusal) -> Self {
        match refusal {
            crate::domain::consent::BasisRefusal::NoBasis => Self::Conflict(refusal.to_string()),
            _ => Self::NotAllowed(refusal.to_string()),
        }
    }
}

/// A use case's answer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
