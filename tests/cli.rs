//! The `trama` binary as an operator uses it: migrate, users, tokens, demo, generate, and a
//! server that prints its URL and stops cleanly on SIGTERM.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use trama::domain::permit::{Moderation, Permit};

use serde_json::Value;
use tempfile::TempDir;

use support::{Server, run, text};

/// `trama` in `dir`, with its database there.
fn trama(dir: &TempDir) -> Command {
    let mut command = support::trama();
    command.current_dir(dir.path()).env(
        "TRAMA_DATABASE_URL",
        format!("sqlite://{}", dir.path().join("cli.db").display()),
    );
    command
}

/// The API token `trama demo` prints.
fn token_in(demo_output: &str) -> String {
    demo_output
        .lines()
        .find_map(|l| l.split("API token (30 days): ").nth(1))
        .expect("token line")
        .trim()
        .to_owned()
}

/// Seeds the demo project in `dir`'s database and answers its admin's API token.
fn demo_token(dir: &TempDir) -> String {
    let demo = run(trama(dir).arg("demo"), "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    token_in(&text(&demo.stdout))
}

/// GETs `url` with a bearer token and reads the JSON answer.
async fn get_json(client: &reqwest::Client, url: String, token: &str) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

fn serve(dir: &TempDir) -> Server {
    Server::start_command(trama(dir).args(["serve", "--listen", "127.0.0.1:0"]))
}

#[tokio::test]
async fn an_operator_sets_up_users_and_tokens_and_the_server_stops_cleanly() {
    let dir = TempDir::new().expect("dir");
    let migrate = run(trama(&dir).arg("migrate"), "");
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    assert!(
        dir.path().join("cli.db").exists(),
        "the database file is created"
    );

    let weak = run(
        trama(&dir).args(["user", "add", "--username", "ana", "--role", "analyst"]),
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(text(&weak.stderr).contains("at least 10 characters"));
    let bad_role = run(
        trama(&dir).args(["user", "add", "--username", "ana", "--role", "boss"]),
        "",
    );
    assert!(text(&bad_role.stderr).contains("unknown role"));
    let added = run(
        trama(&dir).args(["user", "add", "--username", "ana", "--role", "analyst"]),
        "una clave bien larga\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let token = run(
        trama(&dir).args(["token", "create", "--username", "ana", "--expires", "7"]),
        "",
    );
    assert!(token.status.success(), "{}", text(&token.stderr));
    let token = text(&token.stdout).trim().to_owned();
    assert!(token.starts_with("trm_"));
    let unknown = run(
        trama(&dir).args(["token", "create", "--username", "nadie"]),
        "",
    );
    assert!(!unknown.status.success());

    let mut server = serve(&dir);
    let url = server.url.clone();
    let client = reqwest::Client::new();
    let me: Value = get_json(&client, format!("{url}/api/me"), &token).await;
    assert_eq!(me["username"], "ana");
    let login = client
        .post(format!("{url}/api/tokens"))
        .json(&serde_json::json!({"username": "ana", "password": "una clave bien larga"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        login.status(),
        201,
        "the password set on the command line works"
    );

    // SIGTERM: the server finishes and exits successfully.
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_demo_seeds_a_project_once_and_its_token_works() {
    let dir = TempDir::new().expect("dir");
    let demo = run(trama(&dir).arg("demo"), "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let out = text(&demo.stdout);
    let token = token_in(&out);
    let again = run(trama(&dir).arg("demo"), "");
    assert!(text(&again.stdout).contains("already there"));

    let server = serve(&dir);
    let url = server.url.clone();
    let client = reqwest::Client::new();
    let features: Value = get_json(
        &client,
        format!("{url}/api/projects/lomas-de-zamora/features"),
        &token,
    )
    .await;
    assert_eq!(features["features"].as_array().expect("features").len(), 48);
    let legend: Value = get_json(
        &client,
        format!("{url}/api/projects/lomas-de-zamora/legend"),
        &token,
    )
    .await;
    let kinds: std::collections::BTreeSet<&str> = legend
        .as_array()
        .expect("legend")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["actor", "other", "relation", "resource", "risk"]
    );
    assert!(legend[0]["labels"]["en"].is_string() && legend[0]["labels"]["es"].is_string());
    let workshops: Value = get_json(
        &client,
        format!("{url}/api/projects/lomas-de-zamora/workshops"),
        &token,
    )
    .await;
    let statuses: Vec<&str> = workshops["workshops"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|w| w["status"].as_str())
        .collect();
    assert_eq!(statuses, ["closed", "open"]);

    // An account for every role, each of which logs in with the password printed.
    for (username, role) in [
        ("demo-admin", "admin"),
        ("demo-analista", "analyst"),
        ("demo-facilitadora", "facilitator"),
        ("demo-investigadora", "researcher"),
    ] {
        let password = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{username} ")))
            .and_then(|l| l.split("password: ").nth(1))
            .unwrap_or_else(|| panic!("{username} in {out}"))
            .trim()
            .to_owned();
        let login: Value = client
            .post(format!("{url}/api/tokens"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let me = get_json(
            &client,
            format!("{url}/api/me"),
            login["token"].as_str().expect("token"),
        )
        .await;
        assert_eq!(me["role"], role, "{username}");
    }

    // A forgotten password, reset from the command line.
    let reset = run(
        trama(&dir).args(["user", "password", "--username", "demo-analista"]),
        "una clave nueva y larga\n",
    );
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    let login = client
        .post(format!("{url}/api/tokens"))
        .json(&serde_json::json!({"username": "demo-analista", "password": "una clave nueva y larga"}))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), reqwest::StatusCode::CREATED);
    let unknown = run(
        trama(&dir).args(["user", "password", "--username", "nadie"]),
        "una clave nueva y larga\n",
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("no user nadie"));
    drop(server);
}

#[test]
fn generate_writes_valid_reproducible_geojson() {
    let dir = TempDir::new().expect("dir");
    let first = run(
        trama(&dir).args(["generate", "--features", "300", "--seed", "9"]),
        "",
    );
    assert!(first.status.success());
    let collection: Value = serde_json::from_slice(&first.stdout).expect("GeoJSON");
    let features = collection["features"].as_array().expect("features");
    assert_eq!(features.len(), 300);
    assert!(
        features
            .iter()
            .all(|f| f["properties"]["symbol"].is_string() && f["properties"]["group"].is_string())
    );
    let second = run(
        trama(&dir).args(["generate", "--features", "300", "--seed", "9"]),
        "",
    );
    assert_eq!(first.stdout, second.stdout);
    let file = dir.path().join("out.geojson");
    let to_file = run(
        trama(&dir).args([
            "generate",
            "--features",
            "5",
            "--out",
            file.to_str().expect("path"),
        ]),
        "",
    );
    assert!(to_file.status.success());
    assert!(
        std::fs::read_to_string(file)
            .expect("file")
            .contains("FeatureCollection")
    );
}

#[test]
fn priority_and_export_write_files_that_gdal_reads() {
    let dir = TempDir::new().expect("dir");
    let demo = run(trama(&dir).arg("demo"), "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));

    let zones = dir.path().join("zones.geojson");
    let priority = run(
        trama(&dir)
            .args([
                "priority",
                "--project",
                "lomas-de-zamora",
                "--rule",
                "consensus",
                "--k",
                "2",
                "--out",
            ])
            .arg(&zones),
        "",
    );
    assert!(priority.status.success(), "{}", text(&priority.stderr));
    assert!(
        text(&priority.stderr).contains("zones"),
        "{}",
        text(&priority.stderr)
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&zones).expect("zones")).expect("json");
    assert_eq!(written["rule"], "consensus");
    assert!(!written["features"].as_array().expect("zones").is_empty());
    let bad = run(
        trama(&dir).args([
            "priority",
            "--project",
            "lomas-de-zamora",
            "--rule",
            "biggest",
        ]),
        "",
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("unknown rule"),
        "{}",
        text(&bad.stderr)
    );

    for (format, privacy) in [
        ("gpkg", "anonymised"),
        ("csv", "aggregated"),
        ("geojson", "full"),
    ] {
        let out = dir.path().join(format!("export.{format}"));
        let export = run(
            trama(&dir)
                .args([
                    "export",
                    "--project",
                    "lomas-de-zamora",
                    "--format",
                    format,
                    "--privacy",
                    privacy,
                    "--k",
                    "2",
                    "--out",
                ])
                .arg(&out),
            "",
        );
        assert!(export.status.success(), "{}", text(&export.stderr));
        let info = Command::new("ogrinfo")
            .args(["-ro", "-so", "-al"])
            .arg(&out)
            .output()
            .expect("ogrinfo");
        assert!(info.status.success(), "{format}: {}", text(&info.stderr));
        assert!(
            text(&info.stdout).contains("Feature Count"),
            "{}",
            text(&info.stdout)
        );
    }
    assert!(
        dir.path().join("export.metadata.json").exists(),
        "CSV metadata goes beside the file"
    );

    // A printed map of the demo's area: two A3 sheets, georeferenced (GDAL reads page 2).
    let pdf = dir.path().join("mapa.pdf");
    let printed = run(
        trama(&dir)
            .args([
                "print",
                "--project",
                "lomas-de-zamora",
                "--paper",
                "A3",
                "--columns",
                "2",
            ])
            .args([
                "--bbox=-58.42,-34.775,-58.38,-34.75",
                "--lang",
                "en",
                "--out",
            ])
            .arg(&pdf),
        "",
    );
    assert!(printed.status.success(), "{}", text(&printed.stderr));
    assert!(
        text(&printed.stderr).contains("printed 2 sheet(s)"),
        "{}",
        text(&printed.stderr)
    );
    let info = Command::new("gdalinfo")
        .arg(format!("PDF:2:{}", pdf.display()))
        .output()
        .expect("gdalinfo");
    assert!(
        info.status.success() && text(&info.stdout).contains("NEATLINE"),
        "{}",
        text(&info.stderr)
    );
    let refused = run(
        trama(&dir)
            .args([
                "print",
                "--project",
                "lomas-de-zamora",
                "--paper",
                "B4",
                "--out",
            ])
            .arg(&pdf),
        "",
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("unknown paper"),
        "{}",
        text(&refused.stderr)
    );

    // The full GeoJSON back into a workshop: a dry run, then once, then again adds nothing.
    // Before that, a boundary layer to score units with, and the demo's two workshops.
    let (workshops, layer) = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let url = format!("sqlite://{}", dir.path().join("cli.db").display());
            let store = trama::store::connect(&url).await.expect("store");
            let project = store
                .find_project("lomas-de-zamora")
                .await
                .expect("read")
                .expect("project");
            let collection = serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": "Todo Lomas"}, "geometry": {"type": "Polygon",
                 "coordinates": [[[-58.53, -34.82], [-58.35, -34.82], [-58.35, -34.69], [-58.53, -34.69], [-58.53, -34.82]]]}}
            ]});
            let layer = trama::domain::boundary::BoundaryLayer {
                id: uuid::Uuid::new_v4(),
                project_id: project.id,
                name: "Distrito".into(),
                units: trama::domain::boundary::BoundaryLayer::parse("Distrito", &collection, "name")
                    .expect("units"),
                created_by: None,
                created_at: chrono::Utc::now(),
            };
            store
                .create_boundary_layer(&Permit::operator(Moderation), &layer).await.expect("layer");
            let workshops: Vec<String> = store
                .list_workshops(project.id)
                .await
                .expect("workshops")
                .iter()
                .map(|w| w.id.to_string())
                .collect();
            (workshops, layer.id.to_string())
        });
    let workshop = workshops[0].clone();
    let units = run(
        trama(&dir).args([
            "priority",
            "--project",
            "lomas-de-zamora",
            "--units",
            &layer,
        ]),
        "",
    );
    assert!(units.status.success(), "{}", text(&units.stderr));
    let scored: Value = serde_json::from_str(&text(&units.stdout)).expect("units json");
    assert_eq!(scored["features"][0]["properties"]["name"], "Todo Lomas");
    assert!(
        scored["features"][0]["properties"]["score"]
            .as_f64()
            .expect("score")
            != 0.0
    );
    let change = run(
        trama(&dir).args([
            "priority",
            "--project",
            "lomas-de-zamora",
            "--rule",
            "top",
            "--before",
            &workshops[0],
            "--after",
            &workshops[1],
        ]),
        "",
    );
    assert!(change.status.success(), "{}", text(&change.stderr));
    let compared: Value = serde_json::from_str(&text(&change.stdout)).expect("change json");
    assert!(
        compared["features"]
            .as_array()
            .expect("zones")
            .iter()
            .all(|z| z["properties"]["change"].is_string())
    );
    let import = |extra: &[&str]| {
        let mut command = trama(&dir);
        command
            .args([
                "import",
                "--workshop",
                &workshop,
                "--username",
                "demo-admin",
                "--file",
            ])
            .arg(dir.path().join("export.geojson"))
            .args(extra);
        run(&mut command, "")
    };
    let dry = import(&["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stderr).contains(", 0 problems,"),
        "{}",
        text(&dry.stderr)
    );
    // The workshop's own export, imported back into it: every item is already there.
    assert!(
        text(&dry.stderr)
            .contains("warning: item 1: identical to a drawing already in the workshop"),
        "{}",
        text(&dry.stderr)
    );
    let first = import(&[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).starts_with("imported "),
        "{}",
        text(&first.stdout)
    );
    let again = import(&[]);
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("already imported"),
        "{}",
        text(&again.stdout)
    );
}

