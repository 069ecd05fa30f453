//! PMTiles v3 (<https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>), read with
//! the `pmtiles` crate over a backend of our own that reads the file at an offset
//! (`pread`). The crate's own file backend maps the file into memory, and a file cut or
//! replaced under a mapping stops the process (SIGBUS); a positional read of a shortened file
//! is only a short read, an error for that one tile. The kernel's page cache keeps what is
//! read often, so memory stays flat whatever the file's size.

use std::collections::HashSet;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ::pmtiles::{
    AsyncBackend, AsyncPmTilesReader, BackendResponse, Compression, PmtError, PmtResult, TileCoord,
    TileType,
};
use bytes::Bytes;
use futures::TryStreamExt;

use super::grid::Tile;
use super::{BasemapError, Check, Description, TileFormat};

/// Most bytes a directory (root or leaf) or the metadata may inflate to. A real leaf holds a
/// few thousand entries in tens of kilobytes; a 39 KB gzip bomb inflated to 40 MB, and its
/// entries to 649 MB, each time a tile under it was asked for.
const MAX_INFLATED_BYTES: u64 = 1024 * 1024;

/// Tiles read at once from one archive: each may inflate one directory (at most
/// `MAX_INFLATED_BYTES`, and its entries six times that), so that a crowd of requests cannot
/// add them up.
const CONCURRENT_READS: usize = 8;

/// The file, read at offsets on the blocking pool; a read of a directory or of the metadata
/// that would inflate past `MAX_INFLATED_BYTES` is refused before the crate inflates it.
struct FileBackend {
    file: Arc<File>,
    sections: Sections,
    /// Leaf directories already found within bounds, by offset: the crate keeps no directory,
    /// so each tile under a leaf reads it again, and checking it once is enough.
    checked: Arc<Mutex<HashSet<u64>>>,
}

/// Leaf directories remembered as checked, at most: past it, the set starts again.
const MAX_CHECKED: usize = 65_536;

