//! Basemaps over HTTP: tiles and their TileJSON (public: a street map tells nothing about
//! anyone, and phones must load it before and without signing in again), the list a project's
//! pages offer, and an admin's uploads, removals and downloads of an area.
//!
//! - `GET /api/basemaps/{id}` — TileJSON 3.0.0;
//! - `GET /api/basemaps/{id}/tiles/{z}/{x}/{y}[.ext]` — a tile as stored: `Content-Type` of its
//!   format, `Content-Encoding: gzip` for gzipped vector tiles, an `ETag` (304 on a match) and a
//!   day's caching; `204 No Content` where the archive has no such tile;
//! - `GET /api/projects/{slug}/basemaps` — what the project's pages offer;
//! - `POST /api/projects/{slug}/basemaps?label=…` — an admin's upload, the file as the body,
//!   streamed to disk and checked before it is kept;
//! - `DELETE /api/projects/{slug}/basemaps/{id}`;
//! - `POST /api/projects/{slug}/basemaps/fetch` — download the project's area from an XYZ
//!   service (`GET` for its progress, `DELETE` to stop it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::Utc;
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery, Auth};
use super::projects::visible_project;
use crate::basemap::fetch::{self, Plan, Progress};
use crate::basemap::{Basemap, BasemapError, Tile, TileRange, Upload};
use crate::domain::access::Principal;
use crate::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/basemaps/{id}", get(tilejson))
        .route("/api/basemaps/{id}/tiles/{z}/{x}/{y}", get(tile))
        .route("/api/basemaps/{id}/places", get(places))
        .route("/api/projects/{slug}/basemaps", get(list).post(upload))
        .route("/api/projects/{slug}/basemaps/{id}", delete(remove))
        .route(
            "/api/projects/{slug}/basemaps/fetch",
            get(fetch_progress).post(start_fetch).delete(stop_fetch),
        )
}

/// Whether `request` uploads a basemap (`POST /api/projects/{slug}/basemaps`).
pub(super) fn is_upload(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == axum::http::Method::POST
        && path.starts_with("/api/projects/")
        && path.trim_end_matches('/').ends_with("/basemaps")
}

impl From<BasemapError> for AppError {
    fn from(error: BasemapError) -> Self {
        match error {
            BasemapError::Io { .. } => AppError::Internal(error.to_string()),
            other => AppError::invalid(other.to_string(), Vec::new()),
        }
    }
}

async fn find(state: &AppState, id: &str) -> Result<Arc<Basemap>, AppError> {
    state
        .basemaps
        .find(id)
        .await
        .ok_or_else(|| AppError::not_found("basemap"))
}

/// Where this server is reached, for absolute URLs in TileJSON (QGIS needs them).
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn tiles_template(basemap: &Basemap) -> String {
    let ext = basemap.description.format.extension();
    // The file's version in the URL: a replaced file's tiles are new URLs to browsers' caches.
    format!(
        "/api/basemaps/{}/tiles/{{z}}/{{x}}/{{y}}.{ext}?v={}",
        basemap.id, basemap.version
    )
}

