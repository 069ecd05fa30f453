//! Printed maps read as their readers read them (issue 29): GDAL finds each sheet's
//! georeferencing (`gdalinfo`), poppler's `pdftotext` finds the legend's words, hayro draws the
//! pages to pixels in which the AprilTag library finds every fiducial mark and rqrr reads every
//! QR code; a tiled set lines up across its sheets.

use std::process::Command;
use std::sync::Arc;

use trama::domain::bbox::BBox;
use trama::domain::paper::{Layout, Orientation, PaperSize, PrintRequest, bands, distance_m, plan};
use trama::print::{self, Drawing, Key, Print, Words};

/// The pictograms the legend shows.
fn pictogram(name: &str) -> Option<String> {
    std::fs::read_to_string(format!(
        "{}/static/pictograms/{name}.svg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .ok()
}

const SYMBOLS: [(&str, &str, &str); 8] = [
    ("Taller textil clandestino", "#b71c1c", "sewing-workshop"),
    ("Escuela", "#1565c0", "school"),
    ("Comedor comunitario", "#2e7d32", "community-kitchen"),
    ("Centro de salud", "#00838f", "health-centre"),
    ("Feria", "#ef6c00", "market"),
    ("Recorrido inseguro", "#6a1b9a", "route"),
    ("Zona de riesgo", "#c62828", "danger"),
    ("Trabajo en la calle", "#4e342e", "street-work"),
];

/// A workshop's worth of drawings over the area: points, lines and zones, and a few
/// sensitive ones as their masking cells.
fn drawings(area: BBox) -> Vec<Drawing> {
    use rand::{Rng, SeedableRng};
    let mut random = rand::rngs::StdRng::seed_from_u64(29);
    let mut at = |_: u32, _: u32| {
        (
            random.random_range(area.min_x..area.max_x),
            random.random_range(area.min_y..area.max_y),
        )
    };
    let mut drawings = Vec::new();
    for i in 0..300 {
        let (x, y) = at(i, 7);
        let key = (i % 5) as usize;
        let geometry = match i % 10 {
            7 => geo::Geometry::LineString(geo::LineString::from(vec![
                (x, y),
                (x + 0.002, y + 0.001),
                (x + 0.003, y - 0.001),
            ])),
            8 => geo::Geometry::Polygon(geo::Polygon::new(
                geo::LineString::from(vec![
                    (x, y),
                    (x + 0.002, y),
                    (x + 0.002, y + 0.0015),
                    (x, y + 0.0015),
                    (x, y),
                ]),
                vec![],
            )),
            _ => geo::Geometry::Point(geo::Point::new(x, y)),
        };
        let key = match i % 10 {
            7 => 5,
            8 => 6,
            _ => key,
        };
        drawings.push(Drawing {
            key,
            geometry,
            masked: false,
        });
    }
    // Two sensitive drawings, as their cells.
    for i in 0..2 {
        let (x, y) = at(1000 + i, 3);
        let cell = h3o::LatLng::new(y, x)
            .expect("position")
            .to_cell(h3o::Resolution::Eight);
        let boundary: Vec<(f64, f64)> =
            cell.boundary().iter().map(|c| (c.lng(), c.lat())).collect();
        let mut ring = boundary.clone();
        ring.push(boundary[0]);
        drawings.push(Drawing {
            key: 0,
            geometry: geo::Geometry::Polygon(geo::Polygon::new(
                geo::LineString::from(ring),
                vec![],
            )),
            masked: true,
        });
    }
    drawings
}

fn words() -> Words {
    Words {
        title: "Mapeo colectivo · Lomas de Zamora".into(),
        subtitle: "Taller en la Sociedad de Fomento · 8 de diciembre de 2026".into(),
        sheet: "Hoja {sheet} de {sheets} · Escala 1:5.000".into(),
        legend: "Referencias".into(),
        join: "Para sumarse desde un teléfono".into(),
        notes: "Notas de la mesa".into(),
        masked: "Zona aproximada de un dato sensible".into(),
        attribution: "© colaboradores de OpenStreetMap".into(),
        metres: "m".into(),
        kilometres: "km".into(),
        zone: "Zonas prioritarias".into(),
    }
}

fn lomas() -> BBox {
    BBox {
        min_x: -58.412,
        min_y: -34.772,
        max_x: -58.392,
        max_y: -34.758,
    }
}

fn a_print(layout: Layout, notes: bool) -> Print {
    Print {
        id: uuid::Uuid::new_v4(),
        layout,
        words: words(),
        legend: SYMBOLS
            .iter()
            .map(|(label, color, icon)| Key {
                label: (*label).into(),
                color: (*color).into(),
                pictogram: pictogram(icon),
                count: None,
            })
            .collect(),
        drawings: drawings(lomas()),
        join: Some((
            "T2W-EKG".into(),
            Some("http://192.168.0.10:8080/j/T2W-EKG".into()),
        )),
        notes,
        result: None,
    }
}

/// A raster basemap of one colour per tile column, as a raster MBTiles would give.
fn basemap(sheet: &trama::domain::paper::Sheet, scale: f64) -> Option<image::RgbImage> {
    let lat = (sheet.ground[1] + sheet.ground[3]) / 2.0;
    let zoom = print::zoom_for(
        scale,
        lat,
        print::BASEMAP_DPI,
        0..=17,
        (sheet.frame.width, sheet.frame.height),
    );
    print::stitch(sheet, zoom, print::BASEMAP_DPI, &mut |(_, x, y)| {
        let tile = image::RgbImage::from_fn(256, 256, |i, j| {
            let street = i % 64 < 4 || j % 64 < 4;
            if street {
                image::Rgb([255, 255, 255])
            } else {
                image::Rgb([230 - (x % 3 * 10) as u8, 226, 214 - (y % 3 * 10) as u8])
            }
        });
        let mut png = Vec::new();
        tile.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .ok()?;
        Some(png)
    })
    .ok()
}

fn render(print: &Print) -> Vec<u8> {
    let scale = print.layout.scale;
    let mut sheets_done = 0;
    let bytes = print::render(print, &mut |sheet| basemap(sheet, scale), &mut |done, _| {
        sheets_done = done
    })
    .expect("the PDF");
    assert_eq!(sheets_done, print.layout.sheets.len());
    bytes
}

/// `gdalinfo -json` of each page (`PDF:{page}:{file}`): its corner coordinates.
fn gdal_corners(path: &std::path::Path, page: usize) -> serde_json::Value {
    let output = Command::new("gdalinfo")
        .args(["-json", &format!("PDF:{page}:{}", path.display())])
        .output()
        .expect("gdalinfo (gdal-bin) is installed");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

/// A neatline's vertices (`POLYGON ((x y, …))` in Web Mercator metres) in degrees.
fn neatline_degrees(neatline: &str) -> Vec<(f64, f64)> {
    neatline
        .trim_start_matches("POLYGON ((")
        .trim_end_matches("))")
        .split(',')
        .map(|p| {
            let mut xy = p
                .split_whitespace()
                .map(|v| v.parse::<f64>().expect("number"));
            trama::domain::paper::unmercator(xy.next().expect("x"), xy.next().expect("y"))
        })
        .collect()
}

/// Where GDAL puts a point of the page (mm from its top-left), in degrees: its geotransform
/// over the page's pixels.
fn gdal_ground(info: &serde_json::Value, page_mm: (f64, f64), (x, y): (f64, f64)) -> (f64, f64) {
    let t: Vec<f64> = info["geoTransform"]
        .as_array()
        .expect("geotransform")
        .iter()
        .map(|v| v.as_f64().expect("n"))
        .collect();
    let size = info["size"].as_array().expect("size");
    let (px, py) = (
        x / page_mm.0 * size[0].as_f64().expect("w"),
        y / page_mm.1 * size[1].as_f64().expect("h"),
    );
    trama::domain::paper::unmercator(t[0] + px * t[1] + py * t[2], t[3] + px * t[4] + py * t[5])
}

/// A district on one A2 sheet at 1:50,000: a point inside the map is where GDAL says, not
/// only the corners (a fit of the corners in degrees puts the middle about 7 m off there).
#[test]
fn a_small_scale_sheet_is_right_inside_as_well_as_at_its_corners() {
    let layout = plan(&PrintRequest {
        area: BBox {
            min_x: -58.50,
            min_y: -34.85,
            max_x: -58.35,
            max_y: -34.70,
        },
        paper: PaperSize::A2,
        orientation: Orientation::Portrait,
        scale: Some(50_000.0),
        columns: 1,
        rows: 1,
        overlap_mm: bands::OVERLAP,
        notes: false,
        legend_mm: print::legend_mm(SYMBOLS.len() + 1, 420.0),
    })
    .expect("plan");
    let mut district = a_print(layout.clone(), false);
    district.drawings.clear();
    let bytes = print::render(&district, &mut |_| None, &mut |_, _| {}).expect("the PDF");
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("distrito.pdf");
    std::fs::write(&path, &bytes).expect("write");
    // At 2,000 dpi, a pixel of GDAL's page is 0.6 m of ground.
    let output = Command::new("gdalinfo")
        .args([
            "-json",
            "--config",
            "GDAL_PDF_DPI",
            "2000",
            &format!("PDF:1:{}", path.display()),
        ])
        .output()
        .expect("gdalinfo");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let sheet = &layout.sheets[0];
    let frame = sheet.frame;
    let mut worst: f64 = 0.0;
    for (fx, fy) in [(0.5, 0.5), (0.25, 0.75), (0.9, 0.1)] {
        let at = (frame.x + fx * frame.width, frame.y + fy * frame.height);
        let off = distance_m(
            gdal_ground(&info, layout.page_mm, at),
            sheet.ground_at(at.0, at.1),
        );
        worst = worst.max(off);
    }
    eprintln!(
        "1:50,000 on A2: GDAL puts points inside the map {worst:.2} m from where they are drawn"
    );
    assert!(worst < 1.0, "{worst} m");
}

/// Each page's pixels, grey, at `scale` × 72 dpi.
fn pages_grey(bytes: &[u8], scale: f32) -> Vec<(usize, usize, Vec<u8>)> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{PixmapSettings, RenderCache, RenderSettings};
    let pdf = Pdf::new(Arc::new(bytes.to_vec())).expect("hayro reads it");
    let cache = RenderCache::new();
    pdf.pages()
        .iter()
        .map(|page| {
            let pixmap = hayro::render(
                page,
                &cache,
                &InterpreterSettings::default(),
                &RenderSettings::default(),
                &PixmapSettings {
                    x_scale: scale,
                    y_scale: scale,
                    bg_color: WHITE,
                },
            );
            let (w, h) = (usize::from(pixmap.width()), usize::from(pixmap.height()));
            let grey = pixmap
                .data_as_u8_slice()
                .chunks_exact(4)
                .map(|p| {
                    ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                        as u8
                })
                .collect();
            (w, h, grey)
        })
        .collect()
}

fn tags(w: usize, h: usize, grey: &[u8]) -> Vec<(usize, [f64; 2])> {
    let mut image = apriltag::Image::zeros_with_stride(w, h, w).expect("image");
    for y in 0..h {
        for x in 0..w {
            image[(x, y)] = grey[y * w + x];
        }
    }
    let mut detector = apriltag::Detector::builder()
        .add_family_bits(apriltag::families::Tag36h11::default(), 1)
        .build()
        .expect("detector");
    let mut found: Vec<(usize, [f64; 2])> = detector
        .detect(&image)
        .into_iter()
        .map(|d| (d.id(), d.center()))
        .collect();
    found.sort_by_key(|(id, _)| *id);
    found
}

fn qr_texts(w: usize, h: usize, grey: &[u8]) -> Vec<String> {
    // Black or white first: rqrr's own threshold loses a small code on a page that is mostly
    // white (a scanner's or a phone's reader evens the light the same way).
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        if grey[y * w + x] < 128 { 0 } else { 255 }
    });
    let mut texts: Vec<String> = prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, t)| t))
        .collect();
    texts.sort();
    texts
}

