//! Importing a file into a workshop: read and map it, check it against the project's area and
//! the workshop's drawings, and store it all or nothing, once per file and settings.

use std::collections::{BTreeMap, HashSet};
use tracing::instrument;

use bytes::Bytes;
use chrono::Utc;
use futures::TryStreamExt;
use uuid::Uuid;

use super::Error;
use super::idempotency::{Inserted, insert_once};
use crate::domain::access::Principal;
use crate::domain::change::Change;
use crate::domain::feature::{Author, FeatureFilter, FeatureLimits};
use crate::domain::import::{
    Columns, ImportFormat, Mapping, Outcome, Problem, Ready, Surroundings, check, fingerprint,
    into_features, read,
};
use crate::domain::workshop::Workshop;
use crate::store::{IdempotentResponse, Store, StoreResult};

/// An import as the person asked for it, in the words both front doors take (the API's query
/// string, `trama import`'s flags): the format's name, the category mapping as JSON text, the
/// field, the default symbol, the table, and CSV's columns.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// `geojson`, `kml`, `kmz`, `gpx` or `csv`.
    pub format: String,
    /// A JSON object of category → symbol key, e.g. `{"Escuelas":"escuela"}`.
    pub map: Option<String>,
    pub field: Option<String>,
    pub default_symbol: Option<String>,
    /// The workshop's table (group) the drawings belong to, by name or id.
    pub group: Option<String>,
    pub lon_column: Option<String>,
    pub lat_column: Option<String>,
    pub geometry_column: Option<String>,
    /// A JSON object of question key → the field holding its answer, e.g.
    /// `{"cuantos":"n_chicos"}`; a field named as a question needs none.
    pub answers: Option<String>,
    /// Import the located items and leave out those without a location (a null or empty
    /// geometry, empty coordinate cells), which otherwise stop the import.
    pub skip_unlocated: bool,
}

impl ImportRequest {
    /// The file's format.
    ///
    /// # Errors
    /// An unknown format's name, said for the person who gave it.
    pub fn format(&self) -> Result<ImportFormat, String> {
        ImportFormat::parse(&self.format).ok_or_else(|| {
            format!(
                "unknown format {:?}: use geojson, kml (or kmz), gpx or csv",
                self.format
            )
        })
    }

    /// How the file's items become drawings.
    ///
    /// # Errors
    /// A map that is not a JSON object of category → symbol.
    pub fn mapping(&self) -> Result<Mapping, String> {
        let categories: BTreeMap<String, String> = match self.map.as_deref() {
            None => BTreeMap::new(),
            Some(text) => serde_json::from_str(text).map_err(|_| {
                "map must be a JSON object of category → symbol, e.g. {\"Escuelas\":\"escuela\"}"
                    .to_owned()
            })?,
        };
        Ok(Mapping {
            field: self.field.clone(),
            categories,
            default_symbol: self.default_symbol.clone(),
            columns: Columns {
                lon: self.lon_column.clone(),
                lat: self.lat_column.clone(),
                geometry: self.geometry_column.clone(),
            },
            answers: match self.answers.as_deref() {
                None => BTreeMap::new(),
                Some(text) => serde_json::from_str(text).map_err(|_| {
                    "answers must be a JSON object of question → field, e.g. {\"cuantos\":\"n_chicos\"}"
                        .to_owned()
                })?,
            },
        })
    }

    /// The table of `workshop` the drawings go to, when one was named.
    ///
    /// # Errors
    /// The workshop has no such table.
    pub fn group(&self, workshop: &Workshop) -> Result<Option<Uuid>, String> {
        self.group
            .as_deref()
            .map(|reference| {
                workshop
                    .find_group(reference)
                    .map(|g| g.id)
                    .ok_or_else(|| format!("the workshop has no group {reference:?}"))
            })
            .transpose()
    }

    /// How the file was read, for telling a second import of it: the same file read the
    /// same way into the same workshop is one import, whichever door it came through.
    fn settings(&self) -> String {
        let settings = format!(
            "{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            self.format,
            self.field,
            self.map,
            self.default_symbol,
            self.group,
            (&self.lon_column, &self.lat_column, &self.geometry_column)
        );
        // Said only when asked, so that the imports made before they existed keep their text.
        let settings = if self.skip_unlocated {
            settings + "\nskip_unlocated"
        } else {
            settings
        };
        match &self.answers {
            Some(answers) => format!("{settings}\nanswers {answers}"),
            None => settings,
        }
    }

    /// What the import leaves out of `outcome` as this request asks: the items without a
    /// location, when `skip_unlocated` (they are problems otherwise). Returns them, for the
    /// answer to say what was not imported.
    pub fn leave_out(&self, outcome: &mut Outcome) -> Vec<Problem> {
        if self.skip_unlocated {
            outcome.leave_out_unlocated()
        } else {
            Vec::new()
        }
    }
}

