//! Printed maps (issue 29): a workshop's or a project's area as a PDF of sheets, rendered as a
//! background job (`jobs`) into the data folder's `prints/`, with a record of what it is
//! beside it (`{id}.json`: the project, the workshop, the layout) that a photo of a sheet is
//! matched against when it comes back.
//!
//! What a print shows follows the public screen's sight: drawings a projector would show
//! (a sensitive one as its masking cell, none of its words; hidden ones not at all), the
//! legend in the print's language, the join code of an open workshop. Who prints: analysts
//! and admins, and the facilitator of the workshop printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::instrument;
use uuid::Uuid;

use super::Error;
use super::jobs::{Job, Jobs};
use crate::basemap::{Basemap, Tile};
use crate::domain::Refusal;
use crate::domain::access::Principal;
use crate::domain::bbox::BBox;
use crate::domain::feature::{FeatureFilter, Sight};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::paper::{self, Layout, Orientation, PaperSize, PrintRequest, bands};
use crate::domain::project::Project;
use crate::domain::workshop::Workshop;
use crate::domain::zone::ZoneStatus;
use crate::print::{self, Drawing, Key, Print, Words};
use crate::store::Store;

/// The kind of the print jobs.
pub const RENDER: &str = "print";
/// Most drawings one print shows (a bound on memory and time; a print of more says so).
pub const MAX_DRAWINGS: usize = 20_000;

/// A print's options, as the API's JSON body and `trama print` give them; unset means the
/// default beside it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintOptions {
    /// A workshop of the project: its title and join code on the sheets, its drawings.
    pub workshop: Option<Uuid>,
    /// `minLon,minLat,maxLon,maxLat`; default: the project's area.
    pub bbox: Option<String>,
    /// A4 (default) to A0.
    pub paper: Option<String>,
    /// landscape (default) or portrait.
    pub orientation: Option<String>,
    /// The scale's denominator; default: the roundest that fits.
    pub scale: Option<f64>,
    /// Sheets across and down (default 1 × 1).
    pub columns: Option<u32>,
    pub rows: Option<u32>,
    /// Millimetres neighbouring sheets share (default 15).
    pub overlap_mm: Option<f64>,
    /// A lined half for notes under each map (default: none).
    pub notes: Option<bool>,
    /// The drawings already made, as a public screen sees them (default: yes).
    pub drawings: Option<bool>,
    /// The id of one of the project's raster basemaps (default: its first raster one).
    pub basemap: Option<String>,
    /// The language of the sheets' words (default: the project's).
    pub lang: Option<String>,
    /// A result for the community (a *devolución*): counts in the legend, the confirmed
    /// priority zones, `text`; no marks to bring it back (analysts and admins).
    pub result: Option<bool>,
    /// A result's short text (at most 2,000 characters).
    pub text: Option<String>,
    /// A result's sensitive drawings: `masked` (default: as their cells) or `omitted`.
    pub sensitive: Option<String>,
}

/// Longest text a result prints.
pub const MAX_RESULT_TEXT: usize = 2_000;

/// What is kept beside a print's PDF: enough to check who may have it and to place a photo
/// of one of its sheets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrintRecord {
    pub id: Uuid,
    pub project_id: Uuid,
    pub workshop_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: Option<String>,
    pub paper: String,
    pub scale: f64,
    pub sheets: Vec<paper::Sheet>,
    pub page_mm: (f64, f64),
    /// The PDF's name for a download (`lomas-taller-2x2-A3.pdf`).
    pub file_name: String,
    /// A result for the community (analysts' and admins' only, even of a workshop).
    #[serde(default)]
    pub result: bool,
}

/// A print ready to render: what it shows and the basemap under it.
pub struct Prepared {
    pub print: Print,
    pub basemap: Option<Arc<Basemap>>,
    pub record: PrintRecord,
}

/// The words of a print in its language, for a plan: what the door reads from the catalogues
/// (the application reads none) once the scale and the sheets are known.
pub type WordsFor<'a> = &'a (dyn Fn(&str, &Layout, Option<&Workshop>) -> Words + Sync);

