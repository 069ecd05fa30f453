//! What every story of the browser tests shares: the driver, a browser with or without the
//! network, logging in, clicking and typing, waiting for a text or a colour, the basemap
//! switch, and the imports they all use.

pub use std::process::{Child, Command, Stdio};
pub use std::time::{Duration, Instant};

pub use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
pub use fantoccini::{Client, ClientBuilder, Locator};
pub use serde_json::{Value, json};

pub use crate::common::{Backend, TestApp, TestDatabase};

/// One browser at a time: the 3G timing must not share the two cores with other browsers.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// chromedriver on a free port; killed when dropped.
pub struct Driver {
    pub child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn driver() -> Driver {
    driver_at_home(None).await
}

/// chromedriver whose browsers have `home` as their home folder: Chromium on Linux trusts the
/// certificate authorities in `<home>/.pki/nssdb`, as a device trusts those installed on it.
pub async fn driver_at_home(home: Option<&std::path::Path>) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut command = Command::new("chromedriver");
    if let Some(home) = home {
        command.env("HOME", home);
    }
    let child = command
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium-driver; .ci/run does it)");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

pub async fn browser(driver: &Driver, profile: &tempfile::TempDir) -> Client {
    browser_with(driver, profile, &[]).await
}

/// Chromium with every host name but the loopback address left unresolved: nothing can be
/// loaded from another host, as in a room with no internet.
pub const NO_OTHER_HOST: &str = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1";

pub async fn browser_with(driver: &Driver, profile: &tempfile::TempDir, extra: &[&str]) -> Client {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=412,915",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Chrome's network throttling, through chromedriver's `network_conditions` extension.
#[derive(Debug)]
pub struct Throttle {
    pub latency_ms: u64,
    pub download_bytes_per_s: u64,
    pub upload_bytes_per_s: u64,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Throttle {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/chromium/network_conditions",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({"network_conditions": {
            "offline": false,
            "latency": self.latency_ms,
            "download_throughput": self.download_bytes_per_s,
            "upload_throughput": self.upload_bytes_per_s,
        }});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

pub async fn screenshot(client: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// Clicks at an offset (pixels) from the centre of the map.
pub async fn click_map(client: &Client, map: &fantoccini::elements::Element, x: f64, y: f64) {
    let actions = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: map.clone(),
            duration: None,
            x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(150),
        });
    client
        .perform_actions(actions)
        .await
        .expect("click on the map");
}

/// Taps the largest drawing on the map (a polygon among points), at its middle.
pub async fn click_largest_shape(client: &Client) {
    let index = client
        .execute(
            "var paths = Array.prototype.slice.call(document.querySelectorAll('#map path.leaflet-interactive')); var best = 0, area = -1; paths.forEach(function (p, i) { var r = p.getBoundingClientRect(); if (r.width * r.height > area) { area = r.width * r.height; best = i; } }); return best;",
            vec![],
        )
        .await
        .expect("shapes");
    let shapes = client
        .find_all(Locator::Css("#map path.leaflet-interactive"))
        .await
        .expect("shapes");
    let index = usize::try_from(index.as_u64().expect("index")).expect("index");
    shapes[index].click().await.expect("tap the shape");
}

/// A user whose password is "una clave bien larga", as `trama user add` would create.
pub async fn user_with_password(app: &TestApp, username: &str, role: trama::domain::access::Role) {
    let hash = trama::application::identity::hash_password("una clave bien larga").expect("hash");
    let user = trama::store::User {
        id: uuid::Uuid::new_v4(),
        username: username.into(),
        role,
        created_at: chrono::Utc::now(),
        disabled: false,
    };
    app.store
        .create_user(
            &trama::domain::permit::Permit::operator(trama::domain::permit::UserAdministration),
            &user,
            &hash,
        )
        .await
        .expect("user");
}

/// Logs in through the login page as `username` (password "una clave bien larga").
pub async fn log_in(client: &Client, base: &str, username: &str) {
    client
        .goto(&format!("{base}/login?lang=es"))
        .await
        .expect("login page");
    type_into(client, "#username", username).await;
    type_into(client, "#password", "una clave bien larga").await;
    click(client, "form.card button[type=submit]").await;
}

/// Clicks the element `css` selects, once it is there, brought to the middle of the screen
/// first as a person would look at it (WebDriver alone scrolls it to the bottom edge, under a
/// notice shown there).
pub async fn click(client: &Client, css: &str) {
    let element = client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&element).expect("element")],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Clicks the button whose text contains `label` (in a popup, say), once it is there.
pub async fn click_button(client: &Client, label: &str) {
    let xpath = format!("//button[contains(., '{label}')]");
    let button = client
        .wait()
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("button {label}: {e}"));
    button
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {label}: {e}"));
}

/// Types into the field `css` selects, once it is there. A page that redraws the field between
/// finding and typing (a slow machine) leaves a stale element: it is found again.
pub async fn type_into(client: &Client, css: &str, text: &str) {
    let mut attempts = 0;
    loop {
        let element = client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.send_keys(text).await {
            Ok(()) => return,
            Err(e) if attempts < 5 && e.to_string().contains("stale element") => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("type into {css}: {e}"),
        }
    }
}

