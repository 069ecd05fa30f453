//! Pages for users (facilitators, analysts, admins): log in, their workshops, the wall.
//! About 390 lines and its tests: login, the workshop list and the wall share the staff page
//! context and session handling.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{Duration, Utc};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::PageContext;
use crate::application::sessions::log_in;
use crate::domain::access::Principal;
use crate::domain::audit::Door;
use crate::domain::consent::{BasisKind, ConsentGiver, LegalBasis, Use};
use crate::domain::workshop::Group;
use crate::http::auth::attempt_limits;
use crate::http::cookies;
use crate::http::extract::ClientAddr;
use crate::http::state::AppState;
use crate::i18n::Catalogue;

/// A browser session of a user lasts a working day.
const USER_SESSION_HOURS: i64 = 12;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    csrf: &'a str,
    failed: bool,
}

#[derive(Template)]
#[template(path = "workshops.html")]
struct WorkshopsPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    csrf: &'a str,
    username: &'a str,
    rows: Vec<WorkshopRow>,
    /// Projects the user may review: (slug, name).
    reviewable: Vec<(String, String)>,
    /// Projects the user may create workshops in: (slug, name).
    creatable: Vec<(String, String)>,
    /// Projects the user may export from: (slug, name).
    exportable: Vec<(String, String)>,
    is_admin: bool,
    messages: crate::i18n::PageMessages,
    /// The server's joins a minute of a workshop, shown where a workshop has none of its own.
    joins_default: usize,
}

struct WorkshopRow {
    id: String,
    title: String,
    project: String,
    /// Its project's slug, for the API's paths (prints).
    slug: String,
    /// Whether the reader may print a result (analysts and admins).
    results: bool,
    open: bool,
    code: String,
    /// When it starts (or was created), as a day: 2026-11-29.
    date: String,
    tables: usize,
    participants: u64,
    drawings: u64,
    /// Its own joins a minute, empty for the server's.
    joins_per_minute: String,
    /// Its tables' names.
    groups: Vec<String>,
    /// What its legal basis is, as the form shows it (`domain::consent`).
    care: CareForm,
}

/// A workshop's legal basis as its form shows it: empty fields where it has none.
#[derive(Default)]
struct CareForm {
    /// `none`, `consent_participant`, `consent_facilitator` or `public_interest`: the key of
    /// the sentence that says it (`workshops.basis.*`).
    state: &'static str,
    version: u32,
    public_interest: bool,
    by_facilitator: bool,
    mandate: String,
    research: bool,
    publication: bool,
    /// (text, withdrawal) in Spanish and in English.
    es: (String, String),
    en: (String, String),
}

impl CareForm {
    fn of(basis: Option<&LegalBasis>) -> Self {
        let Some(basis) = basis else {
            return Self {
                state: "none",
                research: true,
                publication: true,
                ..Self::default()
            };
        };
        let mut form = Self {
            version: basis.version,
            research: basis.covers(Use::Research),
            publication: basis.covers(Use::Publication),
            ..Self::default()
        };
        match &basis.kind {
            BasisKind::PublicInterest { mandate } => {
                form.state = "public_interest";
                form.public_interest = true;
                form.mandate.clone_from(mandate);
            }
            BasisKind::Consent { given_by, texts } => {
                form.by_facilitator = *given_by == ConsentGiver::Facilitator;
                form.state = if form.by_facilitator {
                    "consent_facilitator"
                } else {
                    "consent_participant"
                };
                let text = |language: &str| {
                    texts
                        .get(language)
                        .map(|t| (t.text.clone(), t.withdrawal.clone()))
                        .unwrap_or_default()
                };
                form.es = text("es");
                form.en = text("en");
            }
        }
        form
    }
}

#[derive(Template)]
#[template(path = "wall.html")]
struct WallPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    project: &'a str,
    workshop_id: String,
    workshop_title: &'a str,
    open: bool,
    code: &'a str,
    /// The join link's parts between slashes, so that the caption breaks only there.
    join_parts: Vec<&'a str>,
    /// Phones cannot reach the address the wall was opened on, and no other is known.
    unreachable: bool,
    /// The port the server answers on, as the wall was asked for it (the hint to listen on
    /// every interface names it).
    listen_port: &'a str,
    /// Sensitive drawings are projected exactly (chosen for a closed session).
    exact: bool,
    /// The caller may choose to project them exactly.
    may_show_exact: bool,
    qr_svg: String,
    /// Where a programme tablet learns to trust the room's HTTPS (`/tls`), its QR code and the
    /// authority's fingerprint to compare, when HTTPS is served.
    tls_page: Option<(String, String, String)>,
    groups: &'a [Group],
    tiles: &'a str,
    /// The basemaps the project's map offers (`http::basemaps::describe`), as JSON.
    basemaps: &'a str,
    messages: crate::i18n::PageMessages,
}

