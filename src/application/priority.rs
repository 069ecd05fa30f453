//! Priority analyses over a stored project, the use case the API, `trama priority` and
//! exports share: loads the drawings a selection names (masking sensitive ones for a caller
//! who sees them masked), runs the pure engine (`domain::priority`) on a blocking thread that
//! stops when nobody waits for it any more, and answers the engine's results (written as
//! GeoJSON by `geojson::priority`). Also parses a rule and an H3 resolution from their words.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tracing::instrument;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use geo::{Geometry, MultiPolygon};
use h3o::Resolution;
use uuid::Uuid;

use super::Error;
use crate::domain::access::{FeatureScope, Principal};
use crate::domain::audit::Door;
use crate::domain::boundary::BoundaryLayer;
use crate::domain::export::sensitive_cell;
use crate::domain::feature::{FeatureFilter, ReviewState};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::legend::{Symbol, SymbolKind};
use crate::domain::priority::{
    Analysis, ComparedZone, Drawing, MAX_ANALYSIS_BYTES, Params, Rule, TooLarge, Unit, UnitScore,
    Zone, analyse_unless, cell_outline, check_size, compare_zones, find_zones_unless, score_units,
};
use crate::domain::project::Project;
use crate::domain::question::{AnswerKind, fits, sensitive_keys};
use crate::store::Store;

/// Which drawings an analysis looks at. Hidden, deleted, rejected and merged drawings never
/// count: moderation took them out, and a merged drawing lives on in the one it joined.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub workshops: Option<Vec<Uuid>>,
    pub groups: Option<Vec<Uuid>>,
    pub symbols: Option<Vec<String>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// A question's key: each drawing weighs its symbol's weight times its answer (a whole
    /// number, or yes as 1 and no as 0), so that a workshop where 12 children work weighs
    /// twelve times one of 1. A drawing whose symbol does not ask it, or that left it
    /// unanswered, weighs its symbol's weight, as without the question.
    pub weight_by: Option<String>,
}

/// One priority analysis of a stored project: which drawings, how fine, and whether sensitive
/// drawings count at their exact place. What `GET /api/projects/{slug}/priority/…`,
/// `trama priority` and the cells layer of an export all run; each answer is written as
/// GeoJSON by `geojson::priority`.
pub struct Request<'a> {
    pub project: &'a Project,
    pub selection: Selection,
    pub params: Params,
    /// Drawings of sensitive symbols count as the H3 cell of this resolution that holds them,
    /// as a caller who sees them masked sees them (see
    /// [`FeatureScope::analyses_sensitive_exactly`]); None counts them where they are.
    pub mask_sensitive: Option<Resolution>,
    /// Who reads the analysis and through which door. Counting sensitive drawings where they
    /// are in cells finer than the project's mask shows their places: the audit trail
    /// records it as an exact read of them (`audit::exact_reads`) before the answer.
    pub reader: (Option<&'a Principal>, Door),
}

