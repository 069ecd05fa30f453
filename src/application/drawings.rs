//! Drawings: a submission of one Feature or a FeatureCollection, stored all or nothing,
//! exactly once per `Idempotency-Key`, within the caller's write rate; then reading one,
//! editing, deleting and moderating it, each change a revision. Every write is announced to
//! the live pages. The one place each of these is decided, whatever the door.

use std::collections::HashMap;
use tracing::instrument;

use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

use super::features::Seen;
use super::idempotency::{Inserted, insert_once};
use super::rates::{Subject, Write, WriteRates};
use super::{Error, announce};
use crate::domain::Invalid;
use crate::domain::access::{DrawRefusal, Principal, Role};
use crate::domain::audit::Door;
use crate::domain::change::Change;
use crate::domain::consent::{ConsentGiver, LegalBasis, admits_drawing};
use crate::domain::feature::{
    BulkAction, BulkModerationRequest, Feature, FeatureChange, FeatureDraft, FeatureLimits,
    FeaturePatch, ReviewRequest, ReviewState, Submission, check_drawing_answers, check_placement,
    check_symbol, parse_submission, parse_submission_text,
};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::permit::{Permit, Revision};
use crate::domain::project::Project;
use crate::domain::question::carried_over;
use crate::domain::workshop::Workshop;
use crate::geojson::{CollectionWriter, FeatureOut, Sight};
use crate::store::{FeatureRevision, IdempotentResponse, Store};

/// A submission as its door received it.
pub struct Submitted<'a> {
    /// The body: a GeoJSON Feature or FeatureCollection (UTF-8 JSON).
    pub body: &'a [u8],
    /// The `Idempotency-Key` and the body's fingerprint, when the request may be retried.
    pub idempotency: Option<(String, String)>,
}

/// What came of a submission.
pub enum Drawn {
    /// Stored now: the features, the answer's GeoJSON text, and whether one Feature (not a
    /// collection) was sent.
    Stored {
        features: Vec<Feature>,
        text: String,
        single: bool,
    },
    /// A retry of a submission already stored: its first answer, to be given again.
    Replayed(IdempotentResponse),
}

/// Stores a submission for `principal` in `project`.
///
/// # Errors
/// `NotAllowed` for researchers and for a workshop the caller neither runs nor takes part in;
/// `Conflict` for a closed workshop; `BadInput` for a body that is not JSON; `Invalid` with
/// every problem of every feature (none is stored), or for a key reused for another body;
/// `RateLimited` past the participant's or the workshop's rate; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn create(
    store: &dyn Store,
    rates: &WriteRates,
    limits: FeatureLimits,
    principal: &Principal,
    project: &Project,
    submitted: Submitted<'_>,
) -> Result<Drawn, Error> {
    if principal.role() == Some(Role::Researcher) {
        return Err(Error::not_allowed("researchers do not draw features"));
    }
    if let Some((key, hash)) = &submitted.idempotency
        && let Some(earlier) = store.idempotent_response(&principal.key(), key).await?
    {
        return replayed(earlier, hash);
    }
    let Submission { single, drafts } = read_submission(submitted.body, limits)?;
    admit_writes(rates, principal, Write::Drawings, drafts.len())?;
    let features = place_and_check(store, principal, project, drafts).await?;

    // The author always sees what they drew, sensitive or not.
    let text = if single {
        FeatureOut::new(&features[0], Sight::Exact, &[]).to_json()?
    } else {
        let mut collection = CollectionWriter::default();
        for feature in &features {
            collection.push(&FeatureOut::new(feature, Sight::Exact, &[]))?;
        }
        String::from_utf8(collection.finish(false, None))
            .map_err(|e| Error::Failed(e.to_string()))?
    };
    let answer = submitted
        .idempotency
        .map(|(key, request_hash)| IdempotentResponse {
            principal: principal.key(),
            key,
            request_hash,
            status: 201,
            body: text.clone(),
        });
    match insert_once(store, &features, answer.as_ref()).await? {
        Inserted::Now => {
            let mut workshops: Vec<Option<Uuid>> = features.iter().map(|f| f.workshop_id).collect();
            workshops.dedup();
            for workshop in workshops {
                let ids = features
                    .iter()
                    .filter(|f| f.workshop_id == workshop)
                    .map(|f| f.id);
                announce(store, Change::features(project.id, workshop, ids)).await;
            }
            Ok(Drawn::Stored {
                features,
                text,
                single,
            })
        }
        // A concurrent retry with the same key won the race: answer as it was answered.
        Inserted::Earlier(earlier) => {
            let request_hash = answer.map(|a| a.request_hash).unwrap_or_default();
            replayed(earlier, &request_hash)
        }
    }
}

