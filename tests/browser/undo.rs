//! No destructive action without undo (issue 27): the drawing bar sits off the map, where a
//! tap meant for the map cannot land; cancelling a zone in progress and deleting a drawing
//! can be undone for a few seconds.

use crate::helpers::*;

/// Whether the drawing bar and the map overlap on screen (they must not).
const BAR_OVER_MAP: &str = "var a = document.getElementById('draw-actions').getBoundingClientRect(); \
     var m = document.getElementById('map').getBoundingClientRect(); \
     return a.width > 0 && a.left < m.right && m.left < a.right && a.top < m.bottom && m.top < a.bottom;";

/// The points of the zone being drawn.
async fn points_in_progress(client: &Client) -> Value {
    client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { \
               var d = page.map.pm.Draw.Polygon; \
               done(d && d._layer ? d._layer.getLatLngs().length : -1); });",
            vec![],
        )
        .await
        .expect("points")
}

/// Waits until the element `css` selects stays put on screen (an animation has ended).
async fn settled(client: &Client, css: &str) {
    let script = format!(
        "var e = document.querySelector('{css}'); if (!e) return null; \
         var r = e.getBoundingClientRect(); return [r.left, r.top];"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = Value::Null;
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = client.execute(&script, vec![]).await.expect("position");
        if !now.is_null() && now == last {
            return;
        }
        assert!(Instant::now() < deadline, "{css} never settled");
        last = now;
    }
}

#[tokio::test]
async fn a_slip_of_the_finger_is_undone_not_lost() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    client.set_window_size(360, 740).await.expect("phone");
    client
        .goto(&format!("{}/j/{}?lang=es", app.base, workshop.code))
        .await
        .expect("join");
    join_on_page(&client, "Tero").await;
    draw_page_loaded(&client).await;

    // A zone: three points, then a slip on "Cancel"; "Undo" brings the three back.
    click(&client, "[data-symbol=zona_riesgo]").await;
    for (width, height) in [(1366, 768), (360, 740)] {
        client.set_window_size(width, height).await.expect("size");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            client.execute(BAR_OVER_MAP, vec![]).await.expect("rects"),
            json!(false),
            "the drawing bar is off the map at {width}×{height}"
        );
        screenshot(&client, &format!("draw-bar-{width}-es")).await;
    }
    let map = client.find(Locator::Id("map")).await.expect("map");
    for (x, y) in [(-40.0, -40.0), (40.0, -40.0), (40.0, 40.0)] {
        click_map(&client, &map, x, y).await;
    }
    assert_eq!(points_in_progress(&client).await, json!(3));
    screenshot(&client, "draw-zone-bar-phone-es").await;
    click(&client, "#draw-cancel").await;
    wait_for_text(&client, "#undo", "Forma cancelada").await;
    screenshot(&client, "undo-cancel-phone-es").await;
    click(&client, "#undo button").await;
    assert_eq!(
        points_in_progress(&client).await,
        json!(3),
        "the zone's points are back"
    );
    click(&client, "#draw-finish").await;
    type_into(&client, "#feature-title", "Galpón del fondo").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let stored = stored_features(&app.store).await;
    assert_eq!(stored.len(), 1);

    // Deleting it: "Undo" keeps it, with nothing sent; left alone, it goes.
    let open_popup = "var done = arguments[arguments.length - 1]; \
         import('/static/js/draw.js').then(function (page) { \
           page.map.eachLayer(function (l) { if (l.feature && l.feature.properties.title === 'Galpón del fondo' && l.openPopup) l.openPopup(); }); \
           done(true); });";
    client
        .execute_async(open_popup, vec![])
        .await
        .expect("popup");
    // The popup pans the map to fit (animated): a click before it settles lands elsewhere.
    settled(&client, ".leaflet-popup").await;
    click_button(&client, "Borrar mi dibujo").await;
    wait_for_text(&client, "#undo", "Dibujo borrado").await;
    click(&client, "#undo button").await;
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(
        app.feature_count(&staff.analyst).await,
        1,
        "undone: the drawing stays"
    );
    client
        .execute_async(open_popup, vec![])
        .await
        .expect("popup again");
    settled(&client, ".leaflet-popup").await;
    click_button(&client, "Borrar mi dibujo").await;
    wait_for_text(&client, "#undo", "Dibujo borrado").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.feature_count(&staff.analyst).await != 0 {
        assert!(
            Instant::now() < deadline,
            "the delete was never carried out"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    wait_for_text(&client, "#status", "Borrado").await;
    client.close().await.expect("close");
}