impl Request<'_> {
    /// The scores of every cell of the study area (the project's area when it has one, the
    /// drawings' extent otherwise), with their Gi* hot and cold spots.
    ///
    /// # Errors
    /// The store's, or TooLarge when the analysis's estimate is over `MAX_ANALYSIS_BYTES`
    /// (with the resolution that would fit).
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn cells(&self, store: &dyn Store) -> Result<Analysis, Error> {
        let drawings = self
            .drawings(store, &self.selection, self.finer_than_the_mask())
            .await?;
        Ok(run(drawings, study_area(self.project), self.params, None)
            .await?
            .0)
    }

    /// The cells and the zones `rule` draws from them.
    ///
    /// # Errors
    /// As [`Request::cells`].
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn zones(
        &self,
        store: &dyn Store,
        rule: Rule,
    ) -> Result<(Analysis, Vec<Zone>), Error> {
        let drawings = self
            .drawings(store, &self.selection, self.finer_than_the_mask())
            .await?;
        Ok(run(drawings, study_area(self.project), self.params, Some(rule)).await?)
    }

    /// The zones of the `before` workshops against those of the `after` ones, each set
    /// within the selection's other filters (its own workshops are not used).
    ///
    /// # Errors
    /// As [`Request::cells`].
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn change(
        &self,
        store: &dyn Store,
        [before, after]: [Vec<Uuid>; 2],
        rule: Rule,
    ) -> Result<Vec<ComparedZone>, Error> {
        let area = study_area(self.project);
        let mut zones = Vec::with_capacity(2);
        for workshops in [before, after] {
            let selection = Selection {
                workshops: Some(workshops),
                ..self.selection.clone()
            };
            let drawings = self
                .drawings(store, &selection, self.finer_than_the_mask())
                .await?;
            zones.push(
                run(drawings, area.clone(), self.params, Some(rule))
                    .await?
                    .1,
            );
        }
        let after = zones.pop().unwrap_or_default();
        let before = zones.pop().unwrap_or_default();
        Ok(compare_zones(before, after))
    }

    /// How many drawings fall in each unit of a boundary layer (WGS84 polygons), their
    /// score and density per km², scored off the async threads.
    ///
    /// # Errors
    /// The store's.
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn units(&self, store: &dyn Store, units: Vec<Unit>) -> Result<ScoredUnits, Error> {
        // Units may be as small as a block: they place sensitive drawings at any resolution.
        let drawings = self.drawings(store, &self.selection, true).await?;
        Ok(tokio::task::spawn_blocking(move || ScoredUnits {
            scores: score_units(&drawings, &units),
            units,
            drawings: drawings.len(),
        })
        .await
        .expect("scoring units does not panic"))
    }

    /// The drawings of the project that `selection` names, weighted by the project's legend,
    /// sensitive ones masked when the request says so, and the counts retentions kept of
    /// purged workshops as drawings of their cells.
    /// The question `key` an analysis weighs by, and the symbols that ask it.
    ///
    /// # Errors
    /// `BadInput` when no symbol asks it as a whole number or a yes/no; `NotAllowed` when its
    /// answers are private (sensitive, asked on a sensitive answer) and the reader does not
    /// see all: the cells' scores would tell them.
    fn weighing(
        &self,
        legend: &[Symbol],
        key: &str,
    ) -> Result<(String, HashMap<String, AnswerKind>), Error> {
        let mut asking = HashMap::new();
        let mut private = false;
        for symbol in legend {
            let Some(question) = symbol.questions.iter().find(|q| q.key == key) else {
                continue;
            };
            if !matches!(
                question.kind,
                AnswerKind::Integer { .. } | AnswerKind::YesNo
            ) {
                return Err(Error::BadInput(format!(
                    "\"{key}\" is not answered with a number or yes/no, so it cannot weigh drawings"
                )));
            }
            private |= sensitive_keys(&symbol.questions).contains(key);
            asking.insert(symbol.key.clone(), question.kind.clone());
        }
        if asking.is_empty() {
            return Err(Error::BadInput(format!(
                "the legend asks no question \"{key}\" to weigh drawings by"
            )));
        }
        if private && self.reader.0.is_some_and(|p| !p.can_moderate()) {
            return Err(Error::not_allowed(
                "only analysts and admins weigh by a sensitive question's answers",
            ));
        }
        Ok((key.to_owned(), asking))
    }

    /// Whether this analysis's cells are finer than the project's mask: counted where they
    /// are, sensitive drawings would be placed more exactly than their mask places them.
    fn finer_than_the_mask(&self) -> bool {
        self.params.resolution > self.project.masking.sensitive_resolution
    }

    /// `places`: the answer places each drawing more exactly than the mask (cells finer than
    /// it, or units), so counting sensitive drawings where they are is an exact read of them.
    async fn drawings(
        &self,
        store: &dyn Store,
        selection: &Selection,
        places: bool,
    ) -> Result<Vec<Drawing>, Error> {
        let project = self.project;
        let legend = store.legend(project.id).await?;
        let symbols: HashMap<&str, (Arc<str>, f64, bool)> = legend
            .iter()
            .map(|s| {
                (
                    s.key.as_str(),
                    (
                        Arc::from(s.key.as_str()),
                        s.weight,
                        s.kind == SymbolKind::Risk,
                    ),
                )
            })
            .collect();
        let filter = FeatureFilter {
            workshops: selection.workshops.clone(),
            since: selection.since,
            until: selection.until,
            group: match selection.groups.as_deref() {
                Some([one]) => Some(*one),
                _ => None,
            },
            symbol: match selection.symbols.as_deref() {
                Some([one]) => Some(one.clone()),
                _ => None,
            },
            ..FeatureFilter::default()
        };
        let weigh = match &selection.weight_by {
            Some(key) => Some(self.weighing(&legend, key)?),
            None => None,
        };
        // Streamed and turned into drawings one by one: the stored form (GeoJSON text) of a
        // whole project is never held at once.
        let mut features = store.stream_outlines(project.id, &filter);
        let mut drawings = Vec::new();
        while let Some(feature) = features.next().await {
            let f = feature?;
            if matches!(f.review_state, ReviewState::Rejected | ReviewState::Merged)
                || selection
                    .groups
                    .as_ref()
                    .is_some_and(|gs| !f.group_id.is_some_and(|g| gs.contains(&g)))
                || selection
                    .symbols
                    .as_ref()
                    .is_some_and(|ss| !ss.contains(&f.symbol))
            {
                continue;
            }
            let (Some((symbol, weight, risk)), Some(geometry)) = (
                symbols.get(f.symbol.as_str()).cloned(),
                FeatureGeometry::parse_stored(&f.geometry),
            ) else {
                continue;
            };
            let weight = match &weigh {
                Some((key, asking)) => match asking.get(f.symbol.as_str()) {
                    Some(kind) => weight * answer_weight(kind, f.answers.get(key.as_str())),
                    None => weight,
                },
                None => weight,
            };
            drawings.push(Drawing {
                id: f.id,
                symbol,
                weight,
                risk,
                group: f.group_id,
                workshop: f.workshop_id,
                geometry,
            });
        }
        let sensitive: HashSet<&str> = legend
            .iter()
            .filter(|s| s.sensitive)
            .map(|s| s.key.as_str())
            .collect();
        if self.mask_sensitive.is_none() && places {
            let shown: Vec<Uuid> = drawings
                .iter()
                .filter(|d| sensitive.contains(&*d.symbol))
                .map(|d| d.id)
                .collect();
            let (principal, door) = self.reader;
            super::audit::exact_reads(store, principal, door, project.id, &shown).await?;
        }
        // Workshops whose retention kept only counts count as that many drawings the size of
        // their cell (`domain::retention::KeptCount`), each with an id of its own (UUID v8:
        // the cell, then a running number) that names no stored drawing.
        let by_count = FeatureFilter {
            symbol: None,
            ..filter.clone()
        };
        let mut number = 0_u64;
        for kept in store
            .kept_counts(project.id, selection.workshops.as_deref())
            .await?
        {
            let Some((symbol, weight, risk)) = symbols.get(kept.symbol.as_str()).cloned() else {
                continue;
            };
            if selection.groups.is_some()
                || !kept.selected_by(&by_count)
                || selection
                    .symbols
                    .as_ref()
                    .is_some_and(|ss| !ss.contains(&kept.symbol))
            {
                continue;
            }
            let outline = Geometry::Polygon(cell_outline(kept.cell));
            for _ in 0..kept.count {
                number += 1;
                let mut bytes = [0; 16];
                bytes[..8].copy_from_slice(&u64::from(kept.cell).to_be_bytes());
                bytes[8..].copy_from_slice(&number.to_be_bytes());
                drawings.push(Drawing {
                    id: uuid::Builder::from_custom_bytes(bytes).into_uuid(),
                    symbol: symbol.clone(),
                    weight,
                    risk,
                    group: None,
                    workshop: Some(kept.workshop),
                    geometry: outline.clone(),
                });
            }
        }
        if let Some(resolution) = self.mask_sensitive {
            // Fine cells of exact positions would tell what the mask hides.
            for drawing in &mut drawings {
                if sensitive.contains(&*drawing.symbol) {
                    drawing.geometry = sensitive_cell(
                        &drawing.geometry,
                        self.project.masking.sensitive_resolution,
                        resolution,
                    );
                }
            }
        }
        Ok(drawings)
    }
}

