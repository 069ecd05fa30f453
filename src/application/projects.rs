//! Projects: finding one the caller may see, listing them for the home page, creating one,
//! the policies an analyst chooses (who sees sensitive drawings exactly, the masking floor,
//! the items an import may hold), and the legend.

use chrono::Utc;
use serde::Deserialize;
use tracing::instrument;

use super::Error;
use crate::domain::access::Principal;
use crate::domain::export::Masking;
use crate::domain::legend::{Symbol, validate_legend};
use crate::domain::project::{NewProjectRequest, Project, SensitiveView};
use crate::domain::retention::{AfterRetention, Retention};
use crate::domain::xlsform::{XlsForm, read_xlsform};
use crate::store::Store;

/// The project of `slug`, if the caller may see it: every user, and participants of that
/// project's workshops.
///
/// # Errors
/// `NotFound` for an unknown slug; `NotAllowed` for a participant of another project; the
/// store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn visible(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
) -> Result<Project, Error> {
    let project = store
        .find_project(slug)
        .await?
        .ok_or_else(|| Error::not_found("project"))?;
    if let Principal::Participant { project_id, .. } = principal
        && *project_id != project.id
    {
        return Err(Error::not_allowed(
            "participants see only the project of their workshop",
        ));
    }
    Ok(project)
}

/// Every project, for the home page (public: its words only, no geometry, are shown).
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn list(store: &dyn Store) -> Result<Vec<Project>, Error> {
    Ok(store.list_projects().await?)
}

/// Creates a project (admins).
///
/// # Errors
/// `NotAllowed` for whoever does not create projects; `Invalid` for a request that does not
/// validate; `Conflict` for a slug taken; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn create(
    store: &dyn Store,
    principal: &Principal,
    request: NewProjectRequest,
) -> Result<Project, Error> {
    let permit = principal
        .project_creation()
        .ok_or_else(|| Error::not_allowed("only admins create projects"))?;
    let project = request
        .into_project(Utc::now())
        .map_err(|errors| Error::invalid("the project is not valid", errors))?;
    store.create_project(&permit, &project).await?;
    Ok(project)
}

/// The project's policies an analyst or admin chooses (`PATCH /api/projects/{slug}`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyChange {
    /// Who sees sensitive drawings exactly beside analysts, admins and their author:
    /// `analysts` (nobody else) or `workshop` (its tables and facilitator too).
    pub sensitive_exact: Option<SensitiveView>,
    /// The finest masking researchers' exports may have: `{mask_min, mask_max, resolution, k}`
    /// (metres, metres, H3 5-10, smallest count shown).
    pub masking: Option<MaskingChange>,
    /// Most items one imported file may hold (1 to 50,000); `null` for the server's
    /// `--import-max-items`.
    #[serde(default, deserialize_with = "present")]
    pub import_max_items: Option<Option<u32>>,
    /// Months raw drawings are kept after each workshop ended (1 to 120, `domain::retention`);
    /// `null` to keep them until deleted.
    #[serde(default, deserialize_with = "present")]
    pub retention_months: Option<Option<u32>>,
    /// Largest photo, in MB (1 to 8); `null` for the server's 8.
    #[serde(default, deserialize_with = "present")]
    pub photo_max_mb: Option<Option<u32>>,
    /// Longest voice note, in seconds (5 to 180); `null` for the server's 60.
    #[serde(default, deserialize_with = "present")]
    pub voice_note_max_seconds: Option<Option<u32>>,
    /// What the retention keeps when it purges: `delete` (nothing, the default) or
    /// `keep_counts` (the aggregated counts per cell and symbol). Needs a retention, set
    /// before or in the same change.
    #[serde(default)]
    pub retention_then: Option<AfterRetention>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskingChange {
    pub mask_min: f64,
    pub mask_max: f64,
    pub resolution: u8,
    pub k: u32,
}

/// The most a project's `import_max_items` may be: ten times the default, still within the
/// 16 MB a KMZ unpacks to and the memory an import is bounded by (README).
pub const MAX_IMPORT_ITEMS_SETTING: u32 = 50_000;

/// A member given, even as `null` (`Some(None)`), told from one left out (`None`).
fn present<'de, D>(deserializer: D) -> Result<Option<Option<u32>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<u32>::deserialize(deserializer).map(Some)
}

