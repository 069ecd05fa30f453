//! A real Trama server on a free port over a fresh database — a SQLite file, or a database
//! created for the test on the local PostgreSQL and dropped after it — and typed helpers to
//! drive it over HTTP.
#![allow(dead_code)]

pub mod tiles;

use std::sync::Arc;
use std::time::Duration;
use trama::domain::permit::{Permit, UserAdministration};

use chrono::Utc;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trama::application::identity;
use trama::domain::access::Role;
use trama::store::{self, NewToken, Store, User};
use trama::{AppState, Limits};

/// Which storage backend a test runs on. Every API test runs on both (see `both_backends!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test: a SQLite file in a temporary directory, or a fresh PostgreSQL
/// database that is dropped when this is dropped.
pub struct TestDatabase {
    pub url: String,
    _dir: TempDir,
    postgres: Option<(String, String)>,
}

/// The local PostgreSQL (trust auth); override with TRAMA_TEST_POSTGRES_URL.
pub fn postgres_admin_url() -> String {
    std::env::var("TRAMA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        let dir = TempDir::new().expect("temp dir");
        match backend {
            Backend::Sqlite => Self {
                url: format!("sqlite://{}", dir.path().join("trama.db").display()),
                _dir: dir,
                postgres: None,
            },
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("trama_test_{}", uuid::Uuid::new_v4().simple());
                let mut connection = sqlx::postgres::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin} is needed for the PostgreSQL half of the tests ({e}); .ci/run starts it")
                });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut connection)
                    .await
                    .expect("create test database");
                let (base, _) = admin.rsplit_once('/').expect("database URL");
                Self {
                    url: format!("{base}/{name}"),
                    _dir: dir,
                    postgres: Some((admin, name)),
                }
            }
        }
    }
}

