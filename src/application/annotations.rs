//! Annotations: a comment on a drawing, and a table's narrative of its workshop. Each is
//! written within the caller's comment rate and announced to the workshop's live pages.

use chrono::Utc;
use tracing::instrument;
use uuid::Uuid;

use super::drawings::{admit_writes, readable};
use super::rates::{Write, WriteRates};
use super::{Error, announce, workshops};
use crate::domain::Invalid;
use crate::domain::access::Principal;
use crate::domain::annotation::{Annotation, AnnotationTarget, NewAnnotationRequest};
use crate::domain::audit::Door;
use crate::domain::change::Change;
use crate::store::{AnnotationPage, Store};

/// Comments on the drawing `feature_id`.
///
/// # Errors
/// As `drawings::readable`; `NotAllowed` outside the caller's open workshop (moderators may
/// comment anywhere); `Conflict` on a deleted drawing; `Invalid` for a body that does not
/// validate or a group (comments have none); `RateLimited` past the caller's comments a minute.
#[instrument(skip_all, err(level = "debug"))]
pub async fn comment(
    store: &dyn Store,
    rates: &WriteRates,
    principal: &Principal,
    feature_id: Uuid,
    request: NewAnnotationRequest,
) -> Result<Annotation, Error> {
    let (feature, workshop) = readable(store, principal, feature_id).await?;
    let allowed = principal.can_moderate()
        || workshop
            .as_ref()
            .is_some_and(|w| principal.can_contribute_to(w));
    if !allowed {
        return Err(Error::not_allowed(
            "you may comment only on features of your open workshop",
        ));
    }
    if feature.is_deleted() {
        return Err(Error::Conflict("the feature is deleted".into()));
    }
    if let Some(workshop) = &workshop {
        super::drawings::check_basis(store, principal, workshop).await?;
    }
    if request.group.is_some() {
        return Err(Error::invalid(
            "a comment on a feature has no group",
            vec![Invalid::new(
                "/group",
                "only workshop narratives belong to a group",
            )],
        ));
    }
    let body = request
        .validated_body()
        .map_err(|e| Error::invalid("the annotation is not valid", e))?;
    admit_writes(rates, principal, Write::Comments, 1)?;
    let annotation = Annotation::new(
        feature.project_id,
        AnnotationTarget::Feature {
            feature_id: feature.id,
        },
        principal.author(),
        body,
        Utc::now(),
    );
    store.add_annotation(&annotation).await?;
    announce(
        store,
        Change::Annotation {
            project_id: annotation.project_id,
            workshop_id: feature.workshop_id,
            feature_id: Some(feature.id),
            annotation_id: annotation.id,
        },
    )
    .await;
    Ok(annotation)
}

/// Adds to a workshop's narrative: a participant's to their own table's, staff to the one
/// they name (or the workshop's as a whole).
///
/// # Errors
/// As `workshops::readable`; `NotAllowed` once the workshop is closed; `Invalid` for a body
/// that does not validate, an unknown group, or a participant naming another table;
/// `RateLimited` past the caller's comments a minute.
#[instrument(skip_all, err(level = "debug"))]
pub async fn narrate(
    store: &dyn Store,
    rates: &WriteRates,
    principal: &Principal,
    workshop_id: Uuid,
    request: NewAnnotationRequest,
) -> Result<Annotation, Error> {
    let workshop = workshops::readable(store, principal, workshop_id).await?;
    if !principal.can_contribute_to(&workshop) {
        return Err(Error::not_allowed(
            "the workshop is closed; its narratives can no longer be added to",
        ));
    }
    super::drawings::check_basis(store, principal, &workshop).await?;
    let body = request
        .validated_body()
        .map_err(|e| Error::invalid("the annotation is not valid", e))?;
    admit_writes(rates, principal, Write::Comments, 1)?;
    let named =
        match &request.group {
            Some(reference) => Some(workshop.find_group(reference).map(|g| g.id).ok_or_else(
                || {
                    Error::invalid(
                        "unknown group",
                        vec![Invalid::new(
                            "/group",
                            "no group of this workshop has this name or id",
                        )],
                    )
                },
            )?),
            None => None,
        };
    // A participant's narrative belongs to their own table.
    let group_id = match (principal, named) {
        (Principal::Participant { group_id, .. }, Some(other)) if other != *group_id => {
            return Err(Error::invalid(
                "participants write for their own group",
                vec![Invalid::new("/group", "this is not your group")],
            ));
        }
        (Principal::Participant { group_id, .. }, _) => Some(*group_id),
        (Principal::User { .. }, named) => named,
    };
    let annotation = Annotation::new(
        workshop.project_id,
        AnnotationTarget::Workshop {
            workshop_id: workshop.id,
            group_id,
        },
        principal.author(),
        body,
        Utc::now(),
    );
    store.add_annotation(&annotation).await?;
    announce(
        store,
        Change::Annotation {
            project_id: annotation.project_id,
            workshop_id: Some(workshop.id),
            feature_id: None,
            annotation_id: annotation.id,
        },
    )
    .await;
    Ok(annotation)
}

/// One page of a listing, oldest first, and where the next begins (the id to list after;
/// None on the last page). The door writes the link.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<Uuid>,
}

/// A page of the comments on drawing `feature_id` the caller may read: on a drawing the
/// caller sees masked, only their own (comments are a drawing's words, and would locate it).
/// A page may hold fewer than its limit, and still name the next.
///
/// # Errors
/// As `drawings::readable`; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn of_feature(
    store: &dyn Store,
    principal: &Principal,
    feature_id: Uuid,
    page: AnnotationPage,
) -> Result<Page<Annotation>, Error> {
    let (feature, workshop) = readable(store, principal, feature_id).await?;
    let sight =
        super::features::sees_exact(store, principal, &feature, workshop.as_ref(), Door::Api)
            .await?
            .sight;
    let target = AnnotationTarget::Feature {
        feature_id: feature.id,
    };
    page_of(store, &target, page, |a| {
        sight.shows_comment(principal, &a.author)
    })
    .await
}

/// A page of the narratives of workshop `workshop_id` the caller may read, or of its group
/// `group` (an id or a name).
///
/// # Errors
/// As `workshops::readable`; `NotFound` for a group the workshop has not; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn of_workshop(
    store: &dyn Store,
    principal: &Principal,
    workshop_id: Uuid,
    group: Option<&str>,
    page: AnnotationPage,
) -> Result<Page<Annotation>, Error> {
    let workshop = workshops::readable(store, principal, workshop_id).await?;
    let group_id = match group {
        Some(reference) => Some(
            workshop
                .find_group(reference)
                .ok_or_else(|| Error::not_found("group"))?
                .id,
        ),
        None => None,
    };
    let target = AnnotationTarget::Workshop {
        workshop_id: workshop.id,
        group_id,
    };
    page_of(store, &target, page, |_| true).await
}

/// Reads one more than the page to know whether another follows, then keeps what `shown`
/// lets the caller read.
async fn page_of(
    store: &dyn Store,
    target: &AnnotationTarget,
    page: AnnotationPage,
    shown: impl Fn(&Annotation) -> bool,
) -> Result<Page<Annotation>, Error> {
    let mut found = store
        .list_annotations(
            target,
            AnnotationPage {
                limit: page.limit + 1,
                ..page
            },
        )
        .await?;
    let more = found.len() > page.limit;
    found.truncate(page.limit);
    let last = found.last().map(|a| a.id);
    found.retain(|a| shown(a));
    Ok(Page {
        items: found,
        next_after: last.filter(|_| more),
    })
}
