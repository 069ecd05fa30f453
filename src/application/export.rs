//! Exports: what one asks for, read from the query string of `GET /api/projects/{slug}/export`
//! or the options of `trama export` (one reading and one check for both front doors), and the
//! layers of an export, which the format writers of `crate::export` write out.

use crate::domain::Refusal;
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::instrument;
use uuid::Uuid;

use std::sync::Arc;

use super::features::{id_list, query_time};
use super::priority;
use super::{Error, audit};
use crate::domain::access::Principal;
use crate::domain::audit::{Door, Kind};
use crate::domain::bbox::BBox;
use crate::domain::consent::Use;
use crate::domain::export::{
    EXPORTS_PER_HOUR, ExportLogEntry, Masking, Privacy, check_masked_filter,
};
use crate::domain::feature::FeatureFilter;
use crate::domain::priority::Params;
use crate::domain::priority::resolution;
use crate::domain::project::Project;
use crate::domain::workshop::Workshop;
use crate::export::{
    self, Content, Counter, ExportError, ExportRequest, Format, GeometryFamily, Layer,
};
use crate::media::Folder;
use crate::store::Store;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
/// An export's options, each optional: unset means the default said beside it.
pub struct ExportQuery {
    /// geojson, csv, gpkg, kml or fgb.
    pub format: Option<String>,
    /// full, anonymised (default) or aggregated.
    pub privacy: Option<String>,
    /// features (default), cells, zones or annotations.
    pub content: Option<String>,
    pub workshop: Option<String>,
    pub group: Option<String>,
    pub symbol: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub bbox: Option<String>,
    /// Donut geomasking distances in metres (anonymised).
    pub mask_min: Option<f64>,
    pub mask_max: Option<f64>,
    /// Smallest count shown (aggregated).
    pub k: Option<u32>,
    /// H3 resolution of aggregated counts and of masked sensitive features.
    pub resolution: Option<u8>,
    /// Language of the symbol labels (default: the project's).
    pub lang: Option<String>,
    /// Only drawings of one type, as its Multi type: points, lines or polygons.
    pub geometry: Option<String>,
    /// `zip`: the file and, beside it, the photos and voice notes of its drawings (full
    /// exports of drawings only).
    pub files: Option<String>,
}

impl ExportQuery {
    /// The request it describes, checked; masking not asked for is `defaults` (the project's).
    pub fn request(
        &self,
        default_locale: &str,
        defaults: Masking,
    ) -> Result<ExportRequest, Refusal> {
        let text = self.format.as_deref().unwrap_or("geojson");
        let format = Format::parse(text).ok_or_else(|| {
            Refusal::new(
                "export.option",
                format!("unknown format {text:?}: use geojson, csv, gpkg, kml or fgb"),
            )
        })?;
        let text = self.privacy.as_deref().unwrap_or("anonymised");
        let privacy = Privacy::parse(text).ok_or_else(|| {
            Refusal::new(
                "export.option",
                format!("unknown privacy level {text:?}: use full, anonymised or aggregated"),
            )
        })?;
        let text = self.content.as_deref().unwrap_or("features");
        let content = Content::parse(text).ok_or_else(|| {
            Refusal::new(
                "export.option",
                format!("unknown content {text:?}: use features, cells, zones or annotations"),
            )
        })?;
        if content == Content::Annotations && matches!(format, Format::Kml | Format::FlatGeobuf) {
            let reader = if format == Format::Kml {
                "KML"
            } else {
                "FlatGeobuf"
            };
            return Err(Refusal::new(
                "export.annotations_format",
                format!(
                    "annotations have no place of their own, and {reader} readers drop a row without one: \
                     take them as gpkg, geojson or csv"
                ),
            )
            .with("format", reader));
        }
        let with_files = match self.files.as_deref().map(str::trim) {
            None | Some("") => false,
            Some("zip") => true,
            Some(other) => {
                return Err(Refusal::new(
                    "export.option",
                    format!("unknown files {other:?}: use zip, or leave it out"),
                ));
            }
        };
        if with_files && (privacy != Privacy::Full || content != Content::Features) {
            return Err(Refusal::new(
                "export.files",
                "photos and voice notes go only in full exports of drawings (privacy=full, content=features): \
                 a photo shows a place as a title names it",
            ));
        }
        let cells = match self.resolution {
            None => defaults.aggregate_resolution,
            Some(r) => (5..=10)
                .contains(&r)
                .then(|| resolution(r))
                .flatten()
                .ok_or_else(|| {
                    Refusal::new("export.option", "resolution must be between 5 and 10 (H3)")
                })?,
        };
        let masking = Masking {
            min_m: self.mask_min.unwrap_or(defaults.min_m),
            max_m: self.mask_max.unwrap_or(defaults.max_m),
            sensitive_resolution: if self.resolution.is_some() {
                cells
            } else {
                defaults.sensitive_resolution
            },
            aggregate_resolution: cells,
            k: self.k.unwrap_or(defaults.k),
        };
        masking.validate()?;
        Ok(ExportRequest {
            content,
            format,
            privacy,
            masking,
            filter: FeatureFilter::default(),
            geometry: match self.geometry.as_deref().filter(|g| !g.trim().is_empty()) {
                None => None,
                Some(text) => Some(GeometryFamily::parse(text).ok_or_else(|| {
                    Refusal::new(
                        "export.option",
                        format!("unknown geometry {text:?}: use points, lines or polygons"),
                    )
                })?),
            },
            with_files,
            locale: self
                .lang
                .clone()
                .unwrap_or_else(|| default_locale.split('-').next().unwrap_or("es").to_owned()),
        })
    }

