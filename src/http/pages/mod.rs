//! The pages people use in a browser, server-rendered (askama) with small plain scripts.
//! Every string goes through the message catalogues; feature data reaches the pages as
//! GeoJSON, from the API or, for the draw page's first data, written into the page by the
//! same use case. Here: the routes and the pages' Content-Security-Policy; `context` (what
//! every page needs), `errors` (readable error pages), `participant` (home, join, draw),
//! `staff`, `admin`, `exports`, `assets` and `room_tls` (the room's own HTTPS).

mod admin;
mod assets;
mod audit;
mod context;
mod errors;
mod exports;
mod participant;
mod room_tls;
mod staff;

pub use staff::is_loopback_host;

pub use context::PageContext;
pub use errors::{readable_api_errors, wants_page};
use participant::{draw_page, home, join_by_query, join_page, join_submit, leave};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::routing::{get, post};

use crate::http::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let policy = content_security_policy(state.tiles.as_deref());
    Router::new()
        .route("/", get(home))
        .route("/j", get(join_by_query))
        .route("/j/{code}", get(join_page).post(join_submit))
        .route("/draw", get(draw_page))
        .route("/leave", post(leave))
        .route("/logout", post(leave))
        .route("/login", get(staff::login_page).post(staff::login_submit))
        .route("/workshops", get(staff::workshops_page))
        .route("/workshops/{id}/wall", get(staff::wall_page))
        .route("/review/{slug}", get(staff::review_page))
        .route("/export/{slug}", get(exports::export_page))
        .route("/admin", get(admin::admin_page))
        .route("/admin/audit", get(audit::audit_page))
        .route("/admin/projects/{slug}/legend", get(admin::legend_page))
        .route("/static/{*path}", get(assets::static_file))
        .route("/sw.js", get(assets::service_worker))
        .route("/tls", get(room_tls::tls_page))
        .route("/tls/ca.crt", get(room_tls::authority_certificate))
        .route("/tls/ping", get(room_tls::ping))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let policy = policy.clone();
            async move {
                let mut response = next.run(request).await;
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
                response
            }
        }))
}

/// No inline script, nothing from other hosts but the operator's map tiles; sound from Trama
/// itself and from the page's own recordings (`blob:`, a voice note heard before it is sent).
fn content_security_policy(tiles: Option<&str>) -> HeaderValue {
    let tile_origin = tiles
        .and_then(|url| {
            let (scheme, rest) = url.split_once("://")?;
            let host = rest.split('/').next()?;
            // An XYZ template may use {s} for subdomains: allow them.
            Some(format!(" {scheme}://{}", host.replace("{s}", "*")))
        })
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tile_origin}; \
         media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}
