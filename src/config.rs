//! Command line and environment configuration (clap). Doc comments become `--help`.
//! Long (about 480 lines and its tests) because it is every flag and environment variable of
//! every subcommand: one place to read what can be configured.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

use crate::domain::access::Role;

#[derive(Debug, Parser)]
#[command(
    name = "trama",
    version,
    about = "Trama: a server for participatory social cartography"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (the default when no command is given).
    Serve(ServeArgs),
    /// Create the database if needed and apply pending migrations.
    Migrate(DatabaseArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Seed a realistic demo project for Lomas de Zamora.
    Demo(DatabaseArgs),
    /// Write synthetic drawings over Lomas de Zamora as a GeoJSON FeatureCollection.
    Generate(GenerateArgs),
    /// Copy a whole database into another, keeping ids (e.g. a workshop laptop's SQLite file
    /// into the central PostgreSQL). Copying twice adds nothing.
    Copy(CopyArgs),
    /// Compute priority zones of a project (or cell scores, scores per unit of a boundary
    /// layer, or the change between two sets of workshops) and write them as GeoJSON.
    Priority(PriorityArgs),
    /// Export a project's features (or priority cells, saved zones, annotations) at a privacy
    /// level, as GeoJSON, CSV, GeoPackage, KML or FlatGeobuf. Recorded in the export log.
    Export(ExportArgs),
    /// Print a project's or a workshop's area as a georeferenced PDF of sheets (A4 to A0, one
    /// or tiled), with the legend, the join code and the marks that bring a photo of a sheet
    /// back.
    Print(PrintArgs),
    /// Basemap files for offline maps: download a project's area from a tile service, check
    /// a file, or convert MBTiles to PMTiles.
    #[command(subcommand)]
    Basemap(BasemapCommand),
    /// Import a GeoJSON, KML, GPX or CSV file into a workshop, mapping its categories to the
    /// legend's symbols. All or nothing; the same file twice is stored once.
    Import(ImportArgs),
    /// Apply every project's retention now: purge the raw drawings, comments, participants and
    /// consents of each workshop whose retention ended, and scrub the database files of them
    /// (the server also does it at start and daily).
    Purge(PurgeArgs),
    /// The audit trail: verify its chain (against a kept checkpoint), or sign a checkpoint.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every entry's chain and details; with --checkpoint, also that the record still
    /// holds what that signed checkpoint saw. Names the first entry that does not verify and
    /// exits with 1.
    Verify {
        /// A checkpoint kept elsewhere (the JSON `trama audit checkpoint` prints); default:
        /// the latest the database holds.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The signing key the checkpoint must have been signed with (its public half is
        /// compared): whoever can write the database can sign a checkpoint of their own.
        #[arg(long)]
        key: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Verify the record and sign a checkpoint of its head now; prints it as JSON, to keep
    /// somewhere the database's administrators cannot write.
    Checkpoint {
        /// The Ed25519 signing key (64 hex digits), made when missing. Keep it off the
        /// database's machine if you can; the server signs with the same file.
        #[arg(
            long,
            env = "TRAMA_AUDIT_KEY",
            default_value = "trama-data/audit-signing.key"
        )]
        key: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// List what would be purged (counts per workshop), and remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The server's data folder, where the purged drawings' photos are removed from.
    #[arg(long, env = "TRAMA_DATA_DIR", default_value = "trama-data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The workshop's id.
    #[arg(long)]
    pub workshop: uuid::Uuid,
    /// geojson, kml (or kmz), gpx or csv (default: from the file's extension).
    #[arg(long)]
    pub format: Option<String>,
    /// The file to import.
    #[arg(long)]
    pub file: PathBuf,
    /// JSON object of category → symbol key, e.g. '{"Escuelas":"escuela"}'.
    #[arg(long)]
    pub map: Option<String>,
    /// Where each item's category is (property, column or element).
    #[arg(long)]
    pub field: Option<String>,
    /// Symbol of items without a mapped category.
    #[arg(long)]
    pub default_symbol: Option<String>,
    /// The workshop group the features belong to (name or id).
    #[arg(long)]
    pub group: Option<String>,
    /// CSV: the column of the longitude, where the header does not say.
    #[arg(long)]
    pub lon_column: Option<String>,
    /// CSV: the column of the latitude, where the header does not say.
    #[arg(long)]
    pub lat_column: Option<String>,
    /// CSV: a column of WKT or ODK geo-strings (`lat lon alt accuracy;...`).
    #[arg(long)]
    pub geometry_column: Option<String>,
    /// JSON object of question key → the property or column holding its answer
    /// (`{"cuantos":"n_chicos"}`); a field named as a question needs none.
    #[arg(long)]
    pub answers: Option<String>,
    /// Import the located items and leave out those without a location (a null or empty
    /// geometry, a row without coordinates), which otherwise stop the import; they are listed.
    #[arg(long)]
    pub skip_unlocated: bool,
    /// The user the imported features are attributed to.
    #[arg(long)]
    pub username: String,
    /// Only report what would be imported and every problem.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The project's slug.
    #[arg(long)]
    pub project: String,
    /// geojson, csv, gpkg, kml or fgb.
    #[arg(long, default_value = "geojson")]
    pub format: String,
    /// full, anonymised or aggregated.
    #[arg(long, default_value = "anonymised")]
    pub privacy: String,
    /// features, cells, zones or annotations.
    #[arg(long, default_value = "features")]
    pub content: String,
    /// Only this workshop (id).
    #[arg(long)]
    pub workshop: Option<String>,
    /// Only this group (id).
    #[arg(long)]
    pub group: Option<String>,
    /// Only this symbol (key).
    #[arg(long)]
    pub symbol: Option<String>,
    /// Drawn on or after (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Drawn on or before (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<String>,
    /// minLon,minLat,maxLon,maxLat.
    #[arg(long)]
    pub bbox: Option<String>,
    /// Donut geomasking: least distance in metres (anonymised).
    #[arg(long)]
    pub mask_min: Option<f64>,
    /// Donut geomasking: greatest distance in metres (anonymised).
    #[arg(long)]
    pub mask_max: Option<f64>,
    /// Smallest count shown (aggregated).
    #[arg(long)]
    pub k: Option<u32>,
    /// H3 resolution of the counts and of masked sensitive features (5-10).
    #[arg(long)]
    pub resolution: Option<u8>,
    /// Language of the symbol labels.
    #[arg(long)]
    pub lang: Option<String>,
    /// Only drawings of one type, as its Multi type: points, lines or polygons (a GeoPackage
    /// holds a table of each without it; other formats one layer of mixed types).
    #[arg(long)]
    pub geometry: Option<String>,
    /// `zip`: a ZIP of the file and, beside it, the photos and voice notes of its drawings
    /// (full exports of drawings only; read from --data-dir).
    #[arg(long)]
    pub files: Option<String>,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The server's data folder, where a full export's photos and voice notes are read.
    #[arg(long, env = "TRAMA_DATA_DIR", default_value = "trama-data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// The project's slug.
    #[arg(long)]
    pub project: String,
    /// Only this workshop (id): its title, join code and drawings.
    #[arg(long)]
    pub workshop: Option<uuid::Uuid>,
    /// minLon,minLat,maxLon,maxLat (default: the project's area).
    #[arg(long)]
    pub bbox: Option<String>,
    /// A4, A3, A2, A1 or A0.
    #[arg(long, default_value = "A4")]
    pub paper: String,
    /// landscape or portrait.
    #[arg(long, default_value = "landscape")]
    pub orientation: String,
    /// The scale's denominator (5000 for 1:5,000; default: the roundest that fits).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Sheets across and down.
    #[arg(long, default_value_t = 1)]
    pub columns: u32,
    #[arg(long, default_value_t = 1)]
    pub rows: u32,
    /// Millimetres neighbouring sheets share.
    #[arg(long, default_value_t = 15.0)]
    pub overlap_mm: f64,
    /// A lined half for notes under each map.
    #[arg(long)]
    pub notes: bool,
    /// Leave out the drawings already made.
    #[arg(long)]
    pub no_drawings: bool,
    /// A raster basemap file (MBTiles or PMTiles) under the map.
    #[arg(long)]
    pub basemap: Option<PathBuf>,
    /// Language of the sheets' words (default: the project's).
    #[arg(long)]
    pub lang: Option<String>,
    /// Where phones join (`http://192.168.0.10:8080`), for an open workshop's join QR.
    #[arg(long)]
    pub join_origin: Option<String>,
    /// A result for the community: counts in the legend, the confirmed priority zones and
    /// `--text`, no marks.
    #[arg(long)]
    pub result: bool,
    /// A result's short text.
    #[arg(long)]
    pub text: Option<String>,
    /// A result's sensitive drawings: masked (as their cells) or omitted.
    #[arg(long)]
    pub sensitive: Option<String>,
    /// Output PDF.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct PriorityArgs {
    /// The project's slug.
    #[arg(long)]
    pub project: String,
    /// Which cells make zones: gi (hot spots), consensus (k groups) or top (percent).
    #[arg(long, default_value = "gi")]
    pub rule: String,
    /// Consensus: distinct groups that must mark a cell as a risk.
    #[arg(long)]
    pub k: Option<usize>,
    /// Hot spots: confidence 90, 95 or 99.
    #[arg(long)]
    pub confidence: Option<u8>,
    /// Top: percentage of the scored cells.
    #[arg(long)]
    pub percent: Option<f64>,
    /// H3 resolution, 6-11 (9 is about 0.1 km² per cell).
    #[arg(long)]
    pub resolution: Option<u8>,
    /// Gi* neighbourhood in rings of cells.
    #[arg(long)]
    pub ring: Option<u32>,
    /// Only these workshops (id; repeat the flag for several).
    #[arg(long)]
    pub workshop: Vec<uuid::Uuid>,
    /// Only these groups (id; repeatable).
    #[arg(long)]
    pub group: Vec<uuid::Uuid>,
    /// Only these symbols (key; repeatable).
    #[arg(long)]
    pub symbol: Vec<String>,
    /// Weigh each drawing by its answer to this question (a whole number, or yes as 1 and
    /// no as 0) times its symbol's weight; one without the answer counts once.
    #[arg(long)]
    pub weight_by: Option<String>,
    /// Drawn on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<chrono::NaiveDate>,
    /// Drawn on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// Write every cell of the study area with its score and Gi* instead of the zones.
    #[arg(long, conflicts_with_all = ["units", "before"])]
    pub cells: bool,
    /// Write the scores per unit of this uploaded boundary layer (id) instead of the zones.
    #[arg(long, conflicts_with = "before")]
    pub units: Option<uuid::Uuid>,
    /// Compare the zones of these workshops (repeatable)...
    #[arg(long, requires = "after")]
    pub before: Vec<uuid::Uuid>,
    /// ...with the zones of these (repeatable): new, persisting and gone zones.
    #[arg(long, requires = "before")]
    pub after: Vec<uuid::Uuid>,
    /// Output file (standard output if omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Source database URL.
    #[arg(long)]
    pub from: DatabaseUrl,
    /// Target database URL (created and migrated if needed).
    #[arg(long)]
    pub to: DatabaseUrl,
    /// The source server's data folder: its photos' files are copied with their rows into
    /// `--to-data-dir` (both or neither; without them the files stay where they are).
    #[arg(long, requires = "to_data_dir")]
    pub from_data_dir: Option<PathBuf>,
    /// The target server's data folder.
    #[arg(long, requires = "from_data_dir")]
    pub to_data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://path/to/file.db (created on first start) or
    /// postgres://user:password@host:5432/database (PostGIS 3 needed).
    #[arg(
        long = "database",
        env = "TRAMA_DATABASE_URL",
        default_value = "sqlite://trama.db"
    )]
    pub database: DatabaseUrl,
    /// Most PostgreSQL connections this instance opens.
    #[arg(long, env = "TRAMA_DATABASE_POOL_SIZE", default_value_t = 16)]
    pub database_pool_size: u32,
    /// Seconds to wait at startup for PostgreSQL to accept connections.
    #[arg(long, env = "TRAMA_DATABASE_WAIT", default_value_t = 30)]
    pub database_wait_secs: u64,
}

