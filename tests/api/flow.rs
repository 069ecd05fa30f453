//! The whole workshop flow, end to end.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, collection, point, read};

async fn a_workshop_runs_from_join_to_close(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    assert_eq!(workshop.code.len(), 7, "codes look like K7M-4QX");

    // Participants join with the code as they heard it, and pick their table.
    let typed = workshop.code.to_lowercase().replace('-', " ");
    let young = app.join(&typed, "jóvenes").await;
    let teachers = app.join(&workshop.code, "Docentes").await;

    // A batch of a point, a line and a polygon.
    let batch = collection(vec![
        point("escuela", -58.45, -34.71),
        json!({"type": "Feature", "properties": {"symbol": "ruta_insegura", "title": "Pasaje oscuro"},
               "geometry": {"type": "LineString", "coordinates": [[-58.46, -34.71], [-58.455, -34.715], [-58.45, -34.72]]}}),
        json!({"type": "Feature", "properties": {"symbol": "zona_riesgo", "description": "Muchos talleres"},
               "geometry": {"type": "Polygon", "coordinates": [[[-58.48, -34.72], [-58.47, -34.72], [-58.47, -34.71], [-58.48, -34.72]]]}}),
    ]);
    let (status, created) = app
        .post("/api/projects/lomas/features", Some(&young), &batch)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let features = created["features"].as_array().expect("features");
    assert_eq!(features.len(), 3);
    assert!(features.iter().all(|f| f["properties"]["revision"] == 1));
    let school = features[0]["id"].as_str().expect("id").to_owned();

    // The other table sees the workshop's features and comments on one.
    assert_eq!(app.feature_count(&teachers).await, 3);
    let (status, note) = app
        .post(
            &format!("/api/features/{school}/annotations"),
            Some(&teachers),
            &json!({"body": "Confirmado por la escuela"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let (_, notes) = app
        .get(&format!("/api/features/{school}/annotations"), Some(&young))
        .await;
    assert_eq!(notes[0]["body"], "Confirmado por la escuela");

    // The author edits with If-Match; a stale revision or none is refused.
    let edit = json!({"properties": {"title": "Escuela 12"}});
    let path = format!("/api/features/{school}");
    let response = app
        .request(Method::PATCH, &path, Some(&young))
        .header("If-Match", "\"1\"")
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["etag"], "\"2\"");
    let (status, edited) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["properties"]["title"], "Escuela 12");
    assert_eq!(edited["properties"]["revision"], 2);
    let stale = app
        .request(Method::PATCH, &path, Some(&young))
        .header("If-Match", "1")
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(read(stale).await.0, StatusCode::PRECONDITION_FAILED);
    let missing = app
        .request(Method::PATCH, &path, Some(&young))
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(read(missing).await.0, StatusCode::PRECONDITION_REQUIRED);
    // Another participant may not edit it.
    let foreign = app
        .request(Method::PATCH, &path, Some(&teachers))
        .header("If-Match", "2")
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(read(foreign).await.0, StatusCode::FORBIDDEN);

    // Every revision is kept.
    let (_, history) = app.get(&format!("{path}/history"), Some(&young)).await;
    let history = history.as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["action"], "create");
    assert_eq!(history[0]["feature"]["properties"]["title"], "Punto");
    assert_eq!(history[1]["action"], "edit");

    // Soft delete: gone for participants, listed for analysts, restorable.
    let (status, _) = read(
        app.request(Method::DELETE, &path, Some(&young))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, Some(&young)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.feature_count(&young).await, 2);
    let (_, deleted) = app
        .get(
            "/api/projects/lomas/features?deleted=true",
            Some(&staff.analyst),
        )
        .await;
    assert!(
        deleted["features"]
            .as_array()
            .expect("list")
            .iter()
            .any(|f| f["id"] == school.as_str())
    );
    let (status, restored) = app
        .post(&format!("{path}/restore"), Some(&staff.analyst), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["properties"]["revision"], 4);
    assert_eq!(app.feature_count(&young).await, 3);

    // The table's narrative on the workshop.
    let (status, narrative) = app
        .post(
            &format!("/api/workshops/{}/annotations", workshop.id),
            Some(&teachers),
            &json!({"body": "Hablamos de la feria"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{narrative}");
    let (_, narratives) = app
        .get(
            &format!("/api/workshops/{}/annotations?group=Docentes", workshop.id),
            Some(&staff.facilitator),
        )
        .await;
    assert_eq!(narratives.as_array().expect("list").len(), 1);

    // Closing: no more joins, features or edits from participants.
    let closed = app.close(&workshop.id, &staff.facilitator).await;
    assert_eq!(closed["status"], "closed");
    let (status, _) = app
        .post(
            "/api/join",
            None,
            &json!({"code": workshop.code, "group": "Docentes"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&young),
            &point("escuela", -58.4, -34.7),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let late = app
        .request(Method::PATCH, &path, Some(&young))
        .header("If-Match", "4")
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(read(late).await.0, StatusCode::FORBIDDEN);
    // What was drawn is still there to read.
    assert_eq!(app.feature_count(&young).await, 3);
}

async fn analysts_review_merge_and_hide(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (_, created) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &collection(vec![
                point("escuela", -58.45, -34.71),
                point("escuela", -58.4501, -34.7101),
            ]),
        )
        .await;
    let ids: Vec<String> = created["features"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();

    let review = |id: &str| format!("/api/features/{id}/review");
    let (status, problem) = app
        .post(
            &review(&ids[0]),
            Some(&staff.analyst),
            &json!({"state": "rejected"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["pointer"], "/reason");
    let (status, merged) = app
        .post(
            &review(&ids[1]),
            Some(&staff.analyst),
            &json!({"state": "merged", "merge_into": ids[0], "reason": "duplicado"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["properties"]["review_state"], "merged");
    assert_eq!(merged["properties"]["merged_into"], ids[0].as_str());
    let (status, accepted) = app
        .post(
            &review(&ids[0]),
            Some(&staff.analyst),
            &json!({"state": "accepted"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(accepted["properties"]["review_state"], "accepted");

    // Hiding takes a feature away from the workshop, not from analysts.
    let (status, _) = app
        .post(
            &format!("/api/features/{}/hide", ids[1]),
            Some(&staff.analyst),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.feature_count(&participant).await, 1);
    assert_eq!(app.feature_count(&staff.analyst).await, 2);
    let (status, _) = app
        .get(&format!("/api/features/{}", ids[1]), Some(&participant))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.post(
        &format!("/api/features/{}/unhide", ids[1]),
        Some(&staff.analyst),
        &json!({}),
    )
    .await;
    assert_eq!(app.feature_count(&participant).await, 2);
    let (_, history) = app
        .get(
            &format!("/api/features/{}/history", ids[1]),
            Some(&staff.analyst),
        )
        .await;
    let actions: Vec<&str> = history
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["create", "review", "hide", "unhide"]);
}

/// One decision for many drawings: each gets its own revision and audit entry, one already
/// so writes nothing, another project's or an unknown one is refused on its own line, and a
/// rejection needs its one reason.
async fn analysts_decide_on_many_drawings_at_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (_, created) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &collection(
                (0..30)
                    .map(|i| point("escuela", -58.45 + f64::from(i) * 1e-4, -34.71))
                    .collect(),
            ),
        )
        .await;
    let ids: Vec<String> = created["features"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    let bulk = "/api/projects/lomas/features/moderation";

    let (status, problem) = app
        .post(
            bulk,
            Some(&staff.analyst),
            &json!({"ids": ids, "action": "reject"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/reason");
    let (status, problem) = app
        .post(
            bulk,
            Some(&staff.analyst),
            &json!({"ids": [], "action": "accept"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/ids");

    // The wall listens: a decision for many is one event, not one per drawing.
    let mut events = listen(&app, &workshop.id, &staff.facilitator).await;
    // Twenty rejected with one reason, the first named twice; an unknown id refused alone.
    let unknown = uuid::Uuid::new_v4().to_string();
    let mut named: Vec<&str> = ids[..20].iter().map(String::as_str).collect();
    named.push(&ids[0]);
    named.push(&unknown);
    let (status, outcome) = app
        .post(
            bulk,
            Some(&staff.analyst),
            &json!({"ids": named, "action": "reject", "reason": "duplicado de la mesa"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["moderated"].as_array().expect("list").len(), 20);
    assert_eq!(outcome["refused"][0]["id"], unknown.as_str());
    assert_eq!(outcome["refused"][0]["status"], 404);
    let (_, after) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("escuela", -58.44, -34.72),
        )
        .await;
    let after = after["id"].as_str().expect("id").to_owned();
    let received = hear_until(&mut events, &after).await;
    assert_eq!(
        received.matches("event: features").count(),
        2,
        "one event for the twenty, one for the drawing after: {received}"
    );
    assert!(received.contains(&ids[19]), "{received}");
    let (_, rejected) = app
        .get(
            "/api/projects/lomas/features?state=rejected",
            Some(&staff.analyst),
        )
        .await;
    let rejected = rejected["features"].as_array().expect("features");
    assert_eq!(rejected.len(), 20);
    assert!(
        rejected
            .iter()
            .all(|f| f["properties"]["review_reason"] == "duplicado de la mesa")
    );

    // Hiding all thirty takes them from the tables; hiding five of them again writes nothing.
    let (_, outcome) = app
        .post(
            bulk,
            Some(&staff.analyst),
            &json!({"ids": ids, "action": "hide"}),
        )
        .await;
    assert_eq!(outcome["moderated"].as_array().expect("list").len(), 30);
    assert_eq!(
        app.feature_count(&participant).await,
        1,
        "the one drawn after"
    );
    let (_, outcome) = app
        .post(
            bulk,
            Some(&staff.analyst),
            &json!({"ids": ids[..5], "action": "hide"}),
        )
        .await;
    assert_eq!(outcome["moderated"].as_array().expect("list").len(), 0);
    assert_eq!(outcome["unchanged"].as_array().expect("list").len(), 5);
    let (_, history) = app
        .get(
            &format!("/api/features/{}/history", ids[0]),
            Some(&staff.analyst),
        )
        .await;
    let actions: Vec<&str> = history
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["create", "review", "hide"], "one revision each");
    let (_, audit) = app
        .get("/api/audit?kind=moderation&limit=500", Some(&staff.admin))
        .await;
    assert_eq!(
        audit["entries"].as_array().map_or(0, Vec::len),
        50,
        "one audit entry per drawing changed: {audit}"
    );

    // A drawing of lomas named under another project is refused on its line, not changed.
    let (status, _) = app
        .post(
            "/api/projects",
            Some(&staff.admin),
            &json!({"slug": "otro", "name": "Otro"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, outcome) = app
        .post(
            "/api/projects/otro/features/moderation",
            Some(&staff.admin),
            &json!({"ids": [ids[25]], "action": "unhide"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["refused"][0]["status"], 404);
    assert_eq!(
        app.feature_count(&participant).await,
        1,
        "the one drawn after"
    );
}

async fn bbox_workshop_and_symbol_filters_select_the_right_features(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let batch = collection(vec![
        point("escuela", -58.45, -34.71),
        point("comedor", -58.40, -34.76),
        json!({"type": "Feature", "properties": {"symbol": "ruta_insegura"},
               "geometry": {"type": "LineString", "coordinates": [[-58.50, -34.80], [-58.44, -34.705]]}}),
    ]);
    let (status, _) = app
        .post("/api/projects/lomas/features", Some(&participant), &batch)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let count = |body: &Value| body["features"].as_array().expect("features").len();
    let (status, body) = app
        .get(
            "/api/projects/lomas/features?bbox=-58.46,-34.72,-58.44,-34.70",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        count(&body),
        2,
        "the point and the line crossing the box: {body}"
    );
    let (_, body) = app
        .get(
            "/api/projects/lomas/features?symbol=comedor",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(count(&body), 1);
    let (_, body) = app
        .get(
            &format!("/api/projects/lomas/features?workshop={}", workshop.id),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(count(&body), 3);
    let (_, all) = app
        .get("/api/projects/lomas/features", Some(&staff.analyst))
        .await;
    let first = all["features"][0]["id"].as_str().expect("id").to_owned();
    app.post(
        &format!("/api/features/{first}/review"),
        Some(&staff.analyst),
        &json!({"state": "accepted"}),
    )
    .await;
    let (_, body) = app
        .get(
            "/api/projects/lomas/features?state=accepted",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(count(&body), 1);
    let today = chrono::Utc::now().date_naive();
    let (_, body) = app
        .get(
            &format!("/api/projects/lomas/features?since={today}&until={today}"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(count(&body), 3, "drawn today");
    let (_, body) = app
        .get(
            &format!(
                "/api/projects/lomas/features?until={}",
                today.pred_opt().expect("yesterday")
            ),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(count(&body), 0, "nothing before yesterday's end");
    let (status, _) = app
        .get(
            "/api/projects/lomas/features?since=last+week",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, body) = app
        .get("/api/projects/lomas/features?limit=2", Some(&staff.analyst))
        .await;
    assert_eq!(count(&body), 2);
    assert_eq!(body["truncated"], true);
    // The next page follows the link, in drawing order, without repeating a feature.
    let ids = |body: &Value| -> Vec<String> {
        body["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let next = body["links"][0]["href"]
        .as_str()
        .expect("a next link")
        .to_owned();
    assert_eq!(body["links"][0]["rel"], "next");
    assert!(next.contains("limit=2"), "the same query: {next}");
    let (status, second) = app.get(&next, Some(&staff.analyst)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!([ids(&body), ids(&second)].concat(), ids(&all));
    assert_eq!(second["truncated"], false);
    assert!(second.get("links").is_none(), "the last page links nowhere");
    let (status, problem) = app
        .get(
            &format!(
                "/api/projects/lomas/features?bbox=-58.46,-34.72,-58.44,-34.70&after={}",
                ids(&all)[0]
            ),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().expect("detail").contains("bbox"),
        "{problem}"
    );
    let (status, problem) = app
        .get(
            "/api/projects/lomas/features?bbox=1,2,3",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, _) = app
        .get(
            "/api/projects/lomas/features?bbbox=1,2,3,4",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a misspelt parameter is reported, not ignored"
    );
    // Groups: the three drawings are the Jóvenes'; a Docente draws one more.
    let group_of = |feature: &Value| {
        feature["properties"]["group"]
            .as_str()
            .expect("group")
            .to_owned()
    };
    let youth = group_of(&all["features"][0]);
    let teacher = app.join(&workshop.code, "Docentes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&teacher),
            &point("escuela", -58.41, -34.75),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let teachers = group_of(&drawn);
    assert_ne!(teachers, youth);
    for (group, expected) in [(&youth, 3), (&teachers, 1)] {
        let (_, body) = app
            .get(
                &format!("/api/projects/lomas/features?group={group}"),
                Some(&staff.analyst),
            )
            .await;
        assert_eq!(count(&body), expected, "group {group}: {body}");
    }
}

async fn features_survive_a_restart(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Docentes").await;
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("escuela", -58.45, -34.71),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let database = app.stop().await;

    let again = TestApp::start_on(database, trama::Limits::default()).await;
    assert_eq!(
        again.feature_count(&participant).await,
        1,
        "tokens and features are on disk"
    );
    let (status, legend) = again
        .get("/api/projects/lomas/legend", Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(legend.as_array().expect("legend").len(), 5);
}

async fn a_legend_cannot_drop_a_symbol_in_use(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Docentes").await;
    app.post(
        "/api/projects/lomas/features",
        Some(&participant),
        &point("comedor", -58.45, -34.71),
    )
    .await;
    let (_, legend) = app
        .get("/api/projects/lomas/legend", Some(&staff.analyst))
        .await;
    let without_comedor: Vec<Value> = legend
        .as_array()
        .expect("legend")
        .iter()
        .filter(|s| s["key"] != "comedor")
        .cloned()
        .collect();
    let (status, problem) = app
        .put(
            "/api/projects/lomas/legend",
            Some(&staff.analyst),
            &json!(without_comedor),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("comedor")
    );
    // Relabelling keeps the symbol and its features.
    let mut relabelled = legend.clone();
    relabelled[4]["labels"]["es"] = json!("Comedor / merendero");
    let (status, updated) = app
        .put(
            "/api/projects/lomas/legend",
            Some(&staff.analyst),
            &relabelled,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated[4]["labels"]["es"], "Comedor / merendero");
    assert_eq!(app.feature_count(&participant).await, 1);
}

/// SIGTERM during a workshop must not lose a drawing that is being uploaded: the server
/// finishes requests in flight before it stops.
async fn a_drawing_in_flight_is_stored_when_the_server_stops(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let store = app.store.clone();
    let body = point("escuela", -58.45, -34.71).to_string();
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut connection = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/projects/lomas/features HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    connection.write_all(head.as_bytes()).await.expect("head");
    connection.write_all(first).await.expect("first half");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    // Shut down while half the body is still to come.
    let stopping = tokio::spawn(app.stop());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !stopping.is_finished(),
        "the server waits for the request in flight"
    );
    connection.write_all(rest).await.expect("second half");
    let mut response = String::new();
    connection
        .read_to_string(&mut response)
        .await
        .expect("response");
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let _database = stopping.await.expect("stopped");
    let project = store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("project");
    let stored = store
        .list_features(project.id, &Default::default())
        .await
        .expect("list");
    assert_eq!(stored.len(), 1);
}

/// The workshop's event stream as `token`'s holder opens it (the wall does).
async fn listen(app: &TestApp, workshop: &str, token: &str) -> reqwest::Response {
    app.request(
        Method::GET,
        &format!("/api/workshops/{workshop}/events"),
        Some(token),
    )
    .send()
    .await
    .expect("subscribe")
}

/// What an open event stream says until it names `id` (within 10 s).
async fn hear_until(events: &mut reqwest::Response, id: &str) -> String {
    let mut received = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains(id) {
        assert!(std::time::Instant::now() < deadline, "no event: {received}");
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk())
            .await
            .expect("in time")
            .expect("read");
        received.push_str(&String::from_utf8_lossy(&chunk.expect("stream open")));
    }
    received
}

/// The wall listens to server-sent events; a drawing saved anywhere in the workshop shows up.
async fn the_wall_hears_new_drawings_live(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let mut events = listen(&app, &workshop.id, &staff.facilitator).await;
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    // Participants of another workshop may not listen.
    let (status, _) = app
        .get(
            &format!("/api/workshops/{}/events", workshop.id),
            Some(&staff.researcher),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("escuela", -58.45, -34.71),
        )
        .await;
    let id = drawn["id"].as_str().expect("id").to_owned();
    let received = hear_until(&mut events, &id).await;
    assert!(received.contains("event: features"), "{received}");
}

/// Whoever is signed out (here by a password reset) stops hearing the wall: the open stream
/// ends before the next change reaches it.
async fn a_signed_out_listener_stops_hearing_the_wall(backend: Backend) {
    signed_out_listener(backend, json!({"password": "otra clave bien larga"})).await;
}

/// So does one whose role changes: the stream stood for who they were.
async fn a_listener_whose_role_changes_stops_hearing_the_wall(backend: Backend) {
    signed_out_listener(backend, json!({"role": "analyst"})).await;
}

/// The facilitator listens to the wall; an admin changes their account with `change`; a
/// drawing made afterwards never reaches the stream, which ends.
async fn signed_out_listener(backend: Backend, change: Value) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let mut events = listen(&app, &workshop.id, &staff.facilitator).await;
    assert_eq!(events.status(), StatusCode::OK);

    let (status, body) = read(
        app.request(Method::PATCH, "/api/users/facilitator", Some(&staff.admin))
            .json(&change)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("escuela", -58.45, -34.71),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let id = drawn["id"].as_str().expect("id").to_owned();

    let mut received = String::new();
    loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk())
            .await
            .expect("the stream ends in time");
        match chunk {
            Ok(Some(bytes)) => received.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(None) | Err(_) => break,
        }
    }
    assert!(
        !received.contains(&id),
        "a signed-out listener heard: {received}"
    );
}

/// Joining is cheap and each participant has a write rate of their own: one client joined 100
/// times in 3.5 s and stored 30,000 drawings in 25 s. Joins are limited per address, and a
/// workshop's tables together per minute.
async fn joining_again_does_not_multiply_the_write_rate(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let join_body = json!({"code": workshop.code, "group": "Jóvenes"});
    let mut tokens = Vec::new();
    for _ in 0..100 {
        let (status, body) = app.post("/api/join", None, &join_body).await;
        if status == StatusCode::CREATED {
            tokens.push(body["token"].as_str().expect("token").to_owned());
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
            assert!(
                body["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("join 60 times a minute")),
                "{body}"
            );
        }
    }
    assert_eq!(tokens.len(), 60, "one address joins 60 times a minute");
    // The participants it has, each under their own rate, fill the workshop's: 3,000 a minute.
    let batch = |i: usize| {
        collection(
            (0..300)
                .map(|j| {
                    point(
                        "escuela",
                        -58.40 - i as f64 * 1e-3,
                        -34.76 - j as f64 * 1e-5,
                    )
                })
                .collect(),
        )
    };
    let mut stored = 0;
    let mut refused = None;
    for (i, token) in tokens.iter().take(11).enumerate() {
        let (status, body) = app
            .post("/api/projects/lomas/features", Some(token), &batch(i))
            .await;
        match status {
            StatusCode::CREATED => stored += 300,
            StatusCode::TOO_MANY_REQUESTS => refused = Some(body),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(stored, 3_000);
    let refused = refused.expect("the eleventh batch is refused");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("3000 drawings a minute")),
        "{refused}"
    );
}

/// A large room: the workshop's facilitator raises its joins a minute (the server's 150 would
/// turn away a hall of 200 joining at once), and the raised limit holds.
async fn a_facilitator_raises_the_joins_for_a_large_room(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let path = format!("/api/workshops/{}", workshop.id);
    let patch = |token: &str, body: Value| {
        app.request(reqwest::Method::PATCH, &path, Some(token))
            .json(&body)
            .send()
    };
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let refused = patch(&participant, json!({"joins_per_minute": 300}))
        .await
        .expect("send");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let invalid = patch(&staff.facilitator, json!({"joins_per_minute": 0}))
        .await
        .expect("send");
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let raised = patch(&staff.facilitator, json!({"joins_per_minute": 200}))
        .await
        .expect("send");
    assert_eq!(raised.status(), StatusCode::OK);
    let (_, read) = app.get(&path, Some(&staff.facilitator)).await;
    assert_eq!(read["joins_per_minute"], 200, "{read}");

    // 250 phones of a hall behind 5 routers (each within its address's 60).
    let mut joined = 1;
    let mut refused = None;
    for address in 2..7 {
        let phone = reqwest::Client::builder()
            .local_address(
                format!("127.0.0.{address}")
                    .parse::<std::net::IpAddr>()
                    .expect("ip"),
            )
            .build()
            .expect("client");
        for _ in 0..50 {
            let answer = phone
                .post(format!("{}/api/join", app.base))
                .json(&json!({"code": workshop.code, "group": "Docentes"}))
                .send()
                .await
                .expect("send");
            match answer.status() {
                StatusCode::CREATED => joined += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    refused = Some(answer.json::<Value>().await.expect("problem"));
                }
                other => panic!("{other}"),
            }
        }
    }
    assert_eq!(joined, 200, "the raised limit, not the server's 150");
    let refused = refused.expect("the 201st join is refused");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("joined 200 times a minute")),
        "{refused}"
    );
}

crate::both_backends!(
    a_facilitator_raises_the_joins_for_a_large_room,
    joining_again_does_not_multiply_the_write_rate,
    a_workshop_runs_from_join_to_close,
    analysts_review_merge_and_hide,
    analysts_decide_on_many_drawings_at_once,
    bbox_workshop_and_symbol_filters_select_the_right_features,
    features_survive_a_restart,
    a_legend_cannot_drop_a_symbol_in_use,
    a_drawing_in_flight_is_stored_when_the_server_stops,
    the_wall_hears_new_drawings_live,
    a_signed_out_listener_stops_hearing_the_wall,
    a_listener_whose_role_changes_stops_hearing_the_wall,
);
