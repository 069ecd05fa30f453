use super::*;
use crate::domain::generate::{demo_legend, generate};
use crate::domain::legend::SymbolKind;
use geo::{Coord, Point, Polygon, coord};
use h3o::LatLng;
use proptest::prelude::*;

const RES: Resolution = Resolution::Nine;

fn home() -> CellIndex {
    cell_of(coord! { x: -58.40, y: -34.76 }, RES)
}

fn centre(cell: CellIndex) -> Coord<f64> {
    let ll = LatLng::from(cell);
    coord! { x: ll.lng(), y: ll.lat() }
}

fn point_in(cell: CellIndex, symbol: &str, weight: f64, group: Uuid) -> Drawing {
    Drawing {
        id: Uuid::new_v4(),
        symbol: symbol.into(),
        weight,
        risk: weight > 0.0,
        group: Some(group),
        workshop: Some(Uuid::nil()),
        geometry: Geometry::Point(Point(centre(cell))),
    }
}

/// The generator's realistic mix, weighted as the demo legend says.
fn synthetic(count: usize, seed: u64) -> Vec<Drawing> {
    let legend = demo_legend();
    let groups: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    generate(count, seed)
        .enumerate()
        .map(|(i, g)| {
            let symbol = legend
                .iter()
                .find(|s| s.key == g.symbol)
                .expect("a demo symbol");
            Drawing {
                id: Uuid::from_u128(i as u128),
                symbol: g.symbol.into(),
                weight: symbol.weight,
                risk: symbol.kind == SymbolKind::Risk,
                group: Some(groups[i % groups.len()]),
                workshop: None,
                geometry: g.geometry.as_geo().clone(),
            }
        })
        .collect()
}

#[test]
fn the_total_over_cells_equals_the_total_weight() {
    let drawings = synthetic(2_000, 7);
    let analysis = analyse(&drawings, None, Params::default());
    let weights: f64 = drawings.iter().map(|d| d.weight).sum();
    assert!((analysis.total_score() - weights).abs() < 1e-6 * weights.abs().max(1.0));
    // Every drawing's shares sum to 1.
    for drawing in &drawings {
        let total: f64 = shares(&drawing.geometry, RES).iter().map(|s| s.1).sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "{total} for {:?}",
            drawing.geometry
        );
    }
}

#[test]
fn the_study_area_includes_empty_neighbours_or_the_project_area() {
    let g = Uuid::new_v4();
    let drawings = vec![point_in(home(), "riesgo", 2.0, g)];
    let analysis = analyse(&drawings, None, Params::default());
    assert_eq!(analysis.cells.len(), 7, "the cell and its six neighbours");
    assert_eq!(
        analysis
            .cells
            .iter()
            .filter(|c| c.tally.score > 0.0)
            .count(),
        1
    );

    // A project area of about 1 km around the cell: every cell whose centre is in it.
    let c = centre(home());
    let d = 0.01;
    let area = MultiPolygon::new(vec![Polygon::new(
        vec![
            coord! { x: c.x - d, y: c.y - d },
            coord! { x: c.x + d, y: c.y - d },
            coord! { x: c.x + d, y: c.y + d },
            coord! { x: c.x - d, y: c.y + d },
            coord! { x: c.x - d, y: c.y - d },
        ]
        .into(),
        vec![],
    )]);
    let analysis = analyse(&drawings, Some(&area), Params::default());
    assert!(analysis.cells.len() > 30, "{}", analysis.cells.len());
}

#[test]
fn a_cluster_of_risks_is_a_hot_spot_and_one_zone() {
    // Risks in a cell and its six neighbours, over an area of quiet cells.
    let g = Uuid::new_v4();
    let mut drawings: Vec<Drawing> = home()
        .grid_disk::<Vec<_>>(1)
        .into_iter()
        .flat_map(|cell| (0..3).map(move |_| point_in(cell, "riesgo", 1.0, g)))
        .collect();
    for far in home().grid_ring_fast(6).flatten() {
        drawings.push(point_in(far, "recurso", 0.1, g));
    }
    let analysis = analyse(&drawings, None, Params::default());
    let centre_cell = analysis
        .cells
        .iter()
        .find(|c| c.cell == home())
        .expect("scored");
    assert!(
        centre_cell.hotspot.is_hot_at(99),
        "{:?}",
        centre_cell.hotspot
    );
    let zones = find_zones(&analysis, Rule::HotSpots { confidence: 95 });
    assert_eq!(zones.len(), 1, "{zones:?}");
    assert!(zones[0].cells.contains(&home()));
    assert_eq!(zones[0].tally.features.len(), 21, "each feature once");
}