/// A 2 × 2 set of A3 sheets at 1:5,000: each page is georeferenced where the plan put it
/// (within 1 m), neighbours share their overlap, the legend's words are text, every tag and QR
/// reads back, and the file is small enough for a messaging app.
#[test]
fn a_tiled_a3_set_is_georeferenced_marked_and_readable() {
    let layout = plan(&PrintRequest {
        area: lomas(),
        paper: PaperSize::A3,
        orientation: Orientation::Landscape,
        scale: Some(5_000.0),
        columns: 2,
        rows: 2,
        overlap_mm: bands::OVERLAP,
        notes: false,
        legend_mm: print::legend_mm(SYMBOLS.len() + 1, 420.0),
    })
    .expect("plan");
    let print = a_print(layout.clone(), false);
    let started = std::time::Instant::now();
    let bytes = render(&print);
    let took = started.elapsed();
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("mapa.pdf");
    std::fs::write(&path, &bytes).expect("write");
    eprintln!("2 × 2 A3 at 1:5,000: {} bytes in {took:?}", bytes.len());
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&screenshot).expect("dir");
    std::fs::copy(&path, screenshot.join("print-2x2-a3.pdf")).expect("keep it to look at");
    assert!(bytes.len() < 4 * 1024 * 1024, "{} bytes", bytes.len());

    // GDAL: Web Mercator on WGS 84, and each page's neatline (the map frame) within 1 m of
    // the plan's.
    let mut worst: f64 = 0.0;
    for (page, sheet) in layout.sheets.iter().enumerate() {
        let info = gdal_corners(&path, page + 1);
        let wkt = info["coordinateSystem"]["wkt"].as_str().expect("a CRS");
        assert!(wkt.contains("WGS 84 / Pseudo-Mercator"), "{wkt}");
        let neatline = info["metadata"][""]["NEATLINE"]
            .as_str()
            .expect("a neatline");
        let corners = neatline_degrees(neatline);
        let [w, s, e, n] = sheet.ground;
        for expected in [(w, s), (w, n), (e, n), (e, s)] {
            let nearest = corners
                .iter()
                .map(|c| distance_m(*c, expected))
                .fold(f64::MAX, f64::min);
            worst = worst.max(nearest);
            assert!(
                nearest < 1.0,
                "sheet {} corner {expected:?}: {nearest} m off ({neatline})",
                sheet.name
            );
        }
    }
    eprintln!("georeferencing: the farthest corner is {worst:.2} m from the plan's");
    // Neighbours share the overlap: A2's west edge is inside A1, the overlap's width from A1's east.
    let (a1, a2) = (&layout.sheets[0], &layout.sheets[1]);
    let shared = distance_m((a2.ground[0], a1.ground[3]), (a1.ground[2], a1.ground[3]));
    assert!(
        (shared - bands::OVERLAP / 1000.0 * 5_000.0).abs() < 0.5,
        "{shared} m shared"
    );

    // poppler: the words are text (searchable, readable by a screen reader).
    {
        let output = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils)");
        let text = String::from_utf8_lossy(&output.stdout);
        for (label, _, _) in SYMBOLS {
            assert!(text.contains(label), "{label} in {text}");
        }
        for words in [
            "Referencias",
            "Hoja A1 de 4",
            "T2W-EKG",
            "Zona aproximada de un dato sensible",
        ] {
            assert!(text.contains(words), "{words} in {text}");
        }
    }

    // Every fiducial mark and QR from the pages' pixels, at 216 dpi.
    for (index, (w, h, grey)) in pages_grey(&bytes, 3.0).into_iter().enumerate() {
        let found = tags(w, h, &grey);
        let ids: Vec<usize> = found.iter().map(|(id, _)| *id).collect();
        let expected: Vec<usize> = (0..4)
            .map(|corner| print::tag_id(index as u32, corner) as usize)
            .collect();
        assert_eq!(ids, expected, "sheet {index}");
        let texts = qr_texts(w, h, &grey);
        assert!(
            texts.contains(&print::sheet_code(print.id, &layout.sheets[index])),
            "sheet {index}: {texts:?}"
        );
        assert!(
            texts.contains(&"http://192.168.0.10:8080/j/T2W-EKG".to_owned()),
            "{texts:?}"
        );
        // The tags are where the plan says (mm → pixels at 216 dpi), to a pixel or two.
        let px = |mm: f64| mm / 25.4 * 216.0;
        for ((_, centre), (left, top, side)) in found.iter().zip(print::tag_squares(layout.page_mm))
        {
            let (x, y) = (px(left + side / 2.0), px(top + side / 2.0));
            assert!(
                (centre[0] - x).abs() < 2.0 && (centre[1] - y).abs() < 2.0,
                "{centre:?} vs ({x}, {y})"
            );
        }
    }
}

