//! Priority benchmark (issue: priority areas).
//!
//! 1. Generates N drawings over Lomas de Zamora (default 100,000: the generator's mix of
//!    points, lines and polygons) as GeoJSON.
//! 2. Times the engine (cell scores over the study area and Gi*) on them, and the same
//!    computation written plainly in Python with geopandas, shapely 2 and h3 from PyPI
//!    (`benches/priority.py`, in a virtualenv this bench sets up under the build directory),
//!    in the same run; checks that both give the same cell scores within 0.5 %, and prints
//!    the ratio.
//! 3. Loads the same drawings into a SQLite database and into a fresh PostgreSQL one, starts
//!    a release server on each and times whole-project priority requests (cells, and zones)
//!    through the API.
//!
//! Run with `cargo bench --bench priority`. TRAMA_BENCH_PRIORITY sets N; TRAMA_BENCH_PYTHON
//! a Python with those packages instead of the bench's own virtualenv;
//! TRAMA_BENCH_BACKENDS=sqlite,postgres the backends of step 3.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use trama::domain::generate::demo_legend;
use trama::domain::geometry::FeatureGeometry;
use trama::domain::legend::SymbolKind;
use trama::domain::priority::{Drawing, Params, Rule, analyse, find_zones};
use uuid::Uuid;

use support::{
    admin_token, create_postgres_database, drop_postgres_database, peak_rss_kb, setup_project,
    start_server, top_up,
};

/// Below a ten-thousandth of a drawing's weight, a difference is rounding in cells where
/// positive and negative weights cancel out.
const NOISE: f64 = 1e-4;

