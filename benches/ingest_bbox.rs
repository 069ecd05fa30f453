//! Ingest and bbox benchmark (issue: foundation).
//!
//! 1. Generates N features over Lomas de Zamora (default 100,000) and ingests them through the
//!    HTTP API of a release `trama serve` process, in batches, with several clients.
//! 2. Times GDAL's `ogr2ogr` loading the same GeoJSON into a GeoPackage, side by side
//!    (median of three runs).
//! 3. Tops the database up to M stored features (default 1,000,000) through the store, then
//!    runs bbox queries returning up to 500 features, with 1 and with 32 concurrent clients.
//! 4. Samples the server's resident memory throughout and reports its peak.
//!
//! Every step runs on each backend in turn (SQLite, then a fresh database on the local
//! PostgreSQL; on PostgreSQL the 32-client run is repeated over two instances), and a summary
//! prints both sets of figures and their ratios.
//!
//! Run with `cargo bench --bench ingest_bbox`. Sizes: TRAMA_BENCH_INGEST, TRAMA_BENCH_STORED;
//! TRAMA_BENCH_BACKENDS=sqlite,postgres; TRAMA_BENCH_POSTGRES_URL for another server.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use trama::domain::generate;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use support::{
    admin_token, create_postgres_database, drop_postgres_database, peak_rss_kb, setup_project,
    start_server, top_up,
};

const BATCH: usize = 1_000;
const INGEST_CLIENTS: usize = 4;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The figures of one backend.
#[derive(Default)]
struct Figures {
    ingest_secs: f64,
    ingest_rate: f64,
    /// (clients, instances, p50 ms, p99 ms, features per answer, queries/s)
    queries: Vec<(usize, usize, f64, f64, f64, f64)>,
    peak_mb: f64,
}

