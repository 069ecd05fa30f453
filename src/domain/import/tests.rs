use super::*;
use crate::domain::legend::Symbol;

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
            code: "geometry",
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
        "the Feature's geometry is null: a record without a location cannot be drawn"
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
