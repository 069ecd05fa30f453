//! The wall is a public screen: whoever opens it, its drawings come as the phones see them.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, TestApp, point};

async fn a_public_view_masks_sensitive_drawings_for_staff_too(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let participant = app.join(&workshop.code, "Jóvenes").await;
    let (status, sensitive) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("taller_clandestino", -58.4012, -34.7623),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sensitive}");
    let (status, school) = app
        .post(
            "/api/projects/lomas/features",
            Some(&participant),
            &point("escuela", -58.41, -34.76),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{school}");
    let id = sensitive["id"].as_str().expect("id");

    // The analyst's own view is exact; the same analyst's wall gets the phones' mask.
    let (_, own) = app
        .get(&format!("/api/features/{id}"), Some(&staff.analyst))
        .await;
    assert_eq!(own["geometry"]["type"], "Point");
    // Another table's phone (the author sees their own drawing as drawn).
    let other_table = app.join(&workshop.code, "Docentes").await;
    let (_, phone) = app
        .get(&format!("/api/features/{id}"), Some(&other_table))
        .await;
    assert_eq!(phone["properties"]["masked"], true, "{phone}");
    // Its history tells no more than the drawing: every revision masked for that phone.
    let (status, history) = app
        .get(&format!("/api/features/{id}/history"), Some(&other_table))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    for entry in history.as_array().expect("entries") {
        assert_eq!(entry["feature"]["geometry"], phone["geometry"], "{entry}");
    }
    // A box cannot find the place inside its cell: a box at a corner of the cell, away from
    // the place, lists the drawing as the phone sees it; a box elsewhere does not.
    let corner = &phone["geometry"]["coordinates"][0][0];
    let (x, y) = (
        corner[0].as_f64().expect("x"),
        corner[1].as_f64().expect("y"),
    );
    let near_corner = format!(
        "{},{},{},{}",
        x - 0.0002,
        y - 0.0002,
        x + 0.0002,
        y + 0.0002
    );
    let (status, boxed) = app
        .get(
            &format!("/api/projects/lomas/features?bbox={near_corner}"),
            Some(&other_table),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{boxed}");
    assert!(
        boxed["features"]
            .as_array()
            .expect("features")
            .iter()
            .any(|f| f["id"] == json!(id)),
        "the cell meets the box: listed, {boxed}"
    );
    let (_, elsewhere) = app
        .get(
            "/api/projects/lomas/features?bbox=-58.30,-34.60,-58.29,-34.59",
            Some(&other_table),
        )
        .await;
    assert_eq!(elsewhere["features"], json!([]));

    // Fine priority cells would tell it too: a facilitator's analysis takes the drawing as its
    // cell (many fine cells), an analyst's as drawn (one).
    let fine = "/api/projects/lomas/priority/cells?resolution=11&symbol=taller_clandestino";
    let (status, analyst_cells) = app.get(fine, Some(&staff.analyst)).await;
    assert_eq!(status, StatusCode::OK, "{analyst_cells}");
    let (status, facilitator_cells) = app.get(fine, Some(&staff.facilitator)).await;
    assert_eq!(status, StatusCode::OK, "{facilitator_cells}");
    // Cells holding the drawing (the answer also lists their empty neighbours).
    let count = |cells: &serde_json::Value| {
        cells["features"].as_array().map_or(0, |c| {
            c.iter()
                .filter(|c| c["properties"]["features"].as_u64() > Some(0))
                .count()
        })
    };
    assert_eq!(count(&analyst_cells), 1, "{analyst_cells}");
    assert!(
        count(&facilitator_cells) > 20,
        "{}",
        count(&facilitator_cells)
    );

    for token in [&staff.analyst, &staff.facilitator, &staff.admin] {
        let (status, wall) = app
            .get(&format!("/api/features/{id}?view=public"), Some(token))
            .await;
        assert_eq!(status, StatusCode::OK, "{wall}");
        assert_eq!(
            wall["geometry"], phone["geometry"],
            "one mask for one place"
        );
        assert_eq!(wall["properties"]["masked"], true);
        let (status, listed) = app
            .get(
                &format!(
                    "/api/projects/lomas/features?workshop={}&view=public",
                    workshop.id
                ),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let features = listed["features"].as_array().expect("features");
        let masked = features
            .iter()
            .find(|f| f["id"] == json!(id))
            .expect("listed");
        assert_eq!(masked["geometry"], phone["geometry"]);
        let exact = features
            .iter()
            .find(|f| f["id"] == school["id"])
            .expect("listed");
        assert_eq!(
            exact["geometry"]["type"], "Point",
            "what is not sensitive stays exact"
        );
    }

    // Its author makes it a school: the history still masks the revision drawn sensitive.
    let response = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/features/{id}"),
            Some(&participant),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"properties": {"symbol": "escuela"}}))
        .send()
        .await
        .expect("edit");
    assert_eq!(response.status(), StatusCode::OK);
    let (_, history) = app
        .get(&format!("/api/features/{id}/history"), Some(&other_table))
        .await;
    let entries = history.as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{history}");
    assert_eq!(
        entries[0]["feature"]["geometry"], phone["geometry"],
        "the sensitive revision, masked"
    );
    assert_eq!(
        entries[1]["feature"]["geometry"]["type"], "Point",
        "the school, as drawn"
    );

    // A hidden drawing is not projected, whoever asks.
    let school_id = school["id"].as_str().expect("id");
    let (status, _) = app
        .post(
            &format!("/api/features/{school_id}/hide"),
            Some(&staff.analyst),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = app
        .get(
            "/api/projects/lomas/features?view=public",
            Some(&staff.analyst),
        )
        .await;
    assert!(
        listed["features"]
            .as_array()
            .expect("features")
            .iter()
            .all(|f| f["id"] != school["id"]),
        "{listed}"
    );
    let (status, _) = app
        .get(
            &format!("/api/features/{school_id}?view=public"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = app
        .get(
            "/api/projects/lomas/features?view=everyone",
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}

crate::both_backends!(a_public_view_masks_sensitive_drawings_for_staff_too);
