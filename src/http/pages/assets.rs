//! `GET /static/...`: the embedded files, with a content-hash ETag so phones on bad Wi-Fi
//! revalidate with a 304 instead of downloading the map libraries again.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::embedded::STATIC_FILES;

struct Asset {
    bytes: &'static [u8],
    etag: String,
    content_type: &'static str,
}

fn assets() -> &'static HashMap<&'static str, Asset> {
    static ASSETS: OnceLock<HashMap<&'static str, Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        STATIC_FILES
            .iter()
            .map(|(path, bytes)| {
                let digest = Sha256::digest(bytes);
                let etag = format!(
                    "\"{}\"",
                    digest
                        .iter()
                        .take(12)
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                );
                (
                    *path,
                    Asset {
                        bytes,
                        etag,
                        content_type: content_type(path),
                    },
                )
            })
            .collect()
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

pub async fn static_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(
        &path,
        HeaderValue::from_static("public, max-age=3600"),
        &headers,
    )
}

/// `GET /sw.js`: the service worker (`static/js/sw.js`), served from the root so that its
/// scope is every page, and revalidated at each check so that a new version takes over.
pub async fn service_worker(headers: HeaderMap) -> Response {
    serve("js/sw.js", HeaderValue::from_static("no-cache"), &headers)
}

fn serve(path: &str, cache: HeaderValue, headers: &HeaderMap) -> Response {
    let Some(asset) = assets().get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = HeaderValue::from_str(&asset.etag).unwrap_or(HeaderValue::from_static("\"0\""));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == asset.etag));
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        asset.bytes,
    )
        .into_response()
}
