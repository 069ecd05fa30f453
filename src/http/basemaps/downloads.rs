//! Downloading a project's area from an XYZ tile service into a basemap, over the API:
//! start it (or only ask what it would take), ask its progress, stop it. The download is
//! `application::basemaps`, run as a job of `application::jobs`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{admin_only, describe};
use crate::application::basemaps::{
    self, DOWNLOAD, DownloadLimits, DownloadRequest, plan_download, start_download,
};
use crate::application::jobs::Job;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, Auth};
use crate::http::projects::visible_project;
use crate::http::state::AppState;

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

fn limits(state: &AppState) -> DownloadLimits {
    DownloadLimits {
        max_tiles: state.limits.max_fetch_tiles,
        private_hosts: state.limits.private_tile_services,
    }
}

/// A download's status as the API has always answered it: the basemap it made as `basemap`.
fn status(job: &Job) -> Value {
    let mut status = job.status();
    if let Some(object) = status.as_object_mut() {
        let made = object.remove("result").unwrap_or(Value::Null);
        object.insert("basemap".into(), made);
    }
    status
}

pub(super) async fn start_fetch(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<FetchRequest>,
) -> Result<Response, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let dry_run = request.dry_run;
    let request = DownloadRequest {
        url: request.url,
        label: request.label,
        min_zoom: request.min_zoom,
        max_zoom: request.max_zoom,
        contact: request.contact,
        attribution: request.attribution,
        rate: request.rate,
    };
    if dry_run {
        let (_, estimate) = plan_download(&principal, &project, &request, limits(&state))?;
        return Ok(Json(json!({ "estimate": estimate })).into_response());
    }
    let job = start_download(
        &state.jobs,
        state.basemaps.clone(),
        &principal,
        &project,
        request,
        limits(&state),
        // A download covers the project's area by construction: nothing to warn of there.
        |basemap| describe(basemap, true, None),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(status(&job))).into_response())
}

pub(super) async fn fetch_progress(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    let job = state.jobs.get(DOWNLOAD, project.id)?;
    Ok(Json(status(&job)))
}

pub(super) async fn stop_fetch(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    admin_only(&principal)?;
    let project = visible_project(&state, &principal, &slug).await?;
    state.jobs.stop(basemaps::DOWNLOAD, project.id)?;
    Ok(StatusCode::ACCEPTED)
}
