//! Feature listings on SQLite: through the R*Tree for a bbox, read by connections of their
//! own (`reader`, rusqlite) so that a long export does not hold the short reads' pool, and
//! handed over as the rows come.

use futures::StreamExt;
use futures::stream::BoxStream;
use tracing::instrument;
use uuid::Uuid;

use super::SqliteStore;
use super::positional;
use super::reader::Select;
use super::sql::rows::{FEATURE_COLUMNS, FEATURE_JOINS, OUTLINE_COLUMNS, OUTLINE_JOINS};
use crate::domain::feature::{Feature, FeatureFilter};
use crate::store::filters::{push_conditions, push_limit};
use crate::store::{FeatureOutline, StoreResult};

impl SqliteStore {
    #[instrument(skip_all)]
    pub(super) async fn query_features(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> StoreResult<Vec<Feature>> {
        self.feature_stream(project_id, filter)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    /// The same features as `query_features`, one by one as the database reads them, with
    /// memory bounded by the reader's channel whatever the size of the answer.
    pub(super) fn feature_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<Feature>> {
        self.readers.stream(
            select(FEATURE_COLUMNS, FEATURE_JOINS, project_id, filter, true),
            positional::feature,
        )
    }

    /// The outlines of the same features, streamed the same way.
    pub(super) fn outline_stream(
        &self,
        project_id: Uuid,
        filter: &FeatureFilter,
    ) -> BoxStream<'static, StoreResult<FeatureOutline>> {
        let query = select(OUTLINE_COLUMNS, OUTLINE_JOINS, project_id, filter, false);
        self.readers.stream(query, positional::outline)
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
) -> Option<Select> {
    let mut query = Select::new("SELECT ");
    query.push(columns);
    if let Some(b) = filter.bbox {
        // The R*Tree drives the query (CROSS JOIN keeps SQLite from reordering it), so the
        // cost follows the size of the answer, not of the project.
        query
            .push(" FROM features_rtree r CROSS JOIN features f ON f.pk = r.pk")
            .push(joins)
            .push(" WHERE r.min_x <= ")
            .push_bind(b.max_x)
            .push(" AND r.max_x >= ")
            .push_bind(b.min_x)
            .push(" AND r.min_y <= ")
            .push_bind(b.max_y)
            .push(" AND r.max_y >= ")
            .push_bind(b.min_y)
            .push(" AND ");
    } else {
        query.push(" FROM features f").push(joins).push(" WHERE ");
    }
    if !push_conditions(&mut query, project_id, filter) {
        return None;
    }
    if let Some(after) = filter.after {
        // An unknown id gives no pk, and so an empty page.
        query
            .push(" AND f.pk > (SELECT pk FROM features WHERE id = ")
            .push_bind(after.hyphenated().to_string())
            .push(")");
    }
    // Drawing order for whole listings; a bbox answer comes in R*Tree order, so that a
    // LIMIT stops the search early instead of sorting every candidate.
    if ordered && filter.bbox.is_none() {
        query.push(" ORDER BY f.pk");
    }
    push_limit(&mut query, filter);
    Some(query)
}
