//! Imports through the API: a dry run's report, the all-or-nothing import, the same file twice,
//! and an export → import round trip that keeps geometry and attributes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{self, Backend, TestApp, read};

async fn upload(
    app: &TestApp,
    token: &str,
    workshop: &str,
    query: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let response = app
        .request(
            Method::POST,
            &format!("/api/workshops/{workshop}/import?{query}"),
            Some(token),
        )
        .body(body)
        .send()
        .await
        .expect("send");
    read(response).await
}

const MY_MAPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Relevamiento</name>
    <Folder>
      <name>Escuelas</name>
      <Placemark><name>Escuela 12</name><Point><coordinates>-58.40,-34.76,0</coordinates></Point></Placemark>
      <Placemark><name>Escuela 40</name><Point><coordinates>-58.41,-34.75,0</coordinates></Point></Placemark>
    </Folder>
    <Folder>
      <name>Kioscos</name>
      <Placemark><name>Kiosco</name><Point><coordinates>-58.42,-34.75,0</coordinates></Point></Placemark>
    </Folder>
  </Document>
</kml>"#;

async fn a_dry_run_reports_and_the_import_stores_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let map = urlencode(r#"{"Escuelas":"escuela"}"#);

    let (status, report) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        &format!("format=kml&dry_run=true&map={map}"),
        MY_MAPS,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ready"], 2);
    assert_eq!(report["categories"]["Kioscos"], 1);
    assert_eq!(report["problems"][0]["item"], 3);
    assert_eq!(report["problems"][0]["line"], 12);
    assert_eq!(
        app.feature_count(&staff.analyst).await,
        0,
        "a dry run stores nothing"
    );

    // With a problem left, nothing is stored.
    let (status, problem) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        &format!("format=kml&map={map}"),
        MY_MAPS,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("line 12")
    );
    assert_eq!(app.feature_count(&staff.analyst).await, 0);

    // Mapped fully, it is stored; the same file again adds nothing.
    let map = urlencode(r#"{"Escuelas":"escuela","Kioscos":"comedor"}"#);
    let query = format!("format=kml&map={map}&group=Docentes");
    let (status, first) = upload(&app, &staff.facilitator, &workshop.id, &query, MY_MAPS).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["imported"], 3);
    let (status, again) = upload(&app, &staff.facilitator, &workshop.id, &query, MY_MAPS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    assert_eq!(app.feature_count(&staff.analyst).await, 3);
    let (_, stored) = app
        .get("/api/projects/lomas/features", Some(&staff.analyst))
        .await;
    let school = stored["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["title"] == "Escuela 12")
        .expect("imported with its name as title");
    assert_eq!(school["geometry"]["coordinates"], json!([-58.40, -34.76]));
    assert_eq!(school["properties"]["symbol"], "escuela");
    assert_eq!(school["properties"]["workshop"], workshop.id.as_str());

    // Who may import, and bad requests.
    let (status, _) = upload(&app, &staff.researcher, &workshop.id, "format=kml", MY_MAPS).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = upload(&app, &staff.analyst, &workshop.id, "format=shp", MY_MAPS).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = upload(
        &app,
        &staff.analyst,
        &workshop.id,
        "format=kml&map=nope",
        MY_MAPS,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, problem) = upload(&app, &staff.analyst, &workshop.id, "format=gpx", "<gpx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("XML")
    );
}

async fn an_export_imports_back_with_geometry_and_attributes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let drawn = crate::common::collection(vec![
        json!({"type": "Feature", "properties": {"symbol": "escuela", "title": "Escuela 3", "description": "turno tarde"},
               "geometry": {"type": "Point", "coordinates": [-58.4012345, -34.7612345]}}),
        json!({"type": "Feature", "properties": {"symbol": "ruta_insegura", "title": "Camino"},
               "geometry": {"type": "LineString", "coordinates": [[-58.45, -34.72], [-58.44, -34.725], [-58.43, -34.72]]}}),
        json!({"type": "Feature", "properties": {"symbol": "zona_riesgo", "title": "Zona"},
               "geometry": {"type": "Polygon", "coordinates": [[[-58.45, -34.72], [-58.446, -34.72],
                   [-58.446, -34.716], [-58.45, -34.716], [-58.45, -34.72]]]}}),
    ]);
    let (status, _) = app
        .post("/api/projects/lomas/features", Some(&token), &drawn)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let other = app.workshop(&staff).await;
    for format in ["geojson", "csv", "kml"] {
        let response = app
            .request(
                Method::GET,
                &format!(
                    "/api/projects/lomas/export?format={format}&privacy=full&workshop={}",
                    workshop.id
                ),
                Some(&staff.analyst),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
        let file = response.bytes().await.expect("file");
        let field = if format == "kml" { "&field=symbol" } else { "" };
        let (status, imported) = upload(
            &app,
            &staff.analyst,
            &other.id,
            &format!("format={format}{field}"),
            file,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{format}: {imported}");
        assert_eq!(imported["imported"], 3, "{format}");
    }
    let (_, stored) = app
        .get(
            &format!("/api/projects/lomas/features?workshop={}", other.id),
            Some(&staff.analyst),
        )
        .await;
    let features = stored["features"].as_array().expect("features");
    assert_eq!(features.len(), 9);
    for original in drawn["features"].as_array().expect("drawn") {
        let copies: Vec<&Value> = features
            .iter()
            .filter(|f| f["properties"]["title"] == original["properties"]["title"])
            .collect();
        assert_eq!(copies.len(), 3, "{}", original["properties"]["title"]);
        for copy in copies {
            assert_eq!(copy["geometry"], original["geometry"]);
            assert_eq!(
                copy["properties"]["symbol"],
                original["properties"]["symbol"]
            );
            // Absent in the submission, null once stored.
            assert_eq!(
                copy["properties"]["description"],
                original["properties"]["description"]
            );
        }
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/imports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn codes(list: &Value) -> Vec<(u64, String)> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|w| {
            (
                w["item"].as_u64().expect("item"),
                w["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect()
}

/// Files as field teams bring them, into a project with an area: a My Maps KMZ, Excel's
/// Windows-1252 CSV, a GPS track, a Gauss-Krüger GeoJSON; the dry run's warnings (outside the
/// area, swapped axes, already in the workshop) block nothing, a foreign CRS blocks.
async fn files_from_the_field_import_with_warnings(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app
        .token_for("admin", trama::domain::access::Role::Admin)
        .await;
    let analyst = app
        .token_for("analyst", trama::domain::access::Role::Analyst)
        .await;
    let area = json!({"type": "Polygon", "coordinates": [[[-58.53, -34.84], [-58.33, -34.84],
        [-58.33, -34.68], [-58.53, -34.68], [-58.53, -34.84]]]});
    let (status, body) = app
        .post(
            "/api/projects",
            Some(&admin),
            &json!({"slug": "lomas", "name": "Lomas de Zamora", "area": area}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let legend: Value =
        serde_json::from_str(include_str!("../fixtures/legend.json")).expect("legend");
    let (status, body) = app
        .put("/api/projects/lomas/legend", Some(&analyst), &legend)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&analyst),
            &json!({"title": "Taller Budge", "groups": ["Jóvenes"], "legal_basis": common::mandate()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let workshop = body["id"].as_str().expect("id").to_owned();

    // A My Maps KMZ, sent as the zip it is.
    let map = urlencode(r#"{"Escuelas":"escuela","Comedores":"comedor"}"#);
    let kmz = format!("format=kmz&map={map}");
    let (status, report) = upload(
        &app,
        &analyst,
        &workshop,
        &format!("{kmz}&dry_run=true"),
        fixture("my-maps.kmz"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["items"].as_u64(), report["ready"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(report["problems"], json!([]));
    assert_eq!(report["warnings"], json!([]));
    let (status, imported) = upload(&app, &analyst, &workshop, &kmz, fixture("my-maps.kmz")).await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    // Checked again, the same drawings are flagged as already in the workshop.
    let (_, again) = upload(
        &app,
        &analyst,
        &workshop,
        &format!("{kmz}&dry_run=true"),
        fixture("my-maps.kmz"),
    )
    .await;
    assert_eq!(
        codes(&again["warnings"]),
        vec![(1, "duplicate".to_owned()), (2, "duplicate".to_owned())]
    );

    // Swapped and stray points warn, with the distance, and still import.
    let (status, report) = upload(
        &app,
        &analyst,
        &workshop,
        "format=csv&dry_run=true",
        fixture("swapped-and-stray.csv"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        codes(&report["warnings"]),
        vec![
            (2, "outside_area".to_owned()),
            (2, "axis_swap".to_owned()),
            (3, "outside_area".to_owned())
        ]
    );
    assert_eq!(report["warnings"][0]["line"], 3);
    assert_eq!(report["ready"], 3);

    // Excel's Windows-1252 CSV keeps its ñ and é, with a warning that says how it was read.
    let (status, imported) = upload(
        &app,
        &analyst,
        &workshop,
        "format=csv",
        fixture("excel-windows-1252.csv"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let (_, stored) = app
        .get(
            "/api/projects/lomas/features?symbol=comedor",
            Some(&analyst),
        )
        .await;
    assert!(
        stored["features"]
            .as_array()
            .expect("features")
            .iter()
            .any(|f| f["properties"]["title"] == "Comedor San José"),
        "{stored}"
    );

    // A track with a one-point segment keeps its good one.
    let (status, report) = upload(
        &app,
        &analyst,
        &workshop,
        "format=gpx&dry_run=true",
        fixture("track-single-point-segment.gpx"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["ready"], 1);
    assert_eq!(
        codes(&report["warnings"]),
        vec![(1, "dropped_segment".to_owned())]
    );

    // Coordinates in another CRS are refused, saying how to fix the file.
    let (status, problem) = upload(
        &app,
        &analyst,
        &workshop,
        "format=geojson",
        fixture("gauss-kruger.geojson"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = problem["errors"][0]["detail"].as_str().expect("detail");
    assert!(
        detail.contains("EPSG::5347") && detail.contains("WGS 84"),
        "{detail}"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// What lost rows in silence before: a CSV whose quote never closes (the dry run said
/// `ready: 2, problems: []` and the import stored one drawing holding the rest of the file),
/// a Mapeo export with an observation made without a GPS fix (which blocked the whole file),
/// a file of more items than a workshop should take, a polygon of no area.
async fn no_row_is_lost_in_silence(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;

    let csv = "nombre,symbol,lon,lat\n\
               Escuela 1,escuela,-58.40,-34.76\n\
               \"Escuela 2,escuela,-58.41,-34.76\n\
               Escuela 3,escuela,-58.42,-34.76\n\
               Escuela 4,escuela,-58.43,-34.76\n\
               Escuela 5,escuela,-58.44,-34.76\n";
    let (status, report) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=csv&dry_run=true",
        csv,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let problem = report["problems"][0]["problem"]
        .as_str()
        .expect("a problem");
    assert!(
        problem.contains("opened on line 3 is never closed"),
        "{report}"
    );
    let (status, refused) = upload(&app, &staff.facilitator, &workshop.id, "format=csv", csv).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(app.feature_count(&staff.analyst).await, 0);

    // Mapeo: two observations, one without a location.
    let mapeo = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"symbol": "escuela", "notes": "Escuela 12"},
         "geometry": {"type": "Point", "coordinates": [-58.40, -34.76]}},
        {"type": "Feature", "properties": {"symbol": "escuela", "notes": "sin GPS"}, "geometry": null}
    ]})
    .to_string();
    let (status, report) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=geojson&dry_run=true",
        mapeo.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["problems"][0]["code"], "unlocated", "{report}");
    assert_eq!(report["problem_counts"]["unlocated"], 1, "{report}");
    let (status, refused) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=geojson",
        mapeo.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|t| t.contains("skip_unlocated=true")),
        "{refused}"
    );
    let (status, imported) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=geojson&skip_unlocated=true",
        mapeo,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    assert_eq!(imported["imported"], 1);
    assert_eq!(imported["left_out"][0]["item"], 2, "{imported}");
    assert_eq!(app.feature_count(&staff.analyst).await, 1);

    // More items than one import takes: refused, saying the cap.
    let waypoints = "<wpt lat=\"-34.7\" lon=\"-58.4\"><type>escuela</type></wpt>".repeat(5_001);
    let (status, refused) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=gpx",
        format!("<gpx version=\"1.1\">{waypoints}</gpx>"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.to_string().contains("more than 5000 items"),
        "{refused}"
    );
    // An analyst may set the project's own cap; a facilitator may not.
    let patch = |token: &str, body: Value| {
        app.request(Method::PATCH, "/api/projects/lomas", Some(token))
            .json(&body)
            .send()
    };
    let denied = patch(&staff.facilitator, json!({"import_max_items": 3}))
        .await
        .expect("patch");
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let (status, project) = read(
        patch(&staff.analyst, json!({"import_max_items": 3}))
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    assert_eq!(project["import_max_items"], 3);
    let four = "<wpt lat=\"-34.7\" lon=\"-58.4\"><type>escuela</type></wpt>".repeat(4);
    let (status, refused) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=gpx&dry_run=true",
        format!("<gpx version=\"1.1\">{four}</gpx>"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        refused.to_string().contains("more than 3 items"),
        "{refused}"
    );
    let (status, _) = read(
        patch(&staff.analyst, json!({"import_max_items": 0}))
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, project) = read(
        patch(&staff.analyst, json!({"import_max_items": null}))
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(project["import_max_items"], Value::Null);

    // A polygon of no area, drawn or imported, is refused naming why.
    let sliver = json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"},
        "geometry": {"type": "Polygon", "coordinates": [[[-58.40, -34.70], [-58.39, -34.69], [-58.38, -34.68], [-58.40, -34.70]]]}});
    let (status, refused) = app
        .post(
            "/api/projects/lomas/features",
            Some(&staff.analyst),
            &sliver,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.to_string().contains("has no area"), "{refused}");
    let (status, report) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=geojson&dry_run=true",
        sliver.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        report["problems"].to_string().contains("has no area"),
        "{report}"
    );
}

/// A dry run's "duplicate" warning compares only with what the caller sees exactly: a
/// facilitator, who sees a sensitive drawing as its cell, cannot learn by guessing where it is.
async fn the_dry_run_is_no_oracle_for_a_masked_place(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (hidden, school) = ((-58.4012345, -34.7623456), (-58.41, -34.75));
    for (symbol, (lon, lat)) in [("taller_clandestino", hidden), ("escuela", school)] {
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&participant),
                &crate::common::point(symbol, lon, lat),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // The guesses: the exact place among others, and the school (which all may see).
    let guesses: Vec<Value> = [hidden, (hidden.0 + 1e-4, hidden.1), school]
        .iter()
        .zip(["taller_clandestino", "taller_clandestino", "escuela"])
        .map(|((lon, lat), symbol)| {
            json!({"type": "Feature", "properties": {"symbol": symbol},
                   "geometry": {"type": "Point", "coordinates": [lon, lat]}})
        })
        .collect();
    let file = json!({"type": "FeatureCollection", "features": guesses}).to_string();
    let duplicates = |report: &Value| -> Vec<i64> {
        report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .filter(|w| w["code"] == "duplicate")
            .map(|w| w["item"].as_i64().expect("item"))
            .collect()
    };
    let (status, report) = upload(
        &app,
        &staff.facilitator,
        &workshop.id,
        "format=geojson&dry_run=true",
        file.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(duplicates(&report), [3], "only the school: {report}");
    // An analyst, who sees the place exactly, is told of both.
    let (_, report) = upload(
        &app,
        &staff.analyst,
        &workshop.id,
        "format=geojson&dry_run=true",
        file,
    )
    .await;
    assert_eq!(duplicates(&report), [1, 3], "{report}");
}

crate::both_backends!(
    the_dry_run_is_no_oracle_for_a_masked_place,
    no_row_is_lost_in_silence,
    files_from_the_field_import_with_warnings,
    a_dry_run_reports_and_the_import_stores_once,
    an_export_imports_back_with_geometry_and_attributes,
);
