//! Downloading a project's area from an XYZ tile service into a basemap: planned and checked
//! at once (the service's address, the tiles it takes, the server's bound), then run as a
//! background job (`jobs`), one per project, which resumes its file when started again.

use crate::domain::{Invalid, Refusal};
use std::sync::Arc;
use tracing::instrument;

use chrono::Utc;
use serde_json::{Value, json};

use super::Error;
use super::jobs::{Job, Jobs};
use crate::basemap::fetch::{self, Estimate, Plan};
use crate::basemap::{Basemap, BasemapError, Basemaps, TileRange, Upload};
use crate::domain::access::Principal;
use crate::domain::project::Project;

/// The kind of the download jobs.
pub const DOWNLOAD: &str = "download";

/// What to download and how.
pub struct DownloadRequest {
    /// XYZ template of the service.
    pub url: String,
    pub label: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// An email or URL for the service's operators.
    pub contact: String,
    pub attribution: Option<String>,
    /// Tiles a second (default 2).
    pub rate: Option<f64>,
}

/// The server's bounds on downloads.
#[derive(Debug, Clone, Copy)]
pub struct DownloadLimits {
    pub max_tiles: u64,
    /// Whether a service on this machine or a private network may be used.
    pub private_hosts: bool,
}

/// What a download would take, without starting it.
///
/// # Errors
/// As [`start_download`], before anything starts.
pub fn plan_download(
    principal: &Principal,
    project: &Project,
    request: &DownloadRequest,
    limits: DownloadLimits,
) -> Result<(Plan, Estimate), Error> {
    if !principal.can_manage_basemaps() {
        return Err(Error::not_allowed("only admins add or remove basemaps"));
    }
    let Some(area) = &project.area else {
        return Err(Error::Conflict(
            "the project has no area to download: set its area first".to_owned(),
        ));
    };
    let bbox = area.bbox();
    let plan = Plan {
        url: request.url.clone(),
        range: TileRange {
            bounds: [bbox.min_x, bbox.min_y, bbox.max_x, bbox.max_y],
            min_zoom: request.min_zoom,
            max_zoom: request.max_zoom,
        },
        contact: request.contact.clone(),
        rate: request.rate.unwrap_or(2.0),
        max_tiles: limits.max_tiles,
        attribution: request.attribution.clone().filter(|a| !a.trim().is_empty()),
        private_hosts: limits.private_hosts,
    };
    let estimate = plan.check().map_err(refused)?;
    Ok((plan, estimate))
}

/// Starts downloading `project`'s area as a job; `describe` writes the basemap it makes, for
/// the job's outcome.
///
/// # Errors
/// `NotAllowed` for whoever does not manage basemaps; `Conflict` for a project without an
/// area, or while its download runs; `Invalid` for a service or range the plan refuses;
/// `BadInput` for an empty label.
#[instrument(skip_all, err(level = "debug"))]
pub async fn start_download(
    jobs: &Jobs,
    basemaps: Arc<Basemaps>,
    principal: &Principal,
    project: &Project,
    request: DownloadRequest,
    limits: DownloadLimits,
    describe: fn(&Basemap) -> Value,
) -> Result<Arc<Job>, Error> {
    let (plan, estimate) = plan_download(principal, project, &request, limits)?;
    let label = request.label.trim().to_owned();
    if label.is_empty() {
        return Err(Error::BadInput("give the basemap a label".to_owned()));
    }
    // The same plan resumes the same file: named by what it downloads.
    let name = format!(
        "{}-{}-{}-{:x}.mbtiles",
        project.id,
        plan.range.min_zoom,
        plan.range.max_zoom,
        fingerprint(&plan.url)
    );
    let scratch = basemaps.scratch_file(&name).await.map_err(refused)?;
    let username = principal.username().unwrap_or_default().to_owned();
    let project_id = project.id;
    let (estimate, progress) = (json!(estimate), json!(fetch::Progress::default()));
    jobs.start(
        (DOWNLOAD, project.id),
        label.clone(),
        (estimate, progress),
        move |job| async move {
            let (running, path) = (job.clone(), scratch.clone());
            let ran = tokio::task::spawn_blocking(move || {
                fetch::run(
                    &plan,
                    &path,
                    |progress| running.report(json!(progress)),
                    || running.goes_on(),
                )
            })
            .await;
            match ran {
                Ok(Ok(_)) if !job.goes_on() => Err(Refusal::new(
                    "basemap.stopped",
                    "stopped; start the same download again to resume it",
                )),
                Ok(Ok(_)) => basemaps
                    .add(
                        project_id,
                        &scratch,
                        "the download",
                        Upload {
                            label,
                            added_at: Utc::now(),
                            added_by: username,
                        },
                    )
                    .await
                    .map(|b| describe(&b))
                    .map_err(|e| match e {
                        BasemapError::Io { .. } | BasemapError::Refused(_) => e.said(),
                        // Not a file the admin chose: say what was downloaded was no basemap.
                        unusable => Refusal::new("basemap.download_unusable", unusable.to_string()),
                    }),
                Ok(Err(e)) => Err(e.said()),
                Err(e) => Err(Refusal::new(
                    "basemap.failed",
                    format!("the download stopped: {e}"),
                )),
            }
        },
    )
}

/// A basemap's refusal in the caller's terms: invalid input whose one problem (the uploaded
/// `/file`, or the whole request for a download's plan) names the message a page says it
/// with, or an internal fault.
pub fn refused(error: BasemapError) -> Error {
    match error {
        BasemapError::Io { .. } => Error::Failed(error.to_string()),
        other => {
            // A file that is no basemap is the upload's body; a plan's refusal is the request's.
            let pointer = if matches!(other, BasemapError::Refused(_)) {
                ""
            } else {
                "/file"
            };
            let said = other.said();
            let problem =
                Invalid::new(pointer, said.detail.clone()).said_as(said.code, said.params);
            Error::invalid(said.detail, vec![problem])
        }
    }
}

/// A short stable fingerprint of a URL, to name its resumable file.
fn fingerprint(text: &str) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}
