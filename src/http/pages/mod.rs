//! The pages people use in a browser, server-rendered (askama) with small plain scripts.
//! Every string goes through the message catalogues; feature data reaches the pages only as
//! GeoJSON from the API.

mod admin;
mod assets;
mod exports;
mod staff;

use askama::Template;
use axum::Router;
use axum::extract::{Form, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::auth::{PARTICIPANT_TOKEN_DAYS, join, open_workshop_by_code};
use super::cookies;
use super::extract::{ClientAddr, hash_token};
use crate::domain::access::Principal;
use crate::domain::project::Project;
use crate::domain::workshop::{Group, JoinCode, JoinRequest};
use crate::error::AppError;
use crate::i18n::{self, Catalogue};
use crate::identity;
use crate::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let policy = content_security_policy(state.tiles.as_deref());
    Router::new()
        .route("/", get(home))
        .route("/j", get(join_by_query))
        .route("/j/{code}", get(join_page).post(join_submit))
        .route("/draw", get(draw_page))
        .route("/leave", post(leave))
        .route("/logout", post(leave))
        .route("/login", get(staff::login_page).post(staff::login_submit))
        .route("/workshops", get(staff::workshops_page))
        .route("/workshops/{id}/wall", get(staff::wall_page))
        .route("/review/{slug}", get(staff::review_page))
        .route("/export/{slug}", get(exports::export_page))
        .route("/admin", get(admin::admin_page))
        .route("/admin/projects/{slug}/legend", get(admin::legend_page))
        .route("/static/{*path}", get(assets::static_file))
        .route("/sw.js", get(assets::service_worker))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let policy = policy.clone();
            async move {
                let mut response = next.run(request).await;
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
                response
            }
        }))
}

/// No inline script, nothing from other hosts but the operator's map tiles.
fn content_security_policy(tiles: Option<&str>) -> HeaderValue {
    let tile_origin = tiles
        .and_then(|url| {
            let (scheme, rest) = url.split_once("://")?;
            let host = rest.split('/').next()?;
            // An XYZ template may use {s} for subdomains: allow them.
            Some(format!(" {scheme}://{}", host.replace("{s}", "*")))
        })
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tile_origin}; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}

/// What every page needs: its language, the CSRF token, and cookies to set.
pub struct PageContext {
    pub t: &'static Catalogue,
    pub csrf: String,
    languages: Vec<(String, String)>,
    set_cookies: Vec<String>,
    session: Option<String>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut set_cookies = Vec::new();
        let asked = Query::<LangQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.lang);
        let asked = asked.as_deref().and_then(i18n::find);
        if let Some(catalogue) = asked {
            set_cookies.push(cookies::set(
                cookies::LANGUAGE,
                catalogue.locale,
                365 * 86_400,
            ));
        }
        let remembered = cookies::get(&parts.headers, cookies::LANGUAGE);
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let t = asked.unwrap_or_else(|| i18n::negotiate(remembered, accept, None));
        let csrf = match cookies::get(&parts.headers, cookies::CSRF) {
            Some(token) if token.len() >= 32 => token.to_owned(),
            _ => {
                let (token, _) = identity::new_token();
                set_cookies.push(cookies::set(cookies::CSRF, &token, 365 * 86_400));
                token
            }
        };
        let languages = i18n::all()
            .iter()
            .map(|c| (c.locale.to_owned(), c.t("lang.name").to_owned()))
            .collect();
        let session = cookies::get(&parts.headers, cookies::SESSION).map(str::to_owned);
        Ok(Self {
            t,
            csrf,
            languages,
            set_cookies,
            session,
        })
    }
}

impl PageContext {
    fn respond(self, status: StatusCode, page: Result<String, askama::Error>) -> Response {
        let mut response = match page {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => AppError::Internal(error.to_string()).into_response(),
        };
        for cookie in &self.set_cookies {
            if let Ok(value) = HeaderValue::from_str(cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }

    fn csrf_matches(&self, sent: &str) -> bool {
        cookies::same(&self.csrf, sent)
    }

    /// The page for an address that leads nowhere.
    pub(super) fn not_found(self) -> Response {
        self.error(StatusCode::NOT_FOUND, "error.not_found")
    }

    /// A readable error page in the page's language.
    fn error(self, status: StatusCode, message: &'static str) -> Response {
        self.error_with_detail(status, message, None)
    }

    /// The same, with the server's own words under the message.
    fn error_with_detail(
        self,
        status: StatusCode,
        message: &'static str,
        detail: Option<&str>,
    ) -> Response {
        let page = ErrorPage {
            t: self.t,
            languages: &self.languages,
            message,
            detail,
        }
        .render();
        // Whatever route answers with it (the fallback for unknown addresses is outside the
        // pages' router and its policy layer), an error page carries its own strict policy.
        let mut response = self.respond(status, page);
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ERROR_PAGE_POLICY),
        );
        response
    }
}

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
    messages: &'a std::collections::HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    message: &'static str,
    detail: Option<&'a str>,
}

