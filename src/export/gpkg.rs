//! GeoPackage (OGC 12-128r18, version 1.3): one SQLite file with a table per layer, the
//! WGS84 spatial reference system, an R*Tree spatial index per geometry column (the
//! `gpkg_rtree_index` extension, with the triggers the standard gives so that editors keep it
//! up to date), and the export's metadata in `gpkg_metadata`. Written with the same SQLite
//! the server embeds; rows go in by batches inside one transaction.

use std::path::Path;

use futures::StreamExt;
use geo::{BoundingRect, Geometry};
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use wkb::Endianness;
use wkb::writer::{WriteOptions, write_geometry};

use super::{AttachedFiles, ColumnKind, ExportResult, Field, Layer, Row};

const WGS84: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// Most rows one INSERT carries, and most values: SQLite binds at most 32,766 values a
/// statement, and a legend's questions add columns (a layer of 60 columns takes 500 rows
/// a statement no more).
const ROWS_PER_INSERT: usize = 500;
const VALUES_PER_INSERT: usize = 30_000;

/// Writes `layers` into a new GeoPackage at `path`, with `attached`'s files of the exported
/// drawings as a media table of the Related Tables Extension; returns the rows written.
pub async fn write_geopackage(
    path: &Path,
    layers: Vec<Layer>,
    meta: &Value,
    attached: Option<&AttachedFiles>,
) -> ExportResult<u64> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // A file being built for download: no journal to keep, nothing to recover.
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off);
    let mut db = SqliteConnection::connect_with(&options).await?;
    let mut tx = db.begin().await?;
    for statement in SCHEMA {
        sqlx::query(*statement).execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
         ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
         ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
         ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
    )
    .bind(WGS84)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO gpkg_metadata (id, md_scope, md_standard_uri, mime_type, metadata)
         VALUES (1, 'dataset', 'https://trama.invalid/export-metadata', 'application/json', ?)",
    )
    .bind(meta.to_string())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO gpkg_metadata_reference (reference_scope, md_file_id) VALUES ('geopackage', 1)",
    )
    .execute(&mut *tx)
    .await?;
    let mut written = 0;
    for layer in layers {
        written += write_layer(&mut tx, layer).await?;
    }
    if let Some(attached) = attached {
        write_media(&mut tx, attached).await?;
    }
    tx.commit().await?;
    sqlx::query("PRAGMA application_id = 1196444487")
        .execute(&mut db)
        .await?;
    sqlx::query("PRAGMA user_version = 10300")
        .execute(&mut db)
        .await?;
    db.close().await?;
    Ok(written)
}

/// The Related Tables Extension's URI (OGC 18-000).
const RELATED_TABLES: &str = "http://www.geopackage.org/18-000.html";

