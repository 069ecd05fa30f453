//! MBTiles 1.3 (<https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md>): a SQLite
//! file with a `metadata` table of names and values and a `tiles` table (or view) of
//! `zoom_level, tile_column, tile_row, tile_data`, rows counted from the south (TMS). Read
//! through sqlx, read-only; a missing `bounds`, `minzoom` or `maxzoom` is computed from the
//! tiles, as GDAL and QGIS write files without some of them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use super::grid::Tile;
use super::{BasemapError, Check, Description, TileFormat};

pub(super) struct MbTiles {
    pool: SqlitePool,
    path: String,
    /// How long each query may run now, in milliseconds: `CHECK_QUERY_LIMIT` while the
    /// file is checked, `TILE_QUERY_LIMIT` once it serves.
    limit_ms: Arc<AtomicU64>,
}

/// How long one query over the whole file may run while it is checked (at upload and at
/// start): a quick check of a 4 GB file, a scan of a million tiles.
const CHECK_QUERY_LIMIT: Duration = Duration::from_secs(60);

/// How long one tile's query may run: a real one takes well under a millisecond, even
/// through the view over `map` and `images` that mb-util writes.
const TILE_QUERY_LIMIT: Duration = Duration::from_secs(1);

/// Gives every query on `connection` until `limit_ms` from now: SQLite's progress handler
/// interrupts it past that, so that an uploaded view that never ends (a recursive one, a
/// cross join of millions of rows) costs a bounded time, not a core until restart. Called
/// each time the pool hands the connection out, i.e. once per query here.
async fn deadline(
    connection: &mut sqlx::SqliteConnection,
    limit_ms: &AtomicU64,
) -> Result<(), sqlx::Error> {
    let until = Instant::now() + Duration::from_millis(limit_ms.load(Ordering::Relaxed));
    connection
        .lock_handle()
        .await?
        .set_progress_handler(10_000, move || Instant::now() < until);
    Ok(())
}

/// Most bytes of one tile: a real map's tiles are tens of kilobytes (vector tiles are
/// advised to stay under 500 KB).
pub const MAX_TILE_BYTES: usize = 4_000_000;

impl MbTiles {
    /// `name` is how errors call the file; `head` its first 100 bytes.
    pub(super) async fn open(
        path: &Path,
        name: &str,
        head: &[u8],
        file_len: u64,
        check: Check,
    ) -> Result<(Self, Description), BasemapError> {
        let shown = name.to_owned();
        if sqlite_size(head).is_some_and(|size| size > file_len) {
            return Err(BasemapError::Truncated(shown));
        }
        let broken = |reason: String| BasemapError::MbTiles {
            path: shown.clone(),
            reason,
        };
        // Data only: views and triggers of an uploaded file may not call functions that are
        // not innocuous (SQLite's `trusted_schema`).
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .create_if_missing(false)
            .pragma("trusted_schema", "OFF");
        let limit_ms = Arc::new(AtomicU64::new(CHECK_QUERY_LIMIT.as_millis() as u64));
        let (on_connect, on_acquire) = (limit_ms.clone(), limit_ms.clone());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .after_connect(move |connection, _| {
                let limit_ms = on_connect.clone();
                Box::pin(async move { deadline(connection, &limit_ms).await })
            })
            .before_acquire(move |connection, _| {
                let limit_ms = on_acquire.clone();
                Box::pin(async move { deadline(connection, &limit_ms).await.map(|()| true) })
            })
            .connect_with(options)
            .await
            .map_err(|e| broken(e.to_string()))?;
        let archive = Self {
            pool,
            path: shown.clone(),
            limit_ms,
        };

        if check == Check::Thorough {
            let verdict: String = archive
                .scalar("PRAGMA quick_check")
                .await
                .map_err(&broken)?;
            if verdict != "ok" {
                return Err(broken(format!("SQLite finds it damaged ({verdict})")));
            }
        }

        let metadata: HashMap<String, String> = sqlx::query("SELECT name, value FROM metadata")
            .fetch_all(&archive.pool)
            .await
            .map_err(|e| broken(format!("no readable metadata table ({e})")))?
            .into_iter()
            .filter_map(|row| Some((row.try_get(0).ok()?, row.try_get(1).ok()?)))
            .collect();
        let extent = sqlx::query("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles")
            .fetch_one(&archive.pool)
            .await
            .map_err(|e| broken(format!("no readable tiles table ({e})")))?;
        let (Some(min_stored), Some(max_stored)) = (
            extent.try_get::<Option<i64>, _>(0).ok().flatten(),
            extent.try_get::<Option<i64>, _>(1).ok().flatten(),
        ) else {
            return Err(BasemapError::NoTiles(shown));
        };
        let deepest = i64::from(super::grid::MAX_ZOOM);
        if min_stored < 0 || max_stored > deepest {
            return Err(broken(format!(
                "its tiles have zoom levels {min_stored} to {max_stored}, outside 0 to {deepest}"
            )));
        }
        let zoom = |name: &str, stored: i64| {
            metadata
                .get(name)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .unwrap_or(stored)
                .clamp(0, i64::from(super::grid::MAX_ZOOM)) as u8
        };
        let (min_zoom, max_zoom) = (zoom("minzoom", min_stored), zoom("maxzoom", max_stored));

        // One tile, to know the format where the metadata does not say and to prove tiles read.
        let sample: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT CASE WHEN length(tile_data) <= $2 THEN tile_data END \
             FROM tiles WHERE zoom_level = $1 LIMIT 1",
        )
        .bind(max_stored)
        .bind(MAX_TILE_BYTES as i64)
        .fetch_one(&archive.pool)
        .await
        .map_err(|e| broken(format!("its tiles cannot be read ({e})")))?;
        let sample = sample.ok_or_else(|| {
            broken(format!(
                "a tile is larger than {} MB: no map's tile is",
                MAX_TILE_BYTES / 1_000_000
            ))
        })?;
        let sniffed = TileFormat::sniff(&sample);
        let format = metadata
            .get("format")
            .and_then(|f| TileFormat::from_name(f))
            .or(sniffed.map(|(f, _)| f))
            .ok_or_else(|| {
                broken(format!(
                    "its tiles are in a format Trama does not serve ({})",
                    metadata.get("format").map_or("unnamed", String::as_str)
                ))
            })?;
        let gzipped = format.is_vector() && sample.starts_with(&[0x1F, 0x8B]);

