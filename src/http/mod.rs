//! The JSON API. One module per resource, each with its own `router()`; handlers are thin:
//! extract, ask the domain and the store, respond.

mod annotations;
mod attachments;
mod audit;
mod auth;
pub mod basemaps;
mod cookies;
pub mod error;
mod exports;
mod extract;
mod features;
mod health;
mod imports;
mod pages;
mod pictograms;
pub mod prints;
mod priority;
mod projects;
pub mod state;
mod workshops;
mod zones;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::http::error::{AppError, InternalErrorText};
use crate::http::state::AppState;

/// Builds the whole application: every route, the body limit, timeouts, tracing.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let max_body = state.limits.max_body_bytes;
    let secure_cookies = state.secure_cookies;
    Router::new()
        .merge(pages::router(&state))
        .merge(health::router())
        .merge(auth::router())
        .merge(audit::router())
        .merge(basemaps::router())
        .merge(projects::router())
        .merge(workshops::router())
        .merge(features::router())
        .merge(annotations::router())
        .merge(attachments::router())
        .merge(pictograms::router())
        .merge(priority::router())
        .merge(prints::router())
        .merge(exports::router())
        .merge(imports::router())
        .merge(zones::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(catch_panics())
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(log_internal_errors))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            abandon_after(request_timeout, request, next)
        }))
        // Outside the logging, which reads the answer before it becomes a page.
        .layer(middleware::from_fn(pages::readable_api_errors))
        .layer(middleware::from_fn(
            move |request: Request, next: Next| async move {
                // The room's own HTTPS (`--tls`) is beside plain HTTP: its cookies are Secure,
                // but no HSTS, which would lock out the phones that do not trust the room.
                let over_tls = request
                    .extensions()
                    .get::<crate::serving::OverTls>()
                    .is_some();
                let mut response = next.run(request).await;
                if secure_cookies {
                    mark_secure(response.headers_mut(), "");
                } else if over_tls {
                    mark_secure(response.headers_mut(), cookies::SECURE_PREFIX);
                }
                if secure_cookies {
                    // Served over HTTPS only: browsers keep to it (RFC 6797).
                    response.headers_mut().insert(
                        axum::http::header::STRICT_TRANSPORT_SECURITY,
                        HeaderValue::from_static("max-age=31536000"),
                    );
                }
                // A body refused part-way is not read to its end: the connection cannot carry
                // another request, and a pooled client must be told so, not find it closed.
                if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    response.headers_mut().insert(
                        axum::http::header::CONNECTION,
                        HeaderValue::from_static("close"),
                    );
                }
                response
            },
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Pages, scripts and GeoJSON compress well: it matters on a workshop's bad Wi-Fi.
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    |response: &Response, latency: Duration, span: &tracing::Span| {
                        span.record("status", response.status().as_u16());
                        tracing::debug!(?latency, "answered");
                    },
                ),
        )
}

/// The route a request matched (`/api/workshops/{id}`), never its raw path: paths carry ids,
/// join codes and slugs, which logs should not keep.
fn route_of(request: &Request) -> &str {
    request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", |path| path.as_str())
}

/// One span per request, named by its method and route; its status is recorded when answered.
fn request_span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = route_of(request),
        status = tracing::field::Empty,
    )
}

/// Abandons a request whose answer has not begun after `limit` (its work is dropped with it)
/// and answers 408 as problem JSON, or as a readable page for a browser: tower-http's timeout
/// answered an empty 408. The body of an answer that has begun (a download, live events) is
/// not limited, nor is a basemap upload, whose body alone may take minutes on a room's Wi-Fi
/// (it is bounded by its size limit instead).
async fn abandon_after(limit: Duration, request: Request, next: Next) -> Response {
    if basemaps::is_upload(&request) {
        return next.run(request).await;
    }
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::RequestTimeout(limit.as_secs()).into_response(),
    }
}

/// Turns a panic in a handler into a 500 problem answer (its text logged, never sent), so
/// that a fault in one request is that request's error and the server goes on serving.
/// Inside the logging middleware, which logs the text like any internal error's.
fn catch_panics()
-> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send + 'static>) -> Response>
{
    fn answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
        let text = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned());
        AppError::Internal(format!("panic in a request: {text}")).into_response()
    }
    tower_http::catch_panic::CatchPanicLayer::custom(answer as fn(_) -> Response)
}

