//! Prepares a workshop room while online: downloads the tiles of an area at chosen zoom
//! levels from an XYZ tile service into an MBTiles file, to serve offline.
//!
//! Tile services are shared and most forbid heavy use, so the download:
//! - says first how many tiles and about how many MB it will take ([`Plan::estimate`]), and
//!   refuses above a limit (`max_tiles`);
//! - goes one request at a time at a set rate (default 2 tiles a second), waits what a `429` or
//!   `503` asks (`Retry-After`), and names itself and its operator in the `User-Agent`
//!   (`Trama/<version> (basemap fetch; <contact>)`), as usage policies ask;
//! - refuses OpenStreetMap's own tile servers, whose policy forbids downloading areas for
//!   offline use (<https://operations.osmfoundation.org/policies/tiles/>);
//! - resumes: tiles already in the file, or that the service did not have (kept in a table
//!   `trama_fetch_missing` beside the MBTiles ones), are not asked again, so an interrupted
//!   download is finished by running it again.
//!
//! HTTP with `ureq` (blocking, rustls) on a thread of its own; the file written with rusqlite.
//!
//! Long (about 460 lines and its tests) because planning, the polite request loop and resuming
//! share one file's state (the MBTiles file and its `trama_fetch_missing` table).

use crate::domain::Refusal;
use std::path::Path;
use std::time::{Duration, Instant};

use super::grid::{Tile, TileRange};
use super::{BasemapError, TileFormat};

/// Average size assumed for a tile before any is downloaded, in bytes (a street map's PNG
/// tile in a city is 10–30 KB).
pub const ASSUMED_TILE_BYTES: u64 = 20_000;

/// A download to make.
#[derive(Debug, Clone)]
pub struct Plan {
    /// XYZ URL template with `{z}`, `{x}`, `{y}` (and optionally `{s}` for subdomains a, b, c).
    pub url: String,
    pub range: TileRange,
    /// How to reach whoever runs the download (an email or a URL), sent in the User-Agent.
    pub contact: String,
    /// Requests per second, at most.
    pub rate: f64,
    /// Refuse a plan of more tiles than this.
    pub max_tiles: u64,
    /// Attribution to keep in the file (the service's terms usually require it).
    pub attribution: Option<String>,
    /// Whether the service may be on this machine or a private network. The operator's CLI
    /// may; a download an admin starts from the server may not unless the operator allows it
    /// (`--allow-private-tile-services`): the server would otherwise fetch, and then serve to
    /// anyone, what only it can reach.
    pub private_hosts: bool,
}

/// What a plan will take, before it starts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub tiles: u64,
    /// At [`ASSUMED_TILE_BYTES`] a tile.
    pub bytes: u64,
    /// At the plan's rate.
    pub seconds: u64,
}

/// Where a download is, reported after every tile.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Progress {
    pub total: u64,
    /// Tiles done, downloaded or already in the file.
    pub done: u64,
    /// Of `done`, those found in the file from an earlier run.
    pub resumed: u64,
    /// Tiles the service does not have (404 or empty): left out.
    pub missing: u64,
    pub bytes: u64,
}

