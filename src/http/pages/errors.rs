//! Error pages: a readable page in the person's language for a browser, problem JSON for
//! the API's clients.

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::PageContext;
use crate::i18n::Catalogue;

#[derive(Template)]
#[template(path = "error.html")]
pub(super) struct ErrorPage<'a> {
    pub(super) t: &'a Catalogue,
    pub(super) languages: &'a [(String, String)],
    pub(super) message: &'static str,
    pub(super) detail: Option<&'a str>,
    /// The page the refused request came from, on this server (a form's page): the way back
    /// to change what was asked.
    pub(super) back: Option<&'a str>,
}

/// Whether a request comes from a browser opening a page: HTML is the first thing it asks
/// for, as browsers do when following a link or a form. Scripts (`*/*`) and API clients
/// (JSON first, whatever they accept after it) are not.
pub fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.trim_start().starts_with("text/html"))
}

/// A browser that followed a link or submitted a form to the API (the export page's
/// download does) gets a refusal as a page in its language, not problem JSON. Scripts'
/// requests (fetch asks for `*/*`) and other clients keep the JSON.
pub async fn readable_api_errors(request: Request, next: Next) -> Response {
    if !(request.uri().path().starts_with("/api/") && wants_page(request.headers())) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(page) = PageContext::from_request_parts(&mut parts, &()).await;
    let back = same_site_referrer(&parts.headers);
    let response = next.run(Request::from_parts(parts, body)).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind == "application/problem+json");
    if !is_problem {
        return response;
    }
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let problem = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default();
    let detail = said(page.t, &problem).or_else(|| problem["detail"].as_str().map(str::to_owned));
    let message = match status.as_u16() {
        401 => "problem.session",
        403 => "problem.forbidden",
        404 => "problem.not_found",
        412 => "problem.stale",
        413 => "problem.too_big",
        429 => "problem.too_many",
        503 => "problem.unavailable",
        500.. => "problem.server",
        _ => "error.refused",
    };
    // The server's words help with a refused request (which value to change), not with its
    // own failures.
    let detail = detail.filter(|_| status.is_client_error());
    page.error_with_way_back(status, message, detail.as_deref(), back.as_deref())
}

/// What a problem's refusal means in the page's language, where the server gave the code of
/// its message (`code` and `params` of the problem, or of its first `errors` member; see
/// `domain::Refusal`) and the catalogue has it.
fn said(t: &Catalogue, problem: &serde_json::Value) -> Option<String> {
    let coded = if problem["code"].is_string() {
        problem
    } else {
        problem["errors"]
            .as_array()?
            .iter()
            .find(|e| e["code"].is_string())?
    };
    let key = format!("problem.code.{}", coded["code"].as_str()?);
    if !t.has(&key) {
        return None;
    }
    let params: Vec<(&str, crate::i18n::FluentValue)> = coded["params"]
        .as_object()
        .map(|params| {
            params
                .iter()
                .filter_map(|(name, value)| {
                    let value = match value {
                        serde_json::Value::Number(n) => n.as_f64()?.into(),
                        serde_json::Value::String(s) => s.as_str().into(),
                        _ => return None,
                    };
                    Some((name.as_str(), value))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(t.f(&key, &params))
}

/// The path (and query) of the page a request came from, when it is on this server: what
/// `Referer` says after this server's own `http(s)://host`.
fn same_site_referrer(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let referrer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = ["http://", "https://"]
        .iter()
        .find_map(|scheme| referrer.strip_prefix(scheme)?.strip_prefix(host))?;
    (rest.starts_with('/') && !rest.starts_with("//")).then(|| rest.to_owned())
}

/// An error page has no script and no map.
pub(super) const ERROR_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