/// The photos and voice notes of the drawings the features tables hold, as the Related Tables
/// Extension's media table `attachments` (`data`, `content_type`, and Trama's own columns:
/// the attachment's and the drawing's ids, its kind, size or length, when), related to each
/// features table through a mapping table `<table>_attachments` (`base_id` its `fid`,
/// `related_id` the attachment's). QGIS and GDAL (3.6 and later) read the relations.
async fn write_media(tx: &mut SqliteConnection, attached: &AttachedFiles) -> ExportResult<()> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' AND table_name LIKE 'features%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut exported = std::collections::HashSet::new();
    for table in &tables {
        let ids: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM \"{table}\"")))
                .fetch_all(&mut *tx)
                .await?;
        exported.extend(ids);
    }
    let kept: Vec<_> = attached
        .attachments
        .iter()
        .filter(|a| exported.contains(&a.feature_id.to_string()))
        .collect();
    if kept.is_empty() {
        return Ok(());
    }
    for statement in MEDIA_SCHEMA {
        sqlx::query(*statement).execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
         VALUES ('attachments', 'attributes', 'attachments', 'Photos and voice notes of the drawings')",
    )
    .execute(&mut *tx)
    .await?;
    let mut missing = 0;
    for a in kept {
        // One file at a time, read off the runtime's threads: a project's photos are read as
        // they are written. A file gone from the folder (removed meanwhile) is counted and
        // said in the log, not a failed export.
        let (read, attachment) = (std::sync::Arc::clone(&attached.read), a.clone());
        let data = match tokio::task::spawn_blocking(move || read(&attachment))
            .await
            .map_err(std::io::Error::other)?
        {
            Ok(data) => data,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                missing += 1;
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        sqlx::query(
            "INSERT INTO attachments (data, content_type, attachment, feature, kind, width, height,
                duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(data)
        .bind(&a.media_type)
        .bind(a.id.to_string())
        .bind(a.feature_id.to_string())
        .bind(a.kind.as_str())
        .bind(a.width.map(i64::from))
        .bind(a.height.map(i64::from))
        .bind(a.duration_ms.map(i64::from))
        .bind(
            a.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        )
        .execute(&mut *tx)
        .await?;
    }
    for table in &tables {
        let mapping = format!("{table}_attachments");
        for statement in [
            format!(
                // Its own key, as every attributes table has (OGC 12-128 Req 119).
                "CREATE TABLE \"{mapping}\" (id INTEGER PRIMARY KEY AUTOINCREMENT,
                    base_id INTEGER NOT NULL, related_id INTEGER NOT NULL)"
            ),
            format!(
                "INSERT INTO \"{mapping}\" (base_id, related_id)
                 SELECT f.fid, a.id FROM \"{table}\" f JOIN attachments a ON a.feature = f.id"
            ),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
             VALUES (?, 'attributes', ?, 'Which drawing each photo or voice note is of')",
        )
        .bind(&mapping)
        .bind(&mapping)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO gpkgext_relations (base_table_name, base_primary_column,
                related_table_name, related_primary_column, relation_name, mapping_table_name)
             VALUES (?, 'fid', 'attachments', 'id', 'media', ?)",
        )
        .bind(table)
        .bind(&mapping)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
             VALUES (?, NULL, 'gpkg_related_tables', ?, 'read-write')",
        )
        .bind(&mapping)
        .bind(RELATED_TABLES)
        .execute(&mut *tx)
        .await?;
    }
    if missing > 0 {
        tracing::warn!(
            missing,
            "photos or voice notes of exported drawings have no file in the data folder (is --data-dir the server's?); the GeoPackage goes without them"
        );
    }
    for table in ["gpkgext_relations", "attachments"] {
        sqlx::query(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
             VALUES (?, NULL, 'gpkg_related_tables', ?, 'read-write')",
        )
        .bind(table)
        .bind(RELATED_TABLES)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The Related Tables Extension's relations table and the media table (OGC 18-000 §2.1.3,
/// §2.2.3: `id`, `data` and `content_type` are the media table's required columns).
const MEDIA_SCHEMA: &[&str] = &[
    "CREATE TABLE gpkgext_relations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        base_table_name TEXT NOT NULL,
        base_primary_column TEXT NOT NULL DEFAULT 'id',
        related_table_name TEXT NOT NULL,
        related_primary_column TEXT NOT NULL DEFAULT 'id',
        relation_name TEXT NOT NULL,
        mapping_table_name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE attachments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        data BLOB NOT NULL,
        content_type TEXT NOT NULL,
        attachment TEXT NOT NULL,
        feature TEXT NOT NULL,
        kind TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        duration_ms INTEGER,
        created_at TEXT NOT NULL)",
];