async fn tilejson(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let basemap = find(&state, &id).await?;
    let url = format!("{}{}", origin(&state, &headers), tiles_template(&basemap));
    let mut response = Json(basemap.tilejson(url)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceQuery {
    /// What to look for: two characters at least.
    q: String,
    /// How many places at most: 8 unless given, 20 at most.
    limit: Option<usize>,
    /// The language of the names where the tiles have it (`name:es`): `es` unless given.
    lang: Option<String>,
}

/// `GET /api/basemaps/{id}/places?q=boedo`: the basemap's named places (streets, places,
/// schools, stations…) whose name holds `q`, case and accents aside, as a GeoJSON
/// FeatureCollection of points with `name`, `layer` and `kind` (see
/// [`crate::basemap::places`]). Public, as the tiles are. 400 for a query under two
/// characters, 404 for an unknown basemap or one without names (a raster basemap).
async fn places(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PlaceQuery>,
) -> Result<Response, AppError> {
    let basemap = find(&state, &id).await?;
    if !basemap.description.format.is_vector() {
        return Err(AppError::NotFound(
            "this basemap is an image: it has no place names to search".into(),
        ));
    }
    if query.q.trim().chars().count() < 2 {
        return Err(AppError::BadRequest(
            "q must have two characters at least".into(),
        ));
    }
    let lang = query.lang.as_deref().unwrap_or("es");
    if !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || lang.len() > 12 {
        return Err(AppError::BadRequest(
            "lang must be a language tag such as es".into(),
        ));
    }
    let gazetteer = basemap.places(lang).await.map_err(|e| {
        tracing::error!(basemap = %basemap.id, error = %e, "reading place names failed");
        AppError::Internal("the basemap's place names could not be read".into())
    })?;
    let features: Vec<Value> = gazetteer
        .search(&query.q, query.limit.unwrap_or(8).clamp(1, 20))
        .into_iter()
        .map(|p| {
            json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {"name": p.name, "layer": p.layer, "kind": p.kind},
            })
        })
        .collect();
    let mut response =
        Json(json!({"type": "FeatureCollection", "features": features})).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(response)
}

async fn tile(
    State(state): State<AppState>,
    Path((id, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let basemap = find(&state, &id).await?;
    let y = y.split_once('.').map_or(y.as_str(), |(y, _)| y);
    let tile = match (z.parse(), x.parse(), y.parse()) {
        (Ok(z), Ok(x), Ok(y)) => Tile::new(z, x, y),
        _ => None,
    }
    .ok_or_else(|| AppError::NotFound(format!("no tile {z}/{x}/{y} in the XYZ grid")))?;
    let etag = format!("\"{}-{tile}\"", basemap.version).replace('/', ".");
    // Weak comparison (RFC 9110 §13.1.2): a `W/` prefix matches, and so does `*`.
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        });
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        // A file that fails to read is the server's fault, its path for the log only.
        let data = basemap
            .tile(tile)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match data {
            Some(data) => {
                let mut response = Body::from(data).into_response();
                let h = response.headers_mut();
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(basemap.description.format.content_type()),
                );
                if basemap.description.gzipped {
                    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                }
                response
            }
            None => StatusCode::NO_CONTENT.into_response(),
        }
    };
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// A basemap as the pages and the admin page see it.
pub fn describe(basemap: &Basemap, own: bool) -> Value {
    let d = &basemap.description;
    json!({
        "id": basemap.id,
        "label": basemap.label,
        "format": d.format,
        "vector": d.format.is_vector(),
        "tilejson": format!("/api/basemaps/{}", basemap.id),
        "tiles": tiles_template(basemap),
        "min_zoom": d.min_zoom,
        "max_zoom": d.max_zoom,
        "bounds": d.bounds,
        "center": d.center,
        "attribution": d.attribution,
        "file": basemap.extension(),
        "own": own,
    })
}

/// What a project's pages offer, described for them (also embedded in the pages).
pub async fn offered(state: &AppState, project: Uuid) -> Vec<Value> {
    state
        .basemaps
        .for_project(project)
        .await
        .iter()
        .map(|b| describe(b, state.basemaps.owned_by(project, &b.id)))
        .collect()
}

/// [`offered`] as JSON text, for a page's `data-basemaps` attribute.
pub(crate) async fn offered_json(state: &AppState, project: Uuid) -> String {
    Value::from(offered(state, project).await).to_string()
}

async fn list(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    Ok(Json(json!({
        "basemaps": offered(&state, project.id).await,
        "uploads": state.basemaps.accepts_uploads(),
    })))
}