/// What reading `file` into `workshop` gives: the drawings ready to store, the problems that
/// stop the import, and the warnings that do not (outside the project's area, a likely
/// axis swap, a drawing the workshop already has). The reading runs off the async threads.
///
/// A drawing the workshop already has is compared only where `principal` sees it exactly: a
/// dry run's "duplicate" told a facilitator, who sees a sensitive drawing as its cell, whether
/// a guessed position was the drawing (600,000 guesses in three dry runs found one inside a
/// 12 m house).
#[instrument(skip_all, err(level = "debug"))]
pub async fn read_into_workshop(
    store: &dyn Store,
    principal: &Principal,
    workshop: &Workshop,
    format: ImportFormat,
    file: Bytes,
    mapping: Mapping,
    limits: FeatureLimits,
) -> Result<Outcome, Error> {
    // A workshop without a legal basis keeps no drawings, whichever door brings them.
    crate::domain::consent::admits_drawing(workshop.legal_basis.as_ref(), false, None)
        .map_err(|refusal| Error::Conflict(refusal.to_string()))?;
    let legend = store.legend(workshop.project_id).await?;
    let project = store.find_project_by_id(workshop.project_id).await?;
    // The project's cap on a file's items, where an analyst set one.
    let limits = FeatureLimits {
        max_import_items: project
            .as_ref()
            .and_then(|p| p.import_max_items)
            .map_or(limits.max_import_items, |n| n as usize),
        ..limits
    };
    let area = project
        .as_ref()
        .and_then(|p| p.area.as_ref())
        .map(|a| a.as_geo().clone());
    let filter = FeatureFilter {
        workshops: Some(vec![workshop.id]),
        ..FeatureFilter::default()
    };
    let policy = project
        .as_ref()
        .map(|p| p.sensitive_exact)
        .unwrap_or_default();
    let masked: HashSet<&str> = if principal.sees_sensitive_of_workshop_exactly(workshop, policy) {
        HashSet::new()
    } else {
        legend
            .iter()
            .filter(|s| s.sensitive)
            .map(|s| s.key.as_str())
            .collect()
    };
    let existing: HashSet<(String, String)> = store
        .stream_outlines(workshop.project_id, &filter)
        .try_filter(|outline| std::future::ready(!masked.contains(outline.symbol.as_str())))
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
    .map_err(|e| Error::Failed(format!("the import's reader failed: {e}")))
}

/// What an import stores: the drawings ready, and the items left out as the request asked
/// ([`ImportRequest::leave_out`]).
pub struct Accepted {
    pub ready: Vec<Ready>,
    pub left_out: Vec<Problem>,
}

/// How a stored import answered.
pub enum Stored {
    /// Stored now: the new drawings' ids, and the answer's JSON (`imported`, `workshop`, `ids`).
    New { ids: Vec<Uuid>, answer: String },
    /// The same file with the same settings was imported into this workshop before: nothing
    /// was stored, and this is the first import's answer.
    Again(String),
}

/// Stores `ready` as the workshop's drawings (in `group`, drawn by `author`), all or nothing,
/// and announces them to the workshop's live pages, whatever the door (`trama import` reaches
/// a running server's walls through PostgreSQL's notifications; on SQLite, where changes
/// travel in one process's memory, the server's pages see them at their next reload). `request` says how the file was read: the same file read the same way into the
/// same workshop is stored once, even when sent twice at once. The answer lists what was
/// left out.
pub async fn store_import(
    store: &dyn Store,
    workshop: &Workshop,
    request: &ImportRequest,
    file: &[u8],
    Accepted { ready, left_out }: Accepted,
    group: Option<Uuid>,
    author: &Author,
) -> StoreResult<Stored> {
    let fingerprint = fingerprint(workshop.id, &request.settings(), file);
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
    let mut body = serde_json::json!({
        "imported": features.len(),
        "workshop": workshop.id,
        "ids": features.iter().map(|f| f.id).collect::<Vec<_>>(),
    });
    if !left_out.is_empty() {
        body["left_out"] = serde_json::json!(left_out);
    }
    let body = body.to_string();
    let answer = IdempotentResponse {
        principal,
        key,
        request_hash: fingerprint,
        status: 201,
        body: body.clone(),
    };
    Ok(match insert_once(store, &features, Some(&answer)).await? {
        Inserted::Now => {
            let ids: Vec<Uuid> = features.iter().map(|f| f.id).collect();
            super::announce(
                store,
                Change::features(workshop.project_id, Some(workshop.id), ids.iter().copied()),
            )
            .await;
            Stored::New { ids, answer: body }
        }
        // The same import, sent twice at once: answer as the first was answered.
        Inserted::Earlier(earlier) => Stored::Again(earlier.body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_of_an_import_read_as_the_first_imports_were_fingerprinted() {
        // Stored imports are told apart by this text: changing it would let a file imported
        // before be imported again.
        let request = ImportRequest {
            format: "csv".to_owned(),
            map: Some(r#"{"Escuelas":"escuela"}"#.to_owned()),
            group: Some("Jóvenes".to_owned()),
            lon_column: Some("lon".to_owned()),
            ..ImportRequest::default()
        };
        assert_eq!(
            request.settings(),
            "csv\nNone\nSome(\"{\\\"Escuelas\\\":\\\"escuela\\\"}\")\nNone\nSome(\"Jóvenes\")\n(Some(\"lon\"), None, None)"
        );
    }

    #[test]
    fn an_import_request_says_what_is_wrong_in_words() {
        let request = ImportRequest {
            format: "shp".to_owned(),
            map: Some("[1, 2]".to_owned()),
            ..ImportRequest::default()
        };
        assert!(
            request
                .format()
                .unwrap_err()
                .contains("geojson, kml (or kmz), gpx or csv")
        );
        assert!(request.mapping().unwrap_err().contains("category → symbol"));
    }
}