async fn write_layer(tx: &mut SqliteConnection, mut layer: Layer) -> ExportResult<u64> {
    if layer.geometry_type.is_empty() {
        return write_attributes(tx, layer).await;
    }
    let table = layer.name;
    let columns = column_definitions(&layer);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {}, {})",
        layer.geometry_type,
        columns.join(", ")
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
         VALUES (?, 'features', ?, ?, 4326)",
    )
    .bind(table)
    .bind(table)
    .bind(format!("Trama export: {table}"))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
         VALUES (?, 'geom', ?, 4326, 0, 0)",
    )
    .bind(table)
    .bind(layer.geometry_type)
    .execute(&mut *tx)
    .await?;
    let (index, triggers) = rtree_statements(table);
    for statement in index {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await?;
    }

    let names: Vec<String> = layer
        .columns
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    let mut extent: Option<(f64, f64, f64, f64)> = None;
    let mut count = 0_u64;
    let mut fid = 0_i64;
    let rows_per_insert = (VALUES_PER_INSERT / (names.len() + 2)).clamp(1, ROWS_PER_INSERT);
    let mut batches = std::mem::replace(&mut layer.rows, futures::stream::empty().boxed())
        .ready_chunks(rows_per_insert);
    while let Some(batch) = batches.next().await {
        let rows: Vec<Row> = batch.into_iter().collect::<ExportResult<_>>()?;
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
            "INSERT INTO \"{table}\" (fid, geom, {}) ",
            names.join(", ")
        ));
        let mut boxes = Vec::with_capacity(rows.len());
        insert.push_values(&rows, |mut values, row| {
            fid += 1;
            let geometry = row.geometry.as_ref().and_then(|s| s.geo());
            let rect = geometry.as_deref().and_then(BoundingRect::bounding_rect);
            if let Some(r) = rect {
                boxes.push((fid, r.min().x, r.max().x, r.min().y, r.max().y));
                extent = Some(match extent {
                    None => (r.min().x, r.min().y, r.max().x, r.max().y),
                    Some((a, b, c, d)) => (
                        a.min(r.min().x),
                        b.min(r.min().y),
                        c.max(r.max().x),
                        d.max(r.max().y),
                    ),
                });
            }
            values.push_bind(fid);
            values.push_bind(geometry.as_deref().map(geopackage_binary));
            for field in &row.fields {
                match field {
                    Field::Null => values.push_bind(None::<String>),
                    Field::Text(text) => values.push_bind(text.clone()),
                    Field::Integer(n) => values.push_bind(*n),
                    Field::Real(x) => values.push_bind(*x),
                    Field::Boolean(b) => values.push_bind(*b),
                    Field::DateTime(at) => values.push_bind(super::instant(*at)),
                    Field::Date(day) => values.push_bind(day.format("%Y-%m-%d").to_string()),
                };
            }
        });
        insert.build().execute(&mut *tx).await?;
        if !boxes.is_empty() {
            let mut index = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
                "INSERT INTO \"rtree_{table}_geom\" (id, minx, maxx, miny, maxy) "
            ));
            index.push_values(&boxes, |mut values, (id, minx, maxx, miny, maxy)| {
                values
                    .push_bind(*id)
                    .push_bind(*minx)
                    .push_bind(*maxx)
                    .push_bind(*miny)
                    .push_bind(*maxy);
            });
            index.build().execute(&mut *tx).await?;
        }
        count += rows.len() as u64;
    }
    // The triggers call functions (ST_IsEmpty, ST_MinX...) that GDAL and other GeoPackage
    // readers provide, not plain SQLite: they are created after the rows, which filled the
    // index directly.
    for statement in triggers {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await?;
    }
    let (min_x, min_y, max_x, max_y) = extent.unwrap_or((-180.0, -90.0, 180.0, 90.0));
    sqlx::query(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?,
             last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE table_name = ?",
    )
    .bind(min_x)
    .bind(min_y)
    .bind(max_x)
    .bind(max_y)
    .bind(table)
    .execute(&mut *tx)
    .await?;
    Ok(count)
}

/// The columns of `layer` as a table's definition: `"name" TYPE`.
fn column_definitions(layer: &Layer) -> Vec<String> {
    layer
        .columns
        .iter()
        .map(|(name, kind)| {
            let kind = match kind {
                ColumnKind::Text => "TEXT",
                ColumnKind::Integer => "INTEGER",
                ColumnKind::Real => "REAL",
                ColumnKind::Boolean => "BOOLEAN",
                // GeoPackage 1.3 §1.1.1.1.1 Req 5: ISO 8601 text, UTC with a Z.
                ColumnKind::DateTime => "DATETIME",
                ColumnKind::Date => "DATE",
            };
            format!("\"{name}\" {kind}")
        })
        .collect()
}

/// A layer without geometry (`geometry_type` empty) as an attributes table (GeoPackage 1.3
/// §2.4): a key or a list that QGIS and GDAL open as a table. Its rows are few (a project's
/// workshops), written one statement each.
async fn write_attributes(tx: &mut SqliteConnection, mut layer: Layer) -> ExportResult<u64> {
    let table = layer.name;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {})",
        column_definitions(&layer).join(", ")
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
         VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .bind(table)
    .bind(table)
    .bind(format!("Trama export: {table}"))
    .execute(&mut *tx)
    .await?;
    let names: Vec<String> = layer
        .columns
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect();
    let placeholders = vec!["?"; names.len()].join(", ");
    let insert = format!(
        "INSERT INTO \"{table}\" ({}) VALUES ({placeholders})",
        names.join(", ")
    );
    let mut count = 0;
    while let Some(row) = layer.rows.next().await {
        let row = row?;
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
        for field in row.fields {
            query = match field {
                Field::Null => query.bind(None::<String>),
                Field::Text(text) => query.bind(text),
                Field::Integer(n) => query.bind(n),
                Field::Real(x) => query.bind(x),
                Field::Boolean(b) => query.bind(b),
                Field::DateTime(at) => query.bind(super::instant(at)),
                Field::Date(day) => query.bind(day.format("%Y-%m-%d").to_string()),
            };
        }
        query.execute(&mut *tx).await?;
        count += 1;
    }
    Ok(count)
}