/// Whether a request comes from a browser opening a page: HTML is the first thing it asks
/// for, as browsers do when following a link or a form. Scripts (`*/*`) and API clients
/// (JSON first, whatever they accept after it) are not.
pub(super) fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.trim_start().starts_with("text/html"))
}

/// A browser that followed a link or submitted a form to the API (the export page's
/// download does) gets a refusal as a page in its language, not problem JSON. Scripts'
/// requests (fetch asks for `*/*`) and other clients keep the JSON.
pub(super) async fn readable_api_errors(request: Request, next: Next) -> Response {
    if !(request.uri().path().starts_with("/api/") && wants_page(request.headers())) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(page) = PageContext::from_request_parts(&mut parts, &()).await;
    let response = next.run(Request::from_parts(parts, body)).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind == "application/problem+json");
    if !is_problem {
        return response;
    }
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|problem| problem["detail"].as_str().map(str::to_owned));
    let message = match status.as_u16() {
        401 => "problem.session",
        403 => "problem.forbidden",
        404 => "problem.not_found",
        412 => "problem.stale",
        413 => "problem.too_big",
        429 => "problem.too_many",
        503 => "problem.unavailable",
        500.. => "problem.server",
        _ => "error.refused",
    };
    // The server's words help with a refused request (which value to change), not with its
    // own failures.
    let detail = detail.filter(|_| status.is_client_error());
    page.error_with_detail(status, message, detail.as_deref())
}

/// An error page has no script and no map.
const ERROR_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn home(State(state): State<AppState>, page: PageContext) -> Response {
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
struct CodeQuery {
    code: Option<String>,
}

async fn join_by_query(page: PageContext, Query(query): Query<CodeQuery>) -> Response {
    match query.code.as_deref().and_then(JoinCode::parse) {
        Some(code) => Redirect::to(&format!("/j/{}", code.as_str())).into_response(),
        None => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
    }
}

async fn join_page(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    page: PageContext,
    Path(code): Path<String>,
) -> Response {
    match open_workshop_by_code(&state, &client, &code).await {
        Ok(workshop) => {
            let html = JoinPage {
                t: page.t,
                languages: &page.languages,
                code: workshop.join_code.as_str(),
                workshop_title: &workshop.title,
                groups: &workshop.groups,
                csrf: &page.csrf,
                error: None,
            }
            .render();
            page.respond(StatusCode::OK, html)
        }
        Err(AppError::TooManyRequests { .. }) => {
            page.error(StatusCode::TOO_MANY_REQUESTS, "join.unknown_code")
        }
        Err(_) => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
    }
}

#[derive(Deserialize)]
struct JoinForm {
    csrf: String,
    group: Option<String>,
    display_name: Option<String>,
}

/// Joins, keeps the participant's token in an HttpOnly cookie, and goes to the map.
async fn join_submit(
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
    };
    match join(&state, &client, &request).await {
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
        Err(AppError::Invalid { .. }) => {
            match open_workshop_by_code(&state, &client, &code).await {
                Ok(workshop) => {
                    let html = JoinPage {
                        t: page.t,
                        languages: &page.languages,
                        code: workshop.join_code.as_str(),
                        workshop_title: &workshop.title,
                        groups: &workshop.groups,
                        csrf: &page.csrf,
                        error: Some("join.pick_group_error"),
                    }
                    .render();
                    page.respond(StatusCode::UNPROCESSABLE_ENTITY, html)
                }
                Err(_) => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
            }
        }
        Err(AppError::TooManyRequests { .. }) => {
            page.error(StatusCode::TOO_MANY_REQUESTS, "join.unknown_code")
        }
        Err(_) => page.error(StatusCode::NOT_FOUND, "join.unknown_code"),
    }
}

/// The participant's map. Without a live session, a page that says how to get back in.
async fn draw_page(State(state): State<AppState>, page: PageContext) -> Response {
    let principal = match &page.session {
        Some(token) => state
            .store
            .principal_for_token(&hash_token(token), Utc::now())
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
    let basemaps = super::basemaps::offered_json(&state, project.id).await;
    let initial = draw_page_data(&state, &principal, &project)
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
        messages: page.t.messages(),
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
) -> Result<String, AppError> {
    let legend = state.store.legend(project.id).await?;
    let features =
        crate::application::features::list(&*state.store, principal, project, Default::default())
            .await?;
    let features = String::from_utf8(features).map_err(|e| AppError::Internal(e.to_string()))?;
    let legend = serde_json::to_string(&legend).map_err(|e| AppError::Internal(e.to_string()))?;
    let text = format!(
        "{{\"project\":{},\"legend\":{legend},\"features\":{features}}}",
        super::projects::project_json(project)
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
struct CsrfForm {
    csrf: String,
}

async fn leave(
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
        && state
            .store
            .revoke_token(&super::extract::hash_token(token))
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
