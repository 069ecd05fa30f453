//! The SQL both backends share, written once and compiled into each of them.
//!
//! SQLite and PostgreSQL agree on most of what Trama asks: the same tables and columns (see
//! the two `migrations/` folders), `$n` placeholders (SQLite numbers them too), `ON CONFLICT`,
//! `RETURNING`, `COALESCE`. This module is included by `store/sqlite/mod.rs` and by
//! `store/postgres/mod.rs` (`#[path = "../sql/mod.rs"] mod sql;`), so the same text is type
//! checked against each backend's sqlx types: `super::Backend` is the backend's store,
//! `super::dialect` what it does its own way (how a UUID binds, which pool reads and which
//! writes, how parallel sign-in attempts are serialised, how a UUID column reads); `rows` maps
//! rows to domain types, and the backends' listings use it too.
//!
//! What truly differs is not here: connecting (`mod.rs`), the feature listings' spatial
//! index and streaming (`listings`), and how a live change reaches the other instances
//! (`live`: in memory on SQLite, NOTIFY on PostgreSQL) live in each backend's own files.
//!
//! Why a module compiled twice and not one generic over `sqlx::Database`: every statement
//! would need bounds on every bound type for every backend, which sqlx cannot express once;
//! twice-compiled text keeps the SQL readable and each backend fully typed.

use super::{Backend, dialect};

mod annotations;
mod attachments;
mod audit;
mod care;
mod exports;
mod features;
mod identity;
mod live;
mod pictograms;
mod priority;
mod projects;
pub(super) mod rows;
mod workshops;

/// The participant's and the user's id of an author, for the pair of columns that say who
/// drew or wrote something (one of them is NULL).
fn author_ids(author: &crate::domain::feature::Author) -> (Option<uuid::Uuid>, Option<uuid::Uuid>) {
    use crate::domain::feature::Author;
    match author {
        Author::Participant { id, .. } => (Some(*id), None),
        Author::User { id, .. } => (None, Some(*id)),
    }
}