/// Counts a participant's writes against their own rate and their workshop's as a whole (new
/// participants, a join being cheap, cannot add up to more than the room's); staff are not
/// limited.
///
/// # Errors
/// `RateLimited`, saying whose rate and when to try again.
pub fn admit_writes(
    rates: &WriteRates,
    principal: &Principal,
    kind: Write,
    count: usize,
) -> Result<(), Error> {
    let Principal::Participant {
        id, workshop_id, ..
    } = principal
    else {
        return Ok(());
    };
    let subjects = [Subject::Participant(*id), Subject::Workshop(*workshop_id)];
    Ok(rates.admit(&subjects, kind, count)?)
}

/// A retry's first answer, or a refusal of a different request under the same key.
fn replayed(earlier: IdempotentResponse, request_hash: &str) -> Result<Drawn, Error> {
    if earlier.request_hash != request_hash {
        return Err(Error::invalid(
            "this Idempotency-Key was already used for a different request; use a new key",
            vec![],
        ));
    }
    Ok(Drawn::Replayed(earlier))
}

/// The drafts of a submission: read directly when it is sound, which is nearly always; else
/// through a JSON tree, which says what is wrong with each feature.
fn read_submission(bytes: &[u8], limits: FeatureLimits) -> Result<Submission, Error> {
    if let Some(submission) = parse_submission_text(bytes, limits) {
        return Ok(submission);
    }
    let body: Value = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Error::invalid(
            format!("the JSON does not have the expected shape: {e}"),
            vec![],
        ),
        _ => Error::BadInput(format!("the body is not valid JSON: {e}")),
    })?;
    let drafts = parse_submission(&body, limits)
        .map_err(|errors| Error::invalid("some features are not valid; none was stored", errors))?;
    Ok(Submission {
        single: body.get("type").and_then(Value::as_str) == Some("Feature"),
        drafts,
    })
}

/// The version of its workshop's consent text a participant drew under: their own, or their
/// table's as its facilitator recorded it, whichever the workshop's legal basis asks; None for
/// staff, or when it asks none.
async fn participant_consent(
    store: &dyn Store,
    principal: &Principal,
    workshops: &HashMap<Uuid, Workshop>,
) -> Result<Option<u32>, Error> {
    let Principal::Participant {
        id,
        workshop_id,
        group_id,
        ..
    } = principal
    else {
        return Ok(None);
    };
    let basis = workshops
        .get(workshop_id)
        .and_then(|w| w.legal_basis.as_ref());
    Ok(match basis.and_then(LegalBasis::consent_by) {
        Some(ConsentGiver::Participant) => store.participant_consent(*id).await?,
        Some(ConsentGiver::Facilitator) => store.group_consent(*group_id).await?,
        None => None,
    })
}

/// Whether a participant may write in `workshop` on its legal basis: their comments and
/// narratives, like their drawings, need their consent or their table's (staff write under
/// the workshop's basis, or the project's, as they draw).
///
/// # Errors
/// `Conflict` for a workshop with no basis; `NotAllowed` without the consent it asks.
pub(super) async fn check_basis(
    store: &dyn Store,
    principal: &Principal,
    workshop: &Workshop,
) -> Result<(), Error> {
    if !matches!(principal, Principal::Participant { .. }) {
        return Ok(());
    }
    let workshops = HashMap::from([(workshop.id, workshop.clone())]);
    let consented = participant_consent(store, principal, &workshops).await?;
    Ok(admits_drawing(
        workshop.legal_basis.as_ref(),
        true,
        consented,
    )?)
}

