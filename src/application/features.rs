//! Reading a project's drawings as a caller sees them: which drawings (the caller's scope and
//! the query's filters), and how each is seen (exactly, or as its masking cell), written as a
//! GeoJSON FeatureCollection. The API's listing and the draw page's first data both run it.

use std::collections::{HashMap, HashSet};
use tracing::instrument;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Error, audit};
use crate::domain::access::Principal;
use crate::domain::audit::Door;
use crate::domain::bbox::BBox;
use crate::domain::feature::{Feature, FeatureFilter, ReviewState};
use crate::domain::project::Project;
use crate::domain::question::{AnswerFilter, Question, sensitive_keys};
use crate::domain::workshop::Workshop;
use crate::geojson::{CollectionWriter, FeatureOut, Sight};
use crate::store::{Store, StoreError, StoreResult};

/// Default and largest number of features one listing returns.
const DEFAULT_LIMIT: usize = 10_000;
const MAX_LIMIT: usize = 100_000;

/// A listing's query: its filters, page and view, as the API's query string names them.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub bbox: Option<String>,
    pub workshop: Option<String>,
    pub group: Option<String>,
    pub symbol: Option<String>,
    /// Review state: submitted, accepted, rejected or merged.
    pub state: Option<ReviewState>,
    /// Drawn at or after (RFC 3339, or a date: the day's start in UTC).
    pub since: Option<String>,
    /// Drawn before (RFC 3339, or a date: the day's end in UTC).
    pub until: Option<String>,
    /// Moderators only: list soft-deleted features (to restore them).
    pub deleted: Option<bool>,
    pub limit: Option<usize>,
    /// The id of the last feature of the previous page.
    pub after: Option<String>,
    /// `question:value`: only the drawings whose answer is (or includes) the value.
    pub answer: Option<String>,
    /// `public`: for a screen the whole room sees (see [`View`]).
    pub view: Option<View>,
    /// The page that asks, when it is the projected wall (`wall`): the audit trail records
    /// its exact reads as the wall's. Any other value is the API's.
    pub door: Option<Door>,
}

/// An instant from `2026-09-12T14:00:00Z`, or a whole day from `2026-09-12` (its start, or
/// with `end_of_day` the next day's start).
pub(crate) fn query_time(
    text: Option<&str>,
    name: &str,
    end_of_day: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
    let Some(text) = text else {
        return Ok(None);
    };
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&chrono::Utc)));
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::BadInput(format!(
            "{name} must be a date (2026-09-12) or an RFC 3339 time"
        ))
    })?;
    Ok(Some(if end_of_day {
        until_day(day)
    } else {
        from_day(day)
    }))
}

