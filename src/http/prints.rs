//! Printed maps over the API: `POST /api/projects/{slug}/prints` starts rendering one (202,
//! its job's status), `GET /api/prints/{id}` says how far it is, `GET /api/prints/{id}/file`
//! is the PDF. The print is `application::prints`, run as a job of `application::jobs`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{ApiJson, Auth};
use super::projects::visible_project;
use crate::application::prints::{self, PrintOptions, RENDER};
use crate::domain::paper::Layout;
use crate::domain::project::Project;
use crate::domain::workshop::Workshop;
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::print::Words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects/{slug}/prints", post(start))
        .route("/api/prints/{id}", get(status))
        .route("/api/prints/{id}/file", get(file))
}

/// `5000` as the language writes it: `5.000` (es), `5,000` (en).
fn grouped(number: f64, locale: &str) -> String {
    let digits = format!("{:.0}", number.round());
    let separator = if locale.starts_with("en") { ',' } else { '.' };
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// A print's words in `locale`, from the catalogues (the `print-*` messages).
pub fn words(
    locale: &str,
    project: &Project,
    layout: &Layout,
    workshop: Option<&Workshop>,
) -> Words {
    let catalogue =
        crate::i18n::find(locale).unwrap_or_else(|| crate::i18n::find("es").expect("Spanish"));
    let today = chrono::Utc::now().date_naive();
    let date = if locale.starts_with("en") {
        today.format("%Y-%m-%d").to_string()
    } else {
        today.format("%d/%m/%Y").to_string()
    };
    let subtitle = match workshop {
        Some(w) => match &w.place {
            Some(place) => format!("{} · {place} · {date}", project.name),
            None => format!("{} · {date}", project.name),
        },
        None => date,
    };
    Words {
        title: workshop.map_or_else(|| project.name.clone(), |w| w.title.clone()),
        subtitle,
        sheet: catalogue.f(
            "print.sheet",
            &[
                ("sheet", "{sheet}".into()),
                ("sheets", "{sheets}".into()),
                ("scale", grouped(layout.scale, locale).into()),
            ],
        ),
        legend: catalogue.t("print.legend"),
        join: catalogue.t("print.join"),
        notes: catalogue.t("print.notes"),
        masked: catalogue.t("print.masked"),
        attribution: String::new(),
        metres: "m".into(),
        kilometres: "km".into(),
        zone: catalogue.t("print.zone"),
    }
}

/// Where phones in the room reach this server, for the join code's QR: the address the
/// request came to, unless it is the laptop's own (then its network address).
fn join_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok())?;
    if super::pages::is_loopback_host(host) {
        return state.room_origins.first().cloned();
    }
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}"))
}

/// A print's status: its job's (`running`, `progress`, `result` or `error`), or, after a
/// restart, the kept print's (`running: false`, `result`); with the file's link once done.
fn with_links(id: Uuid, mut status: Value) -> Value {
    if let Some(object) = status.as_object_mut() {
        object.insert("id".into(), json!(id));
        object.insert("status_url".into(), json!(format!("/api/prints/{id}")));
        if object.get("result").is_some_and(|r| !r.is_null()) {
            object.insert("file_url".into(), json!(format!("/api/prints/{id}/file")));
        }
    }
    status
}

async fn start(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    headers: HeaderMap,
    ApiJson(options): ApiJson<PrintOptions>,
) -> Result<Response, AppError> {
    let project = visible_project(&state, &principal, &slug).await?;
    let basemaps = state.basemaps.for_project(project.id).await;
    let named = |locale: &str, layout: &Layout, workshop: Option<&Workshop>| {
        words(locale, &project, layout, workshop)
    };
    let prepared = prints::prepare(
        state.store.as_ref(),
        &basemaps,
        Some(&principal),
        &project,
        &options,
        &named,
        join_origin(&state, &headers).as_deref(),
    )
    .await?;
    let id = prepared.record.id;
    let job = prints::start(&state.jobs, state.prints.to_path_buf(), prepared).await?;
    let mut response = (StatusCode::ACCEPTED, Json(with_links(id, job.status()))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/prints/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn status(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, AppError> {
    let record = prints::find(state.store.as_ref(), &state.prints, &principal, id).await?;
    if let Ok(job) = state.jobs.get(RENDER, id) {
        return Ok(Json(with_links(id, job.status())));
    }
    // Rendered before this server started, or cut short by a restart.
    let status = match tokio::fs::metadata(prints::pdf_path(&state.prints, id)).await {
        Ok(pdf) => {
            json!({ "running": false, "result": prints::summary(&record, pdf.len() as usize) })
        }
        Err(_) => json!({
            "running": false,
            "error": "the print was cut short when the server stopped: start it again",
            "error_code": "print.failed",
        }),
    };
    Ok(Json(with_links(id, status)))
}

async fn file(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let record = prints::find(state.store.as_ref(), &state.prints, &principal, id).await?;
    let pdf = tokio::fs::File::open(prints::pdf_path(&state.prints, id))
        .await
        .map_err(|_| crate::application::Error::NotFound("no such print".into()))?;
    // Fused: a body may be polled again after its end (the compression layer does).
    let mut response =
        Body::from_stream(futures::StreamExt::fuse(file_stream(pdf))).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", record.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// A file's bytes as a body stream, 64 KiB at a time.
fn file_stream(
    file: tokio::fs::File,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> {
    use tokio::io::AsyncReadExt;
    futures::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn scales_are_grouped_as_each_language_writes_them() {
        assert_eq!(grouped(5_000.0, "es"), "5.000");
        assert_eq!(grouped(25_000.0, "en"), "25,000");
        assert_eq!(grouped(500.0, "es"), "500");
        assert_eq!(grouped(100_000.0, "es"), "100.000");
    }
}
