//! Export benchmark (issue: exports and imports).
//!
//! Loads N generated features (default 1,000,000) into a SQLite database, starts a release
//! `trama serve`, and downloads the whole project as GeoJSON and as GeoPackage (full
//! privacy: every attribute), timing each and sampling the server's peak memory. In the same
//! run, GDAL's `ogr2ogr` converts the same data between the same formats (the exported
//! GeoJSON into a GeoPackage, and that GeoPackage back into GeoJSON). Prints MB/s, peak
//! memory and the ratios.
//!
//! Run with `cargo bench --bench export`; TRAMA_BENCH_EXPORT sets N. TRAMA_BENCH_DB names a
//! SQLite file to keep the loaded data in, and to reuse on the next run instead of loading
//! again (for profiling the export alone).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::{admin_token, bench_token, peak_rss_kb, setup_project, start_server, top_up};

fn main() {
    let count: usize = std::env::var("TRAMA_BENCH_EXPORT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::TempDir::new().unwrap();
    println!("Trama export benchmark: {count} generated features on SQLite");
    let kept = std::env::var("TRAMA_BENCH_DB").ok();
    let reuse = kept.as_deref().is_some_and(|path| Path::new(path).exists());
    let path = kept.unwrap_or_else(|| dir.path().join("bench.db").display().to_string());
    let db = format!("sqlite://{path}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::new();
    let token = if reuse {
        println!("reusing the data in {path}");
        bench_token(&db)
    } else {
        let token = admin_token(&db);
        let (mut server, url) = start_server(&db);
        let workshop = rt.block_on(setup_project(&client, &url, &token));
        let start = Instant::now();
        rt.block_on(top_up(&db, count, &workshop));
        println!("loaded in {:.0} s", start.elapsed().as_secs_f64());
        server.kill().unwrap();
        server.wait().unwrap();
        token
    };
    // A fresh server, so that its peak memory is the exports' alone.
    let (mut server, url) = start_server(&db);

    let mut ours = Vec::new();
    for format in ["geojson", "gpkg"] {
        let path = dir.path().join(format!("trama.{format}"));
        let start = Instant::now();
        let mut response = rt
            .block_on(
                client
                    .get(format!(
                        "{url}/api/projects/bench/export?format={format}&privacy=full"
                    ))
                    .bearer_auth(&token)
                    .send(),
            )
            .unwrap();
        assert_eq!(response.status(), 200);
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut bytes = 0_u64;
        while let Some(chunk) = rt.block_on(response.chunk()).unwrap() {
            bytes += chunk.len() as u64;
            std::io::Write::write_all(&mut file, &chunk).unwrap();
        }
        std::io::Write::flush(&mut file).unwrap();
        let secs = start.elapsed().as_secs_f64();
        let peak_mb = peak_rss_kb(server.id()) as f64 / 1024.0;
        println!(
            "trama {format:<8} {:>8.1} MB in {secs:>6.1} s = {:>6.1} MB/s, {:.0} features/s; server peak RSS so far {peak_mb:.0} MB",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs,
            count as f64 / secs
        );
        ours.push((format, bytes, secs, peak_mb));
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // GDAL on the same data: GeoJSON → GeoPackage, and GeoPackage → GeoJSON.
    let gdal_gpkg = dir.path().join("gdal.gpkg");
    let gdal_geojson = dir.path().join("gdal.geojson");
    let (gpkg_secs, gpkg_mb) = ogr2ogr("GPKG", &gdal_gpkg, &dir.path().join("trama.geojson"));
    let (geojson_secs, geojson_mb) = ogr2ogr("GeoJSON", &gdal_geojson, &gdal_gpkg);
    println!(
        "ogr2ogr GeoJSON → GPKG {:>8.1} MB in {gpkg_secs:>6.1} s = {:>6.1} MB/s (peak {:.0} MB)",
        gpkg_mb.1,
        gpkg_mb.1 / gpkg_secs,
        gpkg_mb.0
    );
    println!(
        "ogr2ogr GPKG → GeoJSON {:>8.1} MB in {geojson_secs:>6.1} s = {:>6.1} MB/s (peak {:.0} MB)",
        geojson_mb.1,
        geojson_mb.1 / geojson_secs,
        geojson_mb.0
    );

    let (_, json_bytes, json_secs, json_peak) = ours[0];
    let (_, _, gpkg_ours_secs, gpkg_peak) = ours[1];
    let json_rate = json_bytes as f64 / 1e6 / json_secs;
    println!();
    println!("== summary ({count} features) ==");
    println!(
        "GeoJSON export   {json_rate:>7.1} MB/s (target ≥ 100); ogr2ogr writes GeoJSON at {:.1} MB/s: {:.1}×",
        geojson_mb.1 / geojson_secs,
        json_rate / (geojson_mb.1 / geojson_secs)
    );
    println!(
        "GeoPackage       {gpkg_ours_secs:>7.1} s; ogr2ogr {gpkg_secs:.1} s: {:.2}× as fast (target ≥ 1)",
        gpkg_secs / gpkg_ours_secs
    );
    println!(
        "server peak RSS  {json_peak:>7.0} MB after the GeoJSON export, {gpkg_peak:.0} MB after both (target < 100 MB)"
    );
}

/// Runs ogr2ogr and returns its seconds and (peak RSS MB, output MB).
fn ogr2ogr(driver: &str, out: &Path, input: &Path) -> (f64, (f64, f64)) {
    let _ = std::fs::remove_file(out);
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M", "ogr2ogr", "-f", driver])
        .arg(out)
        .arg(input)
        .output()
        .expect("ogr2ogr and /usr/bin/time");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peak_kb: f64 = String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    (secs, (peak_kb / 1024.0, size))
}