#[test]
fn zones_merge_cells_across_a_shared_edge_into_one_valid_polygon() {
    let g1 = Uuid::new_v4();
    let g2 = Uuid::new_v4();
    let a = home();
    let b = a.grid_ring_fast(1).flatten().next().expect("a neighbour");
    let far = a.grid_ring_fast(4).flatten().next().expect("a far cell");
    let drawings = vec![
        point_in(a, "riesgo", 1.0, g1),
        point_in(a, "riesgo", 1.0, g2),
        point_in(b, "riesgo", 1.0, g1),
        point_in(b, "riesgo", 1.0, g2),
        point_in(far, "riesgo", 1.0, g1),
        point_in(far, "riesgo", 1.0, g2),
    ];
    let analysis = analyse(&drawings, None, Params::default());
    let zones = find_zones(&analysis, Rule::Consensus { groups: 2 });
    assert_eq!(zones.len(), 2);
    let pair = zones
        .iter()
        .find(|z| z.cells.len() == 2)
        .expect("a and b merge");
    assert_eq!(pair.geometry.0.len(), 1, "one polygon");
    assert!(pair.geometry.0[0].interiors().is_empty(), "no slivers");
    // Two hexagons share an edge: 6 + 6 − 2 vertices, plus the closing one.
    assert_eq!(pair.geometry.0[0].exterior().0.len(), 11);
    use geo::Validation;
    assert!(pair.geometry.is_valid());
    assert!((pair.area_m2 - (a.area_m2() + b.area_m2())).abs() < 1e-6);
    assert_eq!(pair.tally.groups.len(), 2);
    // Consensus needs distinct groups: three from one group are not enough.
    let one_group = vec![point_in(a, "riesgo", 1.0, g1); 3];
    let analysis = analyse(&one_group, None, Params::default());
    assert!(find_zones(&analysis, Rule::Consensus { groups: 2 }).is_empty());
}

#[test]
fn top_percent_keeps_the_best_cells() {
    let g = Uuid::new_v4();
    let cells: Vec<CellIndex> = home().grid_ring_fast(3).flatten().collect();
    let drawings: Vec<Drawing> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| point_in(*c, "riesgo", 1.0 + i as f64, g))
        .collect();
    let analysis = analyse(&drawings, None, Params::default());
    let zones = find_zones(&analysis, Rule::Top { percent: 10.0 });
    let kept: usize = zones.iter().map(|z| z.cells.len()).sum();
    assert_eq!(kept, (cells.len() as f64 * 0.1).ceil() as usize);
    assert!(zones[0].cells.contains(cells.last().expect("cells")));
}

#[test]
fn change_tells_new_persisting_and_gone_zones() {
    let g1 = Uuid::new_v4();
    let g2 = Uuid::new_v4();
    let a = home();
    let far = a.grid_ring_fast(5).flatten().next().expect("far");
    let other = a.grid_ring_fast(5).flatten().nth(15).expect("other");
    let both = |cell| {
        vec![
            point_in(cell, "riesgo", 1.0, g1),
            point_in(cell, "riesgo", 1.0, g2),
        ]
    };
    let rule = Rule::Consensus { groups: 2 };
    let earlier: Vec<Drawing> = [both(a), both(far)].concat();
    let later: Vec<Drawing> = [both(a), both(other)].concat();
    let before = find_zones(&analyse(&earlier, None, Params::default()), rule);
    let after = find_zones(&analyse(&later, None, Params::default()), rule);
    let compared = compare_zones(before, after);
    let of = |change| {
        compared
            .iter()
            .filter(|c| c.change == change)
            .collect::<Vec<_>>()
    };
    assert_eq!(of(ZoneChange::Persisting).len(), 1);
    assert_eq!(of(ZoneChange::Persisting)[0].overlap, 1.0);
    assert_eq!(of(ZoneChange::New).len(), 1);
    assert_eq!(of(ZoneChange::New)[0].zone.cells, vec![other]);
    assert_eq!(of(ZoneChange::Gone).len(), 1);
    assert_eq!(of(ZoneChange::Gone)[0].zone.cells, vec![far]);
}