/// Where a range that starts on `day` starts: its midnight, UTC.
pub fn from_day(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Where a range that ends on `day`, the day included, ends: the next day's midnight, UTC
/// (the last representable day ends at its own midnight).
pub fn until_day(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    from_day(day.succ_opt().unwrap_or(day))
}

/// An id from a query string's `name`; BadRequest when it is not a UUID.
pub fn query_id(text: &Option<String>, name: &str) -> Result<Option<Uuid>, Error> {
    text.as_deref()
        .map(|t| Uuid::parse_str(t).map_err(|_| Error::BadInput(format!("{name} must be a UUID"))))
        .transpose()
}

/// A query parameter holding ids separated by commas; absent or empty means no filter.
pub fn id_list(text: &Option<String>, name: &str) -> Result<Option<Vec<Uuid>>, Error> {
    let Some(text) = text.as_deref().filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    text.split(',')
        .map(|part| {
            Uuid::parse_str(part.trim()).map_err(|_| {
                Error::BadInput(format!("{name} must be a comma-separated list of ids"))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A page of drawings, written as it was read, and the query that asks for the next page
/// (OGC API Features, Part 1, §7.15: the same query, after the last drawing): None on the
/// last page, and for a box (whose answer has no order to page through). The door writes the
/// link.
pub struct Listing {
    collection: CollectionWriter,
    truncated: bool,
    pub next: Option<ListQuery>,
}

impl Listing {
    /// The GeoJSON FeatureCollection (UTF-8 JSON text) with `numberReturned`, `truncated` and
    /// `next_link` as its `next` link.
    pub fn finish(self, next_link: Option<&str>) -> Vec<u8> {
        self.collection.finish(self.truncated, next_link)
    }
}

/// The drawings of `project` that `principal` may read and `query` asks for, at most
/// `limit` of them. Sensitive drawings are their masking cells for whoever may not see them
/// exactly, and always in `view=public`.
///
/// Errors: `BadRequest` for a malformed box, id or date, or `after` with a `bbox`;
/// `Forbidden` for a role that gets no raw features, a workshop not the caller's, or deleted
/// drawings asked by a non-moderator; the store's errors.
#[instrument(skip_all, err(level = "debug"))]
pub async fn list(
    store: &dyn Store,
    principal: &Principal,
    project: &Project,
    query: ListQuery,
) -> Result<Listing, Error> {
    let workshops: HashMap<Uuid, Workshop> = store
        .list_workshops(project.id)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let facilitated = || principal.runs(workshops.values());
    let mut filter = FeatureFilter {
        bbox: query
            .bbox
            .as_deref()
            .map(BBox::parse)
            .transpose()
            .map_err(|e| Error::BadInput(e.detail))?,
        group: query_id(&query.group, "group")?,
        symbol: query.symbol.clone(),
        review_state: query.state,
        since: query_time(query.since.as_deref(), "since", false)?,
        until: query_time(query.until.as_deref(), "until", true)?,
        include_hidden: principal.can_moderate() && query.view != Some(View::Public),
        include_deleted: query.deleted.unwrap_or(false),
        limit: Some(query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)),
        after: query_id(&query.after, "after")?,
        workshops: None,
        answer: None,
    };
    if filter.after.is_some() && filter.bbox.is_some() {
        return Err(Error::BadInput(
            "after pages through a listing in drawing order; a bbox answer has no such order, \
             so narrow the box instead"
                .into(),
        ));
    }
    if filter.include_deleted && !principal.can_moderate() {
        return Err(Error::not_allowed(
            "only analysts and admins list deleted features",
        ));
    }
    let asked = query_id(&query.workshop, "workshop")?.map(|w| vec![w]);
    filter.workshops = principal
        .feature_scope(project.id, facilitated)
        .narrow(asked)?;
    let public = query.view == Some(View::Public);
    if let Some(text) = query.answer.as_deref() {
        let answer =
            AnswerFilter::parse(text, &store.legend(project.id).await?).map_err(Error::BadInput)?;
        // Which drawings a private answer keeps would tell what the answer is.
        let sees_all = principal.can_moderate() && !public;
        if answer.private && !sees_all {
            return Err(Error::not_allowed(
                "only analysts and admins filter on the answers to a sensitive question or a short text",
            ));
        }
        filter.answer = Some(answer);
    }
    let sights = Sights::load(store, project.id).await?;
    let sensitive_symbols = sights.sensitive.clone();
    // The symbols whose drawings may reach this caller masked (none, for a moderator who
    // reads as themself).
    let sensitive = if principal.can_moderate() && !public {
        HashSet::new()
    } else {
        sensitive_symbols.clone()
    };
    // A box must not tell where a masked drawing is: whoever sees sensitive drawings masked
    // gets them by whether their *cell* meets the box (the store, which knows only exact
    // extents, is asked a box grown by a cell's width, and the answer is narrowed here).
    // Otherwise halving the box until the drawing drops out would find it.
    let asked_box = filter.bbox;
    let resolution = project.masking.sensitive_resolution;
    if let Some(b) = filter.bbox.as_mut()
        && !sensitive.is_empty()
    {
        let pad = cell_span_degrees(resolution, (b.min_y + b.max_y) / 2.0);
        b.min_x = (b.min_x - pad).max(-180.0);
        b.max_x = (b.max_x + pad).min(180.0);
        b.min_y = (b.min_y - pad).max(-90.0);
        b.max_y = (b.max_y + pad).min(90.0);
    }
    // Each feature is written as it is read, so that on two cores the database's thread
    // and ours work at the same time instead of one after the other.
    let mut features = store.stream_features(project.id, &filter);
    let mut collection = CollectionWriter::default();
    let mut revealed = Vec::new();
    while let Some(feature) = features.next().await {
        let f = feature?;
        let workshop = f.workshop_id.and_then(|id| workshops.get(&id));
        let is_sensitive = sensitive.contains(&f.symbol);
        let seen = if public {
            Sight::public(is_sensitive, project.masking.sensitive_resolution)
        } else {
            sight(principal, &f, is_sensitive, workshop, project)
        };
        if let Some(asked) = &asked_box
            && !sensitive.is_empty()
            && !meets(&f.geometry, seen, asked)
        {
            continue;
        }
        if sights.reveals(seen, principal, &f) {
            revealed.push(f.id);
        }
        collection.push(&FeatureOut::new(&f, seen, sights.questions(&f.symbol)))?;
    }
    let door = match query.door {
        Some(Door::Wall) => Door::Wall,
        _ => Door::Api,
    };
    audit::exact_reads(store, Some(principal), door, project.id, &revealed).await?;
    let truncated = filter.limit.is_some_and(|limit| collection.count >= limit);
    let next = match collection.last_id {
        Some(last) if truncated && filter.bbox.is_none() => Some(ListQuery {
            after: Some(last.to_string()),
            ..query
        }),
        _ => None,
    };
    Ok(Listing {
        collection,
        truncated,
        next,
    })
}

/// Whom an answer is for: the caller, or a public screen (the wall a projector shows the
/// whole room), where a sensitive drawing is masked as on the participants' phones whoever
/// asks. Hidden drawings are not projected either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    #[default]
    Caller,
    Public,
}

/// What deciding how a project's drawings are seen needs, read once: its sensitive symbols
/// and its policy. Each drawing's [`Sight`] is then decided without reading the store again
/// (a history decides one per revision).
pub struct Sights {
    sensitive: HashSet<String>,
    /// Each symbol's questions, which say what its drawings' answers are.
    questions: HashMap<String, Vec<Question>>,
    /// Each symbol's questions whose answers are kept as a sensitive place is.
    private: HashMap<String, HashSet<String>>,
    project: Project,
}

impl Sights {
    /// # Errors
    /// The store's; NotFound for an unknown project.
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn load(store: &dyn Store, project_id: Uuid) -> StoreResult<Self> {
        let legend = store.legend(project_id).await?;
        let project = store
            .find_project_by_id(project_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Self {
            sensitive: legend
                .iter()
                .filter(|s| s.sensitive)
                .map(|s| s.key.clone())
                .collect(),
            private: legend
                .iter()
                .map(|s| {
                    let keys = sensitive_keys(&s.questions);
                    (s.key.clone(), keys.into_iter().map(str::to_owned).collect())
                })
                .collect(),
            questions: legend.into_iter().map(|s| (s.key, s.questions)).collect(),
            project,
        })
    }

    /// The questions `symbol` asks (none for a symbol the legend no longer has: its
    /// drawings' answers are then shown only exactly).
    pub fn questions(&self, symbol: &str) -> &[Question] {
        self.questions.get(symbol).map_or(&[], Vec::as_slice)
    }

    /// How `principal` sees `feature`, drawn in `workshop`.
    pub fn of(
        &self,
        principal: &Principal,
        feature: &Feature,
        workshop: Option<&Workshop>,
    ) -> Sight {
        let sensitive = self.sensitive.contains(&feature.symbol);
        sight(principal, feature, sensitive, workshop, &self.project)
    }

    /// Whether `sight` shows `feature`'s exact sensitive place, or a private answer, to
    /// `principal`, who did not draw it (see [`Sight::reveals`]).
    pub fn reveals(&self, sight: Sight, principal: &Principal, feature: &Feature) -> bool {
        let private_answer = self
            .private
            .get(&feature.symbol)
            .is_some_and(|keys| feature.answers.keys().any(|k| keys.contains(k)));
        sight.reveals(
            self.sensitive.contains(&feature.symbol) || private_answer,
            principal,
            feature,
        )
    }

    /// How a public screen sees `feature`.
    pub fn public(&self, feature: &Feature) -> Sight {
        Sight::public(
            self.sensitive.contains(&feature.symbol),
            self.project.masking.sensitive_resolution,
        )
    }
}

/// How one caller sees one drawing, and the questions of its symbol that its answers are
/// shown against (see `geojson::FeatureOut::new`).
#[derive(Debug, Clone)]
pub struct Seen {
    pub sight: Sight,
    pub questions: Vec<Question>,
}

/// How the caller sees this feature (sensitive symbols are masked, words and all). A
/// sensitive drawing the caller sees exactly (and did not draw) is recorded in the audit
/// trail as read through `door`, before it is answered.
///
/// # Errors
/// The store's (the project's legend and policy; the audit trail).
#[instrument(skip_all, err(level = "debug"))]
pub async fn sees_exact(
    store: &dyn Store,
    principal: &Principal,
    feature: &Feature,
    workshop: Option<&Workshop>,
    door: Door,
) -> Result<Seen, Error> {
    let sights = Sights::load(store, feature.project_id).await?;
    let sight = sights.of(principal, feature, workshop);
    let seen = Seen {
        sight,
        questions: sights.questions(&feature.symbol).to_vec(),
    };
    if sights.reveals(sight, principal, feature) {
        audit::exact_reads(
            store,
            Some(principal),
            door,
            feature.project_id,
            &[feature.id],
        )
        .await?;
    }
    Ok(seen)
}

/// Degrees of longitude or latitude that cover a masking cell of `resolution` at `lat`, with
/// room to spare (two edge lengths, widened for the latitude).
pub(crate) fn cell_span_degrees(resolution: h3o::Resolution, lat: f64) -> f64 {
    let km = 2.5 * resolution.edge_length_km();
    km / (111.32 * lat.to_radians().cos().abs().max(0.2))
}

/// Whether the drawing as the caller sees it (exact, or its cell) meets `asked`.
fn meets(stored: &str, seen: Sight, asked: &BBox) -> bool {
    use geo::BoundingRect;
    let Some(geometry) = crate::domain::geometry::FeatureGeometry::parse_stored(stored) else {
        return false;
    };
    let shown = match seen {
        Sight::Exact | Sight::Open => geometry,
        Sight::Masked(resolution) => {
            crate::domain::export::sensitive_cell(&geometry, resolution, resolution)
        }
    };
    shown.bounding_rect().is_some_and(|r| {
        asked.intersects(&BBox {
            min_x: r.min().x,
            min_y: r.min().y,
            max_x: r.max().x,
            max_y: r.max().y,
        })
    })
}

/// How `principal` sees `feature` in `project` (see [`Sight::of`]).
fn sight(
    principal: &Principal,
    feature: &Feature,
    sensitive: bool,
    workshop: Option<&Workshop>,
    project: &Project,
) -> Sight {
    let masking = (
        project.sensitive_exact,
        project.masking.sensitive_resolution,
    );
    Sight::of(principal, feature, sensitive, workshop, masking)
}

/// How a public screen (the wall) sees `feature`: a sensitive one masked.
#[instrument(skip_all, err(level = "debug"))]
pub async fn public_sight(store: &dyn Store, feature: &Feature) -> Result<Seen, Error> {
    let sights = Sights::load(store, feature.project_id).await?;
    Ok(Seen {
        sight: sights.public(feature),
        questions: sights.questions(&feature.symbol).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_includes_its_last_day_in_the_api_and_the_cli_alike() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 12).expect("day");
        let next = "2026-09-13T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>();
        assert_eq!(Ok(until_day(day)), next);
        assert_eq!(
            query_time(Some("2026-09-12"), "until", true).ok().flatten(),
            Some(until_day(day))
        );
        assert_eq!(
            query_time(Some("2026-09-12"), "since", false)
                .ok()
                .flatten(),
            Some(from_day(day))
        );
        assert_eq!(from_day(day).to_rfc3339(), "2026-09-12T00:00:00+00:00");
    }
}
