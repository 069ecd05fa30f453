//! What a workshop's live pages (the wall, the review page, the phones) hear: the changes of
//! their workshop, as they are announced, for as long as their caller is still who they were.

use std::sync::Arc;
use std::time::Duration;
use tracing::instrument;

use chrono::Utc;
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::identity;
use crate::domain::access::Principal;
use crate::domain::change::Change;
use crate::domain::workshop::Workshop;
use crate::store::Store;

/// How often an open stream checks that its caller's token still stands, for what no
/// `Change::SignedOut` announces (an expiry; a reset by `trama user password` on another
/// process over a SQLite file).
const RECHECK: Duration = Duration::from_secs(60);

/// One thing a live page hears.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// A change of the page's workshop: `features`, `annotation` or `workshop` (its name, for
    /// the page), and the change with its ids; the page fetches what changed through the API.
    Changed(&'static str, Change),
    /// Some changes were missed (the page fell behind): reload.
    Reload,
}

/// The changes of `workshop` as they are announced, for `principal`, who read it with
/// `token` (the caller checks that they may read it: `workshops::readable`). The stream ends
/// once the token no longer stands for the same caller (signed out, left, disabled, given
/// another role), checked when that is announced (`Change::SignedOut`) and every minute:
/// whoever is no longer who they were stops hearing what happens.
pub fn workshop_changes(
    store: Arc<dyn Store>,
    principal: Principal,
    token: String,
    workshop: &Workshop,
) -> impl Stream<Item = Heard> + use<> {
    let workshop_id = workshop.id;
    let me = principal.id();
    let changes = store.subscribe();
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.reset();
    futures::stream::unfold((changes, recheck), move |(mut changes, mut recheck)| {
        let store = store.clone();
        let token = token.clone();
        let principal = principal.clone();
        async move {
            let still_signed_in = || async {
                matches!(
                    identity::caller(&*store, &token, Utc::now()).await,
                    Ok(Some(now)) if now == principal
                )
            };
            loop {
                let received = tokio::select! {
                    received = changes.recv() => received,
                    _ = recheck.tick() => {
                        if still_signed_in().await { continue } else { return None }
                    }
                };
                let heard = match received {
                    Ok(Change::SignedOut { caller_id }) => {
                        if me == caller_id && !still_signed_in().await {
                            return None;
                        }
                        continue;
                    }
                    Ok(change) if change.workshop_id() == Some(workshop_id) => {
                        let name = match change {
                            Change::Features { .. } => "features",
                            Change::Annotation { .. } => "annotation",
                            Change::Workshop { .. } => "workshop",
                            // Never for a page (and never of a workshop).
                            Change::SignedOut { .. } => continue,
                        };
                        Heard::Changed(name, change)
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => Heard::Reload,
                    Err(RecvError::Closed) => return None,
                };
                return Some((heard, (changes, recheck)));
            }
        }
    })
}

/// Whether the server can answer: its database is reachable.
///
/// # Errors
/// The store's (unavailable).
#[instrument(skip_all, err(level = "debug"))]
pub async fn ready(store: &dyn Store) -> Result<(), super::Error> {
    Ok(store.ping().await?)
}
