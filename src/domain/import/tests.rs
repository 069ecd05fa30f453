//! The importers' unit tests, one per kind of file people bring (My Maps, GPS apps, Kobo/ODK,
//! Excel, QGIS): long because each case carries its file.

use super::*;
use crate::domain::legend::Symbol;
use geo::polygon;

fn legend() -> Vec<Symbol> {
    serde_json::from_str(include_str!("../../../tests/fixtures/legend.json")).expect("legend")
}

fn mapping(pairs: &[(&str, &str)]) -> Mapping {
    Mapping {
        field: None,
        categories: pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect(),
        default_symbol: None,
        columns: Columns::default(),
        answers: Default::default(),
    }
}

const NO_PLACEMARK_GEOMETRY: &str =
    "a Placemark without a geometry (no Point, LineString, Polygon, MultiGeometry or gx:Track)";

#[test]
fn my_maps_kml_folders_are_categories() {
    let kml = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Mapa del barrio</name>
    <Folder>
      <name>Escuelas</name>
      <Placemark>
        <name>Escuela 12</name>
        <description>Turno mañana</description>
        <styleUrl>#icon-1526-0288D1</styleUrl>
        <Point><coordinates>-58.40,-34.76,0</coordinates></Point>
      </Placemark>
    </Folder>
    <Folder>
      <name>Zonas</name>
      <Placemark>
        <name>Zona</name>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          -58.45,-34.72,0 -58.446,-34.72,0 -58.446,-34.716,0 -58.45,-34.716,0 -58.45,-34.72,0
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
      </Placemark>
      <Placemark>
        <name>Sin forma</name>
      </Placemark>
    </Folder>
  </Document>
</kml>"#;
    let outcome = read(
        ImportFormat::Kml,
        kml.as_bytes(),
        &mapping(&[("Escuelas", "escuela"), ("Zonas", "zona_riesgo")]),
        &legend(),
        FeatureLimits::default(),
    );
    assert_eq!(outcome.ready.len(), 2, "{:?}", outcome.problems);
    assert_eq!(outcome.ready[0].symbol, "escuela");
    assert_eq!(outcome.ready[0].title.as_deref(), Some("Escuela 12"));
    assert_eq!(outcome.categories["Zonas"], 2);
    assert_eq!(
        outcome.problems,
        vec![Problem {
            item: 3,
            line: Some(22),
            problem: NO_PLACEMARK_GEOMETRY.into(),
            code: "unlocated",
            value: Some(NO_PLACEMARK_GEOMETRY.into()),
        }]
    );
}

#[test]
fn gpx_waypoints_and_tracks() {
    let gpx = r#"<?xml version="1.0"?>
<gpx version="1.1" creator="OsmAnd" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="-34.76" lon="-58.40"><name>Escuela</name><type>escuela</type></wpt>
  <wpt lat="-34.70" lon="-58.41"><name>Kiosco</name><type>kiosco</type></wpt>
  <trk><name>Camino</name><type>ruta_insegura</type>
    <trkseg><trkpt lat="-34.72" lon="-58.45"/><trkpt lat="-34.725" lon="-58.44"/></trkseg>
  </trk>
</gpx>"#;
    let outcome = read(
        ImportFormat::Gpx,
        gpx.as_bytes(),
        &Mapping::default(),
        &legend(),
        FeatureLimits::default(),
    );
    assert_eq!(outcome.ready.len(), 2);
    assert_eq!(outcome.ready[1].symbol, "ruta_insegura");
    assert_eq!(outcome.problems.len(), 1);
    assert_eq!(outcome.problems[0].item, 2);
    assert_eq!(outcome.problems[0].line, Some(4));
    assert!(
        outcome.problems[0]
            .problem
            .contains("unknown category \"kiosco\"")
    );
}

#[test]
fn csv_with_lon_lat_or_wkt_reports_rows_by_line() {
    let csv = "name,tipo,lon,lat,wkt\n\
               Escuela,escuela,-58.40,-34.76,\n\
               Ruta,ruta,,,\"LINESTRING(-58.45 -34.72, -58.44 -34.725)\"\n\
               Mal,escuela,abc,-34.7,\n\
               Moño,escuela,-58.41,-34.75,\n\
               Lejos,escuela,-200,-34.7,\n";
    let outcome = read(
        ImportFormat::Csv,
        csv.as_bytes(),
        &Mapping {
            field: Some("tipo".into()),
            ..mapping(&[("ruta", "ruta_insegura")])
        },
        &legend(),
        FeatureLimits::default(),
    );
    assert_eq!(outcome.ready.len(), 3, "{:?}", outcome.problems);
    assert_eq!(outcome.ready[2].title.as_deref(), Some("Moño"));
    let lines: Vec<Option<usize>> = outcome.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![Some(4), Some(6)], "{:?}", outcome.problems);
    assert!(outcome.problems[0].problem.contains("must be numbers"));
}

