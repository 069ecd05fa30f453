//! The duty of care's second part (issue 26): a table or a participant withdraws their
//! consent and what they made is gone from every door at once, then from the database files;
//! a project's retention ends a workshop's raw drawings, `--dry-run` first.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, collection};

/// Free text only the withdrawn table wrote, and a longitude only it drew at.
const MARKER: &str = "MARCA-RETIRO-7Q";
const LON: f64 = -58.456_789_1;
const LON_TEXT: &str = "58.4567891";

/// Draws three shapes carrying the marker (one sent twice under an Idempotency-Key, so its
/// answer is kept) and a comment on the first, as `token`; returns the drawings' ids.
async fn draw_marked(app: &TestApp, token: &str) -> Vec<String> {
    let features = collection(vec![
        json!({"type": "Feature", "properties": {"symbol": "taller_clandestino", "title": format!("{MARKER} taller"),
               "description": format!("{MARKER} en el fondo")},
               "geometry": {"type": "Point", "coordinates": [LON, -34.712_345_6]}}),
        json!({"type": "Feature", "properties": {"symbol": "ruta_insegura", "title": MARKER},
               "geometry": {"type": "LineString", "coordinates": [[LON, -34.72], [-58.44, -34.725]]}}),
        json!({"type": "Feature", "properties": {"symbol": "zona_riesgo", "description": MARKER},
               "geometry": {"type": "Polygon", "coordinates": [[[LON, -34.72], [-58.446, -34.72],
                   [-58.446, -34.716], [LON, -34.716], [LON, -34.72]]]}}),
    ]);
    let response = app
        .request(Method::POST, "/api/projects/lomas/features", Some(token))
        .header("Idempotency-Key", "cola-1")
        .json(&features)
        .send()
        .await
        .expect("send");
    let (status, body) = crate::common::read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids: Vec<String> = body["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    let (status, _) = app
        .post(
            &format!("/api/features/{}/annotations", ids[0]),
            Some(token),
            &json!({"body": format!("{MARKER}: lo vi yo")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    ids
}

/// Every export the API offers, as `token`: five formats, every content and privacy level.
async fn every_export(app: &TestApp, token: &str) -> Vec<(String, Vec<u8>)> {
    let mut exports = Vec::new();
    for format in ["geojson", "csv", "gpkg", "kml", "fgb"] {
        let mut queries: Vec<String> = ["full", "anonymised", "aggregated"]
            .iter()
            .map(|level| format!("format={format}&privacy={level}"))
            .collect();
        queries.push(format!("format={format}&privacy=full&content=cells"));
        if !matches!(format, "kml" | "fgb") {
            queries.push(format!("format={format}&privacy=full&content=annotations"));
        }
        for query in queries {
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
            exports.push((query, response.bytes().await.expect("body").to_vec()));
        }
    }
    exports
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Everything an analyst can read of the project: listings, each drawing, comments, the
/// workshop's narrative, priority cells, every export; as one text per door.
async fn what_an_analyst_reads(
    app: &TestApp,
    analyst: &str,
    workshop: &str,
) -> Vec<(String, Vec<u8>)> {
    let mut read = Vec::new();
    for path in [
        "/api/projects/lomas/features".to_owned(),
        format!("/api/projects/lomas/features?workshop={workshop}"),
        "/api/projects/lomas/features?deleted=true".to_owned(),
        format!("/api/workshops/{workshop}/annotations"),
        "/api/projects/lomas/priority/cells?resolution=9".to_owned(),
    ] {
        let response = app
            .request(Method::GET, &path, Some(analyst))
            .send()
            .await
            .expect("send");
        read.push((path, response.bytes().await.expect("body").to_vec()));
    }
    read.extend(every_export(app, analyst).await);
    read
}

async fn withdrawn_table_leaves_nothing_on_any_door_nor_in_the_files(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let young = app.join(&workshop.code, "Jóvenes").await;
    let teachers = app.join(&workshop.code, "Docentes").await;
    let withdrawn = draw_marked(&app, &young).await;
    // The facilitator's notes of what the table said are the table's too.
    let (status, body) = app
        .post(
            &format!("/api/workshops/{}/annotations", workshop.id),
            Some(&staff.facilitator),
            &json!({"group": "Jóvenes", "body": format!("{MARKER}: la mesa contó del galpón")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, kept) = app
        .post(
            "/api/projects/lomas/features",
            Some(&teachers),
            &crate::common::point("escuela", -58.40, -34.70),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{kept}");
    let kept_id = kept["id"].as_str().expect("id").to_owned();
    // Before: the analyst reads the marker through the doors that show free text.
    let before = what_an_analyst_reads(&app, &staff.analyst, &workshop.id).await;
    assert!(before.iter().any(|(_, body)| holds(body, MARKER)));

    let path = format!("/api/workshops/{}/withdrawals", workshop.id);
    let (status, _) = app
        .post(&path, Some(&staff.researcher), &json!({"group": "Jóvenes"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(&path, Some(&young), &json!({"group": "Jóvenes"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .post(
            &path,
            Some(&staff.facilitator),
            &json!({"group": "Jóvenes", "participant": kept_id}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, problem) = app
        .post(&path, Some(&staff.facilitator), &json!({"group": "Nadie"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, answer) = app
        .post(
            &path,
            Some(&staff.facilitator),
            &json!({"group": "Jóvenes"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let purged = &answer["purged"];
    assert_eq!(purged["drawings"], 3, "{answer}");
    // The comment on its drawing and the facilitator's notes of what it said.
    assert_eq!(purged["comments"], 2, "{answer}");
    assert_eq!(purged["participants"], 1, "{answer}");
    assert_eq!(purged["sessions"], 1, "{answer}");
    assert_eq!(purged["idempotency_records"], 1, "{answer}");
    assert!(!answer.to_string().contains(MARKER));

    // Gone from every door at once; the other table's drawing stays.
    for (door, body) in what_an_analyst_reads(&app, &staff.analyst, &workshop.id).await {
        assert!(
            !holds(&body, MARKER),
            "{door} still holds the withdrawn text"
        );
        assert!(
            !holds(&body, LON_TEXT),
            "{door} still holds the withdrawn place"
        );
    }
    for id in &withdrawn {
        let (status, _) = app
            .get(&format!("/api/features/{id}"), Some(&staff.analyst))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .get(&format!("/api/features/{id}/history"), Some(&staff.analyst))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = app
        .get(&format!("/api/features/{kept_id}"), Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The withdrawn participant's session ended: a queued drawing sent later is refused.
    let (status, _) = app.get("/api/projects/lomas/features", Some(&young)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    match backend {
        // Nor in the file or its WAL: deletes overwrite, the WAL is checkpointed and cut.
        Backend::Sqlite => {
            for name in ["trama.db", "trama.db-wal"] {
                let path = app.database.dir().join(name);
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                assert!(
                    !holds(&bytes, MARKER),
                    "{name} still holds the withdrawn text"
                );
                assert!(
                    !holds(&bytes, LON_TEXT),
                    "{name} still holds the withdrawn place"
                );
            }
        }
        // Every table's rows for them are zero.
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database.url)
                .await
                .expect("connect");
            for table in [
                "features",
                "feature_revisions",
                "annotations",
                "idempotency_keys",
            ] {
                let sql = format!(
                    "SELECT COUNT(*) FROM {table} t WHERE row_to_json(t)::text LIKE '%{MARKER}%'"
                );
                let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&pool)
                    .await
                    .expect("count");
                assert_eq!(count, 0, "{table}");
            }
            pool.close().await;
        }
    }
}

async fn a_participant_s_withdrawal_takes_theirs_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let (status, joined) = app
        .post(
            "/api/join",
            None,
            &json!({"code": workshop.code, "group": "Jóvenes", "display_name": "Tero"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let leaving = joined["token"].as_str().expect("token").to_owned();
    let participant = joined["participant"]["id"].clone();
    assert!(participant.is_string(), "{joined}");
    let staying = app.join(&workshop.code, "Jóvenes").await;
    draw_marked(&app, &leaving).await;
    draw_marked(&app, &staying).await;

    let path = format!("/api/workshops/{}/withdrawals", workshop.id);
    // Named by the code the phone shows: the id's last 8 characters.
    let id = participant.as_str().expect("id");
    let (status, problem) = app
        .post(&path, Some(&staff.analyst), &json!({"participant": "ab12"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, answer) = app
        .post(
            &path,
            Some(&staff.analyst),
            &json!({"participant": &id[id.len() - 8..]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["purged"]["drawings"], 3, "{answer}");
    assert_eq!(answer["purged"]["participants"], 1, "{answer}");
    assert_eq!(app.feature_count(&staff.analyst).await, 3);
    // Again: nobody is left to withdraw.
    let (status, _) = app
        .post(
            &path,
            Some(&staff.analyst),
            &json!({"participant": participant}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get("/api/projects/lomas/features", Some(&staying))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[derive(Clone, Copy, PartialEq)]
enum Sweep {
    Dry,
    Purge,
}

/// Applies the retention as it would be `months` from now, as the console does.
async fn sweep(app: &TestApp, months: u32, how: Sweep) -> Vec<trama::application::care::Swept> {
    let later = chrono::Utc::now()
        .checked_add_months(chrono::Months::new(months))
        .expect("date");
    trama::application::care::apply_retention(
        &*app.store,
        &trama::media::Folder::new(app.database.dir().join("data/attachments")),
        later,
        how == Sweep::Dry,
        trama::domain::audit::Door::Cli,
    )
    .await
    .expect("sweep")
}

async fn retention_purges_ended_workshops_after_a_dry_run(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let young = app.join(&workshop.code, "Jóvenes").await;
    draw_marked(&app, &young).await;
    let (status, project) = app
        .request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
        .json(&json!({"retention_months": 0}))
        .send()
        .await
        .map(|r| (r.status(), r))
        .expect("send");
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        project.text().await
    );
    let (status, project) = crate::common::read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"retention_months": 24}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    assert_eq!(project["retention_months"], 24);

    // An open workshop never expires.
    let swept = sweep(&app, 30, Sweep::Dry).await;
    assert!(swept.is_empty(), "{swept:?}");
    app.close(&workshop.id, &staff.facilitator).await;
    let swept = sweep(&app, 23, Sweep::Purge).await;
    assert!(swept.is_empty(), "{swept:?}");
    // Dry: says what it would purge, removes nothing.
    let swept = sweep(&app, 25, Sweep::Dry).await;
    assert_eq!(swept.len(), 1, "{swept:?}");
    assert_eq!(swept[0].purged.drawings, 3);
    assert_eq!(swept[0].purged.participants, 1);
    assert_eq!(app.feature_count(&staff.analyst).await, 3);
    let swept = sweep(&app, 25, Sweep::Purge).await;
    assert_eq!(swept.len(), 1, "{swept:?}");
    assert_eq!(app.feature_count(&staff.analyst).await, 0);
    // The workshop itself stays, with its tables; nothing is left to purge.
    let (status, kept) = app
        .get(
            &format!("/api/workshops/{}", workshop.id),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    let swept = sweep(&app, 25, Sweep::Purge).await;
    assert!(swept.is_empty(), "{swept:?}");
    let _: Value = kept;
}

/// The aggregated export's counts, as (cell, symbol, count), sorted.
async fn aggregated_counts(app: &TestApp, token: &str) -> (Vec<(String, String, i64)>, Value) {
    let (status, body) = app
        .get(
            "/api/projects/lomas/export?format=geojson&privacy=aggregated",
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut counts: Vec<(String, String, i64)> = body["features"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let p = &row["properties"];
            (
                p["cell"].as_str().expect("cell").to_owned(),
                p["symbol"].as_str().expect("symbol").to_owned(),
                p["count"].as_i64().expect("count"),
            )
        })
        .collect();
    counts.sort();
    (counts, body["metadata"].clone())
}

/// A project whose retention keeps counts: the drawings go, the counts an aggregated export
/// released stay, the same in the aggregated export afterwards and in the priority cells;
/// the drawings' exports say their workshop was kept as counts.
async fn retention_that_keeps_counts_keeps_what_an_aggregated_export_released(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let young = app.join(&workshop.code, "Jóvenes").await;
    // Six schools in one block (released at k = 5), one alone (suppressed), and a sensitive
    // workshop six times in another (counted in its mask's cell).
    let mut drawings: Vec<Value> = (0..6)
        .map(|i| crate::common::point("escuela", -58.4701 + f64::from(i) * 1e-4, -34.7101))
        .collect();
    drawings.push(crate::common::point("escuela", -58.40, -34.76));
    drawings.extend((0..6).map(|i| {
        crate::common::point(
            "taller_clandestino",
            -58.4501,
            -34.7201 + f64::from(i) * 1e-4,
        )
    }));
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&young),
            &collection(drawings),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (before, _) = aggregated_counts(&app, &staff.analyst).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(before.iter().all(|(_, _, n)| *n == 6), "{before:?}");

    // What the retention keeps says nothing without a retention.
    let (status, body) = crate::common::read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"retention_then": "keep_counts"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("retention_months"),
        "{body}"
    );
    let (status, project) = crate::common::read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"retention_months": 24, "retention_then": "keep_counts"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    assert_eq!(project["retention_then"], "keep_counts");
    // Changing the months alone keeps what it does then.
    let (_, project) = crate::common::read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"retention_months": 12}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        (&project["retention_months"], &project["retention_then"]),
        (&json!(12), &json!("keep_counts"))
    );

    app.close(&workshop.id, &staff.facilitator).await;
    let swept = sweep(&app, 13, Sweep::Dry).await;
    assert_eq!(swept[0].purged.cell_counts_kept, 2, "{swept:?}");
    assert_eq!(aggregated_counts(&app, &staff.analyst).await.0, before);
    let swept = sweep(&app, 13, Sweep::Purge).await;
    assert_eq!(swept[0].purged.drawings, 13, "{swept:?}");
    assert_eq!(swept[0].purged.cell_counts_kept, 2);
    assert_eq!(app.feature_count(&staff.analyst).await, 0);

    // The aggregated export counts exactly what it released before, and says why.
    let (after, metadata) = aggregated_counts(&app, &staff.analyst).await;
    assert_eq!(after, before);
    assert_eq!(metadata["kept_counts"]["counted_here"], true, "{metadata}");
    assert_eq!(metadata["kept_counts"]["workshops"], json!([workshop.id]));
    // A researcher's too (the mandate covers research).
    assert_eq!(aggregated_counts(&app, &staff.researcher).await.0, before);
    // The drawings' export has none, and says where they went.
    let (status, drawn) = app
        .get(
            "/api/projects/lomas/export?format=geojson&privacy=anonymised",
            Some(&staff.researcher),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{drawn}");
    assert_eq!(drawn["features"], json!([]));
    assert_eq!(drawn["metadata"]["kept_counts"]["counted_here"], false);

    // Priority cells count the kept drawings, weighted by their symbols.
    let (status, cells) = app
        .get("/api/projects/lomas/priority/cells", Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK, "{cells}");
    let counted: i64 = cells["features"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            c["properties"]["by_symbol"]
                .as_object()
                .map_or(0.0, |s| s.values().filter_map(Value::as_f64).sum::<f64>())
        })
        .sum::<f64>()
        .round() as i64;
    assert_eq!(
        counted, 12,
        "six schools and six workshops, the lone school gone"
    );
    // Nothing else is left to purge, and sweeping again keeps no second copy.
    assert!(sweep(&app, 13, Sweep::Purge).await.is_empty());
    assert_eq!(aggregated_counts(&app, &staff.analyst).await.0, before);
}

crate::both_backends!(
    retention_that_keeps_counts_keeps_what_an_aggregated_export_released,
    withdrawn_table_leaves_nothing_on_any_door_nor_in_the_files,
    a_participant_s_withdrawal_takes_theirs_only,
    retention_purges_ended_workshops_after_a_dry_run,
);