/// One A4 sheet with the notes half: the map fits the area, the notes' heading is there.
#[test]
fn one_a4_sheet_with_notes_fits_the_area() {
    let layout = plan(&PrintRequest {
        area: BBox {
            min_x: -58.404,
            min_y: -34.766,
            max_x: -58.398,
            max_y: -34.762,
        },
        paper: PaperSize::A4,
        orientation: Orientation::Portrait,
        scale: None,
        columns: 1,
        rows: 1,
        overlap_mm: bands::OVERLAP,
        notes: true,
        legend_mm: print::legend_mm(SYMBOLS.len() + 1, 210.0),
    })
    .expect("plan");
    let print = a_print(layout, true);
    let bytes = render(&print);
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("hoja.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let info = gdal_corners(&path, 1);
    assert!(info["metadata"][""]["NEATLINE"].is_string(), "{info}");
    {
        let output = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils)");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Notas de la mesa"));
    }
    let (w, h, grey) = pages_grey(&bytes, 3.0).remove(0);
    assert_eq!(tags(w, h, &grey).len(), 4);
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&screenshot).expect("dir");
    std::fs::copy(&path, screenshot.join("print-a4-notes.pdf")).expect("keep it to look at");
}

/// A result for the community: counts in the legend, the confirmed zones numbered and named,
/// the text wrapped under the map, and no marks to bring it back.
#[test]
fn a_result_names_its_zones_counts_its_drawings_and_carries_no_marks() {
    let layout = plan(&PrintRequest {
        area: lomas(),
        paper: PaperSize::A3,
        orientation: Orientation::Portrait,
        scale: None,
        columns: 1,
        rows: 1,
        overlap_mm: bands::OVERLAP,
        notes: true,
        legend_mm: print::legend_mm(SYMBOLS.len() + 2, 297.0),
    })
    .expect("plan");
    let mut result = a_print(layout, true);
    result.join = None;
    for (i, key) in result.legend.iter_mut().enumerate() {
        key.count = Some(result.drawings.iter().filter(|d| d.key == i).count() as u64);
    }
    let square = |x: f64, y: f64| {
        geo::Geometry::Polygon(geo::Polygon::new(
            geo::LineString::from(vec![
                (x, y),
                (x + 0.004, y),
                (x + 0.004, y + 0.003),
                (x, y + 0.003),
                (x, y),
            ]),
            vec![],
        ))
    };
    result.result = Some(print::Outcome {
        zones: vec![
            ("Feria de la avenida".into(), square(-58.408, -34.768)),
            ("Barrio Santa Catalina".into(), square(-58.400, -34.764)),
        ],
        text: "En el taller del 8 de diciembre las mesas marcaron dónde trabajan chicas y chicos. \
               Estas son las zonas que la comisión prioriza para actuar primero, con las escuelas y los comedores del barrio."
            .into(),
    });
    let bytes = render(&result);
    let dir = tempfile::TempDir::new().expect("dir");
    let path = dir.path().join("devolucion.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&screenshot).expect("dir");
    std::fs::copy(&path, screenshot.join("print-result-a3.pdf")).expect("keep it to look at");
    let output = Command::new("pdftotext")
        .args(["-raw"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&output.stdout);
    let schools = result.drawings.iter().filter(|d| d.key == 1).count();
    for words in [
        "1 · Feria de la avenida".to_owned(),
        "2 · Barrio Santa Catalina".to_owned(),
        "Zonas prioritarias (2)".to_owned(),
        format!("Escuela ({schools})"),
        "comisión prioriza".to_owned(),
    ] {
        assert!(text.contains(&words), "{words} in {text}");
    }
    let (w, h, grey) = pages_grey(&bytes, 2.0).remove(0);
    assert!(
        tags(w, h, &grey).is_empty(),
        "a result has no fiducial marks"
    );
    assert!(qr_texts(w, h, &grey).is_empty(), "nor a QR");
    assert!(gdal_corners(&path, 1)["metadata"][""]["NEATLINE"].is_string());
}

/// An A4 page's pixels in colour, at `scale` × 72 dpi.
fn page_rgb(bytes: &[u8], scale: f32) -> image::RgbImage {
    let (w, h, grey) = pages_grey(bytes, scale).remove(0);
    image::RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let v = grey[y as usize * w + x as usize];
        image::Rgb([v, v, v])
    })
}

