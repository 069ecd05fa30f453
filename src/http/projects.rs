//! Projects and their legends over HTTP (the use cases are `application::projects`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::extract::{ApiJson, Auth, FileBytes};
use crate::application::projects::{self, PolicyChange};
use crate::domain::access::Principal;
use crate::domain::legend::Symbol;
use crate::domain::project::{NewProjectRequest, Project};
use crate::domain::xlsform::XlsForm;
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
        .route(
            "/api/projects/{slug}/legend/xlsform",
            axum::routing::post(questions_from_xlsform),
        )
}

/// `POST /api/projects/{slug}/legend/xlsform` with a workbook as the body: the questions
/// it asks, as a symbol's `questions`, and `notes` on what did not come over as it was.
async fn questions_from_xlsform(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    FileBytes(body): FileBytes,
) -> Result<Json<XlsForm>, AppError> {
    Ok(Json(
        projects::questions_from_xlsform(state.store.as_ref(), &principal, &slug, body).await?,
    ))
}

/// Loads a project the caller may see (see `application::projects::visible`).
pub async fn visible_project(
    state: &AppState,
    principal: &Principal,
    slug: &str,
) -> Result<Project, AppError> {
    Ok(projects::visible(state.store.as_ref(), principal, slug).await?)
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
        "photo_max_mb": project.attachment_limits.photo_mb,
        "voice_note_max_seconds": project.attachment_limits.voice_note_seconds,
        "retention_months": project.retention.map(|r| r.months),
        "retention_then": project.retention.map(|r| r.then),
        "created_at": project.created_at,
    })
}

async fn change_project(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(change): ApiJson<PolicyChange>,
) -> Result<Json<Value>, AppError> {
    let project = projects::set_policies(state.store.as_ref(), &principal, &slug, change).await?;
    Ok(Json(project_json(&project)))
}

/// Public: names and descriptions only, so the home page can offer them. No geometry.
async fn list_projects(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let projects = projects::list(state.store.as_ref()).await?;
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
    let project = projects::create(state.store.as_ref(), &principal, request).await?;
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
    Ok(Json(
        projects::legend(state.store.as_ref(), &principal, &slug).await?,
    ))
}

async fn replace_legend(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiJson(symbols): ApiJson<Vec<Symbol>>,
) -> Result<Json<Vec<Symbol>>, AppError> {
    Ok(Json(
        projects::replace_legend(state.store.as_ref(), &principal, &slug, symbols).await?,
    ))
}
