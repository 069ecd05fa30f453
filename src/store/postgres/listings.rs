//! Feature listings on PostgreSQL: through the GiST index for a bbox, and streamed by a task
//! of their own so that memory stays flat whatever the size of the answer.

use futures::StreamExt;
use futures::stream::BoxStream;
use sqlx::{Postgres, QueryBuilder};
use tracing::instrument;
use uuid::Uuid;

use super::PostgresStore;
use super::dialect::{opt_uuid, uuid};
use super::sql::rows::{self, FEATURE_COLUMNS, FEATURE_JOINS, OUTLINE_COLUMNS, OUTLINE_JOINS};
use crate::domain::feature::ReviewState;
use crate::domain::feature::{Feature, FeatureFilter};
use crate::store::filters::{push_conditions, push_limit};
use crate::store::stream;
use crate::store::{FeatureOutline, StoreError, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgRow;

impl PostgresStore {
    #[instrument(skip_all)]
    pub(super) async fn query_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>> {
        let Some(mut query) = select(FEATURE_COLUMNS, FEATURE_JOINS, project_id, filter, true)
        else {
            return Ok(Vec::new());
        };
        query
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::feature)
            .collect()
    }

    /// The same features as `query_features`, one by one as the database reads them: a
    /// reader task sends them through a small channel, so memory stays flat whatever the
    /// size of the answer.
    pub(super) fn feature_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<Feature>> {
        self.stream_rows(
            select(FEATURE_COLUMNS, FEATURE_JOINS, project_id, filter, true),
            rows::feature,
        )
    }

    /// The outlines of the same features, streamed the same way.
    pub(super) fn outline_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<FeatureOutline>> {
        let query = select(OUTLINE_COLUMNS, OUTLINE_JOINS, project_id, filter, false);
        self.stream_rows(query, outline)
    }

    /// The rows of `query` mapped by `map`, read by a task of their own and handed over in
    /// batches (`store::stream`); None is an empty listing.
    fn stream_rows<T: Send + 'static>(
        &self,
        query: Option<QueryBuilder<Postgres>>,
        map: fn(&sqlx::postgres::PgRow) -> StoreResult<T>,
    ) -> BoxStream<'static, StoreResult<T>> {
        let (sender, receiver) = stream::channel();
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let Some(mut query) = query else { return };
            let rows = query
                .build()
                .fetch(&pool)
                .map(|row| row.map_err(StoreError::from).and_then(|r| map(&r)));
            stream::forward(rows, sender).await;
        });
        stream::receive(receiver)
    }
}

/// The SELECT of `columns` of a feature listing (with the `joins` they need), in drawing
/// order when `ordered` (an analysis does not care, and sorting a whole project costs), or
/// None when it can only be empty.
fn select(
    columns: &str,
    joins: &'static str,
    project_id: Uuid,
    filter: &FeatureFilter,
    ordered: bool,
) -> Option<QueryBuilder<Postgres>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT ");
    query.push(columns).push(" FROM features f").push(joins);
    query.push(" WHERE ");
    if let Some(b) = filter.bbox {
        // The GiST index answers `&&`.
        query
            .push("f.geom && ST_MakeEnvelope(")
            .push_bind(b.min_x)
            .push(", ")
            .push_bind(b.min_y)
            .push(", ")
            .push_bind(b.max_x)
            .push(", ")
            .push_bind(b.max_y)
            .push(", 4326) AND ");
    }
    if !push_conditions(&mut query, project_id, filter) {
        return None;
    }
    if let Some(after) = filter.after {
        query.push(" AND f.id > ").push_bind(after);
    }
    // Drawing order (ids are time-ordered UUIDv7) for whole listings; a bbox answer comes
    // in index order, so that a LIMIT stops the search early.
    if ordered && filter.bbox.is_none() {
        query.push(" ORDER BY f.id");
    }
    push_limit(&mut query, filter);
    Some(query)
}

/// A row of `OUTLINE_COLUMNS` (SQLite reads these positionally, in `sqlite::rows`).
fn outline(row: &PgRow) -> StoreResult<FeatureOutline> {
    let state: String = row.try_get("review_state")?;
    Ok(FeatureOutline {
        id: uuid(row, "id")?,
        symbol: row.try_get("symbol")?,
        workshop_id: opt_uuid(row, "workshop_id")?,
        group_id: opt_uuid(row, "group_id")?,
        review_state: ReviewState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("review state: {state:?}")))?,
        geometry: row.try_get("geometry")?,
        answers: row
            .try_get::<sqlx::types::Json<crate::domain::question::Answers>, _>("answers")?
            .0,
    })
}
