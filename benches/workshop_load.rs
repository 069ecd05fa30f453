//! The workshop room under load and failure, and under slow clients. Loopback only, bounded in
//! time (`TRAMA_LOAD_SECS`, default 40 per backend).
//!
//! 1. Per backend (`TRAMA_LOAD_BACKENDS`, default `sqlite,postgres`): `TRAMA_LOAD_PARTICIPANTS`
//!    (default 200) participants join a workshop of a real `trama serve` and draw without
//!    pause, each drawing sent with its own `Idempotency-Key` and sent again with the same key
//!    until acknowledged, as the draw page does. A third of the way in the server is killed
//!    with SIGKILL and started again on the same database; two thirds in, on PostgreSQL, the
//!    database itself is restarted (`pg_ctlcluster`, as root). Printed: drawings acknowledged,
//!    stored, lost (acknowledged but not stored), duplicated (stored twice), and the p50/p99
//!    time from the first send to the acknowledgement.
//! 2. Slow clients: 1,100 connections from 127.0.0.2 each send a request's first line and then
//!    a header line every 5 s, while a client on 127.0.0.1 makes ordinary requests. Printed:
//!    how long those ordinary requests waited (p50, p99, most) and how many failed, and what
//!    became of the slow connections.
//!
//! `cargo bench --bench workshop_load`

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `trama serve` on `port`, once it says it listens.
#[allow(clippy::zombie_processes)] // killed and waited for by the caller
fn serve(db: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trama"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            db,
        ])
        // Every participant joins and draws from this one loopback address: the room's
        // limits are raised to its size, as an operator would for a room this large.
        .env("TRAMA_JOINS_PER_ADDRESS", "10000")
        .env("TRAMA_JOINS_PER_WORKSHOP", "10000")
        .env("TRAMA_WORKSHOP_DRAWINGS_PER_MINUTE", "1000000")
        .env("RUST_LOG", "warn,trama::cli=info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("http://") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    child
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Acknowledged drawings: the title each carries (unique), and the time to acknowledgement.
type Acknowledged = Arc<Mutex<Vec<(String, Duration)>>>;

async fn participant(
    client: reqwest::Client,
    url: String,
    token: String,
    number: usize,
    until: Instant,
    acknowledged: Acknowledged,
) {
    let mut drawn = 0;
    while Instant::now() < until {
        let title = format!("p{number}-{drawn}");
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({"type": "Feature",
            "properties": {"symbol": "escuela", "title": title},
            "geometry": {"type": "Point", "coordinates": [-58.45 + (number as f64) * 1e-4, -34.72 + (drawn as f64) * 1e-5]}});
        let started = Instant::now();
        // Sent again with the same key until acknowledged, for as long as the run lasts and
        // a grace period after it.
        while Instant::now() < until + Duration::from_secs(60) {
            let sent = client
                .post(format!("{url}/api/projects/load/features"))
                .bearer_auth(&token)
                .header("idempotency-key", &key)
                .json(&body)
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    acknowledged
                        .lock()
                        .unwrap()
                        .push((title.clone(), started.elapsed()));
                    break;
                }
                _ => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
        drawn += 1;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
}

async fn load_run(backend: &str, seconds: u64, participants: usize) {
    let dir = tempfile::TempDir::new().unwrap();
    let (db, pg_name) = match backend {
        "postgres" => {
            let (url, name) = support::create_postgres_database().await;
            (url, Some(name))
        }
        _ => (
            format!("sqlite://{}", dir.path().join("load.db").display()),
            None,
        ),
    };
    let admin = support::admin_token(&db);
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = serve(&db, port);
    let client = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = client.post(format!("{url}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    post(
        "/api/projects",
        Some(&admin),
        json!({"slug": "load", "name": "Load"}),
    )
    .await
    .unwrap();
    client
        .put(format!("{url}/api/projects/load/legend"))
        .bearer_auth(&admin)
        .json(&serde_json::to_value(trama::domain::generate::demo_legend()).unwrap())
        .send()
        .await
        .unwrap();
    let workshop: Value = post(
        "/api/projects/load/workshops",
        Some(&admin),
        json!({"title": "Carga", "groups": ["Mesa 1", "Mesa 2", "Mesa 3", "Mesa 4"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let code = workshop["join_code"].as_str().unwrap().to_owned();
    let mut tokens = Vec::new();
    for i in 0..participants {
        let joined: Value = post(
            "/api/join",
            None,
            json!({"code": code, "group": format!("Mesa {}", i % 4 + 1)}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        tokens.push(joined["token"].as_str().unwrap().to_owned());
    }

    let acknowledged: Acknowledged = Arc::default();
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            tokio::spawn(participant(
                client.clone(),
                url.clone(),
                token,
                i,
                until,
                acknowledged.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    println!(
        "  {backend}: server killed (SIGKILL) at {:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    server = serve(&db, port);
    println!(
        "  {backend}: server started again at {:?}",
        started.elapsed()
    );
    if backend == "postgres" {
        tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
        let major = std::fs::read_dir("/etc/postgresql")
            .ok()
            .and_then(|dirs| dirs.filter_map(|d| d.ok()).map(|d| d.file_name()).max())
            .map(|name| name.to_string_lossy().into_owned());
        let restarted = major.is_some_and(|major| {
            Command::new("pg_ctlcluster")
                .args(["--skip-systemctl-redirect", &major, "main", "restart"])
                .status()
                .is_ok_and(|s| s.success())
        });
        println!(
            "  {backend}: PostgreSQL {} at {:?}",
            if restarted {
                "restarted"
            } else {
                "could not be restarted (not root?)"
            },
            started.elapsed()
        );
    }
    for task in tasks {
        task.await.unwrap();
    }

    let store = trama::store::connect(&db).await.unwrap();
    let project = store.find_project("load").await.unwrap().unwrap();
    let stored = store
        .list_features(
            project.id,
            &trama::domain::feature::FeatureFilter::default(),
        )
        .await
        .unwrap();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for feature in &stored {
        *copies
            .entry(feature.title.clone().unwrap_or_default())
            .or_default() += 1;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let lost = acknowledged
        .iter()
        .filter(|(title, _)| !copies.contains_key(title))
        .count();
    let duplicated: usize = copies.values().map(|n| n.saturating_sub(1)).sum();
    let mut times: Vec<Duration> = acknowledged.iter().map(|(_, t)| *t).collect();
    times.sort();
    println!(
        "{backend:>8}: {participants} participants, {seconds} s: acknowledged {}, stored {}, lost {lost}, duplicated {duplicated}; acknowledgement p50 {:?}, p99 {:?}",
        acknowledged.len(),
        stored.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
    );
    server.kill().unwrap();
    server.wait().unwrap();
    if let Some(name) = pg_name {
        support::drop_postgres_database(&name).await;
    }
}

async fn slow_clients_run(seconds: u64) {
    let dir = tempfile::TempDir::new().unwrap();
    let db = format!("sqlite://{}", dir.path().join("slow.db").display());
    support::admin_token(&db);
    let port = free_port();
    let mut server = serve(&db, port);
    let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let until = Instant::now() + Duration::from_secs(seconds);
    let closed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut slow = Vec::new();
    for _ in 0..1_100 {
        let closed = closed.clone();
        slow.push(tokio::spawn(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
            let Ok(mut stream) = socket.connect(address).await else {
                closed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return;
            };
            let mut line: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: trama\r\n";
            while Instant::now() < until {
                if stream.write_all(line).await.is_err() {
                    closed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return;
                }
                line = b"X-Slow: 1\r\n";
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }));
    }
    let client = reqwest::Client::new();
    let mut waits = Vec::new();
    let mut failed = 0;
    while Instant::now() < until {
        let started = Instant::now();
        match client
            .get(format!("http://{address}/healthz"))
            .timeout(Duration::from_secs(10))
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => waits.push(started.elapsed()),
            _ => failed += 1,
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for task in slow {
        let _ = task.await;
    }
    waits.sort();
    println!(
        "slow clients: 1,100 connections trickling headers for {seconds} s from one address; ordinary requests: {} answered, {failed} failed, waited p50 {:?}, p99 {:?}, most {:?}; slow connections closed by the server: {}",
        waits.len(),
        percentile(&waits, 0.5),
        percentile(&waits, 0.99),
        waits.last().copied().unwrap_or_default(),
        closed.load(std::sync::atomic::Ordering::Relaxed),
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::main]
async fn main() {
    let seconds = env_number("TRAMA_LOAD_SECS", 40);
    let participants = env_number("TRAMA_LOAD_PARTICIPANTS", 200) as usize;
    let backends =
        std::env::var("TRAMA_LOAD_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    println!(
        "Trama workshop load: {participants} participants, {seconds} s per backend ({backends}), a kill -9 of the server, a PostgreSQL restart; then slow clients"
    );
    for backend in backends.split(',').map(str::trim) {
        load_run(backend, seconds, participants).await;
    }
    slow_clients_run(seconds.min(30)).await;
}
