//! Basemap files made for tests with GDAL, as an operator would make them: a raster MBTiles
//! (`gdal_create` + `gdal_translate -of MBTiles` + `gdaladdo`), a vector MBTiles (`ogr2ogr -f
//! MVT`) in the Protomaps basemap schema's layer names and two in the OpenMapTiles schema's
//! (one starting at zoom 15), and a PMTiles archive of the first two
//! (`trama basemap convert`, as GDAL 3.6 writes no PMTiles). And an XYZ tile service on
//! loopback, standing for an online one, that records what it was asked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tempfile::TempDir;

/// The colour of the raster basemap, RGB: what a browser test looks for on screen.
pub const RASTER_RGB: [u8; 3] = [230, 90, 40];

/// The area the files cover: Lomas de Zamora, `[west, south, east, north]`.
pub const AREA: [f64; 4] = [-58.47, -34.80, -58.36, -34.72];

pub struct BasemapFiles {
    _dir: TempDir,
    pub raster: PathBuf,
    pub raster_pmtiles: PathBuf,
    pub vector: PathBuf,
    pub vector_pmtiles: PathBuf,
    /// Vector, in the OpenMapTiles schema (as tilemaker and Planetiler make by default).
    pub openmaptiles: PathBuf,
    /// Vector (OpenMapTiles), with zooms 15 to 16 only: deeper than a page's first view.
    pub deep: PathBuf,
}

/// The colour of a primary street in Trama's vector style (`basemap-style.js`), RGB.
pub const MAJOR_STREET_RGB: [u8; 3] = [253, 217, 160];

fn gdal(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for basemap tests ({e}); .ci/run installs gdal-bin")
        });
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const ROADS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"kind":"major_road","name":"Avenida Hipólito Yrigoyen"},"geometry":{"type":"LineString","coordinates":[[-58.47,-34.76],[-58.36,-34.76]]}},
{"type":"Feature","properties":{"kind":"minor_road","name":"Calle Boedo"},"geometry":{"type":"LineString","coordinates":[[-58.41,-34.80],[-58.41,-34.72]]}},
{"type":"Feature","properties":{"kind":"rail","name":"Ferrocarril Roca"},"geometry":{"type":"LineString","coordinates":[[-58.47,-34.74],[-58.36,-34.78]]}}]}"#;

const WATER: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"kind":"water","name":"Laguna"},"geometry":{"type":"Polygon","coordinates":[[[-58.44,-34.79],[-58.42,-34.79],[-58.42,-34.775],[-58.44,-34.775],[-58.44,-34.79]]]}}]}"#;

/// The same streets, water and landmarks in the OpenMapTiles schema's layers and classes.
const OMT_TRANSPORTATION: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"class":"primary","name":"Avenida Hipólito Yrigoyen"},"geometry":{"type":"LineString","coordinates":[[-58.47,-34.76],[-58.36,-34.76]]}},
{"type":"Feature","properties":{"class":"minor","name":"Calle Boedo"},"geometry":{"type":"LineString","coordinates":[[-58.41,-34.80],[-58.41,-34.72]]}},
{"type":"Feature","properties":{"class":"rail","name":"Ferrocarril Roca"},"geometry":{"type":"LineString","coordinates":[[-58.47,-34.74],[-58.36,-34.78]]}}]}"#;

const OMT_POI: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"class":"school","name":"Escuela N.º 12"},"geometry":{"type":"Point","coordinates":[-58.405,-34.755]}}]}"#;

const POIS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"kind":"school","name":"Escuela N.º 12"},"geometry":{"type":"Point","coordinates":[-58.405,-34.755]}},
{"type":"Feature","properties":{"kind":"train_station","name":"Estación Lomas de Zamora"},"geometry":{"type":"Point","coordinates":[-58.40,-34.761]}}]}"#;

