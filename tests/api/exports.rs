//! Exports checked with the reference reader, GDAL (`ogrinfo`, and GDAL's GeoPackage
//! validator), and checked for what must not leak at the anonymised and aggregated levels.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, Fixture, TestApp, collection, read};

const SECRET: &str = "SECRETO-nombre-de-vecina";

/// Two groups draw: points (one of a sensitive symbol), a line and a polygon, with titles and
/// descriptions that must never leave an anonymised export. Returns the points drawn.
async fn drawings(app: &TestApp, staff: &Fixture) -> Vec<(f64, f64)> {
    let workshop = app.workshop(staff).await;
    let mut points = Vec::new();
    for (i, group) in ["Jóvenes", "Docentes"].into_iter().enumerate() {
        let token = app.join(&workshop.code, group).await;
        let dx = i as f64 * 0.01;
        // The two schools 45 m apart, in one H3 cell of resolution 8: a count of 2.
        let school = (-58.40 - i as f64 * 0.0005, -34.76);
        let features = vec![
            json!({"type": "Feature", "properties": {"symbol": "escuela", "title": format!("Escuela {SECRET}"), "description": SECRET},
                   "geometry": {"type": "Point", "coordinates": [school.0, school.1]}}),
            json!({"type": "Feature", "properties": {"symbol": "taller_clandestino", "title": SECRET},
                   "geometry": {"type": "Point", "coordinates": [-58.478 - dx, -34.713]}}),
            json!({"type": "Feature", "properties": {"symbol": "ruta_insegura", "description": SECRET},
                   "geometry": {"type": "LineString", "coordinates": [[-58.45 - dx, -34.72], [-58.44 - dx, -34.725]]}}),
            json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"},
                   "geometry": {"type": "Polygon", "coordinates": [[[-58.45 - dx, -34.72], [-58.446 - dx, -34.72],
                       [-58.446 - dx, -34.716], [-58.45 - dx, -34.716], [-58.45 - dx, -34.72]]]}}),
        ];
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &collection(features),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // A comment on the school: free text, in full exports only.
        let school_id = body["features"][0]["id"].as_str().expect("id").to_owned();
        let (status, _) = app
            .post(
                &format!("/api/features/{school_id}/annotations"),
                Some(&token),
                &json!({"body": format!("La directora {SECRET} sabe")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        points.push(school);
        points.push((-58.478 - dx, -34.713));
    }
    points
}

/// Downloads an export into `dir`; returns the file and the response's headers.
async fn download(
    app: &TestApp,
    token: &str,
    query: &str,
    dir: &Path,
) -> (PathBuf, reqwest::header::HeaderMap) {
    let response = app
        .request(
            reqwest::Method::GET,
            &format!("/api/projects/lomas/export?{query}"),
            Some(token),
        )
        .send()
        .await
        .expect("send");
    let headers = response.headers().clone();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let disposition = headers["content-disposition"].to_str().expect("ascii");
    let name = disposition
        .split("filename=\"")
        .nth(1)
        .and_then(|n| n.strip_suffix('"'))
        .expect("a file name");
    let path = dir.join(name);
    std::fs::write(&path, response.bytes().await.expect("body")).expect("write");
    (path, headers)
}

fn ogrinfo(path: &Path) -> String {
    let output = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(path)
        .output()
        .expect("ogrinfo (gdal-bin) is installed");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "ogrinfo {}: {errors}",
        path.display()
    );
    assert!(
        !errors.contains("ERROR"),
        "ogrinfo {}: {errors}",
        path.display()
    );
    text
}

/// Reads every feature of every layer with Debian's GDAL (3.6, as QGIS 3.28 LTR, R sf and
/// geopandas on Debian 12 have it), not only the layer summary: a value the reader refuses
/// (a DateTime too long for GDAL 3.6's FlatGeobuf reader) fails here.
fn ogrinfo_every_feature(path: &Path) {
    let output = Command::new("ogrinfo")
        .args(["-ro", "-al", "-q"])
        .arg(path)
        .output()
        .expect("ogrinfo (gdal-bin) is installed");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !errors.contains("ERROR"),
        "GDAL 3.6 cannot read every feature of {}: {errors}",
        path.display()
    );
}

/// Reads `paths` with a current GDAL (pyogrio's) and DuckDB's spatial extension
/// (`tests/support/read_export.py`): every layer's rows as each counts them, by file.
fn current_readers(paths: &[PathBuf]) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/read_export.py");
    let output = Command::new("python3")
        .arg(script)
        .args(paths)
        .output()
        .expect("python3 with pyogrio, duckdb and duckdb-ext-spatial (see .ci/run)");
    assert!(
        output.status.success(),
        "read_export.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("read_export.py answers JSON")
}

