//! Saved priority zones: an analyst names a computed zone, moves it from proposed to closed
//! and keeps notes; every change is kept in its history. Analysts and admins only.

use chrono::Utc;
use tracing::instrument;
use uuid::Uuid;

use super::{Error, projects};
use crate::domain::access::Principal;
use crate::domain::zone::{NewZoneRequest, PriorityZone, ZoneEvent, ZonePatch};
use crate::store::Store;

/// A saved zone and its history.
pub struct Kept {
    pub zone: PriorityZone,
    pub history: Vec<ZoneEvent>,
}

fn moderator(principal: &Principal) -> Result<Uuid, Error> {
    match principal {
        Principal::User { id, .. } if principal.can_moderate() => Ok(*id),
        _ => Err(Error::not_allowed(
            "priority zones are decided by analysts and admins",
        )),
    }
}

async fn kept(store: &dyn Store, zone: PriorityZone) -> Result<Kept, Error> {
    let history = store.priority_zone_history(zone.id).await?;
    Ok(Kept { zone, history })
}

/// Saves a zone in the project of `slug`.
///
/// # Errors
/// `NotAllowed` for whoever does not moderate; `Invalid` for a zone that does not validate;
/// as `projects::visible`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn create(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
    request: NewZoneRequest,
) -> Result<Kept, Error> {
    let user = moderator(principal)?;
    let project = projects::visible(store, principal, slug).await?;
    let (zone, note) = request
        .into_zone(project.id, user, Utc::now())
        .map_err(|errors| Error::invalid("the priority zone is not valid", errors))?;
    store.create_priority_zone(&zone, note.as_deref()).await?;
    kept(store, zone).await
}

/// The project's saved zones (without their histories).
///
/// # Errors
/// As [`create`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn list(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
) -> Result<Vec<PriorityZone>, Error> {
    moderator(principal)?;
    let project = projects::visible(store, principal, slug).await?;
    Ok(store.list_priority_zones(project.id).await?)
}

/// A saved zone and its history.
///
/// # Errors
/// `NotAllowed` as above; `NotFound` for an unknown zone; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn read(store: &dyn Store, principal: &Principal, id: Uuid) -> Result<Kept, Error> {
    moderator(principal)?;
    kept(store, find(store, id).await?).await
}

async fn find(store: &dyn Store, id: Uuid) -> Result<PriorityZone, Error> {
    store
        .find_priority_zone(id)
        .await?
        .ok_or_else(|| Error::not_found("priority zone"))
}

/// Changes a saved zone's name, status or notes as its next revision; `expected` is the
/// revision the caller changed (`If-Match`), when given.
///
/// # Errors
/// As [`read`]; `Stale` when the zone moved on; `Invalid` for a change that does not validate.
#[instrument(skip_all, err(level = "debug"))]
pub async fn update(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: ZonePatch,
) -> Result<Kept, Error> {
    let user = moderator(principal)?;
    let mut zone = find(store, id).await?;
    if let Some(expected) = expected
        && expected != zone.revision
    {
        return Err(Error::Stale(format!(
            "the zone is at revision {}, not {expected}: reload it and try again",
            zone.revision
        )));
    }
    let note = zone
        .apply(patch, Utc::now())
        .map_err(|errors| Error::invalid("the change is not valid", errors))?;
    store
        .save_priority_zone(&zone, user, note.as_deref())
        .await?;
    kept(store, zone).await
}