#[tokio::test]
async fn behind_tls_the_cookies_are_secure() {
    let dir = TempDir::new().expect("dir");
    let server = Server::start_command(trama(&dir).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--secure-cookies",
    ]));
    let response = reqwest::get(format!("{}/login", server.url))
        .await
        .expect("login page");
    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(!cookies.is_empty());
    assert!(
        cookies
            .iter()
            .all(|c| c.ends_with("; Secure") && c.contains("HttpOnly")),
        "{cookies:?}"
    );
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000",
        "browsers keep to HTTPS"
    );
}

#[path = "api/common/tiles.rs"]
#[allow(dead_code)]
mod tiles;

/// Runs `trama` in `dir` with `args` off the async threads (the test's tile service runs on them).
async fn run_trama(dir: &TempDir, args: &[String]) -> std::process::Output {
    let mut command = trama(dir);
    command.args(args);
    tokio::task::spawn_blocking(move || run(&mut command, ""))
        .await
        .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_prepares_a_basemap_online_and_a_bad_one_stops_the_start() {
    let dir = TempDir::new().expect("dir");
    let (service, asked) = tiles::tile_service().await;
    let out = dir.path().join("lomas.mbtiles");
    let fetch = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "basemap",
            "fetch",
            "--url",
            &service,
            "--bbox",
            "-58.42,-34.77,-58.40,-34.755",
            "--zoom",
            "14-15",
            "--contact",
            "copreti@example.org",
            "--rate",
            "20",
            "--yes",
            "--out",
            out.to_str().expect("utf-8"),
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };

    // Too many tiles for the limit: refused before any request, with what it would take.
    let refused = run_trama(&dir, &fetch(&["--max-tiles", "3"])).await;
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("above the limit of 3"),
        "{}",
        text(&refused.stderr)
    );
    assert!(asked.lock().expect("lock").is_empty());

    // The download says what it takes, then writes the file.
    let first = run_trama(&dir, &fetch(&[])).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stderr).contains("tiles at zooms 14–15, about"),
        "{}",
        text(&first.stderr)
    );
    let requests = asked.lock().expect("lock").len();
    assert!(requests > 4, "{requests}");
    // Again: everything is in the file already, nothing is asked.
    let again = run_trama(&dir, &fetch(&[])).await;
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        asked.lock().expect("lock").len(),
        requests,
        "a second run resumes, asks nothing"
    );
    assert!(
        text(&again.stderr).contains(&format!("({requests} already there")),
        "{}",
        text(&again.stderr)
    );

    // The file checks, converts to PMTiles, and both serve.
    let check = run_trama(
        &dir,
        &["basemap".into(), "check".into(), out.display().to_string()],
    )
    .await;
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("mbtiles png, zoom 14–15"),
        "{}",
        text(&check.stdout)
    );
    let pmtiles = dir.path().join("lomas.pmtiles");
    let convert = run_trama(
        &dir,
        &[
            "basemap".into(),
            "convert".into(),
            out.display().to_string(),
            pmtiles.display().to_string(),
        ],
    )
    .await;
    assert!(convert.status.success(), "{}", text(&convert.stderr));
    let check = run_trama(
        &dir,
        &[
            "basemap".into(),
            "check".into(),
            pmtiles.display().to_string(),
        ],
    )
    .await;
    assert!(
        text(&check.stdout).contains("pmtiles png, zoom 14–15"),
        "{}",
        text(&check.stdout)
    );

    // A file that is not a basemap stops the start, saying why.
    let bad = dir.path().join("calles.mbtiles");
    std::fs::write(&bad, "<html>a page saved by mistake</html>").expect("write");
    let mut command = trama(&dir);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--basemap",
        bad.to_str().expect("utf-8"),
    ]);
    let start = tokio::task::spawn_blocking(move || run(&mut command, ""))
        .await
        .expect("join");
    assert!(!start.status.success());
    let said = text(&start.stderr);
    assert!(
        said.contains("--basemap") && said.contains("neither an MBTiles file"),
        "{said}"
    );
}

