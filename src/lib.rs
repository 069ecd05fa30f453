//! Trama: a server for participatory social cartography.
//!
//! A tour of the modules, from the inside out (ARCHITECTURE.md has the rules between them,
//! and `tests/architecture.rs` checks them):
//! - [`domain`]: the field's language (projects, legends, workshops, features, annotations,
//!   who may do what, how a caller sees a drawing, the priority engine), validated types and
//!   pure rules. No I/O.
//! - [`store`]: the `Store` contract and its SQLite and PostgreSQL backends; all SQL is there.
//! - [`export`], [`geojson`], [`basemap`]: engines without HTTP: exports at a privacy level
//!   (GeoJSON, CSV, KML, GeoPackage, FlatGeobuf), RFC 7946 writing, offline basemaps from
//!   MBTiles and PMTiles and fetching an area's tiles; [`media`]: photos people attach,
//!   cleaned of every metadata block.
//! - [`application`]: the use cases every door calls (drawing, importing, exporting, priority
//!   analyses, write rates, tokens and passwords in `application::identity`), with their own error and no HTTP; they announce what
//!   they change to the live pages.
//! - [`http`] and [`cli`]: the doors. The JSON API (its error, `http::error::AppError`, is RFC
//!   9457 problem JSON), the pages, and the `trama` subcommands.
//! - [`serving`]: the accept loop, with timeouts and caps for slow or greedy clients.
//! - [`i18n`]: message catalogues and language negotiation; [`config`], [`telemetry`]: one
//!   job each.

#![forbid(unsafe_code)]

pub mod application;
pub mod basemap;
pub mod cli;
pub mod config;
pub mod domain;
pub(crate) mod embedded;
pub mod export;
pub mod geojson;
pub mod http;
pub mod i18n;
pub mod media;
pub mod print;
pub mod serving;

pub mod store;
pub mod telemetry;
pub mod tls;

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

pub use http::router;
pub use http::state::{AppState, Limits};

/// Serves the application on `listener` until `shutdown` resolves, then finishes the
/// requests in flight. Tests call this with a listener on port 0: the production path.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    request_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (limits, trusted) = (state.limits.connections, state.trusted_proxies.clone());
    let tls = state.tls.as_ref().map(|room| room.config.clone());
    let app = router(state, request_timeout);
    serving::serve(listener, app, limits, trusted, tls, shutdown).await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
