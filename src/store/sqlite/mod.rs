//! The embedded SQLite backend: one file, WAL mode, foreign keys on, R*Tree for bboxes.
//!
//! Reads go through a small pool; writes through a pool of exactly one connection, because
//! SQLite admits one writer at a time and queueing in the pool is kinder than `SQLITE_BUSY`.

mod features;
mod priority;
mod reader;
mod rows;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row};
use tracing::instrument;
use uuid::Uuid;

use super::{
    AnnotationsOf, IdempotentResponse, NewToken, Participant, Store, StoreError, StoreResult, User,
};
use crate::domain::access::{Principal, Role};
use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::domain::boundary::{BoundaryLayer, BoundaryLayerSummary};
use crate::domain::change::Change;
use crate::domain::export::ExportLogEntry;
use crate::domain::feature::{Author, Feature, FeatureFilter};
use crate::domain::legend::Symbol;
use crate::domain::project::Project;
use crate::domain::workshop::{JoinCode, Workshop};
use crate::domain::zone::{PriorityZone, ZoneEvent};
use crate::store::conflict_if_unique;
use rows::{opt_uuid, uuid};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub struct SqliteStore {
    read: SqlitePool,
    /// The long listings' own connections (`reader`).
    readers: std::sync::Arc<reader::Readers>,
    write: SqlitePool,
    /// One process owns a SQLite file, so live changes travel in memory.
    changes: tokio::sync::broadcast::Sender<Change>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file of a `sqlite://path` URL and migrates it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?;
        if options
            .get_filename()
            .to_string_lossy()
            .starts_with("file:sqlx-in-memory")
        {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let readers = reader::Readers::new(options.get_filename().to_owned());
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // Page caches in KiB (negative cache_size): enough to keep the R*Tree and indexes of a
        // million features warm, small enough for the whole server to stay well under 200 MB.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", "-16000")
                    // Statement journals of multi-row inserts stay in memory, not temp files.
                    .pragma("temp_store", "memory")
                    // Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB.
                    .pragma("wal_autocheckpoint", "10000")
                    .pragma("journal_size_limit", "67108864"),
            )
            .await?;
        MIGRATOR.run(&write).await?;
        super::data_fixes::run_sqlite(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            // The short reads; the long listings have connections of their own (`reader`).
            .connect_with(options.read_only(true).pragma("cache_size", "-2000"))
            .await?;
        let (changes, _) = tokio::sync::broadcast::channel(super::CHANGE_BUFFER);
        Ok(Self {
            read,
            readers,
            write,
            changes,
        })
    }
}