fn main() {
    let count: usize = std::env::var("TRAMA_BENCH_PRIORITY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::TempDir::new().unwrap();
    println!("Trama priority benchmark: {count} generated drawings, H3 resolution 9, Gi* ring 1");

    let features = dir.path().join("features.geojson");
    let status = Command::new(env!("CARGO_BIN_EXE_trama"))
        .args([
            "generate",
            "--features",
            &count.to_string(),
            "--seed",
            "2",
            "--out",
        ])
        .arg(&features)
        .status()
        .unwrap();
    assert!(status.success());
    let weights: HashMap<String, f64> = demo_legend()
        .into_iter()
        .map(|s| (s.key, s.weight))
        .collect();
    let weights_path = dir.path().join("weights.json");
    std::fs::write(&weights_path, serde_json::to_string(&weights).unwrap()).unwrap();

    // The engine, on the same file Python reads; reading is not timed on either side.
    let drawings = read_drawings(&features);
    let mut runs = Vec::new();
    let mut analysis = None;
    for _ in 0..3 {
        let start = Instant::now();
        analysis = Some(analyse(&drawings, None, Params::default()));
        runs.push(start.elapsed().as_secs_f64());
    }
    let analysis = analysis.unwrap();
    runs.sort_by(f64::total_cmp);
    let rust_secs = runs[1];
    let start = Instant::now();
    let zones = find_zones(&analysis, Rule::HotSpots { confidence: 95 });
    let zones_secs = start.elapsed().as_secs_f64();
    println!(
        "engine: {rust_secs:.3} s (median of 3) for {} cells of the study area; zones of hot spots at 95 %: {} in {:.3} s",
        analysis.cells.len(),
        zones.len(),
        zones_secs
    );

    // The Python reference.
    let python = python_with_packages();
    let python_csv = dir.path().join("python.csv");
    let output = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/priority.py"))
        .args([&features, &weights_path, &python_csv])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    let python_secs = report["seconds"].as_f64().unwrap();
    println!(
        "python (geopandas + shapely {} + h3): {python_secs:.1} s for {} cells",
        python_version(&python, "shapely"),
        report["cells"]
    );

    // Same scores within 0.5 %?
    let reference = read_reference(&python_csv);
    let ours: HashMap<String, (f64, f64)> = analysis
        .cells
        .iter()
        .map(|c| (c.cell.to_string(), (c.tally.score, c.hotspot.z)))
        .collect();
    let mut worst: f64 = 0.0;
    let mut outside = 0;
    let mut worst_z: f64 = 0.0;
    let mut examples = Vec::new();
    for cell in ours.keys().chain(reference.keys()) {
        let (a, za) = ours.get(cell).copied().unwrap_or((0.0, 0.0));
        let (b, zb) = reference.get(cell).copied().unwrap_or((0.0, 0.0));
        let scale = a.abs().max(b.abs());
        if scale > 1e-9 {
            let relative = (a - b).abs() / scale;
            worst = worst.max(relative);
            if (a - b).abs() > 0.005 * scale + NOISE {
                outside += 1;
                examples.push(format!("{cell}: {a:.6} vs {b:.6}"));
            }
        }
        worst_z = worst_z.max((za - zb).abs());
    }
    println!(
        "agreement: {} cells ours, {} Python's; {outside} differ by more than 0.5 %; largest score difference {:.4} %, largest Gi* z difference {worst_z:.5}",
        ours.len(),
        reference.len(),
        worst * 100.0
    );
    examples.sort();
    examples.dedup();
    for example in examples.iter().take(5) {
        println!("  differs: {example} (ours vs Python)");
    }

    // Whole-project requests through the API, on the embedded database and on PostgreSQL.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let backends =
        std::env::var("TRAMA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut timings: Vec<(String, String, f64, usize, f64)> = Vec::new();
    for backend in backends.split(',') {
        let (db, dropped) = match backend {
            "postgres" => {
                let (url, name) = rt.block_on(create_postgres_database());
                (url, Some(name))
            }
            _ => (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                None,
            ),
        };
        timings.extend(api_timings(&rt, backend, &db, count));
        if let Some(name) = dropped {
            rt.block_on(drop_postgres_database(&name));
        }
    }

    println!();
    println!("== summary ({count} drawings) ==");
    println!(
        "engine (cells + Gi*)     {rust_secs:>8.3} s\npython reference         {python_secs:>8.1} s\nratio                    {:>8.1}× faster (target ≥ 30×)",
        python_secs / rust_secs
    );
    println!(
        "cells within 0.5 %       {} of {}",
        ours.len().max(reference.len()) - outside,
        ours.len().max(reference.len())
    );
    for (backend, path, secs, bytes, peak_mb) in &timings {
        println!(
            "{backend:<8} GET {path:<38} {secs:>6.2} s ({:.1} MB; target < 3 s); server peak RSS {peak_mb:.0} MB",
            *bytes as f64 / 1e6
        );
    }
}

/// Loads `count` drawings into `db`, starts a server on it and times whole-project priority
/// requests (best of 3): (backend, path, seconds, bytes, server peak RSS MB).
fn api_timings(
    rt: &tokio::runtime::Runtime,
    backend: &str,
    db: &str,
    count: usize,
) -> Vec<(String, String, f64, usize, f64)> {
    let token = admin_token(db);
    let (mut server, url) = start_server(db);
    let client = reqwest::Client::new();
    let workshop = rt.block_on(setup_project(&client, &url, &token));
    rt.block_on(top_up(db, count, &workshop));
    let mut timings = Vec::new();
    for path in [
        "priority/cells",
        "priority/zones?rule=gi&confidence=95",
        "priority/zones?rule=consensus&k=3",
    ] {
        let mut best = f64::MAX;
        let mut bytes = 0;
        for _ in 0..3 {
            let start = Instant::now();
            let response = rt
                .block_on(
                    client
                        .get(format!("{url}/api/projects/bench/{path}"))
                        .bearer_auth(&token)
                        .send(),
                )
                .unwrap();
            assert_eq!(response.status(), 200);
            bytes = rt.block_on(response.bytes()).unwrap().len();
            best = best.min(start.elapsed().as_secs_f64());
        }
        let peak_mb = peak_rss_kb(server.id()) as f64 / 1024.0;
        timings.push((backend.to_owned(), path.to_owned(), best, bytes, peak_mb));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    timings
}

/// The generated drawings as the engine sees them, weighted by the demo legend.
fn read_drawings(path: &Path) -> Vec<Drawing> {
    let legend = demo_legend();
    let collection: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut groups: HashMap<String, Uuid> = HashMap::new();
    collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let key = f["properties"]["symbol"].as_str().unwrap();
            let symbol = legend.iter().find(|s| s.key == key).unwrap();
            let group = f["properties"]["group"].as_str().unwrap().to_owned();
            let group = *groups.entry(group).or_insert_with(Uuid::new_v4);
            Drawing {
                id: Uuid::from_u128(i as u128),
                symbol: key.into(),
                weight: symbol.weight,
                risk: symbol.kind == SymbolKind::Risk,
                group: Some(group),
                workshop: None,
                geometry: FeatureGeometry::parse_stored(&f["geometry"].to_string()).unwrap(),
            }
        })
        .collect()
}

fn read_reference(path: &Path) -> HashMap<String, (f64, f64)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let mut parts = line.split(',');
            let cell = parts.next().unwrap().to_owned();
            let score: f64 = parts.next().unwrap().parse().unwrap();
            let z: f64 = parts.next().unwrap().parse().unwrap();
            (cell, (score, z))
        })
        .collect()
}

/// A Python with geopandas, shapely and h3: TRAMA_BENCH_PYTHON, or a virtualenv under the
/// build directory, created and filled from PyPI the first time.
fn python_with_packages() -> PathBuf {
    if let Ok(python) = std::env::var("TRAMA_BENCH_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("priority-venv");
    let python = venv.join("bin/python");
    let ready = python.exists()
        && Command::new(&python)
            .args(["-c", "import geopandas, shapely, h3, pyproj"])
            .status()
            .is_ok_and(|s| s.success());
    if !ready {
        println!(
            "setting up {} (geopandas, shapely, h3 from PyPI)...",
            venv.display()
        );
        assert!(
            Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .unwrap()
                .success()
        );
        assert!(
            Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "-q",
                    "geopandas",
                    "shapely>=2",
                    "h3>=4",
                    "pyproj"
                ])
                .status()
                .unwrap()
                .success()
        );
    }
    python
}

fn python_version(python: &Path, package: &str) -> String {
    Command::new(python)
        .args([
            "-c",
            &format!("import {package}; print({package}.__version__)"),
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