/// `page` as a phone would photograph it: seen through `h` (page pixels → photo pixels) onto
/// a `size` photo of a grey table, lit unevenly, blurred, saved as JPEG at quality 70.
fn photograph(
    page: &image::RgbImage,
    h: &print::recover::Homography,
    size: (u32, u32),
    blur: f32,
) -> image::RgbImage {
    let inverse = print::recover::homography(
        &[(0.0, 0.0), (1000.0, 0.0), (1000.0, 1000.0), (0.0, 1000.0)]
            .map(|p| print::recover::apply(h, p)),
        &[(0.0, 0.0), (1000.0, 0.0), (1000.0, 1000.0), (0.0, 1000.0)],
    )
    .expect("inverse");
    let seen = image::RgbImage::from_fn(size.0, size.1, |x, y| {
        let (px, py) = print::recover::apply(&inverse, (f64::from(x) + 0.5, f64::from(y) + 0.5));
        let light = 0.55 + 0.45 * f64::from(x) / f64::from(size.0);
        let base = if px >= 0.0
            && py >= 0.0
            && (px as u32) < page.width()
            && (py as u32) < page.height()
        {
            page.get_pixel(px as u32, py as u32).0[0]
        } else {
            90
        };
        let v = (f64::from(base) * light) as u8;
        image::Rgb([v, v, v])
    });
    let seen = image::imageops::blur(&seen, blur);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70)
        .encode_image(&seen)
        .expect("jpeg");
    image::load_from_memory(&jpeg).expect("decode").to_rgb8()
}