impl SqliteStore {
    /// The writing connection, for whole-database operations (`trama copy`).
    pub(crate) fn writer_pool(&self) -> SqlitePool {
        self.write.clone()
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn create_user(&self, user: &User, password_hash: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO users (id, username, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(user.id.hyphenated())
            .bind(&user.username)
            .bind(user.role.as_str())
            .bind(password_hash)
            .bind(user.created_at)
            .execute(&self.write)
            .await
            .map_err(conflict_if_unique(|| format!("the username \"{}\" is taken", user.username)))?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(
            "SELECT id, username, role, password_hash, created_at, disabled_at FROM users WHERE username = ?",
        )
        .bind(username)
        .fetch_optional(&self.read)
        .await?;
        row.map(|row| Ok((rows::user(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        sqlx::query(
            "SELECT id, username, role, created_at, disabled_at FROM users ORDER BY username",
        )
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(rows::user)
        .collect()
    }

    async fn update_user(
        &self,
        username: &str,
        role: Role,
        disabled: bool,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        let updated = sqlx::query("UPDATE users SET role = ?, disabled_at = CASE WHEN ? THEN COALESCE(disabled_at, ?) ELSE NULL END WHERE username = ?")
            .bind(role.as_str())
            .bind(disabled)
            .bind(now)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(hash) = password_hash {
            replace_password(&mut tx, username, hash).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn set_password(&self, username: &str, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        replace_password(&mut tx, username, password_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn create_user_token(&self, user_id: Uuid, token: &NewToken) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&token.hash)
            .bind(user_id.hyphenated())
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn revoke_token(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM api_tokens WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn principal_for_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT t.expires_at, t.user_id AS token_user, u.id AS user_id, u.username, u.role,
                    t.participant_id, p.display_name, p.workshop_id, p.group_id, w.project_id
             FROM api_tokens t
             LEFT JOIN users u ON u.id = t.user_id AND u.disabled_at IS NULL
             LEFT JOIN participants p ON p.id = t.participant_id
             LEFT JOIN workshops w ON w.id = p.workshop_id
             WHERE t.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: Option<DateTime<Utc>> = row.try_get("expires_at")?;
        if expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        if opt_uuid(&row, "token_user")?.is_some() {
            // A disabled user's tokens find no user row: refused like an unknown token.
            let Some(id) = opt_uuid(&row, "user_id")? else {
                return Ok(None);
            };
            let role: String = row.try_get("role")?;
            return Ok(Some(Principal::User {
                id,
                username: row.try_get("username")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
            }));
        }
        Ok(Some(Principal::Participant {
            id: uuid(&row, "participant_id")?,
            project_id: uuid(&row, "project_id")?,
            workshop_id: uuid(&row, "workshop_id")?,
            group_id: uuid(&row, "group_id")?,
            display_name: row.try_get("display_name")?,
        }))
    }

    async fn begin_auth_attempt(
        &self,
        scope: &str,
        client: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<(Uuid, u32)> {
        let id = Uuid::new_v4();
        // One writing connection: attempts are counted one after the other.
        let mut tx = self.write.begin().await?;
        // Old entries are pruned here so that the table stays small without a background job.
        sqlx::query("DELETE FROM auth_failures WHERE at < ?")
            .bind(now.timestamp() - 86_400)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO auth_failures (scope, client, at, attempt) VALUES (?, ?, ?, ?)")
            .bind(scope)
            .bind(client)
            .bind(now.timestamp())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_failures WHERE scope = ? AND client = ? AND at >= ?",
        )
        .bind(scope)
        .bind(client)
        .bind(since.timestamp())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((id, u32::try_from(count).unwrap_or(u32::MAX)))
    }

    async fn forget_auth_attempt(&self, attempt: Uuid) -> StoreResult<()> {
        sqlx::query("DELETE FROM auth_failures WHERE attempt = ?")
            .bind(attempt.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn create_project(&self, project: &Project) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO projects (id, slug, name, description, default_locale, area, created_at, sensitive_exact,
                mask_min_m, mask_max_m, mask_resolution, mask_k)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(project.id.hyphenated())
        .bind(&project.slug)
        .bind(&project.name)
        .bind(&project.description)
        .bind(&project.default_locale)
        .bind(project.area.as_ref().map(|a| a.to_geojson_string()))
        .bind(project.created_at)
        .bind(project.sensitive_exact.as_str())
        .bind(project.masking.min_m)
        .bind(project.masking.max_m)
        .bind(i64::from(u8::from(project.masking.aggregate_resolution)))
        .bind(i64::from(project.masking.k))
        .execute(&self.write)
        .await
        .map_err(conflict_if_unique(|| format!("a project with slug \"{}\" exists", project.slug)))?;
        Ok(())
    }

    async fn list_projects(&self) -> StoreResult<Vec<Project>> {
        sqlx::query("SELECT * FROM projects ORDER BY name")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(rows::project)
            .collect()
    }

    async fn find_project(&self, slug: &str) -> StoreResult<Option<Project>> {
        let row = sqlx::query("SELECT * FROM projects WHERE slug = ?")
            .bind(slug)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::project).transpose()
    }

    async fn set_privacy(
        &self,
        project_id: Uuid,
        masking: &crate::domain::export::Masking,
        view: crate::domain::project::SensitiveView,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE projects SET mask_min_m = ?, mask_max_m = ?, mask_resolution = ?, mask_k = ?, sensitive_exact = ? WHERE id = ?")
            .bind(masking.min_m)
            .bind(masking.max_m)
            .bind(i64::from(u8::from(masking.aggregate_resolution)))
            .bind(i64::from(masking.k))
            .bind(view.as_str())
            .bind(project_id.hyphenated())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn find_project_by_id(&self, id: Uuid) -> StoreResult<Option<Project>> {
        let row = sqlx::query("SELECT * FROM projects WHERE id = ?")
            .bind(id.hyphenated())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::project).transpose()
    }

    async fn legend(&self, project_id: Uuid) -> StoreResult<Vec<Symbol>> {
        sqlx::query("SELECT * FROM symbols WHERE project_id = ? ORDER BY position")
            .bind(project_id.hyphenated())
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(rows::symbol)
            .collect()
    }

    #[instrument(skip_all)]
    async fn replace_legend(&self, project_id: Uuid, symbols: &[Symbol]) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        let in_use: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.key, COUNT(f.pk) FROM symbols s JOIN features f ON f.symbol_id = s.id
             WHERE s.project_id = ? GROUP BY s.key",
        )
        .bind(project_id.hyphenated())
        .fetch_all(&mut *tx)
        .await?;
        let dropped: Vec<String> = in_use
            .iter()
            .filter(|(key, _)| !symbols.iter().any(|s| &s.key == key))
            .map(|(key, count)| format!("\"{key}\" ({count} features)"))
            .collect();
        if !dropped.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the legend would drop symbols still in use: {}; keep them or move their features first",
                dropped.join(", ")
            )));
        }
        let mut delete = QueryBuilder::new("DELETE FROM symbols WHERE project_id = ");
        delete.push_bind(project_id.hyphenated());
        if !symbols.is_empty() {
            delete.push(" AND key NOT IN (");
            let mut keys = delete.separated(", ");
            for symbol in symbols {
                keys.push_bind(&symbol.key);
            }
            delete.push(")");
        }
        delete.build().execute(&mut *tx).await?;
        for (position, symbol) in symbols.iter().enumerate() {
            sqlx::query(
                "INSERT INTO symbols (id, project_id, key, labels, kind, geometry_types, color, icon, weight, sensitive, position)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (project_id, key) DO UPDATE SET
                   labels = excluded.labels, kind = excluded.kind, geometry_types = excluded.geometry_types,
                   color = excluded.color, icon = excluded.icon, weight = excluded.weight,
                   sensitive = excluded.sensitive, position = excluded.position",
            )
            .bind(Uuid::new_v4().hyphenated())
            .bind(project_id.hyphenated())
            .bind(&symbol.key)
            .bind(sqlx::types::Json(&symbol.labels))
            .bind(symbol.kind.as_str())
            .bind(sqlx::types::Json(&symbol.geometry_types))
            .bind(&symbol.color)
            .bind(&symbol.icon)
            .bind(symbol.weight)
            .bind(symbol.sensitive)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn create_workshop(&self, workshop: &Workshop) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO workshops (id, project_id, title, place, starts_at, ends_at, facilitator_id, status, join_code, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(workshop.id.hyphenated())
        .bind(workshop.project_id.hyphenated())
        .bind(&workshop.title)
        .bind(&workshop.place)
        .bind(workshop.starts_at)
        .bind(workshop.ends_at)
        .bind(workshop.facilitator_id.map(|id| id.hyphenated()))
        .bind(workshop.status.as_str())
        .bind(workshop.join_code.as_str())
        .bind(workshop.created_at)
        .execute(&mut *tx)
        .await
        .map_err(conflict_if_unique(|| "join code already in use".into()))?;
        for (position, group) in workshop.groups.iter().enumerate() {
            sqlx::query(
                "INSERT INTO workshop_groups (id, workshop_id, name, position) VALUES (?, ?, ?, ?)",
            )
            .bind(group.id.hyphenated())
            .bind(workshop.id.hyphenated())
            .bind(&group.name)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn find_workshop(&self, id: Uuid) -> StoreResult<Option<Workshop>> {
        let row = sqlx::query("SELECT * FROM workshops WHERE id = ?")
            .bind(id.hyphenated())
            .fetch_optional(&self.read)
            .await?;
        self.with_groups(row).await
    }

    async fn find_open_workshop_by_code(&self, code: &JoinCode) -> StoreResult<Option<Workshop>> {
        let row = sqlx::query("SELECT * FROM workshops WHERE join_code = ? AND status = 'open'")
            .bind(code.as_str())
            .fetch_optional(&self.read)
            .await?;
        self.with_groups(row).await
    }

    async fn list_workshops(&self, project_id: Uuid) -> StoreResult<Vec<Workshop>> {
        let mut workshops: Vec<Workshop> =
            sqlx::query("SELECT * FROM workshops WHERE project_id = ? ORDER BY created_at")
                .bind(project_id.hyphenated())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(rows::workshop)
                .collect::<StoreResult<_>>()?;
        let groups = sqlx::query(
            "SELECT g.* FROM workshop_groups g JOIN workshops w ON w.id = g.workshop_id
             WHERE w.project_id = ? ORDER BY g.position",
        )
        .bind(project_id.hyphenated())
        .fetch_all(&self.read)
        .await?;
        for row in &groups {
            let workshop_id = uuid(row, "workshop_id")?;
            if let Some(w) = workshops.iter_mut().find(|w| w.id == workshop_id) {
                w.groups.push(rows::group(row)?);
            }
        }
        Ok(workshops)
    }

    #[instrument(skip_all)]
    async fn close_workshop(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE workshops SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'")
            .bind(now)
            .bind(id.hyphenated())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn workshop_tallies(
        &self,
        project_id: Uuid,
    ) -> StoreResult<std::collections::HashMap<Uuid, crate::store::WorkshopTally>> {
        let rows = sqlx::query(
            "SELECT w.id,
                    (SELECT COUNT(*) FROM participants p WHERE p.workshop_id = w.id) AS participants,
                    (SELECT COUNT(*) FROM features f WHERE f.workshop_id = w.id AND f.deleted_at IS NULL) AS drawings
             FROM workshops w WHERE w.project_id = ?",
        )
        .bind(project_id.hyphenated())
        .fetch_all(&self.read)
        .await?;
        let mut tallies = std::collections::HashMap::new();
        for row in rows {
            let count = |name: &str| {
                row.try_get::<i64, _>(name)
                    .map(|n| u64::try_from(n).unwrap_or(0))
            };
            tallies.insert(
                uuid(&row, "id")?,
                crate::store::WorkshopTally {
                    participants: count("participants")?,
                    drawings: count("drawings")?,
                },
            );
        }
        Ok(tallies)
    }

    #[instrument(skip_all)]
    async fn reopen_workshop(&self, id: Uuid) -> StoreResult<()> {
        sqlx::query("UPDATE workshops SET status = 'open', closed_at = NULL WHERE id = ? AND status = 'closed'")
            .bind(id.hyphenated())
            .execute(&self.write)
            .await
            .map_err(conflict_if_unique(|| "another open workshop has taken this workshop's join code meanwhile".into()))?;
        Ok(())
    }

    #[instrument(skip_all)]
    async fn create_participant(
        &self,
        participant: &Participant,
        token: &NewToken,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO participants (id, workshop_id, group_id, display_name, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(participant.id.hyphenated())
            .bind(participant.workshop_id.hyphenated())
            .bind(participant.group_id.hyphenated())
            .bind(&participant.display_name)
            .bind(participant.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO api_tokens (token_hash, participant_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&token.hash)
            .bind(participant.id.hyphenated())
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_features(
        &self,
        features: &[Feature],
        answer: Option<&IdempotentResponse>,
    ) -> StoreResult<()> {
        self.insert_features_tx(features, answer).await
    }

    async fn idempotent_response(
        &self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotentResponse>> {
        let row = sqlx::query("SELECT * FROM idempotency_keys WHERE principal = ? AND key = ?")
            .bind(principal)
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        row.map(|row| {
            Ok(IdempotentResponse {
                principal: row.try_get("principal")?,
                key: row.try_get("key")?,
                request_hash: row.try_get("request_hash")?,
                status: u16::try_from(row.try_get::<i64, _>("status")?).unwrap_or(500),
                body: row.try_get("response")?,
            })
        })
        .transpose()
    }

    async fn list_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>> {
        self.query_features(project_id, filter).await
    }

    fn stream_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> futures::stream::BoxStream<'static, StoreResult<Feature>> {
        self.feature_stream(project_id, filter)
    }

    fn stream_outlines(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> futures::stream::BoxStream<'static, StoreResult<crate::store::FeatureOutline>> {
        self.outline_stream(project_id, filter)
    }

    async fn find_feature(&self, id: Uuid) -> StoreResult<Option<Feature>> {
        self.feature_by_id(id).await
    }

    async fn save_feature_revision(
        &self,
        feature: &Feature,
        action: &str,
        actor: &Author,
    ) -> StoreResult<()> {
        self.update_feature_tx(feature, action, actor).await
    }

    async fn feature_history(&self, id: Uuid) -> StoreResult<Vec<super::FeatureRevision>> {
        self.history(id).await
    }

    async fn add_annotation(&self, annotation: &Annotation) -> StoreResult<()> {
        self.insert_annotation(annotation).await
    }

    async fn list_annotations(
        &self,
        target: &AnnotationTarget,
        page: super::AnnotationPage,
    ) -> StoreResult<Vec<Annotation>> {
        self.annotations(AnnotationsOf::Target(target, page)).await
    }

    async fn list_project_annotations(&self, project_id: Uuid) -> StoreResult<Vec<Annotation>> {
        self.annotations(AnnotationsOf::Project(project_id)).await
    }

    async fn save_pictogram(&self, name: &str, svg: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pictograms (name, svg, created_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET svg = excluded.svg, created_at = excluded.created_at",
        )
        .bind(name)
        .bind(svg)
        .bind(Utc::now())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn pictogram(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT svg FROM pictograms WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    async fn list_pictograms(&self) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT name FROM pictograms ORDER BY name")
                .fetch_all(&self.read)
                .await?,
        )
    }

    async fn create_boundary_layer(&self, layer: &BoundaryLayer) -> StoreResult<()> {
        self.insert_boundary_layer(layer).await
    }

    async fn list_boundary_layers(
        &self,
        project_id: Uuid,
    ) -> StoreResult<Vec<BoundaryLayerSummary>> {
        self.boundary_layers(project_id).await
    }

    async fn find_boundary_layer(&self, id: Uuid) -> StoreResult<Option<BoundaryLayer>> {
        self.boundary_layer(id).await
    }

    async fn delete_boundary_layer(&self, id: Uuid) -> StoreResult<()> {
        self.remove_boundary_layer(id).await
    }

    async fn create_priority_zone(
        &self,
        zone: &PriorityZone,
        note: Option<&str>,
    ) -> StoreResult<()> {
        self.insert_priority_zone(zone, note).await
    }

    async fn list_priority_zones(&self, project_id: Uuid) -> StoreResult<Vec<PriorityZone>> {
        self.priority_zones(project_id).await
    }

    async fn find_priority_zone(&self, id: Uuid) -> StoreResult<Option<PriorityZone>> {
        self.priority_zone(id).await
    }

    async fn save_priority_zone(
        &self,
        zone: &PriorityZone,
        by: Uuid,
        note: Option<&str>,
    ) -> StoreResult<()> {
        self.update_priority_zone(zone, by, note).await
    }

    async fn priority_zone_history(&self, id: Uuid) -> StoreResult<Vec<ZoneEvent>> {
        self.zone_history(id).await
    }

    async fn record_export(&self, entry: &ExportLogEntry) -> StoreResult<()> {
        self.insert_export(entry).await
    }

    async fn list_exports(&self, project_id: Uuid) -> StoreResult<Vec<ExportLogEntry>> {
        self.exports(project_id).await
    }

    async fn count_exports_by(&self, user: Uuid, since: DateTime<Utc>) -> StoreResult<u32> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM export_log WHERE user_id = ? AND at >= ?")
                .bind(user.hyphenated())
                .bind(since)
                .fetch_one(&self.read)
                .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn publish(&self, change: &Change) -> StoreResult<()> {
        // No subscriber is not an error: nobody has a live page open.
        let _ = self.changes.send(change.clone());
        Ok(())
    }

    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }
}

impl SqliteStore {
    async fn with_groups(
        &self,
        row: Option<sqlx::sqlite::SqliteRow>,
    ) -> StoreResult<Option<Workshop>> {
        let Some(row) = row else { return Ok(None) };
        let mut workshop = rows::workshop(&row)?;
        workshop.groups =
            sqlx::query("SELECT * FROM workshop_groups WHERE workshop_id = ? ORDER BY position")
                .bind(workshop.id.hyphenated())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(rows::group)
                .collect::<StoreResult<_>>()?;
        Ok(Some(workshop))
    }
}

/// Sets `username`'s password hash and deletes their tokens, in `tx`; NotFound for an unknown
/// user.
async fn replace_password(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    username: &str,
    password_hash: &str,
) -> StoreResult<()> {
    let updated = sqlx::query("UPDATE users SET password_hash = ? WHERE username = ?")
        .bind(password_hash)
        .bind(username)
        .execute(&mut **tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE username = ?)")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;

    #[tokio::test]
    async fn an_in_memory_database_is_refused_with_a_clear_error() {
        // Listings read the file through connections of their own, which an in-memory
        // database does not have.
        let Err(error) = SqliteStore::connect("sqlite::memory:").await else {
            panic!("an in-memory database was accepted");
        };
        assert!(
            error.to_string().contains("sqlite://path/to/file.db"),
            "{error}"
        );
    }
}