/// Sets the project's policies, all in one statement: whoever reads the project sees all of
/// the change or none of it.
///
/// # Errors
/// `NotAllowed` for whoever does not moderate; `BadInput` for a masking or item count out of
/// range; as [`visible`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn set_policies(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
    change: PolicyChange,
) -> Result<Project, Error> {
    let permit = principal
        .moderation()
        .ok_or_else(|| Error::not_allowed("a project's policies are for analysts and admins"))?;
    let mut project = visible(store, principal, slug).await?;
    if let Some(asked) = change.masking {
        let resolution = crate::domain::priority::resolution(asked.resolution)
            .filter(|_| (5..=10).contains(&asked.resolution))
            .ok_or_else(|| Error::BadInput("resolution must be between 5 and 10 (H3)".into()))?;
        let masking = Masking {
            min_m: asked.mask_min,
            max_m: asked.mask_max,
            sensitive_resolution: resolution,
            aggregate_resolution: resolution,
            k: asked.k,
        };
        masking.validate()?;
        project.masking = masking;
    }
    if let Some(view) = change.sensitive_exact {
        project.sensitive_exact = view;
    }
    if let Some(items) = change.import_max_items {
        if items.is_some_and(|n| !(1..=MAX_IMPORT_ITEMS_SETTING).contains(&n)) {
            return Err(Error::BadInput(format!(
                "import_max_items is 1 to {MAX_IMPORT_ITEMS_SETTING} items, or null for the \
                 server's default"
            )));
        }
        project.import_max_items = items;
    }
    if let Some(mb) = change.photo_max_mb {
        project.attachment_limits.photo_mb = mb;
    }
    if let Some(seconds) = change.voice_note_max_seconds {
        project.attachment_limits.voice_note_seconds = seconds;
    }
    project
        .attachment_limits
        .validate()
        .map_err(Error::BadInput)?;
    if let Some(months) = change.retention_months {
        let then = project.retention.map_or(AfterRetention::Delete, |r| r.then);
        project.retention = months
            .map(|months| Retention::new(months, then))
            .transpose()
            .map_err(Error::BadInput)?;
    }
    if let Some(then) = change.retention_then {
        let retention = project.retention.as_mut().ok_or_else(|| {
            Error::BadInput(
                "retention_then says what a retention keeps: set retention_months too".into(),
            )
        })?;
        retention.then = then;
    }
    store.set_policies(&permit, &project).await?;
    Ok(project)
}

/// The project's legend.
///
/// # Errors
/// As [`visible`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn legend(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
) -> Result<Vec<Symbol>, Error> {
    let project = visible(store, principal, slug).await?;
    Ok(store.legend(project.id).await?)
}

/// The questions of an XLSForm (`bytes`: an .xlsx workbook, unlabelled
/// texts in the project's language), for the legend editor to give a symbol: nothing is
/// stored until the legend is saved. Analysts and admins, as they edit legends.
///
/// # Errors
/// `NotAllowed` for other roles; `Refused` for a file that is no XLSForm (see
/// `domain::xlsform::read_xlsform`); as [`visible`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn questions_from_xlsform(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
    bytes: bytes::Bytes,
) -> Result<XlsForm, Error> {
    principal
        .legend_editing()
        .ok_or_else(|| Error::not_allowed("only analysts and admins edit legends"))?;
    let project = visible(store, principal, slug).await?;
    // Unzipping and reading a workbook is work for a thread of its own.
    let locale = project.default_locale;
    tokio::task::spawn_blocking(move || read_xlsform(&bytes, &locale))
        .await
        .map_err(|e| Error::Failed(format!("reading the XLSForm failed: {e}")))?
        .map_err(Error::Refused)
}

/// Replaces the project's legend (analysts and admins); a symbol in use cannot be dropped.
///
/// # Errors
/// `NotAllowed` for other roles; `Invalid` for a legend that does not validate; `Conflict`
/// for a symbol in use; as [`visible`].
#[instrument(skip_all, err(level = "debug"))]
pub async fn replace_legend(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
    symbols: Vec<Symbol>,
) -> Result<Vec<Symbol>, Error> {
    let permit = principal
        .legend_editing()
        .ok_or_else(|| Error::not_allowed("only analysts and admins edit legends"))?;
    let project = visible(store, principal, slug).await?;
    validate_legend(&symbols)
        .map_err(|errors| Error::invalid("the legend is not valid", errors))?;
    store.replace_legend(&permit, project.id, &symbols).await?;
    Ok(store.legend(project.id).await?)
}