    /// The feature filter. Empty values (a form's untouched fields) mean no filter.
    pub fn filter(&self) -> Result<FeatureFilter, Error> {
        let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let one = |list: Option<Vec<Uuid>>, name: &str| match list.as_deref() {
            None => Ok(None),
            Some([one]) => Ok(Some(*one)),
            Some(_) => Err(Error::BadInput(format!("{name} takes one id"))),
        };
        Ok(FeatureFilter {
            bbox: given(&self.bbox)
                .as_deref()
                .map(BBox::parse)
                .transpose()
                .map_err(|e| Error::BadInput(e.detail))?,
            workshops: id_list(&self.workshop, "workshop")?,
            group: one(id_list(&self.group, "group")?, "group")?,
            symbol: given(&self.symbol),
            since: query_time(given(&self.since).as_deref(), "since", false)?,
            until: query_time(given(&self.until).as_deref(), "until", true)?,
            ..FeatureFilter::default()
        })
    }

    /// What the export log keeps of the request.
    pub fn parameters(&self, request: &ExportRequest) -> Value {
        json!({
            "workshop": self.workshop, "group": self.group, "symbol": self.symbol,
            "since": self.since, "until": self.until, "bbox": self.bbox,
            "mask_min_m": request.masking.min_m, "mask_max_m": request.masking.max_m,
            "k": request.masking.k,
            "resolution": u8::from(request.masking.aggregate_resolution),
            "files": request.with_files.then_some("zip"),
        })
    }
}

/// An export ready to be written: its layers (streaming their rows), its metadata, and the
/// file it makes.
pub struct Export {
    pub layers: Vec<Layer>,
    pub meta: Value,
    pub format: Format,
    /// `lomas-de-zamora-features-anonymised-2026-09-12.gpkg`.
    pub file_name: String,
    /// Rows written so far (the console reports it when done).
    pub count: Arc<Counter>,
    /// A full GeoPackage's photos and voice notes (`export::AttachedFiles`), or those of a
    /// full export with its files beside it.
    pub attached: Option<export::AttachedFiles>,
    /// Written as a ZIP with `attached`'s files beside the data file (named `data_name`).
    pub with_files: bool,
    pub data_name: String,
}

