//! Basemaps from files, for a workshop room with no internet: tiles read from an MBTiles
//! (1.3, <https://github.com/mapbox/mbtiles-spec>) or PMTiles v3
//! (<https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>) archive, raster (PNG,
//! JPEG, WebP) or vector (Mapbox Vector Tiles), described as TileJSON 3.0.0. No HTTP here:
//! `http::basemaps` serves what this module reads.
//!
//! - [`Basemap::open`] checks a file is a real archive with tiles, zoom levels and bounds, and
//!   says clearly what is wrong otherwise;
//! - [`Basemaps`] is the server's set: the operator's (`trama serve --basemap`) offered to every
//!   project, and each project's uploads, kept in the data directory;
//! - [`fetch`] downloads a project's area from an XYZ tile service into an MBTiles file, and
//!   [`convert`] writes an MBTiles archive as PMTiles.

pub mod convert;
pub mod fetch;
pub mod grid;
mod mbtiles;
pub mod places;
mod pmtiles;
mod public_only;
mod registry;
pub mod schema;

use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::Serialize;

pub use grid::{Tile, TileRange};
pub use registry::{Basemaps, Upload};

/// What a tile holds, from the archive's metadata (or, failing that, its first tile's bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TileFormat {
    Png,
    Jpeg,
    Webp,
    /// Mapbox Vector Tiles (protobuf), drawn in the browser.
    Pbf,
}

impl TileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            TileFormat::Png => "image/png",
            TileFormat::Jpeg => "image/jpeg",
            TileFormat::Webp => "image/webp",
            TileFormat::Pbf => "application/vnd.mapbox-vector-tile",
        }
    }

    /// The name MBTiles' `format` metadata and tile URLs give it (`png`, `jpg`, `webp`, `pbf`).
    pub fn extension(self) -> &'static str {
        match self {
            TileFormat::Png => "png",
            TileFormat::Jpeg => "jpg",
            TileFormat::Webp => "webp",
            TileFormat::Pbf => "pbf",
        }
    }

    pub fn is_vector(self) -> bool {
        self == TileFormat::Pbf
    }

    /// The format an MBTiles `format` metadata value names.
    fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "png" => Some(TileFormat::Png),
            "jpg" | "jpeg" => Some(TileFormat::Jpeg),
            "webp" => Some(TileFormat::Webp),
            "pbf" | "mvt" => Some(TileFormat::Pbf),
            _ => None,
        }
    }

    /// The format of a tile, from its first bytes (a gzip stream is taken for vector data, as
    /// MBTiles 1.3 stores `pbf` tiles gzipped).
    fn sniff(tile: &[u8]) -> Option<(Self, bool)> {
        match tile {
            [0x89, b'P', b'N', b'G', ..] => Some((TileFormat::Png, false)),
            [0xFF, 0xD8, 0xFF, ..] => Some((TileFormat::Jpeg, false)),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some((TileFormat::Webp, false)),
            [0x1F, 0x8B, ..] => Some((TileFormat::Pbf, true)),
            _ => None,
        }
    }
}