/// The units of a boundary layer and their scores, in the same order.
pub struct ScoredUnits {
    pub units: Vec<Unit>,
    pub scores: Vec<UnitScore>,
    /// How many drawings were scored.
    pub drawings: usize,
}

/// The project's area as the study area of Gi*, when it has one.
fn study_area(project: &Project) -> Option<MultiPolygon<f64>> {
    match project.area.as_ref()?.as_geo() {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

/// Sets its flag when dropped: with the future of the request that awaits an analysis (a
/// timeout, a client that left), so that the analysis on its blocking thread stops too.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Megabytes (MiB) every analysis running at once may take together: two of the largest
/// one may take. An analysis waits for its estimate to be free (and stops waiting with its
/// request), so that a crowd of analyses cannot add up past it.
const RUNNING_MEGABYTES: u32 = 2 * (MAX_ANALYSIS_BYTES / (1024 * 1024)) as u32;

/// The memory of the analyses running now, in megabytes.
static RUNNING: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(RUNNING_MEGABYTES as usize);

/// Runs the engine off the async threads (100,000 drawings take most of a second), after
/// checking that its estimated memory is within its bound and waiting until it is free, and
/// the zones of `rule` when given; it stops when the caller stops waiting for it.
async fn run(
    drawings: Vec<Drawing>,
    area: Option<MultiPolygon<f64>>,
    params: Params,
    rule: Option<Rule>,
) -> Result<(Analysis, Vec<Zone>), TooLarge> {
    let size = check_size(&drawings, area.as_ref(), params.resolution)?;
    let megabytes =
        u32::try_from(size.megabytes()).map_or(RUNNING_MEGABYTES, |mb| mb.min(RUNNING_MEGABYTES));
    let memory = RUNNING
        .acquire_many(megabytes)
        .await
        .expect("the analyses' semaphore is never closed");
    let count = drawings.len();
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel = CancelOnDrop(cancelled.clone());
    let done = tokio::task::spawn_blocking(move || {
        // Held by the work itself, which may outlive its request until it sees the flag.
        let _memory = memory;
        let analysis = analyse_unless(&drawings, area.as_ref(), params, &cancelled)?;
        let zones = match rule {
            Some(rule) => find_zones_unless(&analysis, rule, &cancelled)?,
            None => Vec::new(),
        };
        Some((analysis, zones))
    })
    .await
    .expect("the priority engine does not panic");
    // Cancelled only once this future is dropped, when nobody reads the answer any more.
    Ok(done.unwrap_or_else(|| {
        (
            Analysis {
                params,
                drawings: count,
                cells: Vec::new(),
            },
            Vec::new(),
        )
    }))
}

/// Parses a rule from its query words: `gi` (with `confidence`), `consensus` (with `k`) or
/// `top` (with `percent`).
pub fn parse_rule(
    name: Option<&str>,
    k: Option<usize>,
    confidence: Option<u8>,
    percent: Option<f64>,
) -> Result<Rule, String> {
    match name.unwrap_or("gi") {
        "gi" => match confidence.unwrap_or(95) {
            c @ (90 | 95 | 99) => Ok(Rule::HotSpots { confidence: c }),
            _ => Err("confidence must be 90, 95 or 99".into()),
        },
        "consensus" => match k.unwrap_or(2) {
            k @ 1..=1000 => Ok(Rule::Consensus { groups: k }),
            _ => Err("k must be between 1 and 1000 groups".into()),
        },
        "top" => match percent.unwrap_or(10.0) {
            p if p > 0.0 && p <= 100.0 => Ok(Rule::Top { percent: p }),
            _ => Err("percent must be more than 0 and at most 100".into()),
        },
        other => Err(format!(
            "unknown rule {other:?}: use gi (hot spots), consensus or top"
        )),
    }
}

/// What an answer multiplies a drawing's weight by: the number; 1 for yes, 0 for no; 1 when
/// unanswered, or answered in a shape the question (of `kind`) no longer has.
fn answer_weight(kind: &AnswerKind, answer: Option<&serde_json::Value>) -> f64 {
    match answer.filter(|a| fits(kind, a)) {
        Some(serde_json::Value::Bool(yes)) => f64::from(u8::from(*yes)),
        Some(serde_json::Value::Number(n)) => n.as_f64().unwrap_or(1.0),
        _ => 1.0,
    }
}

/// Resolutions the API offers: from about 5 km² (6) to about 2,000 m² (11) per cell.
pub fn parse_params(resolution: Option<u8>, ring: Option<u32>) -> Result<Params, String> {
    let resolution = match resolution.unwrap_or(9) {
        r @ 6..=11 => Resolution::try_from(r).map_err(|e| e.to_string())?,
        _ => return Err("resolution must be between 6 and 11 (H3; 9 is about 0.1 km²)".into()),
    };
    let ring @ 1..=5 = ring.unwrap_or(1) else {
        return Err("ring must be between 1 and 5".into());
    };
    Ok(Params { resolution, ring })
}

/// A project the caller may analyse, and the workshops their analysis may look at: what
/// every priority request is built from, so that no door can ask for more.
pub struct Analysable {
    pub project: Project,
    /// Who analyses (for the audit trail).
    principal: Principal,
    /// Every workshop (analysts, admins), or the facilitator's own.
    allowed: FeatureScope,
    /// The project's workshops still open.
    open: HashSet<Uuid>,
}

/// The project of `slug`, if the caller may analyse it.
///
/// # Errors
/// `NotAllowed` for researchers and participants, or a facilitator without workshops there;
/// as `projects::visible`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn analysable(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
) -> Result<Analysable, Error> {
    if !principal.can_analyse_priority() {
        return Err(Error::not_allowed(
            "priority areas are for analysts, admins and facilitators; researchers get \
             aggregated cells through an export",
        ));
    }
    let project = super::projects::visible(store, principal, slug).await?;
    let workshops = store.list_workshops(project.id).await?;
    let allowed = principal.feature_scope(project.id, || principal.runs(&workshops));
    allowed.narrow(None)?;
    let open = workshops
        .iter()
        .filter(|w| w.is_open())
        .map(|w| w.id)
        .collect();
    Ok(Analysable {
        project,
        principal: principal.clone(),
        allowed,
        open,
    })
}

impl Analysable {
    /// The analysis `selection` asks for, its workshops narrowed to those the caller may
    /// analyse (all of those when it names none), sensitive drawings counted exactly only
    /// where the caller may (see [`FeatureScope::analyses_sensitive_exactly`]).
    ///
    /// # Errors
    /// `NotAllowed` for workshops beyond the caller's.
    pub fn request(&self, mut selection: Selection, params: Params) -> Result<Request<'_>, Error> {
        let workshops = self.allowed.narrow(selection.workshops.take())?;
        let all_closed = workshops
            .as_ref()
            .is_some_and(|ids| ids.iter().all(|id| !self.open.contains(id)));
        let exact = self
            .allowed
            .analyses_sensitive_exactly(self.project.sensitive_exact, all_closed);
        selection.workshops = workshops;
        Ok(Request {
            project: &self.project,
            selection,
            params,
            mask_sensitive: (!exact).then_some(self.project.masking.sensitive_resolution),
            reader: (Some(&self.principal), Door::Api),
        })
    }

    /// Narrows two sets of workshops to the caller's, for a comparison.
    ///
    /// # Errors
    /// `NotAllowed` for workshops beyond the caller's.
    pub fn narrow(&self, workshops: Vec<Uuid>) -> Result<Vec<Uuid>, Error> {
        Ok(self.allowed.narrow(Some(workshops))?.unwrap_or_default())
    }

    /// The project's boundary layers.
    ///
    /// # Errors
    /// The store's.
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn layers(
        &self,
        store: &dyn Store,
    ) -> Result<Vec<crate::domain::boundary::BoundaryLayerSummary>, Error> {
        Ok(store.list_boundary_layers(self.project.id).await?)
    }

    /// A boundary layer of this project.
    ///
    /// # Errors
    /// `NotFound` for a layer of no project, or of another; the store's.
    #[instrument(skip_all, err(level = "debug"))]
    pub async fn layer(&self, store: &dyn Store, id: Uuid) -> Result<BoundaryLayer, Error> {
        store
            .find_boundary_layer(id)
            .await?
            .filter(|l| l.project_id == self.project.id)
            .ok_or_else(|| Error::not_found("boundary layer"))
    }
}

