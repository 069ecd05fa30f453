//! Workshops: creating one (with a join code no open workshop has), reading and listing those
//! the caller may, closing and reopening (announced to its live pages), and a large room's
//! joins a minute.

use chrono::Utc;
use tracing::instrument;
use uuid::Uuid;

use super::{Error, announce, audit};
use crate::domain::Invalid;
use crate::domain::access::{Principal, Role};
use crate::domain::audit::{Door, Kind};
use crate::domain::change::Change;
use crate::domain::consent::{ConsentGiver, LegalBasisRequest};
use crate::domain::permit::{Permit, WorkshopManagement};
use crate::domain::project::Project;
use crate::domain::workshop::{JoinCode, NewWorkshopRequest, Workshop, check_joins_per_minute};
use crate::store::{Store, StoreError};

/// A workshop the caller may read.
///
/// # Errors
/// `NotFound` for an unknown workshop; `NotAllowed` for one not theirs; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn readable(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
) -> Result<Workshop, Error> {
    let workshop = store
        .find_workshop(id)
        .await?
        .ok_or_else(|| Error::not_found("workshop"))?;
    if !principal.can_read_workshop(&workshop) {
        return Err(Error::not_allowed("this workshop is not yours"));
    }
    Ok(workshop)
}

/// A workshop the caller may run (close, reopen, change, import into).
///
/// # Errors
/// As [`readable`]; `NotAllowed` for whoever neither facilitates it nor moderates.
#[instrument(skip_all, err(level = "debug"))]
pub async fn managed(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
) -> Result<Workshop, Error> {
    Ok(management(store, principal, id).await?.0)
}

/// A workshop the caller may run, with the permit to change it.
pub(super) async fn management(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
) -> Result<(Workshop, Permit<WorkshopManagement>), Error> {
    let workshop = readable(store, principal, id).await?;
    let permit = principal.workshop_management(&workshop).ok_or_else(|| {
        Error::not_allowed("only the workshop's facilitator, analysts and admins run it")
    })?;
    Ok((workshop, permit))
}

/// The project's workshops the caller may read.
///
/// # Errors
/// `NotAllowed` for researchers (they work with exports); the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn list(
    store: &dyn Store,
    principal: &Principal,
    project: &Project,
) -> Result<Vec<Workshop>, Error> {
    if principal.role() == Some(Role::Researcher) {
        return Err(Error::not_allowed(
            "researchers work with exports, not workshops",
        ));
    }
    Ok(store
        .list_workshops(project.id)
        .await?
        .into_iter()
        .filter(|w| principal.can_read_workshop(w))
        .collect())
}

/// Creates a workshop in `project`, open, with a fresh join code.
///
/// # Errors
/// `NotAllowed` for roles that do not run workshops, or a facilitator naming another;
/// `Invalid` for a request that does not validate or names no such facilitator; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn create(
    store: &dyn Store,
    principal: &Principal,
    project: &Project,
    request: NewWorkshopRequest,
) -> Result<Workshop, Error> {
    let permit = principal.workshop_creation().ok_or_else(|| {
        Error::not_allowed("only facilitators, analysts and admins create workshops")
    })?;
    let facilitator_id = facilitator_for(store, principal, request.facilitator.as_deref()).await?;
    let mut workshop = request
        .into_workshop(project.id, facilitator_id, Utc::now())
        .map_err(|errors| Error::invalid("the workshop is not valid", errors))?;
    // A fresh code collides with an open workshop's about once in 10⁸; try a few.
    for _ in 0..5 {
        match store.create_workshop(&permit, &workshop).await {
            Ok(()) => return Ok(workshop),
            Err(StoreError::Conflict(_)) => workshop.join_code = JoinCode::generate(),
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::Failed("could not find a free join code".into()))
}

/// Who runs the new workshop: the named user, or the creating facilitator.
async fn facilitator_for(
    store: &dyn Store,
    principal: &Principal,
    named: Option<&str>,
) -> Result<Option<Uuid>, Error> {
    let Principal::User { id, username, role } = principal else {
        return Ok(None);
    };
    match named {
        None if *role == Role::Facilitator => Ok(Some(*id)),
        None => Ok(None),
        Some(name) if name == username => Ok(Some(*id)),
        Some(_) if *role == Role::Facilitator => Err(Error::not_allowed(
            "facilitators create workshops for themselves only",
        )),
        Some(name) => {
            let user = store.user_credentials(name).await?.map(|(user, _)| user);
            match user {
                Some(user) if user.role != Role::Researcher => Ok(Some(user.id)),
                _ => Err(Error::invalid(
                    "unknown facilitator",
                    vec![Invalid::new(
                        "/facilitator",
                        format!("no facilitator, analyst or admin is called \"{name}\""),
                    )],
                )),
            }
        }
    }
}

/// Closes (no more joins or drawings) or reopens a workshop the caller runs, and tells its
/// live pages. Idempotent.
///
/// # Errors
/// As [`managed`]; `Conflict` when reopening finds its code taken by another open workshop.
#[instrument(skip_all, err(level = "debug"))]
pub async fn set_open(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    open: bool,
) -> Result<Workshop, Error> {
    let (workshop, permit) = management(store, principal, id).await?;
    if open {
        store.reopen_workshop(&permit).await?;
    } else {
        store.close_workshop(&permit, Utc::now()).await?;
    }
    let changed = store
        .find_workshop(workshop.id)
        .await?
        .ok_or_else(|| Error::not_found("workshop"))?;
    announce(
        store,
        Change::Workshop {
            project_id: changed.project_id,
            workshop_id: changed.id,
            open: changed.is_open(),
        },
    )
    .await;
    Ok(changed)
}

/// Sets how many times a minute a workshop the caller runs may be joined (None: the
/// server's limit), for a large room.
///
/// # Errors
/// As [`managed`]; `Invalid` outside 1 to `MAX_JOINS_PER_MINUTE`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn set_joins_per_minute(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    joins: Option<u32>,
) -> Result<Workshop, Error> {
    let (mut workshop, permit) = management(store, principal, id).await?;
    check_joins_per_minute(joins)
        .map_err(|invalid| Error::invalid("invalid joins a minute", vec![invalid]))?;
    store.set_joins_per_minute(&permit, joins).await?;
    workshop.joins_per_minute = joins;
    Ok(workshop)
}

