//! Writes an MBTiles archive as PMTiles v3, tile for tile (the bytes are copied, never
//! re-encoded: the same tile from either file is the same bytes). With the `pmtiles` crate's
//! writer; tiles are added in Hilbert order (the tile id), as the spec's clustered archives
//! need for one read per tile.

use crate::domain::Refusal;
use std::fs::File;
use std::path::Path;

use ::pmtiles::{Compression, PmTilesWriter, TileCoord, TileId, TileType};

use super::{Basemap, BasemapError, Check, Tile, TileFormat};

/// Writes the MBTiles file at `from` as a PMTiles archive at `to`; returns the tiles written.
///
/// # Errors
/// `from` is not a usable MBTiles file; `to` cannot be written.
pub async fn mbtiles_to_pmtiles(from: &Path, to: &Path) -> Result<u64, BasemapError> {
    let source = Basemap::open(from, "source".into(), String::new(), Check::Thorough).await?;
    if source.extension() != "mbtiles" {
        return Err(BasemapError::Refused(Refusal::new(
            "basemap.already_pmtiles",
            format!("{} is already a PMTiles archive", from.display()),
        )));
    }
    let description = source.description.clone();
    source.close().await;
    let (from, to) = (from.to_owned(), to.to_owned());
    tokio::task::spawn_blocking(move || {
        let failed = |reason: String| BasemapError::MbTiles {
            path: from.display().to_string(),
            reason,
        };
        let db = rusqlite::Connection::open_with_flags(
            &from,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .map_err(|e| failed(e.to_string()))?;
        let mut keys: Vec<(u64, Tile)> = Vec::new();
        {
            let mut rows = db
                .prepare("SELECT zoom_level, tile_column, tile_row FROM tiles")
                .map_err(|e| failed(e.to_string()))?;
            let mut rows = rows.query([]).map_err(|e| failed(e.to_string()))?;
            while let Some(row) = rows.next().map_err(|e| failed(e.to_string()))? {
                let (z, x, row): (i64, i64, i64) = (
                    row.get(0).map_err(|e| failed(e.to_string()))?,
                    row.get(1).map_err(|e| failed(e.to_string()))?,
                    row.get(2).map_err(|e| failed(e.to_string()))?,
                );
                let Some(tile) = Tile::from_tms(z, x, row) else {
                    continue;
                };
                let Ok(coord) = TileCoord::new(tile.z, tile.x, tile.y) else {
                    continue;
                };
                keys.push((TileId::from(coord).value(), tile));
            }
        }
        keys.sort_unstable_by_key(|(id, _)| *id);

        let tile_type = match description.format {
            TileFormat::Png => TileType::Png,
            TileFormat::Jpeg => TileType::Jpeg,
            TileFormat::Webp => TileType::Webp,
            TileFormat::Pbf => TileType::Mvt,
        };
        let compression = if description.gzipped {
            Compression::Gzip
        } else {
            Compression::None
        };
        let [west, south, east, north] = description.bounds;
        let mut metadata = serde_json::json!({});
        for (key, value) in [
            ("name", description.name.clone().map(serde_json::Value::from)),
            ("attribution", description.attribution.clone().map(Into::into)),
            ("vector_layers", description.vector_layers.clone()),
        ] {
            if let Some(value) = value {
                metadata[key] = value;
            }
        }
        let output = File::create(&to).map_err(|e| BasemapError::io(&to, e))?;
        let mut writer = PmTilesWriter::new(tile_type)
            .precompressed(compression)
            .min_zoom(description.min_zoom)
            .max_zoom(description.max_zoom)
            .bounds(west, south, east, north)
            .center(description.center[0], description.center[1])
            .center_zoom(description.center[2] as u8)
            .metadata(metadata.to_string())
            .create(output)
            .map_err(|e| BasemapError::Refused(Refusal::new("basemap.failed", format!("could not start {}: {e}", to.display()))))?;
        let mut select = db
            .prepare(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            )
            .map_err(|e| failed(e.to_string()))?;
        let mut written = 0u64;
        for (_, tile) in keys {
            let data: Vec<u8> = select
                .query_row((tile.z, tile.x, tile.tms_row()), |row| row.get(0))
                .map_err(|e| failed(e.to_string()))?;
            if data.is_empty() {
                continue;
            }
            let coord = TileCoord::new(tile.z, tile.x, tile.y).map_err(|e| failed(e.to_string()))?;
            writer
                .add_tile(coord, &data)
                .map_err(|e| BasemapError::Refused(Refusal::new("basemap.failed", format!("could not write {}: {e}", to.display()))))?;
            written += 1;
        }
        writer
            .finalize()
            .map_err(|e| BasemapError::Refused(Refusal::new("basemap.failed", format!("could not finish {}: {e}", to.display()))))?;
        Ok(written)
    })
    .await
    .map_err(|e| BasemapError::Refused(Refusal::new("basemap.failed", format!("the conversion stopped: {e}"))))?
}
