//! The drawing of each sheet with krilla (see the module's parent for what a sheet holds).
//! krilla's page space is PDF points with y down from the top-left, so a paper position in
//! millimetres is only scaled.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineCap, LineJoin, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use skrifa::MetadataProvider;

use super::{Drawing, Outcome, Print, PrintError, sheet_code, tag_id, tag_squares, tag36h11};
use crate::domain::paper::{Layout, Sheet, bands, mercator};

const REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");
/// Resolution of the basemap's picture: enough for streets and names on paper, small
/// enough to send a 2 × 2 A3 set over a messaging app.
pub const BASEMAP_DPI: f64 = 150.0;
/// JPEG quality of the basemap's picture.
const BASEMAP_QUALITY: u8 = 70;
/// The legend's rows and columns, and where it starts under the frame (mm).
const LEGEND_ROW: f64 = 5.2;
const LEGEND_COLUMN: f64 = 58.0;
const LEGEND_TOP: f64 = 9.5;
/// The sheet's QR's side (mm), at the legend's right end.
const SHEET_QR: f64 = 20.0;

/// Millimetres a legend of `entries` takes under the map of a page `page_width` mm wide:
/// what `domain::paper::PrintRequest::legend_mm` is asked, so that every entry fits.
pub fn legend_mm(entries: usize, page_width: f64) -> f64 {
    let columns = legend_columns(page_width);
    LEGEND_TOP + 4.0 + entries.div_ceil(columns) as f64 * LEGEND_ROW
}

fn legend_right(page_width: f64) -> f64 {
    page_width - bands::MARGIN - bands::TAG - SHEET_QR - 3.0
}

fn legend_columns(page_width: f64) -> usize {
    let left = bands::MARGIN + bands::TAG;
    (((legend_right(page_width) + 1.0 - left) / LEGEND_COLUMN).floor() as usize).max(1)
}

fn pt(mm: f64) -> f32 {
    (mm * 72.0 / 25.4) as f32
}

/// `#rrggbb` as a colour; grey when it does not read.
fn colour(hex: &str) -> rgb::Color {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|c| u8::from_str_radix(c, 16).ok())
            .unwrap_or(128)
    };
    rgb::Color::new(channel(0), channel(2), channel(4))
}

fn black() -> rgb::Color {
    rgb::Color::new(0, 0, 0)
}
fn white() -> rgb::Color {
    rgb::Color::new(255, 255, 255)
}
fn ink() -> rgb::Color {
    rgb::Color::new(40, 40, 40)
}
fn grid() -> rgb::Color {
    rgb::Color::new(90, 90, 90)
}

fn fill(colour: rgb::Color, opacity: f32) -> Option<Fill> {
    Some(Fill {
        paint: colour.into(),
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        rule: FillRule::NonZero,
    })
}

fn stroke(colour: rgb::Color, width_mm: f64, dash: Option<&[f32]>) -> Option<Stroke> {
    Some(Stroke {
        paint: colour.into(),
        width: pt(width_mm),
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        dash: dash.map(|array| StrokeDash {
            array: array.to_vec(),
            offset: 0.0,
        }),
        ..Default::default()
    })
}

fn rect(x: f64, y: f64, width: f64, height: f64) -> Option<Path> {
    let mut path = PathBuilder::new();
    path.push_rect(Rect::from_xywh(pt(x), pt(y), pt(width), pt(height))?);
    path.finish()
}

fn circle(cx: f64, cy: f64, r: f64) -> Option<Path> {
    // Four cubic arcs: the usual 0.5523 × r control distance.
    let (cx, cy, r) = (pt(cx), pt(cy), pt(r));
    let k = 0.552_284_8 * r;
    let mut path = PathBuilder::new();
    path.move_to(cx + r, cy);
    path.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    path.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    path.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    path.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    path.close();
    path.finish()
}

fn draw(surface: &mut Surface, path: Option<Path>, fill: Option<Fill>, stroke: Option<Stroke>) {
    if let Some(path) = path {
        surface.set_fill(fill);
        surface.set_stroke(stroke);
        surface.draw_path(&path);
    }
}

/// The two fonts, and their glyph widths for measuring text (krilla measures none).
struct Type {
    regular: Font,
    bold: Font,
    regular_ref: skrifa::FontRef<'static>,
    bold_ref: skrifa::FontRef<'static>,
}

impl Type {
    fn load() -> Result<Self, PrintError> {
        let missing = || PrintError::Pdf("the embedded font does not read".into());
        Ok(Self {
            regular: Font::new(REGULAR.into(), 0).ok_or_else(missing)?,
            bold: Font::new(BOLD.into(), 0).ok_or_else(missing)?,
            regular_ref: skrifa::FontRef::new(REGULAR).map_err(|_| missing())?,
            bold_ref: skrifa::FontRef::new(BOLD).map_err(|_| missing())?,
        })
    }