/// A perspective of the page: turned by `turn` degrees, tilted by `tilt` degrees (its far edge
/// shrunk as a camera at that angle sees it), fitted into 90 % of a `size` photo.
fn perspective(
    page: (u32, u32),
    size: (u32, u32),
    turn: f64,
    tilt: f64,
) -> print::recover::Homography {
    let (w, h) = (f64::from(page.0), f64::from(page.1));
    let (c, s) = (turn.to_radians().cos(), turn.to_radians().sin());
    let g = tilt.to_radians().tan() / h;
    // Centre, tilt (projective row), turn.
    let raw = |(x, y): (f64, f64)| {
        let (x, y) = (x - w / 2.0, y - h / 2.0);
        let k = 1.0 + g * (y + h / 2.0) * -0.5;
        let (x, y) = (x / k, y / k);
        (c * x - s * y, s * x + c * y)
    };
    let corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)].map(raw);
    let (min_x, max_x) = corners
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_y, max_y) = corners
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let fit =
        (0.9 * f64::from(size.0) / (max_x - min_x)).min(0.9 * f64::from(size.1) / (max_y - min_y));
    let placed = |p: (f64, f64)| {
        let q = raw(p);
        (
            (q.0 - (min_x + max_x) / 2.0) * fit + f64::from(size.0) / 2.0,
            (q.1 - (min_y + max_y) / 2.0) * fit + f64::from(size.1) / 2.0,
        )
    };
    // The exact homography of the four corners (the warp is projective by construction).
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    print::recover::homography(&from, &from.map(placed)).expect("a homography")
}