#[test]
fn geojson_symbols_must_fit_their_geometry_and_bad_files_say_why() {
    let geojson = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"symbol": "comedor"}, "geometry": {"type": "LineString", "coordinates": [[-58.4, -34.7], [-58.3, -34.7]]}},
        {"type": "Feature", "properties": {"symbol": "ruta_insegura"}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}},
        {"type": "Feature", "properties": {"symbol": "escuela"}, "geometry": null},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}
    ]}"#;
    let outcome = read(
        ImportFormat::GeoJson,
        geojson.as_bytes(),
        &Mapping::default(),
        &legend(),
        FeatureLimits::default(),
    );
    // A line under a symbol drawn as points is imported as a point on it, with a warning.
    assert_eq!(outcome.ready.len(), 1);
    assert_eq!(outcome.ready[0].geometry.type_name(), "Point");
    assert_eq!(outcome.warnings[0].code, "reduced_to_point");
    assert_eq!(outcome.warnings[0].item, 1);
    let problems: Vec<&str> = outcome
        .problems
        .iter()
        .map(|p| p.problem.as_str())
        .collect();
    assert_eq!(
        problems[0],
        "the symbol \"ruta_insegura\" is drawn as line, and this item is 1 point"
    );
    assert_eq!(
        problems[1],
        "the Feature's geometry is null: it has no location (a phone without a GPS fix?)"
    );
    assert!(problems[2].starts_with("missing category"));
    let broken = read(
        ImportFormat::GeoJson,
        b"{\"type\": ",
        &Mapping::default(),
        &legend(),
        FeatureLimits::default(),
    );
    assert_eq!(broken.problems[0].item, 0);
    assert!(broken.problems[0].problem.starts_with("not JSON"));
}