/// Takes an export for `principal`: the level must be one their role may take; who may not
/// see the truth may ask no finer masking than the project's and no filter on what the level
/// masks (`check_masked_filter`); each user takes at most `EXPORTS_PER_HOUR` an hour; the
/// workshops are narrowed to the caller's; and the export is recorded in the project's log
/// before its rows are read.
///
/// # Errors
/// `BadInput` for options that do not read or a filter the level refuses; `NotAllowed` for a
/// level or workshops beyond the caller's; `RateLimited` past the hourly exports; the store's;
/// `TooLarge` for priority cells over the analysis bound.
#[instrument(skip_all, err(level = "debug"))]
pub async fn take(
    store: Arc<dyn Store>,
    folder: &Arc<Folder>,
    principal: &Principal,
    project: &Project,
    query: &ExportQuery,
) -> Result<Export, Error> {
    let mut request = query.request(&project.default_locale, project.masking)?;
    if !principal.may_export(request.privacy) {
        return Err(Error::NotAllowed(match principal.role() {
            Some(_) => format!(
                "your role may not take {} exports; anonymised and aggregated ones are open to researchers",
                request.privacy.as_str()
            ),
            None => "participants do not export".to_owned(),
        }));
    }
    request.filter = query.filter()?;
    // A rate per user, so that nobody sweeps through parameters unnoticed.
    if let Some(user) = principal.user_id() {
        let taken = store
            .count_exports_by(user, chrono::Utc::now() - chrono::Duration::hours(1))
            .await?;
        if taken >= EXPORTS_PER_HOUR {
            return Err(Error::RateLimited {
                what: format!("each user may take {EXPORTS_PER_HOUR} exports an hour"),
                retry_after_secs: 3600,
            });
        }
    }
    // Who may not see the truth may not ask for finer masking than the project's, nor filter
    // on what the level masks; analysts and admins, who may take it all, may.
    if !principal.may_export(Privacy::Full) {
        request.masking.check_not_finer_than(&project.masking)?;
        check_masked_filter(
            request.privacy,
            request.content == Content::Cells,
            &request.filter,
        )?;
    }
    finish(store, folder, Some(principal), project, request, query).await
}

/// The console's export (`trama export`): the machine's operator may take every level and
/// filter; the rest is as [`take`] (research exports leave out what no consent covers, the
/// export is logged and recorded in the audit trail, as the console's).
///
/// # Errors
/// `BadInput` for options that do not read; the store's; `TooLarge` for priority cells over
/// the analysis bound.
#[instrument(skip_all, err(level = "debug"))]
pub async fn take_at_console(
    store: Arc<dyn Store>,
    folder: &Arc<Folder>,
    project: &Project,
    query: &ExportQuery,
) -> Result<Export, Error> {
    let mut request = query.request(&project.default_locale, project.masking)?;
    request.filter = query.filter()?;
    finish(store, folder, None, project, request, query).await
}

/// An admitted export's end, for a caller (`principal`) or the console (None): narrowed to
/// the caller's workshops and to what the legal bases cover, logged, recorded in the audit
/// trail (with the sensitive drawings a full export shows exactly) before a row is read.
async fn finish(
    store: Arc<dyn Store>,
    folder: &Arc<Folder>,
    principal: Option<&Principal>,
    project: &Project,
    mut request: ExportRequest,
    query: &ExportQuery,
) -> Result<Export, Error> {
    let workshops = store.list_workshops(project.id).await?;
    if let Some(principal) = principal {
        request.filter.workshops = principal
            .export_scope(&workshops)
            .narrow(request.filter.workshops.take())?;
    }
    let left_out = leave_out_uncovered(&mut request, &workshops);
    let (user_id, actor) = match principal {
        Some(Principal::User { id, username, .. }) => (Some(*id), username.clone()),
        Some(Principal::Participant { .. }) => (None, "participant".to_owned()),
        None => (None, "cli".to_owned()),
    };
    let door = if principal.is_some() {
        Door::Export
    } else {
        Door::Cli
    };
    let count = Arc::<Counter>::default();
    let (layers, mut meta) = layers(
        store.clone(),
        project,
        &request,
        (principal, door),
        count.clone(),
    )
    .await?;
    if let (Some(left_out), Some(meta)) = (left_out, meta.as_object_mut()) {
        meta.insert("legal_basis".into(), left_out);
    }
    if let (Some(kept), Some(meta)) = (
        kept_counts_note(store.as_ref(), project, &request).await?,
        meta.as_object_mut(),
    ) {
        meta.insert("kept_counts".into(), kept);
    }
    store
        .record_export(&ExportLogEntry::now(
            project.id,
            user_id,
            actor,
            request.content.as_str(),
            request.format.extension(),
            request.privacy,
            query.parameters(&request),
        ))
        .await?;
    audit::record(
        &*store,
        Kind::Export,
        audit::by(principal, door)
            .project(project.id)
            .word("content", request.content.as_str())
            .word("format", request.format.extension())
            .word("privacy", request.privacy.as_str()),
    )
    .await?;
    if request.privacy == Privacy::Full
        && matches!(request.content, Content::Features | Content::Annotations)
    {
        let shown = sensitive_drawings(&*store, project.id, &request.filter).await?;
        audit::exact_reads(&*store, principal, door, project.id, &shown).await?;
    }
    // A full GeoPackage of drawings carries their photos and voice notes, and so does a full
    // export with its files beside it (never an anonymised or aggregated one: a photo shows a
    // place as a title names it).
    let attached = (request.privacy == Privacy::Full
        && request.content == Content::Features
        && (request.format == Format::GeoPackage || request.with_files))
        .then(|| super::attachments::files_of(&*store, folder, project.id));
    let attached = match attached {
        Some(files) => Some(files.await?),
        None => None,
    };
    Ok(Export {
        layers,
        meta,
        format: request.format,
        file_name: request.download_name(project),
        count,
        attached,
        with_files: request.with_files,
        data_name: request.file_name(project),
    })
}

