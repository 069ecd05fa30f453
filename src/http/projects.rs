//! Projects and their legends.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ApiJson, Auth};
use crate::domain::access::Principal;
use crate::domain::export::Masking;
use crate::domain::legend::{Symbol, validate_legend};
use crate::domain::project::{NewProjectRequest, Project, SensitiveView};
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects", get(list_projects).post(create_project))
        .route(
            "/api/projects/{slug}",
            get(get_project).patch(change_project),
        )
        .route(
            "/api/projects/{slug}/legend",
            get(get_legend).put(replace_legend),
        )
}

/// Loads a project by slug and checks the caller may see it: every user, and participants
/// of that project's workshops.
pub async fn visible_project(
    state: &AppState,
    principal: &Principal,
    slug: &str,
) -> Result<Project, AppError> {
    let project = state
        .store
        .find_project(slug)
        .await?
        .ok_or_else(|| AppError::not_found("project"))?;
    if let Principal::Participant { project_id, .. } = principal
        && *project_id != project.id
    {
        return Err(AppError::forbidden(
            "participants see only the project of their workshop",
        ));
    }
    Ok(project)
}

/// A project as `GET /api/projects/{slug}` answers it.
pub fn project_json(project: &Project) -> Value {
    json!({
        "id": project.id,
        "slug": project.slug,
        "name": project.name,
        "description": project.description,
        "default_locale": project.default_locale,
        "area": project.area.as_ref().map(|a| a.to_geojson_value()),
        "sensitive_exact": project.sensitive_exact,
        "masking": {
            "mask_min": project.masking.min_m,
            "mask_max": project.masking.max_m,
            "resolution": u8::from(project.masking.aggregate_resolution),
            "k": project.masking.k,
        },
        "import_max_items": project.import_max_items,
        "created_at": project.created_at,
    })
}

/// `PATCH /api/projects/{slug}`: the project's policies an analyst or admin chooses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectChange {
    /// Who sees sensitive drawings exactly beside analysts, admins and their author:
    /// `analysts` (nobody else) or `workshop` (its tables and facilitator too).
    sensitive_exact: Option<SensitiveView>,
    /// The finest masking researchers' exports may have: `{mask_min, mask_max, resolution, k}`
    /// (metres, metres, H3 5-10, smallest count shown).
    masking: Option<MaskingChange>,
    /// Most items one imported file may hold (1 to 50,000); `null` for the server's
    /// `--import-max-items`.
    #[serde(default, deserialize_with = "present")]
    import_max_items: Option<Option<u32>>,
}

/// The most a project's `import_max_items` may be: ten times the default, still within the
/// 16 MB a KMZ unpacks to and the memory an import is bounded by (README).
const MAX_IMPORT_ITEMS_SETTING: u32 = 50_000;

/// A member given, even as `null` (`Some(None)`), told from one left out (`None`).
fn present<'de, D>(deserializer: D) -> Result<Option<Option<u32>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<u32>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaskingChange {
    mask_min: f64,
    mask_max: f64,
    resolution: u8,
    k: u32,
}

async fn change_project(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(change): ApiJson<ProjectChange>,
) -> Result<Json<Value>, AppError> {
    if !principal.can_moderate() {
        return Err(AppError::forbidden(
            "a project's policies are for analysts and admins",
        ));
    }
    let mut project = visible_project(&state, &principal, &slug).await?;
    if let Some(asked) = change.masking {
        let resolution = crate::domain::priority::resolution(asked.resolution)
            .filter(|_| (5..=10).contains(&asked.resolution))
            .ok_or_else(|| {
                AppError::BadRequest("resolution must be between 5 and 10 (H3)".into())
            })?;
        let masking = Masking {
            min_m: asked.mask_min,
            max_m: asked.mask_max,
            sensitive_resolution: resolution,
            aggregate_resolution: resolution,
            k: asked.k,
        };
        masking.validate().map_err(AppError::BadRequest)?;
        project.masking = masking;
    }
    if let Some(view) = change.sensitive_exact {
        project.sensitive_exact = view;
    }
    if let Some(items) = change.import_max_items {
        if items.is_some_and(|n| !(1..=MAX_IMPORT_ITEMS_SETTING).contains(&n)) {
            return Err(AppError::BadRequest(format!(
                "import_max_items is 1 to {MAX_IMPORT_ITEMS_SETTING} items, or null for the \
                 server's default"
            )));
        }
        project.import_max_items = items;
    }
    // All in one statement: whoever reads the project sees all of the change or none of it.
    state.store.set_policies(&project).await?;
    Ok(Json(project_json(&project)))
}

/// Public: names and descriptions only, so the home page can offer them. No geometry.
async fn list_projects(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let projects = state.store.list_projects().await?;
    let list: Vec<Value> = projects
        .iter()
        .map(|p| json!({"slug": p.slug, "name": p.name, "description": p.description, "default_locale": p.default_locale}))
        .collect();
    Ok(Json(json!({"projects": list})))
}

async fn create_project(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiJson(request): ApiJson<NewProjectRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    if !principal.can_create_project() {
        return Err(AppError::forbidden("only admins create projects"));
    }
    let project = request
        .into_project(Utc::now())
        .map_err(|errors| AppError::invalid("the project is not valid", errors))?;
    state.store.create_project(&project).await?;
    Ok((StatusCode::CREATED, Json(project_json(&project))))
}

async fn get_project(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    Ok(Json(project_json(&project)))
}

async fn get_legend(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Symbol>>, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    Ok(Json(state.store.legend(project.id).await?))
}

async fn replace_legend(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(symbols): ApiJson<Vec<Symbol>>,
) -> Result<Json<Vec<Symbol>>, AppError> {
    if !principal.can_edit_legend() {
        return Err(AppError::forbidden("only analysts and admins edit legends"));
    }
    let project = visible_project(&state, &principal, &slug).await?;
    validate_legend(&symbols)
        .map_err(|errors| AppError::invalid("the legend is not valid", errors))?;
    state.store.replace_legend(project.id, &symbols).await?;
    Ok(Json(state.store.legend(project.id).await?))
}
