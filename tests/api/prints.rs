//! Printed maps over the API (issue 29): started as a job, followed, downloaded; the PDF is
//! georeferenced where the answer says (GDAL), shows the project's raster basemap, names the
//! legend in the asked language, and carries no word of any drawing (a sensitive one is its
//! masking cell); who may print is the workshop's facilitator, analysts and admins.

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::tiles::{RASTER_RGB, basemap_files};
use crate::common::{Backend, TestApp, collection};

const SECRET: &str = "Pasaje Oculto 1234";

/// Starts a print and waits for its job; returns its last status.
async fn print(app: &TestApp, token: &str, body: &Value) -> Value {
    let (status, started) = app
        .post("/api/projects/lomas/prints", Some(token), body)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let url = started["status_url"]
        .as_str()
        .expect("status url")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, now) = app.get(&url, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{now}");
        if now["running"] == json!(false) {
            return now;
        }
        assert!(Instant::now() < deadline, "the print never ended: {now}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_print_of_a_workshop_is_georeferenced_masked_and_for_its_staff(backend: Backend) {
    let files = basemap_files().await;
    let app = TestApp::start_with_basemaps(backend, &[files.raster.display().to_string()]).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let mut features = Vec::new();
    for i in 0..60 {
        let (lon, lat) = (
            -58.404 + f64::from(i % 10) * 0.0008,
            -34.764 + f64::from(i / 10) * 0.0007,
        );
        let symbol = if i == 0 {
            "taller_clandestino"
        } else {
            "escuela"
        };
        features.push(json!({"type": "Feature",
            "properties": {"symbol": symbol, "title": format!("{SECRET} {i}"), "description": SECRET},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}));
    }
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &collection(features),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let options = json!({"workshop": workshop.id, "bbox": "-58.406,-34.766,-58.394,-34.759",
        "paper": "A4", "orientation": "landscape", "columns": 2, "rows": 1, "lang": "en"});
    // Neither a participant nor a researcher prints; a bad option is a problem that says so.
    let (status, _) = app
        .post("/api/projects/lomas/prints", Some(&participant), &options)
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED,
        "{status}"
    );
    let (status, _) = app
        .post(
            "/api/projects/lomas/prints",
            Some(&staff.researcher),
            &options,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .post(
            "/api/projects/lomas/prints",
            Some(&staff.analyst),
            &json!({"bbox": "-58.406,-34.766,-58.394,-34.759", "paper": "B5"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "print.option", "{problem}");
    let (status, problem) = app
        .post(
            "/api/projects/lomas/prints",
            Some(&staff.analyst),
            &json!({"bbox": "-58.406,-34.766,-58.394,-34.759", "scale": 500}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("does not fit"),
        "{problem}"
    );

    // The workshop's facilitator prints it.
    let done = print(&app, &staff.facilitator, &options).await;
    let result = &done["result"];
    assert_eq!(result["sheets"].as_array().map(Vec::len), Some(2), "{done}");
    let file = done["file_url"].as_str().expect("file url");
    let response = app
        .request(reqwest::Method::GET, file, Some(&staff.facilitator))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.contains("lomas-taller-budge-2x1-A4.pdf"),
        "{disposition}"
    );
    let pdf = response.bytes().await.expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("mapa.pdf");
    std::fs::write(&path, &pdf).expect("write");

    // Where the answer says, page by page (GDAL: the neatline within 1 m of each sheet's ground).
    for (page, sheet) in result["sheets"]
        .as_array()
        .expect("sheets")
        .iter()
        .enumerate()
    {
        let output = Command::new("gdalinfo")
            .args(["-json", &format!("PDF:{}:{}", page + 1, path.display())])
            .output()
            .expect("gdalinfo");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let info: Value = serde_json::from_slice(&output.stdout).expect("json");
        let neatline = info["metadata"][""]["NEATLINE"]
            .as_str()
            .expect("neatline")
            .to_owned();
        let ground: Vec<f64> = sheet["ground"]
            .as_array()
            .expect("ground")
            .iter()
            .map(|v| v.as_f64().expect("degrees"))
            .collect();
        for (x, y) in [(ground[0], ground[1]), (ground[2], ground[3])] {
            let near = neatline
                .trim_start_matches("POLYGON ((")
                .trim_end_matches("))")
                .split(',')
                .map(|p| {
                    let v: Vec<f64> = p
                        .split_whitespace()
                        .map(|n| n.parse().expect("number"))
                        .collect();
                    // Web Mercator metres, the map's projection.
                    let corner = trama::domain::paper::unmercator(v[0], v[1]);
                    trama::domain::paper::distance_m(corner, (x, y))
                })
                .fold(f64::MAX, f64::min);
            assert!(
                near < 1.0,
                "sheet {page}: {near} m from ({x}, {y}): {neatline}"
            );
        }
    }
    // The words: the legend in English, the join code; never a drawing's title or description.
    let text = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    for words in [
        "Legend",
        "Sheet A1 of 2",
        &workshop.code,
        "Approximate area of a sensitive place",
    ] {
        assert!(text.contains(words), "{words} in {text}");
    }
    assert!(
        !text.contains(SECRET),
        "no drawing's words on paper: {text}"
    );
    // The raster basemap under the map: its colour covers much of the first page.
    let rendered = hayro::render(
        &hayro::hayro_syntax::Pdf::new(std::sync::Arc::new(pdf.to_vec()))
            .expect("hayro reads it")
            .pages()[0],
        &hayro::RenderCache::new(),
        &hayro::hayro_interpret::InterpreterSettings::default(),
        &hayro::RenderSettings::default(),
        &hayro::PixmapSettings {
            x_scale: 1.0,
            y_scale: 1.0,
            bg_color: hayro::vello_cpu::color::palette::css::WHITE,
        },
    );
    let pixels = rendered.data_as_u8_slice().chunks_exact(4);
    let total = pixels.len();
    let basemap = pixels
        .filter(|p| (0..3).all(|c| (i32::from(p[c]) - i32::from(RASTER_RGB[c])).abs() < 30))
        .count();
    assert!(
        basemap * 4 > total,
        "{basemap} of {total} pixels are the basemap's"
    );

    // Another workshop's facilitator neither follows nor downloads it; an analyst does.
    let id = done["id"].as_str().expect("id");
    let other = app
        .token_for(
            "another_facilitator",
            trama::domain::access::Role::Facilitator,
        )
        .await;
    let (status, _) = app.get(&format!("/api/prints/{id}"), Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get(&format!("/api/prints/{id}/file"), Some(&other))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get(&format!("/api/prints/{id}"), Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get(
            &format!("/api/prints/{}", uuid::Uuid::new_v4()),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A result for the community: analysts print it (a facilitator may not: it shows their
/// zones), with the confirmed zone named and numbered, counts in the legend, the text, and
/// no sensitive drawing when they are left off.
async fn a_result_names_the_confirmed_zones_and_leaves_sensitive_places_off(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let features: Vec<Value> = (0..12)
        .map(|i| {
            let symbol = if i < 2 { "taller_clandestino" } else { "escuela" };
            json!({"type": "Feature", "properties": {"symbol": symbol, "title": format!("{SECRET} {i}")},
                   "geometry": {"type": "Point", "coordinates": [-58.404 + f64::from(i) * 0.0005, -34.763]}})
        })
        .collect();
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &collection(features),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let zone = json!({"type": "Polygon", "coordinates": [[[-58.405, -34.764], [-58.398, -34.764],
        [-58.398, -34.762], [-58.405, -34.762], [-58.405, -34.764]]]});
    let (status, saved) = app
        .post("/api/projects/lomas/priority-zones", Some(&staff.analyst),
            &json!({"name": "Feria de la avenida", "geometry": zone, "computed": {}, "note": "mesas"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let id = saved["id"].as_str().expect("id");
    let confirmed = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/priority-zones/{id}"),
            Some(&staff.analyst),
        )
        .header("if-match", "\"1\"")
        .json(&json!({"status": "confirmed", "note": "visita"}))
        .send()
        .await
        .expect("send");
    assert_eq!(confirmed.status(), StatusCode::OK);

    let options = json!({"workshop": workshop.id, "bbox": "-58.406,-34.766,-58.394,-34.759", "paper": "A3",
        "orientation": "portrait", "result": true, "sensitive": "omitted", "lang": "es",
        "text": "Las zonas que la comisión prioriza para actuar primero."});
    let (status, _) = app
        .post(
            "/api/projects/lomas/prints",
            Some(&staff.facilitator),
            &options,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a result shows the analysts' zones"
    );
    let done = print(&app, &staff.analyst, &options).await;
    // Nor may the workshop's facilitator follow or download the analysts' result.
    let id = done["id"].as_str().expect("id");
    for path in [
        format!("/api/prints/{id}"),
        format!("/api/prints/{id}/file"),
    ] {
        let (status, _) = app.get(&path, Some(&staff.facilitator)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let file = done["file_url"].as_str().expect("file url");
    let pdf = app
        .request(reqwest::Method::GET, file, Some(&staff.analyst))
        .send()
        .await
        .expect("send")
        .bytes()
        .await
        .expect("pdf");
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("devolucion.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let text = Command::new("pdftotext")
        .args(["-raw"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    for words in [
        "1 · Feria de la avenida",
        "Zonas prioritarias (1)",
        "Escuela (10)",
        "comisión prioriza",
    ] {
        assert!(text.contains(words), "{words} in {text}");
    }
    assert!(
        !text.contains("Taller textil"),
        "the sensitive symbol is left off: {text}"
    );
    assert!(!text.contains("Zona aproximada"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(
        !text.contains(&workshop.code),
        "a result has no join code: {text}"
    );
}

crate::both_backends!(
    a_print_of_a_workshop_is_georeferenced_masked_and_for_its_staff,
    a_result_names_the_confirmed_zones_and_leaves_sensitive_places_off,
);
