//! Accepting connections, so that no single client can use up the server's: hyper's HTTP/1
//! server with a timeout on reading a request's head (a client that sends a header line every
//! few seconds is closed instead of holding its connection for ever), a cap on the connections
//! one client address holds open at once (trusted proxies excepted: every client comes through
//! them), and a cap on all connections below the process's open-file limit, so that the
//! database and the files the server opens always find a descriptor. Written here because
//! `axum::serve` offers none of these; hyper and hyper-util do the HTTP.
//!
//! 1,100 connections each sending a header line every 5 s made the server refuse everyone for
//! 35 s ("Too many open files"), with no login needed; spread over five addresses (each under
//! its cap) they still filled the total and 98 of 100 ordinary requests failed. So, when every
//! place is taken, a new connection is not refused: the oldest connection not being answered
//! (one still to send a whole request, or one kept alive idle after its answers) is closed to
//! make room for it (a slow or silent client loses to those who talk; a browser opens a new
//! connection when its idle one was closed).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use tokio::net::TcpListener;

/// How many connections clients may hold, and how long they may take to send a request's head.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections one client address may hold (a phone's browser opens about six; a
    /// school's NAT puts a whole room behind one address).
    pub per_client: usize,
    /// Open connections in all.
    pub total: usize,
    /// Time a client has to send a request's line and headers.
    pub header_timeout: Duration,
    /// At shutdown, time the requests in flight have to finish before their connections are
    /// closed: live pages' event streams never finish by themselves.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            per_client: 256,
            total: 8_192,
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl ConnectionLimits {
    /// Raises the process's open-file limit as far as the system allows and keeps the total of
    /// connections a few hundred descriptors under it (for the database, files and logs).
    pub fn fitted_to_open_files(self) -> Self {
        let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let room = usize::try_from(limit.saturating_sub(256))
            .unwrap_or(usize::MAX)
            .max(64);
        tracing::info!(
            open_files = limit,
            connections = room.min(self.total),
            "connection limits"
        );
        Self {
            total: self.total.min(room),
            ..self
        }
    }
}

/// Open connections per client address and in all.
#[derive(Default)]
struct Open {
    per_client: HashMap<IpAddr, usize>,
    total: usize,
}

/// One open connection's place, given back when the connection ends.
struct Slot {
    open: Arc<Mutex<Open>>,
    client: Option<IpAddr>,
}

/// Why a connection found no place.
#[derive(Debug, PartialEq, Eq)]
enum Full {
    /// Its client holds as many as one client may.
    Client,
    /// All places are taken.
    Total,
}

impl Slot {
    /// A place for a connection from `client` (None: a trusted proxy, counted in the total
    /// only), unless a cap is reached. `over_total` takes one past the total: the place of a
    /// connection just closed to make room, whose own is given back as its task ends.
    fn take(
        open: &Arc<Mutex<Open>>,
        client: Option<IpAddr>,
        limits: &ConnectionLimits,
        over_total: bool,
    ) -> Result<Self, Full> {
        let mut counts = open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.total >= limits.total && !over_total {
            return Err(Full::Total);
        }
        if let Some(address) = client {
            let held = counts.per_client.entry(address).or_default();
            if *held >= limits.per_client {
                return Err(Full::Client);
            }
            *held += 1;
        }
        counts.total += 1;
        Ok(Self {
            open: open.clone(),
            client,
        })
    }
}

/// How many requests a connection is being answered now: counted up when its request's
/// head has been read (the app is called), down when its answer's body is dropped (written
/// out, or the connection gone). Zero between requests, and before the first.
#[derive(Default)]
struct Answering(AtomicUsize);

/// Counts a request as being answered until dropped, with the answer's body.
struct Answer(Arc<Answering>);

