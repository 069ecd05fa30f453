//! A facilitator logs in and the wall follows the room.

use crate::helpers::*;

#[tokio::test]
async fn a_facilitator_logs_in_and_the_wall_shows_drawings_live() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    // The fixture's facilitator has no password; give one, as `trama user add` would.
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;
    let participant = app.join(&workshop.code, "Docentes").await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;

    client
        .goto(&format!("{}/login?lang=es", app.base))
        .await
        .expect("login page");
    type_into(&client, "#password", "wrong password").await;
    type_into(&client, "#username", "coordinadora").await;
    click(&client, "form.card button[type=submit]").await;
    wait_for_text(&client, ".error", "incorrectos").await;
    type_into(&client, "#username", "coordinadora").await;
    type_into(&client, "#password", "una clave bien larga").await;
    click(&client, "form.card button[type=submit]").await;
    click(&client, ".workshops a").await;
    wait_for_text(&client, ".join-code", &workshop.code).await;
    wait_for_text(&client, "#live", "En vivo").await;
    assert!(
        client.find(Locator::Css(".qr svg")).await.is_ok(),
        "a QR code of the join link"
    );

    let count = "return document.querySelectorAll('#map .leaflet-interactive').length;";
    assert_eq!(
        client.execute(count, vec![]).await.expect("count"),
        json!(0)
    );
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &crate::common::point("escuela", -58.45, -34.71),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED);
    let deadline = Instant::now() + Duration::from_secs(15);
    while client.execute(count, vec![]).await.expect("count") != json!(1) {
        assert!(
            Instant::now() < deadline,
            "the wall never showed the new drawing"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // More drawings around the district, one of them sensitive: the wall follows them all,
    // the sensitive one masked as on the phones, and lists the latest titles.
    let mut extra = Vec::new();
    for (symbol, lon, lat) in [
        ("comedor", -58.38, -34.79),
        ("escuela", -58.47, -34.74),
        ("taller_clandestino", -58.40, -34.77),
    ] {
        // Every drawing titled; the sensitive one's title names the place, as people write.
        let mut drawing = crate::common::point(symbol, lon, lat);
        drawing["properties"]["title"] = json!(if symbol == "taller_clandestino" {
            "Taller en la casa del fondo"
        } else {
            "Lugar del barrio"
        });
        let (status, created) = app
            .post("/api/projects/lomas/features", Some(&participant), &drawing)
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
        extra.push(created["id"].as_str().expect("id").to_owned());
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while client.execute(count, vec![]).await.expect("count") != json!(4) {
        assert!(
            Instant::now() < deadline,
            "the wall never showed four drawings"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await; // the fit's animation
    let outside = client
        .execute(
            "var m = document.getElementById('map').getBoundingClientRect(); return Array.prototype.filter.call(document.querySelectorAll('#map .leaflet-interactive'), function (e) { var r = e.getBoundingClientRect(); return r.right < m.left || r.left > m.right || r.bottom < m.top || r.top > m.bottom; }).length;",
            vec![],
        )
        .await
        .expect("bounds");
    assert_eq!(outside, json!(0), "every drawing is in view");
    // Points are their symbols' pictograms; the sensitive one is a cell (a path Leaflet would
    // leave empty, "M0 0", out of view).
    let drawn = client
        .execute(
            "return [document.querySelectorAll('#map .leaflet-marker-icon .pin img').length, Array.prototype.filter.call(document.querySelectorAll('#map path.leaflet-interactive'), function (p) { return p.getAttribute('d') !== 'M0 0'; }).length];",
            vec![],
        )
        .await
        .expect("drawn");
    assert_eq!(
        drawn,
        json!([3, 1]),
        "three pictograms and one masked cell, all in view"
    );
    wait_for_text(&client, "#symbols-in-use", "Escuela").await;
    let public = client
        .execute(
            "return performance.getEntriesByType('resource').filter(function (e) { return /features.*view=public/.test(e.name); }).length;",
            vec![],
        )
        .await
        .expect("requests");
    assert!(
        public.as_u64() >= Some(1),
        "the wall asks for the public view (tested in api/wall.rs)"
    );
    wait_for_text(&client, ".sensitive-note", "zonas aproximadas").await;
    let latest = client
        .execute(
            "return document.querySelectorAll('#latest li').length;",
            vec![],
        )
        .await
        .expect("latest");
    assert_eq!(latest, json!(4));
    // The masked drawing is labelled with its symbol's name, never its title.
    let said = client
        .execute("return document.body.innerText;", vec![])
        .await
        .expect("text");
    let said = said.as_str().expect("text");
    assert!(!said.contains("casa del fondo"), "{said}");
    assert!(said.contains("Taller textil clandestino"), "{said}");
    screenshot(&client, "wall-es").await;
    // While the workshop is open, the wall offers no exact view: anyone may still join.
    assert!(
        client
            .find(Locator::Css("#sensitive-toggle"))
            .await
            .is_err()
    );
    // The author takes those three back (the review below counts the first one only).
    for id in &extra {
        let response = app
            .request(
                reqwest::Method::DELETE,
                &format!("/api/features/{id}"),
                Some(&participant),
            )
            .header("If-Match", "\"1\"")
            .send()
            .await
            .expect("delete");
        assert!(response.status().is_success(), "{}", response.status());
    }
    let url = client.current_url().await.expect("url");
    client
        .goto(&format!("{url}?lang=en"))
        .await
        .expect("english wall");
    wait_for_text(&client, "#live", "Live").await;
    tokio::time::sleep(Duration::from_millis(600)).await; // the fit follows a burst by 250 ms
    let shown = client
        .execute(
            "return document.querySelectorAll('#map .leaflet-marker-icon').length;",
            vec![],
        )
        .await
        .expect("markers");
    assert_eq!(shown, json!(1), "the one drawing left, as its pictogram");
    screenshot(&client, "wall-en").await;

    // Closing asks first, the wall then says the workshop is closed, and it can be reopened.
    client
        .goto(&format!("{}/workshops?lang=es", app.base))
        .await
        .expect("workshops");
    wait_for_text(
        &client,
        ".workshops .tally",
        "2 mesas · 1 participante · 1 dibujo",
    )
    .await;
    screenshot(&client, "workshops-es").await;
    let close = format!(
        "form[data-api='/api/workshops/{}/close'] button",
        workshop.id
    );
    click(&client, &close).await;
    client.dismiss_alert().await.expect("think again");
    assert!(
        app.store
            .find_workshop(workshop.id.parse().expect("id"))
            .await
            .expect("read")
            .expect("workshop")
            .is_open(),
        "nothing happens without confirming"
    );
    click(&client, &close).await;
    client.accept_alert().await.expect("confirm");
    let reopen = format!(
        "form[data-api='/api/workshops/{}/reopen'] button",
        workshop.id
    );
    client
        .wait()
        .for_element(Locator::Css(&reopen))
        .await
        .expect("closed, with a way back");
    client
        .goto(&format!(
            "{}/workshops/{}/wall?lang=es",
            app.base, workshop.id
        ))
        .await
        .expect("wall");
    wait_for_text(&client, "#live", "Taller cerrado").await;
    wait_for_text(&client, ".panel .warning", "El taller está cerrado").await;
    screenshot(&client, "wall-closed-es").await;
    // Closed, the session may project the exact places: it asks first; refused, nothing
    // changes; accepted, the wall says so over the map, where the room sees it.
    let masked_wall = client.current_url().await.expect("url");
    click(&client, "#sensitive-toggle").await;
    client.dismiss_alert().await.expect("a question first");
    assert_eq!(client.current_url().await.expect("url"), masked_wall);
    assert!(client.find(Locator::Css(".exact-banner")).await.is_err());
    click(&client, "#sensitive-toggle").await;
    client.accept_alert().await.expect("a question first");
    wait_for_text(&client, ".exact-banner", "exacto").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    screenshot(&client, "wall-exact-es").await;
    client
        .goto(masked_wall.as_str())
        .await
        .expect("masked wall");
    wait_for_text(&client, "#live", "Taller cerrado").await;
    client
        .goto(&format!("{}/workshops?lang=es", app.base))
        .await
        .expect("workshops");
    click(&client, &reopen).await;
    client
        .wait()
        .for_element(Locator::Css(&close))
        .await
        .expect("open again");

    // The analyst reviews: filters by symbol, hides the drawing.
    client
        .goto(&format!("{}/review/lomas?lang=es", app.base))
        .await
        .expect("review");
    client
        .wait()
        .for_element(Locator::Css("#f-symbol option[value=escuela]"))
        .await
        .expect("symbols loaded");
    wait_for_text(&client, "#count", "1 elemento").await;
    wait_for_text(&client, "#features tbody", "Taller Budge · Docentes").await;
    click(&client, "#f-symbol option[value=comedor]").await;
    click(&client, "#filters button[type=submit]").await;
    wait_for_text(&client, "#count", "0 elementos").await;
    click(&client, "#f-symbol option[value='']").await;
    click(&client, "#filters button[type=submit]").await;
    // A drawing's actions open on a line under its row.
    click(&client, "#features td.title button").await;
    click(&client, "button[data-action='review.hide']").await;
    client
        .wait()
        .for_element(Locator::Css("button[data-action='review.unhide']"))
        .await
        .expect("hidden now");
    let project = app
        .store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("project");
    let filter = trama::domain::feature::FeatureFilter {
        include_hidden: true,
        ..Default::default()
    };
    let stored = app
        .store
        .list_features(project.id, &filter)
        .await
        .expect("list");
    assert!(stored[0].hidden, "hidden in the database");
    screenshot(&client, "review-es").await;
    client
        .goto(&format!("{}/review/lomas?lang=en", app.base))
        .await
        .expect("review in English");
    wait_for_text(&client, "#count", "1 item").await;
    screenshot(&client, "review-en").await;

    // A thousand more drawings: the list comes a page (1,000) at a time, "Load more" adds
    // the next.
    // Four tables of 250: one participant may send 300 drawings a minute.
    for table in 0..4 {
        let drawer = app.join(&workshop.code, "Docentes").await;
        let many = (0..250)
            .map(|i| {
                crate::common::point(
                    "escuela",
                    -58.45 + f64::from(table * 250 + i) * 1e-5,
                    -34.71,
                )
            })
            .collect();
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&drawer),
                &crate::common::collection(many),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    client
        .goto(&format!("{}/review/lomas?lang=en", app.base))
        .await
        .expect("review again");
    wait_for_text(&client, "#count", "1,000 items: the first ones").await;
    screenshot(&client, "review-paged-en").await;
    click_button(&client, "Load more").await;
    wait_for_text(&client, "#count", "1,001 items").await;
    let rows = "return [document.querySelectorAll('#features tbody tr[data-id]').length, document.getElementById('more').hidden, document.getElementById('page-of').textContent];";
    assert_eq!(
        client.execute(rows, vec![]).await.expect("rows"),
        json!([100, true, "1–100 of 1,001"]),
        "every drawing listed once, a hundred to a page, and nothing more to load"
    );
    // Showing again the drawing hidden above, alone on the last page (newest first), redraws
    // its row only: the list keeps its place.
    for _ in 0..10 {
        click(&client, "#next-page").await;
    }
    wait_for_text(&client, "#page-of", "1,001–1,001 of 1,001").await;
    click(&client, "tr.hidden-feature td.title button").await;
    click(&client, "tr.details button[data-action='review.unhide']").await;
    client
        .wait()
        .for_element(Locator::Css(
            "tr[data-id]:not(.hidden-feature) + tr.details button[data-action='review.hide']",
        ))
        .await
        .expect("shown in place");
    wait_for_text(&client, "#page-of", "1,001–1,001 of 1,001").await;

    // A drawing's history says what happened in the page's language.
    click(&client, "#prev-page").await;
    let second = "#features tbody tr[data-id]:nth-child(2)";
    click(&client, &format!("{second} td.title button")).await;
    click(&client, "tr.details button[data-action='review.history']").await;
    wait_for_text(&client, "tr.details .history", "created").await;

    // A refused moderation says so, in the page's language, and changes nothing: an admin
    // made the analyst a facilitator meanwhile...
    app.store
        .update_user(
            &trama::domain::permit::Permit::operator(trama::domain::permit::UserAdministration),
            "coordinadora",
            trama::domain::access::Role::Facilitator,
            false,
            None,
            chrono::Utc::now(),
        )
        .await
        .expect("demote");
    click(&client, "tr.details button[data-action='review.accept']").await;
    wait_for_text(&client, "#review-status", "Your role does not allow this").await;
    // ... and the analyst's session ended (the cookie is gone, as after a logout elsewhere).
    client.delete_all_cookies().await.expect("end the session");
    click(&client, "tr.details button[data-action='review.history']").await;
    wait_for_text(&client, "#review-status", "Your session has ended").await;
    screenshot(&client, "review-refused-en").await;
    wait_for_text(&client, "#page-of", "901–1,000 of 1,001").await;
    client.close().await.expect("close browser");
}

/// A workshop's worth of drawings, as four tables make them: points bunched on the blocks
/// people know (a sixth of them sensitive, which the wall shows as cells), lines and zones;
/// titles as people write them. Deterministic: the same 200 every run.
fn a_workshop_s_drawings() -> Vec<Value> {
    let mut seed: u64 = 26;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as f64) / f64::from(u32::MAX >> 1)
    };
    let blocks = [
        (-58.4010, -34.7610),
        (-58.4120, -34.7655),
        (-58.3925, -34.7570),
        (-58.4200, -34.7500),
        (-58.3850, -34.7720),
        (-58.4075, -34.7780),
        (-58.3980, -34.7450),
        (-58.4260, -34.7690),
        (-58.3800, -34.7600),
        (-58.4150, -34.7420),
        (-58.4040, -34.7700),
        (-58.3900, -34.7810),
    ];
    let names = [
        "Casa de Rosa",
        "Taller del pasaje",
        "Comedor Los Pibes",
        "Escuela 14",
        "Esquina oscura",
        "Galpón de la vía",
        "Plaza del barrio",
        "Parada del 266",
    ];
    let mut drawings = Vec::new();
    for i in 0..200_usize {
        let (lon, lat) = blocks[i % blocks.len()];
        let (x, y) = (lon + (next() - 0.5) * 0.003, lat + (next() - 0.5) * 0.003);
        let title = format!("{} {}", names[i % names.len()], i + 1);
        let drawing = match i % 20 {
            0 => {
                json!({"type": "Feature", "properties": {"symbol": "ruta_insegura", "title": title},
                        "geometry": {"type": "LineString", "coordinates": [[x, y], [x + 0.004, y - 0.002], [x + 0.007, y]]}})
            }
            10 => {
                json!({"type": "Feature", "properties": {"symbol": "zona_riesgo", "title": title},
                         "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + 0.003, y], [x + 0.003, y + 0.002], [x, y + 0.002], [x, y]]]}})
            }
            _ => {
                let symbol = [
                    "escuela",
                    "comedor",
                    "escuela",
                    "comedor",
                    "comedor",
                    "taller_clandestino",
                ][i % 6];
                let mut p = crate::common::point(symbol, x, y);
                p["properties"]["title"] = json!(title);
                p
            }
        };
        drawings.push(drawing);
    }
    drawings
}

/// What the wall shows, measured in the page: labels shown that overlap another (or sit under
/// the map's buttons), labels
/// shown, points counted by clusters and standing alone, the newest lit, the labels' type
/// size (px), whether the newest drawing's label is shown, the view (west, south, east,
/// north), and whether clusters are ringed in the tables' colours.
const MEASURE_WALL: &str = r#"
var map = document.getElementById('map');
var shown = Array.prototype.filter.call(map.querySelectorAll('.wall-label'), function (e) { return !e.classList.contains('crowded'); });
var rects = shown.map(function (e) { return e.getBoundingClientRect(); });
var controls = Array.prototype.map.call(map.querySelectorAll('.leaflet-control'), function (e) { return e.getBoundingClientRect(); });
var overlapping = 0;
rects.forEach(function (a) { controls.forEach(function (b) {
  if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlapping++;
}); });
for (var i = 0; i < rects.length; i++) for (var j = i + 1; j < rects.length; j++) {
  var a = rects[i], b = rects[j];
  if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlapping++;
}
var clustered = Array.prototype.reduce.call(map.querySelectorAll('.wall-cluster span'), function (n, s) { return n + Number(s.textContent); }, 0);
var ranked = Array.prototype.slice.call(map.querySelectorAll('.wall-label')).sort(function (a, b) { return Number(a.dataset.rank) - Number(b.dataset.rank); });
var newestLabel = ranked[0];
return {
  overlapping: overlapping,
  labels: shown.length,
  clustered: clustered,
  alone: map.querySelectorAll('.pin-icon').length,
  newest: map.querySelectorAll('.pin-icon.newest').length,
  type_px: shown.length ? parseFloat(getComputedStyle(shown[0]).fontSize) : 0,
  newest_label_shown: !!newestLabel && !newestLabel.classList.contains('crowded'),
  view: window.wallView || [],
  ringed: Array.prototype.every.call(map.querySelectorAll('.wall-cluster'), function (c) { return /conic-gradient/.test(c.style.background); })
};
"#;

/// Every vertex of `features` within `view` (west, south, east, north).
fn outside(features: &[Value], view: &[f64]) -> usize {
    fn vertices(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v.as_array() {
            Some(a) if a.len() == 2 && a[0].is_f64() => {
                out.push((a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0)));
            }
            Some(a) => a.iter().for_each(|x| vertices(x, out)),
            None => {}
        }
    }
    features
        .iter()
        .filter(|f| {
            let mut points = Vec::new();
            vertices(&f["geometry"]["coordinates"], &mut points);
            points
                .iter()
                .any(|(x, y)| *x < view[0] || *x > view[2] || *y < view[1] || *y > view[3])
        })
        .count()
}

#[tokio::test]
async fn the_wall_stays_legible_at_two_hundred_drawings() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;
    let tables = FOUR_TABLES;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let (id, code) = (
        workshop["id"].as_str().expect("id").to_owned(),
        workshop["join_code"].as_str().expect("code").to_owned(),
    );
    let drawings = a_workshop_s_drawings();
    for (table, batch) in drawings.chunks(50).enumerate() {
        let drawer = app.join(&code, tables[table]).await;
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&drawer),
                &crate::common::collection(batch.to_vec()),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    // What the wall is given: the public view, sensitive places as cells.
    let (status, public) = app
        .get(
            &format!("/api/projects/lomas/features?workshop={id}&view=public&limit=1000"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{public}");
    let public = public["features"].as_array().expect("features").clone();
    assert_eq!(public.len(), 200);
    let points = public
        .iter()
        .filter(|f| f["geometry"]["type"] == "Point")
        .count();

    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    log_in(&client, &app.base, "coordinadora").await;
    // A projector's screen, a laptop's, and a phone held up in the room; both languages.
    for (width, height, lang) in [
        (1366, 768, "es"),
        (1920, 1080, "en"),
        (360, 740, "es"),
        (360, 740, "en"),
    ] {
        client.set_window_size(width, height).await.expect("size");
        client
            .goto(&format!("{}/workshops/{id}/wall?lang={lang}", app.base))
            .await
            .expect("wall");
        // Measured once the wall has settled: every point drawn, and the same twice running.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut previous = Value::Null;
        let measured = loop {
            tokio::time::sleep(Duration::from_millis(700)).await;
            client
                .execute_async(
                    "var done = arguments[arguments.length - 1]; import('/static/js/wall.js').then(function (page) { \
                       var b = page.map.getBounds(); window.wallView = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; done(true); });",
                    vec![],
                )
                .await
                .expect("the wall's view");
            let m = client.execute(MEASURE_WALL, vec![]).await.expect("measure");
            if m["clustered"].as_u64().unwrap_or(0) + m["alone"].as_u64().unwrap_or(0)
                == points as u64
                && m["view"].as_array().is_some_and(|v| v.len() == 4)
                && m == previous
            {
                break m;
            }
            previous = m.clone();
            assert!(
                Instant::now() < deadline,
                "the wall never drew every point: {m}"
            );
        };
        screenshot(&client, &format!("wall-200-{width}-{lang}")).await;
        if lang == "es" {
            // Opened on the laptop itself: the hint names the port it really listens on.
            let port = app.base.rsplit(':').next().expect("port");
            wait_for_text(&client, ".panel", &format!("--listen 0.0.0.0:{port}")).await;
        }
        let at = format!("{width}×{height} {lang}: {measured}");
        assert_eq!(measured["overlapping"], 0, "{at}");
        assert!(
            measured["labels"].as_u64() >= Some(if width > 1000 { 8 } else { 1 }),
            "{at}"
        );
        assert_eq!(measured["newest"], 6, "{at}");
        assert_eq!(measured["newest_label_shown"], true, "{at}");
        assert!(measured["type_px"].as_f64() >= Some(18.0), "{at}");
        assert_eq!(measured["ringed"], true, "{at}");
        let view: Vec<f64> = measured["view"]
            .as_array()
            .expect("view")
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        assert_eq!(outside(&public, &view), 0, "every drawing in view: {at}");
    }
    client.close().await.expect("close browser");
}