/// An unknown address: a readable page for a browser opening it (a mistyped or old link),
/// problem JSON for scripts and API clients.
async fn not_found(headers: axum::http::HeaderMap, page: pages::PageContext) -> Response {
    if pages::wants_page(&headers) {
        return page.not_found();
    }
    AppError::NotFound("no such resource; see the README for the API".into()).into_response()
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// Adds `Secure` to every cookie the answer sets (HTTPS deployments), its name prefixed with
/// `prefix` (`cookies::SECURE_PREFIX` over the room's own HTTPS, beside plain HTTP).
fn mark_secure(headers: &mut axum::http::HeaderMap, prefix: &str) {
    let cookies: Vec<String> = headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| {
            let v = format!("{prefix}{v}");
            if v.contains("; Secure") {
                v
            } else {
                format!("{v}; Secure")
            }
        })
        .collect();
    headers.remove(axum::http::header::SET_COOKIE);
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(axum::http::header::SET_COOKIE, value);
        }
    }
}

/// Logs the hidden text of internal errors, with the request's method and route.
async fn log_internal_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = route_of(&request).to_owned();
    let response = next.run(request).await;
    if let Some(InternalErrorText(text)) = response.extensions().get::<InternalErrorText>() {
        tracing::error!(%method, %route, error = %text, "internal error");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_request_past_its_time_is_abandoned_with_a_408_problem() {
        async fn slow() -> &'static str {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }
        let app: Router = Router::new()
            .route("/slow", axum::routing::get(slow))
            .layer(middleware::from_fn(|request: Request, next: Next| {
                abandon_after(Duration::from_millis(100), request, next)
            }));
        let request = Request::builder()
            .uri("/slow")
            .body(axum::body::Body::empty())
            .expect("request");
        let response = app.oneshot(request).await.expect("answer");
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            response.headers()[axum::http::header::CONTENT_TYPE],
            "application/problem+json"
        );
    }

    /// What a subscriber writes, kept for the test to read.
    #[derive(Clone, Default)]
    struct Written(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Written {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_internal_error_is_logged_with_its_route_not_its_path() {
        let written = Written::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer({
                let written = written.clone();
                move || written.clone()
            })
            .with_ansi(false)
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);
        async fn fails() -> AppError {
            AppError::Internal("the disk is full".into())
        }
        let app: Router = Router::new()
            .route("/api/workshops/{id}", axum::routing::get(fails))
            .layer(middleware::from_fn(log_internal_errors))
            .layer(TraceLayer::new_for_http().make_span_with(request_span));
        let request = Request::builder()
            .uri("/api/workshops/K7M-4QX-a-join-code")
            .body(axum::body::Body::empty())
            .expect("request");
        let response = app.oneshot(request).await.expect("answer");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let log = String::from_utf8_lossy(&written.0.lock().expect("log")).into_owned();
        assert!(log.contains("the disk is full"), "{log}");
        assert!(log.contains("route=/api/workshops/{id}"), "{log}");
        assert!(!log.contains("K7M-4QX"), "{log}");
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_500_problem_and_the_router_goes_on_serving() {
        async fn panics() -> &'static str {
            panic!("a reader's bug with secret details")
        }
        let app: Router = Router::new()
            .route("/panic", axum::routing::get(panics))
            .route("/fine", axum::routing::get(|| async { "ok" }))
            .layer(catch_panics());
        let get = |path: &str| {
            Request::builder()
                .uri(path)
                .body(axum::body::Body::empty())
                .expect("request")
        };
        let response = app.clone().oneshot(get("/panic")).await.expect("answer");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers()[axum::http::header::CONTENT_TYPE],
            "application/problem+json"
        );
        let logged = response.extensions().get::<InternalErrorText>().cloned();
        let body = axum::body::to_bytes(response.into_body(), 10_000)
            .await
            .expect("body");
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("\"status\":500"), "{body}");
        assert!(
            !body.contains("secret"),
            "the panic's text never reaches the client: {body}"
        );
        assert!(logged.is_some_and(|t| t.0.contains("secret details")));
        let after = app.oneshot(get("/fine")).await.expect("answer");
        assert_eq!(after.status(), StatusCode::OK);
    }
}
