//! Exports of a stored project: the records an export request selects, made anonymous or
//! aggregated as its privacy level says (`domain::export`), as layers of rows (`layers`) that
//! the format writers (`geojson`, `csv`, `kml` streamed; `gpkg`, `fgb` into a file) write out.
//! Memory stays flat: rows are read, changed and written one at a time.

mod archive;
mod csv;
mod family;
mod fgb;
mod geojson;
mod gpkg;
mod kml;
pub mod layers;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use chrono::Utc;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use geo::Geometry;
use serde_json::Value;

use crate::domain::export::{Masking, Privacy, metadata};
use crate::domain::feature::FeatureFilter;
use crate::domain::geometry::FeatureGeometry;
use crate::domain::project::Project;
use crate::store::StoreError;

pub use archive::write_archive;
pub use family::GeometryFamily;
pub use fgb::write_flatgeobuf;
pub use gpkg::write_geopackage;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the GeoPackage: {0}")]
    GeoPackage(#[from] sqlx::Error),
    #[error("{0}")]
    Refused(String),
}

pub type ExportResult<T> = Result<T, ExportError>;

/// The photos and voice notes of a project, for a full GeoPackage: each one's row, and a
/// reader of its bytes (the engine reads no folder itself). Only those of the drawings the
/// export holds are written.
pub struct AttachedFiles {
    pub attachments: Vec<crate::domain::attachment::Attachment>,
    pub read: ReadAttachment,
}

/// Reads an attachment's bytes (its photo, or its voice note's sound).
pub type ReadAttachment =
    Arc<dyn Fn(&crate::domain::attachment::Attachment) -> std::io::Result<Vec<u8>> + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Csv,
    GeoPackage,
    Kml,
    FlatGeobuf,
}

impl Format {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "geojson" => Some(Format::GeoJson),
            "csv" => Some(Format::Csv),
            "gpkg" => Some(Format::GeoPackage),
            "kml" => Some(Format::Kml),
            "fgb" => Some(Format::FlatGeobuf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Csv => "csv",
            Format::GeoPackage => "gpkg",
            Format::Kml => "kml",
            Format::FlatGeobuf => "fgb",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::GeoJson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::GeoPackage => "application/geopackage+sqlite3",
            Format::Kml => "application/vnd.google-earth.kml+xml",
            Format::FlatGeobuf => "application/flatgeobuf",
        }
    }
}

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// The drawings (at `aggregated`: counts per cell and symbol).
    Features,
    /// Saved priority zones (full exports only).
    Zones,
    /// Computed priority cells: scores and Gi* (aggregated or full).
    Cells,
    /// Comments and the tables' narratives (full exports only: they are free text).
    Annotations,
}

impl Content {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "features" => Some(Content::Features),
            "zones" => Some(Content::Zones),
            "cells" => Some(Content::Cells),
            "annotations" => Some(Content::Annotations),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Content::Features => "features",
            Content::Zones => "zones",
            Content::Cells => "cells",
            Content::Annotations => "annotations",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub content: Content,
    pub format: Format,
    pub privacy: Privacy,
    pub masking: Masking,
    /// Which features; hidden and deleted ones are never exported.
    pub filter: FeatureFilter,
    /// Language of the symbol labels.
    pub locale: String,
    /// Only the drawings of this type, promoted to its Multi type (`geometry=points`,
    /// `lines` or `polygons`). Without it a GeoPackage holds one table per type and the
    /// other formats one layer of mixed types.
    pub geometry: Option<GeometryFamily>,
    /// A ZIP of the data file and the photos and voice notes of its drawings beside it
    /// (`files=zip`; full exports of drawings only).
    pub with_files: bool,
}

impl ExportRequest {
    /// A file name that says what is inside: `lomas-features-anonymised-2026-11-28.gpkg`.
    pub fn file_name(&self, project: &Project) -> String {
        format!(
            "{}-{}-{}-{}.{}",
            project.slug,
            self.content.as_str(),
            self.privacy.as_str(),
            Utc::now().format("%Y-%m-%d"),
            self.format.extension()
        )
    }

    /// The file the export makes: [`Self::file_name`], or a ZIP of the same name holding it
    /// with the files beside it.
    pub fn download_name(&self, project: &Project) -> String {
        let name = self.file_name(project);
        match self.with_files {
            true => format!(
                "{}.zip",
                name.trim_end_matches(self.format.extension())
                    .trim_end_matches('.')
            ),
            false => name,
        }
    }
}

/// A typed attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Null,
    Text(String),
    Integer(i64),
    Real(f64),
    Boolean(bool),
    /// An instant (UTC): GeoPackage DATETIME, FlatGeobuf DateTime, RFC 3339 in text formats,
    /// always as `2026-09-12T14:03:07.123Z` (milliseconds and `Z`, as GDAL writes it): GDAL
    /// 3.6's FlatGeobuf reader refuses a DateTime longer than 32 characters, which the
    /// nanoseconds and `+00:00` of a default RFC 3339 string are (35).
    DateTime(chrono::DateTime<Utc>),
    /// A day, where the privacy level keeps no more: GeoPackage DATE, FlatGeobuf DateTime
    /// of the day, `YYYY-MM-DD` in text formats.
    Date(chrono::NaiveDate),
}

impl Field {
    /// The value as text formats write it; None for Null.
    pub fn text(&self) -> Option<String> {
        match self {
            Field::Null => None,
            Field::Text(t) => Some(t.clone()),
            Field::Integer(n) => Some(n.to_string()),
            Field::Real(x) => Some(x.to_string()),
            Field::Boolean(b) => Some(b.to_string()),
            Field::DateTime(at) => Some(instant(*at)),
            Field::Date(day) => Some(day.format("%Y-%m-%d").to_string()),
        }
    }
}

