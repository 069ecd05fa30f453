//! Downloading a project's area from an XYZ tile service into a basemap, in the
//! background: one download per project at a time, its progress asked for and stopped over
//! the API.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{admin_only, describe};
use crate::basemap::fetch::{self, Plan, Progress};
use crate::basemap::{TileRange, Upload};
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, Auth};
use crate::http::projects::visible_project;
use crate::http::state::AppState;

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
pub(super) struct FetchRequest {
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

pub(super) async fn start_fetch(
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

pub(super) async fn fetch_progress(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    Ok(Json(state.downloads.of(project.id)?.json()))
}

pub(super) async fn stop_fetch(
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