/// Peak resident memory of a process so far (`VmHWM`, in MB), from `/proc`.
fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb / 1024.0
}

/// A KMZ whose `doc.kml` holds `placemarks` points, each with `padding` bytes of description.
fn kmz(placemarks: usize, padding: usize) -> Vec<u8> {
    let filler = "x".repeat(padding);
    let mut kml = String::from(r#"<kml xmlns="http://www.opengis.net/kml/2.2"><Document>"#);
    for i in 0..placemarks {
        let lon = -58.40 - (i % 1000) as f64 * 1e-5;
        let lat = -34.76 - (i / 1000) as f64 * 1e-5;
        kml.push_str(&format!(
            "<Placemark><name>P{i}</name><description>{filler}</description><Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
        ));
    }
    kml.push_str("</Document></kml>");
    let mut bytes = Vec::new();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
    zip.start_file("doc.kml", zip::write::SimpleFileOptions::default())
        .expect("entry");
    std::io::Write::write_all(&mut zip, kml.as_bytes()).expect("write");
    zip.finish().expect("zip");
    bytes
}

/// The memory bound of imports, on the real server process: the largest files it accepts
/// (a KMZ unpacking to nearly its 16 MB with 5,000 placemarks, a 5 MB GeoJSON of 5,000
/// features), four at once, checked and imported, and the KMZ that held 552,856 placemarks
/// (refused), keep the server's peak resident memory under `BOUND_MB`.
#[tokio::test]
async fn the_largest_accepted_imports_keep_the_server_s_memory_bounded() {
    /// The stated bound (README, "What an import reads").
    const BOUND_MB: f64 = 256.0;
    let dir = TempDir::new().expect("dir");
    let token = demo_token(&dir);
    // Built first: a pooled connection left idle while they were built (seconds in a debug
    // build) could be closed by the server's header timeout just as it was reused.
    let largest_kmz = kmz(5_000, 3_000);
    let bomb = kmz(552_856, 0);
    let geojson = serde_json::json!({"type": "FeatureCollection", "features": (0..5_000).map(|i| {
        let ring: Vec<[f64; 2]> = (0..=16).map(|k| {
            let a = f64::from(k % 16) * std::f64::consts::TAU / 16.0;
            [-58.40 - f64::from(i % 70) * 1e-3 + 2e-4 * a.cos(), -34.76 - f64::from(i / 70) * 1e-3 + 2e-4 * a.sin()]
        }).collect();
        serde_json::json!({"type": "Feature", "properties": {"name": format!("Zona {i}")},
            "geometry": {"type": "Polygon", "coordinates": [ring]}})
    }).collect::<Vec<_>>()})
    .to_string();
    let server = serve(&dir);
    let url = server.url.clone();
    let client = reqwest::Client::new();
    let workshops = get_json(
        &client,
        format!("{url}/api/projects/lomas-de-zamora/workshops"),
        &token,
    )
    .await;
    let workshop = workshops["workshops"]
        .as_array()
        .expect("list")
        .iter()
        .find(|w| w["status"] == "open")
        .and_then(|w| w["id"].as_str())
        .expect("an open workshop")
        .to_owned();
    let at_start = peak_mb(server.child.id());

    let sizes = (largest_kmz.len(), bomb.len(), geojson.len());
    assert!(
        sizes.0.max(sizes.1).max(sizes.2) < 5 * 1024 * 1024,
        "{sizes:?}"
    );
    let post = |query: &str, body: Vec<u8>| {
        client
            .post(format!("{url}/api/workshops/{workshop}/import?{query}"))
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    let started = Instant::now();
    let answers = futures::future::join_all([
        post(
            "format=kml&dry_run=true&default_symbol=escuela",
            largest_kmz.clone(),
        ),
        post(
            "format=kml&dry_run=true&default_symbol=escuela",
            largest_kmz.clone(),
        ),
        post(
            "format=geojson&dry_run=true&default_symbol=zona_riesgo",
            geojson.clone().into_bytes(),
        ),
        post(
            "format=kml&dry_run=true&default_symbol=escuela",
            bomb.clone(),
        ),
    ])
    .await;
    let statuses: Vec<u16> = answers
        .into_iter()
        .map(|a| a.expect("answer").status().as_u16())
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200]);
    let imported = futures::future::join_all([
        post("format=kml&default_symbol=escuela", largest_kmz),
        post(
            "format=geojson&default_symbol=zona_riesgo",
            geojson.into_bytes(),
        ),
        post("format=kml&default_symbol=escuela", bomb),
    ])
    .await;
    let statuses: Vec<u16> = imported
        .into_iter()
        .map(|a| a.expect("answer").status().as_u16())
        .collect();
    assert_eq!(
        statuses,
        [201, 201, 422],
        "the 552,856 placemarks are refused"
    );
    let peak = peak_mb(server.child.id());
    eprintln!(
        "imports: peak resident memory {peak:.0} MB (at start {at_start:.0} MB), bound {BOUND_MB} MB, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(peak < BOUND_MB, "peak {peak:.0} MB");
}

/// CPU time (user + system) a process has used so far, from `/proc/{pid}/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("proc stat");
    // Fields after the command (in parentheses): state is the 3rd, utime the 14th, stime the 15th.
    let after = stat.rsplit_once(") ").expect("stat fields").1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

/// A rectangle of `width` × `height` kilometres, south-west corner in Lomas de Zamora, as a
/// GeoJSON FeatureCollection to import.
fn rectangle_km(width: f64, height: f64) -> Vec<u8> {
    let (x, y) = (-58.45, -34.80);
    let (dx, dy) = (width / 111.32 / 0.82, height / 111.32);
    serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": "Zona"},
        "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]]}}]})
    .to_string()
    .into_bytes()
}

/// The memory bound of priority analyses, on the real server process (issue 24.3): the
/// largest polygon at the finest resolution offered (11) is refused before any work with the
/// resolution that would fit; the largest analysis allowed, answered whole, keeps the server's
/// memory within the stated bound; and a client that gives up stops the work.
#[tokio::test]
async fn the_largest_priority_analysis_keeps_the_server_s_memory_bounded() {
    /// The stated bound of one analysis (README, "Priority areas"), and the server before it.
    const BOUND_MB: f64 = 384.0;
    let dir = TempDir::new().expect("dir");
    let token = demo_token(&dir);
    // This measures memory, not speed: on two cores shared with a build, the whole analysis
    // took more than the default 30 s a request may take (a 408 in CI, 2026-12-07).
    let server = Server::start_command(
        trama(&dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("TRAMA_REQUEST_TIMEOUT", "300"),
    );
    let url = server.url.clone();
    let client = reqwest::Client::new();
    // Two new workshops, one polygon each: about the largest a drawing of the demo project may
    // span (33 × 29 km, twice the project's extent), and one within the bound at resolution
    // 11 with the project's area (14 km a side).
    let mut workshops = Vec::new();
    for (title, km) in [("Grande", (32.0, 28.0)), ("Cabe", (14.0, 14.0))] {
        let created: Value = client
            .post(format!("{url}/api/projects/lomas-de-zamora/workshops"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": title, "groups": ["Mesa 1"], "legal_basis": {"basis": "public_interest", "mandate": "Ley 26.061 y el programa de COPRETI", "uses": ["research", "publication"]}}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let id = created["id"].as_str().expect("workshop id").to_owned();
        let imported = client
            .post(format!(
                "{url}/api/workshops/{id}/import?format=geojson&default_symbol=zona_riesgo"
            ))
            .bearer_auth(&token)
            .body(rectangle_km(km.0, km.1))
            .send()
            .await
            .expect("send");
        assert_eq!(
            imported.status(),
            201,
            "{}",
            imported.text().await.unwrap_or_default()
        );
        workshops.push(id);
    }
    let cells = |workshop: &str| {
        format!(
            "{url}/api/projects/lomas-de-zamora/priority/cells?resolution=11&workshop={workshop}"
        )
    };

    // Refused at once, with what would fit.
    let started = Instant::now();
    let refused = client
        .get(cells(&workshops[0]))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.expect("problem");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(problem["errors"][0]["pointer"], "resolution", "{problem}");
    assert_eq!(problem["errors"][0]["detail"], "10 would fit", "{problem}");
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("MB")),
        "{problem}"
    );

    // The largest allowed, answered whole.
    let at_start = peak_mb(server.child.id());
    let started = Instant::now();
    let answer = client
        .get(cells(&workshops[1]))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status(), 200);
    let body = answer.bytes().await.expect("body");
    let took = started.elapsed();
    let peak = peak_mb(server.child.id());
    let collection: Value = serde_json::from_slice(&body).expect("GeoJSON");
    let features = collection["features"].as_array().expect("features").len();
    eprintln!(
        "priority cells at resolution 11: {features} cells, {} MB of GeoJSON in {:.1} s; server peak {peak:.0} MB (at start {at_start:.0} MB), bound {BOUND_MB} MB",
        body.len() / 1_000_000,
        took.as_secs_f64()
    );
    assert!(features > 200_000, "{features}");
    assert!(peak - at_start < BOUND_MB, "peak {peak:.0} MB");
    drop((body, collection));

    // A client that gives up after a moment: the server's work stops with it.
    let gave_up = client
        .get(cells(&workshops[1]))
        .bearer_auth(&token)
        .timeout(took / 5)
        .send()
        .await;
    assert!(gave_up.is_err(), "the client gave up");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Work that went on would take a core for most of the window (the analysis took `took`).
    let window = took.min(Duration::from_secs(5));
    let before = cpu_seconds(server.child.id());
    tokio::time::sleep(window).await;
    let spent = cpu_seconds(server.child.id()) - before;
    eprintln!(
        "after the client gave up: {spent:.2} s of CPU in the next {:.1} s",
        window.as_secs_f64()
    );
    assert!(spent < window.as_secs_f64() / 4.0, "{spent:.2} s of CPU");
}

/// Runs `sql` on the CLI test's SQLite file, as someone with the file would.
async fn on_the_file(dir: &TempDir, sql: &str) {
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&pool)
        .await
        .expect("sql");
    pool.close().await;
}

