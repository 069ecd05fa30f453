//! What every request handler shares.

use std::sync::Arc;

use ipnet::IpNet;

use crate::domain::feature::FeatureLimits;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub limits: Limits,
    /// The operator's basemap tiles, an XYZ URL template; none means a plain background.
    pub tiles: Option<String>,
    /// Cookies carry `Secure` (the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies and load balancers whose `X-Forwarded-For` tells the client's address;
    /// empty: the connection's address is the client's, and the header is ignored.
    pub trusted_proxies: Arc<[IpNet]>,
    /// Participants' recent writes, for their rate.
    pub writes: Arc<crate::application::rates::WriteRates>,
    /// Basemaps served from files: the operator's and each project's.
    pub basemaps: Arc<crate::basemap::Basemaps>,
    /// Where phones on the room's network reach this server (`http://192.168.0.10:8080`),
    /// when it listens beyond the laptop itself; empty when it listens on loopback only.
    pub room_origins: Arc<[String]>,
    /// Background jobs (downloads of projects' areas from tile services), running or finished.
    pub jobs: Arc<crate::application::jobs::Jobs>,
    /// HTTPS beside plain HTTP on the same port, with the room's own certificate authority
    /// (`trama serve --tls`); none: plain HTTP only.
    pub tls: Option<Arc<crate::tls::RoomTls>>,
    /// Where photos attached to drawings are kept (`<data folder>/attachments`).
    pub media: Arc<crate::media::Folder>,
    /// Where printed maps are kept (`<data folder>/prints`).
    pub prints: Arc<std::path::Path>,
}

/// Operator-tunable limits on what one request may ask of the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    pub features: FeatureLimits,
    /// Failed join-code or password attempts one client may make per window.
    pub auth_failures_per_window: u32,
    pub auth_failure_window_secs: i64,
    /// Connections clients may hold open, and the time they have to send a request's head.
    pub connections: crate::serving::ConnectionLimits,
    /// Largest basemap file an admin may upload, in bytes.
    pub max_basemap_bytes: u64,
    /// Most tiles one download of a project's area may ask of a tile service.
    pub max_fetch_tiles: u64,
    /// Whether admins' downloads may use a tile service on this machine or a private network.
    pub private_tile_services: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 5 * 1024 * 1024,
            features: FeatureLimits::default(),
            auth_failures_per_window: 10,
            auth_failure_window_secs: 600,
            connections: crate::serving::ConnectionLimits::default(),
            max_basemap_bytes: 4_096 * 1_000_000,
            max_fetch_tiles: 20_000,
            private_tile_services: false,
        }
    }
}
