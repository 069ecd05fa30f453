//! `POST /api/projects/{slug}/features`: one Feature or a FeatureCollection, all or nothing,
//! with `Idempotency-Key` so that a retried submission is stored exactly once.

use crate::geojson::Sight;
use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

use super::geojson_response;
use crate::application::idempotency::{Inserted, insert_once};
use crate::application::rates::Write;
use crate::domain::Invalid;
use crate::domain::access::{DrawRefusal, Principal, Role};
use crate::domain::change::Change;
use crate::domain::feature::{
    Feature, FeatureDraft, FeatureLimits, Submission, check_placement, check_symbol,
    parse_submission, parse_submission_text,
};
use crate::domain::project::Project;
use crate::domain::workshop::Workshop;
use crate::geojson::{CollectionWriter, FeatureOut};
use crate::http::announce;
use crate::http::error::AppError;
use crate::http::extract::{Auth, JsonBytes, decode_json, hash_body};
use crate::http::projects::visible_project;
use crate::http::state::AppState;
use crate::store::IdempotentResponse;

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub async fn create_features(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    headers: HeaderMap,
    JsonBytes(bytes): JsonBytes,
) -> Result<Response, AppError> {
    if principal.role() == Some(Role::Researcher) {
        return Err(AppError::forbidden("researchers do not draw features"));
    }
    let project = visible_project(&state, &principal, &slug).await?;
    // A request that may be retried carries a key; the body's fingerprint tells a retry
    // from a different request under the same key.
    let idempotency = idempotency_key(&headers)?.map(|key| (key, hash_body(&bytes)));
    if let Some((key, hash)) = &idempotency
        && let Some(earlier) = state
            .store
            .idempotent_response(&principal.key(), key)
            .await?
    {
        return replay(earlier, hash);
    }

    let Submission { single, drafts } = read_submission(&bytes, state.limits.features)?;
    crate::http::admit_writes(&state, &principal, Write::Drawings, drafts.len())?;
    let features = place_and_check(&state, &principal, &project, drafts).await?;

    // The author always sees what they drew, sensitive or not.
    let text = if single {
        FeatureOut::new(&features[0], Sight::Exact).to_json()?
    } else {
        let mut collection = CollectionWriter::default();
        for feature in &features {
            collection.push(&FeatureOut::new(feature, Sight::Exact))?;
        }
        String::from_utf8(collection.finish(false, None))
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let answer = idempotency.map(|(key, request_hash)| IdempotentResponse {
        principal: principal.key(),
        key,
        request_hash,
        status: StatusCode::CREATED.as_u16(),
        body: text.clone(),
    });
    match insert_once(state.store.as_ref(), &features, answer.as_ref()).await? {
        Inserted::Now => {
            let mut workshops: Vec<Option<Uuid>> = features.iter().map(|f| f.workshop_id).collect();
            workshops.dedup();
            for workshop in workshops {
                let ids = features
                    .iter()
                    .filter(|f| f.workshop_id == workshop)
                    .map(|f| f.id);
                announce(&state, Change::features(project.id, workshop, ids)).await;
            }
            Ok(created(text, single.then(|| &features[0])))
        }
        // A concurrent retry with the same key won the race: answer as it was answered.
        Inserted::Earlier(earlier) => {
            let request_hash = answer.map(|a| a.request_hash).unwrap_or_default();
            replay(earlier, &request_hash)
        }
    }
}

/// The drafts of a submission: read directly when it is sound, which is nearly always; else
/// through a JSON tree, which says what is wrong with each feature.
fn read_submission(bytes: &[u8], limits: FeatureLimits) -> Result<Submission, AppError> {
    if let Some(submission) = parse_submission_text(bytes, limits) {
        return Ok(submission);
    }
    let body: Value = decode_json(bytes)?;
    let drafts = parse_submission(&body, limits).map_err(|errors| {
        AppError::invalid("some features are not valid; none was stored", errors)
    })?;
    Ok(Submission {
        single: body.get("type").and_then(Value::as_str) == Some("Feature"),
        drafts,
    })
}

/// 201 with the stored features; a single feature also gets its Location and ETag.
fn created(text: String, single: Option<&Feature>) -> Response {
    let mut response = (StatusCode::CREATED, geojson_response(text)).into_response();
    if let Some(feature) = single {
        let headers = response.headers_mut();
        if let Ok(location) = HeaderValue::from_str(&format!("/api/features/{}", feature.id)) {
            headers.insert(header::LOCATION, location);
        }
        if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", feature.revision)) {
            headers.insert(header::ETAG, etag);
        }
    }
    response
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) => Ok(Some(key.to_owned())),
        _ => Err(AppError::BadRequest(
            "Idempotency-Key must be 1-255 visible ASCII characters".into(),
        )),
    }
}

/// Answers a retry with the first answer, or refuses a different request under the same key.
fn replay(earlier: IdempotentResponse, request_hash: &str) -> Result<Response, AppError> {
    if earlier.request_hash != request_hash {
        return Err(AppError::invalid(
            "this Idempotency-Key was already used for a different request; use a new key",
            vec![],
        ));
    }
    let status = StatusCode::from_u16(earlier.status).unwrap_or(StatusCode::CREATED);
    Ok((
        status,
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                "true",
            ),
        ],
        earlier.body,
    )
        .into_response())
}

/// Resolves each draft's workshop and group for this caller, and checks it against the
/// legend. Every problem of every feature is reported together.
async fn place_and_check(
    state: &AppState,
    principal: &Principal,
    project: &Project,
    drafts: Vec<FeatureDraft>,
) -> Result<Vec<Feature>, AppError> {
    let legend = state.store.legend(project.id).await?;
    let mut workshops: HashMap<Uuid, Workshop> = HashMap::new();
    let own = match principal {
        Principal::Participant {
            workshop_id,
            group_id,
            ..
        } => {
            let workshop = state
                .store
                .find_workshop(*workshop_id)
                .await?
                .ok_or_else(|| AppError::not_found("workshop"))?;
            workshops.insert(workshop.id, workshop);
            Some((*workshop_id, *group_id))
        }
        Principal::User { .. } => None,
    };
    let now = Utc::now();
    let mut errors: Vec<Invalid> = Vec::new();
    let mut features = Vec::with_capacity(drafts.len());
    for draft in drafts {
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
                    && let Some(found) = state.store.find_workshop(id).await?
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
                        return Err(AppError::forbidden(
                            "you do not run this workshop and do not take part in it",
                        ));
                    }
                    Err(DrawRefusal::Closed) => {
                        return Err(AppError::Conflict(format!(
                            "the workshop \"{}\" is closed and accepts no new features",
                            w.title
                        )));
                    }
                }
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
        return Err(AppError::invalid(
            "some features are not valid; none was stored",
            errors,
        ));
    }
    Ok(features)
}