impl DatabaseArgs {
    pub fn store_options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            max_connections: self.database_pool_size.max(1),
            wait: std::time::Duration::from_secs(self.database_wait_secs),
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "TRAMA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "TRAMA_MAX_BODY_BYTES", default_value_t = 5 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Most vertices one feature may have.
    #[arg(long, env = "TRAMA_MAX_VERTICES", default_value_t = 20_000)]
    pub max_vertices: usize,
    /// Most participants one address may join as in a minute (a room behind one router joins
    /// within it); raise it for a very large room behind one address.
    #[arg(long, env = "TRAMA_JOINS_PER_ADDRESS", default_value_t = 60)]
    pub joins_per_address: usize,
    /// Most participants one workshop may take in a minute.
    #[arg(long, env = "TRAMA_JOINS_PER_WORKSHOP", default_value_t = 150)]
    pub joins_per_workshop: usize,
    /// Most drawings a workshop's tables may send together in a minute (each participant may
    /// send 300).
    #[arg(
        long,
        env = "TRAMA_WORKSHOP_DRAWINGS_PER_MINUTE",
        default_value_t = 3_000
    )]
    pub workshop_drawings_per_minute: usize,
    /// Most items (features, placemarks, waypoints, rows) one imported file may hold.
    #[arg(long, env = "TRAMA_IMPORT_MAX_ITEMS", default_value_t = crate::domain::feature::MAX_IMPORT_ITEMS)]
    pub import_max_items: usize,
    /// Basemap tiles for the map pages, an XYZ URL template such as
    /// https://tile.example.org/{z}/{x}/{y}.png (the only outside host pages may load from).
    /// Without it, maps show a plain background with the project's area outlined.
    #[arg(long, env = "TRAMA_TILES")]
    pub tiles: Option<String>,
    /// Basemap files served by Trama itself and offered on every project's maps, so that maps
    /// work with no internet: MBTiles or PMTiles v3, raster or vector, as PATH or LABEL=PATH
    /// (repeat the flag, or separate with commas). Checked at start; a file that is not a
    /// usable archive stops the start with the reason.
    #[arg(long = "basemap", env = "TRAMA_BASEMAPS", value_delimiter = ',')]
    pub basemaps: Vec<String>,
    /// Folder for files the server keeps: basemaps admins upload or download per project.
    /// Instances sharing a PostgreSQL database share it too (a network mount).
    #[arg(long, env = "TRAMA_DATA_DIR", default_value = "trama-data")]
    pub data_dir: PathBuf,
    /// The key the server signs the audit trail's daily checkpoints with (made when
    /// missing); default: `audit-signing.key` in the data folder.
    #[arg(long, env = "TRAMA_AUDIT_KEY")]
    pub audit_key: Option<PathBuf>,
    /// Largest basemap file an admin may upload, in MB.
    #[arg(long, env = "TRAMA_MAX_BASEMAP_MB", default_value_t = 4096)]
    pub max_basemap_mb: u64,
    /// Most tiles one download of a project's area (admin page) may ask of a tile service.
    #[arg(long, env = "TRAMA_MAX_FETCH_TILES", default_value_t = 20_000)]
    pub max_fetch_tiles: u64,
    /// Let admins download basemaps from a tile service on this machine or a private network
    /// (a tile server of your own on the LAN). Off: the server would fetch, and serve to
    /// anyone, addresses only it can reach.
    #[arg(long, env = "TRAMA_ALLOW_PRIVATE_TILE_SERVICES")]
    pub allow_private_tile_services: bool,
    /// Mark cookies Secure (sent over HTTPS only). Set it when Trama is served over TLS,
    /// directly or behind a proxy; leave it off on a workshop laptop serving plain HTTP on
    /// the room's network, where browsers would drop Secure cookies.
    #[arg(long, env = "TRAMA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Serve HTTPS as well as plain HTTP, on the same port, with a certificate authority of
    /// the room's own (made once in the data folder's `tls/`): tablets that trust it once
    /// (the `/tls` page says how) get HTTPS, and with it the draw page's reload while the
    /// Wi-Fi is down; other phones go on joining over plain HTTP.
    #[arg(long, env = "TRAMA_TLS")]
    pub tls: bool,
    /// More names the laptop is reached by over HTTPS (the room router's DNS name for it),
    /// besides `localhost`, its host name, `<host name>.local` and its addresses. Given when
    /// the authority is first made: it vouches for those names only.
    #[arg(long = "tls-name", env = "TRAMA_TLS_NAMES", value_delimiter = ',')]
    pub tls_names: Vec<String>,
    /// Reverse proxies or load balancers in front of Trama, as addresses or networks
    /// separated by commas (10.0.0.0/8,192.168.1.4). From these, the client's address is read
    /// from X-Forwarded-For, so that limits on failed join codes and passwords apply to each
    /// client and not to the proxy (all clients together). Never list networks clients are in.
    #[arg(long, env = "TRAMA_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<IpNet>,
    /// Seconds after which a request is abandoned with 408.
    #[arg(long, env = "TRAMA_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Connections one client address may hold open at once (trusted proxies excepted); more
    /// are closed at once. A phone's browser opens about six.
    #[arg(long, env = "TRAMA_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 256)]
    pub max_connections_per_client: usize,
    /// Seconds a client has to send a request's line and headers before its connection is
    /// closed (a client that trickles them in would hold the connection for ever).
    #[arg(long, env = "TRAMA_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout_secs: u64,
}

