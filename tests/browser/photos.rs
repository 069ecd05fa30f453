//! Photos on drawings (issue 28), on a phone: chosen in the drawing's sheet, kept on the phone
//! while the server is away and sent once when it is back, stored upright and without the
//! camera's metadata, shown in the popup with a name a screen reader says; another table's
//! phone never sees a sensitive drawing's photo, nor does the wall; the review shows them.

use std::process::Command;

use crate::helpers::*;

/// A room's worth of drawings (160 over four tables), every tenth with a photo, and a
/// sensitive one of another table with a photo; its id.
async fn a_room_with_photos(app: &TestApp, code: &str, photo: &[u8]) -> String {
    let mut sensitive = String::new();
    for (t, table) in FOUR_TABLES.iter().enumerate() {
        let token = app.join(code, table).await;
        let features: Vec<Value> = (0..40)
            .map(|i| {
                let (lon, lat) = (
                    -58.404 + f64::from(i % 8) * 0.0011 + t as f64 * 0.0003,
                    -34.762 + f64::from(i / 8) * 0.0009,
                );
                let symbol = if t == 1 && i == 0 {
                    "taller_clandestino"
                } else {
                    "escuela"
                };
                json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"symbol": symbol, "title": format!("Escuela {t}.{i}")}})
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
        for (i, feature) in body["features"]
            .as_array()
            .expect("list")
            .iter()
            .enumerate()
        {
            if i % 10 != 0 {
                continue;
            }
            let id = feature["id"].as_str().expect("id");
            let response = app
                .request(
                    reqwest::Method::POST,
                    &format!("/api/features/{id}/attachments"),
                    Some(&token),
                )
                .body(photo.to_vec())
                .send()
                .await
                .expect("attach");
            assert_eq!(response.status(), reqwest::StatusCode::CREATED);
            if t == 1 && i == 0 {
                sensitive = id.to_owned();
            }
        }
    }
    sensitive
}

/// Opens the popup of the drawing titled `title` on the draw page.
async fn open_popup(client: &Client, title: &str) {
    let opened = client
        .execute_async(
            "var done = arguments[arguments.length - 1], title = arguments[0]; \
             import('/static/js/draw.js').then(function (page) { var opened = false; \
               page.map.eachLayer(function (l) { \
                 if (!opened && l.feature && l.feature.properties.title === title && l.openPopup) { l.openPopup(); opened = true; } }); \
               done(opened); });",
            vec![json!(title)],
        )
        .await
        .expect("open a popup");
    assert_eq!(opened, json!(true), "no drawing titled {title}");
}

/// The shown thumbnails of the open popup, as (alt, decoded width).
async fn popup_photos(client: &Client) -> Vec<(String, u64)> {
    let shown = client
        .execute(
            "return Array.from(document.querySelectorAll('.leaflet-popup .photo-gallery img')).map(function (i) { return [i.alt, i.naturalWidth]; });",
            vec![],
        )
        .await
        .expect("thumbnails");
    serde_json::from_value(shown).expect("pairs")
}