/// The round trip: a printed sheet, photographed as a phone would (turned, tilted up to 30°,
/// blurred, lit unevenly, JPEG 70), is found again and straightened; the detection rate and
/// the ground error of its frame's corners and middle are printed, and each found photo puts
/// them within 5 m at 1:5,000.
#[test]
fn a_photographed_sheet_is_found_and_placed_within_5_m() {
    let layout = plan(&PrintRequest {
        area: BBox {
            min_x: -58.404,
            min_y: -34.766,
            max_x: -58.398,
            max_y: -34.762,
        },
        paper: PaperSize::A4,
        orientation: Orientation::Landscape,
        scale: Some(5_000.0),
        columns: 1,
        rows: 1,
        overlap_mm: bands::OVERLAP,
        notes: false,
        legend_mm: print::legend_mm(SYMBOLS.len() + 1, 297.0),
    })
    .expect("plan");
    let sheet = layout.sheets[0].clone();
    let bytes = render(&a_print(layout.clone(), false));
    let dpi = 216.0;
    let page = page_rgb(&bytes, 3.0);
    let px = dpi / 25.4;
    let size = (2400, 1800);
    let frame = sheet.frame;
    let probes = [
        (frame.x, frame.y),
        (frame.x + frame.width, frame.y),
        (frame.x + frame.width, frame.y + frame.height),
        (frame.x, frame.y + frame.height),
        (frame.x + frame.width / 2.0, frame.y + frame.height / 2.0),
    ];
    let mut found = 0;
    let mut errors = Vec::new();
    let cases: Vec<(f64, f64, f32)> = vec![
        (0.0, 0.0, 0.6),
        (7.0, 10.0, 1.0),
        (-12.0, 20.0, 1.0),
        (25.0, 30.0, 1.2),
        (90.0, 15.0, 0.8),
        (180.0, 25.0, 1.0),
        (-95.0, 30.0, 1.4),
        (45.0, 5.0, 1.0),
        (3.0, 30.0, 1.6),
        (-30.0, 22.0, 0.8),
    ];
    for (turn, tilt, blur) in &cases {
        let h = perspective(page.dimensions(), size, *turn, *tilt);
        let photo = photograph(&page, &h, size, *blur);
        let grey = image::DynamicImage::ImageRgb8(photo.clone()).to_luma8();
        if *turn == 0.0 {
            let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
            std::fs::create_dir_all(&screenshot).expect("dir");
            grey.save(screenshot.join("return-photo-straight.png"))
                .expect("save");
        }
        let located = match print::recover::locate(&grey, layout.page_mm) {
            Ok(located) => located,
            Err(why) => {
                eprintln!("turn {turn}°, tilt {tilt}°, blur {blur}: not found: {why}");
                continue;
            }
        };
        found += 1;
        assert_eq!(located.sheet_index, 0);
        // The true place of each probe in the photo, and where the fit says it is, in mm of
        // paper (the photo's pixels a millimetre there), then metres at 1:5,000.
        let worst = probes
            .iter()
            .map(|&(x, y)| {
                let truth = print::recover::apply(&h, (x * px, y * px));
                let fitted = print::recover::apply(&located.paper_to_photo, (x, y));
                let step = print::recover::apply(&h, ((x + 1.0) * px, y * px));
                let px_per_mm = ((step.0 - truth.0).powi(2) + (step.1 - truth.1).powi(2)).sqrt();
                let mm = ((fitted.0 - truth.0).powi(2) + (fitted.1 - truth.1).powi(2)).sqrt()
                    / px_per_mm;
                mm * layout.scale / 1000.0
            })
            .fold(0.0, f64::max);
        eprintln!(
            "turn {turn}°, tilt {tilt}°, blur {blur}: found (corners {:?}, residual {:.2} px), worst ground error {worst:.2} m",
            located.corners, located.residual_px
        );
        errors.push(worst);
        if *turn == 25.0 {
            let straight = print::recover::rectify(&photo, &located, frame, 4.0);
            let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
            std::fs::create_dir_all(&screenshot).expect("dir");
            photo
                .save(screenshot.join("return-photo.jpg"))
                .expect("save");
            straight
                .save(screenshot.join("return-rectified.png"))
                .expect("save");
        }
    }
    errors.sort_by(f64::total_cmp);
    eprintln!(
        "round trip: {found} of {} photos found; ground error at 1:5,000: median {:.2} m, worst {:.2} m",
        cases.len(),
        errors.get(errors.len() / 2).copied().unwrap_or(f64::NAN),
        errors.last().copied().unwrap_or(f64::NAN)
    );
    assert!(
        found * 100 >= cases.len() * 95,
        "{found} of {} found",
        cases.len()
    );
    assert!(errors.iter().all(|e| *e < 5.0), "{errors:?}");
}