fn validate_geopackage(path: &Path) {
    let output = Command::new("python3")
        .arg("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
        .arg(path)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("GDAL's GeoPackage validator (python3-gdal)");
    assert!(
        output.status.success(),
        "validate_gpkg {}: {}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn feature_count(info: &str, layer: &str) -> usize {
    let at = info
        .find(&format!("Layer name: {layer}"))
        .unwrap_or_else(|| panic!("no layer {layer} in {info}"));
    info[at..]
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a feature count")
}

async fn every_format_opens_in_gdal_with_its_fields_and_srs(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    drawings(&app, &staff).await;
    let dir = tempfile::TempDir::new().expect("dir");
    for format in ["geojson", "csv", "gpkg", "kml", "fgb"] {
        let (path, headers) = download(
            &app,
            &staff.analyst,
            &format!("format={format}&privacy=full"),
            dir.path(),
        )
        .await;
        let info = ogrinfo(&path);
        if format == "gpkg" {
            // A table per geometry type, each of its Multi type: 4 points, 2 lines, 2 zones.
            for (layer, count, kind) in [
                ("features_points", 4, "Multi Point"),
                ("features_lines", 2, "Multi Line String"),
                ("features_polygons", 2, "Multi Polygon"),
            ] {
                assert_eq!(feature_count(&info, layer), count, "{info}");
                let at = info.find(&format!("Layer name: {layer}")).expect("layer");
                assert!(info[at..].contains(&format!("Geometry: {kind}")), "{info}");
            }
        } else {
            let layer = if format == "csv" {
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .expect("stem")
                    .to_owned()
            } else {
                "features".to_owned()
            };
            assert_eq!(feature_count(&info, &layer), 8, "{format}: {info}");
        }
        for field in ["symbol_label", "workshop", "group", "title", "created"] {
            assert!(
                info.contains(&format!("{field}: ")),
                "{format} lacks {field}: {info}"
            );
        }
        if format != "csv" {
            assert!(
                info.contains("WGS 84") && info.contains("4326"),
                "{format}: {info}"
            );
        }
        let media = headers["content-type"].to_str().expect("type");
        assert!(
            media.contains(match format {
                "geojson" => "geo+json",
                "csv" => "text/csv",
                "kml" => "kml+xml",
                "fgb" => "flatgeobuf",
                _ => "geopackage",
            }),
            "{media}"
        );
        assert!(headers.contains_key("trama-export-metadata"));
        if format == "gpkg" {
            validate_geopackage(&path);
            assert_eq!(feature_count(&info, "priority_zones"), 0);
            assert_eq!(feature_count(&info, "annotations"), 2);
            assert!(info.contains("Geometry Column = geom"), "{info}");
        }
        if format == "csv" {
            let text = std::fs::read_to_string(&path).expect("csv");
            let header = text.lines().next().expect("header");
            assert!(
                header.ends_with("masked,lon,lat,wkt,wkt_simplified_m"),
                "{header}"
            );
            assert!(
                text.contains("Taller textil clandestino (sospecha)"),
                "labels in Spanish"
            );
            assert!(text.contains("POLYGON((") && text.contains("LINESTRING("));
        }
    }
    // The export log says who took what.
    let (status, log) = app
        .get("/api/projects/lomas/exports", Some(&staff.admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = log["exports"].as_array().expect("entries");
    assert_eq!(entries.len(), 5);
    assert!(
        entries
            .iter()
            .all(|e| e["actor"] == "analyst" && e["privacy"] == "full")
    );
    let (status, _) = app
        .get("/api/projects/lomas/exports", Some(&staff.researcher))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Metres between two lon/lat points (equirectangular: enough at these distances).
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let x = (a.0 - b.0) * 111_320.0 * a.1.to_radians().cos();
    let y = (a.1 - b.1) * 110_574.0;
    x.hypot(y)
}

async fn anonymised_and_aggregated_exports_leak_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let drawn = drawings(&app, &staff).await;
    let (_, stored) = app
        .get("/api/projects/lomas/features", Some(&staff.analyst))
        .await;
    let ids: Vec<String> = stored["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect();
    let dir = tempfile::TempDir::new().expect("dir");
    for query in [
        "format=geojson",
        "format=csv&privacy=anonymised",
        "format=gpkg&privacy=anonymised",
        "format=kml&privacy=anonymised",
        "format=fgb&privacy=anonymised",
        "format=geojson&privacy=aggregated",
        "format=gpkg&privacy=aggregated&k=6",
    ] {
        // A researcher's token: the most it may get.
        let (path, _) = download(&app, &staff.researcher, query, dir.path()).await;
        let bytes = std::fs::read(&path).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        // Staff's free text too: the workshop's title and its tables' names.
        for secret in [
            SECRET,
            "Tero",
            "analyst",
            "facilitator",
            "Taller Budge",
            "Jóvenes",
            "Docentes",
        ] {
            assert!(!text.contains(secret), "{query} leaks {secret:?}");
        }
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{query} leaks a feature id");
        }
        for (lon, lat) in &drawn {
            for written in [format!("[{lon},{lat}]"), format!("{lon} {lat}")] {
                assert!(
                    !text.contains(&written),
                    "{query} holds the exact point {written}"
                );
            }
            let binary = lon.to_le_bytes();
            assert!(
                !bytes.windows(8).any(|w| w == binary),
                "{query} holds the exact longitude {lon} in binary"
            );
        }
        ogrinfo(&path);
        if path.extension().is_some_and(|e| e == "gpkg") {
            validate_geopackage(&path);
        }
    }

    // In the anonymised GeoJSON: points moved 50-250 m, sensitive ones as an H3 cell, days.
    let (path, _) = download(&app, &staff.researcher, "format=geojson", dir.path()).await;
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(exported["metadata"]["privacy"], "anonymised");
    assert_eq!(exported["metadata"]["masking"]["min_distance_m"], 50.0);
    let features = exported["features"].as_array().expect("features");
    assert_eq!(features.len(), 8);
    for f in features {
        let p = &f["properties"];
        assert!(
            p.get("title").is_none() && p.get("description").is_none() && p.get("author").is_none()
        );
        assert_eq!(p["created"].as_str().expect("day").len(), 10, "{p}");
        match p["symbol"].as_str().expect("symbol") {
            "taller_clandestino" => {
                assert_eq!(p["masked"], "h3-cell");
                assert_eq!(f["geometry"]["type"], "Polygon");
            }
            "escuela" => {
                assert_eq!(p["masked"], "donut");
                let c = &f["geometry"]["coordinates"];
                let at = (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
                // The schools stand 45 m apart: one of them is 50-250 m away (its own), and
                // neither is where the point is now.
                let distances: Vec<f64> = drawn.iter().map(|d| metres(*d, at)).collect();
                assert!(
                    distances.iter().any(|d| (49.0..=251.0).contains(d)),
                    "moved {distances:?}"
                );
                assert!(distances.iter().all(|d| *d > 1.0), "{distances:?}");
            }
            _ => {}
        }
    }
    // The same feature moves the same way in every export: no averaging them out.
    let (again, _) = download(&app, &staff.researcher, "format=geojson", dir.path()).await;
    let second: Value =
        serde_json::from_str(&std::fs::read_to_string(&again).expect("read")).expect("json");
    let points = |v: &Value| -> Vec<Value> {
        let mut p: Vec<Value> = v["features"]
            .as_array()
            .expect("features")
            .iter()
            .filter(|f| f["properties"]["masked"] == "donut")
            .map(|f| f["geometry"].clone())
            .collect();
        p.sort_by_key(|g| g.to_string());
        p
    };
    assert_eq!(points(&exported), points(&second));

    // Priority cells come aggregated: cells reached by fewer than k drawings are left out.
    // (k under the project's 5 is the analysts' choice: a researcher may only ask coarser.)
    let (path, _) = download(
        &app,
        &staff.analyst,
        "format=gpkg&privacy=aggregated&content=cells&k=2",
        dir.path(),
    )
    .await;
    validate_geopackage(&path);
    let info = ogrinfo(&path);
    assert!(
        info.contains("Layer name: priority_cells") && info.contains("gi_z: Real"),
        "{info}"
    );
    let (path, _) = download(
        &app,
        &staff.analyst,
        "format=geojson&privacy=aggregated&content=cells&k=2",
        dir.path(),
    )
    .await;
    let cells: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert!(
        cells["features"]
            .as_array()
            .expect("cells")
            .iter()
            .all(|c| {
                let n = c["properties"]["features"].as_i64().expect("n");
                n == 0 || n >= 2
            })
    );

    // Aggregated: counts per cell and symbol, none under k.
    let (path, _) = download(
        &app,
        &staff.analyst,
        "format=geojson&privacy=aggregated&k=2",
        dir.path(),
    )
    .await;
    let counts: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(counts["metadata"]["aggregation"]["suppressed_below"], 2);
    let rows = counts["features"].as_array().expect("rows");
    assert!(
        rows.iter()
            .all(|r| r["properties"]["count"].as_i64().expect("count") >= 2)
    );
    // The two schools share a cell; the suspected workshops, 900 m apart, are one per cell
    // and suppressed.
    let schools: Vec<&Value> = rows
        .iter()
        .filter(|r| r["properties"]["symbol"] == "escuela")
        .collect();
    assert_eq!(schools.len(), 1, "{counts}");
    assert_eq!(schools[0]["properties"]["count"], 2);
    assert_eq!(schools[0]["geometry"]["type"], "Polygon");
    assert!(
        rows.iter()
            .all(|r| r["properties"]["symbol"] != "taller_clandestino"),
        "{counts}"
    );
}

/// A researcher who asks cleverly learns no more than the masking allows: filters on what the
/// level masks are refused in every format and content (bbox bisection, a time of day), no
/// masking finer than the project's is given, and many exports with slightly different
/// masking average out to the masked position, not to the truth.
async fn a_researcher_cannot_locate_a_masked_place_by_asking_cleverly(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let (school, hidden) = ((-58.40, -34.76), (-58.478, -34.713));
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&token),
            &collection(vec![
                crate::common::point("escuela", school.0, school.1),
                crate::common::point("taller_clandestino", hidden.0, hidden.1),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let ask = |query: String| {
        let token = staff.researcher.clone();
        let app = &app;
        async move {
            let response = app
                .request(
                    reqwest::Method::GET,
                    &format!("/api/projects/lomas/export?{query}"),
                    Some(&token),
                )
                .send()
                .await
                .expect("send");
            let status = response.status();
            (status, response.bytes().await.expect("body"))
        }
    };
    // Filters on true positions and instants, and finer masking: refused everywhere.
    for format in ["geojson", "csv", "gpkg", "kml", "fgb"] {
        for level in [
            "privacy=anonymised",
            "privacy=aggregated",
            "privacy=aggregated&content=cells",
        ] {
            for probe in [
                "bbox=-58.479,-34.714,-58.477,-34.712",
                "until=2099-01-01T00:00:00.001Z",
                "since=2020-01-01T12:00:00Z",
                "mask_min=0&mask_max=0.001",
                "mask_max=200",
                "resolution=10",
                "k=2",
            ] {
                let query = format!("format={format}&{level}&{probe}");
                let (status, body) = ask(query.clone()).await;
                assert_eq!(
                    status,
                    StatusCode::BAD_REQUEST,
                    "{query}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
    }
    // Whole days and coarser masking are answered.
    let (status, _) = ask("format=geojson&until=2099-01-01&resolution=7&k=6".into()).await;
    assert_eq!(status, StatusCode::OK);

    // Averaging: 40 exports, each with a slightly larger masking, centre on the masked
    // position (at least 50 m from the school), not on the school.
    let (mut x, mut y) = (0.0, 0.0);
    for i in 0..40 {
        let query = format!(
            "format=geojson&symbol=escuela&mask_min={}&mask_max={}",
            50.0 + f64::from(i) * 0.01,
            250.0 + f64::from(i) * 0.5
        );
        let (status, body) = ask(query).await;
        assert_eq!(status, StatusCode::OK);
        let file: Value = serde_json::from_slice(&body).expect("json");
        let at = &file["features"][0]["geometry"]["coordinates"];
        x += at[0].as_f64().expect("x") / 40.0;
        y += at[1].as_f64().expect("y") / 40.0;
    }
    let estimate = metres((x, y), school);
    assert!(
        estimate > 20.0,
        "the average of 40 exports came {estimate} m from the school"
    );

    // The sensitive place is never finer than the project's cell, whatever is asked.
    let (status, body) = ask("format=geojson&symbol=taller_clandestino".into()).await;
    assert_eq!(status, StatusCode::OK);
    let file: Value = serde_json::from_slice(&body).expect("json");
    let ring = file["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .expect("a cell")
        .clone();
    let xs: Vec<f64> = ring.iter().map(|p| p[0].as_f64().expect("x")).collect();
    let width = metres(
        (xs.iter().copied().fold(f64::MAX, f64::min), hidden.1),
        (xs.iter().copied().fold(f64::MIN, f64::max), hidden.1),
    );
    assert!(width > 800.0, "the cell is {width} m wide");
    // One mask for the place: another table's phone shows the very same cell (a second grid
    // beside it would tell where in the cell the place lies).
    let other_table = app.join(&workshop.code, "Docentes").await;
    let (_, listed) = app
        .get(
            "/api/projects/lomas/features?symbol=taller_clandestino",
            Some(&other_table),
        )
        .await;
    assert_eq!(
        listed["features"][0]["properties"]["masked"], true,
        "{listed}"
    );
    assert_eq!(
        listed["features"][0]["geometry"],
        file["features"][0]["geometry"]
    );
}

/// Issue 24.4, the attack: all workshops gave a cell 6 drawings of a symbol, one workshop 5,
/// so the other held 1, a count the level suppresses. Counts are now released per workshop
/// (the sum of the released ones), and the filters that would cut other partitions (group,
/// days; any filter of priority cells) are refused at the aggregated level.
async fn aggregated_exports_never_subtract_to_a_suppressed_count(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let (a, b) = (app.workshop(&staff).await, app.workshop(&staff).await);
    for (workshop, drawings) in [(&a, 5), (&b, 1)] {
        let token = app.join(&workshop.code, "Jóvenes").await;
        let points = (0..drawings)
            .map(|i| crate::common::point("escuela", -58.40 + f64::from(i) * 1e-5, -34.76))
            .collect();
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &collection(points),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let count = |query: String| {
        let app = &app;
        let token = staff.researcher.clone();
        async move {
            let (status, file) = app
                .get(
                    &format!(
                        "/api/projects/lomas/export?format=geojson&privacy=aggregated&{query}"
                    ),
                    Some(&token),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{query}: {file}");
            file["features"]
                .as_array()
                .expect("features")
                .iter()
                .filter(|f| f["properties"]["symbol"] == "escuela")
                .map(|f| f["properties"]["count"].as_i64().expect("count"))
                .sum::<i64>()
        }
    };
    let all = count("k=5".into()).await;
    let only_a = count(format!("k=5&workshop={}", a.id)).await;
    let only_b = count(format!("k=5&workshop={}", b.id)).await;
    assert_eq!(
        (all, only_a, only_b),
        (5, 5, 0),
        "b's single drawing is never added in"
    );
    assert_eq!(count(format!("k=5&workshop={},{}", a.id, b.id)).await, 5);

    // The filters that cut across the partitions are refused, with why.
    for query in [
        "k=5&since=2026-01-01".to_owned(),
        "k=5&until=2099-01-01".to_owned(),
        "content=cells&k=5&symbol=escuela".to_owned(),
        format!("content=cells&k=5&workshop={}", a.id),
    ] {
        let (status, problem) = app
            .get(
                &format!("/api/projects/lomas/export?format=geojson&privacy=aggregated&{query}"),
                Some(&staff.researcher),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("subtract")),
            "{problem}"
        );
    }
    // Priority cells over the whole project are answered.
    let (status, cells) = app
        .get(
            "/api/projects/lomas/export?format=geojson&privacy=aggregated&content=cells&k=5",
            Some(&staff.researcher),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cells}");
}

/// The masking is the project's, chosen by an analyst: researchers get it by default and may
/// ask only for coarser; the phones' masked cell follows it, one mask for one place.
async fn the_project_s_masking_is_the_researchers_floor(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&token),
            &crate::common::point("taller_clandestino", -58.478, -34.713),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let stronger =
        json!({"masking": {"mask_min": 100.0, "mask_max": 400.0, "resolution": 7, "k": 6}});
    let refused = app
        .request(
            reqwest::Method::PATCH,
            "/api/projects/lomas",
            Some(&staff.researcher),
        )
        .json(&stronger)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (status, project) = read(
        app.request(
            reqwest::Method::PATCH,
            "/api/projects/lomas",
            Some(&staff.analyst),
        )
        .json(&stronger)
        .send()
        .await
        .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    assert_eq!(project["masking"]["resolution"], 7);

    let (status, file) = app
        .get(
            "/api/projects/lomas/export?format=geojson",
            Some(&staff.researcher),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(file["metadata"]["masking"]["min_distance_m"], 100.0);
    for finer in [
        "mask_min=50",
        "mask_max=300",
        "resolution=8",
        "privacy=aggregated&k=5",
    ] {
        let (status, _) = app
            .get(
                &format!("/api/projects/lomas/export?format=geojson&{finer}"),
                Some(&staff.researcher),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{finer}");
    }
    let other_table = app.join(&workshop.code, "Docentes").await;
    let (_, listed) = app
        .get("/api/projects/lomas/features", Some(&other_table))
        .await;
    assert_eq!(
        listed["features"][0]["geometry"],
        file["features"][0]["geometry"]
    );
}

/// Exports are limited per user (60 an hour), and the export log flags who took unusually
/// many in an hour, for analysts to look at (26,000 in an hour went unnoticed before).
async fn a_sweep_of_exports_is_limited_and_flagged(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    for i in 0..60 {
        let (status, _) = app
            .get(
                &format!(
                    "/api/projects/lomas/export?format=geojson&mask_max={}",
                    250 + i
                ),
                Some(&staff.researcher),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "export {i}");
    }
    let response = app
        .request(
            reqwest::Method::GET,
            "/api/projects/lomas/export?format=geojson",
            Some(&staff.researcher),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["retry-after"], "3600");
    assert_eq!(read(response).await.0, StatusCode::TOO_MANY_REQUESTS);
    let (status, log) = app
        .get("/api/projects/lomas/exports", Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        log["unusual"][0]["actor"], "researcher",
        "{}",
        log["unusual"]
    );
    assert_eq!(log["unusual"][0]["most_in_an_hour"], 60);
    // Others still export.
    let (status, _) = app
        .get(
            "/api/projects/lomas/export?format=geojson",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn export_requests_are_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let path = "/api/projects/lomas/export";
    for (token, query, status) in [
        (&staff.researcher, "privacy=full", StatusCode::FORBIDDEN),
        (
            &staff.researcher,
            "content=zones&privacy=full",
            StatusCode::FORBIDDEN,
        ),
        (
            &staff.analyst,
            "content=zones&privacy=anonymised",
            StatusCode::FORBIDDEN,
        ),
        (&staff.analyst, "format=shp", StatusCode::BAD_REQUEST),
        (&staff.analyst, "privacy=public", StatusCode::BAD_REQUEST),
        (
            &staff.analyst,
            "mask_min=300&mask_max=100",
            StatusCode::BAD_REQUEST,
        ),
        (
            &staff.analyst,
            "privacy=aggregated&k=1",
            StatusCode::BAD_REQUEST,
        ),
        (&staff.analyst, "resolution=15", StatusCode::BAD_REQUEST),
        (&staff.analyst, "bbox=1,2,3", StatusCode::BAD_REQUEST),
        (&staff.analyst, "colour=red", StatusCode::BAD_REQUEST),
    ] {
        let response = app
            .request(
                reqwest::Method::GET,
                &format!("{path}?{query}"),
                Some(token),
            )
            .send()
            .await
            .expect("send");
        let (got, problem) = read(response).await;
        assert_eq!(got, status, "{query}: {problem}");
    }
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (status, _) = app.get(path, Some(&participant)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_export_page_offers_what_the_role_allows(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    drawings(&app, &staff).await;
    let page = |token: String| {
        app.request(reqwest::Method::GET, "/export/lomas", None)
            .header("cookie", format!("trama_session={token}"))
            .send()
    };
    let researcher = page(staff.researcher.clone()).await.expect("send");
    assert_eq!(researcher.status(), StatusCode::OK);
    let html = researcher.text().await.expect("html");
    assert!(html.contains("action=\"/api/projects/lomas/export\""));
    assert!(html.contains("value=\"anonymised\"") && html.contains("value=\"aggregated\""));
    assert!(!html.contains("value=\"full\"") && !html.contains("value=\"zones\""));
    assert!(
        !html.contains("name=\"files\""),
        "no photos for researchers"
    );
    let analyst = page(staff.analyst.clone()).await.expect("send");
    let html = analyst.text().await.expect("html");
    assert!(html.contains("value=\"full\"") && html.contains("value=\"zones\""));
    assert!(html.contains("name=\"files\" value=\"zip\""), "{html}");

    // The form as a browser sends it, untouched fields empty, with the session cookie only.
    let response = app
        .request(
            reqwest::Method::GET,
            "/api/projects/lomas/export?format=gpkg&privacy=anonymised&workshop=&since=&until=&mask_min=50&mask_max=250&k=5&lang=es",
            None,
        )
        .header("cookie", format!("trama_session={}", staff.researcher))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("lomas-features-anonymised-")
    );
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("page.gpkg");
    std::fs::write(&path, response.bytes().await.expect("file")).expect("write");
    validate_geopackage(&path);
}

/// Twice the signed area of a ring: positive when counterclockwise.
fn winding(ring: &Value) -> f64 {
    let positions: Vec<(f64, f64)> = ring
        .as_array()
        .expect("ring")
        .iter()
        .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
        .collect();
    positions
        .windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

/// The type GDAL gives a field, from `ogrinfo -so` (`created: DateTime (0.0)`).
fn field_type<'a>(info: &'a str, field: &str) -> &'a str {
    let prefix = format!("{field}: ");
    info.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no field {field} in {info}"))
}

/// What GIS tools and spreadsheets need: polygons by the right-hand rule whatever the browser
/// drew, times and counts typed as such, and a title that is a formula kept exact in GeoJSON
/// but never run by a spreadsheet opening the CSV.
async fn exports_follow_the_right_hand_rule_type_their_columns_and_defuse_formulas(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let formula = r#"=HYPERLINK("http://example.org/x","ver")"#;
    // Clockwise, as a browser may draw it.
    let clockwise = json!([
        [-58.45, -34.72],
        [-58.45, -34.716],
        [-58.446, -34.716],
        [-58.446, -34.72],
        [-58.45, -34.72]
    ]);
    assert!(winding(&clockwise) < 0.0);
    let drawn = collection(vec![
        json!({"type": "Feature", "properties": {"symbol": "zona_riesgo", "title": formula},
               "geometry": {"type": "Polygon", "coordinates": [clockwise]}}),
        json!({"type": "Feature", "properties": {"symbol": "escuela", "title": "@SUM(A1:A9)"},
               "geometry": {"type": "Point", "coordinates": [-58.40, -34.76, 12.0, 1700000000]}}),
    ]);
    let (status, body) = app
        .post("/api/projects/lomas/features", Some(&token), &drawn)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, stored) = app
        .get(
            "/api/projects/lomas/features?symbol=zona_riesgo",
            Some(&staff.analyst),
        )
        .await;
    assert!(
        winding(&stored["features"][0]["geometry"]["coordinates"][0]) > 0.0,
        "{stored}"
    );

    let dir = tempfile::TempDir::new().expect("dir");
    let (path, _) = download(
        &app,
        &staff.analyst,
        "format=geojson&privacy=full",
        dir.path(),
    )
    .await;
    let geojson: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("file")).expect("json");
    let zone = geojson["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["symbol"] == "zona_riesgo")
        .expect("the zone");
    assert_eq!(
        zone["properties"]["title"], formula,
        "GeoJSON keeps the text exactly"
    );
    assert!(winding(&zone["geometry"]["coordinates"][0]) > 0.0);
    let (path, _) = download(
        &app,
        &staff.analyst,
        "format=geojson&privacy=full&content=cells",
        dir.path(),
    )
    .await;
    let cells: Value = serde_json::from_slice(&std::fs::read(&path).expect("file")).expect("json");
    for cell in cells["features"].as_array().expect("cells") {
        assert!(winding(&cell["geometry"]["coordinates"][0]) > 0.0, "{cell}");
    }

    let (path, headers) =
        download(&app, &staff.analyst, "format=csv&privacy=full", dir.path()).await;
    let text = std::fs::read_to_string(&path).expect("csv");
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let titles: Vec<String> = reader
        .records()
        .map(|r| r.expect("row")[7].to_owned())
        .collect();
    assert!(titles.contains(&format!("'{formula}")), "{titles:?}");
    assert!(titles.contains(&"'@SUM(A1:A9)".to_owned()), "{titles:?}");
    let meta = headers["trama-export-metadata"].to_str().expect("ascii");
    assert!(meta.contains("formula_guard"), "{meta}");

    for (query, times) in [
        ("format=gpkg&privacy=full", "DateTime"),
        ("format=fgb&privacy=full", "DateTime"),
        ("format=gpkg&privacy=anonymised", "Date"),
        // FlatGeobuf has no date type: the day as a DateTime.
        ("format=fgb&privacy=anonymised", "DateTime"),
    ] {
        let (path, _) = download(&app, &staff.analyst, query, dir.path()).await;
        let info = ogrinfo(&path);
        assert_eq!(field_type(&info, "created"), times, "{query}: {info}");
        assert_eq!(field_type(&info, "updated"), times, "{query}: {info}");
    }
    let (path, _) = download(
        &app,
        &staff.analyst,
        "format=gpkg&privacy=full&content=cells",
        dir.path(),
    )
    .await;
    let info = ogrinfo(&path);
    assert_eq!(field_type(&info, "features"), "Integer64", "{info}");
    assert_eq!(field_type(&info, "score"), "Real", "{info}");
    // The values themselves read back as times.
    let output = Command::new("ogrinfo")
        .args(["-ro", "-al", "-q"])
        .arg(
            dir.path().join(
                std::fs::read_dir(dir.path())
                    .expect("dir")
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name())
                    .find(|n| {
                        n.to_string_lossy().contains("features-full")
                            && n.to_string_lossy().ends_with(".gpkg")
                    })
                    .expect("the full GeoPackage"),
            ),
        )
        .output()
        .expect("ogrinfo");
    let values = String::from_utf8_lossy(&output.stdout);
    assert!(
        values
            .lines()
            .any(|l| l.trim_start().starts_with("created (DateTime) = 20")),
        "{values}"
    );
}

/// A database written by an older Trama, which kept polygons as drawn: at the next start its
/// clockwise polygons are rewritten by the right-hand rule, once, without a new revision.
async fn polygons_stored_clockwise_are_reoriented_at_start(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let square = json!([
        [-58.45, -34.72],
        [-58.446, -34.72],
        [-58.446, -34.716],
        [-58.45, -34.716],
        [-58.45, -34.72]
    ]);
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&token),
            &json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"},
                    "geometry": {"type": "Polygon", "coordinates": [square]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let clockwise = r#"{"type":"Polygon","coordinates":[[[-58.45,-34.72],[-58.45,-34.716],[-58.446,-34.716],[-58.446,-34.72],[-58.45,-34.72]]]}"#;
    let statements = [
        format!("UPDATE features SET geometry = '{clockwise}'"),
        "DELETE FROM data_fixes".to_owned(),
    ];
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database.url)
                .await
                .expect("sqlite");
            for sql in &statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&pool)
                    .await
                    .expect("sql");
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database.url)
                .await
                .expect("postgres");
            for sql in &statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&pool)
                    .await
                    .expect("sql");
            }
            pool.close().await;
        }
    }
    let store = trama::store::connect(&app.database.url)
        .await
        .expect("reopened");
    let feature = store
        .find_feature(id.parse().expect("uuid"))
        .await
        .expect("read")
        .expect("the drawing");
    let stored: Value = serde_json::from_str(&feature.geometry).expect("geojson");
    assert!(winding(&stored["coordinates"][0]) > 0.0, "{stored}");
    assert_eq!(feature.revision, 1, "no revision is added");
    assert!(
        store
            .feature_history(feature.id)
            .await
            .expect("history")
            .len()
            <= 1
    );
}

/// Every export a researcher or an analyst can take (each format, level, content and
/// geometry type) opens in the readers researchers use: Debian's GDAL 3.6 reading every
/// feature, a current GDAL (pyogrio's) and DuckDB's spatial extension, each counting the
/// same rows in every layer.
async fn every_export_opens_in_every_reader(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    drawings(&app, &staff).await;
    let dir = tempfile::TempDir::new().expect("dir");
    let mut queries = Vec::new();
    for format in ["geojson", "csv", "gpkg", "kml", "fgb"] {
        for level in ["full", "anonymised", "aggregated"] {
            queries.push(format!("format={format}&privacy={level}&k=2"));
        }
        queries.push(format!(
            "format={format}&privacy=aggregated&content=cells&k=2"
        ));
        queries.push(format!("format={format}&privacy=full&content=cells"));
        queries.push(format!("format={format}&privacy=full&content=zones"));
        if !matches!(format, "kml" | "fgb") {
            queries.push(format!("format={format}&privacy=full&content=annotations"));
        }
        for geometry in ["points", "lines", "polygons"] {
            queries.push(format!(
                "format={format}&privacy=anonymised&geometry={geometry}"
            ));
        }
    }
    let mut files = Vec::new();
    for query in &queries {
        let (path, _) = download(&app, &staff.analyst, query, dir.path()).await;
        // Each query its own file: the name says the content and level, not the rest.
        let named = dir.path().join(format!(
            "{}.{}",
            files.len(),
            path.extension()
                .and_then(|e| e.to_str())
                .expect("extension")
        ));
        std::fs::rename(&path, &named).expect("rename");
        ogrinfo_every_feature(&named);
        files.push(named);
    }
    let read = current_readers(&files);
    let version: Vec<u32> = read["gdal"]
        .as_str()
        .expect("a version")
        .split('.')
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(version >= vec![3, 9], "a current GDAL: {read}");
    for (query, path) in queries.iter().zip(&files) {
        let file = &read["files"][path.to_str().expect("utf-8")];
        assert!(file.get("error").is_none(), "{query}: {file}");
        let info = ogrinfo(path);
        let layers = file["layers"].as_object().expect("layers");
        let named: Vec<&str> = info
            .lines()
            .filter_map(|l| l.strip_prefix("Layer name: "))
            .collect();
        assert_eq!(layers.len(), named.len(), "{query}: {file} beside {info}");
        for (name, counts) in layers {
            // GDAL 3.6 names a CSV's layer after the file, as the current GDAL does.
            let expected = feature_count(&info, name);
            assert_eq!(counts["pyogrio"], expected, "{query}: {name} {counts}");
            assert_eq!(counts["duckdb"], expected, "{query}: {name} {counts}");
        }
        if query.contains("geometry=") {
            let kind = ["points", "lines", "polygons"]
                .into_iter()
                .find(|g| query.contains(g))
                .expect("a type");
            let wanted = match kind {
                "points" => "Multi Point",
                "lines" => "Multi Line String",
                _ => "Multi Polygon",
            };
            // FlatGeobuf's lines keep their own types (see export::fgb).
            if query.contains("gpkg") || (query.contains("fgb") && kind != "lines") {
                assert!(
                    info.contains(&format!("Geometry: {wanted}")),
                    "{query}: {info}"
                );
            }
        }
    }
    // The anonymised GeoPackage keeps only meaningful columns, and the key to its numbers.
    let (path, _) = download(&app, &staff.researcher, "format=gpkg", dir.path()).await;
    let info = ogrinfo(&path);
    for empty in ["author:", "title:", "description:"] {
        assert!(!info.contains(empty), "{empty} in {info}");
    }
    assert_eq!(feature_count(&info, "workshops"), 1, "{info}");
    assert!(info.contains("table_numbers: String"), "{info}");
    validate_geopackage(&path);
}

/// A researcher who takes the same drawings at several resolutions cannot cut a sensitive
/// drawing's mask down by intersecting them: each coarser cell holds the whole finer mask.
async fn coarser_masks_hold_the_finer_one(backend: Backend) {
    use geo::{Area, BooleanOps};
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    drawings(&app, &staff).await;
    let dir = tempfile::TempDir::new().expect("dir");
    let masks = |path: PathBuf| -> Vec<geo::Geometry<f64>> {
        let file: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        file["features"]
            .as_array()
            .expect("features")
            .iter()
            .filter(|f| f["properties"]["masked"] == "h3-cell")
            .map(|f| {
                let g: geojson::Geometry =
                    serde_json::from_value(f["geometry"].clone()).expect("geometry");
                geo::Geometry::try_from(g).expect("geo")
            })
            .collect()
    };
    let (fine, _) = download(&app, &staff.researcher, "format=geojson", dir.path()).await;
    let fine = masks(fine);
    assert_eq!(fine.len(), 2);
    let mut kept = geo::MultiPolygon::new(
        fine.iter()
            .filter_map(|g| match g {
                geo::Geometry::Polygon(p) => Some(p.clone()),
                _ => None,
            })
            .collect(),
    );
    let whole = kept.unsigned_area();
    for resolution in [7, 6, 5] {
        let (path, _) = download(
            &app,
            &staff.researcher,
            &format!("format=geojson&resolution={resolution}"),
            dir.path(),
        )
        .await;
        let coarse = masks(path);
        let union = coarse
            .iter()
            .fold(geo::MultiPolygon::new(vec![]), |u, g| match g {
                geo::Geometry::Polygon(p) => u.union(p),
                geo::Geometry::MultiPolygon(m) => u.union(m),
                _ => u,
            });
        kept = kept.intersection(&union);
    }
    assert!(
        kept.unsigned_area() / whole > 0.999,
        "the intersections kept {:.3} of the masks",
        kept.unsigned_area() / whole
    );
}

crate::both_backends!(
    coarser_masks_hold_the_finer_one,
    every_export_opens_in_every_reader,
    the_project_s_masking_is_the_researchers_floor,
    a_sweep_of_exports_is_limited_and_flagged,
    a_researcher_cannot_locate_a_masked_place_by_asking_cleverly,
    polygons_stored_clockwise_are_reoriented_at_start,
    exports_follow_the_right_hand_rule_type_their_columns_and_defuse_formulas,
    the_export_page_offers_what_the_role_allows,
    every_format_opens_in_gdal_with_its_fields_and_srs,
    anonymised_and_aggregated_exports_leak_nothing,
    aggregated_exports_never_subtract_to_a_suppressed_count,
    export_requests_are_checked,
    full_exports_carry_photos_and_voice_notes_and_no_other_does,
);

/// A full GeoPackage carries the photos and voice notes of the drawings it holds, as the
/// Related Tables Extension's media table related to each features table; a full export in
/// any format asked with `files=zip` carries them beside it in a ZIP, with the relation table;
/// an anonymised one, none (a photo shows a place as a title names it).
async fn full_exports_carry_photos_and_voice_notes_and_no_other_does(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    drawings(&app, &staff).await;
    let (_, listed) = app
        .get(
            "/api/projects/lomas/features?symbol=escuela",
            Some(&staff.analyst),
        )
        .await;
    let school = listed["features"][0]["id"].as_str().expect("id").to_owned();
    let dir = tempfile::TempDir::new().expect("dir");
    let png = crate::common::small_png();
    let note = dir.path().join("nota.webm");
    let made = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:duration=2")
        .args(["-c:a", "libopus"])
        .arg(&note)
        .output()
        .expect("ffmpeg");
    assert!(made.status.success());
    for body in [png, std::fs::read(&note).expect("note")] {
        let response = app
            .request(
                reqwest::Method::POST,
                &format!("/api/features/{school}/attachments"),
                Some(&staff.analyst),
            )
            .body(body)
            .send()
            .await
            .expect("attach");
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    let (full, _) = download(&app, &staff.analyst, "format=gpkg&privacy=full", dir.path()).await;
    validate_geopackage(&full);
    ogrinfo_every_feature(&full);
    let info = ogrinfo(&full);
    assert_eq!(feature_count(&info, "attachments"), 2, "{info}");
    let mut gpkg = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        full.display()
    ))
    .await
    .expect("open");
    let kept: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT a.content_type, a.kind, a.data FROM features_points f
         JOIN features_points_attachments m ON m.base_id = f.fid
         JOIN attachments a ON a.id = m.related_id WHERE f.id = ? ORDER BY a.id",
    )
    .bind(&school)
    .fetch_all(&mut gpkg)
    .await
    .expect("related");
    assert_eq!(kept.len(), 2, "both related to the school");
    assert_eq!(
        (kept[0].0.as_str(), kept[0].1.as_str()),
        ("image/jpeg", "photo")
    );
    assert!(kept[0].2.starts_with(&[0xFF, 0xD8]), "the photo's JPEG");
    assert_eq!(
        (kept[1].0.as_str(), kept[1].1.as_str()),
        ("audio/webm", "voice_note")
    );
    assert!(
        kept[1].2.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]),
        "the note's WebM"
    );
    let relations: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT base_table_name, relation_name, mapping_table_name FROM gpkgext_relations ORDER BY id",
    )
    .fetch_all(&mut gpkg)
    .await
    .expect("relations");
    assert_eq!(relations.len(), 3, "one per features table: {relations:?}");
    assert!(relations.iter().all(|(_, name, _)| name == "media"));
    // GDAL (3.6, Debian's; what QGIS reads relations with) finds them.
    let relations = Command::new("/usr/bin/python3")
        .env("PATH", "/usr/bin:/bin")
        .args([
            "-c",
            "import sys; from osgeo import gdal; d = gdal.OpenEx(sys.argv[1]); \
             print(sorted((r.GetLeftTableName(), r.GetRightTableName(), r.GetMappingTableName()) \
             for r in (d.GetRelationship(n) for n in d.GetRelationshipNames() or [])))",
        ])
        .arg(&full)
        .output()
        .expect("python3-gdal");
    let relations = String::from_utf8_lossy(&relations.stdout);
    assert!(
        relations.contains("('features_points', 'attachments', 'features_points_attachments')"),
        "{relations}"
    );
    let read = current_readers(std::slice::from_ref(&full));
    let file = &read["files"][full.to_str().expect("utf-8")];
    assert_eq!(file["layers"]["attachments"]["pyogrio"], 2, "{file}");

    // Beside a file in a ZIP, in every format: the same bytes, named by ids, and
    // attachments.csv saying whose they are; GDAL reads the data file inside it.
    let photo_and_note: Vec<Vec<u8>> = kept.into_iter().map(|(_, _, data)| data).collect();
    for format in ["geojson", "csv", "kml", "fgb", "gpkg"] {
        let (zip, headers) = download(
            &app,
            &staff.analyst,
            &format!("format={format}&privacy=full&files=zip"),
            dir.path(),
        )
        .await;
        assert_eq!(headers["content-type"], "application/zip");
        let name = zip.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            name.starts_with("lomas-features-full-") && name.ends_with(".zip"),
            "{name}"
        );
        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("a ZIP");
        let data_name = name.replace(".zip", &format!(".{format}"));
        let entries: Vec<String> = archive
            .file_names()
            .map(|n| n.expect("a name").into_owned())
            .collect();
        assert!(entries.contains(&data_name), "{entries:?}");
        let relation = {
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut archive.by_name("attachments.csv").expect("relation table"),
                &mut text,
            )
            .expect("utf-8");
            text
        };
        let rows: Vec<Vec<&str>> = relation.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(
            rows[0][..3],
            ["file", "attachment", "drawing"],
            "{relation}"
        );
        assert_eq!(rows.len(), 3, "two files of the school: {relation}");
        for (row, expected) in rows[1..].iter().zip(&photo_and_note) {
            assert_eq!(row[2], school, "{relation}");
            assert!(
                row[0].starts_with(&format!("attachments/{school}/{}", row[1])),
                "{relation}"
            );
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut archive.by_name(row[0]).expect("the file"), &mut bytes)
                .expect("read");
            assert_eq!(&bytes, expected, "{} is the kept file", row[0]);
        }
        assert_eq!((rows[1][4], rows[2][4]), ("photo", "voice_note"));
        assert!(rows[1][0].ends_with(".jpg") && rows[2][0].ends_with(".webm"));
        let inside = format!("/vsizip/{}/{data_name}", zip.display());
        let output = Command::new("ogrinfo")
            .args(["-ro", "-so", "-al", &inside])
            .output()
            .expect("ogrinfo");
        let info = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{inside}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(info.contains("Feature Count: "), "{info}");
    }
    // Files go with the drawings the export holds: none of a filter that leaves the school out.
    let (zip, _) = download(
        &app,
        &staff.analyst,
        "format=geojson&privacy=full&files=zip&symbol=zona_riesgo",
        dir.path(),
    )
    .await;
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("a ZIP");
    assert_eq!(archive.len(), 2, "the data and an empty relation table");
    // Only full exports of drawings.
    for query in [
        "format=geojson&privacy=anonymised&files=zip",
        "format=csv&privacy=aggregated&files=zip",
        "format=geojson&privacy=full&content=zones&files=zip",
    ] {
        let (status, problem) = app
            .get(
                &format!("/api/projects/lomas/export?{query}"),
                Some(&staff.analyst),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
        assert_eq!(problem["code"], "export.files", "{problem}");
    }
    let (status, problem) = app
        .get(
            "/api/projects/lomas/export?privacy=full&files=tar",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"].as_str().expect("detail").contains("zip"),
        "{problem}"
    );

    // Anonymised: no photo, no note, no relation.
    let (anonymised, _) = download(
        &app,
        &staff.analyst,
        "format=gpkg&privacy=anonymised",
        dir.path(),
    )
    .await;
    let info = ogrinfo(&anonymised);
    assert!(!info.contains("attachments"), "{info}");
}