impl Plan {
    /// Checks the plan: a usable template, a contact, a sane rate and zooms, and not more
    /// tiles than the limit.
    ///
    /// # Errors
    /// [`BasemapError::Refused`] saying which.
    pub fn check(&self) -> Result<Estimate, BasemapError> {
        let refuse = |refusal: Refusal| Err(BasemapError::Refused(refusal));
        let url = self.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p))
        {
            return refuse(Refusal::new(
                "basemap.url_template",
                format!(
                    "the tile URL must be an http(s) XYZ template with {{z}}, {{x}} and {{y}}, such as https://tiles.example.org/{{z}}/{{x}}/{{y}}.png (given {url:?})"
                ),
            ));
        }
        let host = super::public_only::check_template(url).map_err(BasemapError::Refused)?;
        if host == "tile.openstreetmap.org" || host.ends_with(".tile.openstreetmap.org") {
            return refuse(Refusal::new(
                "basemap.osm_forbids",
                "OpenStreetMap's tile servers forbid downloading areas for offline use (https://operations.osmfoundation.org/policies/tiles/): use a service whose terms allow it, or make an MBTiles file with QGIS or a PMTiles extract",
            ));
        }
        if !self.private_hosts {
            refuse_private(&host, url)?;
        }
        if self.contact.trim().len() < 3 {
            return refuse(Refusal::new(
                "basemap.contact",
                "say how the tile service can reach you (--contact, an email or a URL): usage policies ask for it in the User-Agent",
            ));
        }
        if !(self.rate > 0.0 && self.rate <= 20.0) {
            return refuse(Refusal::new(
                "basemap.rate",
                "the rate must be above 0 and at most 20 tiles a second",
            ));
        }
        let TileRange {
            bounds,
            min_zoom,
            max_zoom,
            ..
        } = self.range;
        if min_zoom > max_zoom || max_zoom > super::grid::MAX_ZOOM {
            return refuse(
                Refusal::new(
                    "basemap.zoom_range",
                    format!(
                        "zoom levels {min_zoom}–{max_zoom} are not a range within 0–{}",
                        super::grid::MAX_ZOOM
                    ),
                )
                .with("max", super::grid::MAX_ZOOM),
            );
        }
        if !(bounds.iter().all(|b| b.is_finite()) && bounds[0] < bounds[2] && bounds[1] < bounds[3])
        {
            return refuse(Refusal::new(
                "basemap.area",
                format!("the area {bounds:?} is not a box west, south, east, north"),
            ));
        }
        let estimate = self.estimate();
        if estimate.tiles > self.max_tiles {
            return refuse(
                Refusal::new(
                    "basemap.too_many_tiles",
                    format!(
                        "the area at zooms {min_zoom}–{max_zoom} is {} tiles (about {} MB), above the limit of {}: choose a lower highest zoom, or raise the limit if the service's terms allow it",
                        estimate.tiles,
                        estimate.bytes / 1_000_000,
                        self.max_tiles
                    ),
                )
                .with("tiles", estimate.tiles)
                .with("mb", estimate.bytes / 1_000_000)
                .with("limit", self.max_tiles),
            );
        }
        Ok(estimate)
    }

    pub fn estimate(&self) -> Estimate {
        let tiles = self.range.count();
        Estimate {
            tiles,
            bytes: tiles * ASSUMED_TILE_BYTES,
            seconds: (tiles as f64 / self.rate.max(0.001)).ceil() as u64,
        }
    }

    fn tile_url(&self, tile: Tile) -> String {
        let subdomain = ["a", "b", "c"][((tile.x + tile.y) % 3) as usize];
        self.url
            .trim()
            .replace("{z}", &tile.z.to_string())
            .replace("{x}", &tile.x.to_string())
            .replace("{y}", &tile.y.to_string())
            .replace("{s}", subdomain)
    }

    fn user_agent(&self) -> String {
        format!(
            "Trama/{} (basemap fetch; {})",
            env!("CARGO_PKG_VERSION"),
            self.contact.trim()
        )
    }
}