/// The request a print's options make over `area`.
fn request(
    options: &PrintOptions,
    area: BBox,
    legend_entries: usize,
) -> Result<PrintRequest, Error> {
    let bad = |detail: String| Error::Refused(Refusal::new("print.option", detail));
    let paper = match options.paper.as_deref() {
        None => PaperSize::A4,
        Some(text) => PaperSize::parse(text)
            .ok_or_else(|| bad(format!("unknown paper {text:?}: use A4, A3, A2, A1 or A0")))?,
    };
    let orientation = match options.orientation.as_deref() {
        None => Orientation::Landscape,
        Some(text) => Orientation::parse(text).ok_or_else(|| {
            bad(format!(
                "unknown orientation {text:?}: use portrait or landscape"
            ))
        })?,
    };
    let (short, long) = paper.millimetres();
    let page_width = match orientation {
        Orientation::Portrait => short,
        Orientation::Landscape => long,
    };
    Ok(PrintRequest {
        area,
        paper,
        orientation,
        scale: options.scale,
        columns: options.columns.unwrap_or(1),
        rows: options.rows.unwrap_or(1),
        overlap_mm: options.overlap_mm.unwrap_or(bands::OVERLAP),
        notes: options.notes.unwrap_or(false),
        legend_mm: print::legend_mm(legend_entries, page_width),
    })
}

