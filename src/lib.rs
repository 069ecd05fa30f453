//! Trama: a server for participatory social cartography.
//!
//! A tour of the modules, from the inside out:
//! - [`domain`]: the field's language (projects, legends, workshops, features, annotations,
//!   who may do what), validated types and pure rules. No I/O.
//! - [`store`]: the `Store` trait and its backends; all SQL lives there.
//! - [`http`]: the JSON API, one module per resource, thin handlers, and the pages.
//! - [`i18n`]: message catalogues (`locales/*.json`) and language negotiation.
//! - [`config`], [`error`], [`telemetry`]: one job each; [`identity`]: who is calling (tokens,
//!   passwords, users), for the API, the pages and the CLI alike.
//! - [`application`]: use cases more than one front door runs (importing a file, listing
//!   drawings as a caller sees them, priority analyses over a stored project, an export's
//!   options, participants' write rates).
//! - [`geojson`]: drawings written as RFC 7946 GeoJSON.
//! - [`export`]: exports at a privacy level, streamed as GeoJSON, CSV or GeoPackage.
//! - [`basemap`]: offline basemaps from MBTiles and PMTiles files, and fetching an area's tiles.
//! - [`serving`]: the accept loop, with timeouts and caps for slow or greedy clients.
//! - [`cli`]: the `trama` subcommands (serve, migrate, user, token, demo, generate).

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
pub mod identity;
pub mod serving;

pub mod store;
pub mod telemetry;

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
    let app = router(state, request_timeout);
    serving::serve(listener, app, limits, trusted, shutdown).await
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
