//! Printed maps: where each sheet of a print falls on the ground and on the paper. Pure
//! geometry, no drawing (the `print` engine draws what this plans).
//!
//! A print covers an area at a scale, on one sheet or on a grid of sheets (`columns` ×
//! `rows`) that overlap by a strip, named as Field Papers' atlases are: a letter for the row
//! from the top, a number for the column from the left (`A1`, `A2`, `B1`…). The map is in Web
//! Mercator (EPSG:3857, what the basemaps' tiles are drawn in); the scale holds at the area's
//! centre latitude. Each sheet's map frame is known to the millimetre on the paper and to the
//! coordinate on the ground, which is what its georeferencing (ISO 32000's `/VP` viewport)
//! and its fiducial marks say.
//!
//! Units: millimetres on the paper (origin at the sheet's top-left, y downwards), degrees
//! (WGS84) on the ground.

use serde::{Deserialize, Serialize};

use super::Refusal;
use super::bbox::BBox;

/// The ISO 216 A sizes a print takes, in millimetres (portrait: width, height).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PaperSize {
    A0,
    A1,
    A2,
    A3,
    A4,
}

impl PaperSize {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "A0" => Some(Self::A0),
            "A1" => Some(Self::A1),
            "A2" => Some(Self::A2),
            "A3" => Some(Self::A3),
            "A4" => Some(Self::A4),
            _ => None,
        }
    }

    /// Width and height in millimetres, portrait.
    pub fn millimetres(self) -> (f64, f64) {
        match self {
            Self::A0 => (841.0, 1189.0),
            Self::A1 => (594.0, 841.0),
            Self::A2 => (420.0, 594.0),
            Self::A3 => (297.0, 420.0),
            Self::A4 => (210.0, 297.0),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::A0 => "A0",
            Self::A1 => "A1",
            Self::A2 => "A2",
            Self::A3 => "A3",
            Self::A4 => "A4",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "portrait" => Some(Self::Portrait),
            "landscape" => Some(Self::Landscape),
            _ => None,
        }
    }
}

/// Most sheets a print has (its fiducial marks number 4 a sheet out of tag36h11's 587).
pub const MAX_SHEETS: u32 = 64;
/// Most sheets of `paper` a print has: as much paper as 64 A4 sheets at most (4 m², a bound on
/// the memory and time one print takes).
pub fn sheets_for(paper: PaperSize) -> u32 {
    match paper {
        PaperSize::A4 => 64,
        PaperSize::A3 => 32,
        PaperSize::A2 => 16,
        PaperSize::A1 => 8,
        PaperSize::A0 => 4,
    }
}

/// Scales a print takes: 1:500 (a block) to 1:100,000 (a district).
pub const SCALES: std::ops::RangeInclusive<f64> = 500.0..=100_000.0;

/// The paper's bands around a sheet's map frame, in millimetres.
pub mod bands {
    /// White margin at every edge: printers do not print to the edge, and the fiducial marks
    /// sit in it.
    pub const MARGIN: f64 = 10.0;
    /// A fiducial mark's side (an AprilTag's black square, its white border around it).
    pub const TAG: f64 = 16.0;
    /// The title band above the map: the title, the date, the sheet's name and code.
    pub const HEADER: f64 = 24.0;
    /// The legend band below the map, at least (a legend of many symbols takes more).
    pub const LEGEND: f64 = 30.0;
    /// Strip two neighbouring sheets share, by default.
    pub const OVERLAP: f64 = 15.0;
}

/// What a print asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintRequest {
    /// The area to cover (the map may show more around it, never less).
    pub area: BBox,
    pub paper: PaperSize,
    pub orientation: Orientation,
    /// The scale's denominator (5000 for 1:5,000); None: the roundest scale that fits the
    /// area (1, 2 or 2.5 × a power of ten).
    pub scale: Option<f64>,
    /// Sheets across and down.
    pub columns: u32,
    pub rows: u32,
    /// Millimetres two neighbouring sheets share.
    pub overlap_mm: f64,
    /// Bottom half of each sheet left for notes (the map takes the top half).
    pub notes: bool,
    /// Millimetres below the map for the legend (at least `bands::LEGEND`).
    pub legend_mm: f64,
}