/// What a basemap offers, as TileJSON tells it.
#[derive(Debug, Clone, Serialize)]
pub struct Description {
    pub format: TileFormat,
    /// Tiles are stored gzipped (vector tiles): served with `Content-Encoding: gzip`.
    pub gzipped: bool,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]`, WGS84 degrees.
    pub bounds: [f64; 4],
    /// `[lon, lat, zoom]`.
    pub center: [f64; 3],
    /// The archive's own name, if it has one.
    pub name: Option<String>,
    /// Attribution as the archive gives it (HTML, as MBTiles and TileJSON allow).
    pub attribution: Option<String>,
    /// TileJSON `vector_layers` of a vector archive.
    pub vector_layers: Option<serde_json::Value>,
}

/// Most characters of a basemap's name and attribution, and bytes of its `vector_layers`, as
/// a file gives them: every page that shows the map carries them (a 5 MB attribution was in
/// every page).
const MAX_NAME: usize = 200;
const MAX_ATTRIBUTION: usize = 500;
const MAX_VECTOR_LAYERS: usize = 64 * 1024;

impl Description {
    /// The description within what pages carry: a name and an attribution cut to their
    /// length, `vector_layers` left out when larger than a real schema's.
    fn bounded(self) -> Self {
        let cut = |text: Option<String>, max: usize| {
            text.map(|t| t.chars().take(max).collect::<String>())
        };
        let layers_fit = |layers: &serde_json::Value| {
            serde_json::to_vec(layers).is_ok_and(|bytes| bytes.len() <= MAX_VECTOR_LAYERS)
        };
        Self {
            name: cut(self.name, MAX_NAME),
            attribution: cut(self.attribution, MAX_ATTRIBUTION),
            vector_layers: self.vector_layers.filter(layers_fit),
            ..self
        }
    }

    /// Centre from the bounds at the lowest zoom shown, where an archive gives none.
    fn centred(bounds: [f64; 4], min_zoom: u8, max_zoom: u8) -> [f64; 3] {
        let [w, s, e, n] = bounds;
        [
            (w + e) / 2.0,
            (s + n) / 2.0,
            f64::from(min_zoom.max(max_zoom.saturating_sub(3))),
        ]
    }
}

/// Why a file is not a basemap Trama can serve. Each message says what is wrong with the
/// file, for the admin who chose it.
#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    #[error(
        "{0} is neither an MBTiles file (SQLite) nor a PMTiles v3 archive: make one with QGIS's \"Generate XYZ tiles (MBTiles)\", `pmtiles extract`, or `trama basemap fetch`"
    )]
    NotAnArchive(String),
    #[error(
        "{0} is cut short: the file ends before its data does (an upload or copy that did not finish?)"
    )]
    Truncated(String),
    #[error("{path} is not a usable MBTiles file: {reason}")]
    MbTiles { path: String, reason: String },
    #[error("{path} is not a usable PMTiles archive: {reason}")]
    PmTiles { path: String, reason: String },
    #[error("{0} holds no tiles")]
    NoTiles(String),
    #[error("could not read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Refused for a reason a page says in the person's language (`domain::Refusal`).
    #[error(transparent)]
    Refused(crate::domain::Refusal),
}

impl BasemapError {
    /// This refusal as a page says it: its message's code and values (`domain::Refusal`),
    /// naming a file by its name only, never by where the server keeps it.
    pub fn said(&self) -> crate::domain::Refusal {
        use crate::domain::Refusal;
        let named = |code, path: &str| {
            let name = Path::new(path)
                .file_name()
                .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
            Refusal::new(code, self.to_string()).with("file", name)
        };
        match self {
            BasemapError::NotAnArchive(path) => named("basemap.not_an_archive", path),
            BasemapError::Truncated(path) => named("basemap.truncated", path),
            BasemapError::MbTiles { path, .. } => named("basemap.not_mbtiles", path),
            BasemapError::PmTiles { path, .. } => named("basemap.not_pmtiles", path),
            BasemapError::NoTiles(path) => named("basemap.no_tiles", path),
            BasemapError::Io { .. } => Refusal::new("basemap.failed", self.to_string()),
            BasemapError::Refused(refusal) => refusal.clone(),
        }
    }

    fn io(path: &Path, source: std::io::Error) -> Self {
        BasemapError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// How much of an archive [`Basemap::open`] reads to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Header, metadata, lengths and one tile: at every start.
    Quick,
    /// Also every page (SQLite's `quick_check`) or every directory (PMTiles): at upload.
    Thorough,
}

/// An open basemap archive, cheap to share (`Arc`). Reads are concurrent: a pool of read-only
/// SQLite connections, or a memory map of the PMTiles file (pages the kernel may drop: memory
/// stays flat whatever the file's size).
pub struct Basemap {
    /// Stable id in URLs: the operator file's stem, or an upload's UUID.
    pub id: String,
    /// What the pages' basemap switch shows.
    pub label: String,
    pub description: Description,
    /// Changes when the file does (size and modification time): the tiles' ETag prefix.
    pub version: String,
    pub path: PathBuf,
    archive: Archive,
    /// Its place names by language, read from its tiles at the first search.
    places:
        tokio::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<places::Gazetteer>>>,
}

enum Archive {
    MbTiles(mbtiles::MbTiles),
    PmTiles(pmtiles::PmTiles),
}

impl Basemap {
    /// Opens the archive at `path`, recognised by its first bytes, and checks it as `check`
    /// says. Errors name the file by its path.
    ///
    /// # Errors
    /// [`BasemapError`]: not an archive, cut short, a table or directory broken, no tiles.
    pub async fn open(
        path: &Path,
        id: String,
        label: String,
        check: Check,
    ) -> Result<Self, BasemapError> {
        let name = path.display().to_string();
        Self::open_named(path, &name, id, label, check).await
    }

    /// As [`Basemap::open`], errors calling the file `name` ("the uploaded file", not the
    /// server's scratch path).
    ///
    /// # Errors
    /// As [`Basemap::open`].
    pub async fn open_named(
        path: &Path,
        name: &str,
        id: String,
        label: String,
        check: Check,
    ) -> Result<Self, BasemapError> {
        let metadata = tokio::fs::metadata(path)
            .await
            .map_err(|e| BasemapError::io(path, e))?;
        let mut head = [0u8; 100];
        let read = {
            use tokio::io::AsyncReadExt;
            let mut file = tokio::fs::File::open(path)
                .await
                .map_err(|e| BasemapError::io(path, e))?;
            let mut read = 0;
            loop {
                match file.read(&mut head[read..]).await {
                    Ok(0) => break read,
                    Ok(n) => read += n,
                    Err(e) => return Err(BasemapError::io(path, e)),
                }
                if read == head.len() {
                    break read;
                }
            }
        };
        let head = &head[..read];
        let (archive, description) = if head.starts_with(b"SQLite format 3\0") {
            let (archive, description) =
                mbtiles::MbTiles::open(path, name, head, metadata.len(), check).await?;
            (Archive::MbTiles(archive), description)
        } else if head.starts_with(b"PMTiles") {
            let (archive, description) =
                pmtiles::PmTiles::open(path, name, metadata.len(), check).await?;
            (Archive::PmTiles(archive), description)
        } else {
            return Err(BasemapError::NotAnArchive(name.to_owned()));
        };
        let description = description.bounded();
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        Ok(Self {
            id,
            label,
            description,
            version: format!("{:x}-{:x}", metadata.len(), modified),
            path: path.to_owned(),
            archive,
            places: tokio::sync::Mutex::default(),
        })
    }

    /// The tile's bytes as stored (gzipped where [`Description::gzipped`]), or `None` where
    /// the archive has no such tile (outside its area or zooms, or an empty tile).
    ///
    /// # Errors
    /// The archive could not be read (a file changed or damaged under the server).
    pub async fn tile(&self, tile: Tile) -> Result<Option<Bytes>, BasemapError> {
        if tile.z < self.description.min_zoom || tile.z > self.description.max_zoom {
            return Ok(None);
        }
        match &self.archive {
            Archive::MbTiles(archive) => archive.tile(tile).await,
            Archive::PmTiles(archive) => archive.tile(tile).await,
        }
    }

    /// Its place names, in `lang` where the tiles have it: read from the tiles at the first
    /// search (a district's few hundred tiles), kept afterwards.
    ///
    /// # Errors
    /// The archive could not be read.
    pub async fn places(
        &self,
        lang: &str,
    ) -> Result<std::sync::Arc<places::Gazetteer>, BasemapError> {
        let lang = places::name_language(lang);
        let mut built = self.places.lock().await;
        if let Some(gazetteer) = built.get(lang) {
            return Ok(gazetteer.clone());
        }
        let gazetteer = std::sync::Arc::new(places::Gazetteer::build(self, lang).await?);
        built.insert(lang.to_owned(), gazetteer.clone());
        Ok(gazetteer)
    }

    /// The file's format, as its extension says it.
    pub fn extension(&self) -> &'static str {
        match self.archive {
            Archive::MbTiles(_) => "mbtiles",
            Archive::PmTiles(_) => "pmtiles",
        }
    }

    /// Closes the archive's connections (before its file is removed).
    pub async fn close(&self) {
        if let Archive::MbTiles(archive) = &self.archive {
            archive.close().await;
        }
    }

    /// The TileJSON 3.0.0 document (<https://github.com/mapbox/tilejson-spec/tree/master/3.0.0>)
    /// with `tiles_url` as its one tile URL template.
    pub fn tilejson(&self, tiles_url: String) -> tilejson::TileJSON {
        let d = &self.description;
        let mut tilejson = tilejson::tilejson! {
            tiles: vec![tiles_url],
            minzoom: d.min_zoom,
            maxzoom: d.max_zoom,
            bounds: tilejson::Bounds::new(d.bounds[0], d.bounds[1], d.bounds[2], d.bounds[3]),
            center: tilejson::Center::new(d.center[0], d.center[1], d.center[2] as u8),
            name: self.label.clone(),
        };
        tilejson.attribution = d.attribution.clone();
        if let Some(layers) = &d.vector_layers {
            tilejson.vector_layers = serde_json::from_value(layers.clone()).ok();
        }
        tilejson
            .other
            .insert("format".to_owned(), serde_json::json!(d.format));
        tilejson
    }
}

#[cfg(test)]
mod description_tests {
    use super::*;

    #[test]
    fn a_file_s_words_are_bounded_before_pages_carry_them() {
        let described = Description {
            format: TileFormat::Png,
            gzipped: false,
            min_zoom: 0,
            max_zoom: 3,
            bounds: [-58.5, -34.8, -58.3, -34.7],
            center: [-58.4, -34.75, 2.0],
            name: Some("n".repeat(10_000)),
            attribution: Some("<b>©</b>".repeat(700_000)),
            vector_layers: Some(serde_json::json!(["x".repeat(100_000)])),
        }
        .bounded();
        assert_eq!(described.name.map(|n| n.chars().count()), Some(MAX_NAME));
        assert_eq!(
            described.attribution.map(|a| a.chars().count()),
            Some(MAX_ATTRIBUTION)
        );
        assert_eq!(described.vector_layers, None);
    }
}
