//! Priority areas: cell scores, zones, scores per unit of an uploaded boundary layer, and the
//! change between two sets of workshops: who may ask, and what the query says; the analysis
//! is `application::priority::Request` and its GeoJSON `geojson::priority`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery, Auth, parse_id};
use super::features::geojson_response;
use crate::application::features::{id_list, query_time};
use crate::application::priority::{self as analysis, Analysable, Request, Selection};
use crate::domain::access::Principal;
use crate::domain::boundary::BoundaryLayer;
use crate::domain::priority::{Params, Rule};
use crate::geojson::priority;
use crate::http::error::AppError;
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects/{slug}/priority/cells", get(cells))
        .route("/api/projects/{slug}/priority/zones", get(zones))
        .route("/api/projects/{slug}/priority/units", get(units))
        .route("/api/projects/{slug}/priority/change", get(change))
        .route(
            "/api/projects/{slug}/boundaries",
            get(list_layers).post(upload_layer),
        )
        .route("/api/boundaries/{id}", get(get_layer).delete(delete_layer))
}

/// Query of every priority request; each uses the parts it needs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityQuery {
    /// H3 resolution, 6-11 (default 9, about 0.1 km² per cell).
    resolution: Option<u8>,
    /// Gi* neighbourhood in rings of cells (default 1).
    ring: Option<u32>,
    /// Comma-separated workshop ids.
    workshop: Option<String>,
    /// Comma-separated group ids.
    group: Option<String>,
    /// Comma-separated symbol keys.
    symbol: Option<String>,
    since: Option<String>,
    until: Option<String>,
    /// Zones: gi, consensus or top.
    rule: Option<String>,
    /// Consensus: distinct groups needed.
    k: Option<usize>,
    /// Hot spots: 90, 95 or 99.
    confidence: Option<u8>,
    /// Top: percentage of the scored cells.
    percent: Option<f64>,
    /// Units: the boundary layer's id.
    layer: Option<String>,
    /// Change: comma-separated workshop ids of the earlier and the later set.
    before: Option<String>,
    after: Option<String>,
    /// A question's key: each drawing weighs its symbol's weight times its answer.
    weight_by: Option<String>,
}

impl PriorityQuery {
    fn params(&self) -> Result<Params, AppError> {
        analysis::parse_params(self.resolution, self.ring).map_err(AppError::BadRequest)
    }

    fn rule(&self) -> Result<Rule, AppError> {
        analysis::parse_rule(self.rule.as_deref(), self.k, self.confidence, self.percent)
            .map_err(AppError::BadRequest)
    }

    fn selection(&self, workshops: Option<Vec<Uuid>>) -> Result<Selection, AppError> {
        Ok(Selection {
            workshops,
            groups: id_list(&self.group, "group")?,
            symbols: self.symbol.as_deref().map(|s| {
                s.split(',')
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect()
            }),
            since: query_time(self.since.as_deref(), "since", false)?,
            until: query_time(self.until.as_deref(), "until", true)?,
            weight_by: self.weight_by.clone().filter(|k| !k.trim().is_empty()),
        })
    }
}

/// The project, checked for the caller's right to analyse it.
async fn analysable(
    state: &AppState,
    principal: &Principal,
    slug: &str,
) -> Result<Analysable, AppError> {
    Ok(analysis::analysable(state.store.as_ref(), principal, slug).await?)
}

/// The analysis the query asks for, within the workshops it names.
fn request<'a>(
    scope: &'a Analysable,
    query: &PriorityQuery,
    workshops: Option<Vec<Uuid>>,
) -> Result<Request<'a>, AppError> {
    Ok(scope.request(query.selection(workshops)?, query.params()?)?)
}

fn geojson(value: &Value) -> Response {
    geojson_response(value.to_string())
}

async fn cells(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<PriorityQuery>,
) -> Result<Response, AppError> {
    let scope = analysable(&state, &principal, &slug).await?;
    let request = request(&scope, &query, id_list(&query.workshop, "workshop")?)?;
    let analysis = request.cells(state.store.as_ref()).await?;
    let pieces = priority::cells_geojson(analysis).map(Ok::<_, std::convert::Infallible>);
    Ok(geojson_response(axum::body::Body::from_stream(
        futures::stream::iter(pieces),
    )))
}

async fn zones(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<PriorityQuery>,
) -> Result<Response, AppError> {
    let scope = analysable(&state, &principal, &slug).await?;
    let request = request(&scope, &query, id_list(&query.workshop, "workshop")?)?;
    let rule = query.rule()?;
    let (_, zones) = request.zones(state.store.as_ref(), rule).await?;
    Ok(geojson(&priority::zones_geojson(
        &zones,
        rule,
        request.params,
    )))
}

async fn change(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<PriorityQuery>,
) -> Result<Response, AppError> {
    let scope = analysable(&state, &principal, &slug).await?;
    let rule = query.rule()?;
    let (Some(before), Some(after)) = (
        id_list(&query.before, "before")?,
        id_list(&query.after, "after")?,
    ) else {
        return Err(AppError::BadRequest(
            "change compares two sets of workshops: give before=ID,ID and after=ID,ID".into(),
        ));
    };
    // Both sets within what the caller may analyse.
    let (before, after) = (scope.narrow(before)?, scope.narrow(after)?);
    let request = request(&scope, &query, None)?;
    let compared = request
        .change(state.store.as_ref(), [before, after], rule)
        .await?;
    Ok(geojson(&priority::change_geojson(
        &compared,
        rule,
        request.params,
    )))
}

async fn units(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<PriorityQuery>,
) -> Result<Response, AppError> {
    let scope = analysable(&state, &principal, &slug).await?;
    let Some(layer) = query.layer.as_deref() else {
        return Err(AppError::BadRequest(
            "units need layer=ID of an uploaded boundary layer (GET /api/projects/{slug}/boundaries)"
                .into(),
        ));
    };
    let layer = scope
        .layer(state.store.as_ref(), parse_id(layer, "boundary layer")?)
        .await?;
    let request = request(&scope, &query, id_list(&query.workshop, "workshop")?)?;
    let scored = request.units(state.store.as_ref(), layer.units).await?;
    Ok(geojson(&priority::units_geojson(
        &scored.units,
        &scored.scores,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    /// The layer's name, e.g. "Barrios".
    name: String,
    /// The property naming each unit (default `name`).
    name_property: Option<String>,
}

async fn upload_layer(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let name_property = query.name_property.as_deref().unwrap_or("name");
    let layer = analysis::upload_layer(
        state.store.as_ref(),
        &principal,
        &slug,
        &query.name,
        name_property,
        &body,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "id": layer.id,
            "name": layer.name,
            "unit_count": layer.units.len(),
            "created_at": layer.created_at,
        })),
    )
        .into_response())
}

async fn list_layers(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let scope = analysable(&state, &principal, &slug).await?;
    let layers = scope.layers(state.store.as_ref()).await?;
    Ok(axum::Json(json!({ "layers": layers })).into_response())
}

async fn get_layer(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let layer = analysis::readable_layer(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "boundary layer")?,
    )
    .await?;
    let mut collection = BoundaryLayer::units_geojson(&layer.units);
    collection["name"] = json!(layer.name);
    collection["id"] = json!(layer.id);
    Ok(geojson(&collection))
}

async fn delete_layer(
    State(state): State<AppState>,
    Auth(principal): Auth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    analysis::delete_layer(
        state.store.as_ref(),
        &principal,
        parse_id(&id, "boundary layer")?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