/// Resolves each draft's workshop and group for this caller, and checks it against the
/// legend. Every problem of every feature is reported together.
async fn place_and_check(
    store: &dyn Store,
    principal: &Principal,
    project: &Project,
    drafts: Vec<FeatureDraft>,
) -> Result<Vec<Feature>, Error> {
    let legend = store.legend(project.id).await?;
    let mut workshops: HashMap<Uuid, Workshop> = HashMap::new();
    let own = match principal {
        Principal::Participant {
            workshop_id,
            group_id,
            ..
        } => {
            let workshop = store
                .find_workshop(*workshop_id)
                .await?
                .ok_or_else(|| Error::not_found("workshop"))?;
            workshops.insert(workshop.id, workshop);
            Some((*workshop_id, *group_id))
        }
        Principal::User { .. } => None,
    };
    let consented = participant_consent(store, principal, &workshops).await?;
    let now = Utc::now();
    let mut errors: Vec<Invalid> = Vec::new();
    let mut features = Vec::with_capacity(drafts.len());
    for mut draft in drafts {
        let workshop_id = match (own, &draft.workshop) {
            (Some((own_workshop, _)), _) => Some(own_workshop),
            (None, Some(reference)) => match Uuid::parse_str(reference) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(Invalid::new(
                        format!("{}/properties/workshop", draft.pointer),
                        "workshop must be a workshop id",
                    ));
                    continue;
                }
            },
            (None, None) => None,
        };
        let workshop = match workshop_id {
            Some(id) => {
                if !workshops.contains_key(&id)
                    && let Some(found) = store.find_workshop(id).await?
                {
                    workshops.insert(id, found);
                }
                match workshops.get(&id) {
                    Some(w) if w.project_id == project.id => Some(w),
                    _ => {
                        errors.push(Invalid::new(
                            format!("{}/properties/workshop", draft.pointer),
                            "no workshop of this project has this id",
                        ));
                        continue;
                    }
                }
            }
            None => None,
        };
        let group_id = match workshop {
            Some(w) => {
                match principal.may_draw_in(w) {
                    Ok(()) => {}
                    // Not its title: what a workshop is called is for those who take part.
                    Err(DrawRefusal::NotTakingPart) => {
                        return Err(Error::not_allowed(
                            "you do not run this workshop and do not take part in it",
                        ));
                    }
                    Err(DrawRefusal::Closed) => {
                        return Err(Error::Conflict(format!(
                            "the workshop \"{}\" is closed and accepts no new features",
                            w.title
                        )));
                    }
                }
                admits_drawing(w.legal_basis.as_ref(), own.is_some(), consented)?;
                match check_placement(&draft, w, own.map(|(_, group)| group)) {
                    Ok(group) => group,
                    Err(problem) => {
                        errors.push(problem);
                        continue;
                    }
                }
            }
            None if principal.can_moderate() => {
                if draft.group.is_some() {
                    errors.push(Invalid::new(
                        format!("{}/properties/group", draft.pointer),
                        "a group needs its workshop (properties.workshop)",
                    ));
                    continue;
                }
                None
            }
            None => {
                errors.push(Invalid::new(
                    format!("{}/properties/workshop", draft.pointer),
                    "name the workshop you draw for (properties.workshop)",
                ));
                continue;
            }
        };
        if let Err(problem) = check_symbol(&draft.symbol, &draft.geometry, &legend, &draft.pointer)
            .and_then(|()| project.admits(&draft.geometry, &draft.pointer))
        {
            errors.push(problem);
            continue;
        }
        let at = format!("{}/properties/answers", draft.pointer);
        match check_drawing_answers(&draft.symbol, &draft.answers, &legend, &at) {
            Ok(kept) => draft.answers = kept,
            Err(mut problems) => {
                errors.append(&mut problems);
                continue;
            }
        }
        features.push(Feature::create(
            draft,
            project.id,
            workshop_id,
            group_id,
            principal.author(),
            now,
        ));
    }
    if !errors.is_empty() {
        return Err(Error::invalid(
            "some features are not valid; none was stored",
            errors,
        ));
    }
    Ok(features)
}

/// A drawing the caller may read, and the workshop it was drawn in.
///
/// # Errors
/// `NotFound` for an unknown drawing, or a deleted one for whoever does not moderate;
/// `NotAllowed` for a drawing the caller may not see; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn readable(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
) -> Result<(Feature, Option<Workshop>), Error> {
    let feature = store
        .find_feature(id)
        .await?
        .ok_or_else(|| Error::not_found("feature"))?;
    let workshop = match feature.workshop_id {
        Some(id) => store.find_workshop(id).await?,
        None => None,
    };
    if feature.is_deleted() && !principal.can_moderate() {
        return Err(Error::not_found("feature"));
    }
    if !principal.can_read_feature(&feature, workshop.as_ref()) {
        return Err(Error::not_allowed("you may not see this feature"));
    }
    Ok((feature, workshop))
}

