//! Priority areas through the API: cell scores, zones, saved priority zones with their
//! history, boundary layers and change between workshops, and who may see them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{self, Backend, Fixture, TestApp, Workshop, collection, point, read};

const SALADA: (f64, f64) = (-58.478, -34.713);

/// Two groups of one workshop mark the same place as a suspected clandestine workshop; one of
/// them also draws a school far away and a risk area. Returns the ids of the two risks.
async fn two_groups_draw(app: &TestApp, workshop: &Workshop) -> (String, String) {
    let mut ids = Vec::new();
    for group in ["Jóvenes", "Docentes"] {
        let token = app.join(&workshop.code, group).await;
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &point("taller_clandestino", SALADA.0, SALADA.1),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().expect("id").to_owned());
        if group == "Docentes" {
            let square = json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"},
                "geometry": {"type": "Polygon", "coordinates": [[[-58.45, -34.72], [-58.446, -34.72],
                    [-58.446, -34.716], [-58.45, -34.716], [-58.45, -34.72]]]}});
            let (status, body) = app
                .post(
                    "/api/projects/lomas/features",
                    Some(&token),
                    &collection(vec![point("escuela", -58.40, -34.76), square]),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
    (ids[0].clone(), ids[1].clone())
}

fn features(body: &Value) -> &Vec<Value> {
    body["features"].as_array().expect("features")
}

