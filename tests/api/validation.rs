//! Bad input gets a clear error and nothing is stored half-way.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, collection, point, read};

fn polygon(ring: Value) -> Value {
    json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
}

/// Posts `body` as a participant and returns the status and the first error's pointer.
async fn refused(app: &TestApp, token: &str, body: &Value) -> (StatusCode, String, String) {
    let (status, problem) = app
        .post("/api/projects/lomas/features", Some(token), body)
        .await;
    let pointer = problem["errors"][0]["pointer"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let detail = problem["errors"][0]["detail"]
        .as_str()
        .or(problem["detail"].as_str())
        .unwrap_or("")
        .to_owned();
    (status, pointer, detail)
}

async fn each_kind_of_bad_feature_is_refused_with_where_and_why(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;

    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "unknown symbol",
            point("fabrica", -58.4, -34.7),
            "/properties/symbol",
            "unknown symbol",
        ),
        (
            "missing symbol",
            json!({"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            "/properties/symbol",
            "needs properties.symbol",
        ),
        (
            "geometry the symbol does not allow",
            json!({"type": "Feature", "properties": {"symbol": "comedor"},
            "geometry": {"type": "LineString", "coordinates": [[-58.4, -34.7], [-58.41, -34.71]]}}),
            "/geometry",
            "not as a line",
        ),
        (
            "latitude out of range",
            point("escuela", -58.4, -134.7),
            "/geometry/coordinates/1",
            "latitude",
        ),
        (
            "longitude out of range",
            point("escuela", 258.4, -34.7),
            "/geometry/coordinates/0",
            "longitude",
        ),
        (
            "unclosed ring",
            polygon(json!([
                [-58.4, -34.7],
                [-58.3, -34.7],
                [-58.3, -34.6],
                [-58.4, -34.6]
            ])),
            "/geometry/coordinates/0",
            "closed",
        ),
        (
            "ring of three positions",
            polygon(json!([[-58.4, -34.7], [-58.3, -34.7], [-58.4, -34.7]])),
            "/geometry/coordinates/0",
            "at least 4",
        ),
        (
            "self-intersecting polygon",
            polygon(json!([
                [-58.4, -34.7],
                [-58.3, -34.6],
                [-58.3, -34.7],
                [-58.4, -34.6],
                [-58.4, -34.7]
            ])),
            "/geometry",
            "self-intersection near [-58.35",
        ),
        (
            "hole outside its shell",
            json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"}, "geometry": {"type": "Polygon", "coordinates": [
            [[-58.4, -34.7], [-58.3, -34.7], [-58.3, -34.6], [-58.4, -34.6], [-58.4, -34.7]],
            [[-58.0, -34.0], [-57.9, -34.0], [-57.9, -33.9], [-58.0, -34.0]]]}}),
            "/geometry",
            "not inside",
        ),
        (
            "properties not an object",
            json!({"type": "Feature", "properties": "escuela", "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            "/properties",
            "object",
        ),
        (
            "title too long",
            json!({"type": "Feature", "properties": {"symbol": "escuela", "title": "x".repeat(201)}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            "/properties/title",
            "at most 200",
        ),
        (
            "unknown group",
            json!({"type": "Feature", "properties": {"symbol": "escuela", "group": "Vecinos"}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            "/properties/group",
            "unknown group",
        ),
        (
            "another group",
            json!({"type": "Feature", "properties": {"symbol": "escuela", "group": "Docentes"}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            "/properties/group",
            "own group",
        ),
        (
            "wrong workshop",
            json!({"type": "Feature", "properties": {"symbol": "escuela", "workshop": "0b6f7a4e-4c2e-4d0b-9a8e-1f2d3c4b5a69"}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            "/properties/workshop",
            "different workshop",
        ),
        (
            "not GeoJSON",
            json!({"type": "Topology"}),
            "/type",
            "Feature or FeatureCollection",
        ),
        (
            "geometry collection",
            json!({"type": "Feature", "properties": {"symbol": "escuela"}, "geometry": {"type": "GeometryCollection", "geometries": []}}),
            "/geometry/type",
            "not supported",
        ),
    ];
    for (case, body, pointer, detail) in cases {
        let (status, got_pointer, got_detail) = refused(&app, &token, &body).await;
        assert_eq!(status, unprocessable, "{case}");
        assert_eq!(got_pointer, pointer, "{case}: {got_detail}");
        assert!(
            got_detail.contains(detail),
            "{case}: {got_detail:?} should mention {detail:?}"
        );
    }
    assert_eq!(app.feature_count(&token).await, 0, "nothing was stored");
}

async fn a_batch_with_one_bad_feature_stores_none_and_names_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let batch = collection(vec![
        point("escuela", -58.4, -34.7),
        point("escuela", -58.41, -34.71),
        point("nada", -58.42, -34.72),
    ]);
    let (status, pointer, _) = refused(&app, &token, &batch).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointer, "/features/2/properties/symbol");
    assert_eq!(app.feature_count(&token).await, 0);
}

async fn too_many_vertices_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let coords: Vec<Value> = (0..20_001)
        .map(|i| json!([-58.4 + f64::from(i) * 1e-6, -34.7]))
        .collect();
    let line = json!({"type": "Feature", "properties": {"symbol": "ruta_insegura"}, "geometry": {"type": "LineString", "coordinates": coords}});
    let (status, _, detail) = refused(&app, &token, &line).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains("20001 vertices"), "{detail}");
}

/// Comments come a page at a time (200 unless asked, at most 1,000), oldest first, each full
/// page linking the next: 3,000 comments came back at once as 16 MB.
async fn comments_come_a_page_at_a_time(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let (_, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&token),
            &crate::common::point("escuela", -58.4, -34.7),
        )
        .await;
    let id = body["id"].as_str().expect("id").to_owned();
    for i in 0..450 {
        let (status, _) = app
            .post(
                &format!("/api/features/{id}/annotations"),
                Some(&staff.analyst),
                &json!({"body": format!("nota {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mut next = Some(format!("/api/features/{id}/annotations"));
    let mut bodies = Vec::new();
    let mut pages = 0;
    while let Some(path) = next.take() {
        let response = app
            .request(Method::GET, &path, Some(&token))
            .send()
            .await
            .expect("send");
        next = response
            .headers()
            .get("link")
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.strip_prefix('<'))
            .and_then(|l| l.split('>').next())
            .map(str::to_owned);
        let (status, page) = read(response).await;
        assert_eq!(status, StatusCode::OK);
        let page = page.as_array().expect("an array").clone();
        assert!(page.len() <= 200);
        bodies.extend(
            page.iter()
                .map(|a| a["body"].as_str().expect("body").to_owned()),
        );
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(bodies.len(), 450);
    assert_eq!(bodies[0], "nota 0");
    assert_eq!(bodies[449], "nota 449");
    let (status, _) = app
        .get(
            &format!("/api/features/{id}/annotations?limit=5000"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A participant who writes without pause is slowed down, with how long to wait: 300 drawings
/// and 30 comments a minute (one made 5,000 drawings in 10 s and 3,000 comments in 2.3 s).
/// Staff are not limited, nor are other participants.
async fn a_participant_writing_without_pause_is_slowed_down(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let batch = |n: usize| {
        crate::common::collection(
            (0..n)
                .map(|i| crate::common::point("escuela", -58.4 + i as f64 * 1e-5, -34.7))
                .collect(),
        )
    };
    let (status, body) = app
        .post("/api/projects/lomas/features", Some(&token), &batch(300))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let response = app
        .request(Method::POST, "/api/projects/lomas/features", Some(&token))
        .json(&batch(1))
        .send()
        .await
        .expect("send");
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(read(response).await.0, StatusCode::TOO_MANY_REQUESTS);
    let id = body["features"][0]["id"].as_str().expect("id");
    for i in 0..30 {
        let (status, _) = app
            .post(
                &format!("/api/features/{id}/annotations"),
                Some(&token),
                &json!({"body": format!("comentario {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "comment {i}");
    }
    let (status, _) = app
        .post(
            &format!("/api/features/{id}/annotations"),
            Some(&token),
            &json!({"body": "uno más"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another table, and staff, go on.
    let other = app.join(&workshop.code, "Docentes").await;
    let (status, _) = app
        .post("/api/projects/lomas/features", Some(&other), &batch(1))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post(
            &format!("/api/features/{id}/annotations"),
            Some(&staff.analyst),
            &json!({"body": "visto"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

/// One drawing cannot make unbounded work: a 3°×3° polygon (which made one analysis take 47 s
/// and 10 GB) is refused when drawn, when a drawing is changed into it, and when imported.
async fn a_drawing_far_larger_than_the_project_is_refused_on_every_path(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let huge = json!({"type": "Polygon", "coordinates": [[[-60.0, -36.0], [-57.0, -36.0],
        [-57.0, -33.0], [-60.0, -33.0], [-60.0, -36.0]]]});
    let feature =
        json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"}, "geometry": huge});
    let (status, _, detail) = refused(&app, &token, &feature).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains("draw it smaller"), "{detail}");

    let small = json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"},
        "geometry": {"type": "Polygon", "coordinates": [[[-58.45, -34.72], [-58.446, -34.72],
            [-58.446, -34.716], [-58.45, -34.72]]]}});
    let (status, body) = app
        .post("/api/projects/lomas/features", Some(&token), &small)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/features/{}", body["id"].as_str().expect("id")),
            Some(&token),
        )
        .header("if-match", "1")
        .json(&json!({"type": "Feature", "properties": {}, "geometry": huge}))
        .send()
        .await
        .expect("send");
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("draw it smaller"), "{problem}");

    let response = app
        .request(
            Method::POST,
            &format!(
                "/api/workshops/{}/import?format=geojson&dry_run=true",
                workshop.id
            ),
            Some(&staff.analyst),
        )
        .body(json!({"type": "FeatureCollection", "features": [feature]}).to_string())
        .send()
        .await
        .expect("send");
    let (status, report) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["ready"], 0);
    assert!(
        report["problems"][0]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("draw it smaller")),
        "{report}"
    );
}

async fn oversized_non_json_and_wrongly_typed_bodies_get_problem_json(backend: Backend) {
    let app = TestApp::start_with_limits(
        backend,
        trama::Limits {
            max_body_bytes: 64 * 1024,
            ..trama::Limits::default()
        },
    )
    .await;
    let staff = app.project().await;
    let path = "/api/projects/lomas/features";
    let big = format!(
        "{{\"type\":\"Feature\",\"properties\":{{\"description\":\"{}\"}}}}",
        "a".repeat(100_000)
    );
    let response = app
        .request(Method::POST, path, Some(&staff.analyst))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("send");
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("65536")
    );

    // A file too large to import: problem JSON too, not axum's plain text.
    let workshop = app.workshop(&staff).await;
    let response = app
        .request(
            Method::POST,
            &format!("/api/workshops/{}/import?format=csv", workshop.id),
            Some(&staff.analyst),
        )
        .body(format!("lon,lat\n{}", "-58.4,-34.7\n".repeat(10_000)))
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    // The body was not read to its end: the connection is closed, and says so, so that a
    // pooled client does not send its next request into it.
    assert_eq!(response.headers()["connection"], "close");
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("65536")
    );

    let response = app
        .request(Method::POST, path, Some(&staff.analyst))
        .header("content-type", "application/json")
        .body("{\"type\": \"Feature\",")
        .send()
        .await
        .expect("send");
    assert_eq!(read(response).await.0, StatusCode::BAD_REQUEST);
    let response = app
        .request(Method::POST, path, Some(&staff.analyst))
        .header("content-type", "text/plain")
        .body("POINT(1 2)")
        .send()
        .await
        .expect("send");
    assert_eq!(read(response).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = app
        .post(
            "/api/projects",
            Some(&staff.admin),
            &json!({"slug": "x y", "name": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post("/api/projects", Some(&staff.admin), &json!({"slug": 5}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JSON of the wrong shape"
    );
    let (status, _) = app.put("/api/projects/lomas/legend", Some(&staff.analyst), &json!([{"key": "Bad Key", "labels": {}, "kind": "risk", "geometry_types": [], "color": "red"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.get("/api/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = read(
        app.request(Method::DELETE, "/api/projects", Some(&staff.admin))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = app
        .get("/api/features/not-a-uuid", Some(&staff.admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn joining_needs_a_real_code_and_group_and_guessing_is_rate_limited(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let (status, problem) = app
        .post(
            "/api/join",
            None,
            &json!({"code": workshop.code, "group": "Vecinos"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("Jóvenes")
    );
    for _ in 0..10 {
        let (status, _) = app
            .post(
                "/api/join",
                None,
                &json!({"code": "ZZZ-ZZZ", "group": "Jóvenes"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let response = app
        .request(Method::POST, "/api/join", None)
        .json(&json!({"code": workshop.code, "group": "Jóvenes"}))
        .send()
        .await
        .expect("send");
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        read(response).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right code waits after ten wrong ones"
    );
}

/// A join with `code` from `client` (an X-Forwarded-For value): the answer's status.
async fn join_from(app: &TestApp, code: &str, client: &str) -> StatusCode {
    let response = app
        .request(Method::POST, "/api/join", None)
        .header("x-forwarded-for", client)
        .json(&json!({"code": code, "group": "Jóvenes"}))
        .send()
        .await
        .expect("send");
    read(response).await.0
}

async fn behind_a_trusted_proxy_each_client_has_its_own_attempt_limit(backend: Backend) {
    // Behind a load balancer every request comes from its address: one guesser must not lock
    // the whole room out.
    let app = TestApp::start_behind_proxies(backend, &["127.0.0.1/32"]).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    for _ in 0..10 {
        assert_eq!(
            join_from(&app, "ZZZ-ZZZ", "198.51.100.1").await,
            StatusCode::NOT_FOUND
        );
    }
    let other = join_from(&app, &workshop.code, "198.51.100.2").await;
    assert!(other.is_success(), "another client joins: {other}");
    assert_eq!(
        join_from(&app, &workshop.code, "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser waits"
    );

    // Without a trusted proxy the header is the client's own word, and it is ignored.
    let direct = TestApp::start(backend).await;
    let staff = direct.project().await;
    let workshop = direct.workshop(&staff).await;
    for i in 0..10 {
        let made_up = format!("198.51.100.{i}");
        assert_eq!(
            join_from(&direct, "ZZZ-ZZZ", &made_up).await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        join_from(&direct, &workshop.code, "198.51.100.99").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a made-up header evades nothing"
    );
}

/// A legend symbol carries its questions (the first part of issue 28): they are stored and
/// read back as written, and a legend whose questions do not hold together is refused with
/// where (a condition on a later question, bounds out of order).
async fn a_legend_s_questions_are_kept_and_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let (_, legend) = app
        .get("/api/projects/lomas/legend", Some(&staff.analyst))
        .await;
    let mut legend = legend.as_array().expect("legend").clone();
    // Written whole (the defaults, `required`, `sensitive` and `multiple` false, are written
    // back explicitly).
    let questions = json!([
        {"key": "chicos", "type": "yes_no", "required": true, "sensitive": false,
         "labels": {"es": "¿Trabajan chicos?", "en": "Do children work there?"}},
        {"key": "cuantos", "type": "integer", "min": 1, "max": 200, "required": true,
         "sensitive": true, "labels": {"es": "¿Cuántos chicos?", "en": "How many children?"},
         "when": {"question": "chicos", "equals": true}},
        {"key": "horario", "type": "choice", "multiple": false, "required": false,
         "sensitive": false, "labels": {"es": "¿En qué horario?"},
         "options": [{"key": "dia", "labels": {"es": "De día"}},
                     {"key": "noche", "labels": {"es": "De noche"}}]}
    ]);
    legend[0]["questions"] = questions.clone();
    let (status, saved) = app
        .put(
            "/api/projects/lomas/legend",
            Some(&staff.analyst),
            &Value::Array(legend.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, read_back) = app
        .get("/api/projects/lomas/legend", Some(&staff.facilitator))
        .await;
    assert_eq!(read_back[0]["questions"], questions);
    assert!(
        read_back[1].get("questions").is_none(),
        "none asked, none written"
    );

    let mut wrong = legend.clone();
    wrong[0]["questions"] = json!([
        {"key": "cuantos", "type": "integer", "min": 9, "max": 1, "labels": {"es": "n"},
         "when": {"question": "chicos", "equals": true}},
        {"key": "chicos", "type": "yes_no", "labels": {"es": "c"}}
    ]);
    let (status, problem) = app
        .put(
            "/api/projects/lomas/legend",
            Some(&staff.analyst),
            &Value::Array(wrong),
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
        ["/0/questions/0/min", "/0/questions/0/when"],
        "{problem}"
    );
    let (_, unchanged) = app
        .get("/api/projects/lomas/legend", Some(&staff.analyst))
        .await;
    assert_eq!(unchanged[0]["questions"], questions, "nothing stored");
}

crate::both_backends!(
    a_legend_s_questions_are_kept_and_checked,
    comments_come_a_page_at_a_time,
    a_participant_writing_without_pause_is_slowed_down,
    a_drawing_far_larger_than_the_project_is_refused_on_every_path,
    behind_a_trusted_proxy_each_client_has_its_own_attempt_limit,
    each_kind_of_bad_feature_is_refused_with_where_and_why,
    a_batch_with_one_bad_feature_stores_none_and_names_it,
    too_many_vertices_are_refused,
    oversized_non_json_and_wrongly_typed_bodies_get_problem_json,
    joining_needs_a_real_code_and_group_and_guessing_is_rate_limited
);