/// Sets the legal basis of a workshop the caller runs, as its next version, and tells its
/// live pages. A consent text is fixed once someone consented to it: a new text would need
/// their consent again, so it goes to a new workshop.
///
/// # Errors
/// As [`managed`]; `Invalid` for a basis that does not validate (pointers into the body);
/// `Conflict` once consents were given under the current basis, or for a concurrent change.
#[instrument(skip_all, err(level = "debug"))]
pub async fn set_legal_basis(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    request: LegalBasisRequest,
) -> Result<Workshop, Error> {
    let (mut workshop, permit) = management(store, principal, id).await?;
    let version = workshop.legal_basis.as_ref().map_or(1, |b| b.version + 1);
    let basis = request
        .into_basis(version)
        .map_err(|errors| Error::invalid("the legal basis is not valid", errors))?;
    if workshop.legal_basis.as_ref().map(|b| &b.hash) == Some(&basis.hash) {
        return Ok(workshop);
    }
    let given = store.consents_given(workshop.id).await?;
    if given > 0 {
        return Err(Error::Conflict(format!(
            "{given} consents were given to this workshop's current text; a new text needs \
             everyone's consent again: open a new workshop with it"
        )));
    }
    store
        .set_legal_basis(&permit, &basis, principal.user_id(), Utc::now())
        .await?;
    audit::note(
        store,
        Kind::LegalBasis,
        audit::by(Some(principal), Door::Api)
            .project(workshop.project_id)
            .workshop(workshop.id)
            .count("version", u64::from(basis.version)),
    )
    .await;
    workshop.legal_basis = Some(basis);
    announce(
        store,
        Change::Workshop {
            project_id: workshop.project_id,
            workshop_id: workshop.id,
            open: workshop.is_open(),
        },
    )
    .await;
    Ok(workshop)
}

/// Records that a table of a workshop the caller runs agreed aloud to its consent text (the
/// current version), with the facilitator's note of how: its participants may draw from then.
///
/// # Errors
/// As [`managed`]; `NotFound` for a table the workshop has not; `Conflict` when the basis is
/// not a consent given by the facilitator for the table, or it is recorded already;
/// `Invalid` for an empty or over-long note.
#[instrument(skip_all, err(level = "debug"))]
pub async fn record_table_consent(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    table: &str,
    note: &str,
) -> Result<u32, Error> {
    let (workshop, permit) = management(store, principal, id).await?;
    let group = workshop
        .find_group(table)
        .ok_or_else(|| Error::not_found("group"))?;
    let Some(basis) = workshop
        .legal_basis
        .as_ref()
        .filter(|b| b.consent_by() == Some(ConsentGiver::Facilitator))
    else {
        return Err(Error::Conflict(
            "this workshop's legal basis is not a consent its facilitator records for each table"
                .into(),
        ));
    };
    let mut errors = Vec::new();
    let note = crate::domain::bounded_text(Some(note), 2_000, "/note", &mut errors);
    let Some(note) = note.filter(|_| errors.is_empty()) else {
        errors.push(Invalid::new(
            "/note",
            "say how the table agreed (1 to 2,000 characters)",
        ));
        return Err(Error::invalid("the note is not valid", errors));
    };
    store
        .record_group_consent(
            &permit,
            group.id,
            basis.version,
            &note,
            principal.user_id(),
            Utc::now(),
        )
        .await?;
    audit::note(
        store,
        Kind::Consent,
        audit::by(Some(principal), Door::Api)
            .project(workshop.project_id)
            .workshop(workshop.id)
            .subject(group.id)
            .count("version", u64::from(basis.version)),
    )
    .await;
    Ok(basis.version)
}
