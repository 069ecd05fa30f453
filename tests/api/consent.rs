//! The duty of care's first part (issue 26): a workshop holds drawings only on a legal basis,
//! participants accept the consent text before they draw (or their facilitator records their
//! table's agreement), and research exports leave out what no consent covers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, point, read};

/// A consent each participant gives on the join page, in Spanish and English, covering
/// `uses`.
fn consent(given_by: &str, uses: &[&str]) -> Value {
    json!({
        "basis": "consent",
        "given_by": given_by,
        "uses": uses,
        "texts": {
            "es": {"text": "Lo que dibujes lo usa la comisión. No se guarda tu nombre.",
                   "withdrawal": "Pedile a quien coordina que borre tus dibujos."},
            "en": {"text": "What you draw is used by the commission. Your name is not kept.",
                   "withdrawal": "Ask whoever runs the workshop to delete your drawings."}
        }
    })
}

async fn new_workshop(app: &TestApp, token: &str, title: &str, basis: Option<Value>) -> Value {
    let mut body = json!({"title": title, "groups": ["Jóvenes", "Docentes"]});
    if let Some(basis) = basis {
        body["legal_basis"] = basis;
    }
    let (status, workshop) = app
        .post("/api/projects/lomas/workshops", Some(token), &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{workshop}");
    workshop
}

fn drawn_in(workshop: &Value) -> Value {
    let mut drawing = point("escuela", -58.45, -34.71);
    drawing["properties"]["workshop"] = workshop["id"].clone();
    drawing
}

async fn join(app: &TestApp, code: &str, consent_version: Option<u32>) -> (StatusCode, Value) {
    let mut body = json!({"code": code, "group": "Jóvenes"});
    if let Some(version) = consent_version {
        body["consent_version"] = json!(version);
    }
    app.post("/api/join", None, &body).await
}

async fn join_page(app: &TestApp, code: &str, language: &str) -> String {
    app.request(Method::GET, &format!("/j/{code}"), None)
        .header("accept-language", language)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("page")
}

async fn a_workshop_without_a_legal_basis_takes_no_drawing_on_any_door(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = new_workshop(&app, &staff.facilitator, "Taller sin base", None).await;
    assert_eq!(workshop["legal_basis"], Value::Null);
    let code = workshop["join_code"].as_str().expect("code");
    let id = workshop["id"].as_str().expect("id");

    // Nobody joins, the facilitator draws nothing, no file is imported into it.
    let (status, problem) = join(&app, code, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no legal basis")),
        "{problem}"
    );
    let (status, problem) = app
        .post(
            "/api/projects/lomas/features",
            Some(&staff.facilitator),
            &drawn_in(&workshop),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, problem) = read(
        app.request(
            Method::POST,
            &format!("/api/workshops/{id}/import?format=geojson&dry_run=true"),
            Some(&staff.facilitator),
        )
        .body(
            json!({"type": "FeatureCollection", "features": [point("escuela", -58.45, -34.71)]})
                .to_string(),
        )
        .send()
        .await
        .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    // The join page says why, in the reader's language, and offers no form.
    let es = join_page(&app, code, "es").await;
    assert!(es.contains("todavía no puede recibir dibujos"), "{es}");
    assert!(!es.contains("<form class=\"card\""), "{es}");
    let en = join_page(&app, code, "en").await;
    assert!(en.contains("cannot take drawings yet"), "{en}");

    // Only those who run it set its basis.
    for (token, expected) in [
        (&staff.researcher, StatusCode::FORBIDDEN),
        (&staff.facilitator, StatusCode::OK),
    ] {
        let (status, body) = app
            .put(
                &format!("/api/workshops/{id}/legal-basis"),
                Some(token),
                &consent("participant", &["research"]),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }
    let (_, read_back) = app
        .get(&format!("/api/workshops/{id}"), Some(&staff.analyst))
        .await;
    let basis = &read_back["legal_basis"];
    assert_eq!(basis["version"], 1, "{read_back}");
    assert_eq!(basis["basis"], "consent");
    assert_eq!(basis["hash"].as_str().map(str::len), Some(64));

    // A participant joins only having accepted the version shown, then draws.
    let (status, problem) = join(&app, code, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/consent_version");
    let (status, _) = join(&app, code, Some(2)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = join_page(&app, code, "en").await;
    assert!(page.contains("Your name is not kept."), "{page}");
    assert!(
        page.contains("name=\"consent_version\" value=\"1\""),
        "{page}"
    );
    let (status, joined) = join(&app, code, Some(1)).await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let participant = joined["token"].as_str().expect("token");
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(participant),
            &point("escuela", -58.45, -34.71),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Once someone consented, the text is fixed: a new one needs everyone's consent again.
    let (status, problem) = app
        .put(
            &format!("/api/workshops/{id}/legal-basis"),
            Some(&staff.facilitator),
            &consent("participant", &["research", "publication"]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    // A basis that does not validate says where.
    let (status, problem) = app
        .put(
            &format!("/api/workshops/{id}/legal-basis"),
            Some(&staff.facilitator),
            &json!({"basis": "public_interest", "mandate": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/mandate");
}

async fn a_table_that_agreed_aloud_draws_once_its_facilitator_records_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = new_workshop(
        &app,
        &staff.facilitator,
        "Taller en voz alta",
        Some(consent("facilitator", &[])),
    )
    .await;
    let code = workshop["join_code"].as_str().expect("code");
    let id = workshop["id"].as_str().expect("id");
    let (status, joined) = join(&app, code, None).await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let participant = joined["token"].as_str().expect("token");
    let drawing = point("escuela", -58.45, -34.71);
    let draw = || app.post("/api/projects/lomas/features", Some(participant), &drawing);
    let (status, problem) = draw().await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("has not been recorded")),
        "{problem}"
    );
    // Nor write: words need the same consent as drawings.
    let (status, problem) = app
        .post(
            &format!("/api/workshops/{id}/annotations"),
            Some(participant),
            &json!({"body": "Lo que contamos en la mesa"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    let consent_path = format!("/api/workshops/{id}/groups/Jóvenes/consent");
    let (status, _) = app
        .post(
            &consent_path,
            Some(&staff.researcher),
            &json!({"note": "leído"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .post(
            &consent_path,
            Some(&staff.facilitator),
            &json!({"note": " "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let note = "Leído en voz alta en castellano; todas y todos de acuerdo.";
    let (status, recorded) = app
        .post(
            &consent_path,
            Some(&staff.facilitator),
            &json!({"note": note}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert_eq!(recorded["version"], 1);
    let (status, _) = app
        .post(
            &consent_path,
            Some(&staff.facilitator),
            &json!({"note": "otra vez"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = draw().await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The other table has not agreed: its participants still draw nothing.
    let (_, other) = app
        .post(
            "/api/join",
            None,
            &json!({"code": code, "group": "Docentes"}),
        )
        .await;
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            other["token"].as_str(),
            &point("escuela", -58.45, -34.71),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn research_exports_leave_out_workshops_no_consent_covers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let covered = new_workshop(
        &app,
        &staff.analyst,
        "Con investigación",
        Some(consent("participant", &["research"])),
    )
    .await;
    let analysis_only = new_workshop(
        &app,
        &staff.analyst,
        "Solo la comisión",
        Some(json!({"basis": "public_interest", "mandate": "Ley 26.061", "uses": []})),
    )
    .await;
    for workshop in [&covered, &analysis_only] {
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&staff.analyst),
                &drawn_in(workshop),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let export = |token: &str, privacy: &str| {
        let query = format!("/api/projects/lomas/export?format=geojson&privacy={privacy}");
        let request = app.request(Method::GET, &query, Some(token));
        async move {
            let (status, body) = read(request.send().await.expect("send")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let research = export(&staff.researcher, "anonymised").await;
    assert_eq!(
        research["features"].as_array().map(Vec::len),
        Some(1),
        "{research}"
    );
    let left_out = &research["metadata"]["legal_basis"]["left_out_workshops"];
    assert_eq!(left_out[0]["workshop"], analysis_only["id"], "{left_out}");
    assert_eq!(
        left_out[0]["reason"],
        "its legal basis does not cover research"
    );
    // The commission's own export holds both: every basis covers its analysis.
    let full = export(&staff.analyst, "full").await;
    assert_eq!(full["features"].as_array().map(Vec::len), Some(2));
    assert!(full["metadata"].get("legal_basis").is_none());
}

crate::both_backends!(
    a_workshop_without_a_legal_basis_takes_no_drawing_on_any_door,
    a_table_that_agreed_aloud_draws_once_its_facilitator_records_it,
    research_exports_leave_out_workshops_no_consent_covers,
);
