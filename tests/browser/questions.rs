//! A symbol's questions on a phone (issue 28): asked after the shape, in the page's
//! language, with targets for a thumb; a question that depends on an earlier answer appears
//! once that answer is given; what is answered is stored typed and shown in the popup.

use crate::common::legend_with_questions;
use crate::helpers::*;

/// A workshop's worth of answered drawings (160 over four tables), so that the page is seen
/// at a room's size.
async fn a_room_of_answers(app: &TestApp, code: &str) {
    for (t, table) in FOUR_TABLES.iter().enumerate() {
        let token = app.join(code, table).await;
        let features: Vec<Value> = (0..40)
            .map(|i| {
                let (lon, lat) = (
                    -58.404 + f64::from(i % 8) * 0.0011 + t as f64 * 0.0003,
                    -34.762 + f64::from(i / 8) * 0.0009,
                );
                json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"symbol": "comedor", "title": format!("Comedor {t}.{i}"),
                        "answers": {"raciones": 40 + i, "calle_segura": i % 2 == 0}}})
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
}

/// Taps the option labelled `label` of the question `key`.
async fn tap_option(client: &Client, key: &str, label: &str) {
    let options = client
        .find_all(Locator::Css(&format!(
            "#feature-questions fieldset[data-key={key}] label.choice"
        )))
        .await
        .expect("options");
    for option in options {
        if option.text().await.expect("text").trim() == label {
            option.click().await.expect("tap");
            return;
        }
    }
    panic!("no option {label} in {key}");
}

async fn is_shown(client: &Client, key: &str) -> bool {
    client
        .execute(
            "var f = document.querySelector('#feature-questions fieldset[data-key=' + arguments[0] + ']');\
             return !!f && !f.hidden && f.offsetParent !== null;",
            vec![json!(key)],
        )
        .await
        .expect("visibility")
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test]
async fn a_participant_answers_a_symbol_s_questions_on_the_phone_in_both_languages() {
    let _serial = SERIAL.lock().await;
    let database = TestDatabase::new(Backend::Sqlite).await;
    // A fixed address, so that the server can go away and come back where the page knows it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let address = listener.local_addr().expect("addr");
    drop(listener);
    let app = TestApp::start_at(database, trama::Limits::default(), address).await;
    let staff = app.project().await;
    legend_with_questions(&app, &staff.analyst).await;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    a_room_of_answers(&app, &code).await;
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

    // Spanish, the default: a clandestine workshop, one tap on the map.
    click(&client, "[data-symbol=taller_clandestino]").await;
    let map = client.find(Locator::Id("map")).await.expect("map");
    click_map(&client, &map, 0.0, -30.0).await;
    client
        .wait()
        .for_element(Locator::Css("#feature-questions fieldset[data-key=chicos]"))
        .await
        .expect("the first question");
    wait_for_text(&client, "#feature-questions", "¿Trabajan chicos?").await;
    assert!(
        !is_shown(&client, "cuantos").await,
        "how many is asked only once children are said to work there"
    );
    tap_option(&client, "chicos", "Sí").await;
    assert!(is_shown(&client, "cuantos").await);
    for _ in 0..3 {
        click(
            &client,
            "#feature-questions fieldset[data-key=cuantos] button.step:last-child",
        )
        .await;
    }
    tap_option(&client, "edades", "Menos de 13").await;
    tap_option(&client, "horario", "De noche").await;
    // Targets for a thumb: every option is at least 44 px high.
    let smallest = client
        .execute(
            "return Math.min.apply(null, Array.from(document.querySelectorAll('#feature-questions label.choice, #feature-questions button.step')).map(function (e) { return e.getBoundingClientRect().height; }));",
            vec![],
        )
        .await
        .expect("sizes");
    assert!(smallest.as_f64().unwrap_or(0.0) >= 44.0, "{smallest}");
    screenshot(&client, "questions-phone-es").await;
    type_into(&client, "#feature-title", "Galpón").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Guardado").await;
    let talleres: Vec<_> = stored_features(&app.store)
        .await
        .into_iter()
        .filter(|f| f.symbol == "taller_clandestino")
        .collect();
    assert_eq!(talleres.len(), 1);
    assert_eq!(
        Value::from(talleres[0].answers.clone()),
        json!({"chicos": true, "cuantos": 3, "edades": ["menos_13"], "horario": "noche"}),
        "answered as tapped, typed"
    );

    // The server goes away: a soup kitchen answered meanwhile waits in the phone's queue
    // with its answers, and is stored once, answers and all, when the server is back.
    let database = app.stop().await;
    click(&client, "[data-symbol=comedor]").await;
    let map = client.find(Locator::Id("map")).await.expect("map");
    click_map(&client, &map, -40.0, 30.0).await;
    wait_for_text(&client, "#feature-questions", "Raciones por día").await;
    type_into(
        &client,
        "#feature-questions fieldset[data-key=raciones] input",
        "33",
    )
    .await;
    type_into(&client, "#feature-title", "Comedor sin señal").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Sin conexión").await;
    let queued = client
        .execute(
            "return JSON.parse(localStorage.getItem('trama.queue.lomas')).map(function (i) { return i.feature.properties.answers; });",
            vec![],
        )
        .await
        .expect("the queue");
    assert_eq!(
        queued,
        json!([{"raciones": 33}]),
        "the answers wait with the drawing"
    );
    let app = TestApp::start_at(database, trama::Limits::default(), address).await;
    wait_for_text(&client, "#status", "Guardado").await;
    tokio::time::sleep(Duration::from_secs(5)).await; // one more retry period: no duplicate
    let sent: Vec<_> = stored_features(&app.store)
        .await
        .into_iter()
        .filter(|f| f.title.as_deref() == Some("Comedor sin señal"))
        .collect();
    assert_eq!(sent.len(), 1, "stored once");
    assert_eq!(
        Value::from(sent[0].answers.clone()),
        json!({"raciones": 33})
    );

    // English: a soup kitchen, its number typed.
    client
        .goto(&format!("{}/draw?lang=en", app.base))
        .await
        .expect("draw page in English");
    draw_page_loaded(&client).await;
    click(&client, "[data-symbol=comedor]").await;
    let map = client.find(Locator::Id("map")).await.expect("map");
    click_map(&client, &map, 40.0, 30.0).await;
    wait_for_text(&client, "#feature-questions", "Meals a day").await;
    wait_for_text(
        &client,
        "#feature-questions",
        "Only the coordinators see this answer",
    )
    .await;
    type_into(
        &client,
        "#feature-questions fieldset[data-key=raciones] input",
        "120",
    )
    .await;
    tap_option(&client, "calle_segura", "No").await;
    type_into(&client, "#feature-title", "Kitchen").await;
    screenshot(&client, "questions-phone-en").await;
    click(&client, "#feature-save").await;
    wait_for_text(&client, "#status", "Saved").await;
    let kitchen = stored_features(&app.store)
        .await
        .into_iter()
        .find(|f| f.title.as_deref() == Some("Kitchen"))
        .expect("the kitchen");
    assert_eq!(
        Value::from(kitchen.answers),
        json!({"raciones": 120, "calle_segura": false})
    );

    // A laptop: the popup of a drawing says its answers.
    client.set_window_size(1366, 900).await.expect("laptop");
    client
        .goto(&format!("{}/draw?lang=es", app.base))
        .await
        .expect("draw page");
    draw_page_loaded(&client).await;
    client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             import('/static/js/draw.js').then(function (page) { var opened = false; \
               page.map.eachLayer(function (l) { \
                 if (!opened && l.feature && l.feature.properties.symbol === 'taller_clandestino' && l.openPopup) { l.openPopup(); opened = true; } }); \
               done(opened); });",
            vec![],
        )
        .await
        .expect("open the workshop's popup");
    wait_for_text(&client, ".leaflet-popup dl.answers", "De noche").await;
    screenshot(&client, "questions-popup-laptop-es").await;
}

