//! Imports: maps digitised elsewhere (GeoJSON, KML and KMZ as Google My Maps and GPS apps
//! write them, GPX waypoints, routes and tracks, CSV with coordinates, WKT or ODK
//! geo-strings) brought into a workshop. Each file is decoded to text (`decode`), read into
//! items (`geojson`, `kml`, `gpx`, `csv`), each item's category is mapped to a legend symbol
//! and its geometry fitted to what that symbol is drawn as (`shape`), and every problem is
//! reported with the item's number and, where the format has lines, its line. Warnings
//! (`checks`) flag what is valid but likely wrong, without blocking the import.
//!
//! Bounded by construction: every reader works with stacks of its own rather than recursion
//! (JSON nesting is capped at 128 by serde_json, WKT at `csv::MAX_WKT_DEPTH`, XML has none to
//! fear), in time that grows with the file's size, and a KMZ unpacks to at most
//! `decode::MAX_UNPACKED` bytes.
//!
//! This file holds what every format shares (the import's shape, the mapping of categories to
//! symbols, the limits): about 420 lines, the readers being in their own files.

mod checks;
mod csv;
mod decode;
mod geojson;
mod gpx;
mod kml;
mod markup;
mod shape;
mod xml;

use std::collections::BTreeMap;

use serde::Serialize;

pub use checks::{Surroundings, check};
pub use csv::Columns;

#[cfg(test)]
use super::feature::MAX_IMPORT_ITEMS;
use super::feature::{FeatureLimits, MAX_DESCRIPTION, MAX_TITLE};
use super::geometry::FeatureGeometry;
use super::legend::Symbol;

/// Formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    GeoJson,
    /// KML, or KMZ (a zip holding the KML): the bytes tell which.
    Kml,
    Gpx,
    Csv,
}

impl ImportFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "geojson" | "json" => Some(Self::GeoJson),
            "kml" | "kmz" => Some(Self::Kml),
            "gpx" => Some(Self::Gpx),
            "csv" | "tsv" | "txt" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Something a reader or a check has to say about an item that does not stop it: a part
/// left out, a shape reduced, a position that looks wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The kind, for pages to say it in their language (see `Problem::code`).
    pub code: &'static str,
    /// What it is about (a count, a distance), for the same purpose.
    pub value: String,
    /// The note in English, for API clients and the CLI.
    pub message: String,
}

impl Note {
    pub fn new(code: &'static str, value: String, message: String) -> Self {
        Self {
            code,
            value,
            message,
        }
    }
}

/// One thing read from a file, before its category is mapped.
#[derive(Debug, Clone)]
pub struct Item {
    /// 1-based position among the file's features, placemarks, waypoints, tracks or rows.
    pub number: usize,
    /// 1-based line where it starts, for text formats that have lines.
    pub line: Option<usize>,
    pub category: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Its other values by name (a GeoJSON Feature's properties, a row's columns, a KML
    /// Placemark's ExtendedData), where a legend's questions find their answers.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The item's points, lines and polygons (WGS84 lon/lat), flattened out of every
    /// collection, not yet validated; or why it has none.
    pub shape: Result<Vec<geo::Geometry<f64>>, Unshaped>,
    /// What the reader left out of the item while keeping the rest.
    pub notes: Vec<Note>,
}

/// Why an item has nothing to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unshaped {
    /// It has no location at all: a GeoJSON `"geometry": null` (a phone without a GPS fix,
    /// as Mapeo exports it), an empty geometry (as GDAL writes one), a Placemark without
    /// coordinates, a spreadsheet row with empty coordinate cells. An import may leave these
    /// out when the person importing says so ([`Outcome::leave_out_unlocated`]).
    Unlocated(String),
    /// Its geometry is there but cannot be read: which construct, and why.
    Unreadable(String),
}

impl From<String> for Unshaped {
    fn from(problem: String) -> Self {
        Unshaped::Unreadable(problem)
    }
}

impl From<&str> for Unshaped {
    fn from(problem: &str) -> Self {
        Unshaped::Unreadable(problem.to_owned())
    }
}