    /// Width of `text` at `size` points, in millimetres (advances, without kerning).
    fn width(&self, text: &str, size: f32, bold: bool) -> f64 {
        let font = if bold {
            &self.bold_ref
        } else {
            &self.regular_ref
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(
            skrifa::instance::Size::new(size),
            skrifa::instance::LocationRef::default(),
        );
        let points: f32 = text
            .chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.6)
            })
            .sum();
        f64::from(points) * 25.4 / 72.0
    }

    /// Writes `text` with its baseline's left end at (`x`, `y`) mm.
    fn write(
        &self,
        surface: &mut Surface,
        (x, y): (f64, f64),
        size: f32,
        bold: bool,
        colour: rgb::Color,
        text: &str,
    ) {
        surface.set_fill(fill(colour, 1.0));
        surface.set_stroke(None);
        let font = if bold { &self.bold } else { &self.regular };
        surface.draw_text(
            Point::from_xy(pt(x), pt(y)),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// `text` cut with an ellipsis to fit `width` mm.
    fn fit(&self, text: &str, size: f32, bold: bool, width: f64) -> String {
        if self.width(text, size, bold) <= width {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while !cut.is_empty() && self.width(&format!("{cut}…"), size, bold) > width {
            cut.pop();
        }
        format!("{}…", cut.trim_end())
    }
}

/// A sheet's frame as a window on Web Mercator: paper millimetres of a ground position.
struct Window {
    frame: crate::domain::paper::PaperRect,
    left: f64,
    top: f64,
    /// Mercator metres a millimetre of paper is.
    per_mm: f64,
}

impl Window {
    fn of(sheet: &Sheet) -> Self {
        let [west, _, east, north] = sheet.ground;
        let (left, top) = mercator(west, north);
        let (right, _) = mercator(east, north);
        Self {
            frame: sheet.frame,
            left,
            top,
            per_mm: (right - left) / sheet.frame.width,
        }
    }

    /// Traces `ring` on the paper into `path`, closed or not.
    fn trace(&self, path: &mut PathBuilder, ring: &geo::LineString<f64>, close: bool) {
        for (i, c) in ring.coords().enumerate() {
            let (x, y) = self.paper(c.x, c.y);
            if i == 0 {
                path.move_to(pt(x), pt(y));
            } else {
                path.line_to(pt(x), pt(y));
            }
        }
        if close {
            path.close();
        }
    }

    /// Polygons on the paper, holes included (to fill even-odd).
    fn zones(&self, polygons: &[&geo::Polygon<f64>]) -> Option<Path> {
        let mut path = PathBuilder::new();
        for polygon in polygons {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                self.trace(&mut path, ring, true);
            }
        }
        path.finish()
    }

    fn paper(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = mercator(lon, lat);
        (
            self.frame.x + (x - self.left) / self.per_mm,
            self.frame.y + (self.top - y) / self.per_mm,
        )
    }
}

/// A geometry's polygons (none for a point or a line).
fn polygons_of(geometry: &geo::Geometry<f64>) -> Vec<&geo::Polygon<f64>> {
    match geometry {
        geo::Geometry::Polygon(p) => vec![p],
        geo::Geometry::MultiPolygon(m) => m.0.iter().collect(),
        _ => Vec::new(),
    }
}

/// The pictograms, parsed once, drawn white.
fn pictograms(print: &Print) -> Vec<Option<usvg::Tree>> {
    print
        .legend
        .iter()
        .map(|key| {
            let svg = key.pictogram.as_deref()?.replace("currentColor", "#ffffff");
            usvg::Tree::from_str(&svg, &usvg::Options::default()).ok()
        })
        .collect()
}

/// The PDF of every sheet (without its georeferencing, which `geospatial` adds).
pub fn document(
    print: &Print,
    basemap: &mut dyn FnMut(&Sheet) -> Option<image::RgbImage>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, PrintError> {
    let fonts = Type::load()?;
    let pictograms = pictograms(print);
    let layout = &print.layout;
    let mut document = Document::new();
    let page_size = PageSettings::from_wh(pt(layout.page_mm.0), pt(layout.page_mm.1))
        .ok_or_else(|| PrintError::Pdf("a page of no size".into()))?;
    for (done, sheet) in layout.sheets.iter().enumerate() {
        let picture = basemap(sheet);
        let mut page = document.start_page_with(page_size.clone());
        let mut surface = page.surface();
        let window = Window::of(sheet);
        map(
            &mut surface,
            print,
            sheet,
            &window,
            picture,
            &pictograms,
            &fonts,
        )?;
        grid_labels(&mut surface, layout, sheet, &window, &fonts);
        neighbours(&mut surface, layout, sheet, &fonts);
        header(&mut surface, print, sheet, &fonts);
        legend(&mut surface, print, sheet, &pictograms, &fonts);
        match &print.result {
            Some(outcome) => said(&mut surface, print, sheet, outcome, &fonts),
            None => {
                if print.notes {
                    notes(&mut surface, print, sheet, &fonts);
                }
                marks(&mut surface, print, sheet);
            }
        }
        surface.finish();
        page.finish();
        progress(done + 1, layout.sheets.len());
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

/// The map frame: basemap, grid, drawings, scale bar, north arrow, border.
fn map(
    surface: &mut Surface,
    print: &Print,
    sheet: &Sheet,
    window: &Window,
    picture: Option<image::RgbImage>,
    pictograms: &[Option<usvg::Tree>],
    fonts: &Type,
) -> Result<(), PrintError> {
    let frame = sheet.frame;
    if let Some(clip) = rect(frame.x, frame.y, frame.width, frame.height) {
        surface.push_clip_path(&clip, &FillRule::NonZero);
    }
    match picture {
        Some(picture) => {
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, BASEMAP_QUALITY)
                .encode_image(&picture)
                .map_err(|e| PrintError::Raster(e.to_string()))?;
            let image = Image::from_jpeg(jpeg.into(), true).map_err(PrintError::Pdf)?;
            surface.push_transform(&Transform::from_translate(pt(frame.x), pt(frame.y)));
            if let Some(size) = Size::from_wh(pt(frame.width), pt(frame.height)) {
                surface.draw_image(image, size);
            }
            surface.pop();
        }
        None => draw(
            surface,
            rect(frame.x, frame.y, frame.width, frame.height),
            fill(rgb::Color::new(246, 244, 238), 1.0),
            None,
        ),
    }
    grid_lines(surface, &print.layout, sheet, window);
    // Zones under lines under points, each drawn whole even where it leaves the frame.
    let rank = |d: &Drawing| match d.geometry {
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => 0,
        geo::Geometry::LineString(_) | geo::Geometry::MultiLineString(_) => 1,
        _ => 2,
    };
    // Only what meets this sheet (and a disc's width around it): a set of many sheets does
    // not draw every drawing on every page.
    let [west, south, east, north] = sheet.ground;
    let pad = (east - west) / frame.width * 4.0;
    let meets = |d: &&Drawing| {
        geo::BoundingRect::bounding_rect(&d.geometry).is_some_and(|r| {
            r.min().x <= east + pad
                && r.max().x >= west - pad
                && r.min().y <= north + pad
                && r.max().y >= south - pad
        })
    };
    let mut drawings: Vec<&Drawing> = print.drawings.iter().filter(meets).collect();
    drawings.sort_by_key(|d| rank(d));
    for drawing in drawings {
        let Some(key) = print.legend.get(drawing.key) else {
            continue;
        };
        shape(
            surface,
            window,
            drawing,
            &colour(&key.color),
            pictograms.get(drawing.key).and_then(Option::as_ref),
        );
    }
    if let Some(outcome) = &print.result {
        zones(surface, window, outcome, fonts);
    }
    scale_bar(surface, print, sheet, fonts);
    surface.pop();
    draw(
        surface,
        rect(frame.x, frame.y, frame.width, frame.height),
        None,
        stroke(black(), 0.3, None),
    );
    Ok(())
}

/// The grid's step on the ground, metres: the roundest that falls 30 mm or more apart.
fn grid_step(scale: f64) -> f64 {
    [
        100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 2500.0, 5000.0, 10_000.0,
    ]
    .into_iter()
    .find(|m| m / scale * 1000.0 >= 30.0)
    .unwrap_or(10_000.0)
}

/// Millimetres between grid lines; the grid starts at the whole map's top-left, so that it
/// runs on across the sheets.
fn grid_mm(layout: &Layout) -> f64 {
    grid_step(layout.scale) / layout.scale * 1000.0
}

/// The whole map's top-left on this sheet's paper.
fn map_origin(layout: &Layout, window: &Window) -> (f64, f64) {
    let [west, _, _, north] = layout.ground;
    window.paper(west, north)
}

fn grid_lines(surface: &mut Surface, layout: &Layout, sheet: &Sheet, window: &Window) {
    let (step, (x0, y0), frame) = (grid_mm(layout), map_origin(layout, window), sheet.frame);
    let mut path = PathBuilder::new();
    let mut k = ((frame.x - x0) / step).ceil();
    while x0 + k * step <= frame.x + frame.width {
        let x = pt(x0 + k * step);
        path.move_to(x, pt(frame.y));
        path.line_to(x, pt(frame.y + frame.height));
        k += 1.0;
    }
    let mut k = ((frame.y - y0) / step).ceil();
    while y0 + k * step <= frame.y + frame.height {
        let y = pt(y0 + k * step);
        path.move_to(pt(frame.x), y);
        path.line_to(pt(frame.x + frame.width), y);
        k += 1.0;
    }
    let mut line = stroke(grid(), 0.2, None);
    if let Some(line) = line.as_mut() {
        line.opacity = NormalizedF32::new(0.7).unwrap_or(NormalizedF32::ONE);
    }
    draw(surface, path.finish(), None, line);
}

/// A grid row's name: A, B… (rows), as the sheets' names go; columns are numbered.
fn row_name(row: i64) -> String {
    let mut letters = String::new();
    let mut n = row.max(0) + 1;
    while n > 0 {
        letters.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters
}

/// Each grid cell's row letter and column number, outside the frame at its four sides: a
/// table says "B3" as it says a sheet's name.
fn grid_labels(
    surface: &mut Surface,
    layout: &Layout,
    sheet: &Sheet,
    window: &Window,
    fonts: &Type,
) {
    let (step, (x0, y0), frame) = (grid_mm(layout), map_origin(layout, window), sheet.frame);
    let size = 7.0;
    let first = ((frame.x - x0) / step).floor() as i64;
    for column in first.. {
        let centre = x0 + (column as f64 + 0.5) * step;
        if centre > frame.x + frame.width {
            break;
        }
        if centre < frame.x + 2.0 || centre > frame.x + frame.width - 2.0 {
            continue;
        }
        let label = (column + 1).to_string();
        let half = fonts.width(&label, size, true) / 2.0;
        fonts.write(
            surface,
            (centre - half, frame.y - 1.2),
            size,
            true,
            grid(),
            &label,
        );
        fonts.write(
            surface,
            (centre - half, frame.y + frame.height + 3.2),
            size,
            true,
            grid(),
            &label,
        );
    }
    let first = ((frame.y - y0) / step).floor() as i64;
    for row in first.. {
        let centre = y0 + (row as f64 + 0.5) * step;
        if centre > frame.y + frame.height {
            break;
        }
        if centre < frame.y + 2.0 || centre > frame.y + frame.height - 2.0 {
            continue;
        }
        let label = row_name(row);
        let width = fonts.width(&label, size, true);
        fonts.write(
            surface,
            (frame.x - 1.2 - width, centre + 1.2),
            size,
            true,
            grid(),
            &label,
        );
        fonts.write(
            surface,
            (frame.x + frame.width + 1.2, centre + 1.2),
            size,
            true,
            grid(),
            &label,
        );
    }
}

/// A drawing: a zone filled light and outlined, a line cased in white, a point a disc of its
/// colour with its pictogram; a masked one its cell, hatched by a dashed outline and no
/// pictogram (its place is the cell, not a point in it).
fn shape(
    surface: &mut Surface,
    window: &Window,
    drawing: &Drawing,
    colour: &rgb::Color,
    pictogram: Option<&usvg::Tree>,
) {
    use geo::Geometry as G;
    let polygons = polygons_of(&drawing.geometry);
    if !polygons.is_empty() {
        let path = window.zones(&polygons);
        let (opacity, dash) = if drawing.masked {
            (0.18, Some(&[4.0f32, 3.0][..]))
        } else {
            (0.3, None)
        };
        let mut outline = stroke(*colour, 0.6, dash);
        if let Some(s) = outline.as_mut() {
            s.line_cap = LineCap::Butt;
        }
        if let Some(path) = &path {
            surface.set_fill(Some(Fill {
                rule: FillRule::EvenOdd,
                ..fill(*colour, opacity).expect("a fill")
            }));
            surface.set_stroke(outline);
            surface.draw_path(path);
        }
        return;
    }
    let lines: Vec<&geo::LineString<f64>> = match &drawing.geometry {
        G::LineString(l) => vec![l],
        G::MultiLineString(m) => m.0.iter().collect(),
        _ => Vec::new(),
    };
    if !lines.is_empty() {
        let mut path = PathBuilder::new();
        for line in lines {
            window.trace(&mut path, line, false);
        }
        if let Some(path) = path.finish() {
            for (paint, width) in [(white(), 1.6), (*colour, 0.9)] {
                surface.set_fill(None);
                surface.set_stroke(stroke(paint, width, None));
                surface.draw_path(&path);
            }
        }
        return;
    }
    let points: Vec<geo::Point<f64>> = match &drawing.geometry {
        G::Point(p) => vec![*p],
        G::MultiPoint(m) => m.0.clone(),
        _ => Vec::new(),
    };
    for point in points {
        let (x, y) = window.paper(point.x(), point.y());
        draw(
            surface,
            circle(x, y, 2.8),
            fill(*colour, 1.0),
            stroke(white(), 0.5, None),
        );
        if let (Some(tree), Some(size)) = (pictogram, Size::from_wh(pt(3.6), pt(3.6))) {
            surface.push_transform(&Transform::from_translate(pt(x - 1.8), pt(y - 1.8)));
            surface.draw_svg(tree, size, SvgSettings::default());
            surface.pop();
        }
    }
}

/// The scale bar and the north arrow, on a white card in the frame's bottom-left.
fn scale_bar(surface: &mut Surface, print: &Print, sheet: &Sheet, fonts: &Type) {
    let scale = print.layout.scale;
    let metres = [
        10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 2500.0, 5000.0,
    ]
    .into_iter()
    .rev()
    .find(|m| m / scale * 1000.0 <= 40.0)
    .unwrap_or(10.0);
    let length = metres / scale * 1000.0;
    let frame = sheet.frame;
    let (x, y) = (frame.x + 3.0, frame.y + frame.height - 14.0);
    draw(
        surface,
        rect(x, y, length + 22.0, 11.0),
        fill(white(), 0.85),
        None,
    );
    let bar_y = y + 6.0;
    for i in 0..4 {
        let part = length / 4.0;
        let paint = if i % 2 == 0 { ink() } else { white() };
        draw(
            surface,
            rect(x + 3.0 + f64::from(i) * part, bar_y, part, 1.5),
            fill(paint, 1.0),
            stroke(ink(), 0.15, None),
        );
    }
    let label = if metres >= 1000.0 {
        format!("{} {}", metres / 1000.0, print.words.kilometres)
    } else {
        format!("{metres} {}", print.words.metres)
    };
    fonts.write(surface, (x + 2.6, bar_y - 1.2), 6.5, false, ink(), "0");
    let width = fonts.width(&label, 6.5, false);
    fonts.write(
        surface,
        (x + 3.0 + length - width / 2.0, bar_y - 1.2),
        6.5,
        false,
        ink(),
        &label,
    );
    // North: Web Mercator's up.
    let (nx, ny) = (x + length + 15.0, y + 2.0);
    let mut arrow = PathBuilder::new();
    arrow.move_to(pt(nx), pt(ny + 1.0));
    arrow.line_to(pt(nx + 2.2), pt(ny + 7.5));
    arrow.line_to(pt(nx), pt(ny + 6.0));
    arrow.line_to(pt(nx - 2.2), pt(ny + 7.5));
    arrow.close();
    draw(surface, arrow.finish(), fill(ink(), 1.0), None);
    fonts.write(surface, (nx + 3.0, ny + 5.0), 7.0, true, ink(), "N");
}

/// Where a tiled sheet meets its neighbours: the strip they share dashed inside the frame,
/// and each neighbour's name outside the edge it continues past.
fn neighbours(surface: &mut Surface, layout: &Layout, sheet: &Sheet, fonts: &Type) {
    if layout.sheets.len() < 2 {
        return;
    }
    let frame = sheet.frame;
    let overlap = layout.overlap_mm;
    let name = |row: i64, column: i64| {
        layout
            .sheets
            .iter()
            .find(|s| i64::from(s.row) == row && i64::from(s.column) == column)
            .map(|s| s.name.clone())
    };
    let (row, column) = (i64::from(sheet.row), i64::from(sheet.column));
    let mut dashes = PathBuilder::new();
    let size = 7.5;
    if let Some(right) = name(row, column + 1) {
        let x = pt(frame.x + frame.width - overlap);
        dashes.move_to(x, pt(frame.y));
        dashes.line_to(x, pt(frame.y + frame.height));
        fonts.write(
            surface,
            (frame.x + frame.width + 5.0, frame.y + frame.height / 2.0),
            size,
            true,
            ink(),
            &format!("{right} →"),
        );
    }
    if let Some(left) = name(row, column - 1) {
        let x = pt(frame.x + overlap);
        dashes.move_to(x, pt(frame.y));
        dashes.line_to(x, pt(frame.y + frame.height));
        let label = format!("← {left}");
        let width = fonts.width(&label, size, true);
        fonts.write(
            surface,
            (frame.x - 5.0 - width, frame.y + frame.height / 2.0),
            size,
            true,
            ink(),
            &label,
        );
    }
    if let Some(below) = name(row + 1, column) {
        let y = pt(frame.y + frame.height - overlap);
        dashes.move_to(pt(frame.x), y);
        dashes.line_to(pt(frame.x + frame.width), y);
        let label = format!("↓ {below}");
        let width = fonts.width(&label, size, true);
        fonts.write(
            surface,
            (
                frame.x + (frame.width - width) / 2.0,
                frame.y + frame.height + 7.0,
            ),
            size,
            true,
            ink(),
            &label,
        );
    }
    if let Some(above) = name(row - 1, column) {
        let y = pt(frame.y + overlap);
        dashes.move_to(pt(frame.x), y);
        dashes.line_to(pt(frame.x + frame.width), y);
        let label = format!("↑ {above}");
        let width = fonts.width(&label, size, true);
        fonts.write(
            surface,
            (frame.x + (frame.width - width) / 2.0, frame.y - 5.5),
            size,
            true,
            ink(),
            &label,
        );
    }
    draw(
        surface,
        dashes.finish(),
        None,
        stroke(ink(), 0.3, Some(&[6.0, 4.0])),
    );
}

/// Title, subtitle, the sheet's name and scale, and the join code as text and QR.
fn header(surface: &mut Surface, print: &Print, sheet: &Sheet, fonts: &Type) {
    let (page_width, _) = print.layout.page_mm;
    let left = sheet.frame.x;
    let mut right = page_width - bands::MARGIN - bands::TAG;
    if let Some((code, url)) = &print.join {
        let side = 18.0;
        let top = bands::MARGIN + bands::TAG + 0.5;
        if let Some(url) = url {
            qr(surface, url, (right - side, top), side);
            right -= side + 2.0;
        }
        let code_width = fonts.width(code, 13.0, true);
        fonts.write(
            surface,
            (right - code_width, top + 13.0),
            13.0,
            true,
            black(),
            code,
        );
        let label = fonts.fit(&print.words.join, 7.0, false, 60.0);
        let width = fonts.width(&label, 7.0, false);
        fonts.write(
            surface,
            (right - width, top + 6.0),
            7.0,
            false,
            ink(),
            &label,
        );
        right -= code_width.max(width) + 4.0;
    }
    let room = right - left;
    let title = fonts.fit(&print.words.title, 13.0, true, room);
    fonts.write(surface, (left, 21.0), 13.0, true, black(), &title);
    let subtitle = fonts.fit(&print.words.subtitle, 8.5, false, room);
    fonts.write(surface, (left, 29.0), 8.5, false, ink(), &subtitle);
    let line = print
        .words
        .sheet
        .replace("{sheet}", &sheet.name)
        .replace("{sheets}", &print.layout.sheets.len().to_string());
    let line = fonts.fit(&line, 9.0, true, room);
    fonts.write(surface, (left, 36.5), 9.0, true, black(), &line);
}

/// A line of the legend: a symbol, masked cells, or priority zones.
enum Entry {
    Key(usize),
    Masked,
    Zone,
}

/// The legend under the map: each symbol's pictogram on its colour and its label (with its
/// count in a result), in columns; masked cells explained; the basemap's attribution.
fn legend(
    surface: &mut Surface,
    print: &Print,
    sheet: &Sheet,
    pictograms: &[Option<usvg::Tree>],
    fonts: &Type,
) {
    let frame = sheet.frame;
    let (page_width, page_height) = print.layout.page_mm;
    let attribution = fonts.fit(&print.words.attribution, 5.5, false, frame.width * 0.35);
    let width = fonts.width(&attribution, 5.5, false);
    fonts.write(
        surface,
        (frame.x + frame.width - width, frame.y + frame.height + 6.0),
        5.5,
        false,
        grid(),
        &attribution,
    );
    let top = frame.y + frame.height + LEGEND_TOP;
    fonts.write(
        surface,
        (frame.x, top),
        8.5,
        true,
        black(),
        &print.words.legend,
    );
    // The band ends at the notes, or above the bottom tags' row; the sheet's QR takes its
    // right end.
    let bottom = if print.notes {
        frame.y + frame.height + print.layout.legend_mm
    } else {
        page_height - bands::MARGIN - bands::TAG
    };
    let qr_side = SHEET_QR;
    let right = legend_right(page_width);
    let (row_height, column_width) = (LEGEND_ROW, LEGEND_COLUMN);
    let (mut x, mut y) = (frame.x, top + 2.0);
    let mut entries: Vec<(Entry, String)> = print
        .legend
        .iter()
        .enumerate()
        // A result lists what it shows: a symbol none of whose drawings is there is left out.
        .filter(|(_, key)| key.count != Some(0))
        .map(|(i, key)| {
            let label = match key.count {
                Some(n) => format!("{} ({n})", key.label),
                None => key.label.clone(),
            };
            (Entry::Key(i), label)
        })
        .collect();
    if print.drawings.iter().any(|d| d.masked) {
        entries.push((Entry::Masked, print.words.masked.clone()));
    }
    let zones = print.result.as_ref().map_or(0, |o| o.zones.len());
    if zones > 0 {
        entries.push((Entry::Zone, format!("{} ({zones})", print.words.zone)));
    }
    for (i, label) in entries {
        if y + row_height > bottom {
            y = top + 2.0;
            x += column_width;
        }
        if x + column_width > right + 1.0 {
            break;
        }
        let (cx, cy) = (x + 2.2, y + row_height / 2.0);
        match i {
            Entry::Key(i) => {
                let key = &print.legend[i];
                draw(
                    surface,
                    circle(cx, cy, 2.2),
                    fill(colour(&key.color), 1.0),
                    None,
                );
                if let (Some(Some(tree)), Some(size)) =
                    (pictograms.get(i), Size::from_wh(pt(3.0), pt(3.0)))
                {
                    surface.push_transform(&Transform::from_translate(pt(cx - 1.5), pt(cy - 1.5)));
                    surface.draw_svg(tree, size, SvgSettings::default());
                    surface.pop();
                }
            }
            Entry::Masked => draw(
                surface,
                rect(cx - 2.2, cy - 2.0, 4.4, 4.0),
                fill(grid(), 0.2),
                stroke(grid(), 0.4, Some(&[3.0, 2.0])),
            ),
            Entry::Zone => draw(
                surface,
                rect(cx - 2.2, cy - 2.0, 4.4, 4.0),
                fill(rgb::Color::new(74, 20, 140), 0.12),
                stroke(rgb::Color::new(74, 20, 140), 0.6, None),
            ),
        }
        let label = fonts.fit(&label, 7.5, false, column_width - 7.0);
        fonts.write(surface, (x + 5.5, cy + 1.3), 7.5, false, black(), &label);
        y += row_height;
    }
    if print.result.is_some() {
        return;
    }
    // The sheet's QR: the print and the sheet, for a photo of it coming back.
    let code = sheet_code(print.id, sheet);
    let qr_top = page_height - bands::MARGIN - bands::TAG - qr_side - 1.0;
    qr(
        surface,
        &code,
        (page_width - bands::MARGIN - bands::TAG - qr_side, qr_top),
        qr_side,
    );
    let name_width = fonts.width(&sheet.name, 12.0, true);
    fonts.write(
        surface,
        (
            page_width - bands::MARGIN - bands::TAG - qr_side - 2.0 - name_width,
            qr_top + qr_side - 1.0,
        ),
        12.0,
        true,
        black(),
        &sheet.name,
    );
}

/// The confirmed priority zones: a dark outline over a light fill, and each one's number in
/// a white disc at its interior point (the list under the map names them).
fn zones(surface: &mut Surface, window: &Window, outcome: &Outcome, fonts: &Type) {
    use geo::InteriorPoint;
    let zone = rgb::Color::new(74, 20, 140);
    for (number, (_, geometry)) in outcome.zones.iter().enumerate() {
        let polygons = polygons_of(geometry);
        if polygons.is_empty() {
            continue;
        }
        if let Some(path) = window.zones(&polygons) {
            surface.set_fill(Some(Fill {
                rule: FillRule::EvenOdd,
                ..fill(zone, 0.12).expect("a fill")
            }));
            surface.set_stroke(stroke(zone, 0.9, None));
            surface.draw_path(&path);
        }
        if let Some(point) = geometry.interior_point() {
            let (x, y) = window.paper(point.x(), point.y());
            draw(
                surface,
                circle(x, y, 3.0),
                fill(white(), 1.0),
                stroke(zone, 0.6, None),
            );
            let label = (number + 1).to_string();
            let width = fonts.width(&label, 8.0, true);
            fonts.write(surface, (x - width / 2.0, y + 1.4), 8.0, true, zone, &label);
        }
    }
}

/// A result's words under its legend: the zones by number and name, then its text, wrapped.
fn said(surface: &mut Surface, print: &Print, sheet: &Sheet, outcome: &Outcome, fonts: &Type) {
    let frame = sheet.frame;
    let (_, page_height) = print.layout.page_mm;
    let mut y = frame.y + frame.height + print.layout.legend_mm + 5.0;
    let bottom = page_height - bands::MARGIN - 4.0;
    let width = frame.width;
    // A line past the page's room ends the text with an ellipsis, once.
    let line = |surface: &mut Surface, text: &str, size: f32, bold: bool, y: &mut f64| {
        if *y > bottom + 1.0 {
            return;
        }
        if *y + f64::from(size) * 0.45 > bottom {
            fonts.write(surface, (frame.x, *y), size, bold, black(), "…");
            *y = bottom + 2.0;
            return;
        }
        fonts.write(surface, (frame.x, *y), size, bold, black(), text);
        *y += f64::from(size) * 0.45;
    };
    if !outcome.zones.is_empty() {
        line(surface, &print.words.zone, 8.5, true, &mut y);
        for (number, (name, _)) in outcome.zones.iter().enumerate() {
            let text = fonts.fit(&format!("{} · {name}", number + 1), 8.0, false, width);
            line(surface, &text, 8.0, false, &mut y);
        }
        y += 2.0;
    }
    for paragraph in outcome
        .text
        .lines()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        for text in wrap(fonts, paragraph, 9.0, width) {
            line(surface, &text, 9.0, false, &mut y);
        }
        y += 1.5;
    }
}

/// `text` in lines no wider than `width` mm at `size`, broken between words.
fn wrap(fonts: &Type, text: &str, size: f32, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let tried = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if fonts.width(&tried, size, false) > width && !current.is_empty() {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        } else {
            current = tried;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The notes half: a heading and lines to write on.
fn notes(surface: &mut Surface, print: &Print, sheet: &Sheet, fonts: &Type) {
    let frame = sheet.frame;
    let (_, page_height) = print.layout.page_mm;
    let top = frame.y + frame.height + print.layout.legend_mm + 5.0;
    let bottom = page_height - bands::MARGIN - bands::TAG - 20.0;
    fonts.write(
        surface,
        (frame.x, top),
        8.5,
        true,
        black(),
        &print.words.notes,
    );
    let mut lines = PathBuilder::new();
    let mut y = top + 8.0;
    while y < bottom {
        lines.move_to(pt(frame.x), pt(y));
        lines.line_to(pt(frame.x + frame.width * 0.7), pt(y));
        y += 8.0;
    }
    draw(surface, lines.finish(), None, stroke(grid(), 0.2, None));
}

/// A QR code of `text` whose modules (and its quiet zone of 4) fill a `side` mm square.
fn qr(surface: &mut Surface, text: &str, (x, y): (f64, f64), side: f64) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) else {
        return;
    };
    let n = code.width();
    let module = side / (n + 8) as f64;
    let colours = code.to_colors();
    let mut path = PathBuilder::new();
    for row in 0..n {
        for column in 0..n {
            if colours[row * n + column] == qrcode::Color::Dark
                && let Some(square) = Rect::from_xywh(
                    pt(x + (column + 4) as f64 * module),
                    pt(y + (row + 4) as f64 * module),
                    pt(module) + 0.05,
                    pt(module) + 0.05,
                )
            {
                path.push_rect(square);
            }
        }
    }
    draw(surface, rect(x, y, side, side), fill(white(), 1.0), None);
    draw(surface, path.finish(), fill(black(), 1.0), None);
}

/// The four fiducial marks (AprilTags, tag36h11) in the sheet's corners.
fn marks(surface: &mut Surface, print: &Print, sheet: &Sheet) {
    let cell = bands::TAG / tag36h11::CELLS as f64;
    for (corner, (left, top, _)) in tag_squares(print.layout.page_mm).into_iter().enumerate() {
        // The square is the black ring's; the tag's white ring is a cell outside it.
        let (x, y) = (left - cell, top - cell);
        let cells = tag36h11::cells(tag_id(sheet.index, corner as u32) as usize);
        let mut path = PathBuilder::new();
        for (i, row) in cells.iter().enumerate() {
            for (j, black) in row.iter().enumerate() {
                if *black
                    && let Some(square) = Rect::from_xywh(
                        pt(x + j as f64 * cell),
                        pt(y + i as f64 * cell),
                        pt(cell) + 0.05,
                        pt(cell) + 0.05,
                    )
                {
                    path.push_rect(square);
                }
            }
        }
        draw(
            surface,
            rect(x, y, bands::TAG, bands::TAG),
            fill(white(), 1.0),
            None,
        );
        draw(surface, path.finish(), fill(black(), 1.0), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_steps_are_round_and_at_least_3_cm_apart() {
        assert_eq!(grid_step(5_000.0), 200.0);
        assert_eq!(grid_step(10_000.0), 500.0);
        assert_eq!(grid_step(2_000.0), 100.0);
        assert_eq!(row_name(0), "A");
        assert_eq!(row_name(27), "AB");
    }

    #[test]
    fn colours_read_and_fall_back_to_grey() {
        assert_eq!(colour("#ff8000"), rgb::Color::new(255, 128, 0));
        assert_eq!(colour("nonsense"), rgb::Color::new(128, 128, 128));
    }
}
