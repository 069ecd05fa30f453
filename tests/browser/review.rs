//! The analyst's review at a real workshop's size: 500 drawings of four tables in a compact,
//! sortable table beside the map, decided on many at once.

use crate::accessibility::accessibility_violations;
use crate::helpers::*;

/// How the review shows itself: the page's and the table's sizes, the first row's place and
/// height, whether anything runs off the side, and the rows shown.
const MEASURE_REVIEW: &str = "
  var table = document.querySelector('.review-table').getBoundingClientRect();
  var first = document.querySelector('#features tbody tr[data-id]');
  var row = first ? first.getBoundingClientRect() : null;
  var titles = Array.from(document.querySelectorAll('#features tbody tr[data-id] td.title button')).map(function (b) { return b.textContent; });
  return {
    page_scrolls: document.documentElement.scrollHeight > window.innerHeight + 1,
    runs_off: document.documentElement.scrollWidth > window.innerWidth + 1,
    first_row_bottom: row ? row.bottom : -1,
    row_height: row ? row.height : -1,
    table_height: table.height,
    viewport: window.innerHeight,
    rows: titles.length,
    titles: titles
  };";

#[tokio::test]
async fn the_review_holds_five_hundred_drawings_in_a_compact_sortable_table() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;
    let tables = FOUR_TABLES;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    let names = ["Comedor", "Escuela", "Taller", "Plaza", "Parada"];
    for (t, table) in tables.iter().enumerate() {
        let drawer = app.join(&code, table).await;
        let batch = (0..125_usize)
            .map(|i| {
                let n = t * 125 + i;
                let symbol = if n % 3 == 0 { "comedor" } else { "escuela" };
                json!({"type": "Feature",
                       "properties": {"symbol": symbol, "title": format!("{} {}", names[n % names.len()], n + 1)},
                       "geometry": {"type": "Point", "coordinates": [-58.42 + (n % 25) as f64 * 0.0012, -34.77 + (n / 25) as f64 * 0.0008]}})
            })
            .collect();
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&drawer),
                &crate::common::collection(batch),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }

    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    log_in(&client, &app.base, "coordinadora").await;
    client.set_window_size(1366, 768).await.expect("size");
    client
        .goto(&format!("{}/review/lomas?lang=es", app.base))
        .await
        .expect("review");
    wait_for_text(&client, "#page-of", "1–100 de 500").await;
    let laptop = client
        .execute(MEASURE_REVIEW, vec![])
        .await
        .expect("measure");
    screenshot(&client, "review-500-1366-es").await;
    assert_eq!(laptop["rows"], 100, "a page of a hundred: {laptop}");
    assert_eq!(
        laptop["page_scrolls"], false,
        "the page itself stays put: {laptop}"
    );
    assert_eq!(laptop["runs_off"], false, "{laptop}");
    // A 1366×768 laptop's browser shows 625 px of page: the table starts in view, and shows
    // at least six drawings with nothing scrolled.
    assert!(
        laptop["first_row_bottom"].as_f64().expect("row")
            < laptop["viewport"].as_f64().expect("vh") * 0.75,
        "the table starts above the fold: {laptop}"
    );
    assert!(
        laptop["table_height"].as_f64().expect("table")
            >= 6.0 * laptop["row_height"].as_f64().expect("row"),
        "{laptop}"
    );
    assert!(
        laptop["row_height"].as_f64().expect("height") <= 40.0,
        "one line a drawing: {laptop}"
    );

    // Sorted by title, A to Z in the page's collation (numbers as numbers), then back.
    click(&client, "#features th button[data-sort=title]").await;
    let sorted = client
        .execute(MEASURE_REVIEW, vec![])
        .await
        .expect("measure");
    let titles: Vec<&str> = sorted["titles"]
        .as_array()
        .expect("titles")
        .iter()
        .map(|t| t.as_str().expect("title"))
        .collect();
    assert_eq!(
        &titles[..3],
        ["Comedor 1", "Comedor 6", "Comedor 11"],
        "{titles:?}"
    );
    let sort = "return document.querySelector('#features th button[data-sort=title]').parentNode.getAttribute('aria-sort');";
    assert_eq!(
        client.execute(sort, vec![]).await.expect("sort"),
        json!("ascending")
    );
    click(&client, "#features th button[data-sort=title]").await;
    assert_eq!(
        client.execute(sort, vec![]).await.expect("sort"),
        json!("descending")
    );

    // One decision for the hundred on this page: a rejection asks for its one reason first.
    click(&client, "#select-page").await;
    wait_for_text(&client, "#bulk-count", "100 elegidos").await;
    click(&client, "#bulk button[data-bulk=reject]").await;
    wait_for_text(&client, "#review-status", "Escribí el motivo del rechazo").await;
    type_into(&client, "#bulk-reason", "Repetido de otra mesa").await;
    click(&client, "#bulk button[data-bulk=reject]").await;
    wait_for_text(&client, "#review-status", "Listo: 100 dibujos.").await;
    let project = app
        .store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("project");
    let stored = app
        .store
        .list_features(
            project.id,
            &trama::domain::feature::FeatureFilter::default(),
        )
        .await
        .expect("list");
    let rejected: Vec<_> = stored
        .iter()
        .filter(|f| f.review_state == trama::domain::feature::ReviewState::Rejected)
        .collect();
    assert_eq!(rejected.len(), 100);
    assert!(
        rejected
            .iter()
            .all(|f| f.review_reason.as_deref() == Some("Repetido de otra mesa"))
    );
    wait_for_text(&client, "#page-of", "1–100 de 500").await;

    // Then every drawing listed, hidden at once; the hidden and rejected rows stay readable.
    click(&client, "#select-all").await;
    wait_for_text(&client, "#bulk-count", "500 elegidos").await;
    click(&client, "#bulk button[data-bulk=hide]").await;
    wait_for_text(&client, "#review-status", "Listo: 500 dibujos.").await;
    let hidden = "return document.querySelectorAll('#features tr.hidden-feature').length;";
    assert_eq!(
        client.execute(hidden, vec![]).await.expect("hidden"),
        json!(100)
    );
    click(&client, "#features td.title button").await;
    let violations = accessibility_violations(&client).await;
    assert!(violations.is_empty(), "{violations:#?}");
    screenshot(&client, "review-500-hidden-1366-es").await;

    // A phone and the other language: the same table, its columns folded, nothing off the side.
    for (width, height, lang) in [(360, 740, "en"), (360, 740, "es"), (1366, 768, "en")] {
        client.set_window_size(width, height).await.expect("size");
        client
            .goto(&format!("{}/review/lomas?lang={lang}", app.base))
            .await
            .expect("review");
        let of = if lang == "es" {
            "1–100 de 500"
        } else {
            "1–100 of 500"
        };
        wait_for_text(&client, "#page-of", of).await;
        let shown = client
            .execute(MEASURE_REVIEW, vec![])
            .await
            .expect("measure");
        screenshot(&client, &format!("review-500-{width}-{lang}")).await;
        assert_eq!(shown["runs_off"], false, "{width} {lang}: {shown}");
        assert_eq!(shown["page_scrolls"], false, "{width} {lang}: {shown}");
        let violations = accessibility_violations(&client).await;
        assert!(violations.is_empty(), "{width} {lang}: {violations:#?}");
    }
    client.close().await.expect("close browser");
}
