//! A room without internet: its basemaps, and a reload offline that keeps the page.

use crate::helpers::*;

#[tokio::test]
async fn a_room_without_internet_has_its_basemaps_and_a_reload_offline_keeps_the_page() {
    let _serial = SERIAL.lock().await;
    let files = crate::common::tiles::basemap_files().await;
    let path = |p: &std::path::Path| p.to_str().expect("utf-8").to_owned();
    let basemaps = [
        format!("Calles={}", path(&files.raster)),
        format!("Vectorial={}", path(&files.vector)),
        format!("Calles PMTiles={}", path(&files.raster_pmtiles)),
        format!("Vectorial PMTiles={}", path(&files.vector_pmtiles)),
        format!("OpenMapTiles={}", path(&files.openmaptiles)),
        format!("Profundo={}", path(&files.deep)),
    ];
    let database = TestDatabase::new(Backend::Sqlite).await;
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr");
    let app = TestApp::start_at_with_basemaps(database, address, &basemaps).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser_with(&driver, &profile, &[NO_OTHER_HOST]).await;
    client.set_window_size(360, 740).await.expect("phone size");

    // A participant joins; the draw page shows the first basemap, raster from MBTiles.
    client
        .goto(&format!("{}/j/{}?lang=es", app.base, workshop.code))
        .await
        .expect("join page");
    click(&client, "input[name=group]").await;
    type_into(&client, "#display_name", "Tero").await;
    click(&client, "form.card button[type=submit]").await;
    click(&client, "[data-symbol=comedor]").await;
    let raster = crate::common::tiles::RASTER_RGB;
    wait_for_colour(
        &client,
        "#map",
        raster,
        0.3,
        "raster MBTiles on the draw page",
    )
    .await;
    screenshot(&client, "basemap-raster-phone-es").await;

    // A line: undo, cancel and finish as large buttons, in the page's words; and the map's
    // own buttons are 44 px at least.
    click_centred(&client, "[data-symbol=ruta_insegura]").await;
    wait_for_text(&client, "#draw-actions", "Deshacer punto").await;
    let sizes = client
        .execute(
            "return Array.prototype.map.call(document.querySelectorAll('#draw-actions button, .leaflet-control-zoom a, .leaflet-control-layers-toggle'), function (b) { var r = b.getBoundingClientRect(); return Math.min(r.width, r.height); });",
            vec![],
        )
        .await
        .expect("sizes");
    for size in sizes.as_array().expect("list") {
        assert!(size.as_f64() >= Some(44.0), "a touch target of {size} px");
    }
    screenshot(&client, "draw-line-phone-es").await;
    click(&client, "#draw-cancel").await;
    wait_for_text(&client, "#instructions", "Elegí un símbolo").await;

    // Each other basemap, from the switch: vector from MBTiles, raster and vector from PMTiles.
    choose_basemap(&client, "Vectorial").await;
    wait_for_colour(&client, "#map", VECTOR_WATER, 0.002, "vector MBTiles").await;
    screenshot(&client, "basemap-vector-phone-es").await;

    choose_basemap(&client, "Calles PMTiles").await;
    wait_for_colour(&client, "#map", raster, 0.3, "raster PMTiles").await;
    choose_basemap(&client, "Vectorial PMTiles").await;
    wait_for_colour(&client, "#map", VECTOR_WATER, 0.002, "vector PMTiles").await;
    // The OpenMapTiles schema (tilemaker's, Planetiler's) draws its streets and water too.
    choose_basemap(&client, "OpenMapTiles").await;
    wait_for_colour(&client, "#map", VECTOR_WATER, 0.002, "OpenMapTiles water").await;
    // On the avenue, as a participant looking for their street would be.
    client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { page.map.setView([-34.76, -58.405], 15); done(true); });",
            vec![],
        )
        .await
        .expect("to the avenue");
    wait_for_colour(
        &client,
        "#map",
        crate::common::tiles::MAJOR_STREET_RGB,
        0.001,
        "OpenMapTiles streets",
    )
    .await;
    screenshot(&client, "basemap-openmaptiles-phone-es").await;
    // A vector file that starts at zoom 15 opens the map where it draws (16, its 512 px tiles
    // taking the data of 15), not blank at the page's 13.
    choose_basemap(&client, "Profundo").await;
    // The map zooms in with an animation: asked until it is there.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let zoom = client
            .execute_async(
                "var done = arguments[arguments.length - 1]; \
                 import('/static/js/draw.js').then(function (page) { done(page.map.getZoom()); });",
                vec![],
            )
            .await
            .expect("zoom");
        if zoom.as_f64() >= Some(16.0) {
            break;
        }
        assert!(Instant::now() < deadline, "the map at zoom {zoom}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_for_colour(
        &client,
        "#map",
        crate::common::tiles::MAJOR_STREET_RGB,
        0.001,
        "streets of a file starting at 15",
    )
    .await;
    choose_basemap(&client, "Vectorial PMTiles").await;
    wait_for_colour(
        &client,
        "#map",
        crate::common::tiles::MAJOR_STREET_RGB,
        0.001,
        "the Protomaps schema's streets",
    )
    .await;
    client
        .goto(&format!("{}/draw?lang=en", app.base))
        .await
        .expect("english");
    wait_for_colour(
        &client,
        "#map",
        VECTOR_WATER,
        0.002,
        "the choice is remembered",
    )
    .await;
    open_basemap_switch(&client).await;
    wait_for_text(&client, ".leaflet-control-layers-list", "No basemap").await;
    screenshot(&client, "basemap-switch-phone-en").await;
    client
        .set_window_size(1366, 768)
        .await
        .expect("laptop size");
    screenshot(&client, "basemap-vector-laptop-en").await;
    client
        .goto(&format!("{}/draw?lang=es", app.base))
        .await
        .expect("spanish");
    choose_basemap(&client, "Calles").await;
    wait_for_colour(&client, "#map", raster, 0.3, "raster again").await;
    screenshot(&client, "basemap-raster-laptop-es").await;
    client.set_window_size(360, 740).await.expect("phone size");

    // A participant finds their street by a part of its name, typed without its accent: the
    // map goes there.
    type_into(&client, ".place-search input", "hipolito").await;
    wait_for_text(&client, ".place-results", "Avenida Hipólito Yrigoyen").await;
    screenshot(&client, "place-search-phone-es").await;
    click_button(&client, "Avenida Hipólito Yrigoyen").await;
    let view = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { \
               var c = page.map.getCenter(); done([c.lat, c.lng, page.map.getZoom()]); });",
            vec![],
        )
        .await
        .expect("the map's view");
    let (lat, zoom) = (view[0].as_f64().expect("lat"), view[2].as_f64());
    assert!((lat + 34.76).abs() < 0.002, "centred at {view}");
    assert_eq!(zoom, Some(17.0), "{view}");
    let search = client
        .find(Locator::Css(".place-search input"))
        .await
        .expect("search box");
    search.clear().await.expect("clear");
    search.send_keys("Laprida").await.expect("type");
    wait_for_text(&client, ".place-results", "El mapa no tiene un lugar").await;
    // A corner, as people give it: where the two streets cross.
    search.clear().await.expect("clear");
    search.send_keys("yrigoyen y boedo").await.expect("type");
    wait_for_text(
        &client,
        ".place-results",
        "Avenida Hipólito Yrigoyen y Calle Boedo",
    )
    .await;
    screenshot(&client, "place-corner-phone-es").await;
    click_button(&client, "Avenida Hipólito Yrigoyen y Calle Boedo").await;
    let view = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { \
               var c = page.map.getCenter(); done([c.lat, c.lng]); });",
            vec![],
        )
        .await
        .expect("the map's view");
    let (lat, lon) = (
        view[0].as_f64().expect("lat"),
        view[1].as_f64().expect("lon"),
    );
    assert!(
        (lat + 34.76).abs() < 0.0005 && (lon + 58.41).abs() < 0.0005,
        "at the corner: {view}"
    );
    // A street the map does not have is named in the answer.
    search.clear().await.expect("clear");
    search.send_keys("yrigoyen y pasteur").await.expect("type");
    wait_for_text(&client, ".place-results", "no tiene una calle «pasteur»").await;
    search.clear().await.expect("clear");

    // Nothing was loaded from another host.
    let resources = client
        .execute(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });",
            vec![],
        )
        .await
        .expect("resources");
    for url in resources.as_array().expect("list") {
        assert!(
            url.as_str().unwrap_or("").starts_with(&app.base),
            "loaded from elsewhere: {url}"
        );
    }

    // Online, a drawing is saved and a comment on it is read: the phone remembers both.
    let map = client.find(Locator::Id("map")).await.expect("map");
    click(&client, "[data-symbol=escuela]").await;
    click_map(&client, &map, -40.0, -40.0).await;
    type_into(&client, "#feature-title", "Escuela del barrio").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let saved = stored_features(&app.store)
        .await
        .into_iter()
        .find(|f| f.title.as_deref() == Some("Escuela del barrio"))
        .expect("saved");
    let (status, body) = app
        .post(
            &format!("/api/features/{}/annotations", saved.id),
            Some(&staff.analyst),
            &json!({"body": "Acá van chicos de la cuadra"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    open_popup_of(&client, "Escuela del barrio").await;
    wait_for_text(&client, ".leaflet-popup .comments", "chicos de la cuadra").await;
    client
        .execute(
            "document.querySelector('.leaflet-popup-close-button').click();",
            vec![],
        )
        .await
        .expect("close the popup");

    // The server goes away; a drawing saved meanwhile waits; the phone reloads the page.
    wait_for_colour(&client, "#map", raster, 0.3, "before going offline").await;
    let database = app.stop().await;
    click(&client, "[data-symbol=comedor]").await;
    click_map(&client, &map, 15.0, 15.0).await;
    type_into(&client, "#feature-title", "Comedor Los Pibes").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Sin conexión").await;
    client.refresh().await.expect("reload offline");
    client
        .wait()
        .for_element(Locator::Css("[data-symbol=comedor]"))
        .await
        .expect("the legend, offline");
    wait_for_colour(&client, "#map", raster, 0.3, "the tiles seen, offline").await;
    wait_for_text(&client, "#connection", "Sin conexión con el servidor").await;
    let queued = client
        .execute("return localStorage.length;", vec![])
        .await
        .expect("storage");
    assert!(
        queued.as_u64() >= Some(1),
        "the queue is still there: {queued}"
    );
    assert!(
        client
            .find(Locator::Css(
                "#map path.leaflet-interactive, #map .leaflet-marker-icon"
            ))
            .await
            .is_ok(),
        "the queued drawing shows on the map"
    );
    // What the phone knew before the reload, not the page as it was at its last load: the
    // drawing saved since, its comment, and the one still queued.
    let titles = drawing_titles(&client).await;
    for title in ["Escuela del barrio", "Comedor Los Pibes"] {
        assert!(
            titles.contains(&title.to_owned()),
            "{title} after an offline reload: {titles:?}"
        );
    }
    open_popup_of(&client, "Escuela del barrio").await;
    wait_for_text(&client, ".leaflet-popup .comments", "chicos de la cuadra").await;
    // Nothing covers what the participant needs: the notice stays over the top bar, not
    // the map; an open popup is not under the map's buttons; "Comentar" is a thumb's size.
    let layout = client
        .execute(
            "var notice = document.getElementById('connection').getBoundingClientRect();              var map = document.getElementById('map').getBoundingClientRect();              var top = document.querySelector('#map .leaflet-top');              return [notice.bottom <= map.top + 1, getComputedStyle(top).visibility,                document.querySelector('.leaflet-popup .comment button').getBoundingClientRect().height];",
            vec![],
        )
        .await
        .expect("layout");
    assert_eq!(
        layout[0],
        json!(true),
        "the notice covers the map: {layout}"
    );
    assert_eq!(layout[1], json!("hidden"), "{layout}");
    assert!(layout[2].as_f64() >= Some(44.0), "{layout}");
    screenshot(&client, "offline-reload-phone-es").await;

    // Back: the queue is sent, once.
    let app = TestApp::start_at_with_basemaps(database, address, &basemaps).await;
    wait_for_text(&client, "#status", "Guardado").await;
    let stored = stored_features(&app.store).await;
    for title in ["Comedor Los Pibes", "Escuela del barrio"] {
        assert_eq!(
            stored
                .iter()
                .filter(|f| f.title.as_deref() == Some(title))
                .count(),
            1,
            "{title} stored once"
        );
    }

    // The wall and the review page show the basemap, and say when the server is gone.
    log_in(&client, &app.base, "coordinadora").await;
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".workshops a"))
        .await
        .expect("signed in");
    client
        .goto(&format!(
            "{}/workshops/{}/wall?lang=es",
            app.base, workshop.id
        ))
        .await
        .expect("wall");
    wait_for_colour(&client, "#map", raster, 0.2, "the wall's basemap").await;
    client
        .goto(&format!("{}/review/lomas?lang=es", app.base))
        .await
        .expect("review");
    wait_for_colour(&client, "#map", raster, 0.2, "the review's basemap").await;
    client
        .set_window_size(1366, 768)
        .await
        .expect("laptop size");
    client
        .goto(&format!(
            "{}/workshops/{}/wall?lang=en",
            app.base, workshop.id
        ))
        .await
        .expect("wall");
    wait_for_colour(&client, "#map", raster, 0.2, "the wall's basemap").await;
    let database = app.stop().await;
    wait_for_text(
        &client,
        "#connection",
        "No connection to the workshop server",
    )
    .await;
    screenshot(&client, "offline-wall-laptop-en").await;
    client.refresh().await.expect("reload the wall offline");
    wait_for_colour(&client, "#map", raster, 0.2, "the wall, reloaded offline").await;
    wait_for_text(&client, "#connection", "No connection").await;

    // The session ends without a logout (an admin disables the account while the laptop is
    // away): the next visit finds no session, and the device keeps nothing of it, the exact
    // places of the kept drawings included.
    let app = TestApp::start_at_with_basemaps(database, address, &basemaps).await;
    app.store
        .update_user(
            &trama::domain::permit::Permit::operator(trama::domain::permit::UserAdministration),
            "coordinadora",
            trama::domain::access::Role::Analyst,
            true,
            None,
            chrono::Utc::now(),
        )
        .await
        .expect("disable");
    let kept = "var done = arguments[0]; caches.keys().then(function (names) { done(names.filter(function (n) { return /^trama-(api|pages)/.test(n); })); });";
    let before = client.execute_async(kept, vec![]).await.expect("caches");
    assert_ne!(
        before,
        json!([]),
        "the wall and its reads were kept: {before}"
    );
    client
        .goto(&format!(
            "{}/workshops/{}/wall?lang=en",
            app.base, workshop.id
        ))
        .await
        .expect("wall without a session");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let after = client.execute_async(kept, vec![]).await.expect("caches");
        if after == json!([]) {
            break;
        }
        assert!(Instant::now() < deadline, "still kept: {after}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    client.close().await.expect("close");
}

/// The titles of the drawings the draw page's map shows, stored and queued.
async fn drawing_titles(client: &Client) -> Vec<String> {
    let titles = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { var titles = []; \
               page.map.eachLayer(function (l) { if (l.feature && l.feature.properties.title) titles.push(l.feature.properties.title); }); \
               done(titles); });",
            vec![],
        )
        .await
        .expect("titles");
    serde_json::from_value(titles).expect("a list")
}

/// Opens the popup of the drawing titled `title` on the draw page's map.
async fn open_popup_of(client: &Client, title: &str) {
    client
        .execute_async(
            "var title = arguments[0], done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { var found = false; \
               page.map.eachLayer(function (l) { if (!found && l.feature && l.feature.properties.title === title && l.openPopup) { l.openPopup(); found = true; } }); \
               done(found); });",
            vec![json!(title)],
        )
        .await
        .expect("popup");
}