pub async fn login_page(page: PageContext) -> Response {
    let html = LoginPage {
        t: page.t,
        languages: &page.languages,
        csrf: &page.csrf,
        failed: false,
    }
    .render();
    page.respond(StatusCode::OK, html)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    mut page: PageContext,
    Form(form): Form<LoginForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    match log_in(
        state.store.as_ref(),
        attempt_limits(&state),
        &client,
        &form.username,
        form.password,
        Duration::hours(USER_SESSION_HOURS),
        Door::Page,
    )
    .await
    {
        Ok((_, token, _)) => {
            page.set_cookies.push(cookies::set(
                cookies::SESSION,
                &token,
                USER_SESSION_HOURS * 3600,
            ));
            page.redirect("/workshops")
        }
        Err(_) => {
            let html = LoginPage {
                t: page.t,
                languages: &page.languages,
                csrf: &page.csrf,
                failed: true,
            }
            .render();
            page.respond(StatusCode::UNAUTHORIZED, html)
        }
    }
}

/// The signed-in user of a page, or `None`.
pub(super) async fn user(state: &AppState, page: &PageContext) -> Option<Principal> {
    let token = page.session.as_deref()?;
    match crate::application::identity::caller(&*state.store, token, Utc::now()).await {
        Ok(Some(principal @ Principal::User { .. })) => Some(principal),
        _ => None,
    }
}

/// The workshops the user runs (facilitators) or may see (analysts, admins), by project.
pub async fn workshops_page(State(state): State<AppState>, page: PageContext) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    let Principal::User { username, .. } = &principal else {
        return page.redirect("/login");
    };
    let mut rows = Vec::new();
    let Ok(projects) = state.store.list_projects().await else {
        return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title");
    };
    let listed = || {
        projects
            .iter()
            .map(|p| (p.slug.clone(), p.name.clone()))
            .collect()
    };
    let reviewable = if principal.can_analyse_priority() {
        listed()
    } else {
        Vec::new()
    };
    let creatable = if principal.can_create_workshop() {
        listed()
    } else {
        Vec::new()
    };
    let exportable = if principal.may_export(crate::domain::export::Privacy::Anonymised) {
        listed()
    } else {
        Vec::new()
    };
    for project in projects {
        let (Ok(workshops), Ok(tallies)) = (
            state.store.list_workshops(project.id).await,
            state.store.workshop_tallies(project.id).await,
        ) else {
            return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title");
        };
        rows.extend(
            workshops
                .into_iter()
                .filter(|w| principal.can_manage_workshop(w))
                .map(|w| {
                    let tally = tallies.get(&w.id).copied().unwrap_or_default();
                    WorkshopRow {
                        id: w.id.to_string(),
                        open: w.is_open(),
                        code: w.join_code.as_str().to_owned(),
                        date: w
                            .starts_at
                            .unwrap_or(w.created_at)
                            .format("%Y-%m-%d")
                            .to_string(),
                        tables: w.groups.len(),
                        participants: tally.participants,
                        drawings: tally.drawings,
                        joins_per_minute: w
                            .joins_per_minute
                            .map_or_else(String::new, |n| n.to_string()),
                        groups: w.groups.iter().map(|g| g.name.clone()).collect(),
                        care: CareForm::of(w.legal_basis.as_ref()),
                        title: w.title,
                        project: project.name.clone(),
                        slug: project.slug.clone(),
                        results: principal.can_moderate(),
                    }
                }),
        );
    }
    let html = WorkshopsPage {
        t: page.t,
        languages: &page.languages,
        csrf: &page.csrf,
        username,
        rows,
        reviewable,
        creatable,
        exportable,
        is_admin: principal.can_manage_users(),
        messages: page.t.for_pages(),
        joins_default: state.writes.limits.joins_per_workshop,
    }
    .render();
    page.respond(StatusCode::OK, html)
}

/// The wall: the code large, a QR code of the join link, the live map.
#[derive(Deserialize)]
pub struct WallQuery {
    /// `exact`: project sensitive drawings exactly (a closed session's choice).
    sensitive: Option<String>,
}