impl Answer {
    fn start(answering: &Arc<Answering>) -> Self {
        answering.0.fetch_add(1, Ordering::Relaxed);
        Self(answering.clone())
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Every open connection, oldest first: whether it is being answered, and how to close it.
#[derive(Default)]
struct Connections(Mutex<VecDeque<(Arc<Answering>, tokio::task::AbortHandle)>>);

impl Connections {
    fn push(&self, answering: Arc<Answering>, task: tokio::task::AbortHandle) {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        open.retain(|(_, task)| !task.is_finished());
        open.push_back((answering, task));
    }

    /// Closes the oldest connection not being answered (still to send a whole request, or
    /// idle between requests); false when there is none (every place is busy answering).
    fn shed_oldest_silent(&self) -> bool {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let silent = open.iter().position(|(answering, task)| {
            answering.0.load(Ordering::Relaxed) == 0 && !task.is_finished()
        });
        match silent.and_then(|at| open.remove(at)) {
            Some((_, task)) => {
                task.abort();
                true
            }
            None => false,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(address) = self.client
            && let Some(held) = counts.per_client.get_mut(&address)
        {
            *held -= 1;
            if *held == 0 {
                counts.per_client.remove(&address);
            }
        }
    }
}

/// Where phones on the room's network can reach a server listening on `listen`: each of the
/// machine's IPv4 addresses other than loopback when it listens on every interface
/// (`0.0.0.0`), the address itself when it is one, nothing when it listens on loopback only.
pub fn room_origins(listen: SocketAddr) -> Vec<String> {
    let port = listen.port();
    let ip = listen.ip();
    if ip.is_loopback() {
        return Vec::new();
    }
    if !ip.is_unspecified() {
        return vec![format!("http://{listen}")];
    }
    let mut origins: Vec<String> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .filter_map(|i| match i.ip() {
            std::net::IpAddr::V4(v4) if !v4.is_link_local() => Some(format!("http://{v4}:{port}")),
            _ => None,
        })
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// Marks a request that came over TLS (`trama serve --tls`): its cookies are Secure.
#[derive(Debug, Clone, Copy)]
pub struct OverTls;

/// Whether a connection opens with a TLS handshake (its first byte a handshake record, 0x16)
/// rather than an HTTP request line: one port serves both, so that phones that do not trust
/// the room's authority keep joining over plain HTTP while the tablets that do use HTTPS.
/// None when nothing came within `wait` (or the connection failed): it is closed, as a
/// request's head that does not come in time is.
async fn opens_with_tls(stream: &tokio::net::TcpStream, wait: Duration) -> Option<bool> {
    let mut first = [0_u8; 1];
    match tokio::time::timeout(wait, stream.peek(&mut first)).await {
        Ok(Ok(1)) => Some(first[0] == 0x16),
        _ => None,
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the requests in flight
/// finish within `limits.shutdown_grace` and closes what is left (the walls' event streams).
/// A connection over a cap is closed at once, before anything is read from it. With `tls`,
/// a connection that opens with a TLS handshake is served over it (the handshake within
/// `limits.header_timeout`), the others as plain HTTP.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    trusted_proxies: Arc<[IpNet]>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let open = Arc::new(Mutex::new(Open::default()));
    let open_connections = Connections::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, or a connection reset before it was accepted: wait a
                    // little rather than spin, and go on serving those already connected.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let proxied = trusted_proxies.iter().any(|net| net.contains(&peer.ip()));
        let client = (!proxied).then_some(peer.ip());
        let slot = match Slot::take(&open, client, &limits, false) {
            Ok(slot) => Ok(slot),
            // Every place taken: the oldest connection not being answered makes room.
            Err(Full::Total) if open_connections.shed_oldest_silent() => {
                Slot::take(&open, client, &limits, true)
            }
            Err(full) => Err(full),
        };
        let Ok(slot) = slot else {
            tracing::debug!(%peer, "connection refused: too many open");
            drop(stream);
            continue;
        };
        let answering = Arc::new(Answering::default());
        let routed = app
            .clone()
            .layer(axum::Extension(ConnectInfo::<SocketAddr>(peer)))
            .layer(axum::middleware::from_fn({
                let answering = answering.clone();
                move |request: axum::extract::Request, next: axum::middleware::Next| {
                    let answer = Answer::start(&answering);
                    async move {
                        let response = next.run(request).await;
                        // Kept with the body, so that a stream (a wall's events) counts
                        // as being answered for as long as it is written.
                        response.map(|body| {
                            axum::body::Body::new(http_body_util::BodyExt::map_frame(
                                body,
                                move |frame| {
                                    let _answer = &answer;
                                    frame
                                },
                            ))
                        })
                    }
                }
            }));
        // No upgrades: the live pages use server-sent events, plain HTTP.
        let (http, watcher, tls) = (http.clone(), graceful.watcher(), tls.clone());
        let handshake = limits.header_timeout;
        while connections.try_join_next().is_some() {}
        let task = connections.spawn(async move {
            let tls = match tls {
                Some(acceptor) => match opens_with_tls(&stream, handshake).await {
                    Some(true) => Some(acceptor),
                    Some(false) => None,
                    None => return,
                },
                None => None,
            };
            let served = match tls {
                Some(acceptor) => {
                    match tokio::time::timeout(handshake, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let service =
                                TowerToHyperService::new(routed.layer(axum::Extension(OverTls)));
                            watcher
                                .watch(http.serve_connection(TokioIo::new(stream), service))
                                .await
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    }
                }
                None => {
                    let service = TowerToHyperService::new(routed);
                    watcher
                        .watch(http.serve_connection(TokioIo::new(stream), service))
                        .await
                }
            };
            if let Err(error) = served {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(slot);
        });
        open_connections.push(answering, task);
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!(
            open = connections.len(),
            "closing connections still open after the shutdown grace (live pages' event streams)"
        );
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    Ok(())
}