#[test]
fn spreadsheets_in_spanish_use_semicolons_and_decimal_commas() {
    let csv = "nombre;categoria;longitud;latitud\nEscuela 5;escuela;-58,401;-34,761\n";
    let outcome = read(
        ImportFormat::Csv,
        csv.as_bytes(),
        &Mapping {
            field: Some("categoria".into()),
            ..Mapping::default()
        },
        &legend(),
        FeatureLimits::default(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.ready.len(), 1);
    let value = outcome.ready[0].geometry.to_geojson_value();
    assert_eq!(value["coordinates"], serde_json::json!([-58.401, -34.761]));
}

// ---- Files as the tools people use write them (tests/fixtures/imports) -------------------

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/imports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_fixture(format: ImportFormat, name: &str, mapping: &Mapping) -> Outcome {
    read(
        format,
        &fixture(name),
        mapping,
        &legend(),
        FeatureLimits::default(),
    )
}

fn codes(list: &[Problem]) -> Vec<(usize, &'static str)> {
    list.iter().map(|p| (p.item, p.code)).collect()
}

#[test]
fn a_geojson_with_a_byte_order_mark_and_four_number_positions_imports() {
    let outcome = read_fixture(
        ImportFormat::GeoJson,
        "bom-4d-positions.geojson",
        &Mapping::default(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.ready.len(), 2);
    assert_eq!(
        outcome.ready[1].geometry.to_geojson_string(),
        r#"{"type":"LineString","coordinates":[[-58.45,-34.72],[-58.44,-34.725]]}"#
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
}

#[test]
fn a_my_maps_kmz_is_opened_and_read_as_its_kml() {
    let outcome = read_fixture(
        ImportFormat::Kml,
        "my-maps.kmz",
        &mapping(&[("Escuelas", "escuela"), ("Comedores", "comedor")]),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.ready.len(), 2);
    assert_eq!(outcome.ready[0].title.as_deref(), Some("Escuela 40"));
    assert_eq!(
        outcome.ready[0].line,
        Some(8),
        "lines are the KML's, inside the archive"
    );
    // "lon, lat" with a space after the comma, as some writers put it.
    assert_eq!(
        outcome.ready[1].geometry.to_geojson_string(),
        r#"{"type":"Point","coordinates":[-58.4701,-34.7094]}"#
    );
    // Read from ExtendedData when asked.
    let by_field = read_fixture(
        ImportFormat::Kml,
        "my-maps.kmz",
        &Mapping {
            field: Some("tipo".into()),
            default_symbol: Some("comedor".into()),
            ..Mapping::default()
        },
    );
    assert_eq!(by_field.ready[0].symbol, "escuela");
    assert_eq!(by_field.ready[1].symbol, "comedor");
}

#[test]
fn a_track_keeps_its_good_segment_and_says_which_it_left_out() {
    let outcome = read_fixture(
        ImportFormat::Gpx,
        "track-single-point-segment.gpx",
        &Mapping::default(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.ready.len(), 1);
    assert_eq!(outcome.ready[0].geometry.type_name(), "LineString");
    assert_eq!(codes(&outcome.warnings), vec![(1, "dropped_segment")]);
    assert_eq!(outcome.warnings[0].line, Some(4));
    assert!(
        outcome.warnings[0]
            .problem
            .starts_with("track segment 1 has fewer than 2")
    );
}

#[test]
fn excel_csv_in_windows_1252_with_semicolons_and_decimal_commas_imports() {
    let outcome = read_fixture(
        ImportFormat::Csv,
        "excel-windows-1252.csv",
        &Mapping::default(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.ready[0].title.as_deref(), Some("Niños en la feria"));
    assert_eq!(outcome.ready[1].title.as_deref(), Some("Comedor San José"));
    assert_eq!(
        outcome.ready[0].geometry.to_geojson_string(),
        r#"{"type":"Point","coordinates":[-58.4702,-34.7105]}"#
    );
    assert_eq!(codes(&outcome.warnings), vec![(0, "encoding")]);
    assert_eq!(outcome.warnings[0].value.as_deref(), Some("windows-1252"));
}

#[test]
fn survey_tools_coordinate_columns_are_found() {
    let kobo = read_fixture(ImportFormat::Csv, "kobo.csv", &Mapping::default());
    assert!(kobo.problems.is_empty(), "{:?}", kobo.problems);
    assert_eq!(
        kobo.ready[0].geometry.to_geojson_string(),
        r#"{"type":"Point","coordinates":[-58.4688,-34.7112]}"#
    );
    // ODK Central: group-prefixed columns; the geoshape column named by the importer.
    let odk = read_fixture(
        ImportFormat::Csv,
        "odk-central.csv",
        &Mapping {
            field: Some("datos-tipo".into()),
            columns: Columns {
                geometry: Some("datos-zona".into()),
                ..Columns::default()
            },
            ..Mapping::default()
        },
    );
    assert!(odk.problems.is_empty(), "{:?}", odk.problems);
    assert_eq!(odk.ready[0].geometry.type_name(), "Point");
    assert_eq!(odk.ready[1].geometry.type_name(), "Polygon");
    // Without it, the row with only a geoshape says what it lacks.
    let unnamed = read_fixture(
        ImportFormat::Csv,
        "odk-central.csv",
        &Mapping {
            field: Some("datos-tipo".into()),
            ..Mapping::default()
        },
    );
    assert_eq!(
        unnamed.problems[0].problem,
        "the row has no longitude (\"datos-lugar-longitude\" is empty) and latitude (\"datos-lugar-latitude\" is empty)"
    );
}

#[test]
fn columns_that_cannot_be_guessed_are_named_by_the_importer() {
    let guessed = read_fixture(ImportFormat::Csv, "own-columns.csv", &Mapping::default());
    assert_eq!(guessed.problems[0].item, 0);
    assert!(
        guessed.problems[0]
            .problem
            .contains("lon_column and lat_column"),
        "{:?}",
        guessed.problems
    );
    let named = read_fixture(
        ImportFormat::Csv,
        "own-columns.csv",
        &Mapping {
            field: Some("tipo".into()),
            columns: Columns {
                lon: Some("Este_Grados".into()),
                lat: Some("norte_grados".into()),
                geometry: None,
            },
            ..Mapping::default()
        },
    );
    assert!(named.problems.is_empty(), "{:?}", named.problems);
    assert_eq!(named.ready[0].title.as_deref(), Some("Escuela 40"));
}

#[test]
fn nested_collections_are_flattened_into_what_the_symbol_is_drawn_as() {
    let outcome = read_fixture(
        ImportFormat::GeoJson,
        "nested-collections.geojson",
        &Mapping::default(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    // A risk zone drawn as two polygons and a point: the polygons, and a warning for the point.
    assert_eq!(outcome.ready[0].geometry.type_name(), "MultiPolygon");
    assert_eq!(codes(&outcome.warnings), vec![(1, "dropped_parts")]);
    assert!(outcome.warnings[0].problem.starts_with("1 point left out"));
    // A school drawn as its door and its grounds: both, as two drawings of the one item.
    assert_eq!(outcome.ready.len(), 3);
    assert_eq!(
        (
            outcome.ready[1].number,
            outcome.ready[1].geometry.type_name()
        ),
        (2, "Point")
    );
    assert_eq!(
        (
            outcome.ready[2].number,
            outcome.ready[2].geometry.type_name()
        ),
        (2, "Polygon")
    );
}

#[test]
fn tracking_apps_kml_extensions_are_read_and_a_model_says_what_it_is() {
    let outcome = read_fixture(
        ImportFormat::Kml,
        "tracking-app.kml",
        &Mapping {
            default_symbol: Some("ruta_insegura".into()),
            ..Mapping::default()
        },
    );
    let types: Vec<&str> = outcome
        .ready
        .iter()
        .map(|r| r.geometry.type_name())
        .collect();
    assert_eq!(
        types,
        vec!["LineString", "MultiLineString", "MultiLineString"]
    );
    assert_eq!(outcome.problems.len(), 1);
    assert_eq!(outcome.problems[0].item, 4);
    assert_eq!(
        outcome.problems[0].problem,
        "a 3D Model is not a drawing and cannot be imported"
    );
}

#[test]
fn a_crs_other_than_wgs84_is_refused_and_says_how_to_fix_it() {
    let outcome = read_fixture(
        ImportFormat::GeoJson,
        "gauss-kruger.geojson",
        &Mapping::default(),
    );
    assert!(outcome.ready.is_empty());
    assert_eq!(outcome.problems.len(), 1);
    assert!(
        outcome.problems[0].problem.starts_with(
            "the file's coordinates are in urn:ogc:def:crs:EPSG::5347 (its \"crs\" member)"
        ),
        "{:?}",
        outcome.problems
    );
    // Without the crs member, the numbers themselves say they are metres.
    let bare = read(
        ImportFormat::GeoJson,
        br#"{"type":"Point","coordinates":[5633505.2,6158010.7]}"#,
        &Mapping {
            default_symbol: Some("escuela".into()),
            ..Mapping::default()
        },
        &legend(),
        FeatureLimits::default(),
    );
    assert!(
        bare.problems[0]
            .problem
            .contains("metres of a projected coordinate system")
    );
}

#[test]
fn the_dry_run_warns_of_swapped_axes_strays_and_drawings_the_workshop_has() {
    let mut outcome = read_fixture(
        ImportFormat::Csv,
        "swapped-and-stray.csv",
        &Mapping::default(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let area = geo::Geometry::Polygon(polygon![
        (x: -58.53, y: -34.84), (x: -58.33, y: -34.84), (x: -58.33, y: -34.68), (x: -58.53, y: -34.68)
    ]);
    let existing = [(
        "comedor".to_owned(),
        outcome.ready[0].geometry.to_geojson_string(),
    )]
    .into_iter()
    .collect();
    check(
        &mut outcome,
        &Surroundings {
            area: Some(area),
            existing,
            ..Surroundings::default()
        },
    );
    assert_eq!(
        codes(&outcome.warnings),
        vec![
            (1, "duplicate"),
            (2, "outside_area"),
            (2, "axis_swap"),
            (3, "outside_area")
        ]
    );
    let madrid: f64 = outcome.warnings[3]
        .value
        .as_deref()
        .unwrap_or("")
        .parse()
        .expect("metres");
    assert!((9_900_000.0..10_200_000.0).contains(&madrid), "{madrid}");
    assert!(
        outcome.warnings[3]
            .problem
            .ends_with("km outside the project's area")
    );
    assert_eq!(outcome.ready.len(), 3, "warnings block nothing");
}
