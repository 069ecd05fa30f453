//! The participant's pages: the home page with the code field, joining a workshop, the
//! draw page, and leaving.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::PageContext;
use crate::application::Error;
use crate::application::identity;
use crate::application::sessions::{PARTICIPANT_TOKEN_DAYS, join, open_workshop_by_code};
use crate::domain::access::Principal;
use crate::domain::consent::{ConsentGiver, ConsentText};
use crate::domain::project::Project;
use crate::domain::workshop::{Group, JoinCode, JoinRequest};
use crate::http::auth::attempt_limits;
use crate::http::cookies;
use crate::http::error::AppError;
use crate::http::extract::ClientAddr;
use crate::http::state::AppState;
use crate::i18n::Catalogue;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    projects: Vec<Project>,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    code: &'a str,
    workshop_title: &'a str,
    groups: &'a [Group],
    csrf: &'a str,
    error: Option<&'static str>,
    /// The consent to accept before joining: its version, language tag and text.
    consent: Option<(u32, &'a str, &'a ConsentText)>,
    /// The workshop has no legal basis yet: nobody joins.
    no_basis: bool,
}

#[derive(Template)]
#[template(path = "draw.html")]
struct DrawPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    project: &'a str,
    workshop_id: String,
    workshop_title: &'a str,
    group_id: String,
    group_name: &'a str,
    csrf: &'a str,
    tiles: &'a str,
    /// The basemaps the project's map offers (`http::basemaps::describe`), as JSON.
    basemaps: &'a str,
    /// The page's first data (`draw_page_data`), empty when it could not be read.
    initial: &'a str,
    messages: crate::i18n::PageMessages,
    /// The code the participant gives the facilitator to withdraw (`application::care`).
    withdrawal_code: String,
}

pub(super) async fn home(State(state): State<AppState>, page: PageContext) -> Response {
    let Ok(projects) = state.store.list_projects().await else {
        return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title");
    };
    let html = HomePage {
        t: page.t,
        languages: &page.languages,
        projects,
    }
    .render();
    page.respond(StatusCode::OK, html)
}

#[derive(Deserialize)]
pub(super) struct CodeQuery {
    code: Option<String>,
}

pub(super) async fn join_by_query(page: PageContext, Query(query): Query<CodeQuery>) -> Response {
    match query.code.as_deref().and_then(JoinCode::parse) {
        Some(code) => Redirect::to(&format!("/j/{}", code.as_str())).into_response(),
        None => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
    }
}

pub(super) async fn join_page(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    page: PageContext,
    Path(code): Path<String>,
) -> Response {
    match open_workshop_by_code(state.store.as_ref(), attempt_limits(&state), &client, &code).await
    {
        Ok(workshop) => join_form(page, &workshop, StatusCode::OK, None),
        Err(Error::TooManyAttempts { .. }) => {
            page.error(StatusCode::TOO_MANY_REQUESTS, "join.unknown_code")
        }
        Err(_) => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
    }
}

#[derive(Deserialize)]
pub(super) struct JoinForm {
    csrf: String,
    group: Option<String>,
    display_name: Option<String>,
    /// The version of the consent text accepted (its checkbox's value).
    consent_version: Option<u32>,
}

/// Joins, keeps the participant's token in an HttpOnly cookie, and goes to the map.
pub(super) async fn join_submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    mut page: PageContext,
    Path(code): Path<String>,
    Form(form): Form<JoinForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let request = JoinRequest {
        code: code.clone(),
        group: form.group.unwrap_or_default(),
        display_name: form.display_name,
        consent_version: form.consent_version,
    };
    match join(
        state.store.as_ref(),
        attempt_limits(&state),
        &state.writes,
        &client,
        &request,
    )
    .await
    {
        Ok(joined) => {
            page.set_cookies.push(cookies::set(
                cookies::SESSION,
                &joined.token,
                PARTICIPANT_TOKEN_DAYS * 86_400,
            ));
            let mut response = page.respond(StatusCode::SEE_OTHER, Ok(String::new()));
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static("/draw"));
            response
        }
        Err(Error::Invalid { errors, .. }) => {
            let problem = if errors.iter().any(|e| e.pointer == "/consent_version") {
                "join.consent_error"
            } else {
                "join.pick_group_error"
            };
            match open_workshop_by_code(
                state.store.as_ref(),
                attempt_limits(&state),
                &client,
                &code,
            )
            .await
            {
                Ok(workshop) => join_form(
                    page,
                    &workshop,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(problem),
                ),
                Err(_) => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
            }
        }
        Err(Error::TooManyAttempts { .. }) => {
            page.error(StatusCode::TOO_MANY_REQUESTS, "join.unknown_code")
        }
        Err(_) => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
    }
}