#[derive(Debug, Subcommand)]
pub enum BasemapCommand {
    /// Download the tiles of a project's area (or of --bbox) from an XYZ tile service into an
    /// MBTiles file, while online, to serve it offline (`trama serve --basemap FILE`, or upload
    /// it on the admin page). Says first how many tiles and MB it takes, and asks before it
    /// starts unless --yes. Runs again to resume. Use a service whose terms allow downloading
    /// (OpenStreetMap's own tile servers do not).
    Fetch(FetchArgs),
    /// Check a basemap file as the server would at upload, and describe it.
    Check { file: PathBuf },
    /// Write an MBTiles file as a PMTiles v3 archive (same tiles, byte for byte).
    Convert { from: PathBuf, to: PathBuf },
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// XYZ URL template of the tile service, e.g. https://tiles.example.org/{z}/{x}/{y}.png
    #[arg(long)]
    pub url: String,
    /// The project whose area to download (its slug); or give --bbox.
    #[arg(long)]
    pub project: Option<String>,
    /// The area as west,south,east,north in WGS84 degrees.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub bbox: Option<Vec<f64>>,
    /// Zoom levels, as LOW-HIGH (12-17) or one level.
    #[arg(long, default_value = "12-17")]
    pub zoom: String,
    /// How the tile service's operators can reach you (email or URL), sent in the User-Agent.
    #[arg(long)]
    pub contact: String,
    /// Attribution the service's terms ask for, kept in the file and shown on the maps.
    #[arg(long)]
    pub attribution: Option<String>,
    /// Tiles a second, at most.
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Refuse to download more tiles than this.
    #[arg(long, default_value_t = 20_000)]
    pub max_tiles: u64,
    /// The MBTiles file to write (resumed if it exists).
    #[arg(long)]
    pub out: PathBuf,
    /// Start without asking.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Set a user's new password (read from standard input), for a forgotten one: every token
    /// and session the user had ends.
    Password {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, analyst, facilitator or researcher.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token for a user and print it once; only its hash is stored.
    Create {
        #[arg(long)]
        username: String,
        /// Days until the token expires (never, if omitted).
        #[arg(long)]
        expires: Option<u32>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many features to write.
    #[arg(long, default_value_t = 1_000)]
    pub features: usize,
    /// Seed of the generator; the same seed gives the same drawings.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file (standard output if omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// An address (one host) or a network in CIDR notation.
fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an address nor a network such as 10.0.0.0/8"))
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!("unknown role {text:?}: use admin, analyst, facilitator or researcher")
    })
}

/// A database URL. Its `Debug` and `Display` hide any password it carries, so that it can be
/// logged safely.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains("://") || s.starts_with("sqlite:") {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "{s:?} is not a database URL such as sqlite://trama.db"
            ))
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // scheme://user:password@host → scheme://user:***@host
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let credentials = &self.0[scheme_end + 3..at];
                match credentials.find(':') {
                    Some(colon) => write!(
                        f,
                        "{}{}:***{}",
                        &self.0[..scheme_end + 3],
                        &credentials[..colon],
                        &self.0[at..]
                    ),
                    None => f.write_str(&self.0),
                }
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_password_never_reaches_the_logs() {
        let url: DatabaseUrl = "postgres://trama:s3cret@db:5432/trama"
            .parse()
            .expect("url");
        assert_eq!(url.to_string(), "postgres://trama:***@db:5432/trama");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://trama:s3cret@db:5432/trama");
    }

    #[test]
    fn serve_defaults_match_the_readme() {
        let cli = Cli::try_parse_from(["trama", "serve"]).expect("parse");
        let Some(Command::Serve(args)) = cli.command else {
            panic!("serve")
        };
        assert_eq!(args.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(args.max_body_bytes, 5 * 1024 * 1024);
    }
}
