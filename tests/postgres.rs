//! What only PostgreSQL deployments do: several instances over one database, surviving a
//! database restart, and receiving a workshop laptop's SQLite file with `trama copy`.
//!
//! These tests restart the local PostgreSQL, so they run one at a time, in their own test
//! binary (cargo runs test binaries one after another).

#[path = "api/common/mod.rs"]
mod common;
mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use common::{Backend, TestApp, TestDatabase, collection, point};
use support::{Server, admin_token, run, text, trama};

/// One test at a time: a restart would break the others' connections.
static SERIAL: Mutex<()> = Mutex::const_new(());

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("send");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

/// A project with the fixture legend and an open workshop; returns its join code.
async fn setup(client: &reqwest::Client, url: &str, admin: &str) -> (String, String) {
    let post = async |path: &str, body: Value| {
        call(
            client,
            reqwest::Method::POST,
            format!("{url}{path}"),
            Some(admin),
            Some(&body),
        )
        .await
    };
    assert_eq!(
        post("/api/projects", json!({"slug": "lomas", "name": "Lomas"}))
            .await
            .0,
        StatusCode::CREATED
    );
    let legend: Value = serde_json::from_str(include_str!("fixtures/legend.json")).expect("legend");
    let (status, _, _) = call(
        client,
        reqwest::Method::PUT,
        format!("{url}/api/projects/lomas/legend"),
        Some(admin),
        Some(&legend),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, workshop, _) = post(
        "/api/projects/lomas/workshops",
        json!({"title": "Taller", "groups": ["Jóvenes", "Docentes"], "legal_basis": {"basis": "public_interest", "mandate": "Ley 26.061 y el programa de COPRETI", "uses": ["research", "publication"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    (
        workshop["id"].as_str().expect("id").to_owned(),
        workshop["join_code"].as_str().expect("code").to_owned(),
    )
}

#[tokio::test]
async fn two_instances_over_one_database_behave_as_one() {
    let _serial = SERIAL.lock().await;
    let database = TestDatabase::new(Backend::Postgres).await;
    let admin = admin_token(&database.url, "admin");
    let (a, b) = (Server::start(&database.url), Server::start(&database.url));
    let client = reqwest::Client::new();
    let (_, code) = setup(&client, &a.url, &admin).await;

    // A wall connected to one instance hears drawings saved through the other.
    let (_, workshops, _) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/projects/lomas/workshops", a.url),
        Some(&admin),
        None,
    )
    .await;
    let workshop_id = workshops["workshops"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut wall = client
        .get(format!("{}/api/workshops/{workshop_id}/events", a.url))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("subscribe");
    assert_eq!(wall.status(), StatusCode::OK);

    // Join through one, draw through the other, read through the first.
    let (status, joined, _) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/join", a.url),
        None,
        Some(&json!({"code": code, "group": "Jóvenes"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let participant = joined["token"].as_str().expect("token").to_owned();
    let drawn = point("escuela", -58.45, -34.71);
    let mut request = client
        .post(format!("{}/api/projects/lomas/features", b.url))
        .bearer_auth(&participant)
        .header("Idempotency-Key", "shared-key")
        .json(&drawn);
    let first: Value = request
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id = first["id"].as_str().expect("id").to_owned();
    let mut heard = String::new();
    while !heard.contains(&id) {
        let chunk = tokio::time::timeout(Duration::from_secs(10), wall.chunk())
            .await
            .expect("live update in time")
            .expect("read");
        heard.push_str(&String::from_utf8_lossy(&chunk.expect("stream open")));
    }
    let (status, read, headers) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/features/{id}", a.url),
        Some(&participant),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["properties"]["title"], "Punto");
    assert_eq!(headers["etag"], "\"1\"");

    // A retry that lands on the other instance is recognised.
    request = client
        .post(format!("{}/api/projects/lomas/features", a.url))
        .bearer_auth(&participant)
        .header("Idempotency-Key", "shared-key")
        .json(&drawn);
    let retry = request.send().await.expect("send");
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.expect("json");
    assert_eq!(retry["id"], id.as_str());
    let (_, listed, _) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/projects/lomas/features", b.url),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(listed["numberReturned"], 1);

    // An edit through one makes the other's copy stale.
    let edit = json!({"properties": {"title": "Escuela 12"}});
    let response = client
        .patch(format!("{}/api/features/{id}", a.url))
        .bearer_auth(&participant)
        .header("If-Match", "1")
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let response = client
        .patch(format!("{}/api/features/{id}", b.url))
        .bearer_auth(&participant)
        .header("If-Match", "1")
        .json(&edit)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);

    // Failed join attempts count across instances.
    for i in 0..10 {
        let server = if i % 2 == 0 { &a } else { &b };
        let (status, _, _) = call(
            &client,
            reqwest::Method::POST,
            format!("{}/api/join", server.url),
            None,
            Some(&json!({"code": "ZZZ-ZZZ", "group": "x"})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    for server in [&a, &b] {
        let (status, _, _) = call(
            &client,
            reqwest::Method::POST,
            format!("{}/api/join", server.url),
            None,
            Some(&json!({"code": code, "group": "Jóvenes"})),
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}

/// Stops or starts the local PostgreSQL cluster.
fn cluster(action: &str) {
    let major = std::fs::read_dir("/etc/postgresql")
        .expect("a local PostgreSQL cluster")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .max_by_key(|v| v.parse::<u32>().unwrap_or(0))
        .expect("a version");
    let status = std::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &major, "main", action])
        .status()
        .expect("pg_ctlcluster");
    assert!(status.success(), "pg_ctlcluster {action} failed");
}

/// Starts PostgreSQL again however the test ends, so the next tests have it.
struct RestartGuard;

impl Drop for RestartGuard {
    fn drop(&mut self) {
        let _ = std::process::Command::new("sh").args(["-c", "pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -n | tail -n 1) main start"]).status();
    }
}

#[tokio::test]
async fn a_database_restart_under_load_fails_cleanly_and_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let database = TestDatabase::new(Backend::Postgres).await;
    let admin = admin_token(&database.url, "admin");
    let server = Server::start(&database.url);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let (_, code) = setup(&client, &server.url, &admin).await;
    let (_, joined, _) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/join", server.url),
        None,
        Some(&json!({"code": code, "group": "Docentes"})),
    )
    .await;
    let participant = joined["token"].as_str().expect("token").to_owned();

    // Four clients each save 40 drawings, retrying like the page's offline queue: same
    // Idempotency-Key until the server says 201.
    let mut clients = Vec::new();
    for worker in 0..4 {
        let (client, url, token) = (client.clone(), server.url.clone(), participant.clone());
        clients.push(tokio::spawn(async move {
            let mut seen = BTreeSet::new();
            for n in 0..40 {
                let key = format!("w{worker}-{n}");
                let body = point(
                    "escuela",
                    -58.45 + f64::from(n) * 1e-4,
                    -34.71 + f64::from(worker) * 1e-4,
                );
                let started = Instant::now();
                loop {
                    let sent = client
                        .post(format!("{url}/api/projects/lomas/features"))
                        .bearer_auth(&token)
                        .header("Idempotency-Key", &key)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == StatusCode::CREATED => break,
                        Ok(response) => {
                            let status = response.status();
                            let kind = response
                                .headers()
                                .get("content-type")
                                .map(|v| v.to_str().unwrap_or("").to_owned());
                            seen.insert((status.as_u16(), kind));
                        }
                        Err(error) => panic!("the server itself failed: {error}"),
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(90),
                        "no recovery for {key}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        }));
    }

    tokio::time::sleep(Duration::from_millis(300)).await;
    let guard = RestartGuard;
    tokio::task::spawn_blocking(|| cluster("stop"))
        .await
        .expect("stop");
    // While the database is away, the API says so plainly.
    let (status, problem, _) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/healthz", server.url),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    let (status, problem, headers) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/projects/lomas/features", server.url),
        Some(&participant),
        Some(&point("escuela", -58.4, -34.7)),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    tokio::time::sleep(Duration::from_secs(1)).await;
    tokio::task::spawn_blocking(|| cluster("start"))
        .await
        .expect("start");
    drop(guard);

    let mut failures = BTreeSet::new();
    for worker in clients {
        failures.extend(worker.await.expect("worker"));
    }
    // Only clean refusals while the database was down: 503 problem JSON, never a 500.
    for (status, kind) in &failures {
        assert_eq!(*status, 503, "unexpected status {status}");
        assert_eq!(kind.as_deref(), Some("application/problem+json"));
    }
    let (status, _, _) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/healthz", server.url),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed, _) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/projects/lomas/features", server.url),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        listed["numberReturned"], 160,
        "every drawing stored exactly once"
    );
}

/// Timestamps with their sub-microsecond digits cut, since PostgreSQL keeps microseconds.
fn normalise(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
                *text = time
                    .with_timezone(&chrono::Utc)
                    .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                    .to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::Object(map) => map.values_mut().for_each(normalise),
        _ => {}
    }
}

/// What a user sees of a project, normalised for comparison across backends.
async fn snapshot(app: &TestApp, token: &str, edited: &str) -> Vec<Value> {
    let mut views = Vec::new();
    for path in [
        "/api/projects/lomas".to_owned(),
        "/api/projects/lomas/legend".to_owned(),
        "/api/projects/lomas/workshops".to_owned(),
        "/api/projects/lomas/features?deleted=true".to_owned(),
        "/api/projects/lomas/features".to_owned(),
        format!("/api/features/{edited}/history"),
        format!("/api/features/{edited}/annotations"),
    ] {
        let (status, mut body) = app.get(&path, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        normalise(&mut body);
        views.push(body);
    }
    views
}

#[tokio::test]
async fn copying_a_sqlite_database_into_postgres_twice_adds_nothing() {
    let _serial = SERIAL.lock().await;
    // A workshop laptop's database with a bit of everything: edits, a merge, a deletion,
    // comments, a narrative, a closed workshop.
    let laptop = TestApp::start(Backend::Sqlite).await;
    let staff = laptop.project().await;
    let workshop = laptop.workshop(&staff).await;
    let participant = laptop.join(&workshop.code, "Jóvenes").await;
    // Answers to the legend's questions go with their drawings.
    common::legend_with_questions(&laptop, &staff.analyst).await;
    let mut batch = collection(
        (0..30)
            .map(|i| point("escuela", -58.45 + f64::from(i) * 1e-3, -34.71))
            .collect(),
    );
    batch["features"][29]["properties"] = json!({"symbol": "comedor", "title": "Comedor",
        "answers": {"raciones": 80, "calle_segura": true}});
    let (_, created) = laptop
        .post("/api/projects/lomas/features", Some(&participant), &batch)
        .await;
    let ids: Vec<String> = created["features"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    let edited = ids[0].clone();
    let response = laptop
        .request(
            reqwest::Method::PATCH,
            &format!("/api/features/{edited}"),
            Some(&participant),
        )
        .header("If-Match", "1")
        .json(&json!({"properties": {"title": "Escuela 12"}}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    laptop
        .post(
            &format!("/api/features/{}/review", ids[1]),
            Some(&staff.analyst),
            &json!({"state": "merged", "merge_into": ids[2]}),
        )
        .await;
    // An accepted drawing keeps its reviewer (a column added before `merged_into` once made
    // the copy take the reviewer for the merge).
    let (status, _) = laptop
        .post(
            &format!("/api/features/{}/review", ids[4]),
            Some(&staff.analyst),
            &json!({"state": "accepted"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    laptop
        .request(
            reqwest::Method::DELETE,
            &format!("/api/features/{}", ids[3]),
            Some(&participant),
        )
        .send()
        .await
        .expect("send");
    laptop
        .post(
            &format!("/api/features/{edited}/annotations"),
            Some(&participant),
            &json!({"body": "Confirmado"}),
        )
        .await;
    laptop
        .post(
            &format!("/api/workshops/{}/annotations", workshop.id),
            Some(&participant),
            &json!({"body": "La mesa habló de la feria"}),
        )
        .await;
    laptop
        .post(
            &format!("/api/workshops/{}/close", workshop.id),
            Some(&staff.facilitator),
            &json!({}),
        )
        .await;
    // A photo of the drawing (an analyst's: the workshop is closed): its row and its files
    // go with the copy.
    let png = common::small_png();
    let photo: Value = laptop
        .request(
            reqwest::Method::POST,
            &format!("/api/features/{edited}/attachments"),
            Some(&staff.analyst),
        )
        .body(png)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let photo_url = photo["url"].as_str().expect("url").to_owned();
    let before = snapshot(&laptop, &staff.analyst, &edited).await;
    let from = laptop.stop().await;

    let central = TestDatabase::new(Backend::Postgres).await;
    let (from_data, to_data) = (from.dir().join("data"), central.dir().join("data"));
    for round in 0..2 {
        let copied = run(
            trama()
                .args(["copy", "--from", &from.url, "--to", &central.url])
                .args([
                    "--from-data-dir".as_ref(),
                    from_data.as_os_str(),
                    "--to-data-dir".as_ref(),
                    to_data.as_os_str(),
                ]),
            "",
        );
        assert!(copied.status.success(), "{}", text(&copied.stderr));
        let report = text(&copied.stdout);
        let features = report
            .lines()
            .find(|l| l.trim_start().starts_with("features "))
            .expect("features line")
            .to_owned();
        let files = report
            .lines()
            .find(|l| l.trim_start().starts_with("photos' files"))
            .expect("photos line")
            .to_owned();
        if round == 0 {
            assert!(
                features.contains("30 rows read") && features.ends_with(" 30 new"),
                "{report}"
            );
            assert!(files.contains(" 1 copied"), "{report}");
        } else {
            assert!(
                report
                    .lines()
                    .skip(1)
                    .filter(|l| !l.contains("photos' files"))
                    .all(|l| l.ends_with(" 0 new")),
                "the second copy adds nothing:\n{report}"
            );
            assert!(
                files.contains(" 0 copied") && files.contains(" 1 there already"),
                "{report}"
            );
        }
    }

    // The same project, seen through the API of a server on PostgreSQL; tokens still work.
    let central_url = central.url.clone();
    let server = TestApp::start_on(central, trama::Limits::default()).await;
    let after = snapshot(&server, &staff.analyst, &edited).await;
    for (view, (a, b)) in before.iter().zip(&after).enumerate() {
        assert_eq!(a, b, "view {view} differs after the copy");
    }
    let (status, _) = server
        .get("/api/projects/lomas/features", Some(&participant))
        .await;
    assert_eq!(status, StatusCode::OK, "participant tokens were copied");
    let copied = server
        .request(reqwest::Method::GET, &photo_url, Some(&staff.analyst))
        .send()
        .await
        .expect("send");
    assert_eq!(
        copied.status(),
        StatusCode::OK,
        "the photo's file was copied"
    );
    assert!(
        copied
            .bytes()
            .await
            .expect("bytes")
            .starts_with(&[0xFF, 0xD8])
    );
    // The console's full export with its files beside it reads them from the copy's folder.
    let out = tempfile::TempDir::new().expect("dir");
    let zip = out.path().join("lomas.zip");
    let exported = run(
        trama()
            .args([
                "export",
                "--project",
                "lomas",
                "--privacy",
                "full",
                "--format",
                "csv",
            ])
            .args(["--files", "zip", "--database", &central_url])
            .arg("--data-dir")
            .arg(&to_data)
            .arg("--out")
            .arg(&zip),
        "",
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert!(
        text(&exported.stderr).contains("with 1 photos and voice notes"),
        "{}",
        text(&exported.stderr)
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("a ZIP");
    let photo = format!(
        "attachments/{edited}/{}.jpg",
        photo["id"].as_str().expect("id")
    );
    let mut kept = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(&photo).expect("the photo"), &mut kept)
        .expect("read");
    assert!(kept.starts_with(&[0xFF, 0xD8]), "the photo's JPEG");
}

/// The CLI's writes are announced like the API's (issue 25.4): `trama import` reaches a wall
/// of a running server through the database, and `trama user password` ends the open event
/// stream of the user whose password it changed.
#[tokio::test]
async fn the_cli_s_writes_reach_the_live_pages_of_a_running_server() {
    let _serial = SERIAL.lock().await;
    let database = TestDatabase::new(Backend::Postgres).await;
    let admin = admin_token(&database.url, "admin");
    let server = Server::start(&database.url);
    let client = reqwest::Client::new();
    let (workshop, _) = setup(&client, &server.url, &admin).await;
    let mut wall = client
        .get(format!("{}/api/workshops/{workshop}/events", server.url))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("subscribe");
    assert_eq!(wall.status(), StatusCode::OK);
    // Whatever the stream says first (a hello, a keep-alive) is read before the import.
    let _ = tokio::time::timeout(Duration::from_millis(500), wall.chunk()).await;

    let dir = tempfile::TempDir::new().expect("dir");
    let file = dir.path().join("escuelas.geojson");
    std::fs::write(
        &file,
        collection(vec![point("escuela", -58.40, -34.76)]).to_string(),
    )
    .expect("write");
    let imported = run(
        trama().args([
            "import",
            "--workshop",
            &workshop,
            "--file",
            file.to_str().expect("path"),
            "--default-symbol",
            "escuela",
            "--username",
            "admin",
            "--database",
            &database.url,
        ]),
        "",
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let mut heard = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !heard.contains("features") && Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_secs(1), wall.chunk()).await
        {
            heard.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(heard.contains("features"), "the wall heard: {heard:?}");

    // A new password from the CLI: the admin's stream ends.
    let reset = run(
        trama().args([
            "user",
            "password",
            "--username",
            "admin",
            "--database",
            &database.url,
        ]),
        "another long enough password\n",
    );
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match wall.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return,
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the stream of a user whose password changed went on"
    );
}