/// Runs `plan` into the MBTiles file `out` (created, or resumed where it exists), calling
/// `report` after each tile; returns the final progress. Blocking: run it on a thread of its
/// own (`spawn_blocking`). `keep_going` is asked before each tile; false stops early (the file
/// keeps what was downloaded).
///
/// # Errors
/// The plan is refused; the service fails five times in a row on one tile (network down, an
/// error status); the file cannot be written.
pub fn run(
    plan: &Plan,
    out: &Path,
    mut report: impl FnMut(Progress),
    keep_going: impl Fn() -> bool,
) -> Result<Progress, BasemapError> {
    plan.check()?;
    let db = open_output(out)?;
    let written = |e: rusqlite::Error| BasemapError::MbTiles {
        path: out.display().to_string(),
        reason: format!("could not be written ({e})"),
    };
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .user_agent(plan.user_agent())
        .http_status_as_error(false)
        // A redirect could lead anywhere, the private network included: it is a failure.
        .max_redirects(0)
        // No proxy from the environment: the addresses checked are those connected to.
        .proxy(None)
        .build();
    // Every request's addresses are checked when it is made, not only the plan's.
    let agent = if plan.private_hosts {
        ureq::Agent::new_with_config(config)
    } else {
        ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            super::public_only::PublicOnly::default(),
        )
    };
    let interval = Duration::from_secs_f64(1.0 / plan.rate);
    let mut progress = Progress {
        total: plan.range.count(),
        ..Progress::default()
    };
    let mut format: Option<TileFormat> = None;
    let mut have = db
        .prepare(
            "SELECT 1 FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3 \
             UNION ALL SELECT 1 FROM trama_fetch_missing \
             WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
        )
        .map_err(written)?;
    let mut note_missing = db
        .prepare("INSERT OR IGNORE INTO trama_fetch_missing VALUES (?1, ?2, ?3)")
        .map_err(written)?;
    let mut insert = db
        .prepare(
            "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(written)?;
    let mut last_request: Option<Instant> = None;
    for tile in plan.range.tiles() {
        if !keep_going() {
            break;
        }
        let key = (tile.z, tile.x, tile.tms_row());
        if have.exists(key).map_err(written)? {
            progress.done += 1;
            progress.resumed += 1;
            report(progress);
            continue;
        }
        let mut failures = 0;
        let body = loop {
            if let Some(last) = last_request
                && !pause(interval.saturating_sub(last.elapsed()), &keep_going)
            {
                break None;
            }
            last_request = Some(Instant::now());
            let url = plan.tile_url(tile);
            match agent.get(&url).call() {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    match status {
                        200 => {
                            let declared = response
                                .headers()
                                .get("content-type")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_owned();
                            match response
                                .body_mut()
                                .with_config()
                                .limit(10_000_000)
                                .read_to_vec()
                            {
                                Ok(body) if body.is_empty() => break None,
                                Ok(body) => match tile_format(&declared, &body) {
                                    Some(found) => break Some((found, body)),
                                    None => {
                                        failures = fail(
                                            failures,
                                            &url,
                                            &format!(
                                                "the answer is not a tile (Content-Type {declared:?})"
                                            ),
                                        )?;
                                    }
                                },
                                Err(e) => failures = fail(failures, &url, &e.to_string())?,
                            }
                        }
                        204 | 404 => break None,
                        429 | 503 => {
                            let wait = response
                                .headers()
                                .get("retry-after")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.trim().parse::<u64>().ok())
                                .unwrap_or(30)
                                .min(120);
                            failures = fail(
                                failures,
                                &url,
                                &format!("the service asks to slow down (HTTP {status})"),
                            )?;
                            if !pause(Duration::from_secs(wait), &keep_going) {
                                break None;
                            }
                        }
                        _ => failures = fail(failures, &url, &format!("HTTP {status}"))?,
                    }
                }
                // A private address is no passing failure: it is refused at once.
                Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    let host = url
                        .split_once("://")
                        .and_then(|(_, rest)| rest.split(['/', '?', '#']).next())
                        .unwrap_or_default()
                        .to_owned();
                    return Err(BasemapError::Refused(
                        Refusal::new("basemap.private_host", e.to_string()).with("host", host),
                    ));
                }
                Err(e) => {
                    failures = fail(failures, &url, &e.to_string())?;
                    if !pause(Duration::from_secs(2u64.pow(failures)), &keep_going) {
                        break None;
                    }
                }
            }
        };
        if !keep_going() {
            break;
        }
        match body {
            Some((found, body)) => {
                format.get_or_insert(found);
                progress.bytes += body.len() as u64;
                insert
                    .execute((key.0, key.1, key.2, body))
                    .map_err(written)?;
            }
            _ => {
                progress.missing += 1;
                note_missing.execute(key).map_err(written)?;
            }
        }
        progress.done += 1;
        report(progress);
    }
    write_metadata(&db, plan, format).map_err(written)?;
    Ok(progress)
}

/// Refuses a service whose name resolves to this machine, a private or link-local network,
/// when the plan is made (each request is checked again when it is made: `public_only`).
fn refuse_private(host: &str, url: &str) -> Result<(), BasemapError> {
    let addresses = super::public_only::resolve(host, url.starts_with("https://"));
    if addresses.into_iter().any(super::public_only::is_private) {
        return Err(BasemapError::Refused(
            Refusal::new(
                "basemap.private_host",
                format!(
                    "{host} is this server or on a private network: the server does not download from there unless its operator allows it (--allow-private-tile-services)"
                ),
            )
            .with("host", host),
        ));
    }
    Ok(())
}

/// What a service answered, if it is a tile: its format by its first bytes, or a vector
/// tile by its declared type (an uncompressed protobuf has no signature).
fn tile_format(content_type: &str, body: &[u8]) -> Option<TileFormat> {
    TileFormat::sniff(body).map(|(f, _)| f).or_else(|| {
        let declared = content_type.to_ascii_lowercase();
        (declared.contains("vnd.mapbox-vector-tile") || declared.contains("x-protobuf"))
            .then_some(TileFormat::Pbf)
    })
}

/// Sleeps `time` in short steps, stopping early when `keep_going` says so; false then.
fn pause(time: Duration, keep_going: &impl Fn() -> bool) -> bool {
    let until = Instant::now() + time;
    while Instant::now() < until {
        if !keep_going() {
            return false;
        }
        std::thread::sleep((until - Instant::now()).min(Duration::from_millis(200)));
    }
    keep_going()
}

/// Counts a failed request; the fifth in a row on one tile ends the download.
fn fail(failures: u32, url: &str, why: &str) -> Result<u32, BasemapError> {
    let failures = failures + 1;
    tracing::warn!(url, why, failures, "a tile request failed");
    if failures >= 5 {
        return Err(BasemapError::Refused(Refusal::new(
            "basemap.service_failed",
            format!(
                "the tile service failed five times on {url} ({why}); what was downloaded is kept: run the same download again to resume"
            ),
        )));
    }
    Ok(failures)
}

