//! Printed maps: a PDF of sheets that a table gathers round, marks with pens and stickers, and
//! photographs back (issue 29). No HTTP and no store here: the application gathers what a
//! print shows (`Print`) and the basemap's picture of each sheet; this engine draws it.
//!
//! Each sheet (`domain::paper::Sheet`) has, on paper as a reader expects:
//! - the map frame: the basemap, the drawings as a public screen sees them (a sensitive
//!   one as its masking cell, never a word of it), a labelled grid continuous across the
//!   sheets, a scale bar and a north arrow;
//! - a header: title, subtitle (workshop, date), the sheet's name and scale, the join code as
//!   text and QR; a legend with each symbol's pictogram and label (and count, in a result);
//!   an optional lined notes half; arrows naming the neighbouring sheets, and the overlap
//!   they share dashed;
//! - fiducial marks: an AprilTag (tag36h11) in each corner, its id `4 × sheet + corner`
//!   (corners clockwise from the top-left), and a QR with the print's id and the sheet's name
//!   ([`sheet_code`]), so that a photo of the sheet is found and straightened;
//! - ISO 32000 geospatial georeferencing (`geospatial`): the page's `/VP` viewport with a
//!   `/Measure /GEO` on the map frame, which GDAL and Adobe read.
//!
//! Fonts are DejaVu Sans (embedded, subset; Spanish and most Latin, Greek and Cyrillic).
//! Positions on paper are millimetres from the sheet's top-left, as in `domain::paper`.

mod draw;
mod geospatial;
pub mod raster;
pub mod recover;
pub mod tag36h11;

use uuid::Uuid;

use crate::domain::paper::{Layout, Sheet};

pub use draw::{BASEMAP_DPI, legend_mm};
pub use raster::{TileKey, stitch, tiles_for, zoom_for};

/// Why a print could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the basemap's picture could not be drawn: {0}")]
    Raster(String),
}

/// Every word a print shows, in its language (the application reads them from the
/// catalogues). `{sheet}`, `{sheets}` and `{scale}` are replaced in `sheet`.
#[derive(Debug, Clone)]
pub struct Words {
    pub title: String,
    /// The workshop and the date, say.
    pub subtitle: String,
    /// `Hoja {sheet} de {sheets} · Escala 1:{scale}`.
    pub sheet: String,
    /// The legend's heading.
    pub legend: String,
    /// Above the join code.
    pub join: String,
    /// The notes half's heading.
    pub notes: String,
    /// What a masked drawing's cell is, in the legend.
    pub masked: String,
    /// The basemap's attribution (`© OpenStreetMap contributors`), under the frame.
    pub attribution: String,
    /// The metres of the scale bar's unit: `m`, `km`.
    pub metres: String,
    pub kilometres: String,
    /// A priority zone, in a result's legend.
    pub zone: String,
}

/// One entry of the legend.
#[derive(Debug, Clone)]
pub struct Key {
    pub label: String,
    /// `#rrggbb`.
    pub color: String,
    /// The pictogram (an SVG drawn in `currentColor`), drawn white on the colour.
    pub pictogram: Option<String>,
    /// How many drawings of it the print shows (a result's legend counts them).
    pub count: Option<u64>,
}

/// A drawing as printed: its legend entry and its shape (WGS84), exact or masked.
#[derive(Debug, Clone)]
pub struct Drawing {
    /// Index into `Print::legend`.
    pub key: usize,
    pub geometry: geo::Geometry<f64>,
    /// Its masking cell, not its place (a sensitive drawing, as a public screen sees it).
    pub masked: bool,
}

/// A print to draw.
#[derive(Debug, Clone)]
pub struct Print {
    pub id: Uuid,
    pub layout: Layout,
    pub words: Words,
    pub legend: Vec<Key>,
    pub drawings: Vec<Drawing>,
    /// The join code, and the link a phone opens (its QR) where the room's address is known.
    pub join: Option<(String, Option<String>)>,
    /// A lined half for notes under each sheet's map (a result's text and zones, in a
    /// result).
    pub notes: bool,
    /// A result for the community (a *devolución*), not a sheet to draw on: the confirmed
    /// priority zones on the map and listed, a short text, counts in the legend; no fiducial
    /// marks, no sheet QR.
    pub result: Option<Outcome>,
}

/// What a result print says beside the drawings.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The priority zones the analysts confirmed, numbered on the map in this order.
    pub zones: Vec<(String, geo::Geometry<f64>)>,
    /// A short text for the community (at most a few paragraphs).
    pub text: String,
}

/// What the QR of a sheet says: `TRAMA:{print}:{sheet name}`, the print as the first ten
/// hexadecimal digits of its id (40 random bits of a UUID v4 or v7's time; a print is looked
/// for among its project's). Upper case and short, so that it is a version 1 QR code in its
/// alphanumeric mode (21 modules): the largest modules a phone's photo of the sheet reads.
pub fn sheet_code(print: Uuid, sheet: &Sheet) -> String {
    let id = print.simple().to_string().to_ascii_uppercase();
    format!("TRAMA:{}:{}", &id[..10], sheet.name)
}

/// The fiducial mark's id in `corner` (0 top-left, 1 top-right, 2 bottom-right, 3
/// bottom-left) of the sheet at `index`.
pub fn tag_id(index: u32, corner: u32) -> u32 {
    4 * index + corner
}

/// Where a sheet's fiducial marks are: each one's black square (the tag's outer black ring
/// and what it holds), as (left, top, side) in millimetres from the sheet's top-left, by
/// corner (clockwise from the top-left). A detector's corners are this square's.
pub fn tag_squares(page_mm: (f64, f64)) -> [(f64, f64, f64); 4] {
    use crate::domain::paper::bands::{MARGIN, TAG};
    // The tag's outer white ring is a cell of its 10: the black square is 8 cells of it.
    let cell = TAG / tag36h11::CELLS as f64;
    let side = TAG - 2.0 * cell;
    let (near, far_x, far_y) = (
        MARGIN + cell,
        page_mm.0 - MARGIN - TAG + cell,
        page_mm.1 - MARGIN - TAG + cell,
    );
    [
        (near, near, side),
        (far_x, near, side),
        (far_x, far_y, side),
        (near, far_y, side),
    ]
}

/// Draws `print` as a PDF, each sheet with `basemap`'s picture of it under the drawings (None:
/// no basemap, a plain ground). `progress` is told each sheet done.
///
/// # Errors
/// `PrintError::Pdf` when the document cannot be written (a font or a pictogram that does not
/// read is left out, not an error).
pub fn render(
    print: &Print,
    basemap: &mut dyn FnMut(&Sheet) -> Option<image::RgbImage>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, PrintError> {
    let bytes = draw::document(print, basemap, progress)?;
    geospatial::georeference(&bytes, &print.layout)
}
