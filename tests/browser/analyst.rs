//! Analysts and facilitators on the review page: priority zones, a file imported, a facilitator's own workshop.

use crate::helpers::*;

#[tokio::test]
async fn an_analyst_computes_priority_zones_on_the_map_and_saves_one() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    user_with_password(&app, "analista", trama::domain::access::Role::Analyst).await;
    // Both groups mark the same place near La Salada: a consensus zone of one cell.
    for group in ["Jóvenes", "Docentes"] {
        let token = app.join(&workshop.code, group).await;
        let (status, _) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &crate::common::point("taller_clandestino", -58.478, -34.713),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
    }
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    // Analysts work at a desk: a laptop's screen, the panel beside the map.
    client
        .set_window_size(1366, 900)
        .await
        .expect("window size");
    log_in(&client, &app.base, "analista").await;
    client
        .wait()
        .for_element(Locator::Css(".workshops"))
        .await
        .expect("logged in");
    client
        .goto(&format!("{}/review/lomas?lang=es", app.base))
        .await
        .expect("review");
    wait_for_text(&client, "#count", "2 elementos").await;
    // The heat of the risks drawn has its entry in the map's legend.
    wait_for_text(&client, ".map-legend", "Mancha de calor de riesgos").await;
    click(&client, "#tab-priority").await;
    wait_for_text(&client, "#saved-zones", "Todavía no hay zonas").await;

    click(&client, "#p-rule option[value=consensus]").await;
    click(&client, "#p-compute").await;
    wait_for_text(&client, "#priority-status", "1 zona").await;
    let said = client
        .execute(
            "return document.getElementById('priority-status').textContent;",
            vec![],
        )
        .await
        .expect("status");
    assert!(
        said.as_str().is_some_and(|s| s.ends_with(", 1 zona")),
        "one zone, in the singular: {said}"
    );
    tokio::time::sleep(Duration::from_millis(800)).await; // the map's fit animation
    screenshot(&client, "priority-es").await;

    // The zone's popup tells what is behind it and saves it under a name.
    client
        .execute(
            "window.prompt = function () { return 'La Salada norte'; };",
            vec![],
        )
        .await
        .expect("answer the name prompt");
    // Look at the place (as the analyst would pan there) and click on it.
    client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             document.getElementById('map').scrollIntoView(); \
             import('/static/js/review.js').then(function (page) { \
               page.shared.map.setView([-34.713, -58.478], 17, { animate: false }); done(); });",
            vec![],
        )
        .await
        .expect("pan to the zone");
    let map = client.find(Locator::Css("#map")).await.expect("map");
    click_map(&client, &map, 0.0, 0.0).await;
    wait_for_text(&client, ".priority-popup", "Mesas: 2").await;
    click(&client, "button[data-action=save-zone]").await;
    wait_for_text(&client, "#saved-zones", "La Salada norte").await;

    // Its status moves on from the list; the history keeps why.
    client
        .execute(
            "window.prompt = function () { return 'visita de la mesa local'; };",
            vec![],
        )
        .await
        .expect("answer the note prompt");
    click(&client, "#saved-zones select option[value=confirmed]").await;
    let project = app
        .store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("project");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let zones = app
            .store
            .list_priority_zones(project.id)
            .await
            .expect("zones");
        if zones.len() == 1 && zones[0].status == trama::domain::zone::ZoneStatus::Confirmed {
            let history = app
                .store
                .priority_zone_history(zones[0].id)
                .await
                .expect("history");
            assert_eq!(history.len(), 2);
            assert_eq!(history[1].note.as_deref(), Some("visita de la mesa local"));
            assert_eq!(history[1].by.as_deref(), Some("analista"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the zone was never confirmed: {zones:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Notes and the history, from the same list once it shows the new revision (the page
    // redraws it after the change; a click before that would hit the old row).
    client
        .wait()
        .for_element(Locator::Css("#saved-zones tr[data-revision='2']"))
        .await
        .expect("the list shows the confirmed zone");
    client
        .execute(
            "window.prompt = function () { return 'Coordinar con la escuela 12'; };",
            vec![],
        )
        .await
        .expect("answer the notes prompt");
    click(&client, "button[data-action=zone-notes]").await;
    wait_for_text(&client, "#saved-zones", "Coordinar con la escuela 12").await;
    click(&client, "button[data-action=zone-history]").await;
    wait_for_text(&client, "#saved-zones .history", "visita de la mesa local").await;
    screenshot(&client, "priority-saved-es").await;

    // A boundary layer uploaded from the page, then the scores per unit.
    let layer = tempfile::NamedTempFile::with_suffix(".geojson").expect("file");
    std::fs::write(
        layer.path(),
        json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"barrio": "La Salada"},
            "geometry": {"type": "Polygon", "coordinates": [[[-58.49, -34.72], [-58.47, -34.72],
                [-58.47, -34.70], [-58.49, -34.70], [-58.49, -34.72]]]}}]})
        .to_string(),
    )
    .expect("write layer");
    type_into(&client, "#u-file", layer.path().to_str().expect("path")).await;
    type_into(&client, "#u-name", "Barrios").await;
    let property = client
        .find(Locator::Css("#u-property"))
        .await
        .expect("field");
    property.clear().await.expect("clear");
    property.send_keys("barrio").await.expect("type");
    click(&client, "#upload-form button[type=submit]").await;
    wait_for_text(&client, "#priority-status", "Capa subida: 1 unidad.").await;
    wait_for_text(&client, "#u-layer", "Barrios (1)").await;
    click(&client, "#units-form button[type=submit]").await;
    let units = "return document.querySelectorAll(\"path[stroke='#333']\").length;";
    let deadline = Instant::now() + Duration::from_secs(15);
    while client.execute(units, vec![]).await.expect("count") != json!(1) {
        assert!(
            Instant::now() < deadline,
            "the unit never showed on the map"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Change between the workshop and a later one: the zone is gone in the later one.
    let (status, _) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&staff.facilitator),
            &json!({"title": "Taller de marzo", "groups": ["Vecinos"], "legal_basis": {"basis": "public_interest", "mandate": "Ley 26.061 y el programa de COPRETI", "uses": ["research", "publication"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED);
    client.refresh().await.expect("reload");
    wait_for_text(&client, "#c-after", "Taller de marzo").await;
    click(&client, "#p-rule option[value=consensus]").await;
    click(
        &client,
        &format!("#c-before option[value='{}']", workshop.id),
    )
    .await;
    click(&client, "#c-after option:last-child").await;
    click(&client, "#change-form button[type=submit]").await;
    wait_for_text(&client, "#priority-status", "1 zona comparada").await;
    screenshot(&client, "priority-change-es").await;

    // A zone's name is an analyst's free text: its label on the map shows it, never runs it
    // (a `<meta refresh>` in a name used to redirect the tab of whoever hovered the zone).
    let trap = r#"Zona <img src=x onerror="document.body.dataset.pwned=1"><b>negrita</b>"#;
    let (status, body) = app
        .post(
            "/api/projects/lomas/priority-zones",
            Some(&staff.analyst),
            &json!({"name": trap, "geometry": {"type": "Polygon", "coordinates": [[[-58.46, -34.72],
                [-58.45, -34.72], [-58.45, -34.71], [-58.46, -34.72]]]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    client.refresh().await.expect("reload");
    wait_for_text(&client, "#saved-zones", "negrita").await;
    let label = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/review.js').then(function (page) { \
               var found = []; page.shared.map.eachLayer(function (l) { \
                 var tip = l.getTooltip && l.getTooltip(); \
                 if (tip && l.feature && /negrita/.test(l.feature.properties.name)) { l.openTooltip(); found.push(tip.getElement()); } }); \
               var tip = found[0]; \
               done([tip.textContent, tip.querySelectorAll('img, b').length, document.body.dataset.pwned || null]); });",
            vec![],
        )
        .await
        .expect("the zone's label");
    assert_eq!(
        label[0].as_str().map(|t| t.contains(trap)),
        Some(true),
        "{label}"
    );
    assert_eq!(label[1], json!(0), "{label}");
    assert_eq!(label[2], json!(null), "{label}");

    // The review page links to the export page, whose form offers the analyst every level.
    click(&client, "a[href='/export/lomas']").await;
    wait_for_text(&client, "h1", "Exportar datos").await;
    let levels = client
        .execute(
            "return Array.from(document.querySelectorAll('#e-privacy option')).map(o => o.value);",
            vec![],
        )
        .await
        .expect("levels");
    assert_eq!(levels, json!(["anonymised", "aggregated", "full"]));
    screenshot(&client, "export-es").await;
    client.close().await.expect("close browser");
}

#[tokio::test]
async fn an_analyst_checks_then_imports_a_my_maps_file_from_the_workshop_list() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    app.workshop(&staff).await;
    user_with_password(&app, "analista", trama::domain::access::Role::Analyst).await;
    let kml = tempfile::NamedTempFile::with_suffix(".kml").expect("file");
    std::fs::write(
        kml.path(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Relevamiento</name>
<Folder><name>Escuelas</name>
<Placemark><name>Escuela 12</name><Point><coordinates>-58.40,-34.76,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>Kioscos</name>
<Placemark><name>Kiosco</name><Point><coordinates>-58.42,-34.75,0</coordinates></Point></Placemark>
</Folder></Document></kml>"#,
    )
    .expect("write");
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    client
        .set_window_size(1366, 900)
        .await
        .expect("window size");
    log_in(&client, &app.base, "analista").await;
    click(&client, "details.import summary").await;
    type_into(
        &client,
        "form.import-form input[name=file]",
        kml.path().to_str().expect("path"),
    )
    .await;
    type_into(
        &client,
        "form.import-form textarea[name=map]",
        "Escuelas = escuela",
    )
    .await;
    click(&client, "form.import-form button[value=true]").await;
    wait_for_text(
        &client,
        ".import-report",
        "2 ítems · dibujos listos para importar: 1 · problemas: 1 · avisos: 0",
    )
    .await;
    wait_for_text(&client, ".import-report", "Kioscos (1)").await;
    wait_for_text(&client, ".import-report", "línea 7").await;
    wait_for_text(&client, ".import-report", "categoría desconocida «Kioscos»").await;
    screenshot(&client, "import-check-es").await;
    type_into(
        &client,
        "form.import-form textarea[name=map]",
        "\nKioscos = comedor",
    )
    .await;
    click(&client, "form.import-form button[value=false]").await;
    wait_for_text(&client, ".import-report", "Importados 2 dibujos").await;
    assert_eq!(stored_features(&app.store).await.len(), 2);

    // A My Maps KMZ goes as the zip it is (the page used to send the browser's UTF-8 reading
    // of it), and a file whose shapes the legend cannot all take says so in a warning.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/imports");
    type_into(
        &client,
        "form.import-form input[name=file]",
        &format!("{fixtures}/my-maps.kmz"),
    )
    .await;
    type_into(
        &client,
        "form.import-form textarea[name=map]",
        "\nComedores = comedor",
    )
    .await;
    click(&client, "form.import-form button[value=true]").await;
    wait_for_text(
        &client,
        ".import-report",
        "listos para importar: 2 · problemas: 0",
    )
    .await;
    type_into(
        &client,
        "form.import-form input[name=file]",
        &format!("{fixtures}/nested-collections.geojson"),
    )
    .await;
    click(&client, "form.import-form button[value=true]").await;
    wait_for_text(&client, ".import-report", "Avisos (no impiden importar").await;
    wait_for_text(
        &client,
        ".import-report",
        "ítem 1: se dejaron afuera 1 punto",
    )
    .await;
    screenshot(&client, "import-warnings-es").await;
    client.set_window_size(360, 740).await.expect("window size");
    screenshot(&client, "import-warnings-phone-es").await;

    // The same in English.
    client
        .goto(&format!("{}/workshops?lang=en", app.base))
        .await
        .expect("english");
    click(&client, "details.import summary").await;
    type_into(
        &client,
        "form.import-form input[name=file]",
        &format!("{fixtures}/nested-collections.geojson"),
    )
    .await;
    click(&client, "form.import-form button[value=true]").await;
    wait_for_text(&client, ".import-report", "Warnings (they do not stop").await;
    screenshot(&client, "import-warnings-phone-en").await;
    client
        .set_window_size(1366, 900)
        .await
        .expect("window size");
    screenshot(&client, "import-warnings-en").await;
    client.close().await.expect("close browser");
}

#[tokio::test]
async fn a_facilitator_sees_the_priority_areas_of_their_workshop_without_moderating() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    app.project().await;
    // A workshop run by a facilitator with a password, where two groups mark the same place.
    user_with_password(
        &app,
        "coordinadora",
        trama::domain::access::Role::Facilitator,
    )
    .await;
    let (status, login) = app
        .post(
            "/api/tokens",
            None,
            &json!({"username": "coordinadora", "password": "una clave bien larga"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{login}");
    let token = login["token"].as_str().expect("token").to_owned();
    let (status, workshop) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&token),
            &json!({"title": "Taller Fiorito", "groups": ["Jóvenes", "Docentes"], "legal_basis": {"basis": "public_interest", "mandate": "Ley 26.061 y el programa de COPRETI", "uses": ["research", "publication"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{workshop}");
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    for group in ["Jóvenes", "Docentes"] {
        let participant = app.join(&code, group).await;
        let (status, _) = app
            .post(
                "/api/projects/lomas/features",
                Some(&participant),
                &crate::common::point("taller_clandestino", -58.447, -34.707),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
    }
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    client
        .set_window_size(1366, 900)
        .await
        .expect("window size");
    log_in(&client, &app.base, "coordinadora").await;
    click(&client, "a[href='/review/lomas']").await;
    wait_for_text(&client, "#count", "2 elementos").await;
    click(&client, "#tab-priority").await;
    click(&client, "#p-rule option[value=consensus]").await;
    click(&client, "#p-compute").await;
    wait_for_text(&client, "#priority-status", "1 zona").await;
    click(&client, "#tab-drawings").await;
    click(&client, "#features td.title button").await;
    let moderation = "return document.querySelectorAll(\"[data-action='review.accept'], [data-action='review.hide'], #saved-zones, #upload-form, #bulk, #select-page\").length;";
    assert_eq!(
        client.execute(moderation, vec![]).await.expect("count"),
        json!(0)
    );
    assert!(
        client
            .find(Locator::Css("[data-action='review.history']"))
            .await
            .is_ok(),
        "the history stays"
    );
    client.close().await.expect("close browser");
}