/// A rectangle on the paper, in millimetres from the sheet's top-left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PaperRect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// One sheet: its name, where its map frame is on the paper and on the ground.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    /// `A1`: row letter (from the top), column number (from the left).
    pub name: String,
    pub row: u32,
    pub column: u32,
    /// Its place among the print's sheets (row by row from 0): its fiducial marks' ids are
    /// `4 × index + corner`.
    pub index: u32,
    /// The map frame on the paper.
    pub frame: PaperRect,
    /// The map frame on the ground: west, south, east, north (degrees).
    pub ground: [f64; 4],
}

impl Sheet {
    /// The ground position (longitude, latitude) of a point of the paper (mm from the sheet's
    /// top-left) inside or near the map frame.
    pub fn ground_at(&self, x_mm: f64, y_mm: f64) -> (f64, f64) {
        let [west, south, east, north] = self.ground;
        let (left, top) = mercator(west, north);
        let (right, bottom) = mercator(east, south);
        let fx = (x_mm - self.frame.x) / self.frame.width;
        let fy = (y_mm - self.frame.y) / self.frame.height;
        unmercator(left + fx * (right - left), top + fy * (bottom - top))
    }

    /// The paper position (mm from the sheet's top-left) of a ground position.
    pub fn paper_at(&self, lon: f64, lat: f64) -> (f64, f64) {
        let [west, south, east, north] = self.ground;
        let (left, top) = mercator(west, north);
        let (right, bottom) = mercator(east, south);
        let (x, y) = mercator(lon, lat);
        (
            self.frame.x + (x - left) / (right - left) * self.frame.width,
            self.frame.y + (y - top) / (bottom - top) * self.frame.height,
        )
    }
}

/// A planned print: its sheets, the paper's size, and the scale they are at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// Width and height of each sheet, in millimetres, as oriented.
    pub page_mm: (f64, f64),
    /// The scale's denominator.
    pub scale: f64,
    pub columns: u32,
    pub rows: u32,
    pub sheets: Vec<Sheet>,
    /// The whole map on the ground: west, south, east, north.
    pub ground: [f64; 4],
    /// Millimetres two neighbouring sheets share.
    pub overlap_mm: f64,
    /// Millimetres under each map frame for its legend.
    pub legend_mm: f64,
}

/// Web Mercator metres of a position (EPSG:3857).
pub fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    (
        R * lon.to_radians(),
        R * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    )
}

