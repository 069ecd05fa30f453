//! Pages over plain HTTP: sessions, CSRF, security headers, caching, readable errors.

use reqwest::{Method, StatusCode, redirect};

use crate::common::{Backend, TestApp, point, read};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// The value of a `Set-Cookie` for `name` in a response.
fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

async fn joining_through_the_page_gives_a_session_that_needs_csrf_to_write(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let client = client();

    let page = client
        .get(format!("{}/j/{}", app.base, workshop.code))
        .send()
        .await
        .expect("join page");
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let csrf_cookie = cookie(&page, "trama_csrf").expect("csrf cookie");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
    let csrf = csrf_cookie
        .split(';')
        .next()
        .expect("pair")
        .trim_start_matches("trama_csrf=")
        .to_owned();
    let html = page.text().await.expect("html");
    assert!(html.contains("Jóvenes") && html.contains(&csrf));
    let (_, project) = app
        .get(
            &format!("/api/workshops/{}", workshop.id),
            Some(&staff.analyst),
        )
        .await;
    let group = project["groups"][0]["id"]
        .as_str()
        .expect("group")
        .to_owned();

    // A form without the CSRF token is refused with a readable page.
    let forged = client
        .post(format!("{}/j/{}", app.base, workshop.code))
        .header("cookie", format!("trama_csrf={csrf}"))
        .form(&[("csrf", "wrong"), ("group", group.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        forged.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );

    let joined = client
        .post(format!("{}/j/{}", app.base, workshop.code))
        .header("cookie", format!("trama_csrf={csrf}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("group", group.as_str()),
            ("display_name", "Tero"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(joined.headers()["location"], "/draw");
    let session = cookie(&joined, "trama_session").expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    let token = session
        .split(';')
        .next()
        .expect("pair")
        .trim_start_matches("trama_session=")
        .to_owned();
    let cookies = format!("trama_session={token}; trama_csrf={csrf}");

    let draw = client
        .get(format!("{}/draw", app.base))
        .header("cookie", &cookies)
        .send()
        .await
        .expect("draw");
    assert_eq!(draw.status(), StatusCode::OK);
    let html = draw.text().await.expect("html");
    assert!(
        html.contains("data-project=\"lomas\"") && !html.contains("<script>"),
        "no inline script"
    );

    // The session reads the API; writing needs the page's CSRF token too.
    let read = client
        .get(format!("{}/api/projects/lomas/features", app.base))
        .header("cookie", &cookies)
        .send()
        .await
        .expect("read");
    assert_eq!(read.status(), StatusCode::OK);
    let url = format!("{}/api/projects/lomas/features", app.base);
    let without = client
        .post(&url)
        .header("cookie", &cookies)
        .json(&point("escuela", -58.4, -34.7))
        .send()
        .await
        .expect("send");
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let with = client
        .post(&url)
        .header("cookie", &cookies)
        .header("x-csrf-token", &csrf)
        .json(&point("escuela", -58.4, -34.7))
        .send()
        .await
        .expect("send");
    assert_eq!(with.status(), StatusCode::CREATED);

    // Leaving ends the session on the server: the same cookie, kept or copied, no longer works.
    let left = client
        .post(format!("{}/leave", app.base))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("leave");
    assert_eq!(left.status(), StatusCode::SEE_OTHER);
    let after = client
        .get(format!("{}/api/projects/lomas/features", app.base))
        .header("cookie", &cookies)
        .send()
        .await
        .expect("read");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let draw = client
        .get(format!("{}/draw", app.base))
        .header("cookie", &cookies)
        .send()
        .await
        .expect("draw");
    assert_eq!(draw.status(), StatusCode::UNAUTHORIZED);
}

async fn pages_fail_readably_and_static_files_revalidate(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = client();
    let draw = client
        .get(format!("{}/draw", app.base))
        .send()
        .await
        .expect("draw");
    assert_eq!(draw.status(), StatusCode::UNAUTHORIZED);
    assert!(
        draw.text().await.expect("html").contains("Volvé a entrar"),
        "Spanish by default"
    );
    let english = client
        .get(format!("{}/draw", app.base))
        .header("accept-language", "en-GB,en;q=0.8")
        .send()
        .await
        .expect("draw");
    assert!(english.text().await.expect("html").contains("Join again"));
    let unknown = client
        .get(format!("{}/j/ZZZ-ZZZ", app.base))
        .send()
        .await
        .expect("join");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown = unknown.text().await.expect("html");
    assert!(unknown.contains("No hay ningún taller abierto"));
    // Not a dead end: the code can be typed again on the same page.
    assert!(
        unknown.contains(r#"<form class="card" method="get" action="/j">"#)
            && unknown.contains(r#"id="code""#),
        "{unknown}"
    );
    // A mistyped address: a page for a browser, problem JSON for the API and other clients.
    let browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let typo = client
        .get(format!("{}/reveiw/lomas", app.base))
        .header("accept", browser_accept)
        .send()
        .await
        .expect("typo");
    assert_eq!(typo.status(), StatusCode::NOT_FOUND);
    // Like every page, with a policy that lets no script run.
    let policy = typo.headers()["content-security-policy"]
        .to_str()
        .expect("policy");
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");
    assert!(
        typo.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    assert!(
        typo.text()
            .await
            .expect("html")
            .contains("No encontramos esa página")
    );
    for (path, accept) in [
        ("/api/nothing", "application/json, text/html"),
        ("/reveiw/lomas", "*/*"),
    ] {
        let answer = client
            .get(format!("{}{path}", app.base))
            .header("accept", accept)
            .send()
            .await
            .expect("unknown");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            answer.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    // The export page's form goes straight to the API: a refusal is a page in the visitor's
    // language with the server's reason, while scripts and API clients still get JSON.
    let staff = app.project().await;
    let export = "/api/projects/lomas/export?format=csv&mask_min=300&mask_max=100";
    let host = app.base.trim_start_matches("http://").to_owned();
    let refused = app
        .request(Method::GET, export, Some(&staff.researcher))
        .header("accept", browser_accept)
        .header("referer", format!("http://{host}/export/lomas?lang=es"))
        .send()
        .await
        .expect("export");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        refused.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("default-src 'none'")
    );
    let page = refused.text().await.expect("html");
    assert!(page.contains("No se pudo hacer lo que pediste"), "{page}");
    // The reason in the page's language (the problem's code), not the API's English.
    assert!(
        page.contains("El desplazamiento va en metros, de 0 a 5000"),
        "the reason: {page}"
    );
    assert!(!page.contains("mask_min"), "{page}");
    let json = app
        .request(Method::GET, export, Some(&staff.researcher))
        .send()
        .await
        .expect("export");
    let (_, problem) = read(json).await;
    assert_eq!(problem["code"], "export.mask_range", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("mask_min"))
    );
    // And a way back to the form, to change what was asked (never to another site).
    assert!(
        page.contains(r#"href="/export/lomas?lang=es""#) && page.contains("Volver a la página"),
        "{page}"
    );
    let elsewhere = app
        .request(Method::GET, export, Some(&staff.researcher))
        .header("accept", browser_accept)
        .header("referer", "http://evil.example/export/lomas")
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("html");
    assert!(!elsewhere.contains("Volver a la página"), "{elsewhere}");
    let anonymous = client
        .get(format!("{}{export}", app.base))
        .header("accept", browser_accept)
        .header("accept-language", "en")
        .send()
        .await
        .expect("export");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(
        anonymous
            .text()
            .await
            .expect("html")
            .contains("Your session has ended")
    );
    let (status, problem) = app.get(export, Some(&staff.researcher)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("mask_min")),
        "{problem}"
    );

    let chosen = client
        .get(format!("{}/?lang=en", app.base))
        .send()
        .await
        .expect("home");
    assert!(
        cookie(&chosen, "trama_lang").is_some_and(|c| c.starts_with("trama_lang=en")),
        "the choice is remembered"
    );

    let script = client
        .get(format!("{}/static/vendor/leaflet/leaflet.js", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("script");
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()["content-encoding"], "gzip");
    let etag = script.headers()["etag"].to_str().expect("etag").to_owned();
    let again = client
        .get(format!("{}/static/vendor/leaflet/leaflet.js", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let missing = app
        .request(Method::GET, "/static/nothing.js", None)
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// The drawing page's scripts stay under 150 KB compressed, for cheap phones on 3G.
#[test]
fn the_drawing_page_ships_under_150_kb_of_compressed_javascript() {
    use std::io::Write;
    let page = include_str!("../../templates/draw.html");
    // Classic scripts, module entry points and the modules they import (preloaded).
    let scripts: Vec<&str> = page
        .split(['"', '\''])
        .filter(|part| part.starts_with("/static/") && part.ends_with(".js"))
        .collect();
    assert!(scripts.len() >= 6, "{scripts:?}");
    let root = env!("CARGO_MANIFEST_DIR");
    let mut total = 0;
    for script in &scripts {
        let path = format!("{root}{script}");
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{path}"));
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(&bytes).expect("compress");
        total += gzip.finish().expect("compress").len();
    }
    assert!(total < 150 * 1024, "{total} bytes of compressed JavaScript");
}

async fn admins_upload_pictograms_that_cannot_run_or_reach_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let put = |name: &str, token: &str, svg: &'static str| {
        app.request(Method::PUT, &format!("/api/pictograms/{name}"), Some(token))
            .header("content-type", "image/svg+xml")
            .body(svg)
            .send()
    };
    let good = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/></svg>"#;
    assert_eq!(
        put("olla", &staff.analyst, good)
            .await
            .expect("send")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put("olla", &staff.admin, good)
            .await
            .expect("send")
            .status(),
        StatusCode::NO_CONTENT
    );
    // Whatever else an upload holds is not kept: it is written back as drawing only.
    let attack = r#"<svg xmlns="http://www.w3.org/2000/svg" onload ="fetch('https://x.example')"><a href = "javascript:alert(1)"><circle cx="5" cy="5" r="4"/></a><image href="https://x.example/p.png" width="2" height="2"/></svg>"#;
    assert_eq!(
        put("olla2", &staff.admin, attack)
            .await
            .expect("send")
            .status(),
        StatusCode::NO_CONTENT
    );
    let kept = client()
        .get(format!("{}/pictograms/olla2.svg", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("svg");
    assert!(kept.contains("<path"), "{kept}");
    for gone in ["onload", "x.example", "javascript", "<image", "<a "] {
        assert!(!kept.contains(gone), "{kept} keeps {gone}");
    }
    let refused = put(
        "olla3",
        &staff.admin,
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('https://x.example')"></svg>"#,
    )
    .await
    .expect("send");
    let (status, problem) = crate::common::read(refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("nothing to draw"),
        "{problem}"
    );
    let (status, _) =
        crate::common::read(put("../x", &staff.admin, good).await.expect("send")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a path, not a name");

    let served = client()
        .get(format!("{}/pictograms/olla.svg", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(served.headers()["content-type"], "image/svg+xml");
    assert!(
        served.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("sandbox")
    );
    // The circle, as the drawing it is.
    assert!(served.text().await.expect("svg").contains("<path"));
    let shipped = client()
        .get(format!("{}/pictograms/school.svg", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(shipped.status(), StatusCode::OK);
    let (_, list) = app.get("/api/pictograms", Some(&staff.facilitator)).await;
    assert_eq!(list["uploaded"], serde_json::json!(["olla", "olla2"]));
    assert!(list["shipped"].as_array().expect("shipped").len() >= 16);
}

/// The legend's pictograms in one answer, as data: URLs of the same drawings the one-by-one
/// files serve (an uploaded one in place of a shipped one of its name), for whoever reads
/// the legend.
async fn the_legend_s_pictograms_come_in_one_answer(backend: Backend) {
    use base64::Engine;
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let path = "/api/projects/lomas/legend/pictograms";
    assert_eq!(app.get(path, None).await.0, StatusCode::UNAUTHORIZED);
    let (_, legend) = app
        .get("/api/projects/lomas/legend", Some(&participant))
        .await;
    let icons: std::collections::BTreeSet<&str> = legend
        .as_array()
        .expect("legend")
        .iter()
        .filter_map(|s| s["icon"].as_str())
        .collect();
    assert!(icons.len() >= 3, "{legend}");
    let decode = |url: &serde_json::Value| {
        let data = url
            .as_str()
            .and_then(|u| u.strip_prefix("data:image/svg+xml;base64,"))
            .expect("a data: URL of an SVG");
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .expect("base64"),
        )
        .expect("utf-8")
    };
    let (status, batch) = app.get(path, Some(&participant)).await;
    assert_eq!(status, StatusCode::OK, "{batch}");
    let given = batch["pictograms"].as_object().expect("pictograms");
    assert_eq!(given.len(), icons.len(), "{batch}");
    for icon in &icons {
        let file = client()
            .get(format!("{}/pictograms/{icon}.svg", app.base))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("svg");
        assert_eq!(decode(&given[*icon]), file, "{icon}");
    }
    // An admin's drawing of the same name replaces the shipped one there too.
    let first = icons.iter().next().expect("an icon");
    let uploaded = app
        .request(Method::PUT, &format!("/api/pictograms/{first}"), Some(&staff.admin))
        .header("content-type", "image/svg+xml")
        .body(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect x="2" y="2" width="20" height="20"/></svg>"#)
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), StatusCode::NO_CONTENT);
    let (_, batch) = app.get(path, Some(&participant)).await;
    let replaced = decode(&batch["pictograms"][*first]);
    assert!(replaced.contains("<path"), "{replaced}");
    assert!(
        !replaced.contains("<rect"),
        "kept as drawing only: {replaced}"
    );
}

crate::both_backends!(
    joining_through_the_page_gives_a_session_that_needs_csrf_to_write,
    pages_fail_readably_and_static_files_revalidate,
    admins_upload_pictograms_that_cannot_run_or_reach_out,
    the_legend_s_pictograms_come_in_one_answer,
);