/// The join page of `workshop`, with the catalogue key of a problem to say if any.
fn join_form(
    page: PageContext,
    workshop: &crate::domain::workshop::Workshop,
    status: StatusCode,
    error: Option<&'static str>,
) -> Response {
    let basis = workshop.legal_basis.as_ref();
    let consent = basis
        .filter(|b| b.consent_by() == Some(ConsentGiver::Participant))
        .and_then(|b| {
            b.text_in(page.t.locale)
                .map(|(language, text)| (b.version, language, text))
        });
    let html = JoinPage {
        t: page.t,
        languages: &page.languages,
        code: workshop.join_code.as_str(),
        workshop_title: &workshop.title,
        groups: &workshop.groups,
        csrf: &page.csrf,
        error,
        consent,
        no_basis: basis.is_none(),
    }
    .render();
    page.respond(status, html)
}

/// The participant's map. Without a live session, a page that says how to get back in.
pub(super) async fn draw_page(State(state): State<AppState>, page: PageContext) -> Response {
    let principal = match &page.session {
        Some(token) => identity::caller(&*state.store, token, Utc::now())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let Some(
        principal @ Principal::Participant {
            project_id,
            workshop_id,
            group_id,
            ..
        },
    ) = principal
    else {
        return page.error(StatusCode::UNAUTHORIZED, "error.session");
    };
    let (Ok(Some(project)), Ok(Some(workshop))) = (
        state.store.find_project_by_id(project_id).await,
        state.store.find_workshop(workshop_id).await,
    ) else {
        return page.error(StatusCode::NOT_FOUND, "error.not_found");
    };
    let group_name = workshop
        .groups
        .iter()
        .find(|g| g.id == group_id)
        .map_or("", |g| g.name.as_str());
    let withdrawal_code = crate::application::care::withdrawal_code(principal.id());
    let basemaps = crate::http::basemaps::offered_json(&state, &project).await;
    let initial = draw_page_data(&state, &principal, &project, workshop.is_open())
        .await
        .unwrap_or_default();
    let html = DrawPage {
        t: page.t,
        languages: &page.languages,
        project: &project.slug,
        workshop_id: workshop.id.to_string(),
        workshop_title: &workshop.title,
        group_id: group_id.to_string(),
        group_name,
        csrf: &page.csrf,
        tiles: state.tiles.as_deref().unwrap_or(""),
        basemaps: &basemaps,
        initial: &initial,
        messages: page.t.for_pages(),
        withdrawal_code,
    }
    .render();
    page.respond(StatusCode::OK, html)
}

/// What the draw page starts from, in the page itself: the project (its area), the legend
/// and the drawings the participant sees, as the API answers them. On a slow network each
/// request costs a round trip of its own (2 s on a slow 3G): in the page, the map is usable
/// as soon as it arrives. JSON text safe inside a `<script>` element.
async fn draw_page_data(
    state: &AppState,
    principal: &Principal,
    project: &Project,
    open: bool,
) -> Result<String, AppError> {
    // When this was true (ms since the epoch, the server's clock): a page the service worker
    // kept is older than what the phone learnt since (draw.js, "what this phone last knew").
    let as_of = chrono::Utc::now().timestamp_millis();
    let legend = state.store.legend(project.id).await?;
    let listing =
        crate::application::features::list(&*state.store, principal, project, Default::default())
            .await?;
    let features = crate::http::features::finish_listing(listing, &project.slug)?;
    let features = String::from_utf8(features).map_err(|e| AppError::Internal(e.to_string()))?;
    let legend = serde_json::to_string(&legend).map_err(|e| AppError::Internal(e.to_string()))?;
    let text = format!(
        "{{\"as_of\":{as_of},\"open\":{open},\"project\":{},\"legend\":{legend},\"features\":{features}}}",
        crate::http::projects::project_json(project)
    );
    Ok(json_for_script(&text))
}

/// JSON text that cannot end a `<script>` element nor open a comment in it: `<`, `>` and `&`
/// occur in JSON only inside strings, where their `\u` escapes mean the same.
fn json_for_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn leave(
    State(state): State<AppState>,
    mut page: PageContext,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    // The token behind the cookie ends too: a copy of the cookie (left on a shared phone,
    // or taken) must not go on working after the person has left.
    if let Some(token) = page.session.as_deref()
        && crate::application::users::sign_out(state.store.as_ref(), token)
            .await
            .is_err()
    {
        return page.error(StatusCode::SERVICE_UNAVAILABLE, "problem.unavailable");
    }
    page.set_cookies.push(cookies::set(cookies::SESSION, "", 0));
    let mut response = page.respond(StatusCode::SEE_OTHER, Ok(String::new()));
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/"));
    response
}