#[test]
fn units_score_by_share_and_density() {
    let g = Uuid::new_v4();
    let square = |x0: f64, y0: f64, d: f64| {
        MultiPolygon::new(vec![Polygon::new(
            vec![
                coord! { x: x0, y: y0 },
                coord! { x: x0 + d, y: y0 },
                coord! { x: x0 + d, y: y0 + d },
                coord! { x: x0, y: y0 + d },
                coord! { x: x0, y: y0 },
            ]
            .into(),
            vec![],
        )])
    };
    let units = vec![
        Unit {
            name: "Oeste".into(),
            geometry: square(-58.42, -34.77, 0.01),
        },
        Unit {
            name: "Este".into(),
            geometry: square(-58.41, -34.77, 0.01),
        },
    ];
    // A polygon straddling both units evenly, and a point in the west one.
    let straddle = Drawing {
        geometry: Geometry::MultiPolygon(square(-58.412, -34.766, 0.004)),
        ..point_in(home(), "zona", 2.0, g)
    };
    let point = Drawing {
        geometry: Geometry::Point(Point::new(-58.415, -34.765)),
        ..point_in(home(), "riesgo", 1.0, g)
    };
    let scores = score_units(&[straddle, point], &units);
    assert!(
        (scores[0].tally.score - 2.0).abs() < 1e-6,
        "{:?}",
        scores[0]
    );
    assert!(
        (scores[1].tally.score - 1.0).abs() < 1e-6,
        "{:?}",
        scores[1]
    );
    // About 0.91 km × 1.11 km each.
    assert!(
        (scores[0].area_m2 / 1e6 - 1.01).abs() < 0.02,
        "{}",
        scores[0].area_m2
    );
    assert!((scores[0].density - scores[0].tally.score / (scores[0].area_m2 / 1e6)).abs() < 1e-9);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn shares_of_any_generated_drawing_sum_to_one(seed in 0u64..10_000, res in 7u8..=10) {
        let resolution = Resolution::try_from(res).expect("a resolution");
        for drawing in synthetic(20, seed) {
            let split = shares(&drawing.geometry, resolution);
            let total: f64 = split.iter().map(|s| s.1).sum();
            prop_assert!((total - 1.0).abs() < 1e-9);
            prop_assert!(split.iter().all(|s| s.1 > 0.0));
        }
    }

    #[test]
    fn scores_do_not_depend_on_the_order_of_drawings(seed in 0u64..10_000, rotate in 0usize..50) {
        let drawings = synthetic(60, seed);
        let mut shuffled = drawings.clone();
        shuffled.rotate_left(rotate);
        shuffled.reverse();
        let a = analyse(&drawings, None, Params::default());
        let b = analyse(&shuffled, None, Params::default());
        prop_assert_eq!(a.cells.len(), b.cells.len());
        for (x, y) in a.cells.iter().zip(&b.cells) {
            prop_assert_eq!(x.cell, y.cell);
            prop_assert!((x.tally.score - y.tally.score).abs() < 1e-9);
            prop_assert!((x.hotspot.z - y.hotspot.z).abs() < 1e-9);
            prop_assert_eq!(&x.tally.groups, &y.tally.groups);
        }
    }
}

#[test]
fn an_analysis_whose_request_ended_stops_at_once() {
    let drawings = synthetic(5_000, 7);
    let cancelled = std::sync::atomic::AtomicBool::new(true);
    assert!(analyse_unless(&drawings, None, Params::default(), &cancelled).is_none());
    let going_on = std::sync::atomic::AtomicBool::new(false);
    assert!(analyse_unless(&drawings, None, Params::default(), &going_on).is_some());
}