async fn cells_score_the_drawings_and_zones_merge_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let (a, b) = two_groups_draw(&app, &workshop).await;

    let (status, cells) = app
        .get("/api/projects/lomas/priority/cells", Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::OK, "{cells}");
    assert_eq!(cells["resolution"], 9);
    // Weights: 3 + 3 (suspected workshops) + 2 (risk area) − 1 (school).
    assert!((cells["total_score"].as_f64().expect("total") - 7.0).abs() < 1e-6);
    let all = features(&cells);
    let hot = all
        .iter()
        .find(|c| c["properties"]["risk_groups"] == 2)
        .expect("the cell both groups marked");
    assert_eq!(hot["properties"]["score"], 6.0);
    assert_eq!(hot["properties"]["groups"], 2);
    assert_eq!(hot["properties"]["by_symbol"]["taller_clandestino"], 2.0);
    for key in ["gi_z", "gi_p", "confidence", "spot", "workshops"] {
        assert!(hot["properties"].get(key).is_some(), "{key}");
    }
    assert!(hot["id"].as_str().is_some_and(|id| id.len() == 15), "{hot}");
    assert!(
        all.iter()
            .filter(|c| c["properties"]["score"] == 0.0)
            .count()
            > 6,
        "empty cells around the drawings belong to the study area"
    );
    // The risk area spreads over several cells, its shares summing to its weight.
    let area_total: f64 = all
        .iter()
        .filter_map(|c| c["properties"]["by_symbol"]["zona_riesgo"].as_f64())
        .sum();
    assert!((area_total - 1.0).abs() < 1e-4, "{area_total}");

    let (status, zones) = app
        .get(
            "/api/projects/lomas/priority/zones?rule=consensus&k=2",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{zones}");
    let zones = features(&zones);
    assert_eq!(zones.len(), 1, "{zones:?}");
    let zone = &zones[0];
    assert_eq!(zone["geometry"]["type"], "Polygon");
    assert_eq!(zone["properties"]["rule"], "consensus");
    assert_eq!(zone["properties"]["groups"], 2);
    let behind: Vec<&str> = zone["properties"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(behind.contains(&a.as_str()) && behind.contains(&b.as_str()));
    assert!(zone["properties"]["area_m2"].as_f64().expect("area") > 50_000.0);

    // Top 10 % of the scored cells, and hot spots, answer too.
    for rule in ["top&percent=10", "gi&confidence=90"] {
        let (status, body) = app
            .get(
                &format!("/api/projects/lomas/priority/zones?rule={rule}"),
                Some(&staff.admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rule}: {body}");
    }
}

async fn a_saved_zone_keeps_its_geometry_and_its_history(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    two_groups_draw(&app, &workshop).await;
    let (_, zones) = app
        .get(
            "/api/projects/lomas/priority/zones?rule=consensus&k=2",
            Some(&staff.analyst),
        )
        .await;
    let computed = &features(&zones)[0];
    let (status, saved) = app
        .post(
            "/api/projects/lomas/priority-zones",
            Some(&staff.analyst),
            &json!({"name": "La Salada norte", "geometry": computed["geometry"],
                    "computed": computed["properties"], "note": "dos mesas coinciden"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["properties"]["status"], "proposed");
    assert_eq!(saved["properties"]["computed"]["groups"], 2);
    let id = saved["id"].as_str().expect("id").to_owned();
    let path = format!("/api/priority-zones/{id}");

    let patch = |revision: &str, body: Value| {
        app.request(Method::PATCH, &path, Some(&staff.analyst))
            .header("if-match", revision.to_owned())
            .json(&body)
            .send()
    };
    let (status, confirmed) = read(
        patch(
            "\"1\"",
            json!({"status": "confirmed", "note": "visita de la mesa local"}),
        )
        .await
        .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let history = confirmed["properties"]["history"]
        .as_array()
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["status"], "proposed");
    assert_eq!(history[0]["note"], "dos mesas coinciden");
    assert_eq!(history[1]["status"], "confirmed");
    assert_eq!(history[1]["by"], "analyst");
    // A stale revision is refused, and nothing to change is refused.
    let (status, _) = read(
        patch("\"1\"", json!({"status": "closed"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _) = read(
        patch("\"2\"", json!({"status": "confirmed"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = read(
        patch("\"2\"", json!({"status": "decided"}))
            .await
            .expect("send"),
    )
    .await;
    assert!(status.is_client_error());

    // New drawings change the computation, not the saved zone.
    let token = app.join(&workshop.code, "Jóvenes").await;
    for _ in 0..3 {
        app.post(
            "/api/projects/lomas/features",
            Some(&token),
            &point("taller_clandestino", SALADA.0 + 0.003, SALADA.1),
        )
        .await;
    }
    let (status, again) = app.get(&path, Some(&staff.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["geometry"], saved["geometry"]);
    // Saved as computed, to the centimetre all drawings are kept to.
    let ring = |zone: &Value| -> Vec<f64> {
        zone["geometry"]["coordinates"][0]
            .as_array()
            .expect("ring")
            .iter()
            .flat_map(|p| [p[0].as_f64().expect("x"), p[1].as_f64().expect("y")])
            .collect()
    };
    let (kept, drawn) = (ring(&saved), ring(computed));
    assert_eq!(kept.len(), drawn.len());
    assert!(
        kept.iter()
            .zip(&drawn)
            .all(|(a, b)| (a - b).abs() <= 0.5e-7)
    );
    assert_eq!(again["properties"]["revision"], 2);
    let (_, list) = app
        .get("/api/projects/lomas/priority-zones", Some(&staff.admin))
        .await;
    assert_eq!(features(&list).len(), 1);

    // Bad zones are refused with where the problem is.
    let (status, problem) = app
        .post(
            "/api/projects/lomas/priority-zones",
            Some(&staff.analyst),
            &json!({"name": "", "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/name") && pointers.contains(&"/geometry"),
        "{problem}"
    );
}

async fn who_may_see_priority_areas(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff: Fixture = app.project().await;
    let workshop = app.workshop(&staff).await;
    two_groups_draw(&app, &workshop).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let cells = "/api/projects/lomas/priority/cells";
    for token in [&staff.researcher, &participant] {
        let (status, _) = app.get(cells, Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = app.get(cells, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The facilitator analyses the workshops they run, and no other.
    let (status, body) = app.get(cells, Some(&staff.facilitator)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!((body["total_score"].as_f64().expect("total") - 7.0).abs() < 1e-6);
    let (status, own) = app
        .post(
            "/api/projects/lomas/workshops",
            Some(&staff.analyst),
            &json!({"title": "Otro taller", "groups": ["Vecinos"], "legal_basis": common::mandate()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let other = own["id"].as_str().expect("id");
    let (status, _) = app
        .get(
            &format!("{cells}?workshop={other}"),
            Some(&staff.facilitator),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Saved zones and boundary layers are the analysts' decisions.
    let (status, _) = app
        .get(
            "/api/projects/lomas/priority-zones",
            Some(&staff.facilitator),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            "/api/projects/lomas/boundaries?name=Barrios",
            Some(&staff.facilitator),
            &json!({"type": "FeatureCollection", "features": []}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Parameters out of range get a clear 400.
    for query in [
        "resolution=20",
        "ring=0",
        "workshop=not-an-id",
        "since=yesterday",
        "colour=red",
    ] {
        let (status, problem) = app
            .get(&format!("{cells}?{query}"), Some(&staff.analyst))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
    }
    for query in [
        "rule=biggest",
        "rule=consensus&k=0",
        "rule=gi&confidence=80",
        "rule=top&percent=0",
    ] {
        let (status, problem) = app
            .get(
                &format!("/api/projects/lomas/priority/zones?{query}"),
                Some(&staff.analyst),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
    }
}

fn square(name: &str, x0: f64, y0: f64, d: f64) -> Value {
    json!({"type": "Feature", "properties": {"barrio": name},
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + d, y0],
            [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]]}})
}

async fn units_of_a_boundary_layer_and_change_between_workshops(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let earlier = app.workshop(&staff).await;
    two_groups_draw(&app, &earlier).await;

    // Barrios: one around La Salada, one around the school.
    let layer = collection(vec![
        square("La Salada", -58.49, -34.72, 0.05),
        square("Lomas centro", -58.41, -34.77, 0.02),
    ]);
    let (status, created) = app
        .post(
            "/api/projects/lomas/boundaries?name=Barrios&name_property=barrio",
            Some(&staff.analyst),
            &layer,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["unit_count"], 2);
    let id = created["id"].as_str().expect("id");
    let (status, duplicate) = app
        .post(
            "/api/projects/lomas/boundaries?name=Barrios&name_property=barrio",
            Some(&staff.analyst),
            &layer,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{duplicate}");
    let (_, listed) = app
        .get("/api/projects/lomas/boundaries", Some(&staff.analyst))
        .await;
    assert_eq!(listed["layers"][0]["name"], "Barrios");

    let (status, units) = app
        .get(
            &format!("/api/projects/lomas/priority/units?layer={id}"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{units}");
    let units = features(&units);
    let of = |name: &str| {
        units
            .iter()
            .find(|u| u["properties"]["name"] == name)
            .expect("unit")["properties"]
            .clone()
    };
    // 3 + 3 + 2 (the risk area lies inside La Salada's square) and −1 for the school.
    assert!((of("La Salada")["score"].as_f64().expect("score") - 8.0).abs() < 1e-6);
    assert!((of("Lomas centro")["score"].as_f64().expect("score") + 1.0).abs() < 1e-6);
    let density = of("La Salada")["density_per_km2"]
        .as_f64()
        .expect("density");
    let km2 = of("La Salada")["area_m2"].as_f64().expect("area") / 1e6;
    assert!((density - 8.0 / km2).abs() < 1e-3, "{density} {km2}");

    // A bad layer: the unit without a name and the point are reported by position.
    let bad = collection(vec![
        square("Fiorito", -58.45, -34.71, 0.01),
        json!({"type": "Feature", "properties": {},
               "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
    ]);
    let (status, problem) = app
        .post(
            "/api/projects/lomas/boundaries?name=Malos&name_property=barrio",
            Some(&staff.analyst),
            &bad,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/features/1/properties/barrio"
    );

    // A later workshop marks La Salada again and a new place: persisting and new zones;
    // the earlier risk area is not marked again.
    let later = app.workshop(&staff).await;
    for group in ["Jóvenes", "Docentes"] {
        let token = app.join(&later.code, group).await;
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &collection(vec![
                    point("taller_clandestino", SALADA.0, SALADA.1),
                    point("taller_clandestino", -58.43, -34.73),
                ]),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, change) = app
        .get(
            &format!(
                "/api/projects/lomas/priority/change?rule=consensus&k=2&before={}&after={}",
                earlier.id, later.id
            ),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{change}");
    let mut kinds: Vec<&str> = features(&change)
        .iter()
        .filter_map(|z| z["properties"]["change"].as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["new", "persisting"]);
    let persisting = features(&change)
        .iter()
        .find(|z| z["properties"]["change"] == "persisting")
        .expect("persisting");
    assert_eq!(persisting["properties"]["overlap"], 1.0);
    let (status, _) = app
        .get("/api/projects/lomas/priority/change", Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _) = read(
        app.request(
            Method::DELETE,
            &format!("/api/boundaries/{id}"),
            Some(&staff.analyst),
        )
        .send()
        .await
        .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .get(&format!("/api/boundaries/{id}"), Some(&staff.analyst))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// An analysis too large to run is refused before any work, saying how to narrow it and
/// which resolution would fit: two near-degree zones at resolution 10 would cover over a
/// million cells.
async fn an_analysis_too_large_is_refused_with_what_to_change(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    for x in [-59.0, -58.0] {
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&token),
                &json!({"type": "Feature", "properties": {"symbol": "zona_riesgo"},
                    "geometry": {"type": "Polygon", "coordinates": [[[x, -35.0], [x + 0.9, -35.0],
                        [x + 0.9, -34.1], [x, -34.1], [x, -35.0]]]}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for path in [
        "/api/projects/lomas/priority/cells?resolution=10",
        "/api/projects/lomas/priority/zones?resolution=10",
        "/api/projects/lomas/export?privacy=full&content=cells&resolution=10",
    ] {
        let (status, problem) = app.get(path, Some(&staff.analyst)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("MB") && d.contains("resolution 9 would fit")),
            "{path}: {problem}"
        );
        assert_eq!(problem["errors"][0]["pointer"], "resolution", "{problem}");
        assert_eq!(problem["errors"][0]["detail"], "9 would fit", "{problem}");
    }
    let (status, _) = app
        .get(
            "/api/projects/lomas/priority/cells?resolution=7",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Cells a sensitive drawing reaches: the one it is in when counted exactly, the many fine
/// cells of its masking cell when counted masked.
async fn cells_reached(app: &TestApp, token: &str) -> usize {
    let (status, body) = app
        .get(
            "/api/projects/lomas/priority/cells?resolution=10&symbol=taller_clandestino",
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|cell| cell["properties"]["features"].as_u64() > Some(0))
        .count()
}

async fn a_facilitator_analyses_sensitive_drawings_masked_unless_the_project_lets_workshops_see_them(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let staff: Fixture = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (status, body) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("taller_clandestino", SALADA.0, SALADA.1),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    assert_eq!(
        cells_reached(&app, &staff.analyst).await,
        1,
        "the analyst counts it exactly"
    );
    let masked = cells_reached(&app, &staff.facilitator).await;
    assert!(
        masked > 1,
        "the facilitator counts its masking cell: {masked} cells"
    );

    let (status, project) = read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"sensitive_exact": "workshop"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    // Only in a closed session: while the workshop is open it still counts the mask.
    assert_eq!(
        cells_reached(&app, &staff.facilitator).await,
        masked,
        "an open workshop analyses its sensitive drawings masked"
    );
    app.close(&workshop.id, &staff.facilitator).await;
    assert_eq!(
        cells_reached(&app, &staff.facilitator).await,
        1,
        "a closed workshop that may see its sensitive drawings analyses them exactly"
    );
}

crate::both_backends!(
    an_analysis_too_large_is_refused_with_what_to_change,
    cells_score_the_drawings_and_zones_merge_them,
    a_saved_zone_keeps_its_geometry_and_its_history,
    who_may_see_priority_areas,
    units_of_a_boundary_layer_and_change_between_workshops,
    a_facilitator_analyses_sensitive_drawings_masked_unless_the_project_lets_workshops_see_them,
);
