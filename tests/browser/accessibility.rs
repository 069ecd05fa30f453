//! Every page on a phone and a laptop, in both languages: an accessibility check, no English on a Spanish page, no sideways scrolling.

use crate::helpers::*;

/// A list of texts a page's script answered (JSON array of strings).
fn texts(found: serde_json::Value) -> Vec<String> {
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// axe-core's serious and critical violations on the page shown, as "rule (impact): help —
/// first elements".
pub async fn accessibility_violations(client: &Client) -> Vec<String> {
    const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");
    // Injected through WebDriver, which the page's CSP does not govern: axe is a test's tool,
    // never served by Trama.
    client
        .execute(&format!("{AXE}\nreturn true;"), vec![])
        .await
        .expect("inject axe-core");
    let found = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             axe.run(document, { resultTypes: ['violations'] }).then(function (r) { \
               done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; }) \
                 .map(function (v) { return v.id + ' (' + v.impact + '): ' + v.help + ' — ' + \
                   v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(', '); })); \
             }, function (e) { done(['axe failed: ' + e]); });",
            vec![],
        )
        .await
        .expect("run axe-core");
    texts(found)
}

/// English words of the interface (the map libraries' own texts among them) found in what a
/// page shows or reads aloud: its text and its `title`, `aria-label`, `placeholder` and `alt`
/// attributes.
async fn english_on_page(client: &Client) -> Vec<String> {
    let found = client
        .execute(
            "var words = ['Zoom in', 'Zoom out', 'Close popup', 'Close', 'Click', 'Press', 'Finish', \
               'Cancel', 'Undo', 'Search', 'Layers', 'Remove', 'Delete', 'Save', 'Loading', 'Submit', \
               'Where am I', 'Find a street']; \
             var texts = [document.body.innerText]; \
             document.querySelectorAll('[title], [aria-label], [placeholder], [alt]').forEach(function (e) { \
               ['title', 'aria-label', 'placeholder', 'alt'].forEach(function (a) { if (e.getAttribute(a)) texts.push(e.getAttribute(a)); }); }); \
             var all = texts.join('\\n'); \
             return words.filter(function (w) { return new RegExp('\\\\b' + w + '\\\\b').test(all); });",
            vec![],
        )
        .await
        .expect("the page's texts");
    texts(found)
}

/// What runs off the side: the page, or a box that scrolls sideways (a panel), wider than it
/// shows, each said with the widest element that sticks out of it.
async fn sideways_overflow(client: &Client) -> Vec<String> {
    let found = client
        .execute(
            "var out = []; \
             var boxes = [document.documentElement]; \
             document.querySelectorAll('body *').forEach(function (e) { \
               var x = getComputedStyle(e).overflowX; if (x === 'auto' || x === 'scroll') boxes.push(e); }); \
             boxes.forEach(function (box) { \
               if (box.scrollWidth <= box.clientWidth + 1) return; \
               var right = box === document.documentElement ? box.clientWidth : box.getBoundingClientRect().left + box.clientWidth; \
               var widest = null; \
               box.querySelectorAll('*').forEach(function (e) { var r = e.getBoundingClientRect(); \
                 if (r.width > 0 && r.right > right + 1 && (!widest || r.width > widest.w)) widest = {w: r.width, e: e}; }); \
               out.push((box.id || box.className || box.tagName) + ' is ' + box.scrollWidth + ' px wide in ' + box.clientWidth \
                 + (widest ? ' (' + widest.e.tagName + (widest.e.id ? '#' + widest.e.id : '') + ')' : '')); }); \
             return out;",
            vec![],
        )
        .await
        .expect("the page's widths");
    texts(found)
}

