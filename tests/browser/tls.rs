//! The room's own HTTPS (`trama serve --tls`): a programme tablet that trusts the room's
//! authority moves to HTTPS by itself and gets the service worker, from a name that is not
//! the loopback address; a phone that does not trust it joins over plain HTTP as always.

use crate::helpers::*;

/// A home folder whose NSS database trusts `authority` (PEM) for websites, as a tablet that
/// installed the room's certificate: `certutil` (Debian's libnss3-tools; `.ci/run` installs it).
fn home_trusting(authority: &str) -> tempfile::TempDir {
    let home = tempfile::TempDir::new().expect("home");
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("nssdb");
    let file = home.path().join("trama-taller.crt");
    std::fs::write(&file, authority).expect("certificate");
    let db_arg = format!("sql:{}", db.display());
    for args in [
        vec!["-N", "-d", &db_arg, "--empty-password"],
        vec![
            "-A",
            "-d",
            &db_arg,
            "-n",
            "Trama taller",
            "-t",
            "C,,",
            "-i",
            file.to_str().expect("utf-8"),
        ],
    ] {
        let status = Command::new("certutil")
            .args(&args)
            .status()
            .expect("certutil (apt-get install libnss3-tools; .ci/run does it)");
        assert!(status.success(), "certutil {args:?}");
    }
    home
}

/// The address the page is at, once it has settled.
async fn url_starting(client: &Client, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = client.current_url().await.expect("url").to_string();
        if url.starts_with(prefix) {
            return url;
        }
        assert!(Instant::now() < deadline, "never at {prefix}: at {url}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_tablet_that_trusts_the_room_gets_https_and_its_service_worker() {
    let _serial = SERIAL.lock().await;
    let app = TestApp::start_with_tls(Backend::Sqlite, &["trama.test"]).await;
    let port = app.base.rsplit(':').next().expect("port").to_owned();
    let (http, https) = (
        format!("http://trama.test:{port}"),
        format!("https://trama.test:{port}"),
    );
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    user_with_password(&app, "coordinadora", trama::domain::access::Role::Analyst).await;

    // The room's certificate, as a tablet downloads it over plain HTTP.
    let response = reqwest::get(format!("{}/tls/ca.crt", app.base))
        .await
        .expect("certificate");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-x509-ca-cert"
    );
    let authority = response.text().await.expect("pem");
    assert!(authority.starts_with("-----BEGIN CERTIFICATE-----"));

    // The tablet that installed it, at the laptop's name on the room's network.
    let home = home_trusting(&authority);
    let tablet = driver_at_home(Some(home.path())).await;
    let profile = tempfile::TempDir::new().expect("profile");
    let resolve = "--host-resolver-rules=MAP trama.test 127.0.0.1";
    let client = browser_with(&tablet, &profile, &[resolve]).await;
    client.set_window_size(360, 740).await.expect("phone");
    client
        .goto(&format!("{http}/j/{}?lang=es", workshop.code))
        .await
        .expect("join over http");
    // It moves to HTTPS by itself, and joins there.
    url_starting(&client, &format!("{https}/j/")).await;
    join_on_page(&client, "Tablet 1").await;
    url_starting(&client, &format!("{https}/draw")).await;
    draw_page_loaded(&client).await;
    // A secure context: the service worker runs (what a reload with the Wi-Fi down needs).
    let worker = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             if (!window.isSecureContext || !navigator.serviceWorker) { done('not secure'); return; } \
             navigator.serviceWorker.ready.then(function (r) { done(r.active ? 'active' : 'none'); });",
            vec![],
        )
        .await
        .expect("service worker");
    assert_eq!(worker, json!("active"));
    // Its session cookie is Secure (sent over HTTPS only), under a name of its own so that
    // plain HTTP can still set the plain one; and, as always, HttpOnly.
    let cookies = client.get_all_cookies().await.expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c.name() == "__Secure-trama_session")
        .unwrap_or_else(|| panic!("a secure session cookie among {cookies:?}"));
    assert_eq!(session.secure(), Some(true));
    assert_eq!(session.http_only(), Some(true));
    screenshot(&client, "tls-draw-phone-es").await;

    // The page that tells how to trust the laptop, in both languages.
    let mut on_the_page = String::new();
    for lang in ["es", "en"] {
        client
            .goto(&format!("{https}/tls?lang={lang}"))
            .await
            .expect("tls page");
        wait_for_text(
            &client,
            "h1",
            if lang == "es" {
                "Confiar en esta computadora"
            } else {
                "Trust this laptop once"
            },
        )
        .await;
        screenshot(&client, &format!("tls-page-phone-{lang}")).await;
        on_the_page = client
            .find(Locator::Css(".fingerprint code"))
            .await
            .expect("fingerprint")
            .text()
            .await
            .expect("text");
    }
    // The wall, over HTTPS, tells facilitators where tablets learn it.
    client.set_window_size(1366, 768).await.expect("laptop");
    log_in(&client, &https, "coordinadora").await;
    client
        .goto(&format!("{https}/workshops/{}/wall?lang=es", workshop.id))
        .await
        .expect("wall");
    wait_for_text(&client, ".panel", "Tabletas del programa").await;
    wait_for_text(&client, ".panel", "/tls").await;
    // The fingerprint to compare, the same on the wall as on the /tls page.
    let fingerprint = client
        .find(Locator::Css(".fingerprint-small"))
        .await
        .expect("fingerprint")
        .text()
        .await
        .expect("text");
    assert_eq!(fingerprint.split(':').count(), 32, "{fingerprint}");
    assert_eq!(fingerprint, on_the_page);
    screenshot(&client, "tls-wall-es").await;
    client.close().await.expect("close");

    // A participant's own phone, which trusts nothing of the room's: plain HTTP, as always.
    let phone = driver().await;
    let profile = tempfile::TempDir::new().expect("profile");
    let client = browser_with(&phone, &profile, &[resolve]).await;
    client
        .goto(&format!("{http}/j/{}?lang=es", workshop.code))
        .await
        .expect("join over http");
    tokio::time::sleep(Duration::from_secs(3)).await;
    url_starting(&client, &format!("{http}/j/")).await;
    join_on_page(&client, "Tero").await;
    url_starting(&client, &format!("{http}/draw")).await;
    draw_page_loaded(&client).await;
    client.close().await.expect("close");
}