#[tokio::main]
async fn main() {
    let ingest = env_usize("TRAMA_BENCH_INGEST", 100_000);
    let stored = env_usize("TRAMA_BENCH_STORED", 1_000_000).max(ingest);
    let backends =
        std::env::var("TRAMA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let dir = tempfile::TempDir::new().unwrap();
    println!(
        "Trama ingest + bbox benchmark: ingest {ingest} features over HTTP, query {stored} stored; backends {backends}"
    );

    // The generated GeoJSON, written once: the input of every backend and of ogr2ogr.
    let geojson_path = dir.path().join("features.geojson");
    let status = Command::new(env!("CARGO_BIN_EXE_trama"))
        .args([
            "generate",
            "--features",
            &ingest.to_string(),
            "--seed",
            "1",
            "--out",
        ])
        .arg(&geojson_path)
        .status()
        .unwrap();
    assert!(status.success());
    let size_mb = std::fs::metadata(&geojson_path).unwrap().len() as f64 / 1e6;
    println!("generated {ingest} features ({size_mb:.1} MB of GeoJSON)");
    let text = std::fs::read_to_string(&geojson_path).unwrap();
    let collection: Value = serde_json::from_str(&text).unwrap();
    let features = collection["features"].as_array().unwrap().clone();
    drop((text, collection));

    // ogr2ogr on the same file, three times (its time varies by a third from run to run on
    // a shared 2-core machine): the median is the side-by-side figure.
    let mut ogr_runs = Vec::new();
    for run in 0..3 {
        let gpkg = dir.path().join(format!("ogr{run}.gpkg"));
        let started = Instant::now();
        let ogr = Command::new("ogr2ogr")
            .args(["-f", "GPKG"])
            .arg(&gpkg)
            .arg(&geojson_path)
            .status();
        match ogr {
            Ok(status) if status.success() => ogr_runs.push(started.elapsed().as_secs_f64()),
            _ => break,
        }
        let _ = std::fs::remove_file(&gpkg);
    }
    ogr_runs.sort_by(f64::total_cmp);
    let ogr_secs = (ogr_runs.len() == 3).then(|| ogr_runs[1]);
    match ogr_secs {
        Some(secs) => println!(
            "ogr2ogr GeoJSON → GeoPackage: {secs:.2} s, {:.0} features/s (median of {:.2} / {:.2} / {:.2} s)",
            ingest as f64 / secs,
            ogr_runs[0],
            ogr_runs[1],
            ogr_runs[2]
        ),
        _ => println!("ogr2ogr: not available (install gdal-bin) — no side-by-side figure"),
    }

    let mut results: Vec<(&str, Figures)> = Vec::new();
    for backend in backends.split(',').map(str::trim) {
        let (url, cleanup) = match backend {
            "sqlite" => (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                None,
            ),
            "postgres" => {
                let (url, name) = create_postgres_database().await;
                (url, Some(name))
            }
            other => panic!("unknown backend {other}"),
        };
        println!("\n== {backend} ==");
        let figures = run_backend(&url, &features, size_mb, stored, backend == "postgres").await;
        if let Some(name) = cleanup {
            drop_postgres_database(&name).await;
        }
        results.push((
            if backend == "sqlite" {
                "sqlite"
            } else {
                "postgres"
            },
            figures,
        ));
    }

    println!("\n== summary ({stored} stored features, answers of up to 500) ==");
    for (backend, f) in &results {
        let ratio = ogr_secs.map_or("n/a".to_owned(), |ogr| {
            format!("{:.2}× ogr2ogr", ogr / f.ingest_secs)
        });
        println!(
            "{backend:<9} ingest {:>7.0} features/s ({ratio}); peak server memory {:.0} MB",
            f.ingest_rate, f.peak_mb
        );
        for (clients, instances, p50, p99, returned, qps) in &f.queries {
            println!(
                "{backend:<9} bbox {clients:>2} clients, {instances} instance(s): p50 {p50:6.2} ms  p99 {p99:6.2} ms  {qps:6.0} queries/s  ({returned:.0} features per answer)"
            );
        }
    }
    if let [(_, sqlite), (_, postgres)] = &results[..] {
        println!(
            "postgres / sqlite: ingest {:.2}×, 1-client p99 {:.2}×, 32-client queries/s {:.2}×",
            postgres.ingest_rate / sqlite.ingest_rate,
            postgres.queries[0].3 / sqlite.queries[0].3,
            postgres.queries[1].5 / sqlite.queries[1].5,
        );
    }
}

async fn run_backend(
    db: &str,
    features: &[Value],
    size_mb: f64,
    stored: usize,
    two_instances: bool,
) -> Figures {
    let ingest = features.len();
    let token = admin_token(db);
    let (mut server, url) = start_server(db);
    let client = reqwest::Client::new();
    let workshop = setup_project(&client, &url, &token).await;

    // 1. Ingest through the API.
    let batches: Vec<String> = features
        .chunks(BATCH)
        .map(|chunk| {
            let chunk: Vec<Value> = chunk
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    f["properties"]["workshop"] = json!(workshop);
                    f
                })
                .collect();
            json!({"type": "FeatureCollection", "features": chunk}).to_string()
        })
        .collect();
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..INGEST_CLIENTS {
        let (batches, next, client, url, token) = (
            batches.clone(),
            next.clone(),
            client.clone(),
            url.clone(),
            token.clone(),
        );
        clients.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(body) = batches.get(i) else { break };
                let response = client
                    .post(format!("{url}/api/projects/bench/features"))
                    .bearer_auth(&token)
                    .header("content-type", "application/geo+json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.status(),
                    201,
                    "{}",
                    response.text().await.unwrap_or_default()
                );
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let ingest_secs = started.elapsed().as_secs_f64();
    let ingest_rate = ingest as f64 / ingest_secs;
    println!(
        "ingest (HTTP, validation included, {INGEST_CLIENTS} clients, batches of {BATCH}): {ingest_secs:.2} s, {ingest_rate:.0} features/s, {:.1} MB/s",
        size_mb / ingest_secs
    );

    // 2. Top up through the store, the same insert path minus HTTP.
    if stored > ingest {
        let started = Instant::now();
        top_up(db, stored - ingest, &workshop).await;
        println!(
            "topped up to {stored} stored features in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    // 3. Queries: 1 client, 32 clients; on PostgreSQL also 32 clients over two instances.
    let boxes = query_boxes(2_000);
    let mut queries = Vec::new();
    for concurrency in [1, 32] {
        let (p50, p99, returned, qps) = bbox_queries(
            &client,
            std::slice::from_ref(&url),
            &token,
            &boxes,
            concurrency,
        )
        .await;
        println!(
            "bbox, {concurrency} client(s), 1 instance: p50 {p50:.2} ms, p99 {p99:.2} ms, {returned:.0} features per answer, {qps:.0} queries/s"
        );
        queries.push((concurrency, 1, p50, p99, returned, qps));
    }
    let peak_mb = peak_rss_kb(server.id()) as f64 / 1024.0;
    if two_instances {
        let (mut second, second_url) = start_server(db);
        let (p50, p99, returned, qps) =
            bbox_queries(&client, &[url.clone(), second_url], &token, &boxes, 32).await;
        println!(
            "bbox, 32 clients, 2 instances: p50 {p50:.2} ms, p99 {p99:.2} ms, {returned:.0} features per answer, {qps:.0} queries/s"
        );
        queries.push((32, 2, p50, p99, returned, qps));
        let _ = second.kill();
        let _ = second.wait();
    }
    println!("server peak resident memory: {peak_mb:.0} MB");
    let _ = server.kill();
    let _ = server.wait();
    Figures {
        ingest_secs,
        ingest_rate,
        queries,
        peak_mb,
    }
}

/// Boxes of 100-400 m around places where people draw, as a map view zoomed into a block.
fn query_boxes(count: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(99);
    generate::generate(count, 3)
        .map(|f| {
            let b = f.geometry.bbox();
            let half = rng.random_range(0.0005..0.002);
            format!(
                "{},{},{},{}",
                b.min_x - half,
                b.min_y - half,
                b.min_x + half,
                b.min_y + half
            )
        })
        .collect()
}

async fn bbox_queries(
    client: &reqwest::Client,
    urls: &[String],
    token: &str,
    boxes: &[String],
    concurrency: usize,
) -> (f64, f64, f64, f64) {
    let boxes = Arc::new(boxes.to_vec());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..concurrency {
        let (boxes, next, client, url, token) = (
            boxes.clone(),
            next.clone(),
            client.clone(),
            urls[n % urls.len()].clone(),
            token.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(bbox) = boxes.get(i) else { break };
                let t = Instant::now();
                let response = client
                    .get(format!(
                        "{url}/api/projects/bench/features?bbox={bbox}&limit=500"
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                let body = response.bytes().await.unwrap();
                let elapsed = t.elapsed().as_secs_f64() * 1000.0;
                samples.push((elapsed, number_returned(&body)));
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.unwrap());
    }
    let wall = started.elapsed().as_secs_f64();
    let mut times: Vec<f64> = samples.iter().map(|(t, _)| *t).collect();
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let mean_returned = samples.iter().map(|(_, n)| *n as f64).sum::<f64>() / samples.len() as f64;
    (
        pick(0.5),
        pick(0.99),
        mean_returned,
        samples.len() as f64 / wall,
    )
}

/// Reads `numberReturned` from the head of an answer without parsing it all, so that the
/// client's work does not crowd the server's on the same two cores.
fn number_returned(body: &[u8]) -> u64 {
    let head = String::from_utf8_lossy(&body[..body.len().min(200)]);
    head.split("\"numberReturned\":")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
