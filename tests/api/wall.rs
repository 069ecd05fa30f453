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
