//! The export page: researchers, analysts, admins and facilitators choose a format, a privacy
//! level (the ones their role allows), filters and masking, and download. The form sends a
//! plain GET to the export API with the session cookie: no script needed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::PageContext;
use super::staff::user;
use crate::domain::export::{Masking, Privacy};
use crate::http::state::AppState;
use crate::i18n::Catalogue;

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    project: &'a str,
    project_name: &'a str,
    /// Privacy levels this user may take, the default first.
    levels: Vec<&'static str>,
    /// Saved priority zones are in full exports only.
    zones: bool,
    /// (id, title) of the workshops the user may export from.
    workshops: Vec<(String, String)>,
    masking: Masking,
    locale: &'a str,
}

pub async fn export_page(
    State(state): State<AppState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    if !principal.may_export(Privacy::Anonymised) {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let Ok(Some(project)) = state.store.find_project(&slug).await else {
        return page.error(StatusCode::NOT_FOUND, "error.not_found");
    };
    let Ok(all) = state.store.list_workshops(project.id).await else {
        return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title");
    };
    let scope = principal
        .export_scope(&all)
        .narrow(None)
        .unwrap_or_default();
    let workshops = all
        .iter()
        .filter(|w| scope.as_ref().is_none_or(|ids| ids.contains(&w.id)))
        .map(|w| (w.id.to_string(), w.title.clone()))
        .collect();
    let levels = [Privacy::Anonymised, Privacy::Aggregated, Privacy::Full]
        .into_iter()
        .filter(|level| principal.may_export(*level))
        .map(Privacy::as_str)
        .collect();
    let html = ExportPage {
        t: page.t,
        languages: &page.languages,
        project: &project.slug,
        project_name: &project.name,
        levels,
        zones: principal.may_export(Privacy::Full),
        workshops,
        masking: project.masking,
        locale: page.t.locale,
    }
    .render();
    page.respond(StatusCode::OK, html)
}
