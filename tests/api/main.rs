//! HTTP integration tests: each starts a real server on a free port over a fresh SQLite file.

mod answers;
mod attachments;
mod audit;
mod basemaps;
mod care;
mod common;
mod connections;
mod consent;
mod exports;
mod flow;
mod idempotency;
mod imports;
mod pages;
mod prints;
mod priority;
mod roles;
mod store;
mod validation;
mod wall;