/// The position of Web Mercator metres.
pub fn unmercator(x: f64, y: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    (
        (x / R).to_degrees(),
        (2.0 * (y / R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
    )
}

/// The roundest scale at least `needed`: 1, 2 or 2.5 and 5 × a power of ten.
fn round_scale(needed: f64) -> f64 {
    let power = 10f64.powf(needed.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|scale| *scale >= needed * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// Sheet names: `A1` (row A, column 1); rows past Z go on as `AA`, `AB`.
fn sheet_name(row: u32, column: u32) -> String {
    let mut letters = String::new();
    let mut n = row + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    format!("{letters}{}", column + 1)
}

/// Plans a print: each sheet's map frame on the paper and on the ground.
///
/// # Errors
/// `print.option` refusals naming what does not fit: no sheets or more than [`MAX_SHEETS`], a
/// scale outside [`SCALES`], an overlap of a third of the frame or more, an empty area, or an
/// area that does not fit at the scale asked.
pub fn plan(request: &PrintRequest) -> Result<Layout, Refusal> {
    let refuse = |detail: String| Refusal::new("print.option", detail);
    let (columns, rows) = (request.columns, request.rows);
    // Multiplied wide: two large counts must not wrap to a small one.
    if columns == 0
        || rows == 0
        || u64::from(columns) * u64::from(rows) > u64::from(sheets_for(request.paper))
    {
        return Err(refuse(format!(
            "a print has 1 to {} {} sheets; {columns} × {rows} asked",
            sheets_for(request.paper),
            request.paper.as_str()
        )));
    }
    let area = request.area;
    if !(area.max_x > area.min_x && area.max_y > area.min_y) {
        return Err(refuse("the area to print is empty".into()));
    }
    let (short, long) = request.paper.millimetres();
    let page_mm = match request.orientation {
        Orientation::Portrait => (short, long),
        Orientation::Landscape => (long, short),
    };
    let legend = request.legend_mm.max(bands::LEGEND);
    let side = bands::MARGIN + bands::TAG;
    let mut frame_height = page_mm.1 - 2.0 * side - bands::HEADER - legend;
    if request.notes {
        frame_height = (frame_height / 2.0).min(page_mm.1 / 2.0 - side - bands::HEADER);
    }
    let frame = PaperRect {
        x: side,
        y: side + bands::HEADER,
        width: page_mm.0 - 2.0 * side,
        height: frame_height,
    };
    if frame.height < 40.0 || frame.width < 40.0 {
        return Err(refuse(format!(
            "an {} sheet leaves no room for a map with its legend and notes",
            request.paper.as_str()
        )));
    }
    let overlap = request.overlap_mm;
    if !(0.0..frame.width.min(frame.height) / 3.0).contains(&overlap) {
        return Err(refuse(format!(
            "sheets overlap by 0 to {:.0} mm on {} paper",
            frame.width.min(frame.height) / 3.0,
            request.paper.as_str()
        )));
    }
    // The whole map's size on the paper, overlaps counted once.
    let map_width = f64::from(columns) * frame.width - f64::from(columns - 1) * overlap;
    let map_height = f64::from(rows) * frame.height - f64::from(rows - 1) * overlap;
    let centre_lat = (area.min_y + area.max_y) / 2.0;
    // Ground metres a Mercator metre is, at the centre latitude.
    let ground_per_mercator = centre_lat.to_radians().cos();
    let (west, south) = mercator(area.min_x, area.min_y);
    let (east, north) = mercator(area.max_x, area.max_y);
    let needed = ((east - west) / (map_width / 1000.0))
        .max((north - south) / (map_height / 1000.0))
        * ground_per_mercator;
    let scale = match request.scale {
        Some(scale) if !SCALES.contains(&scale) => {
            return Err(refuse(format!(
                "the scale is 1:{:.0} to 1:{:.0}; 1:{scale:.0} asked",
                SCALES.start(),
                SCALES.end()
            )));
        }
        Some(scale) if scale < needed * (1.0 - 1e-9) => {
            return Err(refuse(format!(
                "the area does not fit at 1:{scale:.0} on {columns} × {rows} {} sheets: it needs 1:{needed:.0} or more sheets",
                request.paper.as_str()
            )));
        }
        Some(scale) => scale,
        None => {
            let scale = round_scale(needed);
            if !SCALES.contains(&scale) {
                return Err(refuse(format!(
                    "the area needs 1:{scale:.0} on {columns} × {rows} {} sheets; a print is 1:{:.0} to 1:{:.0}",
                    request.paper.as_str(),
                    SCALES.start(),
                    SCALES.end()
                )));
            }
            scale
        }
    };
    // Mercator metres a paper millimetre is.
    let per_mm = scale / 1000.0 / ground_per_mercator;
    let (centre_x, centre_y) = ((west + east) / 2.0, (south + north) / 2.0);
    let (left, top) = (
        centre_x - map_width / 2.0 * per_mm,
        centre_y + map_height / 2.0 * per_mm,
    );
    let mut sheets = Vec::new();
    for row in 0..rows {
        for column in 0..columns {
            let x0 = left + f64::from(column) * (frame.width - overlap) * per_mm;
            let y0 = top - f64::from(row) * (frame.height - overlap) * per_mm;
            let (w, n) = unmercator(x0, y0);
            let (e, s) = unmercator(x0 + frame.width * per_mm, y0 - frame.height * per_mm);
            sheets.push(Sheet {
                name: sheet_name(row, column),
                row,
                column,
                index: row * columns + column,
                frame,
                ground: [w, s, e, n],
            });
        }
    }
    let (w, n) = unmercator(left, top);
    let (e, s) = unmercator(left + map_width * per_mm, top - map_height * per_mm);
    Ok(Layout {
        page_mm,
        scale,
        columns,
        rows,
        sheets,
        ground: [w, s, e, n],
        overlap_mm: overlap,
        legend_mm: legend,
    })
}

/// Metres between two positions (haversine on a 6,371,008.8 m sphere): what a sheet's
/// corners are checked to within.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of Lomas de Zamora, about 1.8 × 1.5 km.
    fn lomas() -> PrintRequest {
        PrintRequest {
            area: BBox {
                min_x: -58.410,
                min_y: -34.770,
                max_x: -58.390,
                max_y: -34.756,
            },
            paper: PaperSize::A4,
            orientation: Orientation::Portrait,
            scale: None,
            columns: 1,
            rows: 1,
            overlap_mm: bands::OVERLAP,
            notes: false,
            legend_mm: bands::LEGEND,
        }
    }

    #[test]
    fn a_fitted_scale_is_round_and_holds_the_area() {
        let layout = plan(&lomas()).expect("plan");
        assert_eq!(
            layout.scale, 20_000.0,
            "1.8 km on 15 cm: 1:12,000 rounds up to 1:20,000"
        );
        let [w, s, e, n] = layout.sheets[0].ground;
        let area = lomas().area;
        assert!(w <= area.min_x && e >= area.max_x && s <= area.min_y && n >= area.max_y);
        // The frame's width on the ground is its paper width at the scale, at the centre
        // (within the 0.1 % between Web Mercator's sphere and a mean Earth).
        let frame = layout.sheets[0].frame;
        let centre = (s + n) / 2.0;
        let across = distance_m((w, centre), (e, centre));
        let expected = frame.width / 1000.0 * 20_000.0;
        assert!(
            (across / expected - 1.0).abs() < 0.002,
            "{across} m across, {expected} m expected"
        );
    }

    #[test]
    fn tiled_sheets_share_their_overlap_and_are_named_by_row_and_column() {
        let mut request = lomas();
        request.columns = 2;
        request.rows = 2;
        request.paper = PaperSize::A3;
        request.orientation = Orientation::Landscape;
        request.scale = Some(5_000.0);
        let layout = plan(&request).expect("plan");
        let names: Vec<&str> = layout.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["A1", "A2", "B1", "B2"]);
        let (a1, a2, b1) = (&layout.sheets[0], &layout.sheets[1], &layout.sheets[2]);
        // A point in the shared strip is at the same place on both sheets' ground.
        let frame = a1.frame;
        let on_a1 = a1.ground_at(frame.x + frame.width - 5.0, frame.y + 50.0);
        let on_a2 = a2.ground_at(frame.x + bands::OVERLAP - 5.0, frame.y + 50.0);
        assert!(distance_m(on_a1, on_a2) < 0.01, "{on_a1:?} {on_a2:?}");
        let on_a1 = a1.ground_at(frame.x + 40.0, frame.y + frame.height - 3.0);
        let on_b1 = b1.ground_at(frame.x + 40.0, frame.y + bands::OVERLAP - 3.0);
        assert!(distance_m(on_a1, on_b1) < 0.01);
        // And back to the paper.
        let (x, y) = a2.paper_at(on_a2.0, on_a2.1);
        assert!(
            (x - (frame.x + bands::OVERLAP - 5.0)).abs() < 1e-6
                && (y - frame.y - 50.0).abs() < 1e-6
        );
    }

    #[test]
    fn what_does_not_fit_is_refused_and_said() {
        let mut request = lomas();
        request.scale = Some(2_000.0);
        let refused = plan(&request).expect_err("too big at 1:2,000 on one A4");
        assert!(
            refused.detail.contains("does not fit"),
            "{}",
            refused.detail
        );
        request.scale = Some(100.0);
        assert!(plan(&request).is_err());
        request.scale = None;
        request.columns = 9;
        request.rows = 9;
        assert!(plan(&request).expect_err("81 sheets").detail.contains("64"));
        // Counts whose product wraps a u32 to 1 are still refused.
        request.columns = 641;
        request.rows = 6_700_417;
        assert!(plan(&request).is_err());
        request.paper = PaperSize::A0;
        request.columns = 3;
        request.rows = 2;
        assert!(plan(&request).expect_err("6 A0").detail.contains("4 A0"));
        request.paper = PaperSize::A4;
        request.columns = 1;
        request.rows = 1;
        request.overlap_mm = 200.0;
        assert!(plan(&request).is_err());
    }

    #[test]
    fn names_go_on_past_z() {
        assert_eq!(sheet_name(0, 0), "A1");
        assert_eq!(sheet_name(25, 2), "Z3");
        assert_eq!(sheet_name(26, 0), "AA1");
    }

    #[test]
    fn round_scales() {
        assert_eq!(round_scale(4_100.0), 5_000.0);
        assert_eq!(round_scale(2_300.0), 2_500.0);
        assert_eq!(round_scale(10_000.0), 10_000.0);
        assert_eq!(round_scale(10_001.0), 20_000.0);
    }
}