/// A problem with one item (or with the file, item 0); warnings have the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub item: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub problem: String,
    /// The kind, for pages to say it in their language. Problems: `file`,
    /// `unknown_category`, `missing_category`, `geometry`, `unlocated` or `symbol`.
    /// Warnings: `encoding`, `images_dropped`,
    /// `dropped_parts`, `dropped_segment`, `reduced_to_point`, `outside_area`, `axis_swap`,
    /// `duplicate`.
    pub code: &'static str,
    /// What the problem is about (the category, the detail, a distance in metres), for the
    /// same purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Problem {
    /// Where it is, for a person: "the file", "item 3" or "item 3 (line 12)".
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("item {} (line {line})", self.item),
            None if self.item == 0 => "the file".to_owned(),
            None => format!("item {}", self.item),
        }
    }

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

    fn note(number: usize, line: Option<usize>, note: Note) -> Self {
        Self {
            item: number,
            line,
            problem: note.message,
            code: note.code,
            value: Some(note.value),
        }
    }
}

/// How a file's items become drawings: where their category is, which symbol each category
/// is, and (CSV) which columns hold the coordinates.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// The property, column or element holding each item's category. Defaults: `symbol`,
    /// then `category` (GeoJSON, CSV); the folder's name (KML); `type`, then `sym` (GPX).
    pub field: Option<String>,
    /// Category → symbol key. A category that is itself a symbol key needs no entry.
    pub categories: BTreeMap<String, String>,
    /// The symbol of items without a mapped category; without it they are problems.
    pub default_symbol: Option<String>,
    /// CSV: the columns of the coordinates, where the header does not say.
    pub columns: Columns,
    /// Question key → the field holding its answer; a field named as a question (as
    /// Trama's own exports name their columns) needs no entry.
    pub answers: BTreeMap<String, String>,
}

/// An item ready to be stored. An item whose geometry holds kinds its symbol is drawn as
/// (points and polygons under a symbol drawn as both) is one `Ready` per kind.
#[derive(Debug, Clone)]
pub struct Ready {
    pub number: usize,
    pub line: Option<usize>,
    pub symbol: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Its answers to the symbol's questions, read from its fields (see [`answers_of`]).
    pub answers: crate::domain::question::Answers,
    pub geometry: FeatureGeometry,
}

/// What reading and mapping a file gave.
#[derive(Debug, Default)]
pub struct Outcome {
    pub ready: Vec<Ready>,
    /// What stops the import: an item that cannot be read or mapped, or the file itself.
    pub problems: Vec<Problem>,
    /// What the import keeps but the person importing should look at.
    pub warnings: Vec<Problem>,
    /// How many items had each category, so that an analyst sees what to map.
    pub categories: BTreeMap<String, usize>,
    /// How many items the file held.
    pub items: usize,
}

/// How many of each kind of problem or warning a report lists; the rest are counted.
pub const LISTED_PER_KIND: usize = 20;

/// A report's problems or warnings: the first [`LISTED_PER_KIND`] of each kind (`code`), in
/// their order, and how many of each kind there are in all. A file with a thousand
/// duplicates says so in one line and twenty examples, not in a thousand lines.
pub fn summarise(list: &[Problem]) -> (Vec<&Problem>, BTreeMap<&'static str, usize>) {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut listed = Vec::new();
    for problem in list {
        let count = counts.entry(problem.code).or_default();
        *count += 1;
        if *count <= LISTED_PER_KIND {
            listed.push(problem);
        }
    }
    (listed, counts)
}

impl Outcome {
    /// Takes the items without a location (problems `unlocated`) out of the problems, to
    /// import the located ones when the person importing asked so; returns them, for the
    /// answer to say what was left out.
    pub fn leave_out_unlocated(&mut self) -> Vec<Problem> {
        let (unlocated, problems) = std::mem::take(&mut self.problems)
            .into_iter()
            .partition(|p| p.code == "unlocated");
        self.problems = problems;
        unlocated
    }
}