        let given = metadata
            .get("bounds")
            .and_then(|b| parse_numbers::<4>(b))
            .filter(|b| b[0] < b[2] && b[1] < b[3]);
        let bounds = match given {
            Some(bounds) => bounds,
            None => archive.stored_bounds(max_stored).await.map_err(&broken)?,
        };
        let center = metadata
            .get("center")
            .and_then(|c| parse_numbers::<3>(c))
            .unwrap_or_else(|| Description::centred(bounds, min_zoom, max_zoom));
        let vector_layers = metadata
            .get("json")
            .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
            .and_then(|json| json.get("vector_layers").cloned());
        let description = Description {
            format,
            gzipped,
            min_zoom,
            max_zoom,
            bounds,
            center,
            name: metadata.get("name").cloned(),
            attribution: metadata.get("attribution").cloned(),
            vector_layers,
        };
        archive
            .limit_ms
            .store(TILE_QUERY_LIMIT.as_millis() as u64, Ordering::Relaxed);
        Ok((archive, description))
    }

    async fn scalar<T>(&self, sql: &'static str) -> Result<T, String>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
    {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| e.to_string())
    }

    /// The WGS84 extent of the tiles at zoom `z`.
    async fn stored_bounds(&self, z: i64) -> Result<[f64; 4], String> {
        let row = sqlx::query(
            "SELECT MIN(tile_column), MAX(tile_column), MIN(tile_row), MAX(tile_row) \
             FROM tiles WHERE zoom_level = ?",
        )
        .bind(z)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| e.to_string())?;
        let get = |i: usize| row.try_get::<i64, _>(i).map_err(|e| e.to_string());
        let outside = || format!("its tiles at zoom {z} are outside the grid");
        let north_west = Tile::from_tms(z, get(0)?, get(3)?).ok_or_else(outside)?;
        let south_east = Tile::from_tms(z, get(1)?, get(2)?).ok_or_else(outside)?;
        let [west, _, _, north] = north_west.bounds();
        let [_, south, east, _] = south_east.bounds();
        Ok([west, south, east, north])
    }

    /// A tile's bytes; a tile over [`MAX_TILE_BYTES`] is an error, never read whole (a view of
    /// `zeroblob` served a 900 MB tile).
    pub(super) async fn tile(&self, tile: Tile) -> Result<Option<Bytes>, BasemapError> {
        let failed = |reason: String| BasemapError::MbTiles {
            path: self.path.clone(),
            reason,
        };
        let found: Option<(Option<Vec<u8>>, Option<i64>)> = sqlx::query_as(
            "SELECT CASE WHEN length(tile_data) <= $4 THEN tile_data END, length(tile_data) \
             FROM tiles WHERE zoom_level = $1 AND tile_column = $2 AND tile_row = $3",
        )
        .bind(i64::from(tile.z))
        .bind(i64::from(tile.x))
        .bind(i64::from(tile.tms_row()))
        .bind(MAX_TILE_BYTES as i64)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| failed(format!("tile {tile} could not be read ({e})")))?;
        match found {
            None => Ok(None),
            Some((Some(data), _)) => Ok((!data.is_empty()).then(|| Bytes::from(data))),
            Some((None, None)) => Ok(None),
            Some((None, Some(length))) => Err(failed(format!(
                "tile {tile} is {length} bytes, more than a tile may be ({MAX_TILE_BYTES})"
            ))),
        }
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }
}

