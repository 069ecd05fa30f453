//! The room's own HTTPS (`trama serve --tls`, `crate::tls`): the page that tells a tablet how
//! to trust this laptop once, the authority's certificate it installs, and the small answer
//! pages ask for to know whether this device already trusts it (`static/js/entry.js`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::PageContext;
use crate::http::state::AppState;
use crate::i18n::Catalogue;

#[derive(Template)]
#[template(path = "tls.html")]
struct TlsPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    /// HTTPS is served (`--tls`).
    on: bool,
    /// The address this page was asked at, over HTTPS (where the tablet goes once it trusts).
    https_origin: String,
    /// The authority certificate's SHA-256 fingerprint, to compare before trusting it.
    fingerprint: &'a str,
}

/// `GET /tls`: how to trust this laptop once, in the page's language.
pub async fn tls_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: PageContext,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let html = TlsPage {
        t: page.t,
        languages: &page.languages,
        on: state.tls.is_some(),
        https_origin: format!("https://{host}"),
        fingerprint: state
            .tls
            .as_ref()
            .map_or("", |room| room.fingerprint.as_str()),
    }
    .render();
    page.respond(StatusCode::OK, html)
}

/// `GET /tls/ca.crt`: the room authority's certificate (PEM), as Android and iOS install it;
/// 404 when HTTPS is not served.
pub async fn authority_certificate(State(state): State<AppState>) -> Response {
    let Some(room) = state.tls.as_ref() else {
        return (
            StatusCode::NOT_FOUND,
            "HTTPS is not served: start Trama with --tls",
        )
            .into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-x509-ca-cert"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"trama-taller.crt\""),
            ),
        ],
        room.authority_pem.clone(),
    )
        .into_response()
}

/// `GET /tls/ping`: nothing (204), for a page on plain HTTP to learn whether this device
/// reaches the same address over HTTPS, that is, trusts the room's authority.
pub async fn ping() -> StatusCode {
    StatusCode::NO_CONTENT
}
