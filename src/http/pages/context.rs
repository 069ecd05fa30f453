//! What every page needs: its language, the CSRF token, the session, and cookies to set.

use askama::Template;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::errors::{ERROR_PAGE_POLICY, ErrorPage};
use crate::application::identity;
use crate::http::cookies;
use crate::http::error::AppError;
use crate::i18n::{self, Catalogue};

/// What every page needs: its language, the CSRF token, and cookies to set.
pub struct PageContext {
    pub t: &'static Catalogue,
    pub csrf: String,
    pub(super) languages: Vec<(String, String)>,
    pub(super) set_cookies: Vec<String>,
    pub(super) session: Option<String>,
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
            .map(|c| (c.locale.to_owned(), c.t("lang.name")))
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
    pub(super) fn respond(
        self,
        status: StatusCode,
        page: Result<String, askama::Error>,
    ) -> Response {
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

    pub(super) fn csrf_matches(&self, sent: &str) -> bool {
        cookies::same(&self.csrf, sent)
    }

    /// The page for an address that leads nowhere.
    pub(crate) fn not_found(self) -> Response {
        self.error(StatusCode::NOT_FOUND, "error.not_found")
    }

    /// A readable error page in the page's language.
    pub(super) fn error(self, status: StatusCode, message: &'static str) -> Response {
        self.error_with_detail(status, message, None)
    }

    /// The same, with the server's own words under the message.
    pub(super) fn error_with_detail(
        self,
        status: StatusCode,
        message: &'static str,
        detail: Option<&str>,
    ) -> Response {
        self.error_with_way_back(status, message, detail, None)
    }

    /// The same, with a link back to `back` (a path on this server: the page the refused
    /// request came from).
    pub(super) fn error_with_way_back(
        self,
        status: StatusCode,
        message: &'static str,
        detail: Option<&str>,
        back: Option<&str>,
    ) -> Response {
        let page = ErrorPage {
            t: self.t,
            languages: &self.languages,
            message,
            detail,
            back,
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
