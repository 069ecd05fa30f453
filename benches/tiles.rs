//! Basemap tiles under load: a release `trama serve --basemap FILE` serves random stored tiles
//! of Lomas de Zamora to 32 concurrent clients, from an MBTiles file and from a PMTiles file of
//! the same tiles, each at two sizes (a small file, and one about `TRAMA_TILES_LARGE_MB`
//! megabytes, default 1,000). Printed per run: tiles/s, p50 and p99 latency, and the server's
//! peak resident memory (VmHWM), which should not grow with the file. Target: p99 under 10 ms.
//!
//! Tiles are random bytes behind a PNG signature (incompressible, as photos are), 24 KiB each,
//! at zooms 10 up to the deepest that reaches the size asked for.
//!
//! `cargo bench --bench tiles` (`TRAMA_TILES_SECS`, default 10 per run).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, RngCore, SeedableRng};
use trama::basemap::{Tile, TileRange};

const AREA: [f64; 4] = [-58.47, -34.80, -58.36, -34.72];
const TILE_BYTES: usize = 24 * 1024;
const CLIENTS: usize = 32;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes an MBTiles file of random tiles covering the area at zooms 10..=max; returns its tiles.
fn write_mbtiles(path: &Path, max_zoom: u8) -> Vec<Tile> {
    let range = TileRange {
        bounds: AREA,
        min_zoom: 10,
        max_zoom,
    };
    let tiles: Vec<Tile> = range.tiles().collect();
    let mut db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .unwrap();
    let [w, s, e, n] = AREA;
    let transaction = db.transaction().unwrap();
    for (name, value) in [
        ("name", "bench".to_owned()),
        ("format", "png".to_owned()),
        ("bounds", format!("{w},{s},{e},{n}")),
        ("minzoom", "10".to_owned()),
        ("maxzoom", max_zoom.to_string()),
    ] {
        transaction
            .execute("INSERT INTO metadata VALUES (?1, ?2)", (name, value))
            .unwrap();
    }
    let mut random = rand::rngs::StdRng::seed_from_u64(7);
    let mut data = vec![0u8; TILE_BYTES];
    data[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    for tile in &tiles {
        random.fill_bytes(&mut data[8..]);
        transaction
            .execute(
                "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                (tile.z, tile.x, tile.tms_row(), &data),
            )
            .unwrap();
    }
    transaction.commit().unwrap();
    tiles
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(label: &str, file: &Path, tiles: Arc<Vec<Tile>>, seconds: u64) {
    let dir = tempfile::TempDir::new().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bench.db").display());
    let (mut server, url) = support::start_server_with(&db, &["--basemap", file.to_str().unwrap()]);
    let id = file.file_stem().unwrap().to_str().unwrap().to_owned();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..CLIENTS {
        let (client, url, id, tiles, latencies) = (
            client.clone(),
            url.clone(),
            id.clone(),
            tiles.clone(),
            latencies.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut random = rand::rngs::StdRng::seed_from_u64(worker as u64);
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                let tile = tiles[random.random_range(0..tiles.len())];
                let at = Instant::now();
                let response = client
                    .get(format!("{url}/api/basemaps/{id}/tiles/{tile}.png"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), reqwest::StatusCode::OK, "{tile}");
                let body = response.bytes().await.unwrap();
                assert_eq!(body.len(), TILE_BYTES);
                mine.push(at.elapsed());
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let peak_mb = support::peak_rss_kb(server.id()) as f64 / 1024.0;
    let _ = server.kill();
    let _ = server.wait();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let size_mb = std::fs::metadata(file).unwrap().len() as f64 / 1e6;
    println!(
        "{label:<8} {size_mb:>7.0} MB {:>6} tiles  {:>7.0} tiles/s  p50 {:>5.2} ms  p99 {:>5.2} ms  peak server memory {peak_mb:>5.0} MB",
        tiles.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let seconds = env_number("TRAMA_TILES_SECS", 10);
    let large_mb = env_number("TRAMA_TILES_LARGE_MB", 1_000);
    let dir = tempfile::TempDir::new().unwrap();
    // The deepest zoom whose pyramid reaches the size asked for.
    let pyramid_mb = |z: u8| {
        TileRange {
            bounds: AREA,
            min_zoom: 10,
            max_zoom: z,
        }
        .count()
            * TILE_BYTES as u64
            / 1_000_000
    };
    let large_zoom = (14..=20).find(|z| pyramid_mb(*z) >= large_mb).unwrap_or(20);
    println!(
        "basemap tiles, {CLIENTS} concurrent clients, {seconds} s per run, random stored tiles of {} KiB",
        TILE_BYTES / 1024
    );
    for (size, max_zoom) in [("small", 14u8), ("large", large_zoom)] {
        let mbtiles = dir.path().join(format!("{size}.mbtiles"));
        let pmtiles = dir.path().join(format!("{size}p.pmtiles"));
        let tiles = Arc::new(write_mbtiles(&mbtiles, max_zoom));
        trama::basemap::convert::mbtiles_to_pmtiles(&mbtiles, &pmtiles)
            .await
            .unwrap();
        run("MBTiles", &mbtiles, tiles.clone(), seconds).await;
        run("PMTiles", &pmtiles, tiles, seconds).await;
    }
}
