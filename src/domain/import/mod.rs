//! Imports: maps digitised elsewhere (GeoJSON, KML as Google My Maps writes it, GPX tracks and
//! waypoints, CSV with lon/lat or WKT columns) brought into a workshop. Each file is read into
//! items (`geojson`, `csv`, `xml`), each item's category is mapped to a legend symbol, and every
//! problem is reported with the item's number and, where the format has lines, its line.

mod csv;
mod geojson;
mod xml;

use std::collections::BTreeMap;

use serde::Serialize;

use super::feature::{FeatureLimits, MAX_DESCRIPTION, MAX_TITLE, check_symbol};
use super::geometry::FeatureGeometry;
use super::legend::Symbol;

/// Formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    GeoJson,
    Kml,
    Gpx,
    Csv,
}

impl ImportFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "geojson" | "json" => Some(Self::GeoJson),
            "kml" => Some(Self::Kml),
            "gpx" => Some(Self::Gpx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// One thing read from a file, before its category is mapped.
#[derive(Debug, Clone)]
pub struct Item {
    /// 1-based position among the file's features, waypoints, tracks or rows.
    pub number: usize,
    /// 1-based line where it starts, for text formats that have lines.
    pub line: Option<usize>,
    pub category: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub geometry: Result<FeatureGeometry, String>,
}

/// What an item lacks, as parsers say it.
const MISSING_GEOMETRY: &str = "missing geometry";

/// A problem with one item (or with the file, item 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub item: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub problem: String,
    /// The kind of problem, for pages to say it in their language: `file`,
    /// `unknown_category`, `missing_category`, `missing_geometry`, `geometry` or `symbol`.
    pub code: &'static str,
    /// What the problem is about (the category, or the detail), for the same purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Problem {
    fn file(problem: impl Into<String>) -> Self {
        let problem = problem.into();
        Self {
            item: 0,
            line: None,
            value: Some(problem.clone()),
            problem,
            code: "file",
        }
    }

    fn at(
        item: &Item,
        code: &'static str,
        value: Option<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            item: item.number,
            line: item.line,
            problem: problem.into(),
            code,
            value,
        }
    }
}

/// How a file's categories become legend symbols.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// The property, column or element holding each item's category. Defaults: `symbol`,
    /// then `category` (GeoJSON, CSV); the folder's name (KML); `type`, then `sym` (GPX).
    pub field: Option<String>,
    /// Category → symbol key. A category that is itself a symbol key needs no entry.
    pub categories: BTreeMap<String, String>,
    /// The symbol of items without a mapped category; without it they are problems.
    pub default_symbol: Option<String>,
}

/// An item ready to be stored.
#[derive(Debug, Clone)]
pub struct Ready {
    pub number: usize,
    pub symbol: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub geometry: FeatureGeometry,
}

/// What reading and mapping a file gave.
#[derive(Debug, Default)]
pub struct Outcome {
    pub ready: Vec<Ready>,
    pub problems: Vec<Problem>,
    /// How many items had each category, so that an analyst sees what to map.
    pub categories: BTreeMap<String, usize>,
}

/// Reads `bytes` as `format` and maps every item; never stops at the first problem.
pub fn read(
    format: ImportFormat,
    bytes: &[u8],
    mapping: &Mapping,
    legend: &[Symbol],
    limits: FeatureLimits,
) -> Outcome {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Outcome {
            problems: vec![Problem::file("the file is not UTF-8 text")],
            ..Outcome::default()
        };
    };
    let field = mapping.field.as_deref();
    let items = match format {
        ImportFormat::GeoJson => geojson::items(text, field, limits),
        ImportFormat::Csv => csv::items(text, field, limits),
        ImportFormat::Kml => xml::kml_items(text, field, limits),
        ImportFormat::Gpx => xml::gpx_items(text, field, limits),
    };
    let items = match items {
        Ok(items) => items,
        Err(problem) => {
            return Outcome {
                problems: vec![Problem::file(problem)],
                ..Outcome::default()
            };
        }
    };
    let mut outcome = Outcome::default();
    if items.is_empty() {
        outcome
            .problems
            .push(Problem::file("the file holds nothing to import"));
    }
    for item in items {
        if let Some(category) = &item.category {
            *outcome.categories.entry(category.clone()).or_default() += 1;
        }
        match resolve(&item, mapping, legend) {
            Ok(ready) => outcome.ready.push(ready),
            Err(problem) => outcome.problems.push(problem),
        }
    }
    outcome
}

