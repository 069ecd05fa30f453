//! Printing a workshop's map from the workshops page (issue 29): the facilitator opens "Print
//! the map", chooses two A4 sheets, follows the job and gets the PDF's link; the PDF is the
//! workshop's, georeferenced. A phone and a laptop, Spanish and English, with a workshop of
//! 160 drawings over four tables.

use crate::helpers::*;

#[tokio::test]
async fn a_facilitator_prints_the_workshop_s_map_from_the_workshops_page() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    for (t, table) in FOUR_TABLES.iter().enumerate() {
        let token = app.join(&code, table).await;
        let features: Vec<Value> = (0..40)
            .map(|i| {
                let (lon, lat) = (
                    -58.404 + f64::from(i % 8) * 0.0011 + t as f64 * 0.0003,
                    -34.762 + f64::from(i / 8) * 0.0009,
                );
                let symbol = ["escuela", "comedor", "taller_clandestino", "escuela"][(i % 4) as usize];
                json!({"type": "Feature", "properties": {"symbol": symbol, "title": format!("Lugar {t}.{i}")},
                       "geometry": {"type": "Point", "coordinates": [lon, lat]}})
            })
            .collect();
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &crate::common::collection(features),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Admin).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    log_in(&client, &app.base, "coordinadora").await;

    for (lang, (width, height), ready) in [
        ("es", (360, 740), "Listo: 2 hojas"),
        ("en", (1366, 768), "Ready: 2 sheets"),
    ] {
        client.set_window_size(width, height).await.expect("size");
        client
            .goto(&format!("{}/workshops?lang={lang}", app.base))
            .await
            .expect("the workshops page");
        click(&client, "details.print summary").await;
        client
            .execute(
                "var form = document.querySelector('form.print-form'); \
                 form.elements.columns.value = '2'; form.elements.notes.checked = true;",
                vec![],
            )
            .await
            .expect("two sheets");
        if lang == "en" {
            // A result for the community, as an analyst or admin prints it: its text shows
            // once it is chosen.
            client
                .execute(
                    "var form = document.querySelector('form.print-form'); form.elements.result.checked = true; \
                     form.elements.text.value = 'What the tables said, for the neighbourhood.';",
                    vec![],
                )
                .await
                .expect("a result");
            let shown = client
                .execute(
                    "return document.querySelector('form.print-form textarea[name=text]').offsetParent !== null;",
                    vec![],
                )
                .await
                .expect("text box");
            assert_eq!(shown, json!(true), "the result's text box shows");
        }
        client
            .execute(
                "document.querySelector('form.print-form button[type=submit]').scrollIntoView({block: 'end'});",
                vec![],
            )
            .await
            .expect("scroll");
        screenshot(&client, &format!("print-form-{width}-{lang}")).await;
        click(&client, "form.print-form button[type=submit]").await;
        let deadline = Instant::now() + Duration::from_secs(120);
        let link = loop {
            let found = client
                .execute(
                    "var r = document.querySelector('.print-report'); var a = r.querySelector('a'); \
                     return a ? [r.textContent, a.getAttribute('href')] : null;",
                    vec![],
                )
                .await
                .expect("report");
            if !found.is_null() {
                break found;
            }
            assert!(Instant::now() < deadline, "the print never finished");
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        assert!(link[0].as_str().expect("text").contains(ready), "{link}");
        screenshot(&client, &format!("print-ready-{width}-{lang}")).await;
        // The link gives the PDF to the signed-in facilitator.
        let pdf = client
            .execute_async(
                "var done = arguments[arguments.length - 1]; \
                 fetch(arguments[0]).then(function (r) { return r.arrayBuffer().then(function (b) { \
                   done([r.status, r.headers.get('content-type'), new TextDecoder('latin1').decode(new Uint8Array(b).slice(0, 5)), b.byteLength]); }); });",
                vec![link[1].clone()],
            )
            .await
            .expect("download");
        assert_eq!(pdf[0], json!(200), "{pdf}");
        assert_eq!(pdf[1], json!("application/pdf"));
        assert_eq!(pdf[2], json!("%PDF-"));
    }
}