fn admin_only(principal: &Principal) -> Result<(), AppError> {
    if principal.can_manage_basemaps() {
        Ok(())
    } else {
        Err(AppError::forbidden("only admins add or remove basemaps"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    label: Option<String>,
}

async fn upload(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    request: Request,
) -> Result<Response, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let label = query.label.unwrap_or_default().trim().to_owned();
    if label.is_empty() || label.chars().count() > 80 {
        return Err(AppError::BadRequest(
            "give the basemap a label of 1 to 80 characters (?label=Calles)".to_owned(),
        ));
    }
    let limit = state.limits.max_basemap_bytes;
    if let Some(length) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit
    {
        return Err(AppError::PayloadTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        });
    }
    let scratch = state
        .basemaps
        .scratch_file(&format!("{}.upload", Uuid::new_v4()))
        .await?;
    // Streamed to disk as it arrives: files of hundreds of MB never sit in memory.
    let received = save_body(request.into_body(), &scratch, limit).await;
    if let Err(e) = received {
        let _ = tokio::fs::remove_file(&scratch).await;
        return Err(e);
    }
    let basemap = state
        .basemaps
        .add(
            project.id,
            &scratch,
            Upload {
                label,
                added_at: Utc::now(),
                added_by: principal.username().unwrap_or_default().to_owned(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(describe(&basemap, true))).into_response())
}

async fn save_body(body: Body, to: &std::path::Path, limit: u64) -> Result<(), AppError> {
    let mut file = tokio::fs::File::create(to)
        .await
        .map_err(|e| AppError::Internal(format!("could not create {}: {e}", to.display())))?;
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    // Exempt from the request timeout (a big file takes minutes), but not from silence.
    let idle = std::time::Duration::from_secs(60);
    while let Some(chunk) = tokio::time::timeout(idle, stream.next())
        .await
        .map_err(|_| AppError::RequestTimeout(idle.as_secs()))?
    {
        let chunk = chunk.map_err(|e| {
            AppError::BadRequest(format!(
                "the upload stopped before its end ({e}); send it again"
            ))
        })?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(AppError::PayloadTooLarge {
                limit: usize::try_from(limit).unwrap_or(usize::MAX),
            });
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| AppError::Internal(format!("could not write {}: {e}", to.display())))?;
    }
    file.flush()
        .await
        .map_err(|e| AppError::Internal(format!("could not write {}: {e}", to.display())))?;
    if written == 0 {
        return Err(AppError::BadRequest(
            "the request has no file: send the MBTiles or PMTiles file as the body".to_owned(),
        ));
    }
    Ok(())
}

async fn remove(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    state.basemaps.for_project(project.id).await;
    if !state.basemaps.owned_by(project.id, &id) {
        return Err(AppError::not_found("basemap of this project"));
    }
    state.basemaps.remove(project.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads in progress or finished, one per project (a service is asked one tile at a time).
#[derive(Default)]
pub struct Downloads {
    jobs: Mutex<HashMap<Uuid, Arc<Download>>>,
}

impl Downloads {
    /// The project's download, running or finished.
    fn of(&self, project: Uuid) -> Result<Arc<Download>, AppError> {
        self.jobs
            .lock()
            .map_err(|_| AppError::Internal("downloads lock poisoned".to_owned()))?
            .get(&project)
            .cloned()
            .ok_or_else(|| AppError::not_found("download for this project"))
    }

    /// Asks every running download to stop (at shutdown: the file keeps what came, and the
    /// same download started again resumes).
    pub fn stop_all(&self) {
        if let Ok(jobs) = self.jobs.lock() {
            for job in jobs.values() {
                job.stop.store(true, Ordering::Relaxed);
            }
        }
    }
}

struct Download {
    label: String,
    estimate: fetch::Estimate,
    progress: Mutex<Progress>,
    outcome: Mutex<Option<Result<Value, String>>>,
    stop: AtomicBool,
}

impl Download {
    fn json(&self) -> Value {
        let progress = self.progress.lock().map(|p| *p).unwrap_or_default();
        let outcome = self.outcome.lock().ok().and_then(|o| o.clone());
        json!({
            "label": self.label,
            "estimate": self.estimate,
            "progress": progress,
            "running": outcome.is_none(),
            "basemap": outcome.as_ref().and_then(|o| o.as_ref().ok()),
            "error": outcome.as_ref().and_then(|o| o.as_ref().err()),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchRequest {
    /// XYZ template of the service.
    url: String,
    label: String,
    min_zoom: u8,
    max_zoom: u8,
    /// An email or URL for the service's operators.
    contact: String,
    attribution: Option<String>,
    /// Tiles a second (default 2).
    rate: Option<f64>,
    /// Only say what it would take.
    #[serde(default)]
    dry_run: bool,
}

async fn start_fetch(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<FetchRequest>,
) -> Result<Response, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let Some(area) = &project.area else {
        return Err(AppError::Conflict(
            "the project has no area to download: set its area first".to_owned(),
        ));
    };
    let bbox = area.bbox();
    let plan = Plan {
        url: request.url,
        range: TileRange {
            bounds: [bbox.min_x, bbox.min_y, bbox.max_x, bbox.max_y],
            min_zoom: request.min_zoom,
            max_zoom: request.max_zoom,
        },
        contact: request.contact,
        rate: request.rate.unwrap_or(2.0),
        max_tiles: state.limits.max_fetch_tiles,
        attribution: request.attribution.filter(|a| !a.trim().is_empty()),
        private_hosts: state.limits.private_tile_services,
    };
    let estimate = plan.check()?;
    if request.dry_run {
        return Ok(Json(json!({ "estimate": estimate })).into_response());
    }
    let label = request.label.trim().to_owned();
    if label.is_empty() {
        return Err(AppError::BadRequest("give the basemap a label".to_owned()));
    }
    let download = Arc::new(Download {
        label: label.clone(),
        estimate,
        progress: Mutex::default(),
        outcome: Mutex::default(),
        stop: AtomicBool::new(false),
    });
    {
        let mut jobs = state
            .downloads
            .jobs
            .lock()
            .map_err(|_| AppError::Internal("downloads lock poisoned".to_owned()))?;
        if jobs
            .get(&project.id)
            .is_some_and(|d| d.outcome.lock().is_ok_and(|o| o.is_none()))
        {
            return Err(AppError::Conflict(
                "a download for this project is running: wait for it or stop it".to_owned(),
            ));
        }
        jobs.insert(project.id, download.clone());
    }
    // The same plan resumes the same file: named by what it downloads.
    let name = format!(
        "{}-{}-{}-{:x}.mbtiles",
        project.id,
        plan.range.min_zoom,
        plan.range.max_zoom,
        fingerprint(&plan.url)
    );
    let scratch = state.basemaps.scratch_file(&name).await?;
    let (basemaps, username, project_id) = (
        state.basemaps.clone(),
        principal.username().unwrap_or_default().to_owned(),
        project.id,
    );
    tokio::spawn(async move {
        let (job, path) = (download.clone(), scratch.clone());
        let ran = tokio::task::spawn_blocking(move || {
            fetch::run(
                &plan,
                &path,
                |p| {
                    if let Ok(mut progress) = job.progress.lock() {
                        *progress = p;
                    }
                },
                || !job.stop.load(Ordering::Relaxed),
            )
        })
        .await;
        let outcome = match ran {
            Ok(Ok(_)) if download.stop.load(Ordering::Relaxed) => {
                Err("stopped; start the same download again to resume it".to_owned())
            }
            Ok(Ok(_)) => basemaps
                .add(
                    project_id,
                    &scratch,
                    Upload {
                        label: download.label.clone(),
                        added_at: Utc::now(),
                        added_by: username,
                    },
                )
                .await
                .map(|b| describe(&b, true))
                .map_err(|e| e.to_string()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(format!("the download stopped: {e}")),
        };
        if let Ok(mut slot) = download.outcome.lock() {
            *slot = Some(outcome);
        }
    });
    let body = state.downloads.of(project_id)?.json();
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// A short stable fingerprint of a URL, to name its resumable file.
fn fingerprint(text: &str) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

async fn fetch_progress(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    Ok(Json(state.downloads.of(project.id)?.json()))
}

async fn stop_fetch(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    state
        .downloads
        .of(project.id)?
        .stop
        .store(true, Ordering::Relaxed);
    Ok(StatusCode::ACCEPTED)
}
