//! Request extractors that turn HTTP into domain inputs, with our error shape on failure.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use chrono::Utc;
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use sha2::{Digest, Sha256};

use super::cookies;
use crate::domain::access::Principal;
use crate::http::error::AppError;
use crate::http::state::AppState;

/// A JSON body: 415 unless the content type is JSON, 413 over the body limit, 400 when it is
/// not JSON at all, 422 when it is JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(request, state).await?;
        decode_json(&bytes).map(Self)
    }
}

/// The bytes of a JSON body, checked as `ApiJson` checks them (content type, size) but not
/// parsed yet, for handlers that read large bodies their own faster way.
pub struct JsonBytes(pub Bytes);

impl<S> FromRequest<S> for JsonBytes
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !(essence == "application/json" || essence.ends_with("+json")) {
            return Err(AppError::UnsupportedMediaType(format!(
                "send JSON with Content-Type: application/json or application/geo+json (got {:?})",
                essence
            )));
        }
        FileBytes::from_request(request, state)
            .await
            .map(|FileBytes(bytes)| Self(bytes))
    }
}

/// The bytes of a body of any type (an imported file, a pictogram): 413 as problem JSON over
/// the body limit, where axum's own rejection is plain text.
pub struct FileBytes(pub Bytes);

impl<S> FromRequest<S> for FileBytes
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = AppState::from_ref(state).limits.max_body_bytes;
        Bytes::from_request(request, state)
            .await
            .map(Self)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge { limit }
                } else {
                    AppError::BadRequest(format!("could not read the request body: {rejection}"))
                }
            })
    }
}

/// Parses a JSON body: 400 when it is not JSON at all, 422 when it has the wrong shape.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        Category::Data => AppError::invalid(
            format!("the JSON does not have the expected shape: {e}"),
            vec![],
        ),
        _ => AppError::BadRequest(format!("the body is not valid JSON: {e}")),
    })
}

/// SHA-256 of a request body, hex, to tell a retry from a different request.
pub fn hash_body(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The caller, authenticated by `Authorization: Bearer <token>` or, from the pages, by the
/// session cookie; 401 without a valid one. A cookie-authenticated request that changes
/// something must also carry the page's CSRF token in `X-CSRF-Token` (403 otherwise).
pub struct Auth(pub Principal);

impl<S> FromRequestParts<S> for Auth
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let CallerToken(token) = CallerToken::from_parts(parts)?;
        let principal = crate::application::identity::caller(&*state.store, &token, Utc::now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Auth(principal))
    }
}

/// The token the caller came with: the `Authorization: Bearer` one, or the session cookie's
/// (checked against the page's CSRF token for a request that changes something). For a
/// request that lasts (an event stream), to check later that it still stands for someone.
pub struct CallerToken(pub String);

impl CallerToken {
    fn from_parts(parts: &Parts) -> Result<Self, AppError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let token = match bearer {
            Some(token) => token,
            None => {
                let token = cookies::get(&parts.headers, cookies::SESSION)
                    .ok_or(AppError::Unauthenticated)?;
                if !parts.method.is_safe() {
                    check_csrf(&parts.headers)?;
                }
                token
            }
        };
        Ok(CallerToken(token.to_owned()))
    }
}

impl<S> FromRequestParts<S> for CallerToken
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts)
    }
}

/// The page's CSRF token, sent back in the `X-CSRF-Token` header, must match its cookie.
fn check_csrf(headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let expected = cookies::get(headers, cookies::CSRF);
    let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    match (expected, sent) {
        (Some(expected), Some(sent)) if cookies::same(expected, sent) => Ok(()),
        _ => Err(AppError::forbidden(
            "this request comes with the session cookie but without the page's CSRF token (X-CSRF-Token)",
        )),
    }
}

/// The client's address, for rate limiting failed attempts: the connection's, or behind a
/// trusted proxy the one it forwards.
pub struct ClientAddr(pub String);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientAddr("unknown".to_owned()));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let trusted = AppState::from_ref(state).trusted_proxies;
        Ok(ClientAddr(
            client_address(peer.ip(), &forwarded, &trusted).to_string(),
        ))
    }
}

/// Who sent a request that came from `peer`: `peer` itself unless it is a trusted proxy; then
/// the last address in `X-Forwarded-For` that is not a trusted proxy (every proxy appends the
/// address it heard from, and only the entries our own proxies added can be believed: a client
/// may write anything at the start of the header).
fn client_address(peer: IpAddr, forwarded_for: &str, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded_for.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // Garbage: nothing before it can be trusted either.
            Err(_) => break,
        }
    }
    client
}

/// A path segment that must be a UUID; anything else is a 404, not a 400, since no such
/// resource can exist.
pub fn parse_id(text: &str, what: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(text).map_err(|_| AppError::not_found(what))
}

/// Query-string parameters, with our problem JSON when they do not parse.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(
            client_address(ip("203.0.113.7"), "198.51.100.1", &[]),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        assert_eq!(
            client_address(ip("10.0.0.2"), "198.51.100.1", &trusted),
            ip("198.51.100.1")
        );
        // Two of our proxies in a row: the first address they did not add.
        assert_eq!(
            client_address(ip("10.0.0.2"), "198.51.100.1, 10.0.0.9", &trusted),
            ip("198.51.100.1")
        );
        // What the client wrote itself, before our proxy's entry, is not believed.
        assert_eq!(
            client_address(ip("10.0.0.2"), "1.2.3.4, 198.51.100.1", &trusted),
            ip("198.51.100.1")
        );
        // A request that reached us from outside the proxy cannot claim an address.
        assert_eq!(
            client_address(ip("203.0.113.7"), "198.51.100.1", &trusted),
            ip("203.0.113.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.2"), "", &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_address(ip("10.0.0.2"), "unknown", &trusted),
            ip("10.0.0.2")
        );
    }
}