/// Changes a drawing's symbol, shape or words (`body`: a JSON object, see `FeaturePatch`) as
/// its next revision; `expected` is the revision the caller edited (`If-Match`).
///
/// # Errors
/// `RevisionRequired` without `expected`; `Stale` when the drawing moved on; `NotAllowed` for
/// another's drawing or a closed workshop's; `Invalid` for a change that does not validate
/// (symbol, shape, the project's area); as [`readable`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn edit(
    store: &dyn Store,
    limits: FeatureLimits,
    principal: &Principal,
    id: Uuid,
    expected: Option<i64>,
    body: &Value,
) -> Result<Feature, Error> {
    let (feature, workshop) = readable(store, principal, id).await?;
    let permit = require_edit(principal, &feature, workshop.as_ref())?;
    let Some(expected) = expected else {
        return Err(Error::RevisionRequired(
            "send If-Match with the revision you edited (the feature's ETag), so no one's change is overwritten".into(),
        ));
    };
    let mut patch = FeaturePatch::parse(body, limits)
        .map_err(|errors| Error::invalid("the change is not valid", errors))?;
    if patch.symbol.is_some() || patch.answers.is_some() {
        // A new symbol asks its own questions: the answers it also asks are carried over
        // unless new ones are sent.
        let legend = store.legend(feature.project_id).await?;
        let symbol = patch.symbol.as_deref().unwrap_or(&feature.symbol);
        let asks = |key: &str| {
            legend
                .iter()
                .find(|s| s.key == key)
                .map_or(&[][..], |s| s.questions.as_slice())
        };
        let asked = patch
            .answers
            .clone()
            .unwrap_or_else(|| carried_over(asks(&feature.symbol), asks(symbol), &feature.answers));
        let kept = check_drawing_answers(symbol, &asked, &legend, "/properties/answers")
            .map_err(|errors| Error::invalid("the change is not valid", errors))?;
        patch.answers = Some(kept);
    }
    if patch.symbol.is_some() || patch.geometry.is_some() {
        let symbol = patch.symbol.as_deref().unwrap_or(&feature.symbol);
        let stored;
        let geometry = match &patch.geometry {
            Some(g) => g,
            None => {
                stored = stored_geometry(&feature)?;
                &stored
            }
        };
        let legend = store.legend(feature.project_id).await?;
        check_symbol(symbol, geometry, &legend, "")
            .map_err(|e| Error::invalid("the change is not valid", vec![e]))?;
        if let Some(project) = store.find_project_by_id(feature.project_id).await? {
            project
                .admits(geometry, "")
                .map_err(|e| Error::invalid("the change is not valid", vec![e]))?;
        }
    }
    apply(
        store,
        principal,
        &permit,
        &feature,
        FeatureChange::Edit(patch),
        Some(expected),
        Answered::Drawing,
    )
    .await
}

/// Deletes a drawing (softly: moderators may restore it); `expected` as for [`edit`], but
/// optional.
///
/// # Errors
/// As [`edit`], without `RevisionRequired`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn delete(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    expected: Option<i64>,
) -> Result<(), Error> {
    let (feature, workshop) = readable(store, principal, id).await?;
    let permit = require_edit(principal, &feature, workshop.as_ref())?;
    apply(
        store,
        principal,
        &permit,
        &feature,
        FeatureChange::Delete,
        expected,
        Answered::Drawing,
    )
    .await?;
    Ok(())
}

/// A moderator's change to a drawing: restoring it, hiding or showing it.
pub enum Moderation {
    Restore,
    Hide { hidden: bool },
    Review(ReviewRequest),
}

/// Moderates a drawing (analysts and admins).
///
/// # Errors
/// `NotAllowed` for whoever does not moderate; `Invalid` for a review that does not validate
/// or merges into no live drawing of the project; `Conflict` for a change its state refuses;
/// as [`readable`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn moderate(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    moderation: Moderation,
) -> Result<Feature, Error> {
    moderate_as(store, principal, id, moderation, Answered::Drawing).await
}