/// Every page, on a 360 px phone and a 1366 px laptop, in Spanish and in English: no serious
/// or critical accessibility violation (axe-core, WCAG 2.x A and AA rules), nothing running off
/// the side, and a screenshot of each (`a11y-{page}-{viewport}-{lang}.png`) to look at.
#[tokio::test]
async fn every_page_passes_an_accessibility_check_on_a_phone_and_a_laptop_in_both_languages() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Docentes").await;
    for (symbol, lon, lat) in [("escuela", -58.41, -34.76), ("comedor", -58.40, -34.765)] {
        let (status, _) = app
            .post(
                "/api/projects/lomas/features",
                Some(&participant),
                &crate::common::point(symbol, lon, lat),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
    }
    user_with_password(&app, "auditora", trama::domain::access::Role::Admin).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;

    // Pages and the element that says each is ready.
    let participant_pages: Vec<(&str, String, &str)> = vec![
        ("home", "/".into(), "form.card"),
        ("join", format!("/j/{}", workshop.code), "input[name=group]"),
        ("draw", "/draw".into(), "#app[data-loaded=true]"),
    ];
    let staff_pages: Vec<(&str, String, &str)> = vec![
        ("login", "/login".into(), "#username"),
        ("workshops", "/workshops".into(), ".workshops"),
        (
            "wall",
            format!("/workshops/{}/wall", workshop.id),
            "#map .leaflet-marker-icon",
        ),
        ("review", "/review/lomas".into(), "#features tbody tr"),
        (
            "priority",
            "/review/lomas#priority".into(),
            "#priority-form",
        ),
        ("export", "/export/lomas".into(), "form"),
        ("admin", "/admin".into(), "form[data-api]"),
        (
            "legend",
            "/admin/projects/lomas/legend".into(),
            ".legend-table tbody tr",
        ),
        ("not-found", "/review/nowhere".into(), "main"),
    ];
    let mut violations = Vec::new();
    let viewports = [("phone", 360, 740), ("laptop", 1366, 768)];
    for lang in ["es", "en"] {
        // The participant's pages: joined through the join page itself.
        client.delete_all_cookies().await.expect("no session");
        for (name, path, ready) in &participant_pages {
            if *name == "draw" {
                click(&client, "input[name=group]").await;
                click(&client, "form.card button[type=submit]").await;
            } else {
                client
                    .goto(&format!("{}{path}?lang={lang}", app.base))
                    .await
                    .expect("page");
            }
            audit_page(&client, name, lang, ready, &viewports, &mut violations).await;
        }
        client.delete_all_cookies().await.expect("no session");
        client
            .goto(&format!("{}/login?lang={lang}", app.base))
            .await
            .expect("login");
        audit_page(
            &client,
            "login",
            lang,
            "#username",
            &viewports,
            &mut violations,
        )
        .await;
        type_into(&client, "#username", "auditora").await;
        type_into(&client, "#password", "una clave bien larga").await;
        click(&client, "form.card button[type=submit]").await;
        client
            .wait()
            .for_element(Locator::Css(".workshops"))
            .await
            .expect("signed in");
        for (name, path, ready) in staff_pages.iter().skip(1) {
            // A tab of a page (review#priority) is opened as a person would: by its button.
            let (path, tab) = path.split_once('#').unwrap_or((path, ""));
            client
                .goto(&format!("{}{path}?lang={lang}", app.base))
                .await
                .expect("page");
            if !tab.is_empty() {
                click(&client, &format!("#tab-{tab}")).await;
            }
            audit_page(&client, name, lang, ready, &viewports, &mut violations).await;
        }
    }
    client.close().await.expect("close");
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations.join("\n")
    );
}

/// Waits for `ready` on the page shown, then for each viewport takes a screenshot and adds
/// axe-core's serious and critical violations to `violations`.
async fn audit_page(
    client: &Client,
    name: &str,
    lang: &str,
    ready: &str,
    viewports: &[(&str, u32, u32)],
    violations: &mut Vec<String>,
) {
    client
        .wait()
        .for_element(Locator::Css(ready))
        .await
        .unwrap_or_else(|e| panic!("{name} ({lang}) never showed {ready}: {e}"));
    for (viewport, width, height) in viewports {
        client
            .set_window_size(*width, *height)
            .await
            .expect("viewport");
        tokio::time::sleep(Duration::from_millis(400)).await;
        screenshot(client, &format!("a11y-{name}-{viewport}-{lang}")).await;
        for violation in accessibility_violations(client).await {
            violations.push(format!("{name} ({viewport}, {lang}): {violation}"));
        }
        for overflow in sideways_overflow(client).await {
            violations.push(format!(
                "{name} ({viewport}, {lang}): runs off the side: {overflow}"
            ));
        }
        if lang == "es" {
            for english in english_on_page(client).await {
                violations.push(format!("{name} ({viewport}, es): English text {english:?}"));
            }
        }
    }
}
