//! Administration pages: projects and users (admins), the legend editor (analysts and
//! admins). The forms talk to the JSON API, so the rules and the errors are the API's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::PageContext;
use super::staff::user;
use crate::embedded::STATIC_FILES;
use crate::http::state::AppState;
use crate::i18n::Catalogue;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    csrf: &'a str,
    projects: Vec<crate::domain::project::Project>,
    users: Vec<(String, &'static str, bool)>,
    messages: crate::i18n::PageMessages,
}

#[derive(Template)]
#[template(path = "legend.html")]
struct LegendPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    csrf: &'a str,
    project: &'a str,
    project_name: &'a str,
    /// The shipped pictograms, comma-separated, for the icon menus.
    icons: String,
    messages: crate::i18n::PageMessages,
}

pub async fn admin_page(State(state): State<AppState>, page: PageContext) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    if !principal.can_manage_users() {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let (Ok(projects), Ok(users)) = (
        crate::application::projects::list(state.store.as_ref()).await,
        crate::application::users::list(state.store.as_ref(), &principal).await,
    ) else {
        return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title");
    };
    let html = AdminPage {
        t: page.t,
        languages: &page.languages,
        csrf: &page.csrf,
        projects,
        users: users
            .into_iter()
            .map(|u| (u.username, u.role.as_str(), u.disabled))
            .collect(),
        messages: page.t.for_pages(),
    }
    .render();
    page.respond(StatusCode::OK, html)
}

pub async fn legend_page(
    State(state): State<AppState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    if !principal.can_edit_legend() {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let Ok(Some(project)) = state.store.find_project(&slug).await else {
        return page.error(StatusCode::NOT_FOUND, "error.not_found");
    };
    let uploaded = state.store.list_pictograms().await.unwrap_or_default();
    let icons = STATIC_FILES
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("pictograms/")?.strip_suffix(".svg"))
        .map(str::to_owned)
        .chain(uploaded)
        .collect::<Vec<_>>()
        .join(",");
    let html = LegendPage {
        t: page.t,
        languages: &page.languages,
        csrf: &page.csrf,
        project: &project.slug,
        project_name: &project.name,
        icons,
        messages: page.t.for_pages(),
    }
    .render();
    page.respond(StatusCode::OK, html)
}
