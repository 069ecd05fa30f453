//! A retried submission is stored exactly once.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Backend, TestApp, collection, point, read};

async fn a_retry_with_the_same_key_replays_the_first_answer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Jóvenes").await;
    let batch = collection(vec![
        point("escuela", -58.45, -34.71),
        point("comedor", -58.44, -34.70),
    ]);
    let send = |body: Value, key: &'static str| {
        app.request(Method::POST, "/api/projects/lomas/features", Some(&token))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send(batch.clone(), "k-1").await.expect("send");
    assert!(!first.headers().contains_key("idempotent-replayed"));
    let (status, first) = read(first).await;
    assert_eq!(status, StatusCode::CREATED);
    let retry = send(batch.clone(), "k-1").await.expect("send");
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let (status, second) = read(retry).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first, second, "the same ids and revisions");
    assert_eq!(app.feature_count(&token).await, 2);

    // The same key for a different request is a client bug, said plainly.
    let (status, problem) = read(
        send(collection(vec![point("escuela", -58.0, -34.0)]), "k-1")
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("Idempotency-Key")
    );
    assert_eq!(app.feature_count(&token).await, 2);
}

async fn concurrent_retries_store_one_copy(backend: Backend) {
    let app = TestApp::start(backend).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    let token = app.join(&workshop.code, "Docentes").await;
    let body = point("escuela", -58.45, -34.71);
    let attempts = (0..8).map(|_| {
        app.request(Method::POST, "/api/projects/lomas/features", Some(&token))
            .header("Idempotency-Key", "offline-queue-7")
            .json(&body)
            .send()
    });
    let mut ids = Vec::new();
    for response in futures::future::join_all(attempts).await {
        let (status, feature) = read(response.expect("send")).await;
        assert_eq!(status, StatusCode::CREATED);
        ids.push(feature["id"].as_str().expect("id").to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every attempt got the same feature");
    assert_eq!(app.feature_count(&token).await, 1);
}

crate::both_backends!(
    a_retry_with_the_same_key_replays_the_first_answer,
    concurrent_retries_store_one_copy
);