async fn wait_for_popup_photos(client: &Client, count: usize) -> Vec<(String, u64)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = popup_photos(client).await;
        if shown.len() == count && shown.iter().all(|(_, width)| *width > 0) {
            return shown;
        }
        assert!(Instant::now() < deadline, "the popup showed {shown:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_photo_taken_offline_on_a_phone_arrives_once_upright_and_clean() {
    let _serial = SERIAL.lock().await;
    let database = TestDatabase::new(Backend::Sqlite).await;
    // A fixed address, so that the server can go away and come back where the page knows it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let address = listener.local_addr().expect("addr");
    drop(listener);
    let app = TestApp::start_at(database, trama::Limits::default(), address).await;
    let staff = app.project().await;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    let dir = tempfile::TempDir::new().expect("dir");
    let photo = crate::common::phone_photo_at(dir.path(), "IMG_0001.jpg");
    let sensitive = a_room_with_photos(&app, &code, &std::fs::read(&photo).expect("read")).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    client.set_window_size(360, 740).await.expect("phone");
    client
        .goto(&format!("{}/j/{code}?lang=es", app.base))
        .await
        .expect("join page");
    join_on_page(&client, "Tero").await;
    draw_page_loaded(&client).await;

    // The server goes away; a school is drawn with a photo from the phone's gallery.
    let database = app.stop().await;
    click(&client, "[data-symbol=escuela]").await;
    let map = client.find(Locator::Id("map")).await.expect("map");
    click_map(&client, &map, 0.0, -30.0).await;
    wait_for_text(&client, "#feature-photos", "Agregar una foto").await;
    client
        .find(Locator::Css("#feature-photos input[type=file]"))
        .await
        .expect("the file input")
        .send_keys(photo.to_str().expect("path"))
        .await
        .expect("choose the photo");
    // Its thumbnail shows, made on the phone, upright (taller than wide).
    let deadline = Instant::now() + Duration::from_secs(15);
    let preview = loop {
        let preview = client
            .execute(
                "var i = document.querySelector('#feature-photos .photo img'); \
                 return i && i.naturalWidth ? [i.naturalWidth, i.naturalHeight, i.alt] : null;",
                vec![],
            )
            .await
            .expect("preview");
        if !preview.is_null() {
            break preview;
        }
        assert!(Instant::now() < deadline, "no preview");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(preview[1].as_u64() > preview[0].as_u64(), "{preview}");
    assert_eq!(preview[2], "Foto elegida 1");
    let remove = client
        .find(Locator::Css("#feature-photos .photo-remove"))
        .await
        .expect("remove");
    assert_eq!(
        remove.attr("aria-label").await.expect("label").as_deref(),
        Some("Quitar la foto 1")
    );
    let size = client
        .execute(
            "var r = document.querySelector('#feature-photos .photo-remove').getBoundingClientRect(); \
             var a = document.querySelector('#feature-photos .photo-add').getBoundingClientRect(); \
             return [r.width, r.height, a.height];",
            vec![],
        )
        .await
        .expect("sizes");
    for side in size.as_array().expect("sizes") {
        assert!(
            side.as_f64().unwrap_or(0.0) >= 44.0,
            "targets for a thumb: {size}"
        );
    }
    type_into(&client, "#feature-title", "Escuela con foto").await;
    screenshot(&client, "photos-sheet-phone-es").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Sin conexión").await;
    let queued = client
        .execute(
            "return JSON.parse(localStorage.getItem('trama.queue.lomas')).map(function (i) { return (i.photos || []).length; });",
            vec![],
        )
        .await
        .expect("the queue");
    assert_eq!(queued, json!([1]), "the photo waits with its drawing");

    // Back: the drawing is stored, then its photo, each once.
    let app = TestApp::start_at(database, trama::Limits::default(), address).await;
    wait_for_text(&client, "#status", "Guardado").await;
    tokio::time::sleep(Duration::from_secs(5)).await; // one more retry period: no duplicate
    let sent: Vec<_> = stored_features(&app.store)
        .await
        .into_iter()
        .filter(|f| f.title.as_deref() == Some("Escuela con foto"))
        .collect();
    assert_eq!(sent.len(), 1, "stored once");
    let kept = app
        .store
        .list_attachments(sent[0].id)
        .await
        .expect("attachments");
    assert_eq!(kept.len(), 1, "its photo, once");
    assert!(kept[0].height > kept[0].width, "upright: {:?}", kept[0]);
    let file = app
        .database
        .dir()
        .join(format!("data/attachments/{}.jpg", kept[0].id));
    let tags = Command::new("exiftool")
        .args(["-j", "-a", "-G1"])
        .arg(&file)
        .output()
        .expect("exiftool");
    let tags = String::from_utf8_lossy(&tags.stdout);
    assert!(
        !tags.contains("GPS") && !tags.contains("Motorola") && !tags.contains("Orientation"),
        "{tags}"
    );

    // Its popup shows it, named for a screen reader; the photo opens from it.
    open_popup(&client, "Escuela con foto").await;
    let shown = wait_for_popup_photos(&client, 1).await;
    assert_eq!(shown[0].0, "Foto 1 de 1: Escuela con foto");
    screenshot(&client, "photos-popup-phone-es").await;
    // A comment with a photo: it shows under the comment, named as the comment's.
    type_into(
        &client,
        ".leaflet-popup form.comment textarea",
        "La puerta de atrás",
    )
    .await;
    // Unfolded as a tap on its summary would (the popup scrolls under WebDriver's pointer).
    client
        .execute(
            "document.querySelector('.leaflet-popup form.comment details.comment-files').open = true;",
            vec![],
        )
        .await
        .expect("unfold");
    client
        .find(Locator::Css(
            ".leaflet-popup form.comment input[type=file][accept='image/*']",
        ))
        .await
        .expect("the comment's photo input")
        .send_keys(photo.to_str().expect("path"))
        .await
        .expect("choose the photo");
    client
        .wait()
        .for_element(Locator::Css(
            ".leaflet-popup form.comment .photo img[src^='data:']",
        ))
        .await
        .expect("its preview");
    client
        .execute(
            "document.querySelector('.leaflet-popup form.comment').requestSubmit();",
            vec![],
        )
        .await
        .expect("send the comment");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = client
            .execute(
                "return Array.from(document.querySelectorAll('.leaflet-popup ul.comments .photo-gallery img')).filter(function (i) { return i.naturalWidth > 0; }).map(function (i) { return i.alt; });",
                vec![],
            )
            .await
            .expect("the comment's photos");
        if shown == json!(["Foto 1 de 1: comentario de Tero"]) {
            break;
        }
        assert!(Instant::now() < deadline, "the comment showed {shown}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    screenshot(&client, "photos-comment-phone-es").await;
    // Another table's sensitive drawing: this phone sees its cell, and not its photo.
    let listed = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             fetch('/api/features/' + arguments[0] + '/attachments').then(function (r) { return r.json(); }).then(done);",
            vec![json!(sensitive)],
        )
        .await
        .expect("the sensitive drawing's photos");
    assert_eq!(listed["attachments"], json!([]), "{listed}");

    // English: a photo chosen, then taken out again before saving: nothing is sent.
    client
        .goto(&format!("{}/draw?lang=en", app.base))
        .await
        .expect("draw page in English");
    draw_page_loaded(&client).await;
    click(&client, "[data-symbol=escuela]").await;
    let map = client.find(Locator::Id("map")).await.expect("map");
    click_map(&client, &map, 40.0, 30.0).await;
    wait_for_text(&client, "#feature-photos", "Add a photo").await;
    client
        .find(Locator::Css("#feature-photos input[type=file]"))
        .await
        .expect("the file input")
        .send_keys(photo.to_str().expect("path"))
        .await
        .expect("choose the photo");
    client
        .wait()
        .for_element(Locator::Css("#feature-photos .photo img[src^='data:']"))
        .await
        .expect("its preview");
    type_into(&client, "#feature-title", "School, no photo").await;
    screenshot(&client, "photos-sheet-phone-en").await;
    click(&client, "#feature-photos .photo-remove").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Saved").await;
    let school = stored_features(&app.store)
        .await
        .into_iter()
        .find(|f| f.title.as_deref() == Some("School, no photo"))
        .expect("the school");
    assert!(
        app.store
            .list_attachments(school.id)
            .await
            .expect("list")
            .is_empty()
    );
    open_popup(&client, "Escuela 0.0").await;
    let shown = wait_for_popup_photos(&client, 1).await;
    assert_eq!(shown[0].0, "Photo 1 of 1: Escuela 0.0");
    screenshot(&client, "photos-popup-phone-en").await;

    // The wall (a projected screen): the newest school's photo in its popup, large; the
    // sensitive drawing's never, whoever is signed in.
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;
    log_in(&client, &app.base, "coordinadora").await;
    client.set_window_size(1366, 768).await.expect("laptop");
    let workshop_id = workshop["id"].as_str().expect("id");
    for (lang, named) in [("es", "Foto 1 de 1"), ("en", "Photo 1 of 1")] {
        client
            .goto(&format!(
                "{}/workshops/{workshop_id}/wall?lang={lang}",
                app.base
            ))
            .await
            .expect("the wall");
        let opened = client
            .execute_async(
                "var done = arguments[arguments.length - 1], title = arguments[0], tries = 0; \
                 (function look() { import('/static/js/wall.js').then(function (page) { var opened = false; \
                   page.map.eachLayer(function (l) { \
                     if (!opened && l.feature && l.feature.properties.title === title && l.openPopup) { l.openPopup(); opened = true; } }); \
                   if (opened || ++tries > 100) done(opened); else setTimeout(look, 200); }); })();",
                vec![json!("Escuela con foto")],
            )
            .await
            .expect("open the wall's popup");
        assert_eq!(opened, json!(true));
        let shown = wait_for_popup_photos(&client, 1).await;
        assert_eq!(shown[0].0, format!("{named}: Escuela con foto"));
        let width = client
            .execute(
                "return document.querySelector('.leaflet-popup .photo-gallery img').getBoundingClientRect().width;",
                vec![],
            )
            .await
            .expect("width");
        assert!(
            width.as_f64().unwrap_or(0.0) >= 200.0,
            "seen from the back of the room: {width}"
        );
        // The map moves so that the whole popup, photo and all, is in view.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let inside = client
                .execute(
                    "var p = document.querySelector('.leaflet-popup').getBoundingClientRect(), \
                         m = document.getElementById('map').getBoundingClientRect(); \
                     return p.top >= m.top && p.bottom <= m.bottom ? true : [p.top, p.bottom, m.top, m.bottom];",
                    vec![],
                )
                .await
                .expect("popup");
            if inside == json!(true) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the popup ran off the wall: {inside}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        screenshot(&client, &format!("photos-wall-1366-{lang}")).await;
    }
    let seen = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             fetch('/api/features/' + arguments[0] + '/attachments?view=public').then(function (r) { return r.json(); }).then(done);",
            vec![json!(sensitive)],
        )
        .await
        .expect("list");
    assert_eq!(seen["attachments"], json!([]), "the wall never: {seen}");

    // The review: an analyst sees the sensitive drawing's photo, and may remove it.
    client
        .goto(&format!("{}/review/lomas?lang=es", app.base))
        .await
        .expect("the review");
    let symbol = client
        .wait()
        .for_element(Locator::Css("#f-symbol option[value=taller_clandestino]"))
        .await
        .expect("the symbol filter");
    symbol.click().await.expect("choose the symbol");
    click(&client, "#filters button[type=submit]").await;
    click(
        &client,
        &format!("tr[data-id='{sensitive}'] td.title button"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let shown = loop {
        let shown = client
            .execute(
                "return Array.from(document.querySelectorAll('tr.details .photo-gallery img')).filter(function (i) { return i.naturalWidth > 0; }).map(function (i) { return i.alt; });",
                vec![],
            )
            .await
            .expect("thumbnails");
        if shown.as_array().is_some_and(|a| !a.is_empty()) {
            break shown;
        }
        assert!(Instant::now() < deadline, "the review showed no photo");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(shown, json!(["Foto 1 de 1: Escuela 1.0"]));
    screenshot(&client, "photos-review-1366-es").await;
    // The same in English, for the screenshot: the gallery names the photo in the page's
    // language.
    client
        .goto(&format!("{}/review/lomas?lang=en", app.base))
        .await
        .expect("the review in English");
    client
        .wait()
        .for_element(Locator::Css("#f-symbol option[value=taller_clandestino]"))
        .await
        .expect("the symbol filter")
        .click()
        .await
        .expect("choose the symbol");
    click(&client, "#filters button[type=submit]").await;
    click(
        &client,
        &format!("tr[data-id='{sensitive}'] td.title button"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = client
            .execute(
                "return Array.from(document.querySelectorAll('tr.details .photo-gallery img')).filter(function (i) { return i.naturalWidth > 0; }).map(function (i) { return i.alt; });",
                vec![],
            )
            .await
            .expect("thumbnails");
        if shown == json!(["Photo 1 of 1: Escuela 1.0"]) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the English review showed {shown}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    screenshot(&client, "photos-review-1366-en").await;
    client
        .execute("window.confirm = function () { return true; };", vec![])
        .await
        .expect("confirm");
    click(&client, "tr.details .photo-remove").await;
    let sensitive_id = uuid::Uuid::parse_str(&sensitive).expect("id");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app
        .store
        .list_attachments(sensitive_id)
        .await
        .expect("list")
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the photo was not removed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The export page offers the files only with a full export of drawings.
    for (lang, (width, height)) in [("es", (360, 740)), ("en", (1366, 768))] {
        client.set_window_size(width, height).await.expect("size");
        client
            .goto(&format!("{}/export/lomas?lang={lang}", app.base))
            .await
            .expect("the export page");
        let files_shown = || async {
            client
                .execute(
                    "return document.getElementById('e-files').offsetParent !== null;",
                    vec![],
                )
                .await
                .expect("files")
        };
        assert_eq!(files_shown().await, json!(false), "not with anonymised");
        client
            .execute(
                "document.getElementById('e-privacy').value = 'full';",
                vec![],
            )
            .await
            .expect("full");
        assert_eq!(files_shown().await, json!(true), "with a full export");
        client
            .find(Locator::Css("#e-files"))
            .await
            .expect("the box")
            .click()
            .await
            .expect("tick it");
        client
            .execute(
                "document.getElementById('e-files').scrollIntoView({block: 'center'});",
                vec![],
            )
            .await
            .expect("scroll");
        screenshot(&client, &format!("export-files-{width}-{lang}")).await;
        client
            .execute(
                "document.getElementById('e-content').value = 'cells';",
                vec![],
            )
            .await
            .expect("cells");
        assert_eq!(files_shown().await, json!(false), "not with cells");
    }
}

/// Waits for the draw page's status to say `text`, then for the drawing titled `title` to be
/// stored with `count` attachments; those attachments.
async fn stored_attachments(
    app: &TestApp,
    title: &str,
    count: usize,
) -> Vec<trama::domain::attachment::Attachment> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(drawing) = stored_features(&app.store)
            .await
            .into_iter()
            .find(|f| f.title.as_deref() == Some(title))
        {
            let kept = app.store.list_attachments(drawing.id).await.expect("list");
            if kept.len() >= count {
                return kept;
            }
        }
        assert!(Instant::now() < deadline, "{title} never had {count}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_voice_note_recorded_on_a_phone_is_kept_once_and_plays_in_the_popup() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    let dir = tempfile::TempDir::new().expect("dir");
    let photo = crate::common::phone_photo_at(dir.path(), "IMG_0002.jpg");
    a_room_with_photos(&app, &code, &std::fs::read(&photo).expect("read")).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    // Chromium's own microphone: a beep, allowed without asking.
    let client = browser_with(
        &driver,
        &profile,
        &[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
    )
    .await;
    client.set_window_size(360, 740).await.expect("phone");
    for (lang, title, record, stop, saved) in [
        (
            "es",
            "Escuela con nota",
            "Grabar una nota de voz",
            "Terminar la nota",
            "Guardado",
        ),
        (
            "en",
            "School with a note",
            "Record a voice note",
            "Stop the note",
            "Saved",
        ),
    ] {
        if lang == "es" {
            client
                .goto(&format!("{}/j/{code}?lang=es", app.base))
                .await
                .expect("join page");
            join_on_page(&client, "Tero").await;
        } else {
            client
                .goto(&format!("{}/draw?lang=en", app.base))
                .await
                .expect("draw page");
        }
        draw_page_loaded(&client).await;
        click(&client, "[data-symbol=escuela]").await;
        let map = client.find(Locator::Id("map")).await.expect("map");
        click_map(&client, &map, if lang == "es" { 0.0 } else { 40.0 }, -30.0).await;
        wait_for_text(&client, "#feature-photos", record).await;
        let button = client
            .find(Locator::Css("#feature-photos .voice-record"))
            .await
            .expect("the record button");
        let height = button
            .rectangle()
            .await
            .map(|(_, _, _, h)| h)
            .unwrap_or_default();
        assert!(height >= 44.0, "a target for a thumb: {height}");
        click(&client, "#feature-photos .voice-record").await;
        wait_for_text(&client, "#feature-photos .voice-record", stop).await;
        // The time runs as the note is recorded.
        wait_for_text(&client, "#feature-photos .voice-record", "0:02").await;
        screenshot(&client, &format!("voice-recording-phone-{lang}")).await;
        click(&client, "#feature-photos .voice-record").await;
        client
            .wait()
            .for_element(Locator::Css(
                "#feature-photos .photo.voice audio[src^='blob:']",
            ))
            .await
            .expect("the note, to hear before sending");
        type_into(&client, "#feature-title", title).await;
        screenshot(&client, &format!("voice-sheet-phone-{lang}")).await;
        click(&client, "#feature-save").await;
        wait_for_text(&client, "#status", saved).await;

        // Kept once, as the sound recorded, two seconds and a half long.
        let kept = stored_attachments(&app, title, 1).await;
        tokio::time::sleep(Duration::from_secs(5)).await; // one more retry period: no duplicate
        let kept_now = stored_attachments(&app, title, 1).await;
        assert_eq!(kept_now.len(), 1, "kept once");
        assert_eq!(
            kept[0].kind,
            trama::domain::attachment::AttachmentKind::VoiceNote
        );
        assert_eq!(kept[0].media_type, "audio/webm");
        let ms = kept[0].duration_ms.unwrap_or_default();
        assert!((2000..=4500).contains(&ms), "{ms} ms");

        // Its popup has a player named for a screen reader, which reads the note's length.
        open_popup(&client, title).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        let heard = loop {
            let heard = client
                .execute(
                    "var a = document.querySelector('.leaflet-popup .photo-gallery audio'); \
                     if (!a) return null; if (a.preload !== 'metadata') { a.preload = 'metadata'; a.load(); } \
                     return isFinite(a.duration) && a.duration > 0 ? [a.getAttribute('aria-label'), a.duration] : null;",
                    vec![],
                )
                .await
                .expect("the player");
            if !heard.is_null() {
                break heard;
            }
            assert!(Instant::now() < deadline, "the note never played");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let label = heard[0].as_str().unwrap_or_default();
        assert!(
            label.starts_with(if lang == "es" {
                "Nota de voz 1 de 1 (0:0"
            } else {
                "Voice note 1 of 1 (0:0"
            }) && label.ends_with(title),
            "{label}"
        );
        let seconds = heard[1].as_f64().unwrap_or_default();
        assert!((2.0..=4.5).contains(&seconds), "plays {seconds} s");
        screenshot(&client, &format!("voice-popup-phone-{lang}")).await;
    }
}