/// Makes the four files in a temporary folder (kept as long as the value).
pub async fn basemap_files() -> BasemapFiles {
    let dir = TempDir::new().expect("temp dir");
    let at = |name: &str| dir.path().join(name);
    let (tif, raster) = (at("lomas.tif"), at("calles.mbtiles"));
    let [west, south, east, north] = AREA;
    let (w, s, e, n) = (
        west.to_string(),
        south.to_string(),
        east.to_string(),
        north.to_string(),
    );
    let [r, g, b] = RASTER_RGB.map(|c| c.to_string());
    gdal(
        "gdal_create",
        &[
            "-q",
            "-of",
            "GTiff",
            "-outsize",
            "1024",
            "1024",
            "-bands",
            "3",
            "-burn",
            &r,
            "-burn",
            &g,
            "-burn",
            &b,
            "-a_srs",
            "EPSG:4326",
            "-a_ullr",
            &w,
            &n,
            &e,
            &s,
            path(&tif),
        ],
    );
    gdal(
        "gdal_translate",
        &[
            "-q",
            "-of",
            "MBTiles",
            "-co",
            "TILE_FORMAT=PNG",
            path(&tif),
            path(&raster),
        ],
    );
    gdal(
        "gdaladdo",
        &["-q", "-r", "nearest", path(&raster), "2", "4", "8"],
    );

    let (gpkg, vector) = (at("lomas.gpkg"), at("vectorial.mbtiles"));
    for (name, data) in [("roads", ROADS), ("water", WATER), ("pois", POIS)] {
        let source = at(&format!("{name}.geojson"));
        std::fs::write(&source, data).expect("write geojson");
        let mut args = vec!["-f", "GPKG", path(&gpkg), path(&source), "-nln", name];
        if gpkg.exists() {
            args.insert(0, "-update");
        }
        gdal("ogr2ogr", &args);
    }
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "MVT",
            path(&vector),
            path(&gpkg),
            "-dsco",
            "MINZOOM=10",
            "-dsco",
            "MAXZOOM=15",
        ],
    );

    let (omt_gpkg, openmaptiles, deep) = (
        at("omt.gpkg"),
        at("openmaptiles.mbtiles"),
        at("profundo.mbtiles"),
    );
    for (name, data) in [
        ("transportation", OMT_TRANSPORTATION),
        ("water", WATER),
        ("poi", OMT_POI),
    ] {
        let source = at(&format!("omt-{name}.geojson"));
        std::fs::write(&source, data).expect("write geojson");
        let mut args = vec!["-f", "GPKG", path(&omt_gpkg), path(&source), "-nln", name];
        if omt_gpkg.exists() {
            args.insert(0, "-update");
        }
        gdal("ogr2ogr", &args);
    }
    for (to, zooms) in [
        (&openmaptiles, ["MINZOOM=10", "MAXZOOM=15"]),
        (&deep, ["MINZOOM=15", "MAXZOOM=16"]),
    ] {
        gdal(
            "ogr2ogr",
            &[
                "-f",
                "MVT",
                path(to),
                path(&omt_gpkg),
                "-dsco",
                zooms[0],
                "-dsco",
                zooms[1],
            ],
        );
    }

    let (raster_pmtiles, vector_pmtiles) = (at("calles.pmtiles"), at("vectorial.pmtiles"));
    for (from, to) in [(&raster, &raster_pmtiles), (&vector, &vector_pmtiles)] {
        trama::basemap::convert::mbtiles_to_pmtiles(from, to)
            .await
            .expect("convert to PMTiles");
    }
    BasemapFiles {
        _dir: dir,
        raster,
        raster_pmtiles,
        vector,
        vector_pmtiles,
        openmaptiles,
        deep,
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// What the loopback tile service was asked: path, User-Agent, when.
pub type Asked = Arc<Mutex<Vec<(String, String, Instant)>>>;

/// An XYZ tile service on loopback (`http://127.0.0.1:PORT/{z}/{x}/{y}.png`): per tile, bytes
/// that begin as a PNG and name the tile (enough to tell tiles apart; no image); 404 for tiles where (x + y) is divisible by 7, as a
/// service without data there would answer.
pub async fn tile_service() -> (String, Asked) {
    use axum::extract::{Path as UrlPath, State};
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse;

    let asked: Asked = Arc::default();
    async fn serve(
        State(asked): State<Asked>,
        UrlPath((z, x, y)): UrlPath<(u32, u32, String)>,
        headers: HeaderMap,
    ) -> axum::response::Response {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let y: u32 = y.trim_end_matches(".png").parse().unwrap_or(0);
        asked
            .lock()
            .expect("lock")
            .push((format!("{z}/{x}/{y}"), agent, Instant::now()));
        if (x + y).is_multiple_of(7) {
            return StatusCode::NOT_FOUND.into_response();
        }
        ([(header::CONTENT_TYPE, "image/png")], fake_png(z, x, y)).into_response()
    }
    let app = axum::Router::new()
        .route("/{z}/{x}/{y}", axum::routing::get(serve))
        .with_state(asked.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("{base}/{{z}}/{{x}}/{{y}}.png"), asked)
}

/// The bytes the loopback service answers for a tile: a PNG signature and the tile's name.
pub fn fake_png(z: u32, x: u32, y: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(format!("tile {z}/{x}/{y}").as_bytes());
    bytes
}