fn bounded(text: Option<&str>, max: usize) -> Option<String> {
    let text = text?.trim();
    (!text.is_empty()).then(|| text.chars().take(max).collect())
}

fn resolve(item: &Item, mapping: &Mapping, legend: &[Symbol]) -> Result<Ready, Problem> {
    let geometry = item.geometry.clone().map_err(|problem| {
        let code = if problem == MISSING_GEOMETRY {
            "missing_geometry"
        } else {
            "geometry"
        };
        Problem::at(item, code, Some(problem.clone()), problem)
    })?;
    let symbol = match item.category.as_deref() {
        Some(category) => mapping
            .categories
            .get(category)
            .cloned()
            .or_else(|| {
                legend
                    .iter()
                    .any(|s| s.key == category)
                    .then(|| category.to_owned())
            })
            .or_else(|| mapping.default_symbol.clone())
            .ok_or_else(|| {
                Problem::at(
                    item,
                    "unknown_category",
                    Some(category.to_owned()),
                    format!("unknown category \"{category}\": map it to a symbol of the legend"),
                )
            })?,
        None => mapping.default_symbol.clone().ok_or_else(|| {
            Problem::at(
                item,
                "missing_category",
                None,
                "missing category: give the field that holds it, or a default symbol",
            )
        })?,
    };
    check_symbol(&symbol, &geometry, legend, "")
        .map_err(|e| Problem::at(item, "symbol", Some(e.detail.clone()), e.detail))?;
    Ok(Ready {
        number: item.number,
        symbol,
        // Titles and descriptions from outside are cut to what a drawing may hold.
        title: bounded(item.title.as_deref(), MAX_TITLE),
        description: bounded(item.description.as_deref(), MAX_DESCRIPTION),
        geometry,
    })
}

/// The ready items as features of a workshop (and group), drawn by `author` now.
pub fn into_features(
    ready: Vec<Ready>,
    project_id: uuid::Uuid,
    workshop_id: uuid::Uuid,
    group: Option<uuid::Uuid>,
    author: &crate::domain::feature::Author,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<crate::domain::feature::Feature> {
    ready
        .into_iter()
        .map(|ready| {
            crate::domain::feature::Feature::create(
                crate::domain::feature::FeatureDraft {
                    pointer: format!("/items/{}", ready.number),
                    symbol: ready.symbol,
                    title: ready.title,
                    description: ready.description,
                    geometry: ready.geometry,
                    workshop: None,
                    group: None,
                },
                project_id,
                Some(workshop_id),
                group,
                author.clone(),
                now,
            )
        })
        .collect()
}

/// What makes two imports the same: the workshop, the file and how it is read. Importing the
/// same file the same way twice stores it once, whoever sends it.
pub fn fingerprint(workshop_id: uuid::Uuid, settings: &str, file: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(workshop_id.as_bytes());
    hash.update(settings.as_bytes());
    hash.update([0]);
    hash.update(file);
    format!("{:x}", hash.finalize())
}

/// A geometry read from another format, validated as a drawing would be.
fn validate(
    geometry: geo::Geometry<f64>,
    limits: FeatureLimits,
) -> Result<FeatureGeometry, String> {
    let value = FeatureGeometry::from_trusted(geometry).to_geojson_value();
    FeatureGeometry::from_geojson(&value, "", limits.max_vertices).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| p.detail)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests;
