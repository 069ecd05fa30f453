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
//!
//! Reading (tiles, TileJSON, places, the list) is here; an admin's uploads and removals are
//! in `uploads`, downloads of an area in `downloads`.

mod downloads;
mod uploads;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ApiQuery, Auth};
use super::projects::visible_project;
use crate::basemap::places::MAX_QUERY;
use crate::basemap::{Basemap, BasemapError, Tile};
use crate::domain::access::Principal;
use crate::domain::project::Project;
use crate::http::error::AppError;
use crate::http::state::AppState;
use downloads::{fetch_progress, start_fetch, stop_fetch};
use uploads::{remove, upload};

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
    /// As the use cases say it (`application::basemaps::refused`): one mapping for both.
    fn from(error: BasemapError) -> Self {
        crate::application::basemaps::refused(error).into()
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
    // Its URLs come from the request's `Host`: a shared cache must not hand one caller's
    // host to another (cache poisoning), so only the caller's own cache keeps it.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Host"));
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
/// [`crate::basemap::places`]). A corner (`q=Yrigoyen y Laprida`, "esquina", "&", "and")
/// comes first, where the streets cross (`kind: corner`), and the collection's `corner`
/// member says which street each part found (`{"streets": [name or null, name or null]}`). For a signed-in caller (a participant's session too): 401
/// without one, as every read of a project's data. 400 for a query under two characters or
/// over [`MAX_QUERY`], 404 for an unknown basemap or one without names (a raster basemap). A
/// `lang` Trama's pages are not in searches the basemap's own `name`. The search runs off the
/// async threads.
async fn places(
    State(state): State<AppState>,
    Auth(_caller): Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PlaceQuery>,
) -> Result<Response, AppError> {
    let basemap = find(&state, &id).await?;
    if !basemap.description.format.is_vector() {
        return Err(AppError::NotFound(
            "this basemap is an image: it has no place names to search".into(),
        ));
    }
    let length = query.q.trim().chars().count();
    if !(2..=MAX_QUERY).contains(&length) {
        return Err(AppError::BadRequest(format!(
            "q must have 2 to {MAX_QUERY} characters"
        )));
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
    let limit = query.limit.unwrap_or(8).clamp(1, 20);
    // A corner is named with the page's "and".
    let join = if lang.starts_with("en") { "and" } else { "y" };
    let found = tokio::task::spawn_blocking(move || {
        let corner = gazetteer.corners(&query.q, join, limit);
        let plain = gazetteer.search(&query.q, limit);
        let mut found: Vec<&crate::basemap::places::Place> = corner
            .as_ref()
            .map(|c| c.corners.iter().collect())
            .unwrap_or_default();
        found.extend(plain);
        found.truncate(limit);
        let mut collection = crate::geojson::places_geojson(&found);
        if let Some(corner) = corner {
            // What each part of a corner found, so the page can say which street it lacks.
            collection["corner"] = serde_json::json!({ "streets": corner.streets });
        }
        collection
    })
    .await
    .map_err(|e| AppError::Internal(format!("the place search failed: {e}")))?;
    let mut response = Json(found).into_response();
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

/// A basemap as the pages and the admin page see it, with what its users should know of it
/// for a project whose area has the bounds `area` (`basemap::schema::warnings`).
pub fn describe(basemap: &Basemap, own: bool, area: Option<[f64; 4]>) -> Value {
    let d = &basemap.description;
    json!({
        "schema": crate::basemap::schema::Schema::of(d),
        "warnings": crate::basemap::schema::warnings(d, area),
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
pub async fn offered(state: &AppState, project: &Project) -> Vec<Value> {
    let area = project.area_bounds();
    state
        .basemaps
        .for_project(project.id)
        .await
        .iter()
        .map(|b| describe(b, state.basemaps.owned_by(project.id, &b.id), area))
        .collect()
}

/// [`offered`] as JSON text, for a page's `data-basemaps` attribute.
pub(crate) async fn offered_json(state: &AppState, project: &Project) -> String {
    Value::from(offered(state, project).await).to_string()
}

async fn list(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    Ok(Json(json!({
        "basemaps": offered(&state, &project).await,
        "uploads": state.basemaps.accepts_uploads(),
    })))
}

pub(super) fn admin_only(principal: &Principal) -> Result<(), AppError> {
    if principal.can_manage_basemaps() {
        Ok(())
    } else {
        Err(AppError::forbidden("only admins add or remove basemaps"))
    }
}