/// Uploads a boundary layer (barrios, census tracts) to the project of `slug`: analysts and
/// admins. `body` is a GeoJSON FeatureCollection of polygons, each named by `name_property`.
///
/// # Errors
/// `NotAllowed` for other roles; `Invalid` for a layer that does not validate; as
/// `projects::visible`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn upload_layer(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
    name: &str,
    name_property: &str,
    body: &serde_json::Value,
) -> Result<BoundaryLayer, Error> {
    let refused = || Error::not_allowed("only analysts and admins upload boundary layers");
    let permit = principal.moderation().ok_or_else(refused)?;
    let user = principal.user_id().ok_or_else(refused)?;
    let project = super::projects::visible(store, principal, slug).await?;
    let units = BoundaryLayer::parse(name, body, name_property)
        .map_err(|errors| Error::invalid("the boundary layer is not valid", errors))?;
    let layer = BoundaryLayer {
        id: Uuid::new_v4(),
        project_id: project.id,
        name: name.trim().to_owned(),
        units,
        created_by: Some(user),
        created_at: Utc::now(),
    };
    store.create_boundary_layer(&permit, &layer).await?;
    Ok(layer)
}

/// A boundary layer the caller may analyse with.
///
/// # Errors
/// `NotAllowed` for researchers and participants; `NotFound` for an unknown layer.
#[instrument(skip_all, err(level = "debug"))]
pub async fn readable_layer(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
) -> Result<BoundaryLayer, Error> {
    if !principal.can_analyse_priority() {
        return Err(Error::not_allowed(
            "boundary layers are for analysts, admins and facilitators",
        ));
    }
    store
        .find_boundary_layer(id)
        .await?
        .ok_or_else(|| Error::not_found("boundary layer"))
}

/// Deletes a boundary layer: analysts and admins.
///
/// # Errors
/// As [`readable_layer`]; `NotAllowed` for facilitators.
#[instrument(skip_all, err(level = "debug"))]
pub async fn delete_layer(store: &dyn Store, principal: &Principal, id: Uuid) -> Result<(), Error> {
    let layer = readable_layer(store, principal, id).await?;
    let permit = principal
        .moderation()
        .ok_or_else(|| Error::not_allowed("only analysts and admins delete boundary layers"))?;
    store.delete_boundary_layer(&permit, layer.id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_analysis_whose_request_is_dropped_is_told_to_stop() {
        // A future holding the guard, dropped before it ends, as a timeout drops a request's.
        let cancelled = Arc::new(AtomicBool::new(false));
        let waiting = {
            let cancelled = cancelled.clone();
            async move {
                let _cancel = CancelOnDrop(cancelled);
                std::future::pending::<()>().await;
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_millis(10), waiting).await;
        assert!(cancelled.load(Ordering::Relaxed));
    }
}