async fn moderate_as(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    moderation: Moderation,
    answered: Answered,
) -> Result<Feature, Error> {
    let refused = || Error::not_allowed("only analysts and admins moderate features");
    let moderation_permit = principal.moderation().ok_or_else(refused)?;
    let moderator = principal.user_id().ok_or_else(refused)?;
    let (feature, _) = readable(store, principal, id).await?;
    let action = match &moderation {
        Moderation::Restore => "restore".to_owned(),
        Moderation::Hide { hidden: true } => "hide".to_owned(),
        Moderation::Hide { hidden: false } => "show".to_owned(),
        Moderation::Review(request) => format!("review:{}", request.state.as_str()),
    };
    let change = match moderation {
        Moderation::Restore => FeatureChange::Restore,
        Moderation::Hide { hidden } => FeatureChange::Hide { hidden },
        Moderation::Review(request) => {
            let review = request
                .validate(&feature, moderator)
                .map_err(|errors| Error::invalid("the review is not valid", errors))?;
            if let (ReviewState::Merged, Some(target)) = (review.state, review.merge_into) {
                let target = store.find_feature(target).await?;
                let usable =
                    target.is_some_and(|t| t.project_id == feature.project_id && !t.is_deleted());
                if !usable {
                    return Err(Error::invalid(
                        "the review is not valid",
                        vec![Invalid::new(
                            "/merge_into",
                            "no live feature of this project has this id",
                        )],
                    ));
                }
            }
            FeatureChange::Review(review)
        }
    };
    let permit = moderation_permit.revision(&feature);
    let moderated = apply(store, principal, &permit, &feature, change, None, answered).await?;
    super::audit::note(
        store,
        crate::domain::audit::Kind::Moderation,
        super::audit::by(Some(principal), Door::Api)
            .project(feature.project_id)
            .subject(feature.id)
            .word("action", &action),
    )
    .await;
    Ok(moderated)
}

/// What came of one decision for many drawings: each drawing is moderated, found already so,
/// or refused with its own reason; one refusal does not stop the others.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    /// Each drawing changed, at its new revision.
    pub moderated: Vec<Feature>,
    /// Drawings already as decided (accepting an accepted one writes no revision).
    pub unchanged: Vec<Uuid>,
    /// Drawings not moderated, and why (not of this project, deleted, a role changed meanwhile).
    pub refused: Vec<(Uuid, Error)>,
}

/// Applies one decision to many drawings of `project` (analysts and admins), each as its own
/// revision with its own audit entry, as [`moderate`] does for one; the answer names them by
/// id only (so no exact read is recorded), and the live pages hear of them once per workshop.
///
/// # Errors
/// `NotAllowed` for whoever does not moderate; `Invalid` for a decision that does not validate
/// (see [`BulkModerationRequest::validate`]); the store's when it cannot be reached (what was
/// moderated before stays). Each drawing's own refusal is in the outcome, not an error.
#[instrument(skip_all, err(level = "debug"))]
pub async fn moderate_many(
    store: &dyn Store,
    principal: &Principal,
    project: &Project,
    request: BulkModerationRequest,
) -> Result<BulkOutcome, Error> {
    if principal.moderation().is_none() {
        return Err(Error::not_allowed(
            "only analysts and admins moderate features",
        ));
    }
    let bulk = request
        .validate()
        .map_err(|errors| Error::invalid("the decision is not valid", errors))?;
    let mut outcome = BulkOutcome::default();
    for id in bulk.ids {
        let feature = match store.find_feature(id).await? {
            Some(feature) if feature.project_id == project.id => feature,
            _ => {
                outcome.refused.push((id, Error::not_found("feature")));
                continue;
            }
        };
        let (moderation, already) = match bulk.action {
            BulkAction::Accept | BulkAction::Reject => {
                let state = if bulk.action == BulkAction::Accept {
                    ReviewState::Accepted
                } else {
                    ReviewState::Rejected
                };
                let already = feature.review_state == state && feature.review_reason == bulk.reason;
                let request = ReviewRequest {
                    state,
                    reason: bulk.reason.clone(),
                    merge_into: None,
                };
                (Moderation::Review(request), already)
            }
            BulkAction::Hide | BulkAction::Unhide => {
                let hidden = bulk.action == BulkAction::Hide;
                (Moderation::Hide { hidden }, feature.hidden == hidden)
            }
        };
        if already {
            outcome.unchanged.push(id);
            continue;
        }
        match moderate_as(store, principal, id, moderation, Answered::IdOnly).await {
            Ok(moderated) => outcome.moderated.push(moderated),
            Err(Error::Store(error)) if error.is_unavailable() => {
                announce_moderated(store, &outcome.moderated).await;
                return Err(error.into());
            }
            Err(error) => outcome.refused.push((id, error)),
        }
    }
    announce_moderated(store, &outcome.moderated).await;
    Ok(outcome)
}

/// Tells the live pages of a bulk decision's drawings: once per workshop (a page told of more
/// than it lists at once reads its drawings again).
async fn announce_moderated(store: &dyn Store, moderated: &[Feature]) {
    let mut by_workshop: HashMap<(Uuid, Option<Uuid>), Vec<Uuid>> = HashMap::new();
    for feature in moderated {
        by_workshop
            .entry((feature.project_id, feature.workshop_id))
            .or_default()
            .push(feature.id);
    }
    for ((project, workshop), ids) in by_workshop {
        announce(store, Change::features(project, workshop, ids)).await;
    }
}