/// Reads `bytes` as `format` and maps every item; never stops at the first problem.
pub fn read(
    format: ImportFormat,
    bytes: &[u8],
    mapping: &Mapping,
    legend: &[Symbol],
    limits: FeatureLimits,
) -> Outcome {
    let failed = |problem: String| Outcome {
        problems: vec![Problem::file(problem)],
        ..Outcome::default()
    };
    if let Some(problem) = decode::foreign(bytes, format) {
        return failed(problem);
    }
    let unpacked;
    let bytes = if decode::is_zip(bytes) {
        unpacked = match decode::unpack_kmz(bytes) {
            Ok(kml) => kml,
            Err(problem) => return failed(problem),
        };
        &unpacked[..]
    } else {
        bytes
    };
    let decoded = decode::text(bytes);
    let text = decoded.text.as_ref();
    let field = mapping.field.as_deref();
    let limit = limits.max_import_items;
    let items = match format {
        ImportFormat::GeoJson => geojson::items(text, field, limit),
        ImportFormat::Csv => csv::items(text, field, &mapping.columns, limit),
        ImportFormat::Kml => kml::items(text, field, limit),
        ImportFormat::Gpx => gpx::items(text, field, limit),
    };
    let items = match items {
        Ok(items) => items,
        Err(problem) => return failed(problem),
    };
    if items.len() > limit {
        return failed(format!(
            "the file holds more than {limit} items, more than one import takes here (the \
             project's import_max_items, or the server's --import-max-items): split it, or keep \
             only the layers the workshop needs"
        ));
    }
    let mut outcome = Outcome {
        items: items.len(),
        ..Outcome::default()
    };
    if let Some(encoding) = decoded.decoded_from {
        outcome.warnings.push(Problem {
            item: 0,
            line: None,
            problem: format!(
                "the file is not UTF-8: it was read as {encoding}; check that accents and ñ look right"
            ),
            code: "encoding",
            value: Some(encoding.to_owned()),
        });
    }
    if items.is_empty() {
        outcome
            .problems
            .push(Problem::file("the file holds nothing to import"));
    }
    for item in items {
        if let Some(category) = &item.category {
            *outcome.categories.entry(category.clone()).or_default() += 1;
        }
        match resolve(item, mapping, legend, limits) {
            Ok((ready, warnings)) => {
                outcome.ready.extend(ready);
                outcome.warnings.extend(warnings);
            }
            Err(problem) => outcome.problems.push(problem),
        }
    }
    outcome
}

/// A title or description as a drawing keeps it: HTML source made plain text (see
/// `markup`; what it left out said in `notes`), trimmed, at most `max` characters.
fn as_text(text: Option<&str>, max: usize, notes: &mut Vec<Note>) -> Option<String> {
    let text = text?;
    let plain = match markup::plain_text(text) {
        Some((plain, note)) => {
            notes.extend(note);
            std::borrow::Cow::Owned(plain)
        }
        None => std::borrow::Cow::Borrowed(text),
    };
    let plain = plain.trim();
    (!plain.is_empty()).then(|| plain.chars().take(max).collect())
}

fn symbol_of(item: &Item, mapping: &Mapping, legend: &[Symbol]) -> Result<String, Problem> {
    match item.category.as_deref() {
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
            }),
        None => mapping.default_symbol.clone().ok_or_else(|| {
            Problem::at(
                item,
                "missing_category",
                None,
                "missing category: give the field that holds it, or a default symbol",
            )
        }),
    }
}