#[tokio::test]
async fn an_operator_purges_what_retention_ended_and_verifies_the_audit_trail() {
    let dir = TempDir::new().expect("dir");
    let _token = demo_token(&dir);
    // The demo's workshops ended three years ago; the project keeps drawings 24 months.
    on_the_file(
        &dir,
        "UPDATE workshops SET status = 'closed', closed_at = '2023-01-10T18:00:00Z';
         UPDATE projects SET retention_months = 24;",
    )
    .await;
    let dry = run(trama(&dir).args(["purge", "--dry-run"]), "");
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let said = text(&dry.stdout);
    assert!(said.contains("would purge lomas-de-zamora/"), "{said}");
    assert!(said.contains("(retention ended 2025-01-10)"), "{said}");
    let purge = run(trama(&dir).arg("purge"), "");
    assert!(purge.status.success(), "{}", text(&purge.stderr));
    let said = text(&purge.stdout);
    assert!(
        said.contains("purged lomas-de-zamora/") && !said.contains("would"),
        "{said}"
    );
    let again = run(trama(&dir).arg("purge"), "");
    assert!(text(&again.stdout).contains("nothing is due"));

    // The purges are in the audit trail, which verifies; a checkpoint is signed and kept.
    let verified = run(trama(&dir).args(["audit", "verify"]), "");
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("the audit trail verifies"));
    let signed = run(
        trama(&dir).args(["audit", "checkpoint", "--key", "keys/audit.key"]),
        "",
    );
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let checkpoint: Value = serde_json::from_slice(&signed.stdout).expect("checkpoint JSON");
    let count = checkpoint["count"].as_u64().expect("count");
    assert!(count >= 1, "{checkpoint}");
    std::fs::write(dir.path().join("kept.json"), &signed.stdout).expect("keep");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("keys/audit.key"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key is its owner's only");
    }

    // A changed row is named; a cut tail is found against the kept checkpoint.
    on_the_file(&dir, "UPDATE audit_log SET kind = 'export' WHERE seq = 1").await;
    let broken = run(trama(&dir).args(["audit", "verify"]), "");
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken.stderr).contains("audit entry 1:"),
        "{}",
        text(&broken.stderr)
    );
    on_the_file(&dir, "UPDATE audit_log SET kind = 'purge' WHERE seq = 1").await;
    on_the_file(&dir, &format!("DELETE FROM audit_log WHERE seq = {count}")).await;
    on_the_file(&dir, "DELETE FROM audit_checkpoints").await;
    let cut = run(
        trama(&dir).args([
            "audit",
            "verify",
            "--checkpoint",
            "kept.json",
            "--key",
            "keys/audit.key",
        ]),
        "",
    );
    assert_eq!(cut.status.code(), Some(1), "{}", text(&cut.stdout));
    assert!(
        text(&cut.stderr).contains("its tail was cut"),
        "{}",
        text(&cut.stderr)
    );
    // A checkpoint signed with another key is not ours.
    let other = run(
        trama(&dir).args(["audit", "checkpoint", "--key", "keys/other.key"]),
        "",
    );
    std::fs::write(dir.path().join("forged.json"), &other.stdout).expect("write");
    let forged = run(
        trama(&dir).args([
            "audit",
            "verify",
            "--checkpoint",
            "forged.json",
            "--key",
            "keys/audit.key",
        ]),
        "",
    );
    assert_eq!(forged.status.code(), Some(1));
    assert!(
        text(&forged.stderr).contains("not signed with"),
        "{}",
        text(&forged.stderr)
    );
}
