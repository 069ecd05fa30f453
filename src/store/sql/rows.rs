//! Mapping rows to domain types, for both backends (see `store::sql`): the same column
//! names on SQLite and PostgreSQL; how a UUID column reads is the backend's
//! (`dialect::uuid`, `dialect::opt_uuid`: text on SQLite, native on PostgreSQL).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use crate::domain::access::Role;
use crate::domain::bbox::BBox;
use crate::domain::export::Masking;
use crate::domain::feature::{Author, Feature, ReviewState};
use crate::domain::geometry::{FeatureGeometry, GeometryKind};
use crate::domain::legend::{Symbol, SymbolKind};
use crate::domain::project::{Project, SensitiveView};
use crate::domain::retention::{AfterRetention, Retention};
use crate::domain::workshop::{Group, JoinCode, Workshop, WorkshopStatus};
use crate::store::{StoreError, StoreResult, User};

use super::dialect::DbRow;
pub use super::dialect::{opt_uuid, uuid};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

pub fn user(row: &DbRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: uuid(row, "id")?,
        username: row.try_get("username")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        created_at: row.try_get("created_at")?,
        disabled: row
            .try_get::<Option<DateTime<Utc>>, _>("disabled_at")?
            .is_some(),
    })
}

pub fn project(row: &DbRow) -> StoreResult<Project> {
    let area: Option<String> = row.try_get("area")?;
    let area = area
        .map(|text| {
            let value: Value = serde_json::from_str(&text).map_err(|_| corrupt("area", &text))?;
            FeatureGeometry::from_geojson(&value, "", usize::MAX)
                .map_err(|_| corrupt("area", &text))
        })
        .transpose()?;
    Ok(Project {
        id: uuid(row, "id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        default_locale: row.try_get("default_locale")?,
        area,
        sensitive_exact: {
            let view: String = row.try_get("sensitive_exact")?;
            SensitiveView::parse(&view).ok_or_else(|| corrupt("sensitive_exact", &view))?
        },
        masking: {
            let resolution: i64 = row.try_get("mask_resolution")?;
            let resolution = u8::try_from(resolution)
                .ok()
                .and_then(crate::domain::priority::resolution)
                .ok_or_else(|| corrupt("mask_resolution", &resolution.to_string()))?;
            let k: i64 = row.try_get("mask_k")?;
            Masking {
                min_m: row.try_get("mask_min_m")?,
                max_m: row.try_get("mask_max_m")?,
                sensitive_resolution: resolution,
                aggregate_resolution: resolution,
                k: u32::try_from(k).map_err(|_| corrupt("mask_k", &k.to_string()))?,
            }
        },
        attachment_limits: {
            let limit = |column: &str| -> StoreResult<Option<u32>> {
                let n: Option<i64> = row.try_get(column)?;
                n.map(|n| u32::try_from(n).map_err(|_| corrupt(column, &n.to_string())))
                    .transpose()
            };
            crate::domain::attachment::AttachmentLimits {
                photo_mb: limit("photo_max_mb")?,
                voice_note_seconds: limit("voice_note_max_seconds")?,
            }
        },
        import_max_items: {
            let items: Option<i64> = row.try_get("import_max_items")?;
            items
                .map(|n| u32::try_from(n).map_err(|_| corrupt("import_max_items", &n.to_string())))
                .transpose()?
        },
        retention: {
            let months: Option<i64> = row.try_get("retention_months")?;
            let then: String = row.try_get("retention_then")?;
            let then =
                AfterRetention::parse(&then).ok_or_else(|| corrupt("retention_then", &then))?;
            months
                .map(|n| {
                    u32::try_from(n)
                        .ok()
                        .and_then(|n| Retention::new(n, then).ok())
                        .ok_or_else(|| corrupt("retention_months", &n.to_string()))
                })
                .transpose()?
        },
        created_at: row.try_get("created_at")?,
    })
}

pub fn symbol(row: &DbRow) -> StoreResult<Symbol> {
    let kind: String = row.try_get("kind")?;
    let labels: sqlx::types::Json<BTreeMap<String, String>> = row.try_get("labels")?;
    let geometry_types: sqlx::types::Json<Vec<GeometryKind>> = row.try_get("geometry_types")?;
    let questions: sqlx::types::Json<Vec<crate::domain::question::Question>> =
        row.try_get("questions")?;
    Ok(Symbol {
        key: row.try_get("key")?,
        labels: labels.0,
        kind: SymbolKind::parse(&kind).ok_or_else(|| corrupt("symbol kind", &kind))?,
        geometry_types: geometry_types.0,
        color: row.try_get("color")?,
        icon: row.try_get("icon")?,
        weight: row.try_get("weight")?,
        sensitive: row.try_get("sensitive")?,
        questions: questions.0,
    })
}

pub fn workshop(row: &DbRow) -> StoreResult<Workshop> {
    let status: String = row.try_get("status")?;
    Ok(Workshop {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        title: row.try_get("title")?,
        place: row.try_get("place")?,
        starts_at: row.try_get("starts_at")?,
        ends_at: row.try_get("ends_at")?,
        facilitator_id: opt_uuid(row, "facilitator_id")?,
        status: match status.as_str() {
            "open" => WorkshopStatus::Open,
            "closed" => WorkshopStatus::Closed,
            other => return Err(corrupt("workshop status", other)),
        },
        join_code: JoinCode::from_stored(row.try_get("join_code")?),
        groups: Vec::new(),
        created_at: row.try_get("created_at")?,
        closed_at: row.try_get("closed_at")?,
        joins_per_minute: {
            let joins: Option<i64> = row.try_get("joins_per_minute")?;
            joins
                .map(|n| u32::try_from(n).map_err(|_| corrupt("joins_per_minute", &n.to_string())))
                .transpose()?
        },
        legal_basis: {
            let stored: Option<String> = row.try_get("legal_basis")?;
            stored
                .map(|text| serde_json::from_str(&text).map_err(|_| corrupt("legal basis", &text)))
                .transpose()?
        },
    })
}

pub fn group(row: &DbRow) -> StoreResult<Group> {
    Ok(Group {
        id: uuid(row, "id")?,
        name: row.try_get("name")?,
    })
}

/// The author columns every feature and annotation query selects.
pub fn author(row: &DbRow) -> StoreResult<Author> {
    Ok(match opt_uuid(row, "participant_id")? {
        Some(id) => Author::Participant {
            id,
            display_name: row.try_get("display_name")?,
        },
        None => Author::User {
            id: uuid(row, "user_id")?,
            username: row.try_get("username")?,
        },
    })
}

/// The columns `feature()` reads; follow with `FROM features f` and `FEATURE_JOINS`.
pub const FEATURE_COLUMNS: &str =
    "f.id, f.project_id, f.workshop_id, f.group_id, f.participant_id, p.display_name,
    f.user_id, u.username, s.key AS symbol, f.title, f.description, f.geometry,
    f.min_x, f.min_y, f.max_x, f.max_y, f.review_state, f.review_reason, f.reviewer_id,
    f.merged_into, f.hidden, f.revision, f.created_at, f.updated_at, f.deleted_at, f.answers";

/// The joins that give a feature its symbol key and author name.
pub const FEATURE_JOINS: &str = " JOIN symbols s ON s.id = f.symbol_id
    LEFT JOIN participants p ON p.id = f.participant_id
    LEFT JOIN users u ON u.id = f.user_id";

/// The columns `outline()` reads; follow with `FROM features f` and `OUTLINE_JOINS`.
pub const OUTLINE_COLUMNS: &str =
    "f.id, s.key AS symbol, f.workshop_id, f.group_id, f.review_state, f.geometry, f.answers";

/// The join that gives an outline its symbol key.
pub const OUTLINE_JOINS: &str = " JOIN symbols s ON s.id = f.symbol_id";

pub fn feature(row: &DbRow) -> StoreResult<Feature> {
    let state: String = row.try_get("review_state")?;
    let created_at: DateTime<Utc> = row.try_get("created_at")?;
    Ok(Feature {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        workshop_id: opt_uuid(row, "workshop_id")?,
        group_id: opt_uuid(row, "group_id")?,
        author: author(row)?,
        symbol: row.try_get("symbol")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        answers: row
            .try_get::<sqlx::types::Json<crate::domain::question::Answers>, _>("answers")?
            .0,
        geometry: row.try_get("geometry")?,
        bbox: BBox {
            min_x: row.try_get("min_x")?,
            min_y: row.try_get("min_y")?,
            max_x: row.try_get("max_x")?,
            max_y: row.try_get("max_y")?,
        },
        review_state: ReviewState::parse(&state).ok_or_else(|| corrupt("review state", &state))?,
        review_reason: row.try_get("review_reason")?,
        reviewer_id: opt_uuid(row, "reviewer_id")?,
        merged_into: opt_uuid(row, "merged_into")?,
        hidden: row.try_get("hidden")?,
        revision: row.try_get("revision")?,
        created_at,
        updated_at: row.try_get("updated_at")?,
        deleted_at: row.try_get("deleted_at")?,
    })
}

pub fn priority_zone(row: &DbRow) -> StoreResult<crate::domain::zone::PriorityZone> {
    let status: String = row.try_get("status")?;
    let computed: String = row.try_get("computed")?;
    Ok(crate::domain::zone::PriorityZone {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        name: row.try_get("name")?,
        status: crate::domain::zone::ZoneStatus::parse(&status)
            .ok_or_else(|| corrupt("zone status", &status))?,
        notes: row.try_get("notes")?,
        geometry: row.try_get("geometry")?,
        computed: serde_json::from_str(&computed).map_err(|_| corrupt("computed", &computed))?,
        revision: row.try_get("revision")?,
        created_by: opt_uuid(row, "created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Reads `revision, at, status, note` and the author's `username`.
pub fn zone_event(row: &DbRow) -> StoreResult<crate::domain::zone::ZoneEvent> {
    let status: String = row.try_get("status")?;
    Ok(crate::domain::zone::ZoneEvent {
        revision: row.try_get("revision")?,
        at: row.try_get("at")?,
        by: row.try_get("username")?,
        status: crate::domain::zone::ZoneStatus::parse(&status)
            .ok_or_else(|| corrupt("zone status", &status))?,
        note: row.try_get("note")?,
    })
}

pub fn export_entry(row: &DbRow) -> StoreResult<crate::domain::export::ExportLogEntry> {
    let privacy: String = row.try_get("privacy")?;
    let parameters: String = row.try_get("parameters")?;
    Ok(crate::domain::export::ExportLogEntry {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        user_id: opt_uuid(row, "user_id")?,
        actor: row.try_get("actor")?,
        at: row.try_get("at")?,
        content: row.try_get("content")?,
        format: row.try_get("format")?,
        privacy: crate::domain::export::Privacy::parse(&privacy)
            .ok_or_else(|| corrupt("privacy", &privacy))?,
        parameters: serde_json::from_str(&parameters)
            .map_err(|_| corrupt("export parameters", &parameters))?,
    })
}

pub fn boundary_summary(row: &DbRow) -> StoreResult<crate::domain::boundary::BoundaryLayerSummary> {
    Ok(crate::domain::boundary::BoundaryLayerSummary {
        id: uuid(row, "id")?,
        name: row.try_get("name")?,
        unit_count: row.try_get::<i64, _>("unit_count")?,
        created_at: row.try_get("created_at")?,
    })
}

pub fn boundary_layer(row: &DbRow) -> StoreResult<crate::domain::boundary::BoundaryLayer> {
    let units: String = row.try_get("units")?;
    let collection: Value =
        serde_json::from_str(&units).map_err(|_| corrupt("units", "not JSON"))?;
    let units = crate::domain::boundary::BoundaryLayer::parse("stored", &collection, "name")
        .map_err(|_| corrupt("units", "not a valid layer"))?;
    Ok(crate::domain::boundary::BoundaryLayer {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        name: row.try_get("name")?,
        units,
        created_by: opt_uuid(row, "created_by")?,
        created_at: row.try_get("created_at")?,
    })
}
