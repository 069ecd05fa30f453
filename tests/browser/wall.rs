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
        "2 mesas · 1 participantes · 1 dibujos",
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
    wait_for_text(&client, "#count", "1000 items: the first ones").await;
    screenshot(&client, "review-paged-en").await;
    click_button(&client, "Load more").await;
    wait_for_text(&client, "#count", "1001 items").await;
    let rows = "return [document.querySelectorAll('#features tbody tr').length, document.getElementById('more').hidden];";
    assert_eq!(
        client.execute(rows, vec![]).await.expect("rows"),
        json!([1001, true]),
        "every drawing listed once, and nothing more to load"
    );
    // Hiding a drawing of the second page redraws its row only: the list keeps its place.
    let last = "#features tbody tr:last-child";
    click(
        &client,
        &format!("{last} button[data-action='review.hide']"),
    )
    .await;
    client
        .wait()
        .for_element(Locator::Css(&format!(
            "{last} button[data-action='review.unhide']"
        )))
        .await
        .expect("hidden in place");
    assert_eq!(
        client.execute(rows, vec![]).await.expect("rows"),
        json!([1001, true]),
        "still every page"
    );

    // A drawing's history says what happened in the page's language.
    let second = "#features tbody tr:nth-child(2)";
    click(
        &client,
        &format!("{second} button[data-action='review.history']"),
    )
    .await;
    wait_for_text(&client, &format!("{second} .history"), "created").await;

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
    click(
        &client,
        &format!("{second} button[data-action='review.accept']"),
    )
    .await;
    wait_for_text(&client, "#review-status", "Your role does not allow this").await;
    // ... and the analyst's session ended (the cookie is gone, as after a logout elsewhere).
    client.delete_all_cookies().await.expect("end the session");
    click(
        &client,
        &format!("{last} button[data-action='review.unhide']"),
    )
    .await;
    wait_for_text(&client, "#review-status", "Your session has ended").await;
    screenshot(&client, "review-refused-en").await;
    let rows = "return document.querySelectorAll('#features tbody tr').length;";
    assert_eq!(
        client.execute(rows, vec![]).await.expect("rows"),
        json!(1001)
    );
    client.close().await.expect("close browser");
}
