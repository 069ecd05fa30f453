//! The audit trail's page (`/admin/audit`): admins read every entry, analysts their projects';
//! filtered by what, through which door, who and when, in the page's language, with whether
//! the chain verifies (admins). The reading is `application::audit`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::PageContext;
use super::staff::user;
use crate::application::audit::{self, AuditQuery};
use crate::domain::access::Role;
use crate::domain::audit::{Door, Entry, Kind};
use crate::http::state::AppState;
use crate::i18n::Catalogue;

/// The filters as the page's form sends them: empty fields are no filter.
#[derive(Debug, Default, Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    door: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    before: Option<u64>,
}

const KINDS: [Kind; 9] = [
    Kind::ExactRead,
    Kind::Export,
    Kind::Moderation,
    Kind::Account,
    Kind::LegalBasis,
    Kind::Consent,
    Kind::Withdrawal,
    Kind::Purge,
    Kind::SignIn,
];
const DOORS: [Door; 6] = [
    Door::Page,
    Door::Api,
    Door::Export,
    Door::Wall,
    Door::Cli,
    Door::Job,
];

/// One entry as a row of the table.
struct Row {
    seq: u64,
    at: String,
    kind: &'static str,
    actor: String,
    /// Who, as people read it: a user's name where the reader may know it, else the id.
    who: String,
    door: &'static str,
    project: String,
    /// `drawings: 3 · privacy: full…`, or empty when erased.
    details: String,
    erased: bool,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    t: &'a Catalogue,
    languages: &'a [(String, String)],
    form: AuditForm,
    kinds: Vec<&'static str>,
    doors: Vec<&'static str>,
    rows: Vec<Row>,
    /// The `before` of the next (older) page.
    older: Option<u64>,
    /// Admins: whether the chain verifies, as a sentence.
    chain: Option<(bool, String)>,
}

fn row(
    entry: Entry,
    projects: &HashMap<uuid::Uuid, String>,
    users: &HashMap<String, String>,
) -> Row {
    let (actor, door, project, details) = match &entry.details {
        Some(d) => {
            // Counts of nothing say nothing: a purge's zero revisions, say.
            let mut parts: Vec<String> = d
                .counts
                .iter()
                .filter(|(_, v)| **v > 0)
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            parts.extend(d.words.iter().map(|(k, v)| format!("{k}: {v}")));
            if let Some(workshop) = d.workshop {
                parts.push(format!("workshop: {workshop}"));
            }
            if !d.subjects.is_empty() && !d.counts.contains_key("drawings") {
                parts.extend(d.subjects.iter().map(ToString::to_string));
            }
            (
                d.actor.clone(),
                d.door.as_str(),
                d.project
                    .map(|p| projects.get(&p).cloned().unwrap_or_else(|| p.to_string()))
                    .unwrap_or_default(),
                parts.join(" · "),
            )
        }
        None => (String::new(), "", String::new(), String::new()),
    };
    Row {
        who: users.get(&actor).cloned().unwrap_or_else(|| actor.clone()),
        seq: entry.seq,
        at: entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
        kind: entry.kind.as_str(),
        actor,
        door,
        project,
        erased: entry.details.is_none(),
        details,
    }
}

/// `GET /admin/audit`.
pub async fn audit_page(
    State(state): State<AppState>,
    page: PageContext,
    form: Result<Query<AuditForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(principal) = user(&state, &page).await else {
        return page.redirect("/login");
    };
    let Ok(Query(form)) = form else {
        return page.error(StatusCode::BAD_REQUEST, "error.refused");
    };
    let day = |text: &str| -> Result<Option<chrono::NaiveDate>, ()> {
        if text.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ())
    };
    let (Ok(since), Ok(until)) = (day(&form.since), day(&form.until)) else {
        return page.error(StatusCode::BAD_REQUEST, "error.refused");
    };
    let filled = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let query = AuditQuery {
        actor: filled(&form.actor),
        door: filled(&form.door),
        kind: filled(&form.kind),
        since,
        until,
        before: form.before,
        limit: Some(100),
        ..AuditQuery::default()
    };
    let entries = match audit::list(state.store.as_ref(), &principal, query).await {
        Ok(entries) => entries,
        Err(crate::application::Error::NotAllowed(_)) => {
            return page.error(StatusCode::FORBIDDEN, "error.forbidden");
        }
        Err(crate::application::Error::BadInput(_)) => {
            return page.error(StatusCode::BAD_REQUEST, "error.refused");
        }
        Err(_) => return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title"),
    };
    let Ok(projects) = crate::application::projects::list(state.store.as_ref()).await else {
        return page.error(StatusCode::SERVICE_UNAVAILABLE, "error.title");
    };
    let names: HashMap<uuid::Uuid, String> = projects.into_iter().map(|p| (p.id, p.name)).collect();
    // Admins know the accounts: `user:<id>` reads as the username.
    let users: HashMap<String, String> =
        crate::application::users::list(state.store.as_ref(), &principal)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|u| (format!("user:{}", u.id), u.username))
            .collect();
    let chain = if principal.role() == Some(Role::Admin) {
        match audit::verify_as(state.store.as_ref(), &principal).await {
            Ok((_, Ok(verified))) => Some((
                true,
                page.t
                    .f("audit.verifies", &[("count", verified.count.into())]),
            )),
            Ok((_, Err(broken))) => Some((
                false,
                page.t
                    .f("audit.broken", &[("why", broken.to_string().into())]),
            )),
            Err(_) => None,
        }
    } else {
        None
    };
    let older = (entries.len() == 100)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let html = AuditPage {
        t: page.t,
        languages: &page.languages,
        form,
        kinds: KINDS.iter().map(|k| k.as_str()).collect(),
        doors: DOORS.iter().map(|d| d.as_str()).collect(),
        rows: entries
            .into_iter()
            .map(|e| row(e, &names, &users))
            .collect(),
        older,
        chain,
    }
    .render();
    page.respond(StatusCode::OK, html)
}
