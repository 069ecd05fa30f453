//! Offline basemaps: tiles and TileJSON from MBTiles and PMTiles files made with GDAL, the same
//! bytes from either format, bad files refused clearly at upload, and an area downloaded from a
//! tile service on loopback.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use trama::basemap::{Tile, TileRange};

use crate::common::tiles::{AREA, basemap_files, fake_png, tile_service};
use crate::common::{Backend, TestApp, read};

fn path(p: &std::path::Path) -> String {
    p.to_str().expect("utf-8").to_owned()
}

async fn raw(app: &TestApp, url: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = app.request(Method::GET, url, None);
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.send().await.expect("send")
}

async fn tiles_are_served_alike_from_mbtiles_and_pmtiles(backend: Backend) {
    let files = basemap_files().await;
    let app = TestApp::start_with_basemaps(
        backend,
        &[
            format!("Calles={}", path(&files.raster)),
            path(&files.raster_pmtiles),
            format!("Vectorial={}", path(&files.vector)),
            path(&files.vector_pmtiles),
        ],
    )
    .await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;

    // A participant's pages are offered the operator's four, in the order given.
    let (status, list) = app
        .get("/api/projects/lomas/basemaps", Some(&participant))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let offered: Vec<(&str, &str, &str)> = list["basemaps"]
        .as_array()
        .expect("list")
        .iter()
        .map(|b| {
            (
                b["id"].as_str().expect("id"),
                b["format"].as_str().expect("format"),
                b["file"].as_str().expect("file"),
            )
        })
        .collect();
    assert_eq!(
        offered,
        [
            ("calles", "png", "mbtiles"),
            ("calles-1", "png", "pmtiles"),
            ("vectorial", "pbf", "mbtiles"),
            ("vectorial-1", "pbf", "pmtiles"),
        ],
        "{list}"
    );
    assert_eq!(list["basemaps"][0]["label"], "Calles");

    // TileJSON 3.0.0, with absolute tile URLs, zooms, bounds, and a vector file's layers.
    for (id, min, max) in [
        ("calles", 11, 14),
        ("calles-1", 11, 14),
        ("vectorial", 10, 15),
        ("vectorial-1", 10, 15),
    ] {
        let response = app
            .request(reqwest::Method::GET, &format!("/api/basemaps/{id}"), None)
            .header("host", "attacker.example")
            .send()
            .await
            .expect("tilejson");
        // Its URLs are built from the request's Host: no shared cache may keep them.
        assert_eq!(response.headers()["cache-control"], "private, max-age=300");
        let (status, tilejson) = app.get(&format!("/api/basemaps/{id}"), None).await;
        assert_eq!(status, StatusCode::OK, "{tilejson}");
        assert_eq!(tilejson["tilejson"], "3.0.0");
        assert_eq!(
            (tilejson["minzoom"].as_u64(), tilejson["maxzoom"].as_u64()),
            (Some(min), Some(max)),
            "{id}: {tilejson}"
        );
        let url = tilejson["tiles"][0].as_str().expect("tiles");
        assert!(
            url.starts_with(&app.base) && url.contains("{z}/{x}/{y}"),
            "{url}"
        );
        let bounds: Vec<f64> = serde_json::from_value(tilejson["bounds"].clone()).expect("bounds");
        for (got, want) in bounds.iter().zip(AREA) {
            assert!((got - want).abs() < 0.01, "{id}: bounds {bounds:?}");
        }
        if id.starts_with("vectorial") {
            let layers: Vec<&str> = tilejson["vector_layers"]
                .as_array()
                .expect("layers")
                .iter()
                .map(|l| l["id"].as_str().expect("id"))
                .collect();
            assert!(
                layers.contains(&"roads") && layers.contains(&"pois"),
                "{tilejson}"
            );
        }
    }

    // Every tile of the area, at every zoom: the same status and bytes from either file.
    for (mbtiles, pmtiles, content_type, gzip, zooms) in [
        ("calles", "calles-1", "image/png", false, (11, 14)),
        (
            "vectorial",
            "vectorial-1",
            "application/vnd.mapbox-vector-tile",
            true,
            (10, 15),
        ),
    ] {
        let range = TileRange {
            bounds: AREA,
            min_zoom: zooms.0,
            max_zoom: zooms.1,
        };
        let mut stored = 0;
        for tile in range.tiles() {
            let (a, b) = (
                raw(
                    &app,
                    &format!("/api/basemaps/{mbtiles}/tiles/{tile}.png"),
                    None,
                )
                .await,
                raw(&app, &format!("/api/basemaps/{pmtiles}/tiles/{tile}"), None).await,
            );
            assert_eq!(a.status(), b.status(), "{tile}");
            if a.status() == StatusCode::NO_CONTENT {
                continue;
            }
            assert_eq!(a.status(), StatusCode::OK, "{tile}");
            for response in [&a, &b] {
                assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
                assert_eq!(
                    response.headers().get(header::CONTENT_ENCODING).is_some(),
                    gzip,
                    "{tile}"
                );
                assert!(
                    response.headers()[header::CACHE_CONTROL]
                        .to_str()
                        .expect("cc")
                        .contains("max-age=")
                );
            }
            let (a, b) = (
                a.bytes().await.expect("body"),
                b.bytes().await.expect("body"),
            );
            assert!(!a.is_empty());
            assert_eq!(a, b, "{mbtiles} and {pmtiles} differ at {tile}");
            if gzip {
                assert_eq!(
                    &a[..2],
                    &[0x1F, 0x8B],
                    "vector tiles are sent as stored, gzipped"
                );
            } else {
                assert_eq!(&a[..4], b"\x89PNG");
            }
            stored += 1;
        }
        assert!(stored >= 10, "{mbtiles}: only {stored} tiles served");
    }

    // A tile the browser has: 304 on its ETag. A tile outside the data: 204. Outside the grid
    // or an unknown basemap: 404 problem JSON.
    let tile = Tile::containing(-58.41, -34.76, 13);
    let first = raw(
        &app,
        &format!("/api/basemaps/calles/tiles/{tile}.png"),
        None,
    )
    .await;
    let etag = first.headers()[header::ETAG]
        .to_str()
        .expect("etag")
        .to_owned();
    let again = raw(
        &app,
        &format!("/api/basemaps/calles/tiles/{tile}.png"),
        Some(&etag),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let elsewhere = Tile::containing(2.35, 48.85, 13);
    for id in ["calles", "calles-1", "vectorial", "vectorial-1"] {
        let response = raw(&app, &format!("/api/basemaps/{id}/tiles/{elsewhere}"), None).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{id}");
        let too_deep = raw(&app, &format!("/api/basemaps/{id}/tiles/22/0/0"), None).await;
        assert_eq!(
            too_deep.status(),
            StatusCode::NO_CONTENT,
            "{id}: beyond its zooms"
        );
    }
    for url in [
        "/api/basemaps/calles/tiles/3/9/0",
        "/api/basemaps/calles/tiles/a/b/c",
        "/api/basemaps/nada/tiles/1/0/0",
        "/api/basemaps/nada",
    ] {
        let (status, problem) = read(raw(&app, url, None).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
        assert!(problem["detail"].is_string(), "{url}: {problem}");
    }
}

async fn upload(app: &TestApp, token: &str, label: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .request(
            Method::POST,
            &format!("/api/projects/lomas/basemaps?label={label}"),
            Some(token),
        )
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("send");
    read(response).await
}

async fn admins_upload_basemaps_and_bad_files_are_refused_clearly(backend: Backend) {
    let files = basemap_files().await;
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let mbtiles = std::fs::read(&files.raster).expect("read");
    let pmtiles = std::fs::read(&files.vector_pmtiles).expect("read");

    // Only admins.
    let (status, problem) = upload(&app, &staff.analyst, "Calles", mbtiles.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    // Files that are not basemaps, each refused with what is wrong with it.
    let empty_sqlite = {
        let path = app.database.dir().join("empty.sqlite");
        rusqlite::Connection::open(&path)
            .expect("sqlite")
            .execute_batch("CREATE TABLE x (a); INSERT INTO x VALUES (1);")
            .expect("table");
        std::fs::read(&path).expect("read")
    };
    let no_tiles = {
        let path = app.database.dir().join("no-tiles.mbtiles");
        rusqlite::Connection::open(&path).expect("sqlite").execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
        ).expect("tables");
        std::fs::read(&path).expect("read")
    };
    let too_deep = {
        let path = app.database.dir().join("too-deep.mbtiles");
        rusqlite::Connection::open(&path).expect("sqlite").execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             INSERT INTO tiles VALUES (40, 1, 1, x'89504E470D0A1A0A');",
        ).expect("tables");
        std::fs::read(&path).expect("read")
    };
    let mut broken_directory = pmtiles.clone();
    for byte in &mut broken_directory[127..160] {
        *byte = 0xA5;
    }
    // Each refusal says why in English for API clients, and names the message a page says
    // it with (`errors[0].code`), the file by its name only.
    for (body, says, code) in [
        (
            b"<html>not a map</html>".to_vec(),
            "neither an MBTiles file",
            Some("basemap.not_an_archive"),
        ),
        (
            mbtiles[..mbtiles.len() / 2].to_vec(),
            "cut short",
            Some("basemap.truncated"),
        ),
        (
            empty_sqlite,
            "no readable metadata table",
            Some("basemap.not_mbtiles"),
        ),
        (no_tiles, "holds no tiles", Some("basemap.no_tiles")),
        (
            too_deep,
            "zoom levels 40 to 40, outside 0 to 24",
            Some("basemap.not_mbtiles"),
        ),
        (
            pmtiles[..pmtiles.len() - 100].to_vec(),
            "cut short",
            Some("basemap.truncated"),
        ),
        (
            broken_directory,
            "root directory is broken",
            Some("basemap.not_pmtiles"),
        ),
        (Vec::new(), "has no file", None),
    ] {
        let (status, problem) = upload(&app, &staff.admin, "Mala", body).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{says}: {status} {problem}"
        );
        let detail = problem["detail"].as_str().expect("detail");
        assert!(detail.contains(says), "{says}: {detail}");
        if let Some(code) = code {
            assert_eq!(problem["errors"][0]["code"], code, "{problem}");
            let file = problem["errors"][0]["params"]["file"]
                .as_str()
                .expect("file");
            assert!(!file.contains('/'), "a name, not a path: {file}");
        }
    }
    let (status, list) = app
        .get("/api/projects/lomas/basemaps", Some(&staff.admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["basemaps"], json!([]), "nothing refused was kept");
    let incoming = app.database.dir().join("data/basemaps/incoming");
    assert_eq!(
        std::fs::read_dir(&incoming).map(|d| d.count()).unwrap_or(0),
        0,
        "refused uploads leave no file"
    );

    // Good files are kept, listed as the project's own, served, and removed.
    let (status, raster) = upload(&app, &staff.admin, "Calles%202026", mbtiles).await;
    assert_eq!(status, StatusCode::CREATED, "{raster}");
    assert_eq!(raster["label"], "Calles 2026");
    let (status, vector) = upload(&app, &staff.admin, "Vectorial", pmtiles).await;
    assert_eq!(status, StatusCode::CREATED, "{vector}");
    let (_, list) = app
        .get("/api/projects/lomas/basemaps", Some(&staff.facilitator))
        .await;
    let labels: Vec<&str> = list["basemaps"]
        .as_array()
        .expect("list")
        .iter()
        .map(|b| b["label"].as_str().expect("label"))
        .collect();
    assert_eq!(labels, ["Calles 2026", "Vectorial"]);
    assert_eq!(list["basemaps"][1]["own"], true);
    let id = raster["id"].as_str().expect("id");
    let tile = Tile::containing(-58.41, -34.76, 13);
    let served = raw(&app, &format!("/api/basemaps/{id}/tiles/{tile}.png"), None).await;
    assert_eq!(served.status(), StatusCode::OK);

    let response = app
        .request(
            Method::DELETE,
            &format!("/api/projects/lomas/basemaps/{id}"),
            Some(&staff.admin),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let gone = raw(&app, &format!("/api/basemaps/{id}/tiles/{tile}.png"), None).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let (_, list) = app
        .get("/api/projects/lomas/basemaps", Some(&staff.admin))
        .await;
    assert_eq!(list["basemaps"].as_array().map(Vec::len), Some(1));
}

async fn an_area_is_downloaded_from_a_tile_service_politely(backend: Backend) {
    let (service, asked) = tile_service().await;
    // Refused by default: the loopback service is this machine.
    let area = json!({"type": "Polygon", "coordinates": [[[-58.42, -34.77], [-58.40, -34.77], [-58.40, -34.755], [-58.42, -34.755], [-58.42, -34.77]]]});
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let (status, _) = app
        .post(
            "/api/projects",
            Some(&staff.admin),
            &json!({"slug": "budge", "name": "Budge", "area": area}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, refused) = app
        .post(
            "/api/projects/budge/basemaps/fetch",
            Some(&staff.admin),
            &json!({"url": service, "label": "x", "min_zoom": 13, "max_zoom": 13, "contact": "copreti@example.org", "dry_run": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or("")
            .contains("private network"),
        "{refused}"
    );
    // The known ways around a check of the template's host: a user name before it, a host
    // that is a placeholder, IPv4 inside IPv6, numbers a resolver reads as an address. The
    // service's own port keeps them pointing at it.
    let port = service
        .rsplit(':')
        .next()
        .and_then(|rest| rest.split('/').next())
        .expect("a port");
    for bypass in [
        format!("http://user@127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"),
        format!("http://tiles.example.org@127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"),
        format!("http://127.0.0.{{z}}:{port}/{{x}}/{{y}}.png"),
        format!("http://[::ffff:0.0.0.0]:{port}/{{z}}/{{x}}/{{y}}.png"),
        format!("http://[::ffff:127.0.0.1]:{port}/{{z}}/{{x}}/{{y}}.png"),
        format!("http://2130706433:{port}/{{z}}/{{x}}/{{y}}.png"),
        format!("http://0.0.0.0:{port}/{{z}}/{{x}}/{{y}}.png"),
    ] {
        let (status, answer) = app
            .post(
                "/api/projects/budge/basemaps/fetch",
                Some(&staff.admin),
                &json!({"url": bypass, "label": "x", "min_zoom": 13, "max_zoom": 13, "contact": "copreti@example.org"}),
            )
            .await;
        if status == StatusCode::ACCEPTED {
            // A name that does not resolve when planned (offline, or `localhost.`) is checked
            // again when each request resolves it: the download fails, asking nothing.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            loop {
                let (_, progress) = app
                    .get("/api/projects/budge/basemaps/fetch", Some(&staff.admin))
                    .await;
                if progress["running"] == false {
                    assert!(
                        progress["error"].as_str().is_some_and(|e| !e.is_empty()),
                        "{bypass}: {progress}"
                    );
                    // With the code of the message the admin page says it with.
                    assert!(
                        progress["error_code"]
                            .as_str()
                            .is_some_and(|c| c.starts_with("basemap.")),
                        "{bypass}: {progress}"
                    );
                    break;
                }
                assert!(std::time::Instant::now() < deadline, "{bypass}: {progress}");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        } else {
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bypass}: {answer}"
            );
            let code = answer["errors"][0]["code"].as_str().unwrap_or_default();
            assert!(
                [
                    "basemap.private_host",
                    "basemap.url_credentials",
                    "basemap.url_placeholder"
                ]
                .contains(&code),
                "{bypass}: {answer}"
            );
        }
    }
    assert_eq!(
        asked.lock().expect("lock").len(),
        0,
        "the service was never asked"
    );
    drop(app);
    let app = TestApp::start_with_limits(
        backend,
        trama::Limits {
            private_tile_services: true,
            ..trama::Limits::default()
        },
    )
    .await;
    let staff = app.project().await;
    let (status, body) = app
        .post(
            "/api/projects",
            Some(&staff.admin),
            &json!({"slug": "budge", "name": "Budge", "area": area}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let request = |dry_run: bool, max_zoom: u8| json!({"url": service, "label": "Descargada", "min_zoom": 13, "max_zoom": max_zoom, "contact": "copreti@example.org", "rate": 20.0, "dry_run": dry_run});

    // First what it takes; too much is refused before anything is asked.
    let (status, dry) = app
        .post(
            "/api/projects/budge/basemaps/fetch",
            Some(&staff.admin),
            &request(true, 16),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    let tiles = dry["estimate"]["tiles"].as_u64().expect("tiles");
    assert!(tiles > 5, "{dry}");
    assert_eq!(dry["estimate"]["bytes"].as_u64(), Some(tiles * 20_000));
    let (status, refused) = app
        .post(
            "/api/projects/budge/basemaps/fetch",
            Some(&staff.admin),
            &request(false, 22),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .expect("detail")
            .contains("above the limit"),
        "{refused}"
    );
    let (status, _) = app
        .post(
            "/api/projects/budge/basemaps/fetch",
            Some(&staff.analyst),
            &request(true, 16),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(asked.lock().expect("lock").is_empty());

    // The download, followed until it is done.
    let started = Instant::now();
    let (status, job) = app
        .post(
            "/api/projects/budge/basemaps/fetch",
            Some(&staff.admin),
            &request(false, 16),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let done = loop {
        let (status, job) = app
            .get("/api/projects/budge/basemaps/fetch", Some(&staff.admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["running"] == false {
            break job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "still running: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(done["error"].is_null(), "{done}");
    assert_eq!(done["progress"]["done"].as_u64(), Some(tiles), "{done}");
    let asked = asked.lock().expect("lock").clone();
    assert_eq!(asked.len() as u64, tiles, "each tile asked once");
    assert!(
        asked
            .iter()
            .all(|(_, agent, _)| agent.starts_with("Trama/")
                && agent.contains("copreti@example.org"))
    );
    // At most 20 a second: the first and last request at least (n - 1) / 20 s apart.
    let span = asked.last().expect("last").2 - asked[0].2;
    assert!(
        span >= Duration::from_secs_f64((tiles - 1) as f64 / 20.0 * 0.95),
        "{span:?} for {tiles} tiles"
    );
    let missing = asked
        .iter()
        .filter(|(tile, ..)| {
            let parts: Vec<u32> = tile.split('/').map(|n| n.parse().expect("n")).collect();
            (parts[1] + parts[2]).is_multiple_of(7)
        })
        .count() as u64;
    assert_eq!(done["progress"]["missing"].as_u64(), Some(missing));

    // The result is the project's basemap, with the service's tiles as sent.
    let id = done["basemap"]["id"].as_str().expect("basemap id");
    let (_, list) = app
        .get("/api/projects/budge/basemaps", Some(&staff.facilitator))
        .await;
    assert_eq!(list["basemaps"][0]["label"], "Descargada");
    for (tile, ..) in asked.iter().take(20) {
        let parts: Vec<u32> = tile.split('/').map(|n| n.parse().expect("n")).collect();
        let response = raw(&app, &format!("/api/basemaps/{id}/tiles/{tile}.png"), None).await;
        if (parts[1] + parts[2]).is_multiple_of(7) {
            assert_eq!(response.status(), StatusCode::NO_CONTENT, "{tile}");
        } else {
            assert_eq!(response.status(), StatusCode::OK, "{tile}");
            assert_eq!(
                response.bytes().await.expect("body").to_vec(),
                fake_png(parts[0], parts[1], parts[2])
            );
        }
    }
}

/// A participant looks for their street: the vector basemaps' named features (the fixture's
/// roads, water and points of interest, written by GDAL as MVT) are found by any part of
/// their name, case and accents aside, at their place; alike from MBTiles and PMTiles.
async fn streets_and_places_are_found_by_name_in_vector_basemaps(backend: Backend) {
    let files = basemap_files().await;
    let app = TestApp::start_with_basemaps(
        backend,
        &[
            format!("Calles={}", path(&files.raster)),
            format!("Vectorial={}", path(&files.vector)),
            path(&files.vector_pmtiles),
        ],
    )
    .await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let who = Some(participant.as_str());
    for id in ["vectorial", "vectorial-1"] {
        let search = |q: &str| format!("/api/basemaps/{id}/places?q={q}");
        // A session first, as every read of a project's data.
        let (status, problem) = app.get(&search("hipolito"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
        let (status, found) = app.get(&search("hipolito"), who).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let names: Vec<&str> = found["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f["properties"]["name"].as_str().expect("name"))
            .collect();
        assert_eq!(names, ["Avenida Hipólito Yrigoyen"], "{id}");
        let road = &found["features"][0];
        assert_eq!(road["properties"]["layer"], "roads");
        assert_eq!(road["properties"]["kind"], "major_road");
        // On the avenue, which runs along latitude -34.76 (within a z14 tile's grid step).
        let lat = road["geometry"]["coordinates"][1].as_f64().expect("lat");
        assert!((lat + 34.76).abs() < 0.001, "{id}: {lat}");

        // A school, at its point.
        let (_, found) = app.get(&search("ESCUELA"), who).await;
        let school = &found["features"][0];
        assert_eq!(school["properties"]["name"], "Escuela N.º 12");
        let at = &school["geometry"]["coordinates"];
        assert!(
            (at[0].as_f64().expect("lon") + 58.405).abs() < 0.0005
                && (at[1].as_f64().expect("lat") + 34.755).abs() < 0.0005,
            "{id}: {at}"
        );
        // Several matches: a name that starts with the words first; `limit` is kept.
        let (_, found) = app.get(&search("es&limit=2"), who).await;
        assert_eq!(found["features"].as_array().expect("features").len(), 2);
        // Nothing found is an empty collection, not an error.
        let (status, found) = app.get(&search("Laprida"), who).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found["features"], json!([]));
        // Too short a query, an unknown field: 400 problem JSON.
        // Any language asked is read from a field of a fixed few (the pages' languages, else
        // the basemap's own name): fifty made-up ones answer as the default does.
        for i in 0..50 {
            let (status, found) = app
                .get(&format!("{}&lang=x{i}q", search("hipolito")), who)
                .await;
            assert_eq!(status, StatusCode::OK, "{found}");
            assert_eq!(found["features"].as_array().map(Vec::len), Some(1));
        }
        // Too long a query (60,000 characters cost 12 s of a runtime thread): refused at once.
        for bad in [
            search("e"),
            search(&"a".repeat(60_000)),
            format!("/api/basemaps/{id}/places?q=calle&zoom=3"),
        ] {
            let started = std::time::Instant::now();
            let (status, problem) = app.get(&bad, who).await;
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {problem}");
            assert!(problem["detail"].is_string(), "{problem}");
        }
    }
    // An image has no names; an unknown basemap is not there.
    for id in ["calles", "nowhere"] {
        let (status, problem) = app
            .get(&format!("/api/basemaps/{id}/places?q=boedo"), who)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {problem}");
        assert_eq!(problem["status"], 404);
    }
}

crate::both_backends!(
    streets_and_places_are_found_by_name_in_vector_basemaps,
    tiles_are_served_alike_from_mbtiles_and_pmtiles,
    admins_upload_basemaps_and_bad_files_are_refused_clearly,
    an_area_is_downloaded_from_a_tile_service_politely,
);