/// An instant as every export writes it: RFC 3339 in UTC with milliseconds and `Z`
/// (`2026-09-12T14:03:07.123Z`, 24 characters; see [`Field::DateTime`]).
pub fn instant(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl From<Option<&str>> for Field {
    fn from(value: Option<&str>) -> Self {
        value.map_or(Field::Null, |v| Field::Text(v.to_owned()))
    }
}

/// A column's type, so that GIS tools, R (`sf`) and pandas read numbers as numbers and
/// times as times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Real,
    /// True or false: GeoPackage BOOLEAN, FlatGeobuf Bool, JSON's true and false, `true`
    /// and `false` in text formats.
    Boolean,
    DateTime,
    Date,
}

/// A row's geometry: as stored (GeoJSON text, written out untouched where the format is
/// GeoJSON), or computed (masked, a cell).
#[derive(Debug, Clone)]
pub enum Shape {
    Stored(String),
    Geo(Geometry<f64>),
}

impl Shape {
    /// As a `geo` geometry, for the formats that need one (WKT, WKB, envelopes).
    pub fn geo(&self) -> Option<std::borrow::Cow<'_, Geometry<f64>>> {
        match self {
            Shape::Stored(text) => FeatureGeometry::parse_stored(text).map(std::borrow::Cow::Owned),
            Shape::Geo(g) => Some(std::borrow::Cow::Borrowed(g)),
        }
    }

    pub fn write_geojson(&self, out: &mut Vec<u8>) {
        match self {
            Shape::Stored(text) => out.extend_from_slice(text.as_bytes()),
            Shape::Geo(g) => out.extend_from_slice(
                FeatureGeometry::from_trusted(g.clone())
                    .to_geojson_string()
                    .as_bytes(),
            ),
        }
    }
}

/// One row of a layer: its attributes in the layer's column order, and its geometry.
#[derive(Debug, Clone)]
pub struct Row {
    pub fields: Vec<Field>,
    pub geometry: Option<Shape>,
}

/// A table of rows with one geometry column (WGS84), as every format has.
pub struct Layer {
    pub name: &'static str,
    /// Column names (fixed ones, or a legend's questions') and types.
    pub columns: Vec<(std::borrow::Cow<'static, str>, ColumnKind)>,
    /// Geometry type for the GeoPackage's geometry column (`GEOMETRY` when mixed); empty for
    /// a table without geometry (a GeoPackage attributes table).
    pub geometry_type: &'static str,
    /// Symbol keys and their `#rrggbb` colours, for formats with styles (KML).
    pub styles: Vec<(String, String)>,
    pub rows: BoxStream<'static, ExportResult<Row>>,
}

/// Rows written so far by an export (the CLI reports it when done).
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// An export's metadata (what it is, its privacy level and masking, when it was made) as
/// every format carries it.
pub fn metadata_of(request: &ExportRequest) -> Value {
    let mut meta = metadata(
        request.privacy,
        &request.masking,
        request.content.as_str(),
        Utc::now(),
    );
    if request.format == Format::Csv {
        meta["formula_guard"] = Value::String(csv::FORMULA_GUARD.to_owned());
        meta["geometry_columns"] = Value::String(csv::LONG_GEOMETRIES.to_owned());
    }
    meta
}

/// Counts the layers' rows in `count` as they stream.
pub fn counted(layers: &mut [Layer], count: &Arc<Counter>) {
    for layer in layers {
        let count = count.clone();
        let rows = std::mem::replace(&mut layer.rows, futures::stream::empty().boxed());
        layer.rows = rows
            .inspect_ok(move |_| {
                count.0.fetch_add(1, Ordering::Relaxed);
            })
            .boxed();
    }
}

/// The export as bytes, for formats that stream (GeoJSON, CSV).
pub fn stream(
    format: Format,
    mut layers: Vec<Layer>,
    meta: Value,
) -> BoxStream<'static, ExportResult<Bytes>> {
    let layer = layers.remove(0);
    match format {
        Format::GeoJson => geojson::write(layer, meta),
        Format::Csv => csv::write(layer),
        Format::Kml => kml::write(layer, meta),
        Format::GeoPackage | Format::FlatGeobuf => futures::stream::once(async {
            Err(ExportError::Refused(
                "GeoPackage and FlatGeobuf are written to a file first".into(),
            ))
        })
        .boxed(),
    }
}

/// Writes `layers` as `format` into a new file at `path` (a GeoPackage with `attached`'s files
/// of its drawings as its media table); returns the rows written.
///
/// # Errors
/// The format writer's; I/O errors.
pub async fn write_file(
    path: &std::path::Path,
    format: Format,
    mut layers: Vec<Layer>,
    meta: &Value,
    attached: Option<&AttachedFiles>,
) -> ExportResult<u64> {
    use tokio::io::AsyncWriteExt;
    let count = Arc::<Counter>::default();
    match format {
        Format::GeoPackage => write_geopackage(path, layers, meta, attached).await,
        Format::FlatGeobuf => match layers.is_empty() {
            true => Err(ExportError::Refused("no layer to export".into())),
            false => write_flatgeobuf(path, layers.remove(0), meta).await,
        },
        format => {
            counted(&mut layers, &count);
            let mut file = tokio::io::BufWriter::new(tokio::fs::File::create(path).await?);
            let mut chunks = stream(format, layers, meta.clone());
            while let Some(chunk) = chunks.next().await {
                file.write_all(&chunk?).await?;
            }
            file.flush().await?;
            Ok(count.get())
        }
    }
}
