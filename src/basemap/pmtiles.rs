//! PMTiles v3 (<https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>), read with
//! the `pmtiles` crate over a backend of our own that reads the file at an offset
//! (`pread`). The crate's own file backend maps the file into memory, and a file cut or
//! replaced under a mapping stops the process (SIGBUS); a positional read of a shortened file
//! is only a short read, an error for that one tile. The kernel's page cache keeps what is
//! read often, so memory stays flat whatever the file's size.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use ::pmtiles::{
    AsyncBackend, AsyncPmTilesReader, BackendResponse, Compression, PmtError, PmtResult, TileCoord,
    TileType,
};
use bytes::Bytes;
use futures::TryStreamExt;

use super::grid::Tile;
use super::{BasemapError, Check, Description, TileFormat};

/// The file, read at offsets on the blocking pool.
struct FileBackend {
    file: Arc<File>,
}

impl AsyncBackend for FileBackend {
    async fn read(&self, offset: u64, length: usize) -> PmtResult<BackendResponse> {
        let file = self.file.clone();
        let bytes = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0u8; length];
            let mut filled = 0;
            while filled < length {
                match file.read_at(&mut buffer[filled..], offset + filled as u64) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(PmtError::Reading(e)),
                }
            }
            buffer.truncate(filled);
            Ok(Bytes::from(buffer))
        })
        .await
        .map_err(|e| PmtError::Reading(std::io::Error::other(e)))??;
        Ok(BackendResponse::new(bytes))
    }
}

pub(super) struct PmTiles {
    reader: Arc<AsyncPmTilesReader<FileBackend>>,
    path: String,
}

impl PmTiles {
    /// `name` is how errors call the file.
    pub(super) async fn open(
        path: &Path,
        name: &str,
        file_len: u64,
        check: Check,
    ) -> Result<(Self, Description), BasemapError> {
        let shown = name.to_owned();
        let broken = |reason: String| BasemapError::PmTiles {
            path: shown.clone(),
            reason,
        };
        let file = File::open(path).map_err(|e| BasemapError::io(path, e))?;
        let reader = AsyncPmTilesReader::try_from_source(FileBackend {
            file: Arc::new(file),
        })
        .await
        .map_err(|e| match e {
            PmtError::UnsupportedPmTilesVersion => {
                broken("it is not version 3 (convert it with `pmtiles convert`)".to_owned())
            }
            other => broken(format!("its header or root directory is broken ({other})")),
        })?;
        if sections_end(path).map_err(|e| BasemapError::io(path, e))? > file_len {
            return Err(BasemapError::Truncated(shown));
        }
        let header = reader.get_header();
        let format = match header.tile_type {
            TileType::Png => TileFormat::Png,
            TileType::Jpeg => TileFormat::Jpeg,
            TileType::Webp => TileFormat::Webp,
            TileType::Mvt => TileFormat::Pbf,
            other => {
                return Err(broken(format!(
                    "its tiles are {other:?}, which Trama does not serve (PNG, JPEG, WebP or vector tiles)"
                )));
            }
        };
        let gzipped = match header.tile_compression {
            Compression::None => false,
            Compression::Gzip => true,
            Compression::Unknown if !format.is_vector() => false,
            other => {
                return Err(broken(format!(
                    "its tiles are compressed as {other:?}; browsers are served gzip or nothing (convert with `pmtiles convert`)"
                )));
            }
        };
        let bounds = [
            header.min_longitude,
            header.min_latitude,
            header.max_longitude,
            header.max_latitude,
        ];
        if !(bounds.iter().all(|b| b.is_finite()) && bounds[0] < bounds[2] && bounds[1] < bounds[3])
        {
            return Err(broken(format!("its bounds are not an area ({bounds:?})")));
        }
        let (min_zoom, max_zoom) = (
            header.min_zoom.min(super::grid::MAX_ZOOM),
            header.max_zoom.min(super::grid::MAX_ZOOM),
        );
        let center = if header.center_zoom == 0
            && header.center_longitude == 0.0
            && header.center_latitude == 0.0
        {
            Description::centred(bounds, min_zoom, max_zoom)
        } else {
            [
                header.center_longitude,
                header.center_latitude,
                f64::from(header.center_zoom),
            ]
        };
        let metadata: serde_json::Value = reader
            .get_metadata()
            .await
            .ok()
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default();
        let text = |key: &str| {
            metadata
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let description = Description {
            format,
            gzipped,
            min_zoom,
            max_zoom,
            bounds,
            center,
            name: text("name"),
            attribution: text("attribution"),
            vector_layers: metadata.get("vector_layers").cloned(),
        };

        let reader = Arc::new(reader);
        let archive = Self {
            reader: reader.clone(),
            path: shown.clone(),
        };
        // One tile read proves the directories lead to data; at upload, every directory is
        // walked (a broken leaf would otherwise show only as missing tiles).
        let mut entries = reader.entries();
        match check {
            Check::Quick => {
                let first = entries
                    .try_next()
                    .await
                    .map_err(|e| broken(format!("a directory is broken ({e})")))?;
                let Some(first) = first else {
                    return Err(BasemapError::NoTiles(shown));
                };
                let coord: TileCoord = first
                    .iter_coords()
                    .next()
                    .ok_or_else(|| BasemapError::NoTiles(shown.clone()))?
                    .into();
                let tile = Tile::new(coord.z(), coord.x(), coord.y())
                    .ok_or_else(|| broken(format!("a tile is outside the grid ({coord:?})")))?;
                archive.tile(tile).await?;
            }
            Check::Thorough => {
                let count = entries
                    .try_fold(0u64, |n, _| async move { Ok(n + 1) })
                    .await
                    .map_err(|e| broken(format!("a directory is broken ({e})")))?;
                if count == 0 {
                    return Err(BasemapError::NoTiles(shown));
                }
            }
        }
        Ok((archive, description))
    }

    pub(super) async fn tile(&self, tile: Tile) -> Result<Option<Bytes>, BasemapError> {
        let coord = TileCoord::new(tile.z, tile.x, tile.y).map_err(|e| BasemapError::PmTiles {
            path: self.path.clone(),
            reason: format!("tile {tile}: {e}"),
        })?;
        self.reader
            .get_tile(coord)
            .await
            .map(|data| data.filter(|d| !d.is_empty()))
            .map_err(|e| BasemapError::PmTiles {
                path: self.path.clone(),
                reason: format!("tile {tile} could not be read ({e})"),
            })
    }
}

/// Where the archive's last section ends, by its header: the v3 header's offsets and
/// lengths of the root directory, metadata, leaf directories and tile data are little-endian
/// u64 pairs from byte 8 (spec §3.1). Read here because the crate keeps them private, and a
/// file cut short is otherwise found only tile by tile.
fn sections_end(path: &Path) -> std::io::Result<u64> {
    let mut header = [0u8; 72];
    File::open(path)?.read_exact_at(&mut header, 0)?;
    let number = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&header[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    Ok((0..4)
        .map(|section| {
            let at = 8 + section * 16;
            number(at).saturating_add(number(at + 8))
        })
        .max()
        .unwrap_or(0))
}