/// The ids of the sensitive drawings `filter` selects: what a full export shows exactly.
async fn sensitive_drawings(
    store: &dyn Store,
    project: Uuid,
    filter: &FeatureFilter,
) -> Result<Vec<Uuid>, Error> {
    let mut ids = Vec::new();
    for symbol in store
        .legend(project)
        .await?
        .into_iter()
        .filter(|s| s.sensitive)
    {
        if filter
            .symbol
            .as_ref()
            .is_some_and(|asked| *asked != symbol.key)
        {
            continue;
        }
        let only = FeatureFilter {
            symbol: Some(symbol.key),
            limit: None,
            after: None,
            ..filter.clone()
        };
        let mut drawings = store.stream_features(project, &only);
        while let Some(drawing) = futures::StreamExt::next(&mut drawings).await {
            ids.push(drawing?.id);
        }
    }
    Ok(ids)
}

/// Narrows an anonymised or aggregated export (research) to the workshops whose legal basis
/// covers research (`domain::consent::Use::Research`), and says which were left out and why,
/// for the export's metadata; a full export (the commission's own analysis, which every basis
/// covers) is left as it is. Drawings of no workshop are left out of research exports too:
/// no consent covers them.
fn leave_out_uncovered(request: &mut ExportRequest, workshops: &[Workshop]) -> Option<Value> {
    if request.privacy == Privacy::Full {
        return None;
    }
    let asked = request.filter.workshops.take();
    let in_scope = |w: &&Workshop| asked.as_ref().is_none_or(|ids| ids.contains(&w.id));
    let (covered, uncovered): (Vec<&Workshop>, Vec<&Workshop>) =
        workshops.iter().filter(in_scope).partition(|w| {
            w.legal_basis
                .as_ref()
                .is_some_and(|b| b.covers(Use::Research))
        });
    request.filter.workshops = Some(covered.iter().map(|w| w.id).collect());
    let left_out: Vec<Value> = uncovered
        .iter()
        .map(|w| {
            json!({
                "workshop": w.id,
                "reason": if w.legal_basis.is_some() {
                    "its legal basis does not cover research"
                } else {
                    "it has no legal basis"
                },
            })
        })
        .collect();
    Some(json!({
        "use": "research",
        "left_out_workshops": left_out,
        "drawings_of_no_workshop": "left out: no consent covers them",
    }))
}

/// What the export's metadata says of the workshops in its selection whose retention purged
/// the drawings and kept their counts (`domain::retention::AfterRetention::KeepCounts`):
/// which, and whether this export counts them (aggregated features and priority cells do;
/// drawings, zones and comments cannot). None when there are none.
async fn kept_counts_note(
    store: &dyn Store,
    project: &Project,
    request: &ExportRequest,
) -> Result<Option<Value>, Error> {
    let kept = store
        .kept_counts(project.id, request.filter.workshops.as_deref())
        .await?;
    let mut workshops: Vec<Uuid> = kept.iter().map(|k| k.workshop).collect();
    workshops.dedup();
    if workshops.is_empty() {
        return Ok(None);
    }
    let counted = kept.iter().any(|k| k.selected_by(&request.filter))
        && matches!(
            (request.content, request.privacy),
            (Content::Features, Privacy::Aggregated) | (Content::Cells, _)
        );
    Ok(Some(json!({
        "workshops": workshops,
        "counted_here": counted,
        "note": if counted {
            "these workshops' drawings were purged when their retention ended; the counts \
             kept of them (per cell and symbol, small counts suppressed) are counted here"
        } else {
            "these workshops' drawings were purged when their retention ended; only their \
             counts were kept, which aggregated exports and priority cells count"
        },
    })))
}

