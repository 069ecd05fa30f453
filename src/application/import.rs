//! Importing a file into a workshop: read and map it, check it against the project's area and
//! the workshop's drawings, and store it all or nothing, once per file and settings.

use std::collections::HashSet;

use bytes::Bytes;
use chrono::Utc;
use futures::TryStreamExt;
use uuid::Uuid;

use super::UseCaseError;
use super::idempotency::{Inserted, insert_once};
use crate::domain::feature::{Author, FeatureFilter, FeatureLimits};
use crate::domain::import::{
    ImportFormat, Mapping, Outcome, Ready, Surroundings, check, fingerprint, into_features, read,
};
use crate::domain::workshop::Workshop;
use crate::store::{IdempotentResponse, Store, StoreResult};

/// What reading `file` into `workshop` gives: the drawings ready to store, the problems that
/// stop the import, and the warnings that do not (outside the project's area, a likely
/// axis swap, a drawing the workshop already has). The reading runs off the async threads.
pub async fn read_into_workshop(
    store: &dyn Store,
    workshop: &Workshop,
    format: ImportFormat,
    file: Bytes,
    mapping: Mapping,
    limits: FeatureLimits,
) -> Result<Outcome, UseCaseError> {
    let legend = store.legend(workshop.project_id).await?;
    let project = store.find_project_by_id(workshop.project_id).await?;
    let area = project
        .as_ref()
        .and_then(|p| p.area.as_ref())
        .map(|a| a.as_geo().clone());
    let filter = FeatureFilter {
        workshops: Some(vec![workshop.id]),
        ..FeatureFilter::default()
    };
    let existing: HashSet<(String, String)> = store
        .stream_outlines(workshop.project_id, &filter)
        .map_ok(|outline| (outline.symbol, outline.geometry))
        .try_collect()
        .await?;
    let surroundings = Surroundings {
        project,
        area,
        existing,
    };
    tokio::task::spawn_blocking(move || {
        let mut outcome = read(format, &file, &mapping, &legend, limits);
        check(&mut outcome, &surroundings);
        outcome
    })
    .await
    .map_err(|e| UseCaseError::Failed(format!("the import's reader failed: {e}")))
}

/// How a stored import answered.
pub enum Stored {
    /// Stored now: the new drawings' ids, and the answer's JSON (`imported`, `workshop`, `ids`).
    New { ids: Vec<Uuid>, answer: String },
    /// The same file with the same settings was imported into this workshop before: nothing
    /// was stored, and this is the first import's answer.
    Again(String),
}

/// Stores `ready` as the workshop's drawings (in `group`, drawn by `author`), all or nothing.
/// `settings` is how the file was read (format and mapping): the same file read the same way
/// into the same workshop is stored once, even when sent twice at once.
pub async fn store_import(
    store: &dyn Store,
    workshop: &Workshop,
    settings: &str,
    file: &[u8],
    ready: Vec<Ready>,
    group: Option<Uuid>,
    author: &Author,
) -> StoreResult<Stored> {
    let fingerprint = fingerprint(workshop.id, settings, file);
    let principal = format!("import:{fingerprint}");
    let key = format!("import:{}", workshop.id);
    if let Some(earlier) = store.idempotent_response(&principal, &key).await? {
        return Ok(Stored::Again(earlier.body));
    }
    let features = into_features(
        ready,
        workshop.project_id,
        workshop.id,
        group,
        author,
        Utc::now(),
    );
    let body = serde_json::json!({
        "imported": features.len(),
        "workshop": workshop.id,
        "ids": features.iter().map(|f| f.id).collect::<Vec<_>>(),
    })
    .to_string();
    let answer = IdempotentResponse {
        principal,
        key,
        request_hash: fingerprint,
        status: 201,
        body: body.clone(),
    };
    Ok(match insert_once(store, &features, Some(&answer)).await? {
        Inserted::Now => Stored::New {
            ids: features.iter().map(|f| f.id).collect(),
            answer: body,
        },
        // The same import, sent twice at once: answer as the first was answered.
        Inserted::Earlier(earlier) => Stored::Again(earlier.body),
    })
}