pub async fn wait_for_text(client: &Client, selector: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(element) = client.find(Locator::Css(selector)).await
            && element.text().await.unwrap_or_default().contains(expected)
        {
            return;
        }
        if Instant::now() > deadline {
            let page = client.source().await.unwrap_or_default();
            panic!("{selector} never said {expected:?}; the page was:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn stored_features(
    app_store: &std::sync::Arc<dyn trama::store::Store>,
) -> Vec<trama::domain::feature::Feature> {
    let project = app_store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("project");
    app_store
        .list_features(project.id, &Default::default())
        .await
        .expect("list")
}

/// The share of the pixels on screen inside the element `css` within `tolerance` (per
/// channel) of `rgb`, read from a screenshot: what a person sees, not what was requested.
pub async fn share_of_colour(client: &Client, css: &str, rgb: [u8; 3], tolerance: u8) -> f64 {
    let rect = client
        .execute(
            "var e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'nearest'}); var r = e.getBoundingClientRect(); var d = window.devicePixelRatio || 1; return [r.left * d, r.top * d, r.width * d, r.height * d];",
            vec![json!(css)],
        )
        .await
        .expect("rect");
    let rect: Vec<f64> = serde_json::from_value(rect).expect("numbers");
    let png = client.screenshot().await.expect("screenshot");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("png");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut pixels).expect("frame");
    let channels = frame.color_type.samples();
    let (width, height) = (frame.width as usize, frame.height as usize);
    let (x0, y0) = (rect[0].max(0.0) as usize, rect[1].max(0.0) as usize);
    let (x1, y1) = (
        ((rect[0] + rect[2]) as usize).min(width),
        ((rect[1] + rect[3]) as usize).min(height),
    );
    let (mut matching, mut total) = (0usize, 0usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let at = (y * width + x) * channels;
            total += 1;
            if (0..3).all(|c| pixels[at + c].abs_diff(rgb[c]) <= tolerance) {
                matching += 1;
            }
        }
    }
    matching as f64 / total.max(1) as f64
}

/// Waits until at least `share` of the element's pixels are of colour `rgb`.
pub async fn wait_for_colour(client: &Client, css: &str, rgb: [u8; 3], share: f64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let seen = share_of_colour(client, css, rgb, 12).await;
        if seen >= share {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {seen:.3} of {css} is {rgb:?}, wanted {share}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Opens the map's basemap switch (brought into view first: the draw page scrolls).
pub async fn open_basemap_switch(client: &Client) {
    client
        .execute(
            "document.getElementById('map').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await
        .expect("scroll");
    // Leaflet keeps the switch open while the pointer is over it, as after a choice.
    let open = client
        .execute(
            "return !!document.querySelector('.leaflet-control-layers-expanded');",
            vec![],
        )
        .await
        .expect("state");
    if open != json!(true) {
        click(client, ".leaflet-control-layers-toggle").await;
    }
}

/// Picks a basemap in the map's switch by its label.
pub async fn choose_basemap(client: &Client, label: &str) {
    open_basemap_switch(client).await;
    let xpath = format!("//label[.//span[normalize-space(.)='{label}']]");
    let choice = client
        .wait()
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("basemap {label}: {e}"));
    choice.click().await.expect("choose");
}

/// Clicks `css` once brought to the middle of the screen (out from under the page's notice,
/// which is fixed at the bottom of a phone's screen).
pub async fn click_centred(client: &Client, css: &str) {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![json!(css)],
        )
        .await
        .expect("scroll");
    click(client, css).await;
}

/// Water of the vector style (basemap-style.js), and the lake drawn in the test's files.
pub const VECTOR_WATER: [u8; 3] = [0x9c, 0xc7, 0xec];

/// Fills in the join page the browser is on (its first table, the nickname `nickname`) and
/// sends it.
pub async fn join_on_page(client: &Client, nickname: &str) {
    click(client, "input[name=group]").await;
    type_into(client, "#display_name", nickname).await;
    click(client, "form.card button[type=submit]").await;
}

/// Waits until the draw page shows what there is (its legend and drawings).
pub async fn draw_page_loaded(client: &Client) {
    client
        .wait()
        .for_element(Locator::Css("#app[data-loaded=true]"))
        .await
        .expect("the draw page");
}

/// The tables of a workshop at a real room's size.
pub const FOUR_TABLES: [&str; 4] = ["Jóvenes", "Docentes", "Familias", "Delegadas"];

/// A workshop of [`FOUR_TABLES`] that `facilitator` (a token) creates: its JSON.
pub async fn a_large_workshop(app: &TestApp, facilitator: &str) -> Value {
    let (status, workshop) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(facilitator),
            &json!({"title": "Taller grande", "groups": FOUR_TABLES, "legal_basis": crate::common::mandate()}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{workshop}");
    workshop
}