/// The project's export log (analysts and admins): every export taken, and who took
/// unusually many in an hour (`unusual_exporters`).
///
/// # Errors
/// `NotAllowed` for other roles; as `projects::visible`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn log(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
) -> Result<(Vec<ExportLogEntry>, Vec<Value>), Error> {
    let permit = principal
        .moderation()
        .ok_or_else(|| Error::not_allowed("the export log is for analysts and admins"))?;
    let project = super::projects::visible(store, principal, slug).await?;
    let exports = store.list_exports(&permit, project.id).await?;
    let unusual = crate::domain::export::unusual_exporters(&exports);
    Ok((exports, unusual))
}

/// The layers of an export, and its metadata; `count` counts the rows as they stream. Priority
/// cells are analysed here (`application::priority`), the engine writing the layer of them;
/// `reader` takes the export (cells that show sensitive places are recorded as read by it).
///
/// # Errors
/// The store's; `TooLarge` for cells over the analysis bound; `BadInput` for a content the
/// level or format does not offer.
#[instrument(skip_all, err(level = "debug"))]
pub async fn layers(
    store: Arc<dyn Store>,
    project: &Project,
    request: &ExportRequest,
    reader: (Option<&Principal>, Door),
    count: Arc<Counter>,
) -> Result<(Vec<Layer>, Value), Error> {
    let meta = export::metadata_of(request);
    let mut layers = match request.content {
        Content::Features => {
            // A GeoPackage's tables have one type each (see `family`); a privacy level's
            // counts are cells, polygons all.
            let families = match (request.geometry, request.format, request.privacy) {
                (_, _, Privacy::Aggregated) => vec![None],
                (Some(family), _, _) => vec![Some(family)],
                (None, Format::GeoPackage, _) => GeometryFamily::ALL.map(Some).to_vec(),
                (None, _, _) => vec![None],
            };
            // One pass over the store per table: rows stream into each in turn, so memory
            // stays flat, at the cost of reading the selection once per geometry type.
            let mut layers = Vec::with_capacity(families.len() + 1);
            for family in families {
                layers.push(
                    export::layers::feature_layer(store.clone(), project, request, family).await?,
                );
            }
            // Anonymised and aggregated exports number the workshops and their tables: the
            // key says what each number is, without the titles and names it replaces.
            if request.format == Format::GeoPackage && request.privacy != Privacy::Full {
                layers.push(export::layers::workshop_key_layer(store.as_ref(), project).await?);
            }
            layers
        }
        Content::Zones => vec![export::layers::zone_layer(store.as_ref(), project, request).await?],
        Content::Cells => {
            export::layers::check_cells(request)?;
            let analysis = priority::Request {
                project,
                selection: priority::Selection {
                    workshops: request.filter.workshops.clone(),
                    groups: request.filter.group.map(|g| vec![g]),
                    symbols: request.filter.symbol.clone().map(|s| vec![s]),
                    since: request.filter.since,
                    until: request.filter.until,
                    // Researchers' cells are weighted by the legend alone.
                    weight_by: None,
                },
                params: Params {
                    resolution: request.masking.aggregate_resolution,
                    ring: 1,
                },
                // Cells count drawings at the aggregate resolution (small counts suppressed
                // at the aggregated level); sensitive ones no more finely than their mask.
                mask_sensitive: request.masking.masks_sensitive_counts(request.privacy),
                reader,
            }
            .cells(store.as_ref())
            .await?;
            vec![export::layers::cell_layer(analysis, request)?]
        }
        Content::Annotations => {
            vec![export::layers::annotation_layer(store.as_ref(), project, request).await?]
        }
    };
    // A full GeoPackage carries the annotations and the saved priority zones beside the
    // features.
    if request.format == Format::GeoPackage
        && request.privacy == Privacy::Full
        && request.content == Content::Features
    {
        layers.push(export::layers::annotation_layer(store.as_ref(), project, request).await?);
        layers.push(export::layers::zone_layer(store.as_ref(), project, request).await?);
    }
    export::counted(&mut layers, &count);
    Ok((layers, meta))
}

impl From<ExportError> for Error {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::Store(store) => Error::Store(store),
            ExportError::Refused(words) => Error::NotAllowed(words),
            other => Error::Failed(other.to_string()),
        }
    }
}
