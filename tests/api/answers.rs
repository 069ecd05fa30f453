//! A drawing's answers to its symbol's questions (issue 28): checked against the legend on
//! every path that writes a drawing, kept in every revision, and shown as the privacy rules
//! say: an answer to a sensitive question only to those who see a sensitive drawing exactly,
//! a short text only where the drawing's words are shown.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, collection, legend_with_questions, read};

fn drawing(symbol: &str, lon: f64, answers: Value) -> Value {
    json!({"type": "Feature",
           "properties": {"symbol": symbol, "answers": answers},
           "geometry": {"type": "Point", "coordinates": [lon, -34.76]}})
}

/// The answers of drawing `id` in a listing.
fn answers_in(listing: &Value, id: &str) -> Value {
    listing["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {listing}"))["properties"]["answers"]
        .clone()
}

async fn patch(
    app: &TestApp,
    token: &str,
    id: &str,
    revision: i64,
    body: Value,
) -> (StatusCode, Value) {
    let response = app
        .request(Method::PATCH, &format!("/api/features/{id}"), Some(token))
        .header("if-match", revision.to_string())
        .json(&body)
        .send()
        .await
        .expect("send");
    read(response).await
}

async fn answers_are_checked_kept_and_shown_as_the_privacy_rules_say(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    legend_with_questions(&app, &staff.analyst).await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    let other_table = app.join(&workshop.code, "Docentes").await;
    let features = "/api/projects/lomas/features";

    // Wrong answers are refused, each named by its pointer; nothing is stored.
    let (status, problem) = app
        .post(
            features,
            Some(&rosa),
            &json!({"type": "FeatureCollection", "features": [
                drawing("comedor", -58.40, json!({"raciones": 30})),
                drawing("taller_clandestino", -58.41,
                        json!({"chicos": true, "cuantos": 500, "edades": "menos_13", "quien": "x"})),
                drawing("taller_clandestino", -58.42, json!({})),
                drawing("taller_clandestino", -58.43, json!({"chicos": false, "cuantos": 2})),
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            "/features/1/properties/answers/quien",
            "/features/1/properties/answers/cuantos",
            "/features/1/properties/answers/edades",
            "/features/2/properties/answers/chicos",
            "/features/3/properties/answers/cuantos",
        ],
        "{problem}"
    );
    assert!(
        problem.to_string().contains("between 1 and 200"),
        "{problem}"
    );
    assert_eq!(app.feature_count(&staff.analyst).await, 0);
    let (status, problem) = app
        .post(
            features,
            Some(&rosa),
            &drawing("comedor", -58.40, json!([30])),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/properties/answers");

    // Sound answers are kept typed: the several ages in the options' order, the note trimmed.
    let (status, taller) = app
        .post(
            features,
            Some(&rosa),
            &drawing(
                "taller_clandestino",
                -58.41,
                json!({"chicos": true, "cuantos": 4, "edades": ["de_13_a_17", "menos_13"],
                       "nota": "  atrás del galpón de Rivera  "}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{taller}");
    assert_eq!(
        taller["properties"]["answers"],
        json!({"chicos": true, "cuantos": 4, "edades": ["menos_13", "de_13_a_17"],
               "nota": "atrás del galpón de Rivera"})
    );
    let (status, comedor) = app
        .post(
            features,
            Some(&rosa),
            &drawing(
                "comedor",
                -58.40,
                json!({"raciones": 120, "calle_segura": false}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comedor}");
    let (taller_id, comedor_id) = (
        taller["id"].as_str().expect("id").to_owned(),
        comedor["id"].as_str().expect("id").to_owned(),
    );

    // Who sees which answers.
    let everything = (
        json!({"chicos": true, "cuantos": 4, "edades": ["menos_13", "de_13_a_17"],
               "nota": "atrás del galpón de Rivera"}),
        json!({"raciones": 120, "calle_segura": false}),
    );
    let without_sensitive = (
        json!({"chicos": true, "cuantos": 4}),
        json!({"raciones": 120}),
    );
    for (who, token, view, expected) in [
        ("the author", &rosa, "", &everything),
        ("an analyst", &staff.analyst, "", &everything),
        ("another table", &other_table, "", &without_sensitive),
        (
            "the facilitator of an open workshop",
            &staff.facilitator,
            "",
            &without_sensitive,
        ),
        (
            "the wall",
            &staff.analyst,
            "?view=public",
            &without_sensitive,
        ),
    ] {
        let (status, listing) = app.get(&format!("{features}{view}"), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        assert_eq!(answers_in(&listing, &taller_id), expected.0, "{who}");
        assert_eq!(answers_in(&listing, &comedor_id), expected.1, "{who}");
        let (_, one) = app
            .get(&format!("/api/features/{taller_id}{view}"), Some(token))
            .await;
        assert_eq!(
            one["properties"]["answers"], expected.0,
            "{who}, one drawing"
        );
        assert!(
            !one.to_string().contains("Rivera") || expected == &everything,
            "{who} reads the note: {one}"
        );
    }

    // The author changes the answers: the new ones replace the old, checked again.
    let (status, problem) = patch(
        &app,
        &rosa,
        &taller_id,
        1,
        json!({"properties": {"answers": {"chicos": false, "cuantos": 4}}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/properties/answers/cuantos"
    );
    let (status, edited) = patch(
        &app,
        &rosa,
        &taller_id,
        1,
        json!({"properties": {"answers": {"chicos": false}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["properties"]["answers"], json!({"chicos": false}));
    // Another symbol asks other questions: those it does not ask are not carried over.
    let (status, moved) = patch(
        &app,
        &rosa,
        &comedor_id,
        1,
        json!({"properties": {"symbol": "escuela"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["properties"]["answers"], json!({}));

    // The history keeps every revision's answers, as the reader may see them.
    let (_, history) = app
        .get(
            &format!("/api/features/{taller_id}/history"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(
        history[0]["feature"]["properties"]["answers"]["cuantos"],
        json!(4)
    );
    assert_eq!(
        history[1]["feature"]["properties"]["answers"],
        json!({"chicos": false})
    );
    let (_, history) = app
        .get(
            &format!("/api/features/{taller_id}/history"),
            Some(&other_table),
        )
        .await;
    assert!(
        !history.to_string().contains("Rivera") && !history.to_string().contains("menos_13"),
        "another table reads no sensitive answer in the history: {history}"
    );
}

/// Downloads `/api/projects/lomas/export?{query}` into `dir`.
async fn export(app: &TestApp, token: &str, query: &str, dir: &Path, name: &str) -> PathBuf {
    let response = app
        .request(
            Method::GET,
            &format!("/api/projects/lomas/export?{query}"),
            Some(token),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let path = dir.join(name);
    std::fs::write(&path, response.bytes().await.expect("body")).expect("write");
    path
}

/// GDAL's reading of a file: its fields' types (`-so`) and every feature's values.
fn ogrinfo(path: &Path, summary: bool) -> String {
    let output = Command::new("ogrinfo")
        .args(["-ro", "-al", if summary { "-so" } else { "-q" }])
        .arg(path)
        .output()
        .expect("ogrinfo (gdal-bin) is installed");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !errors.contains("ERROR"),
        "ogrinfo {}: {errors}",
        path.display()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The type GDAL gives `field` (`cuantos: Integer64 (0.0)` → `Integer64`), or None.
fn field_type<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    let prefix = format!("{field}: ");
    info.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|rest| rest.split(' ').next())
}

/// Every value of `field` GDAL reads (`  cuantos (Integer64) = 3`), in file order.
fn values<'a>(features: &'a str, field: &str) -> Vec<&'a str> {
    let prefix = format!("{field} (");
    features
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix(prefix.as_str()))
        .filter_map(|rest| rest.split_once(") = ").map(|(_, value)| value))
        .collect()
}

async fn answers_go_out_as_typed_columns_in_every_format(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    legend_with_questions(&app, &staff.analyst).await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    // Six clandestine workshops in one block: enough to be counted (k = 5); six soup
    // kitchens, five at night.
    let mut drawn = Vec::new();
    for i in 0..6 {
        let at = json!([-58.4780 - f64::from(i) * 0.0002, -34.7130]);
        drawn.push(
            json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": at},
            "properties": {"symbol": "taller_clandestino", "answers": {
                "chicos": true, "cuantos": i + 1, "edades": ["menos_13"], "horario": "noche",
                "desde": "2025-03-01", "nota": "al lado de lo de Rivera"}}}),
        );
    }
    for i in 0..6 {
        let at = json!([-58.4000 - f64::from(i) * 0.0002, -34.7600]);
        drawn.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": at},
            "properties": {"symbol": "comedor", "answers": {"raciones": 100 + i, "calle_segura": i < 3}}}));
    }
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&rosa),
            &collection(drawn),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Analysts filter on answers: a value, or one of several chosen.
    let count = |listing: &Value| listing["features"].as_array().map_or(0, Vec::len);
    for (filter, expected) in [
        ("horario:noche", 6),
        ("horario:dia", 0),
        ("cuantos:3", 1),
        ("chicos:sí", 6),
        ("edades:menos_13", 6),
        ("calle_segura:true", 3),
        ("calle_segura:no", 3),
    ] {
        let (status, listing) = app
            .get(
                &format!("/api/projects/lomas/features?answer={filter}"),
                Some(&staff.analyst),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{filter}: {listing}");
        assert_eq!(count(&listing), expected, "{filter}");
    }
    // Others filter on what they see, never on a private answer: the drawings kept would
    // tell it.
    let (status, listing) = app
        .get(
            "/api/projects/lomas/features?answer=horario:noche",
            Some(&rosa),
        )
        .await;
    assert_eq!((status, count(&listing)), (StatusCode::OK, 6), "{listing}");
    for private in ["edades:menos_13", "calle_segura:true", "nota:x"] {
        let (status, problem) = app
            .get(
                &format!("/api/projects/lomas/features?answer={private}"),
                Some(&rosa),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{private}: {problem}");
    }
    for wrong in ["horario:tarde", "cuantos:muchos", "quien:x", "horario"] {
        let (status, problem) = app
            .get(
                &format!("/api/projects/lomas/features?answer={wrong}"),
                Some(&staff.analyst),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong}: {problem}");
    }

    let dir = tempfile::TempDir::new().expect("dir");

    // Full: every question a typed column, in every format GDAL reads.
    for (format, integer, boolean, date) in [
        ("gpkg", "Integer64", "Integer(Boolean)", "Date"),
        ("fgb", "Integer64", "Integer(Boolean)", "DateTime"),
        ("geojson", "Integer", "Integer(Boolean)", "Date"),
        ("csv", "String", "String", "String"),
        ("kml", "String", "String", "String"),
    ] {
        let path = export(
            &app,
            &staff.analyst,
            &format!("format={format}&privacy=full&lang=en"),
            dir.path(),
            &format!("full.{format}"),
        )
        .await;
        let info = ogrinfo(&path, true);
        for (field, kind) in [
            ("cuantos", integer),
            ("raciones", integer),
            ("chicos", boolean),
            ("calle_segura", boolean),
            ("desde", date),
            ("edades", "String"),
            ("edades_label", "String"),
            ("horario", "String"),
            ("horario_label", "String"),
            ("nota", "String"),
        ] {
            assert_eq!(
                field_type(&info, field),
                Some(kind),
                "{format} {field}: {info}"
            );
        }
        let features = ogrinfo(&path, false);
        let mut counts: Vec<i64> = values(&features, "cuantos")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect();
        counts.sort_unstable();
        assert_eq!(counts, [1, 2, 3, 4, 5, 6], "{format}: {features}");
        assert!(
            values(&features, "horario_label").contains(&"At night"),
            "{format}: labels in the export's language"
        );
    }

    // A current GDAL (pyogrio) and DuckDB's spatial extension read every row of them too.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/read_export.py");
    let files: Vec<PathBuf> = ["gpkg", "fgb", "geojson"]
        .iter()
        .map(|format| dir.path().join(format!("full.{format}")))
        .collect();
    let output = Command::new("python3")
        .arg(script)
        .args(&files)
        .output()
        .expect("python3 with pyogrio and duckdb (see .ci/run)");
    let read: Value = serde_json::from_slice(&output.stdout).expect("read_export.py answers JSON");
    for file in &files {
        let layers = read["files"][file.to_string_lossy().as_ref()]["layers"]
            .as_object()
            .cloned()
            .unwrap_or_else(|| panic!("{}: {read}", file.display()));
        let rows = |reader: &str| -> i64 {
            layers
                .iter()
                .filter(|(name, _)| name.starts_with("features"))
                .filter_map(|(_, layer)| layer[reader].as_i64())
                .sum()
        };
        assert_eq!((rows("pyogrio"), rows("duckdb")), (12, 12), "{read}");
    }

    // Anonymised: no sensitive question's column, no short text, the rest typed.
    let path = export(
        &app,
        &staff.researcher,
        "format=gpkg&privacy=anonymised",
        dir.path(),
        "anonymised.gpkg",
    )
    .await;
    let info = ogrinfo(&path, true);
    for field in ["edades", "edades_label", "nota", "calle_segura"] {
        assert_eq!(field_type(&info, field), None, "{field} in {info}");
    }
    assert_eq!(field_type(&info, "cuantos"), Some("Integer64"));
    assert_eq!(field_type(&info, "horario"), Some("String"));
    let features = ogrinfo(&path, false);
    assert!(
        !features.contains("Rivera") && !features.contains("menos_13"),
        "{features}"
    );

    // Aggregated: each option counted per cell, small counts suppressed like the others.
    let path = export(
        &app,
        &staff.researcher,
        "format=gpkg&privacy=aggregated",
        dir.path(),
        "aggregated.gpkg",
    )
    .await;
    let info = ogrinfo(&path, true);
    assert_eq!(
        field_type(&info, "horario_noche"),
        Some("Integer64"),
        "{info}"
    );
    assert_eq!(
        field_type(&info, "edades_menos_13"),
        None,
        "a sensitive choice is not counted"
    );
    let features = ogrinfo(&path, false);
    let mut noche = values(&features, "horario_noche");
    noche.sort_unstable();
    assert_eq!(
        noche,
        ["(null)", "6"],
        "the soup kitchens' row asks no time: {features}"
    );
    assert_eq!(
        values(&features, "horario_dia"),
        ["(null)", "(null)"],
        "none by day: {features}"
    );
    assert!(
        info.contains("option_counts"),
        "the metadata says what they are"
    );
}

/// A workbook of `sheets` (name, rows of cells), as KoboToolbox downloads an XLSForm.
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).expect("cell");
                }
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// POSTs a file's bytes (a workbook, an imported file) to `path`, answered as JSON.
async fn post_file(app: &TestApp, token: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .request(Method::POST, path, Some(token))
        .body(body)
        .send()
        .await
        .expect("send");
    read(response).await
}

async fn post_xlsform(app: &TestApp, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
    post_file(app, token, "/api/projects/lomas/legend/xlsform", body).await
}

/// A programme's KoboToolbox form read into a symbol's questions, saved with the legend, and
/// asked of a drawing.
async fn an_xlsform_s_questions_become_a_symbol_s(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let form = workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::Español (es)",
                    "label::English (en)",
                    "required",
                    "relevant",
                    "constraint",
                ],
                &["start", "start", "", "", "", "", ""],
                &[
                    "select_one si_no",
                    "chicos",
                    "¿Trabajan chicos?",
                    "Do children work there?",
                    "yes",
                    "",
                    "",
                ],
                &[
                    "integer",
                    "cuantos",
                    "¿Cuántos?",
                    "How many?",
                    "yes",
                    "${chicos} = 'si'",
                    ". >= 1 and . <= 200",
                ],
                &[
                    "select_multiple horarios",
                    "horario",
                    "¿En qué horario?",
                    "When?",
                    "",
                    "",
                    "",
                ],
                &["geopoint", "lugar", "Ubicación", "Location", "", "", ""],
                &["image", "foto", "Foto", "Photo", "", "", ""],
            ],
        ),
        (
            "choices",
            &[
                &[
                    "list_name",
                    "name",
                    "label::Español (es)",
                    "label::English (en)",
                ],
                &["si_no", "si", "Sí", "Yes"],
                &["si_no", "no", "No", "No"],
                &["horarios", "manana", "Mañana", "Morning"],
                &["horarios", "noche", "Noche", "Night"],
            ],
        ),
        (
            "settings",
            &[
                &["form_title", "default_language"],
                &["Talleres", "Español (es)"],
            ],
        ),
    ]);
    let (status, problem) = post_xlsform(&app, &staff.facilitator, form.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, read_in) = post_xlsform(&app, &staff.analyst, form).await;
    assert_eq!(status, StatusCode::OK, "{read_in}");
    let keys: Vec<&str> = read_in["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|q| q["key"].as_str())
        .collect();
    assert_eq!(keys, ["chicos", "cuantos", "horario"]);
    assert_eq!(read_in["questions"][0]["type"], "yes_no");
    assert_eq!(
        read_in["questions"][1]["when"],
        json!({"question": "chicos", "equals": true})
    );
    assert_eq!(read_in["questions"][1]["min"], 1);
    assert_eq!(
        read_in["questions"][2]["options"][1]["labels"]["en"],
        "Night"
    );
    let left_out: Vec<&str> = read_in["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert_eq!(left_out, ["start", "lugar", "foto"], "{read_in}");

    // Saved with the legend, then asked of a drawing.
    let (_, legend) = app
        .get("/api/projects/lomas/legend", Some(&staff.analyst))
        .await;
    let mut legend = legend.as_array().expect("legend").clone();
    legend[0]["questions"] = read_in["questions"].clone();
    let (status, saved) = app
        .put(
            "/api/projects/lomas/legend",
            Some(&staff.analyst),
            &Value::Array(legend),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&rosa),
            &drawing(
                "taller_clandestino",
                -58.41,
                json!({"chicos": true, "cuantos": 2, "horario": ["noche"]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");

    // What is no XLSForm is refused, and says why.
    for (body, code) in [
        (b"tipo,nombre\ninteger,n".to_vec(), "xlsform.not_a_workbook"),
        (workbook(&[("Hoja1", &[&["a", "b"]])]), "xlsform.no_survey"),
        (
            workbook(&[("survey", &[&["tipo", "nombre"], &["integer", "n"]])]),
            "xlsform.no_columns",
        ),
        (
            workbook(&[("survey", &[&["type", "name"], &["geopoint", "lugar"]])]),
            "xlsform.nothing",
        ),
    ] {
        let (status, problem) = post_xlsform(&app, &staff.analyst, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["code"], code, "{problem}");
    }
}

/// A priority analysis weighed by the number of children: each clandestine workshop weighs
/// its symbol's weight (3) times its answer, checked against a count by hand.
async fn a_priority_analysis_weighs_drawings_by_an_answer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    legend_with_questions(&app, &staff.analyst).await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    // Four workshops a few metres apart (one cell of resolution 9): 12, 3 and no children,
    // and one whose count was not given; a soup kitchen far away.
    let here = (-58.4780, -34.7130);
    let answers = [
        json!({"chicos": true, "cuantos": 12}),
        json!({"chicos": true, "cuantos": 3}),
        json!({"chicos": false}),
        json!({"chicos": true}),
    ];
    let mut drawn: Vec<Value> = answers
        .iter()
        .enumerate()
        .map(|(i, answers)| {
            json!({"type": "Feature", "properties": {"symbol": "taller_clandestino", "answers": answers},
                   "geometry": {"type": "Point", "coordinates": [here.0 + i as f64 * 0.00005, here.1]}})
        })
        .collect();
    drawn.push(
        json!({"type": "Feature", "properties": {"symbol": "comedor", "answers": {"raciones": 50}},
                      "geometry": {"type": "Point", "coordinates": [-58.40, -34.76]}}),
    );
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&rosa),
            &collection(drawn),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cell = h3o::LatLng::new(here.1, here.0)
        .expect("place")
        .to_cell(h3o::Resolution::Nine)
        .to_string();
    let score_of = |cells: &Value, id: &str| {
        cells["features"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["properties"]["score"].as_f64().expect("score"))
    };
    let base = "/api/projects/lomas/priority/cells?resolution=9";
    let (status, plain) = app.get(base, Some(&staff.analyst)).await;
    assert_eq!(status, StatusCode::OK, "{plain}");
    assert_eq!(
        score_of(&plain, &cell),
        Some(4.0 * 3.0),
        "four workshops of weight 3"
    );
    let (status, weighed) = app
        .get(&format!("{base}&weight_by=cuantos"), Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK, "{weighed}");
    // By hand: 3 × 12 + 3 × 3 + 3 (no count asked: as the symbol weighs) + 3 (not given).
    assert_eq!(
        score_of(&weighed, &cell),
        Some(3.0 * 12.0 + 3.0 * 3.0 + 3.0 + 3.0)
    );
    let (_, by_yes) = app
        .get(&format!("{base}&weight_by=chicos"), Some(&staff.analyst))
        .await;
    assert_eq!(
        score_of(&by_yes, &cell),
        Some(3.0 * 3.0),
        "a no weighs nothing"
    );
    // The soup kitchen weighs its own -0.5 times its 50 rations only when asked to.
    let kitchen = h3o::LatLng::new(-34.76, -58.40)
        .expect("place")
        .to_cell(h3o::Resolution::Nine)
        .to_string();
    let (_, by_rations) = app
        .get(&format!("{base}&weight_by=raciones"), Some(&staff.analyst))
        .await;
    assert_eq!(score_of(&by_rations, &kitchen), Some(-0.5 * 50.0));
    for (wrong, status) in [
        ("nota", StatusCode::BAD_REQUEST),
        ("horario", StatusCode::BAD_REQUEST),
        ("nadie", StatusCode::BAD_REQUEST),
    ] {
        let (got, problem) = app
            .get(&format!("{base}&weight_by={wrong}"), Some(&staff.analyst))
            .await;
        assert_eq!(got, status, "{wrong}: {problem}");
    }
    // A private answer (the street's safety) weighs only for those who see all.
    let (status, problem) = app
        .get(
            &format!("{base}&weight_by=calle_segura"),
            Some(&staff.facilitator),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = app
        .get(
            &format!("{base}&weight_by=calle_segura"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn import(
    app: &TestApp,
    token: &str,
    workshop: &str,
    query: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    post_file(
        app,
        token,
        &format!("/api/workshops/{workshop}/import?{query}"),
        body,
    )
    .await
}

/// A KoboToolbox survey's CSV export imported with its answers: columns mapped onto
/// questions, values read as the questions ask, what does not fit left out and said; and
/// Trama's own export imported back with its answers.
async fn imports_bring_their_answers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    legend_with_questions(&app, &staff.analyst).await;
    let workshop = app.workshop(&staff).await;
    let kobo = "symbol,_geolocation_longitude,_geolocation_latitude,chicos,n_chicos,edades,horario\n\
                taller_clandestino,-58.41,-34.76,si,7,menos_13 de_13_a_17,De noche\n\
                taller_clandestino,-58.42,-34.76,no,,,dia\n\
                taller_clandestino,-58.43,-34.76,yes,muchos,,tarde\n";
    let mapping = "%7B%22cuantos%22%3A%22n_chicos%22%7D"; // {"cuantos":"n_chicos"}
    let query = format!(
        "format=csv&lon_column=_geolocation_longitude&lat_column=_geolocation_latitude&answers={mapping}"
    );
    let (status, report) = import(
        &app,
        &staff.analyst,
        &workshop.id,
        &format!("{query}&dry_run=true"),
        kobo.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let dropped: Vec<&str> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["code"] == "answer_dropped")
        .filter_map(|w| w["value"].as_str())
        .collect();
    assert_eq!(
        dropped,
        ["cuantos: \"muchos\"", "horario: \"tarde\""],
        "{report}"
    );
    let (status, stored) = import(
        &app,
        &staff.analyst,
        &workshop.id,
        &query,
        kobo.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let (_, listing) = app
        .get("/api/projects/lomas/features", Some(&staff.analyst))
        .await;
    let mut answers: Vec<Value> = listing["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["answers"].clone())
        .collect();
    answers.sort_by_key(|a| a.to_string());
    assert_eq!(
        answers,
        [
            json!({"chicos": false, "horario": "dia"}),
            json!({"chicos": true, "cuantos": 7, "edades": ["menos_13", "de_13_a_17"], "horario": "noche"}),
            json!({"chicos": true}),
        ],
        "typed: a label read as its option, several by spaces; what did not fit left out"
    );

    // Trama's own full GeoJSON export names its columns by the questions: it comes back whole.
    let export = app
        .request(
            Method::GET,
            "/api/projects/lomas/export?format=geojson&privacy=full",
            Some(&staff.analyst),
        )
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("body")
        .to_vec();
    let other = app.workshop(&staff).await;
    let (status, again) = import(&app, &staff.analyst, &other.id, "format=geojson", export).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let (_, listing) = app
        .get(
            &format!("/api/projects/lomas/features?workshop={}", other.id),
            Some(&staff.analyst),
        )
        .await;
    let mut back: Vec<Value> = listing["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["answers"].clone())
        .collect();
    back.sort_by_key(|a| a.to_string());
    assert_eq!(back, answers, "the answers made the round trip");
}

crate::both_backends!(
    imports_bring_their_answers,
    a_priority_analysis_weighs_drawings_by_an_answer,
    an_xlsform_s_questions_become_a_symbol_s,
    answers_are_checked_kept_and_shown_as_the_privacy_rules_say,
    answers_go_out_as_typed_columns_in_every_format
);
