use super::*;
use serde_json::json;

fn check(value: Value) -> Result<FeatureGeometry, Vec<Invalid>> {
    FeatureGeometry::from_geojson(&value, "/geometry", 20_000)
}

#[test]
fn a_point_in_lomas_de_zamora_is_valid() {
    let g = check(json!({"type": "Point", "coordinates": [-58.4, -34.76]})).expect("valid");
    assert_eq!(g.kind(), GeometryKind::Point);
    assert_eq!(g.bbox().min_x, -58.4);
}

#[test]
fn coordinates_are_kept_to_a_centimetre() {
    let g = check(json!({"type": "LineString",
        "coordinates": [[-58.40119724245629, -34.757984387140674], [-58.4, -34.75]]}))
    .expect("valid");
    assert_eq!(
        g.to_geojson_string(),
        r#"{"type":"LineString","coordinates":[[-58.4011972,-34.7579844],[-58.4,-34.75]]}"#
    );
}

#[test]
fn a_drawing_that_rounding_would_break_is_kept_as_drawn() {
    // A vertex 4e-7 degrees (4 cm) above the opposite edge: rounding does not move it onto it.
    let spike = |height: f64| {
        json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0],
            [0.5, height], [0.0, 1.0], [0.0, 0.0]]]})
    };
    let far = check(spike(4e-7)).expect("valid");
    assert!(
        far.to_geojson_string().contains("[0.5,4e-7]"),
        "{}",
        far.to_geojson_string()
    );
    // At 4e-8 (4 mm), rounding would put the vertex on the edge: it stays as drawn.
    let near = check(spike(4e-8)).expect("valid as drawn");
    assert!(
        near.to_geojson_string().contains("[0.5,4e-8]"),
        "{}",
        near.to_geojson_string()
    );
    // Two positions 1 mm apart make a line only as drawn.
    let short = check(json!({"type": "LineString", "coordinates": [[0.0, 0.0], [1e-8, 0.0]]}))
        .expect("valid as drawn");
    assert_eq!(short.bbox().max_x, 1e-8);
}

#[test]
fn swapped_latitude_and_longitude_is_refused_with_a_hint() {
    let err = check(json!({"type": "Point", "coordinates": [-34.76, -158.4]})).unwrap_err();
    assert_eq!(err[0].pointer, "/geometry/coordinates/1");
    assert!(err[0].detail.contains("[longitude, latitude]"));
}

#[test]
fn polygons_follow_the_right_hand_rule_whatever_their_drawn_winding() {
    // A clockwise shell with a counterclockwise hole, as a browser may draw them.
    let g = check(json!({"type": "Polygon", "coordinates": [
        [[0.0,0.0],[0.0,4.0],[4.0,4.0],[4.0,0.0],[0.0,0.0]],
        [[1.0,1.0],[2.0,1.0],[2.0,2.0],[1.0,2.0],[1.0,1.0]]
    ]}))
    .expect("valid");
    assert_eq!(
        g.to_geojson_string(),
        r#"{"type":"Polygon","coordinates":[[[0.0,0.0],[4.0,0.0],[4.0,4.0],[0.0,4.0],[0.0,0.0]],[[1.0,1.0],[1.0,2.0],[2.0,2.0],[2.0,1.0],[1.0,1.0]]]}"#
    );
    let computed = FeatureGeometry::from_trusted(Geometry::MultiPolygon(
        vec![geo::Polygon::new(
            geo::LineString::from(vec![(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]),
            vec![],
        )]
        .into(),
    ));
    assert_eq!(
        computed.to_geojson_string(),
        r#"{"type":"MultiPolygon","coordinates":[[[[0.0,0.0],[1.0,0.0],[0.0,1.0],[0.0,0.0]]]]}"#
    );
}

#[test]
fn an_unclosed_ring_is_refused() {
    let err =
        check(json!({"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]})).unwrap_err();
    assert!(err[0].detail.contains("closed"), "{err:?}");
    assert_eq!(err[0].pointer, "/geometry/coordinates/0");
}

#[test]
fn a_ring_with_three_positions_is_refused() {
    let err = check(json!({"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]})).unwrap_err();
    assert!(err[0].detail.contains("at least 4 positions"));
}

#[test]
fn a_bowtie_polygon_is_rejected_and_the_crossing_is_located() {
    let err = check(json!({"type": "Polygon", "coordinates": [[[0,0],[2,2],[2,0],[0,2],[0,0]]]}))
        .unwrap_err();
    assert!(err[0].detail.contains("self-intersection"), "{err:?}");
    assert!(err[0].detail.contains("[1.000000, 1.000000]"), "{err:?}");
}

#[test]
fn a_hole_outside_its_shell_is_rejected() {
    let err = check(json!({"type": "Polygon", "coordinates": [
        [[0,0],[1,0],[1,1],[0,1],[0,0]],
        [[5,5],[6,5],[6,6],[5,6],[5,5]]
    ]}))
    .unwrap_err();
    assert!(
        err.iter().any(|e| e.detail.contains("not inside")),
        "{err:?}"
    );
}

#[test]
fn too_many_vertices_are_refused() {
    let coords: Vec<Value> = (0..30).map(|i| json!([i as f64 * 0.001, 0.0])).collect();
    let err = FeatureGeometry::from_geojson(
        &json!({"type": "LineString", "coordinates": coords}),
        "/g",
        10,
    )
    .unwrap_err();
    assert!(err[0].detail.contains("30 vertices"));
}

#[test]
fn non_numbers_unknown_types_and_collections_are_refused() {
    assert!(check(json!({"type": "Point", "coordinates": ["a", 1]})).is_err());
    assert!(check(json!({"type": "Circle", "coordinates": [0, 1]})).is_err());
    assert!(check(json!({"type": "GeometryCollection", "geometries": []})).is_err());
    assert!(check(json!({"type": "LineString", "coordinates": [[0, 1], [0, 1]]})).is_err());
    assert!(check(json!("POINT(0 1)")).is_err());
}

#[test]
fn geometry_round_trips_through_geojson() {
    let input =
        json!({"type": "Polygon", "coordinates": [[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]});
    let g = check(input.clone()).expect("valid");
    let back: Value = serde_json::from_str(&g.to_geojson_string()).expect("json");
    assert_eq!(back, input);
    assert_eq!(g.type_name(), "Polygon");
}