/// The drawings an item gives, and what was left out of it on the way.
fn resolve(
    item: Item,
    mapping: &Mapping,
    legend: &[Symbol],
    limits: FeatureLimits,
) -> Result<(Vec<Ready>, Vec<Problem>), Problem> {
    let parts = item.shape.clone().map_err(|unshaped| match unshaped {
        Unshaped::Unlocated(problem) => {
            Problem::at(&item, "unlocated", Some(problem.clone()), problem)
        }
        Unshaped::Unreadable(problem) => {
            Problem::at(&item, "geometry", Some(problem.clone()), problem)
        }
    })?;
    let key = symbol_of(&item, mapping, legend)?;
    let Some(symbol) = legend.iter().find(|s| s.key == key) else {
        let known: Vec<&str> = legend.iter().map(|s| s.key.as_str()).take(20).collect();
        let problem = format!(
            "unknown symbol \"{key}\"; the legend has: {}",
            known.join(", ")
        );
        return Err(Problem::at(&item, "symbol", Some(problem.clone()), problem));
    };
    let (geometries, mut notes) =
        shape::fit(parts, symbol).map_err(|e| Problem::at(&item, "symbol", Some(e.clone()), e))?;
    // Titles and descriptions from outside: markup made plain text, cut to what a drawing
    // may hold.
    let title = as_text(item.title.as_deref(), MAX_TITLE, &mut notes);
    let description = as_text(item.description.as_deref(), MAX_DESCRIPTION, &mut notes);
    let answers = answers_of(&item.fields, symbol, mapping, &mut notes);
    let mut ready = Vec::with_capacity(geometries.len());
    for geometry in geometries {
        let geometry = validate(geometry, limits)
            .map_err(|e| Problem::at(&item, "geometry", Some(e.clone()), e))?;
        ready.push(Ready {
            number: item.number,
            line: item.line,
            symbol: key.clone(),
            title: title.clone(),
            description: description.clone(),
            answers: answers.clone(),
            geometry,
        });
    }
    let warnings = item
        .notes
        .into_iter()
        .chain(notes)
        .map(|note| Problem::note(item.number, item.line, note))
        .collect();
    Ok((ready, warnings))
}

/// An item's answers to `symbol`'s questions, from its `fields`: the one `mapping` names for
/// each question, else the one named as the question. Values from outside are read as the
/// question asks (`"3"` a number, `"sí"` a yes, an option's key or label, several separated
/// by spaces as XLSForm exports them). What cannot be read, or breaks the questions' rules
/// (out of bounds, a question that does not apply), is left out and said in `notes`; a
/// required question a file does not answer is no reason to refuse the rest of it.
pub fn answers_of(
    fields: &BTreeMap<String, serde_json::Value>,
    symbol: &Symbol,
    mapping: &Mapping,
    notes: &mut Vec<Note>,
) -> crate::domain::question::Answers {
    use crate::domain::question::{answer_from, check_answers};
    let mut answers = crate::domain::question::Answers::new();
    for question in &symbol.questions {
        let field = mapping.answers.get(&question.key).unwrap_or(&question.key);
        // A spreadsheet's header may be written in any case (CSV headers are read lowered).
        let value = fields.get(field).or_else(|| {
            fields
                .iter()
                .find(|(name, _)| name.to_lowercase() == field.to_lowercase())
                .map(|(_, value)| value)
        });
        let Some(value) = value.filter(|v| !v.is_null() && v.as_str() != Some("")) else {
            continue;
        };
        match answer_from(&question.kind, value) {
            Some(answer) => {
                answers.insert(question.key.clone(), answer);
            }
            None => notes.push(Note::new(
                "answer_dropped",
                format!("{}: {}", question.key, value),
                format!(
                    "\"{value}\" in \"{field}\" is not an answer to \"{}\"; left out",
                    question.key
                ),
            )),
        }
    }
    // Imported drawings need not answer what the file does not say.
    let optional: Vec<_> = symbol
        .questions
        .iter()
        .cloned()
        .map(|mut q| {
            q.required = false;
            q
        })
        .collect();
    for _ in 0..=optional.len() {
        match check_answers(&optional, &answers, "") {
            Ok(kept) => return kept,
            Err(errors) => {
                for error in errors {
                    let key = error.pointer.trim_start_matches('/').to_owned();
                    if let Some(value) = answers.remove(&key) {
                        notes.push(Note::new(
                            "answer_dropped",
                            format!("{key}: {value}"),
                            format!("the answer to \"{key}\" is left out: {}", error.detail),
                        ));
                    }
                }
            }
        }
    }
    crate::domain::question::Answers::new()
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
                    answers: ready.answers,
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
mod adversarial;
#[cfg(test)]
mod losses;
#[cfg(test)]
mod tests;
