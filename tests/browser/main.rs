//! End to end in a real browser (Debian's chromium and chromedriver, installed by .ci/run):
//! a participant joins with a code, picks a symbol, draws a polygon with clicks on the map,
//! saves, and it is in the database; a drawing saved while the server is down is sent once
//! when it is back; the page loads nothing from any other host. Screenshots of the pages in
//! each language go to the tests' output folder (CARGO_TARGET_TMPDIR/screenshots).
//!
//! One module per story (participant, wall, admin, analyst, offline, accessibility), their
//! shared helpers in `helpers`.

#[path = "../api/common/mod.rs"]
mod common;

mod accessibility;
mod admin;
mod analyst;
mod care;
mod helpers;
mod offline;
mod participant;
mod photos;
mod print;
mod questions;
mod review;
mod tls;
mod undo;
mod wall;