/// A geometry in GeoPackage's binary form: the `GP` header (version 0, little-endian, an
/// x/y envelope, SRS 4326) followed by ISO WKB.
fn geopackage_binary(geometry: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0);
    let rect = geometry.bounding_rect();
    // Flags: bit 0 little-endian; bits 1-3 envelope kind (1: minx, maxx, miny, maxy).
    out.push(if rect.is_some() {
        0b0000_0011
    } else {
        0b0001_0001
    });
    out.extend_from_slice(&4326_i32.to_le_bytes());
    if let Some(r) = rect {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let options = WriteOptions {
        endianness: Endianness::LittleEndian,
    };
    // Writing into a Vec cannot fail for the geometry types Trama stores.
    let _ = write_geometry(&mut out, geometry, &options);
    out
}

/// The R*Tree of a table's geometry column, and the triggers of the standard (annex F.3)
/// that keep it up to date when an editor changes the table.
fn rtree_statements(table: &str) -> (Vec<String>, Vec<String>) {
    let t = table;
    let rtree = format!("rtree_{t}_geom");
    let index = vec![
        format!("CREATE VIRTUAL TABLE \"{rtree}\" USING rtree(id, minx, maxx, miny, maxy)"),
        format!(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
             VALUES ('{t}', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')"
        ),
    ];
    let triggers = vec![
        format!(
            "CREATE TRIGGER \"{rtree}_insert\" AFTER INSERT ON \"{t}\"
             WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
             BEGIN
               INSERT OR REPLACE INTO \"{rtree}\" VALUES (
                 NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
             END"
        ),
        format!(
            "CREATE TRIGGER \"{rtree}_update1\" AFTER UPDATE OF geom ON \"{t}\"
             WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
             BEGIN
               INSERT OR REPLACE INTO \"{rtree}\" VALUES (
                 NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
             END"
        ),
        format!(
            "CREATE TRIGGER \"{rtree}_update2\" AFTER UPDATE OF geom ON \"{t}\"
             WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
             BEGIN
               DELETE FROM \"{rtree}\" WHERE id = OLD.fid;
             END"
        ),
        format!(
            "CREATE TRIGGER \"{rtree}_update3\" AFTER UPDATE ON \"{t}\"
             WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
             BEGIN
               DELETE FROM \"{rtree}\" WHERE id = OLD.fid;
               INSERT OR REPLACE INTO \"{rtree}\" VALUES (
                 NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
             END"
        ),
        format!(
            "CREATE TRIGGER \"{rtree}_update4\" AFTER UPDATE ON \"{t}\"
             WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
             BEGIN
               DELETE FROM \"{rtree}\" WHERE id IN (OLD.fid, NEW.fid);
             END"
        ),
        format!(
            "CREATE TRIGGER \"{rtree}_delete\" AFTER DELETE ON \"{t}\"
             WHEN old.geom NOT NULL
             BEGIN
               DELETE FROM \"{rtree}\" WHERE id = OLD.fid;
             END"
        ),
    ];
    (index, triggers)
}

/// The GeoPackage core tables (spec 1.3, annex C) and the metadata extension's.
const SCHEMA: &[&str] = &[
    "CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)",
    "CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))",
    "CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))",
    "CREATE TABLE gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
        scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))",
    "CREATE TABLE gpkg_metadata (
        id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
        md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL,
        mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE gpkg_metadata_reference (
        reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
        timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
        CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
        CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))",
    "INSERT INTO gpkg_extensions VALUES
        ('gpkg_metadata', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', 'read-write'),
        ('gpkg_metadata_reference', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', 'read-write')",
];
