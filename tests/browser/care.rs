//! The duty of care on the pages (issue 26): a participant reads the consent text in their
//! language and accepts it before drawing, and is told a workshop with no legal basis takes no
//! drawings; the facilitator sets a basis and withdraws a table on the workshops page; an
//! admin reads the audit trail. Screenshots on a 360 px phone and a laptop, in both languages.

use crate::helpers::*;

fn consent_basis() -> Value {
    json!({
        "basis": "consent", "given_by": "participant", "uses": ["research"],
        "texts": {
            "es": {"text": "Lo que dibujes lo usa la comisión para proteger a chicas y chicos. No guardamos tu nombre.",
                   "withdrawal": "Pedile a quien coordina que borre tus dibujos, con el código de tu teléfono."},
            "en": {"text": "What you draw is used by the commission to protect children. Your name is not kept.",
                   "withdrawal": "Ask whoever runs the workshop to delete your drawings, with your phone's code."}
        }
    })
}

async fn page_text(client: &Client) -> String {
    client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

#[tokio::test]
async fn consent_is_read_and_given_on_the_pages_and_staff_keep_the_duty_of_care() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let (status, consented) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&staff.facilitator),
            &json!({"title": "Taller Villa Fiorito", "groups": ["Jóvenes", "Docentes"], "legal_basis": consent_basis()}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{consented}");
    let (status, bare) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&staff.facilitator),
            &json!({"title": "Taller sin base", "groups": ["Mesa 1"]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{bare}");
    let code = consented["join_code"].as_str().expect("code");
    let bare_code = bare["join_code"].as_str().expect("code");
    let driver = driver().await;

    // A participant on a phone, in each language: the text, how to withdraw, a box to tick.
    for (lang, text, withdrawal) in [
        ("es", "No guardamos tu nombre.", "Pedile a quien coordina"),
        (
            "en",
            "Your name is not kept.",
            "Ask whoever runs the workshop",
        ),
    ] {
        let profile = tempfile::TempDir::new().expect("profile");
        let client = browser(&driver, &profile).await;
        client.set_window_size(360, 780).await.expect("phone");
        client
            .goto(&format!("{}/j/{code}?lang={lang}", app.base))
            .await
            .expect("join page");
        let shown = page_text(&client).await;
        assert!(
            shown.contains(text) && shown.contains(withdrawal),
            "{shown}"
        );
        screenshot(&client, &format!("consent-join-{lang}-phone")).await;
        click(&client, "input[name=group]").await;
        // Without the box ticked the browser does not send the form.
        click(&client, "form.card button[type=submit]").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            client
                .current_url()
                .await
                .expect("url")
                .path()
                .starts_with("/j/")
        );
        click(&client, "input[name=consent_version]").await;
        click(&client, "form.card button[type=submit]").await;
        client
            .wait()
            .for_element(Locator::Css("[data-symbol=escuela]"))
            .await
            .expect("the draw page");
        click(&client, "details.withdrawal summary").await;
        let code_shown = client
            .find(Locator::Css("details.withdrawal .code"))
            .await
            .expect("code")
            .text()
            .await
            .expect("text");
        assert_eq!(code_shown.len(), 8, "{code_shown}");
        screenshot(&client, &format!("consent-draw-withdrawal-{lang}-phone")).await;

        // A workshop with no legal basis says so, and offers nothing to join.
        client
            .goto(&format!("{}/j/{bare_code}?lang={lang}", app.base))
            .await
            .expect("join page");
        let shown = page_text(&client).await;
        let expected = if lang == "es" {
            "no puede recibir dibujos"
        } else {
            "cannot take drawings"
        };
        assert!(shown.to_lowercase().contains(expected), "{shown}");
        assert!(
            client
                .find(Locator::Css("input[name=group]"))
                .await
                .is_err()
        );
        screenshot(&client, &format!("consent-no-basis-{lang}-phone")).await;
        client.close().await.expect("close");
    }

    // The participants drew; a table's worth of drawings to withdraw.
    let (status, joined) = app
        .post(
            "/api/join",
            None,
            &json!({"code": code, "group": "Jóvenes", "consent_version": 1}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{joined}");
    let young = joined["token"].as_str().expect("token").to_owned();
    let drawings: Vec<Value> = (0..300)
        .map(|i| {
            let mut point = crate::common::point(
                if i % 3 == 0 {
                    "taller_clandestino"
                } else {
                    "escuela"
                },
                -58.47 + f64::from(i) * 0.0004,
                -34.75 + f64::from(i % 11) * 0.0007,
            );
            point["properties"]["title"] = json!(format!("Lugar {i}"));
            point
        })
        .collect();
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&young),
            &crate::common::collection(drawings),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    let first = body["features"][0]["id"].as_str().expect("id").to_owned();
    // The analyst reads sensitive places exactly, again and again: the record fills.
    for _ in 0..150 {
        let (status, _) = app
            .get(&format!("/api/features/{first}"), Some(&staff.analyst))
            .await;
        assert_eq!(status, reqwest::StatusCode::OK);
    }

    // Staff on a laptop: the workshops page says which workshop has no basis and sets one.
    user_with_password(&app, "ana", trama::domain::access::Role::Admin).await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    client.set_window_size(1366, 900).await.expect("laptop");
    log_in(&client, &app.base, "ana").await;
    client
        .goto(&format!("{}/workshops?lang=es", app.base))
        .await
        .expect("workshops");
    let shown = page_text(&client).await;
    assert!(
        shown.contains("Sin base legal: este taller no recibe dibujos"),
        "{shown}"
    );
    assert!(shown.contains("consentimiento de cada participante al entrar (texto versión 1)"));
    screenshot(&client, "care-workshops-es-laptop").await;
    // The same on a phone, in English, its form open.
    client
        .goto(&format!("{}/workshops?lang=en", app.base))
        .await
        .expect("workshops");
    client.set_window_size(360, 780).await.expect("phone");
    click(&client, "details.care summary").await;
    assert!(
        page_text(&client)
            .await
            .contains("Each participant, on their phone, before drawing")
    );
    screenshot(&client, "care-workshops-en-phone").await;
    client.set_window_size(1366, 900).await.expect("laptop");
    client
        .goto(&format!("{}/workshops?lang=es", app.base))
        .await
        .expect("workshops");
    let bare_id = bare["id"].as_str().expect("id");
    let form = format!("form[data-api='/api/workshops/{bare_id}/legal-basis']");
    click(&client, &format!("{form} input[value=public_interest]")).await;
    type_into(
        &client,
        &format!("{form} input[name=mandate]"),
        "Ley 26.061 y el programa COPRETI",
    )
    .await;
    click(&client, &format!("{form} button[type=submit]")).await;
    client
        .wait()
        .for_element(Locator::XPath(
            "//p[contains(., 'mandato de interés público del programa (versión 1)')]",
        ))
        .await
        .expect("the basis is saved and shown");
    let workshop = app
        .store
        .find_workshop(bare_id.parse().expect("uuid"))
        .await
        .expect("read")
        .expect("workshop");
    assert!(workshop.legal_basis.is_some());

    // Withdrawing a table: confirmed first, then everything it drew is gone.
    let consented_id = consented["id"].as_str().expect("id");
    client
        .execute("window.confirm = function () { return true; };", vec![])
        .await
        .expect("confirm");
    let withdraw = format!("form[data-api='/api/workshops/{consented_id}/withdrawals']");
    click(&client, &format!("li:has({withdraw}) details.care summary")).await;
    client
        .find(Locator::Css(&format!(
            "{withdraw} select[name=group] option:nth-child(2)"
        )))
        .await
        .expect("the first table")
        .click()
        .await
        .expect("choose");
    screenshot(&client, "care-withdraw-es-laptop").await;
    click(&client, &format!("{withdraw} button[type=submit]")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        app.feature_count(&staff.analyst).await,
        0,
        "the table's drawings are gone"
    );

    // The audit trail, in both languages, on a laptop and a phone.
    for (lang, words) in [
        ("es", ["Vio lugares exactos", "Retiro", "íntegra"]),
        ("en", ["Saw exact places", "Withdrawal", "intact"]),
    ] {
        client
            .goto(&format!("{}/admin/audit?lang={lang}", app.base))
            .await
            .expect("audit page");
        let shown = page_text(&client).await;
        for word in words {
            assert!(shown.contains(word), "{word}: {shown}");
        }
        assert!(
            !shown.contains("Lugar 0"),
            "no drawing's words in the record"
        );
        screenshot(&client, &format!("audit-{lang}-laptop")).await;
        client.set_window_size(360, 780).await.expect("phone");
        screenshot(&client, &format!("audit-{lang}-phone")).await;
        client.set_window_size(1366, 900).await.expect("laptop");
    }
    client
        .goto(&format!("{}/admin/audit?kind=withdrawal&lang=en", app.base))
        .await
        .expect("filtered");
    let rows = client
        .find_all(Locator::Css("table.audit-log tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    client.close().await.expect("close");
}