#[tokio::test]
async fn an_analyst_filters_the_review_on_an_answer_and_reads_the_answers() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let staff = app.project().await;
    legend_with_questions(&app, &staff.analyst).await;
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;
    let workshop = a_large_workshop(&app, &staff.facilitator).await;
    let code = workshop["join_code"].as_str().expect("code").to_owned();
    a_room_of_answers(&app, &code).await;
    let driver = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser(&driver, &profile).await;
    log_in(&client, &app.base, "coordinadora").await;
    client.set_window_size(1366, 768).await.expect("laptop");
    client
        .goto(&format!("{}/review/lomas?lang=es", app.base))
        .await
        .expect("review");
    wait_for_text(&client, "#count", "160 elementos").await;
    // "¿La calle es segura?" is a private question: an analyst may filter on it.
    client
        .find(Locator::Css("#f-answer"))
        .await
        .expect("the answer filter")
        .select_by_value("calle_segura:true")
        .await
        .expect("choose an answer");
    click(&client, "#filters button[type=submit]").await;
    wait_for_text(&client, "#count", "80 elementos").await;
    click(&client, "#features tbody tr[data-id] td.title button").await;
    wait_for_text(
        &client,
        "#features tr.details dl.answers",
        "Raciones por día",
    )
    .await;
    screenshot(&client, "review-answers-1366-es").await;

    // Priority areas weighed by the meals served: the kitchens' score is their weight times
    // their rations.
    click(&client, "#tab-priority").await;
    client
        .find(Locator::Css("#p-weight"))
        .await
        .expect("what each drawing weighs")
        .select_by_value("raciones")
        .await
        .expect("weigh by the rations");
    click(&client, "#p-compute").await;
    wait_for_text(&client, "#priority-status", "zona").await;
    screenshot(&client, "review-priority-weighed-1366-es").await;

    client.set_window_size(360, 740).await.expect("phone");
    client
        .goto(&format!("{}/review/lomas?lang=en", app.base))
        .await
        .expect("review in English");
    wait_for_text(&client, "#count", "160").await;
    wait_for_text(&client, "#f-answer", "Yes").await;
    let groups = client
        .execute(
            "return Array.from(document.querySelectorAll('#f-answer optgroup')).map(function (g) { return g.label; });",
            vec![],
        )
        .await
        .expect("the questions");
    assert_eq!(
        groups,
        json!([
            "Do children work there?",
            "What ages?",
            "At what time?",
            "Is the street safe?"
        ]),
        "the yes/no and choice questions, in English, private ones too for an analyst"
    );
    screenshot(&client, "review-answers-360-en").await;
}
