//! The audit trail (issue 26): every read of an exact sensitive place is recorded with who,
//! when, which drawings and through which door, and nothing of the drawing's words or place;
//! the record's chain finds any change, deletion or reordering of a row, and a kept
//! checkpoint finds a cut tail; a withdrawal erases its participant's details and the chain
//! still verifies.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, read};

const MARKER: &str = "MARCA-AUDITORIA-3K";
const LON_TEXT: &str = "58.4311223";

/// A participant of a new workshop draws a sensitive drawing (a clandestine workshop) with
/// words and place only it has; answers the workshop's id, the drawing's id and the token.
async fn sensitive_drawing(
    app: &TestApp,
    staff: &crate::common::Fixture,
) -> (String, String, String) {
    let workshop = app.workshop(staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&token),
            &json!({"type": "Feature",
                    "properties": {"symbol": "taller_clandestino", "title": MARKER, "description": MARKER},
                    "geometry": {"type": "Point", "coordinates": [-58.431_122_3, -34.76]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let id = drawn["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .post(
            &format!("/api/features/{id}/annotations"),
            Some(&token),
            &json!({"body": format!("{MARKER}: al fondo del pasillo")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    (workshop.id, id, token)
}

async fn entries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/api/audit?{query}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["entries"].as_array().expect("entries").clone()
}

async fn verify(app: &TestApp, admin: &str) -> Value {
    let (status, body) = app.get("/api/audit/verify", Some(admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn each_exact_read_is_recorded_by_door_without_words(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let (workshop, drawing, author) = sensitive_drawing(&app, &staff).await;
    // Its author reading it is not an exact read of someone else's.
    let (status, _) = app
        .get(&format!("/api/features/{drawing}"), Some(&author))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        entries(&app, &staff.admin, "kind=exact_read")
            .await
            .is_empty()
    );

    // Each door that can show the analyst the exact place.
    let reads = [
        format!("/api/projects/lomas/features?workshop={workshop}"),
        format!("/api/features/{drawing}"),
        format!("/api/features/{drawing}/history"),
        format!("/api/features/{drawing}/annotations"),
        format!("/api/projects/lomas/features?workshop={workshop}&door=wall"),
        "/api/projects/lomas/export?format=gpkg&privacy=full".to_owned(),
    ];
    for path in &reads {
        let response = app
            .request(Method::GET, path, Some(&staff.analyst))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.bytes().await.expect("body");
        assert!(
            body.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()),
            "{path} did not show the drawing exactly"
        );
    }
    // A public view and a researcher's export show no exact place: nothing recorded.
    let (status, _) = app
        .get(
            &format!("/api/features/{drawing}?view=public"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let response = app
        .request(
            Method::GET,
            "/api/projects/lomas/export?format=geojson&privacy=anonymised",
            Some(&staff.researcher),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);

    let recorded = entries(&app, &staff.admin, "kind=exact_read").await;
    let analyst = entries(&app, &staff.admin, "kind=sign_in").await;
    assert!(analyst.is_empty(), "tokens made by the test sign nobody in");
    let doors: Vec<&str> = recorded
        .iter()
        .map(|e| e["details"]["door"].as_str().expect("door"))
        .collect();
    // Newest first: the export, the wall, comments, history, the drawing, the listing.
    assert_eq!(
        doors,
        ["export", "wall", "api", "api", "api", "api"],
        "{recorded:?}"
    );
    for entry in &recorded {
        assert_eq!(entry["details"]["subjects"], json!([drawing]), "{entry}");
        assert!(
            entry["details"]["actor"]
                .as_str()
                .expect("actor")
                .starts_with("user:")
        );
    }
    let exports = entries(&app, &staff.admin, "kind=export").await;
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert_eq!(exports[0]["details"]["words"]["privacy"], "anonymised");
    assert_eq!(exports[1]["details"]["words"]["privacy"], "full");

    // The whole record holds nothing of the drawing's words or place.
    let all = entries(&app, &staff.admin, "limit=500").await;
    let text = serde_json::to_string(&all).expect("json");
    assert!(!text.contains(MARKER) && !text.contains(LON_TEXT), "{text}");

    // Who reads the record: admins all of it; analysts their projects'; nobody else.
    for token in [&staff.facilitator, &staff.researcher, &author] {
        let (status, _) = app.get("/api/audit", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = app
        .request(Method::POST, "/api/tokens", None)
        .json(&json!({"username": "nadie", "password": "no es esta clave"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("send");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .post(
            "/api/users",
            Some(&staff.admin),
            &json!({"username": "marta", "role": "analyst", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "marta", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let signed_in = entries(&app, &staff.admin, "kind=sign_in").await;
    assert_eq!(
        signed_in.len(),
        1,
        "only the right password signs in: {signed_in:?}"
    );
    assert_eq!(signed_in[0]["details"]["door"], "api");
    let created = entries(&app, &staff.admin, "kind=account").await;
    assert_eq!(created[0]["details"]["words"]["created"], "analyst");
    // Analysts read their projects' entries, not sign-ins or accounts.
    assert!(
        entries(&app, &staff.analyst, "kind=sign_in")
            .await
            .is_empty()
    );
    let by_door = entries(&app, &staff.analyst, "door=wall").await;
    assert_eq!(by_door.len(), 1);
    let (status, problem) = app.get("/api/audit?door=window", Some(&staff.admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    // Priority cells finer than the project's mask (H3 8) place the drawing as well: the
    // API's and a full export's are exact reads; cells at the mask's size are not.
    let mut before = entries(&app, &staff.admin, "kind=exact_read").await.len();
    for (path, door) in [
        ("/api/projects/lomas/priority/cells?resolution=8", None),
        (
            "/api/projects/lomas/priority/cells?resolution=10",
            Some("api"),
        ),
        (
            "/api/projects/lomas/export?format=geojson&privacy=full&content=cells&resolution=10",
            Some("export"),
        ),
        (
            "/api/projects/lomas/export?format=geojson&privacy=full&content=cells&resolution=8",
            None,
        ),
    ] {
        let (status, body) = app.get(path, Some(&staff.analyst)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let now = entries(&app, &staff.admin, "kind=exact_read").await;
        match door {
            None => assert_eq!(now.len(), before, "{path}: {:?}", now[0]),
            Some(door) => {
                assert_eq!(now.len(), before + 1, "{path}");
                assert_eq!(now[0]["details"]["door"], door, "{path}");
                assert_eq!(now[0]["details"]["subjects"], json!([drawing]), "{path}");
            }
        }
        before = now.len();
    }

    // A moderator's change answers with the drawing exactly: an exact read too.
    let (status, body) = app
        .post(
            &format!("/api/features/{drawing}/hide"),
            Some(&staff.analyst),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let recorded_now = entries(&app, &staff.admin, "kind=exact_read").await;
    assert_eq!(recorded_now.len(), before + 1);
    assert_eq!(
        entries(&app, &staff.admin, "kind=moderation").await.len(),
        1
    );
    assert_eq!(verify(&app, &staff.admin).await["verifies"], true);
    let (status, _) = app.get("/api/audit/verify", Some(&staff.analyst)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Runs `sql` on the test's database (as someone with the database's files would).
async fn tamper(app: &TestApp, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if app.database.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&app.database.url)
            .await
            .expect("connect");
        sqlx::raw_sql(sql).execute(&pool).await.expect("tamper");
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&app.database.url)
            .await
            .expect("connect");
        sqlx::raw_sql(sql).execute(&pool).await.expect("tamper");
        pool.close().await;
    }
}

fn broken_at(verified: &Value) -> u64 {
    assert_eq!(verified["verifies"], false, "{verified}");
    verified["broken"]["seq"].as_u64().expect("seq")
}

async fn any_change_to_the_record_is_found_at_its_row(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let (_, drawing, _) = sensitive_drawing(&app, &staff).await;
    for _ in 0..6 {
        let (status, _) = app
            .get(&format!("/api/features/{drawing}"), Some(&staff.analyst))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(verify(&app, &staff.admin).await["count"], 6);

    // A changed detail (the reader), a changed time, a deleted row, two rows swapped.
    let backup = "CREATE TABLE audit_backup AS SELECT * FROM audit_log";
    let restore = "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM audit_backup";
    tamper(&app, backup).await;
    tamper(
        &app,
        "UPDATE audit_log SET details = replace(details, 'user:', 'user:0') WHERE seq = 2",
    )
    .await;
    assert_eq!(broken_at(&verify(&app, &staff.admin).await), 2);
    tamper(&app, restore).await;
    assert_eq!(verify(&app, &staff.admin).await["verifies"], true);
    let later = match backend {
        Backend::Sqlite => "UPDATE audit_log SET at = '2030-01-01T00:00:00Z' WHERE seq = 4",
        Backend::Postgres => "UPDATE audit_log SET at = at + interval '1 second' WHERE seq = 4",
    };
    tamper(&app, later).await;
    assert_eq!(broken_at(&verify(&app, &staff.admin).await), 4);
    tamper(&app, restore).await;
    tamper(&app, "DELETE FROM audit_log WHERE seq = 3").await;
    assert_eq!(broken_at(&verify(&app, &staff.admin).await), 3);
    tamper(&app, restore).await;
    tamper(
        &app,
        "UPDATE audit_log SET seq = -1 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 4; \
         UPDATE audit_log SET seq = 4 WHERE seq = -1",
    )
    .await;
    assert_eq!(broken_at(&verify(&app, &staff.admin).await), 4);
    tamper(&app, restore).await;
    assert_eq!(verify(&app, &staff.admin).await["verifies"], true);

    // A cut tail leaves a valid chain; a kept checkpoint finds it.
    let dir = tempfile::TempDir::new().expect("dir");
    let key = trama::application::audit::signing_key(&dir.path().join("audit.key")).expect("key");
    let checkpoint =
        trama::application::audit::sign_checkpoint(&*app.store, &key, chrono::Utc::now())
            .await
            .expect("checkpoint");
    assert_eq!(checkpoint.count, 6);
    tamper(&app, "DELETE FROM audit_log WHERE seq > 4").await;
    assert_eq!(broken_at(&verify(&app, &staff.admin).await), 5);
    // And a rewritten tail (entries 5 and 6 appended again) is not the signed one.
    for _ in 0..2 {
        let (status, _) = app
            .get(&format!("/api/features/{drawing}"), Some(&staff.analyst))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(broken_at(&verify(&app, &staff.admin).await), 6);
}

async fn a_withdrawal_erases_its_participant_s_details_and_the_chain_verifies(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    // The workshop's tables see its sensitive drawings exactly (a closed session).
    let (status, body) = read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"sensitive_exact": "workshop"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (workshop, drawing, _) = sensitive_drawing(&app, &staff).await;
    let (status, joined) = app
        .post(
            "/api/join",
            None,
            &json!({"code": app.get(&format!("/api/workshops/{workshop}"), Some(&staff.facilitator)).await.1["join_code"], "group": "Docentes"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let reader = joined["token"].as_str().expect("token");
    let reader_id = joined["participant"]["id"].as_str().expect("id").to_owned();
    // Once the session is closed.
    app.close(&workshop, &staff.facilitator).await;
    let (status, _) = app
        .get(&format!("/api/features/{drawing}"), Some(reader))
        .await;
    assert_eq!(status, StatusCode::OK);
    let actor = format!("participant:{reader_id}");
    assert_eq!(
        entries(&app, &staff.admin, &format!("actor={actor}"))
            .await
            .len(),
        1
    );

    let (status, answer) = app
        .post(
            &format!("/api/workshops/{workshop}/withdrawals"),
            Some(&staff.facilitator),
            &json!({"participant": reader_id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["purged"]["audit_entries_erased"], 1, "{answer}");
    assert!(
        entries(&app, &staff.admin, &format!("actor={actor}"))
            .await
            .is_empty()
    );
    let all = entries(&app, &staff.admin, "").await;
    assert!(
        all.iter()
            .any(|e| e["kind"] == "exact_read" && e["details"].is_null())
    );
    let withdrawal = &all[0];
    assert_eq!(withdrawal["kind"], "withdrawal", "{withdrawal}");
    assert_eq!(withdrawal["details"]["counts"]["participants"], 1);
    assert_eq!(verify(&app, &staff.admin).await["verifies"], true);
}

crate::both_backends!(
    each_exact_read_is_recorded_by_door_without_words,
    any_change_to_the_record_is_found_at_its_row,
    a_withdrawal_erases_its_participant_s_details_and_the_chain_verifies,
);
