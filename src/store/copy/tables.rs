//! The tables `trama copy` copies and their columns, in foreign-key order, with how each
//! column is stored (the two dialects spell these types differently). It mirrors the two
//! `migrations/` folders; a table or column added there is added here.

/// How a column is stored: the two dialects spell these types differently.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Uuid,
    Text,
    Float,
    /// `bigint` in PostgreSQL.
    Int,
    /// `integer` in PostgreSQL.
    Int4,
    Bool,
    Time,
    Json,
}

use Kind::{Bool, Float, Int, Int4, Text, Time, Uuid as Id};

const FEATURE_COLUMNS: &[(&str, Kind)] = &[
    ("id", Id),
    ("project_id", Id),
    ("workshop_id", Id),
    ("group_id", Id),
    ("participant_id", Id),
    ("user_id", Id),
    ("symbol_id", Id),
    ("geometry", Text),
    ("min_x", Float),
    ("min_y", Float),
    ("max_x", Float),
    ("max_y", Float),
    ("title", Text),
    ("description", Text),
    ("answers", Kind::Json),
    ("review_state", Text),
    ("review_reason", Text),
    ("reviewer_id", Id),
    ("merged_into", Id),
    ("hidden", Bool),
    ("revision", Int),
    ("created_at", Time),
    ("updated_at", Time),
    ("deleted_at", Time),
    ("last_action", Text),
    ("changed_by_participant_id", Id),
    ("changed_by_user_id", Id),
];

/// Tables in foreign-key order, with their columns. Failed-attempt counters are not copied:
/// they are about one server's recent traffic. Nor is the audit trail: each database keeps
/// its own chain (`domain::audit`), which another's entries would break; the source's record
/// stays with its file.
pub(super) const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "users",
        &[
            ("id", Id),
            ("username", Text),
            ("role", Text),
            ("password_hash", Text),
            ("created_at", Time),
            ("disabled_at", Time),
        ],
    ),
    (
        "projects",
        &[
            ("id", Id),
            ("slug", Text),
            ("name", Text),
            ("description", Text),
            ("default_locale", Text),
            ("area", Text),
            ("created_at", Time),
            ("sensitive_exact", Text),
            ("mask_min_m", Float),
            ("mask_max_m", Float),
            ("mask_resolution", Int),
            ("mask_k", Int),
            ("import_max_items", Int),
            ("photo_max_mb", Int),
            ("voice_note_max_seconds", Int),
            ("retention_months", Int),
            ("retention_then", Text),
        ],
    ),
    (
        "symbols",
        &[
            ("id", Id),
            ("project_id", Id),
            ("key", Text),
            ("labels", Kind::Json),
            ("kind", Text),
            ("geometry_types", Kind::Json),
            ("color", Text),
            ("icon", Text),
            ("weight", Float),
            ("sensitive", Bool),
            ("position", Int4),
            ("questions", Kind::Json),
        ],
    ),
    (
        "workshops",
        &[
            ("id", Id),
            ("project_id", Id),
            ("title", Text),
            ("place", Text),
            ("starts_at", Time),
            ("ends_at", Time),
            ("facilitator_id", Id),
            ("status", Text),
            ("join_code", Text),
            ("created_at", Time),
            ("closed_at", Time),
            ("joins_per_minute", Int),
            ("legal_basis", Text),
        ],
    ),
    (
        "legal_basis_versions",
        &[
            ("workshop_id", Id),
            ("version", Int),
            ("document", Text),
            ("hash", Text),
            ("set_by", Id),
            ("set_at", Time),
        ],
    ),
    (
        "workshop_groups",
        &[
            ("id", Id),
            ("workshop_id", Id),
            ("name", Text),
            ("position", Int4),
        ],
    ),
    (
        "participants",
        &[
            ("id", Id),
            ("workshop_id", Id),
            ("group_id", Id),
            ("display_name", Text),
            ("created_at", Time),
            ("consent_version", Int),
            ("consented_at", Time),
        ],
    ),
    (
        "group_consents",
        &[
            ("group_id", Id),
            ("workshop_id", Id),
            ("version", Int),
            ("note", Text),
            ("recorded_by", Id),
            ("recorded_at", Time),
        ],
    ),
    (
        "kept_counts",
        &[
            ("workshop_id", Id),
            ("symbol", Text),
            ("cell", Text),
            ("count", Int),
            ("kept_at", Time),
        ],
    ),
    (
        "api_tokens",
        &[
            ("token_hash", Text),
            ("user_id", Id),
            ("participant_id", Id),
            ("created_at", Time),
            ("expires_at", Time),
        ],
    ),
    ("features", FEATURE_COLUMNS),
    ("feature_revisions", FEATURE_COLUMNS),
    (
        "annotations",
        &[
            ("id", Id),
            ("project_id", Id),
            ("feature_id", Id),
            ("workshop_id", Id),
            ("group_id", Id),
            ("participant_id", Id),
            ("user_id", Id),
            ("body", Text),
            ("created_at", Time),
        ],
    ),
    (
        "attachments",
        &[
            ("id", Id),
            ("project_id", Id),
            ("feature_id", Id),
            ("participant_id", Id),
            ("user_id", Id),
            ("kind", Text),
            ("media_type", Text),
            ("width", Int4),
            ("height", Int4),
            ("bytes", Int),
            ("created_at", Time),
            ("idempotency_key", Text),
            ("duration_ms", Int4),
            ("annotation_id", Id),
        ],
    ),
    // Files still to remove: a copy into the same data folder removes them too.
    ("removed_attachments", &[("id", Id)]),
    (
        "removed_attachment_keys",
        &[("feature_id", Id), ("idempotency_key", Text)],
    ),
    (
        "pictograms",
        &[("name", Text), ("svg", Text), ("created_at", Time)],
    ),
    (
        "boundary_layers",
        &[
            ("id", Id),
            ("project_id", Id),
            ("name", Text),
            ("units", Text),
            ("unit_count", Int),
            ("created_by", Id),
            ("created_at", Time),
        ],
    ),
    (
        "priority_zones",
        &[
            ("id", Id),
            ("project_id", Id),
            ("name", Text),
            ("status", Text),
            ("notes", Text),
            ("geometry", Text),
            ("computed", Text),
            ("revision", Int),
            ("created_by", Id),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    ),
    (
        "priority_zone_events",
        &[
            ("zone_id", Id),
            ("revision", Int),
            ("at", Time),
            ("user_id", Id),
            ("status", Text),
            ("note", Text),
        ],
    ),
    (
        "export_log",
        &[
            ("id", Id),
            ("project_id", Id),
            ("user_id", Id),
            ("actor", Text),
            ("at", Time),
            ("content", Text),
            ("format", Text),
            ("privacy", Text),
            ("parameters", Text),
        ],
    ),
    (
        "idempotency_keys",
        &[
            ("principal", Text),
            ("key", Text),
            ("request_hash", Text),
            ("status", Int4),
            ("response", Text),
            ("created_at", Time),
        ],
    ),
];