/// Applies a change as the drawing's next revision, and announces it. `expected` is the
/// revision the caller last saw.
async fn apply(
    store: &dyn Store,
    principal: &Principal,
    permit: &Permit<Revision>,
    feature: &Feature,
    change: FeatureChange,
    expected: Option<i64>,
    answered: Answered,
) -> Result<Feature, Error> {
    if let Some(expected) = expected
        && expected != feature.revision
    {
        return Err(Error::Stale(format!(
            "the feature is at revision {}, not {expected}; reload it and apply your change again",
            feature.revision
        )));
    }
    let next = feature
        .apply(&change, Utc::now())
        .map_err(|refused| Error::Conflict(refused.to_string()))?;
    // The answer shows the drawing exactly: a moderator's change of a sensitive drawing is an
    // exact read of it, recorded before the change is made (an author's own never is).
    if answered == Answered::Drawing && principal.can_moderate() {
        let sights = super::features::Sights::load(store, feature.project_id).await?;
        if sights.reveals(Sight::Exact, principal, feature) {
            record_exact_read(store, principal, feature).await?;
        }
    }
    store
        .save_feature_revision(permit, &next, change.action(), &principal.author())
        .await?;
    if answered == Answered::Drawing {
        announce(
            store,
            Change::features(next.project_id, next.workshop_id, [next.id]),
        )
        .await;
    }
    Ok(next)
}

/// What a change's caller is given back, and so what is recorded and told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    /// The drawing as it is now: a moderator's change of a sensitive one is an exact read, and
    /// the live pages hear of it at once.
    Drawing,
    /// Its id only, one of many (a bulk decision): nothing is read exactly, and the caller
    /// tells the live pages once for all (500 announcements made every wall read 500 drawings).
    IdOnly,
}

/// Records that `principal` read `feature`'s exact sensitive place through the API.
async fn record_exact_read(
    store: &dyn Store,
    principal: &Principal,
    feature: &Feature,
) -> Result<(), Error> {
    super::audit::exact_reads(
        store,
        Some(principal),
        Door::Api,
        feature.project_id,
        &[feature.id],
    )
    .await
}

fn require_edit(
    principal: &Principal,
    feature: &Feature,
    workshop: Option<&Workshop>,
) -> Result<Permit<Revision>, Error> {
    if let Some(permit) = principal.revision(feature, workshop) {
        return Ok(permit);
    }
    if workshop.is_some_and(|w| !w.is_open()) && feature.author == principal.author() {
        return Err(Error::not_allowed(
            "the workshop is closed; its features can no longer be changed by participants",
        ));
    }
    Err(Error::not_allowed(
        "you may change only the features you drew",
    ))
}

fn stored_geometry(feature: &Feature) -> Result<FeatureGeometry, Error> {
    let value: Value =
        serde_json::from_str(&feature.geometry).map_err(|e| Error::Failed(e.to_string()))?;
    FeatureGeometry::from_geojson(&value, "/geometry", usize::MAX)
        .map_err(|_| Error::Failed("a stored geometry no longer validates".into()))
}

/// Every revision of a drawing the caller may read, each with how the caller sees it: one
/// drawn with a sensitive symbol masked for whoever sees such drawings masked, whatever the
/// symbol is now (a history told the exact place to any reader before); and every revision
/// masked, words and all, when the drawing is seen masked now (an earlier title or shape
/// would locate it).
///
/// # Errors
/// As [`readable`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn history(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
) -> Result<Vec<(FeatureRevision, Seen)>, Error> {
    let (feature, workshop) = readable(store, principal, id).await?;
    let sights = super::features::Sights::load(store, feature.project_id).await?;
    let now = sights.of(principal, &feature, workshop.as_ref());
    let history: Vec<(FeatureRevision, Seen)> = store
        .feature_history(feature.id)
        .await?
        .into_iter()
        .map(|revision| {
            let sight = sights
                .of(principal, &revision.feature, workshop.as_ref())
                .narrower(now);
            let questions = sights.questions(&revision.feature.symbol).to_vec();
            (revision, Seen { sight, questions })
        })
        .collect();
    if history
        .iter()
        .any(|(revision, seen)| sights.reveals(seen.sight, principal, &revision.feature))
    {
        record_exact_read(store, principal, &feature).await?;
    }
    Ok(history)
}