impl TestDatabase {
    /// The test's own folder (the SQLite file's, and the server's data directory).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async code: use a small runtime on a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(mut connection) = sqlx::postgres::PgConnection::connect(&admin).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(drop))
                        .execute(&mut connection)
                        .await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_on(TestDatabase::new(backend).await, Limits::default()).await
    }

    pub async fn start_with_limits(backend: Backend, limits: Limits) -> Self {
        Self::start_on(TestDatabase::new(backend).await, limits).await
    }

    /// Starts a server on `database` (migrated on start if needed).
    pub async fn start_on(database: TestDatabase, limits: Limits) -> Self {
        Self::start_at(database, limits, "127.0.0.1:0".parse().expect("address")).await
    }

    /// Starts a server at `address` (a browser test restarts on the same one).
    pub async fn start_at(
        database: TestDatabase,
        limits: Limits,
        address: std::net::SocketAddr,
    ) -> Self {
        Self::launch(database, limits, address, Vec::new(), &[], &[]).await
    }

    /// Starts a server offering the basemap files `files` (as `trama serve --basemap`).
    pub async fn start_with_basemaps(backend: Backend, files: &[String]) -> Self {
        Self::start_at_with_basemaps(
            TestDatabase::new(backend).await,
            "127.0.0.1:0".parse().expect("address"),
            files,
        )
        .await
    }

    /// As `start_with_basemaps`, on `database` at `address` (to start again where it was).
    pub async fn start_at_with_basemaps(
        database: TestDatabase,
        address: std::net::SocketAddr,
        files: &[String],
    ) -> Self {
        Self::launch(database, Limits::default(), address, Vec::new(), files, &[]).await
    }

    /// Starts a server behind the reverse proxies `proxies` (addresses or networks).
    pub async fn start_behind_proxies(backend: Backend, proxies: &[&str]) -> Self {
        let proxies = proxies
            .iter()
            .map(|p| p.parse().expect("network"))
            .collect();
        Self::launch(
            TestDatabase::new(backend).await,
            Limits::default(),
            "127.0.0.1:0".parse().expect("address"),
            proxies,
            &[],
            &[],
        )
        .await
    }

    /// Starts a server that also serves HTTPS on its port, with the room's own authority
    /// (as `trama serve --tls --tls-name …`) for `names`.
    pub async fn start_with_tls(backend: Backend, names: &[&str]) -> Self {
        Self::launch(
            TestDatabase::new(backend).await,
            Limits::default(),
            "127.0.0.1:0".parse().expect("address"),
            Vec::new(),
            &[],
            names,
        )
        .await
    }

    async fn launch(
        database: TestDatabase,
        limits: Limits,
        address: std::net::SocketAddr,
        trusted_proxies: Vec<ipnet::IpNet>,
        basemap_files: &[String],
        tls_names: &[&str],
    ) -> Self {
        // Server logs, including the text of internal errors, when RUST_LOG asks for them.
        if std::env::var_os("RUST_LOG").is_some() {
            trama::telemetry::init();
        }
        let options = store::StoreOptions {
            max_connections: 4,
            ..store::StoreOptions::default()
        };
        let store = store::connect_with(&database.url, &options)
            .await
            .expect("database");
        let basemaps =
            trama::basemap::Basemaps::open(basemap_files, Some(database.dir().join("data")))
                .await
                .expect("basemaps");
        let listener = TcpListener::bind(address).await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState {
            store: store.clone(),
            limits,
            tiles: None,
            secure_cookies: false,
            trusted_proxies: trusted_proxies.into(),
            writes: Default::default(),
            basemaps: Arc::new(basemaps),
            room_origins: Arc::from(Vec::new()),
            jobs: Default::default(),
            tls: (!tls_names.is_empty()).then(|| {
                let names: Vec<String> = tls_names.iter().map(|n| (*n).to_owned()).collect();
                Arc::new(
                    trama::tls::RoomTls::for_names(&database.dir().join("data/tls"), &names)
                        .expect("the room's HTTPS"),
                )
            }),
            media: Arc::new(trama::media::Folder::new(
                database.dir().join("data/attachments"),
            )),
            prints: database.dir().join("data/prints").into(),
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
            // Idle connections are let go before the server's header timeout (10 s) closes
            // them: reusing one just as it closes fails a request (hyper's IncompleteMessage).
            client: reqwest::Client::builder()
                .pool_idle_timeout(Duration::from_secs(5))
                .build()
                .expect("client"),
            store,
            database,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Stops the server gracefully and hands back its database, to start again on it.
    pub async fn stop(mut self) -> TestDatabase {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("join").expect("server ran");
        }
        let Self { database, .. } = self;
        database
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
            disabled: false,
        };
        self.store
            .create_user(&operator(), &user, "$argon2id$unused")
            .await
            .expect("user");
        let (token, hash) = identity::new_token();
        self.store
            .create_user_token(
                &operator(),
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
                &json!({"title": "Taller Budge", "place": "Capilla", "groups": ["Jóvenes", "Docentes"], "legal_basis": mandate()}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Workshop {
            id: body["id"].as_str().expect("id").to_owned(),
            code: body["join_code"].as_str().expect("code").to_owned(),
        }
    }

    /// Closes the workshop `id` as `token` (its facilitator, an analyst…); returns the
    /// workshop as the API answers it.
    pub async fn close(&self, id: &str, token: &str) -> Value {
        let (status, closed) = self
            .post(
                &format!("/api/workshops/{id}/close"),
                Some(token),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        closed
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

/// The fixture legend with questions: the clandestine workshop (a sensitive symbol) asks
/// whether children work there, how many, their ages (a sensitive question) and a note; the
/// soup kitchen (not sensitive) asks its rations and, sensitively, whether its street is safe.
pub async fn legend_with_questions(app: &TestApp, analyst: &str) {
    let (_, legend) = app.get("/api/projects/lomas/legend", Some(analyst)).await;
    let mut legend = legend.as_array().expect("legend").clone();
    for symbol in &mut legend {
        match symbol["key"].as_str() {
            Some("taller_clandestino") => {
                symbol["questions"] = json!([
                    {"key": "chicos", "type": "yes_no", "required": true,
                     "labels": {"es": "¿Trabajan chicos?", "en": "Do children work there?"}},
                    {"key": "cuantos", "type": "integer", "min": 1, "max": 200,
                     "labels": {"es": "¿Cuántos?", "en": "How many?"},
                     "when": {"question": "chicos", "equals": true}},
                    {"key": "edades", "type": "choice", "multiple": true, "sensitive": true,
                     "labels": {"es": "¿Qué edades?", "en": "What ages?"},
                     "options": [{"key": "menos_13", "labels": {"es": "Menos de 13", "en": "Under 13"}},
                                 {"key": "de_13_a_17", "labels": {"es": "13 a 17", "en": "13 to 17"}}]},
                    {"key": "nota", "type": "text", "max_length": 80,
                     "labels": {"es": "Nota", "en": "Note"}},
                    {"key": "horario", "type": "choice",
                     "labels": {"es": "¿En qué horario?", "en": "At what time?"},
                     "options": [{"key": "noche", "labels": {"es": "De noche", "en": "At night"}},
                                 {"key": "dia", "labels": {"es": "De día", "en": "By day"}}]},
                    {"key": "desde", "type": "date", "labels": {"es": "¿Desde cuándo?", "en": "Since when?"}}
                ]);
            }
            Some("comedor") => {
                symbol["questions"] = json!([
                    {"key": "raciones", "type": "integer", "min": 0,
                     "labels": {"es": "Raciones por día", "en": "Meals a day"}},
                    {"key": "calle_segura", "type": "yes_no", "sensitive": true,
                     "labels": {"es": "¿La calle es segura?", "en": "Is the street safe?"}}
                ]);
            }
            _ => {}
        }
    }
    let (status, body) = app
        .put(
            "/api/projects/lomas/legend",
            Some(analyst),
            &Value::Array(legend),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub fn point(symbol: &str, lon: f64, lat: f64) -> Value {
    json!({"type": "Feature", "properties": {"symbol": symbol, "title": "Punto"},
           "geometry": {"type": "Point", "coordinates": [lon, lat]}})
}

pub fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

/// Runs each listed `async fn name(backend: Backend)` as two tests, `sqlite::name` and
/// `postgres::name`: one suite, a matrix of backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::common::Backend::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::common::Backend::Postgres).await
            })*
        }
    };
}

/// The machine operator's leave to manage users, as the tests set up their callers.
pub fn operator() -> Permit<UserAdministration> {
    Permit::operator(UserAdministration)
}

/// The legal basis test workshops are created with: the programme's public-interest mandate,
/// covering research and publication (issue 26: a workshop without one takes no drawings).
pub fn mandate() -> Value {
    json!({
        "basis": "public_interest",
        "mandate": "Ley 26.061 y el programa de COPRETI",
        "uses": ["research", "publication"]
    })
}

/// A small PNG, as a gallery's screenshot: 64×48 pixels of one green.
pub fn small_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(64, 48, image::Rgb([30, 120, 60]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

/// A phone's photo at `dir/name`: 400×200 pixels (red left, blue right) taken upright
/// (Orientation 6), with where it was taken and which phone (exiftool, which `.ci/run`
/// installs); its path.
pub fn phone_photo_at(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let image = image::RgbImage::from_fn(400, 200, |x, _| {
        if x < 200 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let path = dir.join(name);
    image.save(&path).expect("jpeg");
    let output = std::process::Command::new("exiftool")
        .args([
            "-overwrite_original",
            "-Orientation#=6",
            "-GPSLatitude=34.7601",
            "-GPSLatitudeRef=S",
            "-GPSLongitude=58.4012",
            "-GPSLongitudeRef=W",
            "-Make=Motorola",
        ])
        .arg(&path)
        .output()
        .expect("exiftool (.ci/run installs it)");
    assert!(output.status.success());
    path
}