/// Whether a `Host` header names this computer itself.
pub fn is_loopback_host(host: &str) -> bool {
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub async fn wall_page(
    State(state): State<AppState>,
    page: PageContext,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<WallQuery>,
) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    let workshop = match id.parse() {
        Ok(id) => state.store.find_workshop(id).await.ok().flatten(),
        Err(_) => None,
    };
    let Some(workshop) = workshop else {
        return page.error(StatusCode::NOT_FOUND, "error.not_found");
    };
    if !principal.can_manage_workshop(&workshop) {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let Ok(Some(project)) = state.store.find_project_by_id(workshop.project_id).await else {
        return page.error(StatusCode::NOT_FOUND, "error.not_found");
    };
    // The link phones in the room can reach: the address this page was asked for, unless it
    // is the laptop's own (127.0.0.1), which phones cannot reach: then its network address.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let loopback = is_loopback_host(host);
    let origin = match state.room_origins.first() {
        Some(origin) if loopback => origin.clone(),
        _ => format!("http://{host}"),
    };
    let unreachable = loopback && state.room_origins.is_empty();
    let join_url = format!("{origin}/j/{}", workshop.join_code.as_str());
    // Sensitive drawings are projected as the phones show them, unless whoever runs the wall
    // may see them exactly and chose so for a closed session: never while the workshop is
    // open (anyone may still join and look at the screen).
    let may_show_exact = !workshop.is_open()
        && (principal.can_moderate()
            || project.sensitive_exact == crate::domain::project::SensitiveView::Workshop);
    let exact = may_show_exact && query.sensitive.as_deref() == Some("exact");
    let qr_of = |url: &str, side: u32| {
        QrCode::new(url.as_bytes())
            .map(|code| {
                code.render::<svg::Color>()
                    .min_dimensions(side, side)
                    .quiet_zone(true)
                    .build()
            })
            .unwrap_or_default()
    };
    let qr_svg = qr_of(&join_url, 200);
    // Where a programme tablet learns to trust the room's HTTPS, as a link and a small QR.
    let tls_page = state.tls.as_ref().map(|room| {
        let url = format!("{origin}/tls");
        let qr = qr_of(&url, 120);
        (url, qr, room.fingerprint.clone())
    });
    let basemaps = super::super::basemaps::offered_json(&state, &project).await;
    let html = WallPage {
        t: page.t,
        languages: &page.languages,
        project: &project.slug,
        workshop_id: workshop.id.to_string(),
        workshop_title: &workshop.title,
        open: workshop.is_open(),
        code: workshop.join_code.as_str(),
        join_parts: join_url.split('/').collect(),
        unreachable,
        listen_port: host.rsplit_once(':').map_or("80", |(_, port)| port),
        exact,
        may_show_exact,
        qr_svg,
        tls_page,
        groups: &workshop.groups,
        tiles: state.tiles.as_deref().unwrap_or(""),
        basemaps: &basemaps,
        messages: page.t.for_pages(),
    }
    .render();
    page.respond(StatusCode::OK, html)
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    project: &'a str,
    project_name: &'a str,
    csrf: &'a str,
    tiles: &'a str,
    /// The basemaps the project's map offers (`http::basemaps::describe`), as JSON.
    basemaps: &'a str,
    /// Analysts and admins moderate and decide priority zones; facilitators see their own
    /// workshops' drawings and priority areas only.
    moderator: bool,
    messages: crate::i18n::PageMessages,
}

/// The review of a project: analysts and admins in full; facilitators over the workshops they
/// run, without moderation or saved zones.
pub async fn review_page(
    State(state): State<AppState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    if !principal.can_analyse_priority() {
        return page.error(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let Ok(Some(project)) = state.store.find_project(&slug).await else {
        return page.error(StatusCode::NOT_FOUND, "error.not_found");
    };
    let basemaps = super::super::basemaps::offered_json(&state, &project).await;
    let html = ReviewPage {
        moderator: principal.can_moderate(),
        t: page.t,
        languages: &page.languages,
        project: &project.slug,
        project_name: &project.name,
        csrf: &page.csrf,
        tiles: state.tiles.as_deref().unwrap_or(""),
        basemaps: &basemaps,
        messages: page.t.for_pages(),
    }
    .render();
    page.respond(StatusCode::OK, html)
}

impl PageContext {
    pub(super) fn redirect(self, to: &'static str) -> Response {
        let mut response = self.respond(StatusCode::SEE_OTHER, Ok(String::new()));
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static(to));
        response
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_laptops_own_addresses_are_told_apart() {
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "127.0.0.2",
        ] {
            assert!(super::is_loopback_host(host), "{host}");
        }
        for host in [
            "192.168.0.10:8080",
            "trama.local",
            "[fe80::1]:80",
            "10.0.0.2",
        ] {
            assert!(!super::is_loopback_host(host), "{host}");
        }
    }
}
