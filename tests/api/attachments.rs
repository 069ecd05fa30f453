//! Photos attached to drawings (issue 28): kept with no metadata, served as the JPEG Trama
//! wrote, seen only with a drawing seen exactly or openly, refused clearly when they are no
//! photo.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, phone_photo_at, point, read, small_png};

/// A phone's photo (`common::phone_photo_at`), as sent.
fn phone_photo(dir: &std::path::Path) -> Vec<u8> {
    std::fs::read(phone_photo_at(dir, "IMG_0001.jpg")).expect("read")
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.request(method, path, Some(token))
        .body(body)
        .send()
        .await
        .expect("send")
}

async fn photos_are_kept_clean_and_seen_only_with_their_drawing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    let other_table = app.join(&workshop.code, "Docentes").await;
    let mut drawn = Vec::new();
    for symbol in ["taller_clandestino", "escuela"] {
        let (status, body) = app
            .post(
                "/api/projects/lomas/features",
                Some(&rosa),
                &point(symbol, -58.41, -34.76),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        drawn.push(body["id"].as_str().expect("id").to_owned());
    }
    let (taller, escuela) = (&drawn[0], &drawn[1]);
    let dir = tempfile::TempDir::new().expect("dir");
    let sent = phone_photo(dir.path());

    // Kept upright, cleaned.
    let (status, attached) = read(
        send(
            &app,
            Method::POST,
            &format!("/api/features/{taller}/attachments"),
            &rosa,
            sent.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{attached}");
    assert_eq!(
        (&attached["width"], &attached["height"]),
        (&json!(200), &json!(400))
    );
    let url = attached["url"].as_str().expect("url").to_owned();
    let response = send(&app, Method::GET, &url, &rosa, Vec::new()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let kept = dir.path().join("kept.jpg");
    std::fs::write(&kept, response.bytes().await.expect("bytes")).expect("write");
    let tags = Command::new("exiftool")
        .args(["-j", "-a"])
        .arg(&kept)
        .output()
        .expect("exiftool");
    let tags = String::from_utf8_lossy(&tags.stdout);
    assert!(
        !tags.contains("GPS") && !tags.contains("Motorola"),
        "{tags}"
    );
    let response = send(
        &app,
        Method::GET,
        attached["thumbnail_url"].as_str().expect("thumbnail"),
        &rosa,
        Vec::new(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    // Another table sees the sensitive drawing as its cell: no photo, not even that there
    // is one; the school's photo it sees.
    let (status, school) = read(
        send(
            &app,
            Method::POST,
            &format!("/api/features/{escuela}/attachments"),
            &rosa,
            sent.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{school}");
    let (_, listed) = app
        .get(
            &format!("/api/features/{taller}/attachments"),
            Some(&other_table),
        )
        .await;
    assert_eq!(listed["attachments"], json!([]));
    let (status, _) = read(send(&app, Method::GET, &url, &other_table, Vec::new()).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = app
        .get(
            &format!("/api/features/{escuela}/attachments"),
            Some(&other_table),
        )
        .await;
    assert_eq!(listed["attachments"].as_array().map(Vec::len), Some(1));
    let (_, listed) = app
        .get(
            &format!("/api/features/{taller}/attachments"),
            Some(&staff.analyst),
        )
        .await;
    assert_eq!(
        listed["attachments"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    // The wall (a projected screen) shows the school's photo and never the sensitive one's,
    // whoever is signed in.
    for (drawing, shown) in [(taller, 0), (escuela, 1)] {
        let (_, listed) = app
            .get(
                &format!("/api/features/{drawing}/attachments?view=public"),
                Some(&staff.analyst),
            )
            .await;
        assert_eq!(listed["attachments"].as_array().map(Vec::len), Some(shown));
    }
    let (status, _) = read(
        send(
            &app,
            Method::GET,
            &format!("{url}?view=public"),
            &staff.analyst,
            Vec::new(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A phone's queue sends a photo until it hears back: kept once.
    let mut kept_once = Vec::new();
    for _ in 0..2 {
        let response = app
            .request(
                Method::POST,
                &format!("/api/features/{escuela}/attachments"),
                Some(&rosa),
            )
            .header("Idempotency-Key", "foto-1")
            .body(sent.clone())
            .send()
            .await
            .expect("send");
        let replayed = response.headers().contains_key("idempotent-replayed");
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        kept_once.push((body["id"].clone(), replayed));
    }
    assert_eq!(kept_once[0].0, kept_once[1].0);
    assert_eq!((kept_once[0].1, kept_once[1].1), (false, true));
    // Removed by an analyst, then sent again by a late retry: not kept again.
    let removed_url = format!("/api/attachments/{}", kept_once[0].0.as_str().expect("id"));
    let response = send(
        &app,
        Method::DELETE,
        &removed_url,
        &staff.analyst,
        Vec::new(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, problem) = read(
        app.request(
            Method::POST,
            &format!("/api/features/{escuela}/attachments"),
            Some(&rosa),
        )
        .header("Idempotency-Key", "foto-1")
        .body(sent.clone())
        .send()
        .await
        .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "attachment.removed");
    let (_, listed) = app
        .get(&format!("/api/features/{escuela}/attachments"), Some(&rosa))
        .await;
    assert_eq!(listed["attachments"].as_array().map(Vec::len), Some(1));

    // Only the drawing's author (or staff) attaches; a file is judged by its content.
    let (status, problem) = read(
        send(
            &app,
            Method::POST,
            &format!("/api/features/{escuela}/attachments"),
            &other_table,
            sent.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, problem) = read(
        send(
            &app,
            Method::POST,
            &format!("/api/features/{escuela}/attachments"),
            &rosa,
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "attachment.not_a_photo");

    // An analyst removes one: its files go with it.
    let response = send(&app, Method::DELETE, &url, &staff.analyst, Vec::new()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = read(send(&app, Method::GET, &url, &staff.analyst, Vec::new()).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let school_url: Value = school["url"].clone();
    let response = send(
        &app,
        Method::GET,
        school_url.as_str().expect("url"),
        &rosa,
        Vec::new(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "the other photo stays");

    // The table withdraws: its drawings are purged, and their photos' files with them.
    let (status, withdrawn) = app
        .post(
            &format!("/api/workshops/{}/withdrawals", workshop.id),
            Some(&staff.facilitator),
            &json!({"group": "Jóvenes"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["purged"]["attachments"], 1, "{withdrawn}");
    let folder = app.database.dir().join("data/attachments");
    let left: Vec<_> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

fn files_in(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn photos_are_counted_at_once_and_go_with_a_retention_and_no_sweep_takes_anothers(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&rosa),
            &point("escuela", -58.41, -34.76),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let url = format!(
        "/api/features/{}/attachments",
        drawn["id"].as_str().expect("id")
    );

    // Twelve at once: ten are kept, whatever their order.
    let png = small_png();
    let sent = futures::future::join_all(
        (0..12).map(|_| send(&app, Method::POST, &url, &rosa, png.clone())),
    )
    .await;
    let mut statuses: Vec<u16> = sent.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [[201; 10].as_slice(), &[409, 409]].concat());
    let folder = app.database.dir().join("data/attachments");
    assert_eq!(files_in(&folder).len(), 20, "no pending file left behind");

    // A photo of another database's in the same folder: no sweep of this one removes it.
    let stranger = uuid::Uuid::now_v7();
    let media = trama::media::Folder::new(&folder);
    let photo =
        trama::media::clean_photo(&png, trama::media::PhotoLimits::default()).expect("photo");
    media.save(stranger, &photo).expect("save");
    media.commit(stranger).expect("commit");
    let swept = trama::application::attachments::sweep(&*app.store, &media)
        .await
        .expect("sweep");
    assert_eq!((swept.removed, swept.abandoned), (0, 0));
    assert_eq!(files_in(&folder).len(), 22);

    // The retention ends the workshop: its photos go, files and all; the stranger stays.
    let (status, project) = read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"retention_months": 12}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{project}");
    app.close(&workshop.id, &staff.facilitator).await;
    let later = chrono::Utc::now()
        .checked_add_months(chrono::Months::new(13))
        .expect("date");
    let swept = trama::application::care::apply_retention(
        &*app.store,
        &media,
        later,
        false,
        trama::domain::audit::Door::Cli,
    )
    .await
    .expect("retention");
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].purged.attachments, 10);
    assert_eq!(
        files_in(&folder),
        [format!("{stranger}.jpg"), format!("{stranger}.thumb.jpg")]
    );
    assert!(
        app.store
            .removed_attachments()
            .await
            .expect("removed")
            .is_empty()
    );
}

/// A voice note of `seconds` made by ffmpeg in `name`'s container, tagged with a title and
/// where it was recorded.
fn recorded_note(dir: &std::path::Path, name: &str, seconds: u32, codec: &str) -> Vec<u8> {
    let path = dir.join(name);
    let output = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args(["-c:a", codec])
        .args(["-metadata", "title=Calle Larroque 123"])
        .args(["-metadata", "location=-34.7601-058.4012/"])
        .arg(&path)
        .output()
        .expect("ffmpeg (.ci/run installs it)");
    assert!(output.status.success());
    std::fs::read(&path).expect("read")
}

async fn voice_notes_are_kept_untagged_served_in_ranges_and_refused_past_a_minute(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    let other_table = app.join(&workshop.code, "Docentes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&rosa),
            &point("taller_clandestino", -58.41, -34.76),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let url = format!(
        "/api/features/{}/attachments",
        drawn["id"].as_str().expect("id")
    );
    let dir = tempfile::TempDir::new().expect("dir");

    // An iPhone's note (AAC in MP4, where it was recorded in its udta): kept without it.
    let sent = recorded_note(dir.path(), "note.m4a", 3, "aac");
    let (status, note) = read(send(&app, Method::POST, &url, &rosa, sent).await).await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["kind"], "voice_note");
    assert_eq!(note["media_type"], "audio/mp4");
    assert_eq!(note["thumbnail_url"], Value::Null);
    let ms = note["duration_ms"].as_u64().expect("duration");
    assert!((2900..=3100).contains(&ms), "{ms}");
    let note_url = note["url"].as_str().expect("url").to_owned();
    let response = send(&app, Method::GET, &note_url, &rosa, Vec::new()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "audio/mp4");
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    let whole = response.bytes().await.expect("bytes");
    let kept = dir.path().join("kept.m4a");
    std::fs::write(&kept, &whole).expect("write");
    let tags = Command::new("exiftool")
        .args(["-j", "-a"])
        .arg(&kept)
        .output()
        .expect("exiftool");
    let tags = String::from_utf8_lossy(&tags.stdout);
    assert!(
        !tags.contains("Larroque") && !tags.contains("GPS"),
        "{tags}"
    );
    // A player asks for a range, as Safari does before playing.
    let response = app
        .request(Method::GET, &note_url, Some(&rosa))
        .header("Range", "bytes=0-99")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes 0-99/{}", whole.len()).as_str()
    );
    assert_eq!(response.bytes().await.expect("bytes"), whole[..100]);
    let (status, _) = read(
        send(
            &app,
            Method::GET,
            &format!("{note_url}/thumbnail"),
            &rosa,
            Vec::new(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a note has no thumbnail");

    // Another table sees the sensitive drawing as its cell: no note.
    let (_, listed) = app.get(&url, Some(&other_table)).await;
    assert_eq!(listed["attachments"], json!([]));

    // A project that wants short notes says so; out of range is refused.
    for (limit, status) in [
        (json!(5), StatusCode::OK),
        (json!(500), StatusCode::BAD_REQUEST),
    ] {
        let (got, body) = read(
            app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
                .json(&json!({"voice_note_max_seconds": limit}))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(got, status, "{body}");
    }
    let (status, problem) = read(
        send(
            &app,
            Method::POST,
            &url,
            &rosa,
            recorded_note(dir.path(), "seven.webm", 7, "libopus"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["params"]["max"], 5, "the project's limit");
    let (_, project) = app.get("/api/projects/lomas", Some(&staff.analyst)).await;
    assert_eq!(project["voice_note_max_seconds"], 5);
    let (got, body) = read(
        app.request(Method::PATCH, "/api/projects/lomas", Some(&staff.analyst))
            .json(&json!({"voice_note_max_seconds": null}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{body}");

    // Past a minute: refused, said in the page's words.
    let long = recorded_note(dir.path(), "long.webm", 75, "libopus");
    let (status, problem) = read(send(&app, Method::POST, &url, &rosa, long).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "attachment.too_long");
    assert_eq!(problem["params"]["max"], 60);
}

async fn a_comment_carries_its_author_s_photo_and_goes_with_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let rosa = app.join(&workshop.code, "Jóvenes").await;
    let docente = app.join(&workshop.code, "Docentes").await;
    let (status, drawn) = app
        .post(
            "/api/projects/lomas/features",
            Some(&rosa),
            &point("escuela", -58.41, -34.76),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let feature = drawn["id"].as_str().expect("id").to_owned();
    let (status, comment) = app
        .post(
            &format!("/api/features/{feature}/annotations"),
            Some(&docente),
            &json!({"body": "La vereda de enfrente"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let comment = comment["id"].as_str().expect("id").to_owned();
    let url = format!("/api/features/{feature}/attachments?annotation={comment}");

    // The comment's author attaches to it; the drawing's author may not.
    let png = small_png();
    let (status, refused) = read(send(&app, Method::POST, &url, &rosa, png.clone()).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, photo) = read(send(&app, Method::POST, &url, &docente, png.clone()).await).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    assert_eq!(photo["annotation"], comment.as_str());
    // A comment of another drawing is not this one's.
    let unknown = format!(
        "/api/features/{feature}/attachments?annotation={}",
        uuid::Uuid::now_v7()
    );
    let (status, _) = read(send(&app, Method::POST, &unknown, &docente, png).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = app
        .get(&format!("/api/features/{feature}/attachments"), Some(&rosa))
        .await;
    assert_eq!(listed["attachments"][0]["annotation"], comment.as_str());

    // The commenting table withdraws: its comment goes, and the photo's files with it.
    let (status, withdrawn) = app
        .post(
            &format!("/api/workshops/{}/withdrawals", workshop.id),
            Some(&staff.facilitator),
            &json!({"group": "Docentes"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    let (_, listed) = app
        .get(&format!("/api/features/{feature}/attachments"), Some(&rosa))
        .await;
    assert_eq!(listed["attachments"], json!([]));
    assert_eq!(
        files_in(&app.database.dir().join("data/attachments")),
        Vec::<String>::new()
    );
}

crate::both_backends!(
    photos_are_kept_clean_and_seen_only_with_their_drawing,
    photos_are_counted_at_once_and_go_with_a_retention_and_no_sweep_takes_anothers,
    voice_notes_are_kept_untagged_served_in_ranges_and_refused_past_a_minute,
    a_comment_carries_its_author_s_photo_and_goes_with_it,
);
