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

/// Free text locates as well as coordinates: whoever sees a sensitive drawing masked gets
/// none of its words on any door (listing, reading one, the public view, its history, its
/// comments), only its symbol and cell; whoever sees it exactly gets them all.
async fn a_sensitive_drawing_s_words_are_as_hidden_as_its_place(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    // "Tero" is the nickname `join` gives: a participant's nickname is free text too.
    let author = app.join(&workshop.code, "Jóvenes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&author),
            &json!({"type": "Feature",
                    "properties": {"symbol": "taller_clandestino",
                                   "title": "Taller en la casa del fondo",
                                   "description": "Pasaje Oro 1234, al lado de la verdulería de Rosa"},
                    "geometry": {"type": "Point", "coordinates": [-58.4012, -34.7623]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let id = drawn["id"].as_str().expect("id");
    // An analyst reviews it with a reason that names the place too, and comments.
    let (status, reviewed) = app
        .post(
            &format!("/api/features/{id}/review"),
            Some(&staff.analyst),
            &json!({"state": "rejected", "reason": "ya denunciado, Pasaje Oro"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    let (status, _) = app
        .post(
            &format!("/api/features/{id}/annotations"),
            Some(&author),
            &json!({"body": "lo vi en Pasaje Oro, portón verde"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let secrets = [
        "casa del fondo",
        "Pasaje Oro",
        "Rosa",
        "portón verde",
        "Tero",
    ];
    let leaks = |text: &str| -> Vec<&str> {
        secrets
            .iter()
            .copied()
            .filter(|s| text.contains(s))
            .collect()
    };

    let other_table = app.join(&workshop.code, "Docentes").await;
    for (who, token, path) in [
        (
            "another table",
            &other_table,
            "/api/projects/lomas/features".to_owned(),
        ),
        ("another table", &other_table, format!("/api/features/{id}")),
        (
            "another table",
            &other_table,
            format!("/api/features/{id}/history"),
        ),
        (
            "another table",
            &other_table,
            format!("/api/features/{id}/annotations"),
        ),
        (
            "the facilitator",
            &staff.facilitator,
            format!("/api/features/{id}"),
        ),
        (
            "the facilitator",
            &staff.facilitator,
            format!("/api/features/{id}/history"),
        ),
        (
            "the facilitator",
            &staff.facilitator,
            format!("/api/features/{id}/annotations"),
        ),
        (
            "the wall",
            &staff.analyst,
            format!("/api/features/{id}?view=public"),
        ),
        (
            "the wall",
            &staff.facilitator,
            format!(
                "/api/projects/lomas/features?view=public&workshop={}",
                workshop.id
            ),
        ),
    ] {
        let (status, body) = app.get(&path, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{who} {path}: {body}");
        assert_eq!(
            leaks(&body.to_string()),
            Vec::<&str>::new(),
            "{who} {path}: {body}"
        );
    }
    // Masked, it still says what it is: its symbol and its cell.
    let (_, seen) = app
        .get(&format!("/api/features/{id}"), Some(&other_table))
        .await;
    assert_eq!(seen["properties"]["symbol"], "taller_clandestino");
    assert_eq!(seen["properties"]["masked"], true);
    assert_eq!(seen["geometry"]["type"], "Polygon");
    // The author and the analyst read every word.
    for token in [&author, &staff.analyst] {
        let (_, exact) = app.get(&format!("/api/features/{id}"), Some(token)).await;
        assert_eq!(exact["properties"]["title"], "Taller en la casa del fondo");
        let (_, notes) = app
            .get(&format!("/api/features/{id}/annotations"), Some(token))
            .await;
        assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
    }
}

crate::both_backends!(
    a_public_view_masks_sensitive_drawings_for_staff_too,
    a_sensitive_drawing_s_words_are_as_hidden_as_its_place,
);
