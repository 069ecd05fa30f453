//! Exports for researchers and GIS tools: what may leave the server at which privacy level,
//! and how each stored record becomes an exported one. Pure: formats are written elsewhere
//! (`crate::export`).

mod aggregate;
mod anonymise;
mod answers;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use h3o::Resolution;
use serde::Serialize;

use super::Refusal;
use serde_json::{Value, json};

pub use aggregate::{CellCount, CellCounter};
pub use anonymise::{donut_offset, mask_cell, masked_position, sensitive_cell};
pub use answers::{
    AnswerColumn, AnswerType, AnswerValue, Names, answer_columns, counted_choices, exported,
};

/// How much an export reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    /// Everything stored: analysts and admins only.
    Full,
    /// No names or free text, export-local ids, points displaced, sensitive symbols as a
    /// coarse cell, days instead of instants. The default, and the most a researcher gets.
    Anonymised,
    /// Counts per H3 cell and symbol, small counts suppressed.
    Aggregated,
}

impl Privacy {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "full" => Some(Privacy::Full),
            "anonymised" | "anonymized" => Some(Privacy::Anonymised),
            "aggregated" => Some(Privacy::Aggregated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Full => "full",
            Privacy::Anonymised => "anonymised",
            Privacy::Aggregated => "aggregated",
        }
    }
}

/// The masking parameters of an anonymised or aggregated export.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Masking {
    /// Donut geomasking: points move at least this far (metres)...
    pub min_m: f64,
    /// ...and at most this far.
    pub max_m: f64,
    /// Features of sensitive symbols become the H3 cell of this resolution that holds them.
    pub sensitive_resolution: Resolution,
    /// Aggregated exports: the cell resolution of the counts.
    pub aggregate_resolution: Resolution,
    /// Aggregated exports: counts below this are suppressed.
    pub k: u32,
}

impl Default for Masking {
    fn default() -> Self {
        Self {
            min_m: 50.0,
            max_m: 250.0,
            sensitive_resolution: Resolution::Eight,
            aggregate_resolution: Resolution::Eight,
            k: 5,
        }
    }
}

impl Masking {
    /// The resolution sensitive drawings are counted at in aggregated exports: the aggregate
    /// one, or the sensitive mask's when that is coarser. A count must not place a sensitive
    /// drawing more finely than its mask does, where it would tell what the mask hides.
    pub fn sensitive_count_resolution(&self) -> Resolution {
        self.aggregate_resolution.min(self.sensitive_resolution)
    }

    /// For an analysis counted at the aggregate resolution under `privacy`: the resolution
    /// of the cell sensitive drawings must count as (their mask's, when coarser than the
    /// aggregate cells), or None when they may count where they are (a full export, or a
    /// mask no coarser than the cells).
    pub fn masks_sensitive_counts(&self, privacy: Privacy) -> Option<Resolution> {
        let coarser = self.sensitive_count_resolution();
        (privacy != Privacy::Full && coarser != self.aggregate_resolution).then_some(coarser)
    }