fn open_output(out: &Path) -> Result<rusqlite::Connection, BasemapError> {
    let db = rusqlite::Connection::open(out).map_err(|e| BasemapError::MbTiles {
        path: out.display().to_string(),
        reason: e.to_string(),
    })?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS metadata (name TEXT NOT NULL PRIMARY KEY, value TEXT);
         CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
             tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL,
             PRIMARY KEY (zoom_level, tile_column, tile_row));
         CREATE TABLE IF NOT EXISTS trama_fetch_missing (zoom_level INTEGER NOT NULL,
             tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,
             PRIMARY KEY (zoom_level, tile_column, tile_row));",
    )
    .map_err(|e| BasemapError::MbTiles {
        path: out.display().to_string(),
        reason: format!("it is not an MBTiles file this download can resume ({e})"),
    })?;
    Ok(db)
}

fn write_metadata(
    db: &rusqlite::Connection,
    plan: &Plan,
    format: Option<TileFormat>,
) -> rusqlite::Result<()> {
    let [west, south, east, north] = plan.range.bounds;
    let host = plan
        .url
        .split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
    let format = format.unwrap_or(TileFormat::Png).extension();
    let mut values = vec![
        (
            "name",
            format!("{host} {}–{}", plan.range.min_zoom, plan.range.max_zoom),
        ),
        ("format", format.to_owned()),
        ("bounds", format!("{west},{south},{east},{north}")),
        ("minzoom", plan.range.min_zoom.to_string()),
        ("maxzoom", plan.range.max_zoom.to_string()),
        ("type", "baselayer".to_owned()),
        ("version", "1.3".to_owned()),
    ];
    if let Some(attribution) = &plan.attribution {
        values.push(("attribution", attribution.clone()));
    }
    for (name, value) in values {
        db.execute(
            "INSERT OR REPLACE INTO metadata (name, value) VALUES (?1, ?2)",
            (name, value),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(url: &str) -> Plan {
        Plan {
            url: url.to_owned(),
            range: TileRange {
                bounds: [-58.47, -34.80, -58.36, -34.72],
                min_zoom: 12,
                max_zoom: 15,
            },
            contact: "copreti@example.org".to_owned(),
            rate: 2.0,
            max_tiles: 20_000,
            attribution: None,
            private_hosts: false,
        }
    }

    #[test]
    fn a_plan_says_what_it_takes_or_why_not() {
        let estimate = plan("https://tiles.example.org/{z}/{x}/{y}.png")
            .check()
            .expect("a fine plan");
        assert_eq!(estimate.bytes, estimate.tiles * ASSUMED_TILE_BYTES);
        assert_eq!(estimate.seconds, estimate.tiles.div_ceil(2));
        for (url, says) in [
            ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "forbid"),
            ("https://a.tile.openstreetmap.org/{z}/{x}/{y}.png", "forbid"),
            ("ftp://tiles.example.org/{z}/{x}/{y}.png", "XYZ template"),
            ("https://tiles.example.org/{z}/{x}.png", "XYZ template"),
        ] {
            let refused = plan(url).check().expect_err(url).to_string();
            assert!(refused.contains(says), "{url}: {refused}");
        }
        let mut big = plan("https://tiles.example.org/{z}/{x}/{y}.png");
        big.range.max_zoom = 19;
        let refused = big.check().expect_err("too many").to_string();
        assert!(refused.contains("above the limit of 20000"), "{refused}");
        for url in [
            "http://127.0.0.1:8080/{z}/{x}/{y}.png",
            "http://localhost/{z}/{x}/{y}.png",
            "http://192.168.0.4/{z}/{x}/{y}.png",
            "http://[::1]/{z}/{x}/{y}.png",
            "http://169.254.169.254/{z}/{x}/{y}.png",
        ] {
            let refused = plan(url).check().expect_err(url).to_string();
            assert!(refused.contains("private network"), "{url}: {refused}");
            let mut allowed = plan(url);
            allowed.private_hosts = true;
            assert!(allowed.check().is_ok(), "{url} with the operator's leave");
        }
        assert_eq!(tile_format("text/html", b"<html>"), None);
        assert_eq!(
            tile_format("application/x-protobuf", b"\x1a\x05"),
            Some(TileFormat::Pbf)
        );
        assert_eq!(
            tile_format("text/plain", b"\x89PNG\r\n"),
            Some(TileFormat::Png)
        );
        let mut anonymous = plan("https://tiles.example.org/{z}/{x}/{y}.png");
        anonymous.contact = String::new();
        assert!(anonymous.check().is_err());
    }

    #[test]
    fn urls_and_agent_are_filled_in() {
        let plan = plan("https://{s}.tiles.example.org/{z}/{x}/{y}.png");
        let url = plan.tile_url(Tile { z: 3, x: 1, y: 2 });
        assert_eq!(url, "https://a.tiles.example.org/3/1/2.png");
        assert!(plan.user_agent().starts_with("Trama/"));
        assert!(plan.user_agent().contains("copreti@example.org"));
    }
}
