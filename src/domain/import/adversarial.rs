//! Adversarial inputs for every reader: nesting far past what any tool writes, and sizes that
//! made readers quadratic. Each runs on a thread with a quarter of a request thread's stack,
//! so that a reader that recursed with the input's depth would fail here first; none may
//! panic, and each answers either items or a problem.

use proptest::prelude::*;

use super::*;
use crate::domain::legend::Symbol;

fn legend() -> Vec<Symbol> {
    serde_json::from_str(include_str!("../../../tests/fixtures/legend.json")).expect("legend")
}

/// Reads on a thread with a 512 KiB stack (request threads have 2 MiB), with no cap on the
/// items of a file that a test would meet: the readers stay linear whatever cap an operator
/// sets (the cap itself is tested in `tests`).
fn read_small_stack(format: ImportFormat, bytes: Vec<u8>, mapping: Mapping) -> Outcome {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            read(
                format,
                &bytes,
                &mapping,
                &legend(),
                FeatureLimits {
                    max_import_items: 1_000_000,
                    ..FeatureLimits::default()
                },
            )
        })
        .expect("thread")
        .join()
        .expect("the reader neither panics nor exhausts its stack")
}

fn anything() -> Mapping {
    Mapping {
        default_symbol: Some("zona_riesgo".into()),
        ..Mapping::default()
    }
}

fn nested_multigeometry(depth: usize) -> String {
    format!(
        r#"<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>{}<Polygon><outerBoundaryIs><LinearRing><coordinates>-58.45,-34.72 -58.446,-34.72 -58.446,-34.716 -58.45,-34.72</coordinates></LinearRing></outerBoundaryIs></Polygon>{}</Placemark></kml>"#,
        "<MultiGeometry>".repeat(depth),
        "</MultiGeometry>".repeat(depth)
    )
}

#[test]
fn a_multigeometry_nested_two_thousand_deep_is_flattened_not_fatal() {
    // The file that aborted the server: 2,000 levels. And fifty times deeper.
    for depth in [1_500, 2_000, 100_000] {
        let outcome = read_small_stack(
            ImportFormat::Kml,
            nested_multigeometry(depth).into_bytes(),
            anything(),
        );
        assert!(
            outcome.problems.is_empty(),
            "{depth}: {:?}",
            outcome.problems
        );
        assert_eq!(outcome.ready.len(), 1);
        assert_eq!(outcome.ready[0].geometry.type_name(), "Polygon");
    }
}

#[test]
fn folders_nested_deep_with_many_placemarks_read_in_linear_time() {
    let depth = 20_000;
    let placemarks =
        "<Placemark><Point><coordinates>-58.45,-34.72</coordinates></Point></Placemark>"
            .repeat(20_000);
    let kml = format!(
        "<kml>{}<name>Escuelas</name>{placemarks}{}</kml>",
        "<Folder>".repeat(depth),
        "</Folder>".repeat(depth)
    );
    let outcome = read_small_stack(
        ImportFormat::Kml,
        kml.into_bytes(),
        Mapping {
            categories: [("Escuelas".to_owned(), "escuela".to_owned())].into(),
            ..Mapping::default()
        },
    );
    assert!(outcome.problems.is_empty(), "{:?}", &outcome.problems[..1]);
    assert_eq!(outcome.ready.len(), 20_000);
}

#[test]
fn eighty_thousand_waypoints_are_read_with_their_lines() {
    let waypoints: String = (0..80_000)
        .map(|i| {
            format!(
                "<wpt lat=\"{}\" lon=\"-58.4\"><type>escuela</type></wpt>\n",
                -34.7 - f64::from(i) * 1e-6
            )
        })
        .collect();
    let gpx = format!("<gpx version=\"1.1\">\n{waypoints}</gpx>");
    let outcome = read_small_stack(ImportFormat::Gpx, gpx.into_bytes(), Mapping::default());
    assert_eq!(outcome.ready.len(), 80_000);
    assert_eq!(outcome.ready[79_999].line, Some(80_001));
}

#[test]
fn json_nested_past_serde_jsons_limit_is_a_problem() {
    let deep_collection = format!(
        "{}{{\"type\":\"Point\",\"coordinates\":[0,0]}}{}",
        r#"{"type":"GeometryCollection","geometries":["#.repeat(100_000),
        "]}".repeat(100_000)
    );
    let deep_coordinates = format!(
        r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":{}0{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for text in [deep_collection, deep_coordinates] {
        let outcome = read_small_stack(ImportFormat::GeoJson, text.into_bytes(), anything());
        assert!(outcome.ready.is_empty());
        assert!(
            outcome.problems[0].problem.contains("recursion limit"),
            "{:?}",
            outcome.problems
        );
    }
}

#[test]
fn a_collection_nested_within_json_limits_is_flattened() {
    let depth = 60;
    let text = format!(
        "{}{{\"type\":\"Point\",\"coordinates\":[-58.4,-34.7]}}{}",
        r#"{"type":"GeometryCollection","geometries":["#.repeat(depth),
        "]}".repeat(depth)
    );
    let outcome = read_small_stack(
        ImportFormat::GeoJson,
        text.into_bytes(),
        Mapping {
            default_symbol: Some("escuela".into()),
            ..Mapping::default()
        },
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.ready[0].geometry.type_name(), "Point");
}

