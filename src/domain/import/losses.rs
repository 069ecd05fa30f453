//! Files that lost rows, or said the wrong thing, without a word before (issue 23): each case
//! carries its file, as it came from the tool people used, and what the import must say.

use super::*;
use crate::domain::legend::Symbol;

fn legend() -> Vec<Symbol> {
    serde_json::from_str(include_str!("../../../tests/fixtures/legend.json")).expect("legend")
}

fn read_text(format: ImportFormat, text: &str) -> Outcome {
    read(
        format,
        text.as_bytes(),
        &Mapping {
            default_symbol: Some("escuela".into()),
            ..Mapping::default()
        },
        &legend(),
        FeatureLimits::default(),
    )
}

#[test]
fn a_csv_quote_never_closed_says_where_it_opened_and_what_it_swallowed() {
    // Five rows; the third's title opens a quote and never closes it. The csv crate reads
    // rows 3-5 as one cell and says nothing.
    let csv = "nombre,lon,lat\n\
               Escuela 1,-58.40,-34.76\n\
               Escuela 2,-58.41,-34.76\n\
               \"Escuela 3,-58.42,-34.76\n\
               Escuela 4,-58.43,-34.76\n\
               Escuela 5,-58.44,-34.76\n";
    let outcome = read_text(ImportFormat::Csv, csv);
    assert!(
        !outcome.problems.is_empty(),
        "a swallowed file is never clean"
    );
    let problem = outcome.problems.last().expect("a problem");
    assert!(
        problem.problem.contains("opened on line 4 is never closed")
            && problem.problem.contains("to the end of the file (line 6)"),
        "{problem:?}"
    );
    // The rows before it stay as they were.
    assert_eq!(outcome.ready.len(), 2);
    // A quote in the header: the whole file is one row.
    let header = read_text(ImportFormat::Csv, "\"nombre,lon,lat\nA,-58.4,-34.7\n");
    assert!(
        header.problems[0].problem.contains("header row"),
        "{:?}",
        header.problems
    );
    // Quotes that close, with a doubled quote inside, are fine.
    let fine = read_text(
        ImportFormat::Csv,
        "nombre,lon,lat\n\"La \"\"Escuelita\"\", turno tarde\",-58.40,-34.76\n",
    );
    assert!(fine.problems.is_empty(), "{:?}", fine.problems);
    assert_eq!(
        fine.ready[0].title.as_deref(),
        Some("La \"Escuelita\", turno tarde")
    );
}

#[test]
fn unlocated_features_are_listed_and_may_be_left_out() {
    // As Mapeo exports an observation made without a GPS fix, and as GDAL writes an empty one.
    let geojson = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"symbol": "escuela"}, "geometry": {"type": "Point", "coordinates": [-58.40, -34.76]}},
        {"type": "Feature", "properties": {"symbol": "escuela", "notes": "sin GPS"}, "geometry": null},
        {"type": "Feature", "properties": {"symbol": "escuela"}, "geometry": {"type": "Point", "coordinates": []}},
        {"type": "Feature", "properties": {"symbol": "escuela"}, "geometry": {"type": "Point", "coordinates": [-58.41, -34.76]}}
    ]}"#;
    let mut outcome = read_text(ImportFormat::GeoJson, geojson);
    assert_eq!(outcome.ready.len(), 2);
    let codes: Vec<(usize, &str)> = outcome.problems.iter().map(|p| (p.item, p.code)).collect();
    assert_eq!(codes, vec![(2, "unlocated"), (3, "unlocated")]);
    let left_out = outcome.leave_out_unlocated();
    assert_eq!(left_out.len(), 2);
    assert!(outcome.problems.is_empty());
    // A survey's row without coordinates is unlocated too; a row with words for numbers is not.
    let csv = read_text(
        ImportFormat::Csv,
        "nombre,lon,lat\nA,-58.40,-34.76\nB,,\nC,abc,-34.7\n",
    );
    let codes: Vec<(usize, &str)> = csv.problems.iter().map(|p| (p.item, p.code)).collect();
    assert_eq!(codes, vec![(2, "unlocated"), (3, "geometry")]);
}

#[test]
fn a_polygon_of_no_area_is_refused_naming_why() {
    let geojson = r#"{"type": "Feature", "properties": {"symbol": "zona_riesgo"},
        "geometry": {"type": "Polygon", "coordinates": [[[-58.40, -34.70], [-58.39, -34.69], [-58.38, -34.68], [-58.40, -34.70]]]}}"#;
    let outcome = read_text(ImportFormat::GeoJson, geojson);
    assert!(
        outcome.problems[0].problem.contains("has no area"),
        "{:?}",
        outcome.problems
    );
}

#[test]
fn a_kml_of_network_links_says_where_its_content_is_and_fetches_nothing() {
    let kml = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <NetworkLink><name>Capa 1</name><Link><href>https://www.google.com/maps/d/kml?mid=1AbC&amp;forcekml=1</href></Link></NetworkLink>
</Document></kml>"#;
    let outcome = read_text(ImportFormat::Kml, kml);
    let problem = &outcome.problems[0].problem;
    assert!(
        problem.contains("NetworkLink")
            && problem.contains("https://www.google.com/maps/d/kml?mid=1AbC&forcekml=1")
            && problem.contains("does not fetch"),
        "{problem}"
    );
}