    /// Refuses masking finer than `floor` (the project's masking; today Trama's defaults),
    /// for those who may not take full exports:
    /// points must move at least as far (`min_m`, `max_m`), cells may be no smaller (a lower
    /// H3 resolution is a larger cell), and counts no smaller (`k`). A researcher may ask for
    /// coarser, never finer: finer would reveal more, and many exports with small changes
    /// would average out to the truth.
    pub fn check_not_finer_than(&self, floor: &Masking) -> Result<(), Refusal> {
        if self.min_m < floor.min_m || self.max_m < floor.max_m {
            return Err(Refusal::new(
                "export.finer_mask",
                format!(
                    "masking is at least {} to {} m at this level: mask_min and mask_max may only be larger",
                    floor.min_m, floor.max_m
                ),
            )
            .with("min", floor.min_m)
            .with("max", floor.max_m));
        }
        if self.sensitive_resolution > floor.sensitive_resolution
            || self.aggregate_resolution > floor.aggregate_resolution
        {
            return Err(Refusal::new(
                "export.finer_cells",
                format!(
                    "cells are at most H3 resolution {} at this level: resolution may only be lower (larger cells)",
                    u8::from(floor.aggregate_resolution)
                ),
            )
            .with("resolution", u8::from(floor.aggregate_resolution)));
        }
        if self.k < floor.k {
            return Err(Refusal::new(
                "export.smaller_k",
                format!(
                    "counts under {} are suppressed at this level: k may only be larger",
                    floor.k
                ),
            )
            .with("k", floor.k));
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), Refusal> {
        if !(self.min_m >= 0.0 && self.max_m > self.min_m && self.max_m <= 5_000.0) {
            return Err(Refusal::new(
                "export.mask_range",
                "mask_min and mask_max are metres with 0 ≤ mask_min < mask_max ≤ 5000",
            ));
        }
        if self.k < 2 {
            return Err(Refusal::new(
                "export.k_small",
                "k (the smallest count shown) must be at least 2",
            ));
        }
        Ok(())
    }
}

/// What is described in an export's metadata: the level and how it was applied.
pub fn metadata(privacy: Privacy, masking: &Masking, what: &str, at: DateTime<Utc>) -> Value {
    let mut meta = json!({
        "generator": "Trama",
        "exported_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "content": what,
        "privacy": privacy.as_str(),
        "crs": "EPSG:4326",
    });
    match privacy {
        Privacy::Full => {}
        Privacy::Anonymised => {
            meta["masking"] = json!({
                "points": "donut geomasking: each point moved in a random direction by a random distance, uniform over the ring's area, the same for a feature in every export",
                "min_distance_m": masking.min_m,
                "max_distance_m": masking.max_m,
                "sensitive_symbols": format!("replaced by the H3 cell of resolution {} that holds them", u8::from(masking.sensitive_resolution)),
                "timestamps": "truncated to the day (UTC)",
                "ids": "export-local, not stable between exports",
                "removed": ["titles", "descriptions", "participant names", "annotations"],
                "numbered": "workshops and groups are numbered (2, 2.1) instead of named: their titles and names are free text",
            });
        }
        Privacy::Aggregated => {
            meta["aggregation"] = json!({
                "cells": format!("H3 resolution {}", u8::from(masking.aggregate_resolution)),
                "counts": "features per cell and symbol (a feature counts in the cell of its interior point)",
                "option_counts": "per option of each choice the legend asks (not the sensitive ones), the features that chose it, in columns question_option; empty where suppressed, or where not asked",
                "suppressed_below": masking.k,
            });
        }
    }
    meta
}

/// Refuses the filters a masked level cannot offer: every answer must depend only on what
/// the level shows. A `bbox` filters on true positions (halving the box located a masked
/// place to a millimetre in 40 requests), and a time of day on true instants (the level
/// shows days), so at the anonymised and aggregated levels there is no `bbox`, and `since`
/// and `until` are whole days (UTC).
///
/// At the aggregated level, two exports with different filters must not subtract to a
/// suppressed count: counts are released per workshop, symbol and cell (`CellCounter`), so
/// only those filter them (no group, no days); and priority cells (`cells`), whose scores
/// and counts mix every drawing of a cell, take no filter at all: they are released over
/// everything the caller may see, one fixed partition.
pub fn check_masked_filter(
    privacy: Privacy,
    cells: bool,
    filter: &crate::domain::feature::FeatureFilter,
) -> Result<(), Refusal> {
    let (since, until) = (filter.since, filter.until);
    if privacy == Privacy::Full {
        return Ok(());
    }
    if privacy == Privacy::Aggregated {
        // Each filter: whether it was given, and whether it is refused here.
        let filters = [
            ("workshop", filter.workshops.is_some(), cells),
            ("symbol", filter.symbol.is_some(), cells),
            ("group", filter.group.is_some(), true),
            ("since", since.is_some(), true),
            ("until", until.is_some(), true),
        ];
        if let Some((name, ..)) = filters
            .iter()
            .find(|(_, given, refused)| *given && *refused)
        {
            return Err(if cells {
                Refusal::new(
                    "export.cells_unfiltered",
                    format!(
                        "aggregated priority cells are released over the whole project only, without filters ({name} given): two exports with different filters would subtract to the counts they suppress; anonymised exports take {name}"
                    ),
                )
            } else {
                Refusal::new(
                    "export.counts_unfiltered",
                    format!(
                        "aggregated counts are released per workshop, symbol and cell only, so {name} cannot filter them: two exports would subtract to the counts they suppress; filter by workshop or symbol, or take an anonymised export"
                    ),
                )
            }
            .with("filter", *name));
        }
    }
    if filter.bbox.is_some() {
        return Err(Refusal::new(
            "export.bbox_full_only",
            format!(
                "bbox is offered in full exports only: at the {} level it would filter on the true positions it masks; filter by workshop, group or symbol",
                privacy.as_str()
            ),
        ));
    }
    let midnight = |at: DateTime<Utc>| at.time() == chrono::NaiveTime::MIN;
    if !since.into_iter().chain(until).all(midnight) {
        return Err(Refusal::new(
            "export.whole_days",
            format!(
                "at the {} level times are days: give since and until as dates (2026-09-12)",
                privacy.as_str()
            ),
        ));
    }
    Ok(())
}

/// Most exports one user may take in an hour: a researcher's work needs a few dozen; 26,000
/// in an hour went unnoticed before.
pub const EXPORTS_PER_HOUR: u32 = 60;

/// How many exports in one hour make an actor's pattern worth an analyst's look.
pub const UNUSUAL_PER_HOUR: usize = 20;

/// Who took unusually many exports: for each actor with at least `UNUSUAL_PER_HOUR` exports
/// within some hour, the most they took in an hour and when that hour began. `entries` in any
/// order.
pub fn unusual_exporters(entries: &[ExportLogEntry]) -> Vec<Value> {
    let mut by_actor: BTreeMap<&str, Vec<DateTime<Utc>>> = BTreeMap::new();
    for entry in entries {
        by_actor.entry(&entry.actor).or_default().push(entry.at);
    }
    let hour = chrono::Duration::hours(1);
    by_actor
        .into_iter()
        .filter_map(|(actor, mut times)| {
            times.sort_unstable();
            // The widest run of exports within an hour, by a window sliding over the times.
            let (mut start, mut most, mut from) = (0, 0, times[0]);
            for end in 0..times.len() {
                while times[end] - times[start] > hour {
                    start += 1;
                }
                if end - start + 1 > most {
                    (most, from) = (end - start + 1, times[start]);
                }
            }
            (most >= UNUSUAL_PER_HOUR)
                .then(|| json!({"actor": actor, "most_in_an_hour": most, "from": from}))
        })
        .collect()
}

/// One entry of the export log.
#[derive(Debug, Clone, Serialize)]
pub struct ExportLogEntry {
    pub id: uuid::Uuid,
    pub project_id: uuid::Uuid,
    pub user_id: Option<uuid::Uuid>,
    /// Username, or `cli` for an export by the server's operator.
    pub actor: String,
    pub at: DateTime<Utc>,
    pub content: String,
    pub format: String,
    pub privacy: Privacy,
    pub parameters: Value,
}

impl ExportLogEntry {
    /// An entry for an export taken now.
    pub fn now(
        project_id: uuid::Uuid,
        user_id: Option<uuid::Uuid>,
        actor: String,
        content: &str,
        format: &str,
        privacy: Privacy,
        parameters: Value,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4(),
            project_id,
            user_id,
            actor,
            at: Utc::now(),
            content: content.to_owned(),
            format: format.to_owned(),
            privacy,
            parameters,
        }
    }
}