#[test]
fn wkt_nested_past_its_limit_is_a_problem() {
    let wkt = format!(
        "{}POINT(-58.4 -34.7){}",
        "GEOMETRYCOLLECTION(".repeat(50_000),
        ")".repeat(50_000)
    );
    let csv = format!("symbol,wkt\nescuela,\"{wkt}\"\n");
    let outcome = read_small_stack(ImportFormat::Csv, csv.into_bytes(), Mapping::default());
    assert!(
        outcome.problems[0]
            .problem
            .contains("nests more than 16 levels"),
        "{:?}",
        outcome.problems
    );
}

#[test]
fn a_kmz_that_unpacks_past_its_limit_is_refused_without_unpacking_it_all() {
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        zip.start_file("doc.kml", zip::write::SimpleFileOptions::default())
            .expect("entry");
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..(decode::MAX_UNPACKED / (1024 * 1024) + 1) {
            std::io::Write::write_all(&mut zip, &zeros).expect("write");
        }
        zip.finish().expect("finish");
    }
    assert!(
        bytes.len() < 1024 * 1024,
        "a bomb is small: {}",
        bytes.len()
    );
    let outcome = read_small_stack(ImportFormat::Kml, bytes, anything());
    assert!(
        outcome.problems[0].problem.contains(&format!(
            "unpacks to more than {} MB",
            decode::MAX_UNPACKED / (1024 * 1024)
        )),
        "{:?}",
        outcome.problems
    );
}

/// Random nesting of the elements and arrays each format allows, and random bytes.
fn tree(leaf: &'static str, open: &'static [&'static str]) -> impl Strategy<Value = String> {
    let leaf = Just(leaf.to_owned()).boxed();
    leaf.prop_recursive(24, 256, 4, move |inner| {
        (
            prop::sample::select(open),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(tag, children)| format!("<{tag}>{}</{tag}>", children.concat()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_nesting_of_kml_elements_gives_items_or_problems(
        body in tree(
            "<Point><coordinates>-58.4,-34.7</coordinates></Point>",
            &["MultiGeometry", "Placemark", "Folder", "Document", "Polygon", "outerBoundaryIs", "LinearRing", "gx:MultiTrack"],
        ),
        depth in 0usize..3_000,
    ) {
        let kml = format!(
            r#"<kml xmlns:gx="http://www.google.com/kml/ext/2.2">{}{body}{}</kml>"#,
            "<Folder>".repeat(depth),
            "</Folder>".repeat(depth)
        );
        read_small_stack(ImportFormat::Kml, kml.into_bytes(), anything());
    }

    #[test]
    fn any_nesting_of_gpx_elements_gives_items_or_problems(
        body in tree(r#"<trkpt lat="-34.7" lon="-58.4"/>"#, &["trk", "trkseg", "rte", "wpt", "extensions"]),
    ) {
        let gpx = format!("<gpx>{body}</gpx>");
        read_small_stack(ImportFormat::Gpx, gpx.into_bytes(), anything());
    }

    #[test]
    fn any_bytes_give_items_or_problems_in_every_format(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        for format in [ImportFormat::GeoJson, ImportFormat::Kml, ImportFormat::Gpx, ImportFormat::Csv] {
            read_small_stack(format, bytes.clone(), anything());
        }
    }

    #[test]
    fn any_json_nesting_of_arrays_and_collections_gives_items_or_problems(
        opens in prop::collection::vec(prop::sample::select(vec![
            "[", r#"{"type":"GeometryCollection","geometries":["#, r#"{"type":"MultiPolygon","coordinates":["#,
        ]), 0..300),
        leaf in prop::sample::select(vec!["[-58.4,-34.7]", "0", r#"{"type":"Point","coordinates":[-58.4,-34.7,1,2,3]}"#]),
    ) {
        let closes: String = opens.iter().rev().map(|o| if o.starts_with('[') { "]" } else { "]}" }).collect();
        let text = format!(r#"{{"type":"Feature","properties":{{}},"geometry":{}{leaf}{closes}}}"#, opens.concat());
        read_small_stack(ImportFormat::GeoJson, text.into_bytes(), anything());
    }

    #[test]
    fn any_wkt_and_csv_shape_gives_items_or_problems(
        opens in prop::collection::vec(prop::sample::select(vec!["GEOMETRYCOLLECTION(", "MULTIPOLYGON(", "(", "POLYGON(("]), 0..40),
        columns in 0usize..300,
        separator in prop::sample::select(vec![",", ";", "\t", "|"]),
    ) {
        let wkt = format!("{}POINT(-58.4 -34.7){}", opens.concat(), ")".repeat(opens.len()));
        let header = (0..columns).map(|i| format!("c{i}")).collect::<Vec<_>>().join(separator);
        let csv = format!("wkt{separator}{header}\n\"{wkt}\"{separator}{}\n", "x".repeat(columns));
        read_small_stack(ImportFormat::Csv, csv.into_bytes(), anything());
    }
}

#[test]
fn a_drawing_nested_past_json_limits_is_refused_by_both_submission_parsers() {
    let text = format!(
        r#"{{"type":"Feature","properties":{{"symbol":"escuela"}},"geometry":{{"type":"Point","coordinates":{}0{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let refused = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let fast = crate::domain::feature::parse_submission_text(
                text.as_bytes(),
                FeatureLimits::default(),
            );
            let tree = serde_json::from_str::<serde_json::Value>(&text);
            fast.is_none() && tree.is_err_and(|e| e.to_string().contains("recursion limit"))
        })
        .expect("thread")
        .join()
        .expect("no parser exhausts its stack");
    assert!(refused);
}