#[test]
fn gpx_with_decimal_commas_names_the_comma() {
    let gpx =
        r#"<gpx version="1.1"><wpt lat="-34,76" lon="-58,40"><name>Escuela</name></wpt></gpx>"#;
    let outcome = read_text(ImportFormat::Gpx, gpx);
    let problem = &outcome.problems[0].problem;
    assert!(
        problem.contains("decimal comma") && problem.contains("lat=\"-34.76\""),
        "{problem}"
    );
}

#[test]
fn files_of_other_formats_are_named_with_what_to_do() {
    let zipped = |name: &str| {
        let mut bytes = Vec::new();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        for part in [".shp", ".dbf", ".shx", ".prj"] {
            zip.start_file(
                format!("{name}{part}"),
                zip::write::SimpleFileOptions::default(),
            )
            .expect("entry");
            std::io::Write::write_all(&mut zip, b"x").expect("write");
        }
        zip.finish().expect("finish");
        bytes
    };
    let said = |format: ImportFormat, bytes: &[u8]| {
        read(
            format,
            bytes,
            &Mapping::default(),
            &legend(),
            FeatureLimits::default(),
        )
        .problems[0]
            .problem
            .clone()
    };
    for format in [ImportFormat::GeoJson, ImportFormat::Kml, ImportFormat::Csv] {
        let problem = said(format, &zipped("barrio"));
        assert!(
            problem.contains("zipped shapefile") && problem.contains("ogr2ogr"),
            "{problem}"
        );
        let problem = said(format, b"SQLite format 3\0\x10\x00rest of a GeoPackage");
        assert!(
            problem.contains("GeoPackage") && problem.contains("QGIS"),
            "{problem}"
        );
    }
}

#[test]
fn my_maps_html_descriptions_become_plain_text_in_every_reader() {
    let html = r#"Taller<br>Turno noche &amp; sábados<br><img src="https://mymaps.usercontent.google.com/x"/><a href="https://example.org">nota</a>"#;
    let escaped = html
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let kml = format!(
        r#"<kml><Placemark><name>Escuela</name><description>{escaped}</description><Point><coordinates>-58.4,-34.7</coordinates></Point></Placemark></kml>"#
    );
    let geojson = serde_json::json!({"type": "Feature", "properties": {"name": "Escuela", "description": html},
        "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}})
    .to_string();
    let csv = format!(
        "name,description,lon,lat\nEscuela,\"{}\",-58.4,-34.7\n",
        html.replace('"', "\"\"")
    );
    for (format, text) in [
        (ImportFormat::Kml, kml),
        (ImportFormat::GeoJson, geojson),
        (ImportFormat::Csv, csv),
    ] {
        let outcome = read_text(format, &text);
        assert!(
            outcome.problems.is_empty(),
            "{format:?}: {:?}",
            outcome.problems
        );
        let description = outcome.ready[0]
            .description
            .as_deref()
            .expect("a description");
        assert_eq!(
            description.lines().take(2).collect::<Vec<_>>(),
            ["Taller", "Turno noche & sábados"],
            "{format:?}: {description}"
        );
        assert!(description.contains("nota") && description.contains("https://example.org"));
        assert!(!description.contains('<') && !description.contains("usercontent"));
        assert_eq!(outcome.warnings[0].code, "images_dropped", "{format:?}");
    }
}

#[test]
fn a_file_of_more_items_than_an_import_takes_is_refused_saying_the_cap() {
    let waypoints = "<wpt lat=\"-34.7\" lon=\"-58.4\"/>".repeat(MAX_IMPORT_ITEMS + 1);
    let outcome = read_text(ImportFormat::Gpx, &format!("<gpx>{waypoints}</gpx>"));
    assert!(
        outcome.problems[0]
            .problem
            .contains(&format!("more than {MAX_IMPORT_ITEMS} items")),
        "{:?}",
        outcome.problems
    );
    assert!(outcome.ready.is_empty());
    let waypoints = "<wpt lat=\"-34.7\" lon=\"-58.4\"/>".repeat(MAX_IMPORT_ITEMS);
    let outcome = read_text(ImportFormat::Gpx, &format!("<gpx>{waypoints}</gpx>"));
    assert_eq!(outcome.ready.len(), MAX_IMPORT_ITEMS);
}

#[test]
fn repeated_warnings_are_summarised_by_kind() {
    let problems: Vec<Problem> = (1..=50)
        .map(|item| Problem {
            item,
            line: None,
            problem: "duplicate".into(),
            code: if item % 10 == 0 {
                "axis_swap"
            } else {
                "duplicate"
            },
            value: None,
        })
        .collect();
    let (listed, counts) = summarise(&problems);
    assert_eq!(counts["duplicate"], 45);
    assert_eq!(counts["axis_swap"], 5);
    assert_eq!(listed.len(), LISTED_PER_KIND + 5);
}