impl AsyncBackend for FileBackend {
    async fn read(&self, offset: u64, length: usize) -> PmtResult<BackendResponse> {
        let file = self.file.clone();
        let sections = self.sections;
        let checked = self.checked.clone();
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
            let known = checked.lock().is_ok_and(|set| set.contains(&offset));
            if !known {
                sections.check_inflated(offset, &buffer)?;
                if sections.in_leaves(offset)
                    && let Ok(mut set) = checked.lock()
                {
                    if set.len() >= MAX_CHECKED {
                        set.clear();
                    }
                    set.insert(offset);
                }
            }
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
    reading: tokio::sync::Semaphore,
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
        let sections = Sections::read(&file).map_err(|e| BasemapError::io(path, e))?;
        let reader = AsyncPmTilesReader::try_from_source(FileBackend {
            file: Arc::new(file),
            sections,
            checked: Arc::default(),
        })
        .await
        .map_err(|e| match e {
            PmtError::UnsupportedPmTilesVersion => {
                broken("it is not version 3 (convert it with `pmtiles convert`)".to_owned())
            }
            other => broken(format!("its header or root directory is broken ({other})")),
        })?;
        if sections.end() > file_len {
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
            reading: tokio::sync::Semaphore::new(CONCURRENT_READS),
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
        let _turn = self
            .reading
            .acquire()
            .await
            .expect("the semaphore is never closed");
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

/// Where the archive's sections lie, by its header: the v3 header's offsets and lengths of
/// the root directory, metadata, leaf directories and tile data are little-endian u64 pairs
/// from byte 8, and the compression of directories and metadata is byte 97 (spec §3.1). Read
/// here because the crate keeps them private: a file cut short is otherwise found only tile
/// by tile, and a directory's inflated size only once it is inflated.
#[derive(Debug, Clone, Copy)]
struct Sections {
    /// (offset, length) of the root directory, metadata, leaf directories and tile data.
    spans: [(u64, u64); 4],
    /// Directories and metadata are gzipped (1 none, 2 gzip; others the crate refuses).
    gzipped: bool,
}

impl Sections {
    fn read(file: &File) -> std::io::Result<Self> {
        let mut header = [0u8; 98];
        file.read_exact_at(&mut header, 0)?;
        let number = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&header[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        let span = |section: usize| (number(8 + section * 16), number(16 + section * 16));
        Ok(Self {
            spans: [span(0), span(1), span(2), span(3)],
            gzipped: header[97] == 2,
        })
    }

    /// Whether a read at `offset` is within the leaf directories.
    fn in_leaves(self, offset: u64) -> bool {
        let (start, length) = self.spans[2];
        offset >= start && offset < start.saturating_add(length)
    }

    /// Where the last section ends.
    fn end(self) -> u64 {
        self.spans
            .iter()
            .map(|(offset, length)| offset.saturating_add(*length))
            .max()
            .unwrap_or(0)
    }

    /// Refuses `bytes`, read at `offset`, when the root directory, the metadata or a leaf
    /// directory within them would inflate past `MAX_INFLATED_BYTES`. The crate reads the
    /// root with the header (the first 16 KB), the metadata whole and a leaf exactly.
    fn check_inflated(self, offset: u64, bytes: &[u8]) -> PmtResult<()> {
        if !self.gzipped {
            return Ok(());
        }
        let read_end = offset.saturating_add(bytes.len() as u64);
        let [root, metadata, leaves, _] = self.spans;
        for (start, length) in [root, metadata] {
            let end = start.saturating_add(length);
            if length > 0 && start >= offset && end <= read_end {
                let part = &bytes[(start - offset) as usize..(end - offset) as usize];
                refuse_bomb(part)?;
            }
        }
        if offset >= leaves.0 && read_end <= leaves.0.saturating_add(leaves.1) {
            refuse_bomb(bytes)?;
        }
        Ok(())
    }
}

/// Inflates gzipped `bytes` into nothing, counting, and refuses them past
/// `MAX_INFLATED_BYTES`; the crate then inflates them for real.
fn refuse_bomb(bytes: &[u8]) -> PmtResult<()> {
    use std::io::Read;
    let mut inflated = flate2::read::GzDecoder::new(bytes).take(MAX_INFLATED_BYTES + 1);
    let size = std::io::copy(&mut inflated, &mut std::io::sink()).map_err(PmtError::Reading)?;
    if size > MAX_INFLATED_BYTES {
        return Err(PmtError::Reading(std::io::Error::other(format!(
            "a directory or the metadata inflates to more than {} MB",
            MAX_INFLATED_BYTES / (1024 * 1024)
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).expect("gzip");
        encoder.finish().expect("gzip")
    }

    /// A PMTiles v3 archive whose root points to one leaf directory that says it holds
    /// `entries` entries, padded with zeros: tens of kilobytes gzipped, tens of megabytes
    /// inflated, and the crate's entries six times that.
    fn leaf_bomb(entries: u32) -> Vec<u8> {
        let mut leaf = Vec::new();
        let mut n = entries;
        while n >= 0x80 {
            leaf.push((n as u8 & 0x7F) | 0x80);
            n >>= 7;
        }
        leaf.push(n as u8);
        leaf.resize(leaf.len() + 4 * entries as usize, 0);
        let leaf = gzip(&leaf);
        // One entry: tile id 0, run length 0 (a leaf), its length, offset 0 (written + 1).
        let mut root = vec![1, 0, 0];
        let mut length = leaf.len() as u64;
        while length >= 0x80 {
            root.push((length as u8 & 0x7F) | 0x80);
            length >>= 7;
        }
        root.push(length as u8);
        root.push(1);
        let root = gzip(&root);
        let mut file = Vec::new();
        file.extend_from_slice(b"PMTiles");
        file.push(3);
        let root_at = 127u64;
        let leaves_at = root_at + root.len() as u64;
        let data_at = leaves_at + leaf.len() as u64;
        for number in [
            root_at,
            root.len() as u64,
            data_at,
            0,
            leaves_at,
            leaf.len() as u64,
            data_at,
            0,
            1,
            1,
            1,
        ] {
            file.extend_from_slice(&number.to_le_bytes());
        }
        // Clustered, gzipped directories, tiles uncompressed PNG, zooms 0-3.
        file.extend_from_slice(&[1, 2, 1, 2, 0, 3]);
        for degrees in [-58.6f64, -34.9, -58.2, -34.6] {
            file.extend_from_slice(&((degrees * 1e7) as i32).to_le_bytes());
        }
        file.push(0);
        file.extend_from_slice(&((-58.4f64 * 1e7) as i32).to_le_bytes());
        file.extend_from_slice(&((-34.7f64 * 1e7) as i32).to_le_bytes());
        assert_eq!(file.len(), 127);
        file.extend_from_slice(&root);
        file.extend_from_slice(&leaf);
        file
    }

    #[tokio::test]
    async fn a_leaf_directory_bomb_is_refused_before_it_is_inflated() {
        let bomb = leaf_bomb(10_000_000);
        assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
        let dir = tempfile::TempDir::new().expect("dir");
        let path = dir.path().join("bomb.pmtiles");
        std::fs::write(&path, &bomb).expect("write");
        for check in [Check::Thorough, Check::Quick] {
            let refused = PmTiles::open(&path, "bomb.pmtiles", bomb.len() as u64, check)
                .await
                .err()
                .expect("refused");
            assert!(
                refused.to_string().contains("inflates to more than 1 MB"),
                "{refused}"
            );
        }
    }
}