/// The database's size in bytes as its header says, where the header's count is current:
/// page size (big-endian u16 at 16, 1 meaning 65,536) times page count (u32 at 28), valid when
/// the change counter (24) equals "version valid for" (92) (SQLite file format §1.3). Read by
/// hand because SQLite itself reports a file cut short only as "malformed", and only when it
/// reaches the missing pages.
fn sqlite_size(head: &[u8]) -> Option<u64> {
    let u32_at = |at: usize| Some(u32::from_be_bytes(head.get(at..at + 4)?.try_into().ok()?));
    let page_size = match u16::from_be_bytes(head.get(16..18)?.try_into().ok()?) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(u32_at(28)?);
    (u32_at(24)? == u32_at(92)? && pages > 0).then_some(page_size * pages)
}

/// `N` numbers separated by commas, as MBTiles writes `bounds` and `center`.
fn parse_numbers<const N: usize>(text: &str) -> Option<[f64; N]> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An MBTiles whose `tiles` is a view of one tile of `bytes` bytes of `zeroblob`.
    fn zeroblob_archive(dir: &tempfile::TempDir, bytes: u64) -> std::path::PathBuf {
        let path = dir.path().join(format!("zeroblob-{bytes}.mbtiles"));
        let db = rusqlite::Connection::open(&path).expect("create");
        db.execute_batch(&format!(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             INSERT INTO metadata VALUES ('format', 'png');
             CREATE VIEW tiles AS SELECT 3 AS zoom_level, 1 AS tile_column, 2 AS tile_row,
                 zeroblob({bytes}) AS tile_data;"
        ))
        .expect("schema");
        path
    }

    async fn open_archive(path: &std::path::Path) -> Result<MbTiles, BasemapError> {
        let head = std::fs::read(path).expect("read");
        let length = head.len() as u64;
        MbTiles::open(path, "x.mbtiles", &head[..100], length, Check::Thorough)
            .await
            .map(|(archive, _)| archive)
    }

    #[tokio::test]
    async fn a_huge_tile_is_refused_without_being_read_whole() {
        // A view of 900 MB zeroblobs took 3.46 GB at upload and at every start.
        let dir = tempfile::TempDir::new().expect("dir");
        let refused = open_archive(&zeroblob_archive(&dir, 900_000_000))
            .await
            .err()
            .expect("refused");
        let said = refused.to_string();
        assert!(
            said.contains("larger than 4 MB") || said.contains("cannot be read"),
            "{said}"
        );
    }

    #[tokio::test]
    async fn a_view_that_never_ends_is_interrupted() {
        // A view whose tile at column 5 is an endless recursion kept a core busy until
        // restart. The checks at opening read other tiles and pass.
        let dir = tempfile::TempDir::new().expect("dir");
        let path = dir.path().join("endless.mbtiles");
        let db = rusqlite::Connection::open(&path).expect("create");
        db.execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             INSERT INTO metadata VALUES ('format', 'png'), ('bounds', '-180,-85,180,85');
             CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER);
             INSERT INTO map VALUES (3, 1, 2), (3, 5, 2);
             CREATE VIEW tiles AS SELECT zoom_level, tile_column, tile_row,
                 CASE WHEN tile_column = 5 THEN (WITH RECURSIVE n(i) AS
                     (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n)
                 ELSE x'89504E470D0A1A0A' END AS tile_data FROM map;",
        )
        .expect("schema");
        drop(db);
        let archive = open_archive(&path).await.expect("opens");
        let started = Instant::now();
        let endless = Tile::new(3, 5, 5).expect("tile");
        let refused = tokio::time::timeout(Duration::from_secs(30), archive.tile(endless))
            .await
            .expect("the query is interrupted, not left running")
            .expect_err("refused");
        assert!(refused.to_string().contains("interrupted"), "{refused}");
        assert!(
            started.elapsed() < TILE_QUERY_LIMIT * 3,
            "{:?}",
            started.elapsed()
        );
        // The connection serves the next tile as before.
        let fine = Tile::new(3, 1, 5).expect("tile");
        assert!(archive.tile(fine).await.expect("read").is_some());
    }

    #[test]
    fn metadata_numbers_are_read_or_refused() {
        assert_eq!(
            parse_numbers::<4>("-58.5, -34.8,-58.3,-34.7"),
            Some([-58.5, -34.8, -58.3, -34.7])
        );
        assert_eq!(parse_numbers::<4>("-58.5,-34.8,-58.3"), None);
        assert_eq!(parse_numbers::<3>("a,b,c"), None);
    }
}
