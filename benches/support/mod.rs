//! What the benchmarks share: a release `trama serve` process, an admin token, a project
//! with the demo legend, bulk loading through the store, PostgreSQL databases of their own.
#![allow(
    dead_code,
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use chrono::Utc;
use serde_json::{Value, json};
use trama::domain::feature::{Author, Feature, FeatureDraft};
use trama::domain::generate::{self, GROUPS};

pub fn postgres_admin_url() -> String {
    std::env::var("TRAMA_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub async fn create_postgres_database() -> (String, String) {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let name = format!("trama_bench_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::postgres::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut connection)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    (format!("{base}/{name}"), name)
}

pub async fn drop_postgres_database(name: &str) {
    use sqlx::Connection;
    let mut connection = sqlx::postgres::PgConnection::connect(&postgres_admin_url())
        .await
        .unwrap();
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut connection)
    .await;
}

pub fn admin_token(db: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_trama");
    let mut add = Command::new(bin)
        .args([
            "user",
            "add",
            "--username",
            "bench",
            "--role",
            "admin",
            "--database",
            db,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"benchmark password\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    bench_token(db)
}

/// A new token for the `bench` admin of a database `admin_token` set up.
pub fn bench_token(db: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trama"))
        .args(["token", "create", "--username", "bench", "--database", db])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

pub fn start_server(db: &str) -> (Child, String) {
    start_server_with(db, &[])
}

/// `start_server` with more flags (`--basemap FILE`, say).
#[allow(clippy::zombie_processes)] // the caller kills and waits; a panic ends the bench
pub fn start_server_with(db: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trama"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", db])
        .args(extra)
        .env("RUST_LOG", "warn,trama::cli=info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(at) = line.find("http://") {
            let url = line[at..]
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_owned();
            std::thread::spawn(move || lines.for_each(drop));
            return (child, url);
        }
    }
}

pub async fn setup_project(client: &reqwest::Client, url: &str, token: &str) -> String {
    let post = |path: &str, body: Value| {
        client
            .post(format!("{url}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    assert_eq!(
        post("/api/projects", json!({"slug": "bench", "name": "Bench"}))
            .await
            .unwrap()
            .status(),
        201
    );
    let legend = serde_json::to_value(generate::demo_legend()).unwrap();
    let response = client
        .put(format!("{url}/api/projects/bench/legend"))
        .bearer_auth(token)
        .json(&legend)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let workshop: Value = post(
        "/api/projects/bench/workshops",
        json!({"title": "Bench", "groups": GROUPS}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    workshop["id"].as_str().unwrap().to_owned()
}

pub async fn top_up(db: &str, count: usize, workshop: &str) {
    let store = trama::store::connect(db).await.unwrap();
    let project = store.find_project("bench").await.unwrap().unwrap();
    let workshop = store
        .find_workshop(workshop.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let user = store.user_credentials("bench").await.unwrap().unwrap().0;
    let author = Author::User {
        id: user.id,
        username: user.username,
    };
    let mut batch = Vec::with_capacity(5_000);
    for generated in generate::generate(count, 2) {
        let group = workshop.find_group(generated.group).map(|g| g.id);
        let draft = FeatureDraft {
            pointer: String::new(),
            symbol: generated.symbol.to_owned(),
            title: Some(generated.title),
            description: generated.description,
            geometry: generated.geometry,
            workshop: None,
            group: None,
            answers: Default::default(),
        };
        batch.push(Feature::create(
            draft,
            project.id,
            Some(workshop.id),
            group,
            author.clone(),
            Utc::now(),
        ));
        if batch.len() == 5_000 {
            store.insert_features(&batch, None).await.unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.insert_features(&batch, None).await.unwrap();
    }
    // After a bulk load, give the query planner its statistics now rather than when
    // autovacuum comes round (which on a busy 2-core machine can be minutes later).
    if db.starts_with("postgres") {
        use sqlx::Connection;
        let mut connection = sqlx::postgres::PgConnection::connect(db).await.unwrap();
        sqlx::query("ANALYZE")
            .execute(&mut connection)
            .await
            .unwrap();
    }
}

/// The server's peak resident set size in kB (VmHWM: the kernel keeps the high-water mark,
/// so no sampling is needed to catch the peak).
pub fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
