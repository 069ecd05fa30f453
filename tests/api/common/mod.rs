//! A real Trama server on a free port over a fresh SQLite file, and typed helpers to drive
//! it over HTTP. Each test gets its own server and database.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trama::domain::access::Role;
use trama::store::{self, NewToken, Store, User};
use trama::{AppState, Limits, identity};

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(TempDir::new().expect("temp dir"), Limits::default()).await
    }

    pub async fn start_with_limits(limits: Limits) -> Self {
        Self::start_with(TempDir::new().expect("temp dir"), limits).await
    }

    /// Starts a server on the database file inside `dir` (created if missing).
    pub async fn start_with(dir: TempDir, limits: Limits) -> Self {
        // Server logs, including the text of internal errors, when RUST_LOG asks for them.
        if std::env::var_os("RUST_LOG").is_some() {
            trama::telemetry::init();
        }
        let url = format!("sqlite://{}", dir.path().join("trama.db").display());
        let store = store::connect(&url).await.expect("database");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState {
            store: store.clone(),
            limits,
        };
        let server = tokio::spawn(trama::serve(
            listener,
            state,
            Duration::from_secs(30),
            async {
                let _ = rx.await;
            },
        ));
        Self {
            base,
            client: reqwest::Client::new(),
            store,
            dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Stops the server gracefully and hands back its directory, to start again on it.
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("join").expect("server ran");
        }
        self.dir
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self
            .client
            .request(method, format!("{}{}", self.base, path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        read(
            self.request(Method::GET, path, token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        read(
            self.request(Method::POST, path, token)
                .json(body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        read(
            self.request(Method::PUT, path, token)
                .json(body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// Creates a user directly in the database (as `trama user add` does) and a token for it.
    pub async fn token_for(&self, username: &str, role: Role) -> String {
        let user = User {
            id: uuid::Uuid::new_v4(),
            username: username.into(),
            role,
            created_at: Utc::now(),
        };
        self.store
            .create_user(&user, "$argon2id$unused")
            .await
            .expect("user");
        let (token, hash) = identity::new_token();
        self.store
            .create_user_token(
                user.id,
                &NewToken {
                    hash,
                    expires_at: None,
                    created_at: Utc::now(),
                },
            )
            .await
            .expect("token");
        token
    }

    /// A project with the fixture legend, and the tokens of its staff.
    pub async fn project(&self) -> Fixture {
        let admin = self.token_for("admin", Role::Admin).await;
        let analyst = self.token_for("analyst", Role::Analyst).await;
        let facilitator = self.token_for("facilitator", Role::Facilitator).await;
        let researcher = self.token_for("researcher", Role::Researcher).await;
        let (status, body) = self
            .post(
                "/api/projects",
                Some(&admin),
                &json!({"slug": "lomas", "name": "Lomas de Zamora"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let legend: Value =
            serde_json::from_str(include_str!("../../fixtures/legend.json")).expect("legend");
        let (status, body) = self
            .put("/api/projects/lomas/legend", Some(&analyst), &legend)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Fixture {
            admin,
            analyst,
            facilitator,
            researcher,
        }
    }

    /// A workshop run by the fixture's facilitator, with groups "Jóvenes" and "Docentes".
    pub async fn workshop(&self, fixture: &Fixture) -> Workshop {
        let (status, body) = self
            .post(
                "/api/projects/lomas/workshops",
                Some(&fixture.facilitator),
                &json!({"title": "Taller Budge", "place": "Capilla", "groups": ["Jóvenes", "Docentes"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Workshop {
            id: body["id"].as_str().expect("id").to_owned(),
            code: body["join_code"].as_str().expect("code").to_owned(),
        }
    }

    /// Joins a workshop's group and returns the participant token.
    pub async fn join(&self, code: &str, group: &str) -> String {
        let (status, body) = self
            .post(
                "/api/join",
                None,
                &json!({"code": code, "group": group, "display_name": "Tero"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn feature_count(&self, token: &str) -> usize {
        let (status, body) = self.get("/api/projects/lomas/features", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["features"].as_array().expect("features").len()
    }
}

pub struct Fixture {
    pub admin: String,
    pub analyst: String,
    pub facilitator: String,
    pub researcher: String,
}

pub struct Workshop {
    pub id: String,
    pub code: String,
}

pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let problem = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("") == "application/problem+json");
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    // Every error must be RFC 9457 problem JSON with a useful message.
    if status.is_client_error() || status.is_server_error() {
        assert!(problem, "error {status} without problem+json: {text}");
        assert_eq!(body["status"], status.as_u16());
        assert!(
            body["detail"].as_str().is_some_and(|d| d.len() > 5),
            "{text}"
        );
    }
    (status, body)
}

pub fn point(symbol: &str, lon: f64, lat: f64) -> Value {
    json!({"type": "Feature", "properties": {"symbol": symbol, "title": "Punto"},
           "geometry": {"type": "Point", "coordinates": [lon, lat]}})
}

pub fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}
