//! An admin sets up a project, its legend and a workshop, and its basemaps (an upload, an area downloaded).

use crate::helpers::*;

#[tokio::test]
async fn an_admin_sets_up_a_project_legend_and_workshop_from_the_pages() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    user_with_password(&app, "admin", trama::domain::access::Role::Admin).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    log_in(&client, &app.base, "admin").await;
    click(&client, "a[href='/admin']").await;

    // A project, then its legend: a bad key is pointed at, a good one saved.
    type_into(&client, "#p-slug", "budge").await;
    type_into(&client, "#p-name", "Ingeniero Budge").await;
    click(&client, "#new-project button").await;
    click(&client, "a[href='/admin/projects/budge/legend']").await;
    click(&client, "#add-symbol").await;
    type_into(&client, "input[name=key]", "Mal Clave").await;
    type_into(&client, "input[name=label_es]", "Taller").await;
    click(&client, "#legend button[type=submit]").await;
    wait_for_text(
        &client,
        "#status",
        "No se guardó la leyenda. Símbolo 1 · la clave es obligatoria",
    )
    .await;
    assert!(
        client
            .find(Locator::Css("input[name=key].invalid"))
            .await
            .is_ok(),
        "the bad field is marked"
    );
    screenshot(&client, "legend-es").await;
    let key = client
        .find(Locator::Css("input[name=key]"))
        .await
        .expect("key");
    key.clear().await.expect("clear");
    key.send_keys("taller").await.expect("type");
    click(&client, "#legend button[type=submit]").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let project = app
        .store
        .find_project("budge")
        .await
        .expect("read")
        .expect("project created");
    let legend = app.store.legend(project.id).await.expect("legend");
    assert_eq!(legend.len(), 1);
    assert_eq!(legend[0].key, "taller");
    // What the editor does not show (a symbol's questions, a label in Guaraní) stays when
    // another field is changed there.
    let mut symbols = serde_json::to_value(&legend).expect("legend");
    symbols[0]["labels"]["gn"] = json!("Tembiapoha");
    symbols[0]["questions"] = json!([{"key": "chicos", "type": "yes_no", "required": true,
                                      "sensitive": false, "labels": {"es": "¿Trabajan chicos?"}}]);
    let token = app
        .token_for("operadora", trama::domain::access::Role::Admin)
        .await;
    let (status, body) = app
        .put("/api/projects/budge/legend", Some(&token), &symbols)
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    client.refresh().await.expect("reload the editor");
    let weight = client
        .wait()
        .for_element(Locator::Css("input[name=weight]"))
        .await
        .expect("weight");
    weight.clear().await.expect("clear");
    weight.send_keys("2").await.expect("type");
    click(&client, "#legend button[type=submit]").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let legend = app.store.legend(project.id).await.expect("legend");
    assert_eq!(legend[0].weight, 2.0);
    assert_eq!(
        legend[0].labels.get("gn").map(String::as_str),
        Some("Tembiapoha")
    );
    assert_eq!(legend[0].questions.len(), 1, "the questions kept");

    // Its questions, edited there: a number asked only when children work there.
    client.set_window_size(1366, 900).await.expect("laptop");
    click(&client, "button.questions-toggle").await;
    wait_for_text(&client, ".questions-row", "Pregunta 1").await;
    click(&client, ".questions-row button.add-question").await;
    type_into(&client, "[data-pointer='/1/key']", "cuantos").await;
    type_into(&client, "[data-pointer='/1/labels/es']", "¿Cuántos chicos?").await;
    type_into(
        &client,
        "[data-pointer='/1/labels/en']",
        "How many children?",
    )
    .await;
    let select = |css: &'static str, value: &'static str| {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|_| panic!("{css}"))
                .select_by_value(value)
                .await
                .unwrap_or_else(|_| panic!("{css} = {value}"));
        }
    };
    select("select[data-pointer='/1/type']", "integer").await;
    type_into(&client, "[data-pointer='/1/min']", "1").await;
    type_into(&client, "[data-pointer='/1/max']", "200").await;
    select("select[data-pointer='/1/when']", "chicos").await;
    // The answer that asks it: "Sí" of the yes/no (its first choice).
    select(
        ".question-edit:nth-of-type(2) label.field:last-child select",
        "0",
    )
    .await;
    // A choice whose option's key is written as a label: refused, the field pointed at.
    click(&client, ".questions-row button.add-question").await;
    type_into(&client, "[data-pointer='/2/key']", "horario").await;
    type_into(&client, "[data-pointer='/2/labels/es']", "¿En qué horario?").await;
    select("select[data-pointer='/2/type']", "choice").await;
    type_into(
        &client,
        "[data-pointer='/2/options/0/labels/es']",
        "De noche",
    )
    .await;
    type_into(&client, "[data-pointer='/2/options/0/key']", "De noche").await;
    screenshot(&client, "legend-questions-es").await;
    click(&client, "#legend button[type=submit]").await;
    wait_for_text(&client, "#status", "Símbolo 1 · Pregunta 3").await;
    assert!(
        client
            .find(Locator::Css("[data-pointer='/2/options/0/key'].invalid"))
            .await
            .is_ok(),
        "the option's missing key is marked"
    );
    let key = client
        .find(Locator::Css("[data-pointer='/2/options/0/key']"))
        .await
        .expect("the option's key");
    key.clear().await.expect("clear");
    key.send_keys("noche").await.expect("type");
    click(&client, "#legend button[type=submit]").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let legend = app.store.legend(project.id).await.expect("legend");
    let questions = serde_json::to_value(&legend[0].questions).expect("questions");
    assert_eq!(
        questions[1],
        json!({"key": "cuantos", "type": "integer", "min": 1, "max": 200, "required": false,
               "sensitive": false, "when": {"question": "chicos", "equals": true},
               "labels": {"es": "¿Cuántos chicos?", "en": "How many children?"}}),
        "{questions}"
    );
    assert_eq!(questions[2]["options"][0]["key"], "noche", "{questions}");
    assert_eq!(
        questions[0]["labels"]["es"], "¿Trabajan chicos?",
        "the first kept as it was"
    );
    // As an analyst sees it on a phone, in English.
    client.set_window_size(360, 740).await.expect("phone");
    client
        .goto(&format!("{}/admin/projects/budge/legend?lang=en", app.base))
        .await
        .expect("the editor in English");
    click(&client, "button.questions-toggle").await;
    wait_for_text(&client, ".questions-row", "Question 2").await;
    click(&client, "[data-pointer='/1/key']").await;
    screenshot(&client, "legend-questions-phone-en").await;

    // A programme's Kobo form read in from the editor, its notes said row by row.
    let dir = tempfile::TempDir::new().expect("dir");
    let form = dir.path().join("talleres.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let rows: [(&str, &[&[&str]]); 2] = [
        (
            "survey",
            &[
                &["type", "name", "label::Español (es)", "label::English (en)"],
                &[
                    "select_one si_no",
                    "Chicos",
                    "¿Trabajan chicos?",
                    "Do children work there?",
                ],
                &["integer", "cuantos", "¿Cuántos?", "How many?"],
                &["geopoint", "lugar", "Ubicación", "Location"],
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
            ],
        ),
    ];
    for (name, cells) in rows {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("sheet");
        for (r, row) in cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).expect("cell");
            }
        }
    }
    book.save(&form).expect("xlsx");
    client.set_window_size(1366, 900).await.expect("laptop");
    client
        .goto(&format!("{}/admin/projects/budge/legend?lang=es", app.base))
        .await
        .expect("the editor");
    click(&client, "button.questions-toggle").await;
    client
        .find(Locator::Css("input[data-xlsform]"))
        .await
        .expect("the XLSForm field")
        .send_keys(&form.to_string_lossy())
        .await
        .expect("choose the form");
    // It replaces the symbol's three questions: the page asks first.
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.accept_alert().await.is_err() {
        assert!(Instant::now() < deadline, "no question before replacing");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_text(&client, ".xlsform-said", "Se leyeron 2 preguntas").await;
    wait_for_text(&client, ".xlsform-said", "Fila 4 («lugar»)").await;
    screenshot(&client, "legend-xlsform-es").await;
    click(&client, "#legend button[type=submit]").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let legend = app.store.legend(project.id).await.expect("legend");
    let keys: Vec<&str> = legend[0].questions.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["chicos", "cuantos"]);

    // The project's privacy, from the admin page: who sees sensitive places exactly, and the
    // least masking researchers get.
    client.set_window_size(1366, 900).await.expect("laptop");
    client
        .goto(&format!("{}/admin", app.base))
        .await
        .expect("admin");
    click(&client, "details.privacy summary").await;
    // Chosen as a select is (a click on an option sometimes did not take in headless Chrome).
    client
        .find(Locator::Css("#s-budge"))
        .await
        .expect("who sees sensitive places")
        .select_by_value("workshop")
        .await
        .expect("choose workshop");
    let least = client
        .find(Locator::Css("#m-min-budge"))
        .await
        .expect("field");
    least.clear().await.expect("clear");
    least.send_keys("80").await.expect("type");
    // Its retention: two years, then only the counts are kept.
    client
        .find(Locator::Css("#m-retention-budge"))
        .await
        .expect("retention")
        .send_keys("24")
        .await
        .expect("type");
    client
        .find(Locator::Css("#m-then-budge"))
        .await
        .expect("what it keeps")
        .select_by_value("keep_counts")
        .await
        .expect("choose keep counts");
    screenshot(&client, "admin-privacy-es").await;
    click(&client, "form.privacy-form button").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let saved = app
            .store
            .find_project("budge")
            .await
            .expect("read")
            .expect("project");
        // Both at once (one statement; it used to be two writes, and this test once read
        // between them).
        if saved.masking.min_m == 80.0
            && saved.sensitive_exact == trama::domain::project::SensitiveView::Workshop
        {
            assert_eq!(saved.masking.max_m, 250.0, "the rest as it was");
            assert_eq!(
                saved.retention,
                Some(trama::domain::retention::Retention {
                    months: 24,
                    then: trama::domain::retention::AfterRetention::KeepCounts,
                })
            );
            break;
        }
        assert!(Instant::now() < deadline, "the privacy was never saved");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    client
        .goto(&format!("{}/admin?lang=en", app.base))
        .await
        .expect("admin in English");
    click(&client, "details.privacy summary").await;
    screenshot(&client, "admin-privacy-en").await;
    client.set_window_size(360, 740).await.expect("phone");
    screenshot(&client, "admin-privacy-phone-en").await;
    client
        .execute(
            "document.getElementById('m-then-budge').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scroll");
    assert_eq!(
        client
            .find(Locator::Css("#m-then-budge"))
            .await
            .expect("what it keeps")
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("keep_counts"),
        "the page shows what was saved"
    );
    screenshot(&client, "admin-retention-phone-en").await;
    client
        .goto(&format!("{}/admin?lang=es", app.base))
        .await
        .expect("admin in Spanish");
    click(&client, "details.privacy summary").await;
    screenshot(&client, "admin-privacy-phone-es").await;
    client.set_window_size(1366, 900).await.expect("laptop");

    // A workshop with two tables, from the workshops page.
    client
        .goto(&format!("{}/workshops", app.base))
        .await
        .expect("workshops");
    type_into(&client, "#w-title-budge", "Taller de prueba").await;
    type_into(&client, "#w-groups-budge", "Jóvenes\nDocentes").await;
    client
        .find(Locator::Css(
            "form[data-api='/api/projects/budge/workshops'] button",
        ))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::Css(".workshops .code"))
        .await
        .expect("the new workshop with its code");
    let workshops = app.store.list_workshops(project.id).await.expect("list");
    assert_eq!(workshops.len(), 1);
    assert_eq!(workshops[0].groups.len(), 2);
    screenshot(&client, "workshops-es").await;

    // A new user, then disabled from their row.
    client
        .goto(&format!("{}/admin", app.base))
        .await
        .expect("admin");
    type_into(&client, "#u-name", "ana").await;
    type_into(&client, "#u-password", "otra clave bien larga").await;
    click(&client, "#new-user button").await;
    let row = "form[data-api='/api/users/ana']";
    client
        .wait()
        .for_element(Locator::Css(&format!("{row} input[name=disabled]")))
        .await
        .expect("ana's row")
        .click()
        .await
        .expect("tick");
    client
        .find(Locator::Css(&format!("{row} button")))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app
        .store
        .user_credentials("ana")
        .await
        .expect("read")
        .expect("ana")
        .0
        .disabled
    {
        assert!(Instant::now() < deadline, "ana was never disabled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client
        .wait()
        .for_element(Locator::Css(&format!("{row} input[name=disabled]:checked")))
        .await
        .expect("shown disabled after the reload");
    // The same name again is refused in words; the form keeps what was typed.
    type_into(&client, "#u-name", "ana").await;
    type_into(&client, "#u-password", "otra clave bien larga").await;
    click(&client, "#u-role option[value=analyst]").await;
    click(&client, "#new-user button").await;
    wait_for_text(&client, "#status", "Ya hay un usuario con ese nombre").await;
    screenshot(&client, "admin-es").await;
    client.close().await.expect("close browser");
}

#[tokio::test]
async fn an_admin_uploads_a_basemap_and_downloads_the_area_from_the_admin_page() {
    let _serial = SERIAL.lock().await;
    let files = crate::common::tiles::basemap_files().await;
    let (service, asked) = crate::common::tiles::tile_service().await;
    let app = TestApp::start_with_limits(
        Backend::Sqlite,
        trama::Limits {
            private_tile_services: true,
            ..trama::Limits::default()
        },
    )
    .await;
    let staff = app.project().await;
    let area = json!({"type": "Polygon", "coordinates": [[[-58.42, -34.77], [-58.40, -34.77], [-58.40, -34.755], [-58.42, -34.755], [-58.42, -34.77]]]});
    let (status, body) = app
        .post(
            "/api/projects",
            Some(&staff.admin),
            &json!({"slug": "budge", "name": "Ingeniero Budge", "area": area}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    user_with_password(&app, "administra", trama::domain::access::Role::Admin).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    client.set_window_size(360, 740).await.expect("phone size");
    log_in(&client, &app.base, "administra").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.current_url().await.expect("url").path() == "/login" {
        assert!(Instant::now() < deadline, "not signed in");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    client
        .goto(&format!("{}/admin?lang=es", app.base))
        .await
        .expect("admin page");
    let section = "details.basemaps[data-project=budge]";
    click(&client, &format!("{section} summary")).await;
    wait_for_text(
        &client,
        &format!("{section} .basemap-list"),
        "todavía no tiene",
    )
    .await;

    // A file that is no basemap is refused in the page's language, naming the file.
    let folder = tempfile::TempDir::new().expect("folder");
    let wrong = folder.path().join("mapa-de-la-escuela.mbtiles");
    std::fs::write(&wrong, "<html>una página guardada</html>").expect("write");
    type_into(&client, "#b-label-budge", "Calles de Budge").await;
    client
        .find(Locator::Id("b-file-budge"))
        .await
        .expect("file field")
        .send_keys(wrong.to_str().expect("utf-8"))
        .await
        .expect("choose file");
    click(
        &client,
        &format!("{section} form.basemap-upload button[type=submit]"),
    )
    .await;
    wait_for_text(
        &client,
        "#status",
        "«mapa-de-la-escuela.mbtiles» no es un mapa base",
    )
    .await;
    // And a tile service whose terms forbid downloading, before anything is asked of it.
    type_into(
        &client,
        "#f-url-budge",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    )
    .await;
    type_into(&client, "#f-label-budge", "OSM").await;
    type_into(&client, "#f-contact-budge", "copreti@example.org").await;
    click_centred(&client, &format!("{section} [data-fetch=estimate]")).await;
    wait_for_text(
        &client,
        &format!("{section} .fetch-state"),
        "Los servidores de OpenStreetMap no permiten",
    )
    .await;
    client
        .goto(&format!("{}/admin?lang=es", app.base))
        .await
        .expect("admin page again");
    click(&client, &format!("{section} summary")).await;

    // Upload a PMTiles file: it is checked, kept and listed.
    type_into(&client, "#b-label-budge", "Calles de Budge").await;
    client
        .find(Locator::Id("b-file-budge"))
        .await
        .expect("file field")
        .send_keys(files.raster_pmtiles.to_str().expect("utf-8"))
        .await
        .expect("choose file");
    click(
        &client,
        &format!("{section} form.basemap-upload button[type=submit]"),
    )
    .await;
    wait_for_text(&client, "#status", "ya se ofrece").await;
    wait_for_text(
        &client,
        &format!("{section} .basemap-list"),
        "Calles de Budge",
    )
    .await;

    // Download the area from the tile service: first what it takes, then the download.
    type_into(&client, "#f-url-budge", &service).await;
    type_into(&client, "#f-label-budge", "Descargado").await;
    type_into(&client, "#f-contact-budge", "copreti@example.org").await;
    let min_zoom = client.find(Locator::Id("f-min-budge")).await.expect("min");
    min_zoom.clear().await.expect("clear");
    min_zoom.send_keys("14").await.expect("type");
    let max_zoom = client.find(Locator::Id("f-max-budge")).await.expect("max");
    max_zoom.clear().await.expect("clear");
    max_zoom.send_keys("15").await.expect("type");
    click_centred(&client, &format!("{section} [data-fetch=estimate]")).await;
    wait_for_text(&client, &format!("{section} .fetch-state"), "teselas, unos").await;
    assert!(
        asked.lock().expect("lock").is_empty(),
        "an estimate asks nothing"
    );
    screenshot(&client, "admin-basemaps-phone-es").await;
    click(
        &client,
        &format!("{section} form.basemap-fetch button[type=submit]"),
    )
    .await;
    wait_for_text(
        &client,
        &format!("{section} .fetch-state"),
        "Descarga terminada",
    )
    .await;
    wait_for_text(&client, &format!("{section} .basemap-list"), "Descargado").await;
    assert!(!asked.lock().expect("lock").is_empty());
    let (_, list) = app
        .get("/api/projects/budge/basemaps", Some(&staff.admin))
        .await;
    assert_eq!(list["basemaps"].as_array().map(Vec::len), Some(2), "{list}");

    client
        .set_window_size(1366, 768)
        .await
        .expect("laptop size");
    client
        .goto(&format!("{}/admin?lang=en", app.base))
        .await
        .expect("admin page");
    click(&client, &format!("{section} summary")).await;
    wait_for_text(&client, &format!("{section} .basemap-list"), "Descargado").await;
    screenshot(&client, "admin-basemaps-laptop-en").await;
    client.close().await.expect("close");
}