/// Plans a print of `project` for `principal` and gathers what it shows.
///
/// # Errors
/// `NotAllowed` for whoever neither moderates nor runs the workshop; `NotFound` for a
/// workshop of another project or a basemap the project does not have; `Refused`
/// (`print.option`) for options that do not fit; `BadInput` for a project without an area and
/// no `bbox`; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn prepare(
    store: &dyn Store,
    basemaps: &[Arc<Basemap>],
    principal: Option<&Principal>,
    project: &Project,
    options: &PrintOptions,
    words: WordsFor<'_>,
    join_origin: Option<&str>,
) -> Result<Prepared, Error> {
    let workshop = match options.workshop {
        None => None,
        Some(id) => Some(
            store
                .find_workshop(id)
                .await?
                .filter(|w| w.project_id == project.id)
                .ok_or_else(|| Error::NotFound("no such workshop in this project".into()))?,
        ),
    };
    let result = options.result.unwrap_or(false);
    let text = options.text.clone().unwrap_or_default();
    if text.chars().count() > MAX_RESULT_TEXT {
        return Err(Error::Refused(Refusal::new(
            "print.option",
            format!("a result's text is at most {MAX_RESULT_TEXT} characters"),
        )));
    }
    let omitted = match options.sensitive.as_deref() {
        None | Some("masked") => false,
        Some("omitted") => true,
        Some(other) => {
            return Err(Error::Refused(Refusal::new(
                "print.option",
                format!("unknown sensitive {other:?}: use masked or omitted"),
            )));
        }
    };
    if let Some(principal) = principal {
        let allowed = match &workshop {
            // A result shows the analysts' zones: theirs to print.
            _ if result => principal.can_moderate(),
            Some(workshop) => principal.can_manage_workshop(workshop),
            None => principal.can_moderate(),
        };
        if !allowed {
            return Err(Error::not_allowed(
                "prints are made by analysts, admins and the workshop's facilitator",
            ));
        }
    }
    let legend = store.legend(project.id).await?;
    // The symbols whose drawings the print may show: all, or all but the sensitive ones
    // when a result leaves them off (then they neither frame the area nor count).
    let shown_legend: Vec<crate::domain::legend::Symbol> = legend
        .iter()
        .map(|symbol| {
            let mut symbol = symbol.clone();
            if omitted && symbol.sensitive {
                symbol.key = String::new();
            }
            symbol
        })
        .collect();
    let area = match options.bbox.as_deref().filter(|b| !b.trim().is_empty()) {
        Some(text) => BBox::parse(text).map_err(|e| Error::BadInput(e.detail))?,
        None => match project.area.as_ref() {
            Some(area) => area.bbox(),
            None => drawn_extent(store, project, workshop.as_ref(), &shown_legend).await?.ok_or_else(|| {
                Error::BadInput(
                    "the project has no area and nothing is drawn yet: say which area to print (bbox)".into(),
                )
            })?,
        },
    };
    let locale = options.lang.clone().unwrap_or_else(|| {
        project
            .default_locale
            .split('-')
            .next()
            .unwrap_or("es")
            .to_owned()
    });
    let with_drawings = options.drawings.unwrap_or(true);
    let zones: Vec<(String, geo::Geometry<f64>)> = if result {
        store
            .list_priority_zones(project.id)
            .await?
            .into_iter()
            .filter(|z| {
                matches!(
                    z.status,
                    ZoneStatus::Confirmed | ZoneStatus::InterventionPlanned
                )
            })
            .filter_map(|z| {
                let geometry = FeatureGeometry::parse_stored(&z.geometry)?;
                // A zone drawn round one sensitive place would show it: where the project has
                // sensitive symbols, a zone is printed as the masking cells it touches.
                let geometry = if legend.iter().any(|s| s.sensitive) {
                    as_masking_cells(&geometry, project.masking.sensitive_resolution)?
                } else {
                    geometry
                };
                Some((z.name, geometry))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut asked = request(options, area, legend.len() + 2)?;
    let mut zones = zones;
    if result {
        asked.notes = !text.trim().is_empty() || !zones.is_empty();
    }
    let layout = paper::plan(&asked)?;
    // Only the zones on the sheets: a print of one corner of the project lists its own.
    let [west, south, east, north] = layout.ground;
    let ground = BBox {
        min_x: west,
        min_y: south,
        max_x: east,
        max_y: north,
    };
    zones.retain(|(_, geometry)| bounds(geometry).is_some_and(|b| b.intersects(&ground)));
    let basemap = match &options.basemap {
        Some(id) => Some(
            basemaps
                .iter()
                .find(|b| &b.id == id)
                .cloned()
                .ok_or_else(|| Error::NotFound(format!("the project has no basemap {id:?}")))?,
        ),
        None => basemaps
            .iter()
            .find(|b| !b.description.format.is_vector())
            .cloned(),
    };
    let mut keys = Vec::new();
    for symbol in &legend {
        // An uploaded pictogram, else a shipped one of that name (as `/pictograms/` serves).
        let pictogram = match symbol.icon.as_deref() {
            Some(name) => match super::pictograms::svg(store, name).await? {
                Some(svg) => Some(svg),
                None => crate::domain::pictogram::shipped(name).map(str::to_owned),
            },
            None => None,
        };
        keys.push(Key {
            label: symbol.label(&locale).to_owned(),
            color: symbol.color.clone(),
            pictogram,
            count: None,
        });
    }
    let drawings = if with_drawings {
        public_drawings(store, project, workshop.as_ref(), &layout, &shown_legend).await?
    } else {
        Vec::new()
    };
    if result {
        for (i, key) in keys.iter_mut().enumerate() {
            key.count = Some(drawings.iter().filter(|d| d.key == i).count() as u64);
        }
    }
    let id = Uuid::new_v4();
    let layout_notes = asked.notes;
    let join = workshop
        .as_ref()
        .filter(|w| w.is_open() && !result)
        .map(|w| {
            let code = w.join_code.as_str();
            (
                code.to_owned(),
                join_origin.map(|origin| format!("{origin}/j/{code}")),
            )
        });
    let file_name = format!(
        "{}{}-{}x{}-{}.pdf",
        project.slug,
        workshop
            .as_ref()
            .map(|w| format!("-{}", slug(&w.title)))
            .unwrap_or_default(),
        layout.columns,
        layout.rows,
        layout_paper(options),
    );
    let record = PrintRecord {
        id,
        project_id: project.id,
        workshop_id: workshop.as_ref().map(|w| w.id),
        created_at: chrono::Utc::now(),
        created_by: principal.and_then(Principal::username).map(str::to_owned),
        paper: layout_paper(options),
        scale: layout.scale,
        sheets: layout.sheets.clone(),
        page_mm: layout.page_mm,
        file_name,
        result,
    };
    let mut words = words(&locale, &layout, workshop.as_ref());
    words.attribution = basemap
        .as_ref()
        .and_then(|b| b.description.attribution.clone())
        .unwrap_or_default();
    Ok(Prepared {
        print: Print {
            id,
            words,
            layout,
            legend: keys,
            drawings,
            join,
            notes: layout_notes,
            result: result.then_some(print::Outcome { zones, text }),
        },
        basemap,
        record,
    })
}

fn layout_paper(options: &PrintOptions) -> String {
    options
        .paper
        .as_deref()
        .and_then(PaperSize::parse)
        .unwrap_or(PaperSize::A4)
        .as_str()
        .to_owned()
}

/// A title as a file name's part: lowercase ASCII letters and digits, dashes between.
fn slug(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let plain: String = text
        .nfd()
        .filter(char::is_ascii)
        .collect::<String>()
        .to_ascii_lowercase();
    plain
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-")
}

/// Where the workshop's (or the project's) drawings are, a tenth wider each way: the area of
/// a print of a project without one. None when nothing is drawn.
async fn drawn_extent(
    store: &dyn Store,
    project: &Project,
    workshop: Option<&Workshop>,
    legend: &[crate::domain::legend::Symbol],
) -> Result<Option<BBox>, Error> {
    // As a public screen shows them: a sensitive drawing's cell, never its place (a print
    // centred on one point would say where it is).
    let filter = FeatureFilter {
        workshops: workshop.map(|w| vec![w.id]),
        limit: Some(MAX_DRAWINGS),
        ..FeatureFilter::default()
    };
    let mut features = store.stream_features(project.id, &filter);
    let mut extent: Option<BBox> = None;
    let resolution = project.masking.sensitive_resolution;
    while let Some(feature) = features.next().await {
        let feature = feature?;
        let Some(symbol) = legend.iter().find(|s| s.key == feature.symbol) else {
            continue;
        };
        let Some(geometry) = FeatureGeometry::parse_stored(&feature.geometry) else {
            continue;
        };
        let (geometry, _) = shown(geometry, symbol.sensitive, resolution);
        let Some(rect) = geo::BoundingRect::bounding_rect(&geometry) else {
            continue;
        };
        let grown = extent.get_or_insert(BBox {
            min_x: rect.min().x,
            min_y: rect.min().y,
            max_x: rect.max().x,
            max_y: rect.max().y,
        });
        grown.min_x = grown.min_x.min(rect.min().x);
        grown.min_y = grown.min_y.min(rect.min().y);
        grown.max_x = grown.max_x.max(rect.max().x);
        grown.max_y = grown.max_y.max(rect.max().y);
    }
    Ok(extent.map(|b| {
        // At least about 200 m across, so that one point prints as its street.
        let pad_x = ((b.max_x - b.min_x) * 0.1).max(0.001);
        let pad_y = ((b.max_y - b.min_y) * 0.1).max(0.001);
        BBox {
            min_x: b.min_x - pad_x,
            min_y: b.min_y - pad_y,
            max_x: b.max_x + pad_x,
            max_y: b.max_y + pad_y,
        }
    }))
}

/// A zone as the masking cells (of `resolution`) it touches, outlined each; None for a zone
/// that does not tile or would take more than 10,000 cells.
fn as_masking_cells(
    zone: &geo::Geometry<f64>,
    resolution: h3o::Resolution,
) -> Option<geo::Geometry<f64>> {
    use h3o::geom::{ContainmentMode, TilerBuilder};
    let polygons: Vec<geo::Polygon<f64>> = match zone {
        geo::Geometry::Polygon(p) => vec![p.clone()],
        geo::Geometry::MultiPolygon(m) => m.0.clone(),
        _ => return None,
    };
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::IntersectsBoundary)
        .build();
    for polygon in polygons {
        tiler.add(polygon).ok()?;
    }
    let cells: Vec<h3o::CellIndex> = tiler.into_coverage().take(10_001).collect();
    if cells.is_empty() || cells.len() > 10_000 {
        return None;
    }
    Some(geo::Geometry::MultiPolygon(geo::MultiPolygon::new(
        cells
            .into_iter()
            .map(crate::domain::priority::cell_outline)
            .collect(),
    )))
}

/// A drawing as a public screen shows it: a sensitive one as its masking cell (true).
fn shown(
    geometry: geo::Geometry<f64>,
    sensitive: bool,
    resolution: h3o::Resolution,
) -> (geo::Geometry<f64>, bool) {
    match Sight::public(sensitive, resolution) {
        Sight::Masked(resolution) => (
            crate::domain::export::sensitive_cell(&geometry, resolution, resolution),
            true,
        ),
        _ => (geometry, false),
    }
}

fn bounds(geometry: &geo::Geometry<f64>) -> Option<BBox> {
    geo::BoundingRect::bounding_rect(geometry).map(|r| BBox {
        min_x: r.min().x,
        min_y: r.min().y,
        max_x: r.max().x,
        max_y: r.max().y,
    })
}

/// The drawings over the layout's ground as a public screen sees them.
async fn public_drawings(
    store: &dyn Store,
    project: &Project,
    workshop: Option<&Workshop>,
    layout: &Layout,
    legend: &[crate::domain::legend::Symbol],
) -> Result<Vec<Drawing>, Error> {
    let [west, south, east, north] = layout.ground;
    let ground = BBox {
        min_x: west,
        min_y: south,
        max_x: east,
        max_y: north,
    };
    let resolution = project.masking.sensitive_resolution;
    // A sheet must not tell where a masked drawing is: the store, which knows exact extents
    // only, is asked a box grown by a cell's width, and a drawing is printed when what is
    // shown of it (its cell) meets the sheets, as the API's box answers do.
    let pad = super::features::cell_span_degrees(resolution, (south + north) / 2.0);
    let filter = FeatureFilter {
        bbox: Some(BBox {
            min_x: (west - pad).max(-180.0),
            min_y: (south - pad).max(-90.0),
            max_x: (east + pad).min(180.0),
            max_y: (north + pad).min(90.0),
        }),
        workshops: workshop.map(|w| vec![w.id]),
        limit: Some(MAX_DRAWINGS + 1),
        ..FeatureFilter::default()
    };
    let mut features = store.stream_features(project.id, &filter);
    let mut drawings = Vec::new();
    while let Some(feature) = features.next().await {
        let feature = feature?;
        let Some(key) = legend.iter().position(|s| s.key == feature.symbol) else {
            continue;
        };
        let Some(geometry) = FeatureGeometry::parse_stored(&feature.geometry) else {
            continue;
        };
        let (geometry, masked) = shown(geometry, legend[key].sensitive, resolution);
        if !bounds(&geometry).is_some_and(|b| b.intersects(&ground)) {
            continue;
        }
        if drawings.len() == MAX_DRAWINGS {
            return Err(Error::Refused(Refusal::new(
                "print.option",
                format!(
                    "more than {MAX_DRAWINGS} drawings fall on this print: print a smaller area, one workshop, or without the drawings"
                ),
            )));
        }
        drawings.push(Drawing {
            key,
            geometry,
            masked,
        });
    }
    Ok(drawings)
}

/// Renders a prepared print to PDF bytes, reading the basemap's tiles sheet by sheet on a
/// blocking thread (one sheet's tiles in memory at a time); `progress` is told each sheet.
///
/// # Errors
/// `Failed` when the PDF cannot be written.
pub async fn render(
    prepared: Prepared,
    progress: impl FnMut(usize, usize) + Send + 'static,
) -> Result<(Vec<u8>, PrintRecord), Error> {
    let runtime = tokio::runtime::Handle::current();
    let Prepared {
        print,
        basemap,
        record,
    } = prepared;
    let mut progress = progress;
    tokio::task::spawn_blocking(move || {
        let mut picture = |sheet: &paper::Sheet| {
            let basemap = basemap.as_ref()?;
            let d = &basemap.description;
            let lat = (sheet.ground[1] + sheet.ground[3]) / 2.0;
            let zoom = print::zoom_for(
                print.layout.scale,
                lat,
                print::BASEMAP_DPI,
                d.min_zoom..=d.max_zoom,
                (sheet.frame.width, sheet.frame.height),
            );
            print::stitch(sheet, zoom, print::BASEMAP_DPI, &mut |(z, x, y)| {
                let tile = Tile::new(z, x, y)?;
                runtime
                    .block_on(basemap.tile(tile))
                    .ok()
                    .flatten()
                    .map(|b| b.to_vec())
            })
            .map_err(|e| tracing::warn!(error = %e, "a sheet printed without its basemap"))
            .ok()
        };
        print::render(&print, &mut picture, &mut progress)
            .map(|bytes| (bytes, record))
            .map_err(|e| Error::Failed(e.to_string()))
    })
    .await
    .map_err(|e| Error::Failed(e.to_string()))?
}

/// Where prints are kept: `{dir}/{id}.pdf` and `{dir}/{id}.json`.
pub fn pdf_path(dir: &Path, id: Uuid) -> PathBuf {
    dir.join(format!("{id}.pdf"))
}

fn record_path(dir: &Path, id: Uuid) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Writes `bytes` to `path` whole or not at all: an owner-only pending file, synced, then
/// renamed.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let pending = path.with_extension("pending");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&pending)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(pending, path)
}

/// Keeps a print's record in `dir` (before its PDF is rendered: who may follow it is known
/// from the start).
///
/// # Errors
/// I/O errors, as `Failed`.
pub fn keep_record(dir: &Path, record: &PrintRecord) -> Result<(), Error> {
    let json = serde_json::to_vec(record).map_err(|e| Error::Failed(e.to_string()))?;
    write_whole(&record_path(dir, record.id), &json)
        .map_err(|e| Error::Failed(format!("could not keep the print: {e}")))
}

/// Keeps a print's PDF in `dir`.
///
/// # Errors
/// I/O errors, as `Failed`.
pub fn keep_pdf(dir: &Path, id: Uuid, pdf: &[u8]) -> Result<(), Error> {
    write_whole(&pdf_path(dir, id), pdf)
        .map_err(|e| Error::Failed(format!("could not keep the print: {e}")))
}

/// The record of print `id`, for `principal`.
///
/// # Errors
/// `NotFound` for no such print (or one whose record does not read); `NotAllowed` as
/// [`prepare`] says.
pub async fn find(
    store: &dyn Store,
    dir: &Path,
    principal: &Principal,
    id: Uuid,
) -> Result<PrintRecord, Error> {
    let missing = || Error::NotFound("no such print".into());
    let bytes = tokio::fs::read(record_path(dir, id))
        .await
        .map_err(|_| missing())?;
    let record: PrintRecord = serde_json::from_slice(&bytes).map_err(|_| missing())?;
    let allowed = match record.workshop_id {
        _ if record.result => principal.can_moderate(),
        Some(workshop) => match store.find_workshop(workshop).await? {
            Some(workshop) => principal.can_manage_workshop(&workshop),
            None => principal.can_moderate(),
        },
        None => principal.can_moderate(),
    };
    if !allowed {
        return Err(Error::not_allowed(
            "prints are for analysts, admins and the workshop's facilitator",
        ));
    }
    Ok(record)
}

/// Starts rendering a prepared print as a job (its key the print's id): its record is kept
/// in `dir` at once, its PDF when done; the job's outcome is the record's summary.
///
/// # Errors
/// `Conflict` when `jobs::MAX_RUNNING` jobs run; `Failed` when the record cannot be kept.
pub async fn start(jobs: &Jobs, dir: PathBuf, prepared: Prepared) -> Result<Arc<Job>, Error> {
    let id = prepared.record.id;
    let (record, at, dir_for_cleanup) = (prepared.record.clone(), dir.clone(), dir.clone());
    tokio::task::spawn_blocking(move || keep_record(&at, &record))
        .await
        .map_err(|e| Error::Failed(e.to_string()))??;
    let sheets = prepared.print.layout.sheets.len();
    let label = prepared.record.file_name.clone();
    let started = jobs.start(
        (RENDER, id),
        label,
        (json!({ "sheets": sheets }), json!({ "sheets_done": 0 })),
        move |job| async move {
            let reporting = Arc::clone(&job);
            let rendered = render(prepared, move |done, total| {
                reporting.report(json!({ "sheets_done": done, "sheets": total }));
            })
            .await;
            let (pdf, record) =
                rendered.map_err(|e| Refusal::new("print.failed", e.to_string()))?;
            let bytes = pdf.len();
            tokio::task::spawn_blocking(move || keep_pdf(&dir, record.id, &pdf))
                .await
                .map_err(|e| Refusal::new("print.failed", e.to_string()))?
                .map_err(|e| Refusal::new("print.failed", e.to_string()))?;
            Ok(summary(&record, bytes))
        },
    );
    if started.is_err() {
        // Not started (too many jobs run): no record of a print that will never be.
        let _ = std::fs::remove_file(record_path(&dir_for_cleanup, id));
    }
    started
}

/// What a finished print says of itself: its id, sheets, scale, size, file.
pub fn summary(record: &PrintRecord, bytes: usize) -> Value {
    json!({
        "id": record.id,
        "file_name": record.file_name,
        "bytes": bytes,
        "scale": record.scale,
        "paper": record.paper,
        "sheets": record.sheets.iter().map(|s| json!({ "name": s.name, "ground": s.ground })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_make_plain_file_names() {
        assert_eq!(
            slug("Taller en la Sociedad de Fomento Nº 3"),
            "taller-en-la-sociedad-de-fomento"
        );
        assert_eq!(slug("Año ñandú"), "ano-nandu");
    }
}
