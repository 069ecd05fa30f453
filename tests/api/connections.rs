//! Clients that hold connections without finishing a request (slow-loris) cannot lock others
//! out: each client address holds a bounded number of connections, and a request's head must
//! arrive within the header timeout.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::{Backend, TestApp};

/// A connection from `from` that starts a request and never finishes its head.
async fn slow_client(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind(from.parse().expect("address")).expect("bind");
    let mut stream = socket.connect(to).await.expect("connect");
    let _ = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: trama\r\n")
        .await;
    stream
}

/// A connection from `from` that asks once, reads the answer and then stays open, idle
/// (HTTP/1.1 keeps it alive).
async fn idle_client(from: &str, to: SocketAddr) -> TcpStream {
    let mut stream = slow_client(from, to).await;
    stream.write_all(b"\r\n").await.expect("request");
    let mut buffer = [0_u8; 1024];
    let read = stream.read(&mut buffer).await.expect("answer");
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
    stream
}

/// Whether the server has closed `stream` (or answered and closed), waiting up to `wait`.
async fn closed(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0_u8; 512];
    loop {
        match tokio::time::timeout(wait, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // An answer (a 408) before the close: read on to the end.
            Ok(Ok(_)) => continue,
        }
    }
}

/// `each` bind addresses on each of 127.0.0.2 to 127.0.0.6, any port.
fn five_addresses(each: usize) -> impl Iterator<Item = String> {
    (2..7).flat_map(move |address| (0..each).map(move |_| format!("127.0.0.{address}:0")))
}

/// How many of `count` ordinary requests, each on a fresh connection (no pool), are served.
async fn ordinary_requests_served(base: &str, count: usize) -> usize {
    let mut served = 0;
    for _ in 0..count {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == StatusCode::OK)
        {
            served += 1;
        }
    }
    served
}

/// How many of `streams` the server has closed, each given 300 ms.
async fn closed_count(streams: &mut [TcpStream]) -> usize {
    futures::future::join_all(
        streams
            .iter_mut()
            .map(|stream| closed(stream, Duration::from_millis(300))),
    )
    .await
    .into_iter()
    .filter(|closed| *closed)
    .count()
}

/// A server with these connection limits, and its address.
async fn server_with(
    backend: Backend,
    per_client: usize,
    total: usize,
    header_timeout: Duration,
) -> (TestApp, SocketAddr) {
    let app = TestApp::start_with_limits(
        backend,
        trama::Limits {
            connections: trama::serving::ConnectionLimits {
                per_client,
                total,
                header_timeout,
                ..trama::serving::ConnectionLimits::default()
            },
            ..trama::Limits::default()
        },
    )
    .await;
    let server = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    (app, server)
}

async fn slow_clients_do_not_lock_others_out(backend: Backend) {
    let (app, server) = server_with(backend, 20, 10_000, Duration::from_secs(2)).await;
    // 60 connections from one address (127.0.0.2), each trickling a header line.
    let mut slow = Vec::new();
    for _ in 0..60 {
        slow.push(slow_client("127.0.0.2:0", server).await);
    }
    let refused = futures::future::join_all(
        slow.iter_mut()
            .map(|stream| closed(stream, Duration::from_millis(300))),
    )
    .await;
    assert_eq!(
        refused.iter().filter(|closed| **closed).count(),
        40,
        "over 20 connections of one address are closed at once"
    );

    // Others are served at once while those 20 trickle on.
    for _ in 0..5 {
        for stream in &mut slow {
            let _ = stream.write_all(b"X-Slow: 1\r\n").await;
        }
        let started = Instant::now();
        let (status, _) = app.get("/healthz", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "a normal request waited {:?}",
            started.elapsed()
        );
    }
    // And the trickling ones are closed when their head has not arrived in time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for stream in &mut slow {
        let _ = stream.write_all(b"X-Slow: 1\r\n").await;
    }
    let ended = futures::future::join_all(
        slow.iter_mut()
            .map(|stream| closed(stream, Duration::from_secs(2))),
    )
    .await;
    assert!(
        ended.iter().all(|closed| *closed),
        "a slow connection stayed open"
    );
    // Their address may connect again.
    let mut again = slow_client("127.0.0.2:0", server).await;
    assert!(!closed(&mut again, Duration::from_millis(300)).await);
}

/// Slow connections spread over many addresses, each under its own cap, fill every place:
/// ordinary clients still get in, for the oldest connection that has not sent a request is
/// closed to make room (98 of 100 ordinary requests failed before).
async fn slow_clients_from_many_addresses_make_room_for_those_who_talk(backend: Backend) {
    let (app, server) = server_with(backend, 30, 100, Duration::from_secs(30)).await;
    // 5 addresses × 25 slow connections: 125 for 100 places, each address under its 30.
    let mut slow = Vec::new();
    for from in five_addresses(25) {
        slow.push(slow_client(&from, server).await);
    }
    let served = ordinary_requests_served(&app.base, 100).await;
    assert_eq!(
        served, 100,
        "ordinary requests served while slow ones filled the server"
    );
    // The ones closed to make room were slow ones, oldest first.
    assert!(closed_count(&mut slow).await >= 25);
}

/// Connections kept alive idle after an answer fill every place: ordinary clients still get
/// in, for an idle connection is closed to make room as a silent one is (they held their
/// places for good before), while a wall's event stream being written is never closed.
async fn idle_connections_make_room_for_those_who_talk(backend: Backend) {
    let (app, server) = server_with(backend, 30, 100, Duration::from_secs(30)).await;
    let staff = app.project().await;
    let workshop = app.workshop(&staff).await;
    // A wall following the room: one long answer, from its own address.
    let wall = reqwest::Client::builder()
        .local_address("127.0.0.9".parse::<std::net::IpAddr>().expect("address"))
        .build()
        .expect("client");
    let mut events = wall
        .get(format!("{}/api/workshops/{}/events", app.base, workshop.id))
        .bearer_auth(&staff.facilitator)
        .send()
        .await
        .expect("events");
    assert_eq!(events.status(), StatusCode::OK);
    let mut idle = Vec::new();
    for from in five_addresses(25) {
        idle.push(idle_client(&from, server).await);
    }
    let served = ordinary_requests_served(&app.base, 100).await;
    assert_eq!(
        served, 100,
        "ordinary requests served while idle ones filled the server"
    );
    assert!(closed_count(&mut idle).await >= 25);
    // The wall's stream is still open: a change reaches it.
    let token = app.join(&workshop.code, "Jóvenes").await;
    let (status, _) = app
        .post(
            "/api/projects/lomas/features",
            Some(&token),
            &crate::common::point("escuela", -58.40, -34.76),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let chunk = tokio::time::timeout(Duration::from_secs(5), events.chunk())
        .await
        .expect("an event in time")
        .expect("the stream is open");
    assert!(chunk.is_some(), "the wall's stream ended");
}

crate::both_backends!(
    slow_clients_do_not_lock_others_out,
    slow_clients_from_many_addresses_make_room_for_those_who_talk,
    idle_connections_make_room_for_those_who_talk,
);