/// One feature as it is exported, whatever the format.
#[derive(Debug, Clone)]
pub struct ExportFeature {
    pub id: String,
    pub symbol: String,
    pub symbol_label: String,
    pub symbol_kind: String,
    pub workshop: Option<String>,
    pub group: Option<String>,
    /// Full exports only: the participant's nickname or the user's name.
    pub author: Option<String>,
    /// Full exports only.
    pub title: Option<String>,
    /// Full exports only.
    pub description: Option<String>,
    pub review_state: String,
    /// RFC 3339, or the day (YYYY-MM-DD) when anonymised.
    pub created: String,
    pub updated: String,
    /// How the geometry was changed: `donut`, `h3-cell` or none.
    pub masked: Option<&'static str>,
}

/// The attribute columns every format writes, in order.
pub const COLUMNS: [&str; 13] = [
    "id",
    "symbol",
    "symbol_label",
    "symbol_kind",
    "workshop",
    "group",
    "author",
    "title",
    "description",
    "review_state",
    "created",
    "updated",
    "masked",
];

impl ExportFeature {
    /// The attribute values in `COLUMNS` order.
    pub fn values(&self) -> [Option<&str>; 13] {
        [
            Some(&self.id),
            Some(&self.symbol),
            Some(&self.symbol_label),
            Some(&self.symbol_kind),
            self.workshop.as_deref(),
            self.group.as_deref(),
            self.author.as_deref(),
            self.title.as_deref(),
            self.description.as_deref(),
            Some(&self.review_state),
            Some(&self.created),
            Some(&self.updated),
            self.masked,
        ]
    }

    pub fn properties(&self) -> serde_json::Map<String, Value> {
        COLUMNS
            .iter()
            .zip(self.values())
            .filter_map(|(k, v)| v.map(|v| ((*k).to_owned(), Value::String(v.to_owned()))))
            .collect()
    }
}

/// A day, for anonymised timestamps.
pub fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Labels of a legend in one language, falling back to Spanish, then to the key.
pub fn label_of(labels: &BTreeMap<String, String>, locale: &str, key: &str) -> String {
    labels
        .get(locale)
        .or_else(|| labels.get("es"))
        .or_else(|| labels.values().next())
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: &str, at: DateTime<Utc>) -> ExportLogEntry {
        ExportLogEntry {
            at,
            ..ExportLogEntry::now(
                uuid::Uuid::nil(),
                None,
                actor.into(),
                "features",
                "geojson",
                Privacy::Anonymised,
                Value::Null,
            )
        }
    }

    #[test]
    fn many_exports_in_one_hour_are_flagged_and_a_steady_few_are_not() {
        let start = Utc::now() - chrono::Duration::days(1);
        let mut entries: Vec<ExportLogEntry> = (0..25)
            .map(|i| entry("curiosa", start + chrono::Duration::minutes(i * 2)))
            .collect();
        // Forty over two days, one an hour or so: ordinary work.
        entries.extend(
            (0..40).map(|i| entry("investigadora", start + chrono::Duration::minutes(i * 70))),
        );
        let flagged = unusual_exporters(&entries);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert_eq!(flagged[0]["actor"], "curiosa");
        assert_eq!(flagged[0]["most_in_an_hour"], 25);
    }
}
