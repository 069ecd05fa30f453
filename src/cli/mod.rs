//! The `trama` subcommands. Printing to standard output is this module's job.
#![allow(clippy::print_stdout)]

mod basemap;
mod demo;

use std::io::{BufRead, Write};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use tokio::net::TcpListener;

use crate::config::{
    Cli, Command, CopyArgs, DatabaseArgs, ExportArgs, GenerateArgs, ImportArgs, PriorityArgs,
    ServeArgs, TokenCommand, UserCommand,
};
use crate::domain::feature::FeatureLimits;
use crate::domain::generate;
use crate::http::state::{AppState, Limits};
use crate::store;
use crate::{identity, serve, shutdown_signal};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        Some(command) => command,
        // `trama` alone starts the server with its defaults (and environment).
        None => match <Cli as clap::Parser>::parse_from(["trama", "serve"]).command {
            Some(command) => command,
            None => bail!("could not build the default serve command"),
        },
    };
    match command {
        Command::Serve(args) => run_server(args).await,
        Command::Migrate(db) => {
            open(&db).await?;
            println!("database {} is up to date", db.database);
            Ok(())
        }
        Command::User(UserCommand::Password { username, database }) => {
            reset_password(&database, &username).await
        }
        Command::User(UserCommand::Add {
            username,
            role,
            database,
        }) => add_user(&database, username, role).await,
        Command::Token(TokenCommand::Create {
            username,
            expires,
            database,
        }) => create_token(&database, &username, expires).await,
        Command::Demo(db) => demo::seed(open(&db).await?.as_ref()).await,
        Command::Generate(args) => write_generated(&args),
        Command::Copy(args) => copy(&args).await,
        Command::Priority(args) => priority(&args).await,
        Command::Export(args) => export(&args).await,
        Command::Import(args) => import(&args).await,
        Command::Basemap(command) => basemap::run(command).await,
    }
}

async fn open(db: &DatabaseArgs) -> anyhow::Result<std::sync::Arc<dyn store::Store>> {
    store::connect_with(db.database.expose(), &db.store_options())
        .await
        .with_context(|| format!("could not open the database {}", db.database))
}

async fn run_server(args: ServeArgs) -> anyhow::Result<()> {
    let basemaps = crate::basemap::Basemaps::open(&args.basemaps, Some(args.data_dir.clone()))
        .await
        .context("a basemap given with --basemap cannot be served")?;
    let store = open(&args.database).await?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("could not listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let room_origins = crate::serving::room_origins(address);
    let state = AppState {
        store,
        limits: Limits {
            max_body_bytes: args.max_body_bytes,
            features: FeatureLimits {
                max_vertices: args.max_vertices,
            },
            connections: crate::serving::ConnectionLimits {
                per_client: args.max_connections_per_client,
                header_timeout: Duration::from_secs(args.header_timeout_secs),
                ..crate::serving::ConnectionLimits::default()
            }
            .fitted_to_open_files(),
            max_basemap_bytes: args.max_basemap_mb.saturating_mul(1_000_000),
            max_fetch_tiles: args.max_fetch_tiles,
            private_tile_services: args.allow_private_tile_services,
            ..Limits::default()
        },
        tiles: args.tiles.clone(),
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxies.clone().into(),
        writes: Default::default(),
        basemaps: std::sync::Arc::new(basemaps),
        room_origins: room_origins.clone().into(),
        downloads: Default::default(),
    };
    tracing::info!(database = %args.database.database, "Trama is serving on http://{address}/");
    if room_origins.is_empty() {
        tracing::warn!(
            "only this computer can open Trama: to let phones on the room's network join, start it with --listen 0.0.0.0:{}",
            address.port()
        );
    }
    for origin in &room_origins {
        tracing::info!("phones on the room's network join at {origin}/");
    }
    let downloads = state.downloads.clone();
    serve(
        listener,
        state,
        Duration::from_secs(args.request_timeout_secs),
        shutdown_signal(),
    )
    .await?;
    downloads.stop_all();
    tracing::info!("stopped");
    Ok(())
}

/// Reads a new password from standard input (one line).
fn read_password(prompt: &str) -> anyhow::Result<String> {
    eprintln!("{prompt} (read from standard input):");
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

async fn reset_password(db: &DatabaseArgs, username: &str) -> anyhow::Result<()> {
    let store = open(db).await?;
    let password = read_password(&format!("New password for {username}"))?;
    let hash = identity::new_password_hash(password)
        .await
        .map_err(anyhow::Error::msg)?;
    match store.set_password(username, &hash).await {
        Ok(()) => {
            println!("new password set for {username}; their sessions and tokens have ended");
            Ok(())
        }
        Err(store::StoreError::NotFound) => bail!("no user {username}"),
        Err(e) => Err(e.into()),
    }
}

async fn add_user(
    db: &DatabaseArgs,
    username: String,
    role: crate::domain::access::Role,
) -> anyhow::Result<()> {
    // The name is checked before the password is asked for.
    identity::check_username(&username)
        .map_err(|e| anyhow::anyhow!("the user name is not valid: {e}"))?;
    let password = read_password(&format!("Password for {username}"))?;
    let store = open(db).await?;
    let user = identity::create_user(store.as_ref(), username, role, password).await?;
    println!(
        "created {} {} ({})",
        user.role.as_str(),
        user.username,
        user.id
    );
    Ok(())
}

async fn create_token(
    db: &DatabaseArgs,
    username: &str,
    expires: Option<u32>,
) -> anyhow::Result<()> {
    let store = open(db).await?;
    let Some((user, _)) = store.user_credentials(username).await? else {
        bail!("no user is called {username:?}; create one with `trama user add`");
    };
    let expires_at = expires.map(|days| Utc::now() + chrono::Duration::days(i64::from(days)));
    let token = identity::issue_user_token(&*store, user.id, expires_at).await?;
    eprintln!(
        "token for {} ({}), {}; it is shown only once:",
        user.username,
        user.role.as_str(),
        expires_at.map_or("never expires".to_owned(), |at| format!("expires {at}"))
    );
    println!("{token}");
    Ok(())
}

async fn copy(args: &CopyArgs) -> anyhow::Result<()> {
    let report = store::copy_database(
        args.from.expose(),
        args.to.expose(),
        &store::StoreOptions::default(),
    )
    .await
    .with_context(|| format!("could not copy {} into {}", args.from, args.to))?;
    println!("copied {} into {}:", args.from, args.to);
    for table in &report {
        println!(
            "  {:<18} {:>9} rows read, {:>9} new",
            table.table, table.read, table.inserted
        );
    }
    Ok(())
}

async fn priority(args: &PriorityArgs) -> anyhow::Result<()> {
    use crate::application::priority::{self as analysis, Request, Selection};
    use crate::geojson::priority as geojson;
    let params = analysis::parse_params(args.resolution, args.ring).map_err(anyhow::Error::msg)?;
    let rule = analysis::parse_rule(Some(&args.rule), args.k, args.confidence, args.percent)
        .map_err(anyhow::Error::msg)?;
    let store = open(&args.database).await?;
    let Some(project) = store.find_project(&args.project).await? else {
        bail!("no project has the slug {:?}", args.project);
    };
    let non_empty = |ids: &Vec<uuid::Uuid>| (!ids.is_empty()).then(|| ids.clone());
    let request = Request {
        project: &project,
        selection: Selection {
            workshops: non_empty(&args.workshop),
            groups: non_empty(&args.group),
            symbols: (!args.symbol.is_empty()).then(|| args.symbol.clone()),
            since: args
                .since
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
            until: args
                .until
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
        },
        params,
        // The server's operator sees what an analyst sees.
        mask_sensitive: false,
    };
    let store = store.as_ref();
    if !args.before.is_empty() {
        let compared = request
            .change(store, [args.before.clone(), args.after.clone()], rule)
            .await?;
        eprintln!(
            "{} zones compared ({})",
            compared.len(),
            geojson::rule_json(rule)
        );
        return write_output(&args.out, &geojson::change_geojson(&compared, rule, params));
    }
    if let Some(layer) = args.units {
        let Some(layer) = store
            .find_boundary_layer(layer)
            .await?
            .filter(|l| l.project_id == project.id)
        else {
            bail!("the project has no boundary layer {layer}");
        };
        let scored = request.units(store, layer.units).await?;
        eprintln!(
            "{} drawings over {} units of {}",
            scored.drawings,
            scored.units.len(),
            layer.name
        );
        return write_output(
            &args.out,
            &geojson::units_geojson(&scored.units, &scored.scores),
        );
    }
    let (result, zones) = request.zones(store, rule).await?;
    let output = if args.cells {
        geojson::cells_geojson(&result)
    } else {
        geojson::zones_geojson(&zones, rule, params)
    };
    write_output(&args.out, &output)?;
    eprintln!(
        "{} drawings, {} cells in the study area, {} zones ({}){}",
        result.drawings,
        result.cells.len(),
        zones.len(),
        geojson::rule_json(rule),
        args.out
            .as_ref()
            .map_or(String::new(), |p| format!("; written to {}", p.display()))
    );
    Ok(())
}

/// Writes a GeoJSON answer to `out`, or to standard output.
fn write_output(
    out: &Option<std::path::PathBuf>,
    output: &serde_json::Value,
) -> anyhow::Result<()> {
    match out {
        Some(path) => std::fs::write(path, output.to_string())
            .with_context(|| format!("could not write {}", path.display()))?,
        // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
        None => match writeln!(std::io::stdout().lock(), "{output}") {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
            _ => {}
        },
    }
    Ok(())
}

async fn export(args: &ExportArgs) -> anyhow::Result<()> {
    use crate::export;
    use futures::StreamExt;
    let query = crate::application::export::ExportQuery {
        format: Some(args.format.clone()),
        privacy: Some(args.privacy.clone()),
        content: Some(args.content.clone()),
        workshop: args.workshop.clone(),
        group: args.group.clone(),
        symbol: args.symbol.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        bbox: args.bbox.clone(),
        mask_min: args.mask_min,
        mask_max: args.mask_max,
        k: args.k,
        resolution: args.resolution,
        lang: args.lang.clone(),
    };
    let store = open(&args.database).await?;
    let Some(project) = store.find_project(&args.project).await? else {
        bail!("no project has the slug {:?}", args.project);
    };
    let mut request = query
        .request(&project.default_locale, project.masking)
        .map_err(anyhow::Error::msg)?;
    request.filter = query.filter().map_err(|e| anyhow::anyhow!("{e}"))?;
    let count = std::sync::Arc::new(export::Counter::default());
    let (layers, meta) = export::layers(store.clone(), &project, &request, count.clone()).await?;
    store
        .record_export(&crate::domain::export::ExportLogEntry::now(
            project.id,
            None,
            "cli".into(),
            request.content.as_str(),
            request.format.extension(),
            request.privacy,
            query.parameters(&request),
        ))
        .await?;
    let _ = std::fs::remove_file(&args.out);
    match request.format {
        export::Format::GeoPackage => {
            export::write_geopackage(&args.out, layers, &meta).await?;
        }
        export::Format::FlatGeobuf => {
            let layer = layers.into_iter().next().context("no layer to export")?;
            export::write_flatgeobuf(&args.out, layer, &meta).await?;
        }
        format => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&args.out)
                    .with_context(|| format!("could not create {}", args.out.display()))?,
            );
            let mut chunks = export::stream(format, layers, meta.clone());
            while let Some(chunk) = chunks.next().await {
                file.write_all(&chunk?)?;
            }
            file.flush()?;
        }
    }
    if request.format == export::Format::Csv {
        // CSV has no place for metadata: it goes beside the file.
        let sidecar = args.out.with_extension("metadata.json");
        std::fs::write(&sidecar, serde_json::to_string_pretty(&meta)?)?;
    }
    eprintln!(
        "exported {} rows of {} ({}) to {}",
        count.get(),
        project.slug,
        request.privacy.as_str(),
        args.out.display()
    );
    Ok(())
}

async fn import(args: &ImportArgs) -> anyhow::Result<()> {
    use crate::application::import::{Stored, read_into_workshop, store_import};
    use crate::domain::feature::{Author, FeatureLimits};
    use crate::domain::import::{Columns, ImportFormat, Mapping};
    let format_name = args.format.clone().unwrap_or_else(|| {
        args.file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_lowercase()
    });
    let Some(format) = ImportFormat::parse(&format_name) else {
        bail!("unknown format {format_name:?}: use --format geojson, kml (or kmz), gpx or csv");
    };
    let file = std::fs::read(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let categories = match &args.map {
        None => Default::default(),
        Some(text) => serde_json::from_str(text)
            .context("--map must be a JSON object of category → symbol")?,
    };
    let store = open(&args.database).await?;
    let Some(workshop) = store.find_workshop(args.workshop).await? else {
        bail!("no workshop has the id {}", args.workshop);
    };
    let Some((user, _)) = store.user_credentials(&args.username).await? else {
        bail!("no user is called {:?}", args.username);
    };
    let group = match &args.group {
        None => None,
        Some(reference) => Some(
            workshop
                .find_group(reference)
                .map(|g| g.id)
                .with_context(|| format!("the workshop has no group {reference:?}"))?,
        ),
    };
    let mapping = Mapping {
        field: args.field.clone(),
        categories,
        default_symbol: args.default_symbol.clone(),
        columns: Columns {
            lon: args.lon_column.clone(),
            lat: args.lat_column.clone(),
            geometry: args.geometry_column.clone(),
        },
    };
    let outcome = read_into_workshop(
        store.as_ref(),
        &workshop,
        format,
        file.clone().into(),
        mapping,
        FeatureLimits::default(),
    )
    .await?;
    for (kind, list) in [
        ("problem", &outcome.problems),
        ("warning", &outcome.warnings),
    ] {
        for entry in list {
            let at = match entry.line {
                Some(line) => format!("item {} (line {line})", entry.item),
                None if entry.item == 0 => "the file".to_owned(),
                None => format!("item {}", entry.item),
            };
            eprintln!("{kind}: {at}: {}", entry.problem);
        }
    }
    eprintln!(
        "{} items: {} drawings ready, {} problems, {} warnings; categories: {}",
        outcome.items,
        outcome.ready.len(),
        outcome.problems.len(),
        outcome.warnings.len(),
        outcome
            .categories
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if args.dry_run {
        return Ok(());
    }
    if !outcome.problems.is_empty() {
        bail!("nothing was imported: map or fix the items above (--dry-run to check)");
    }
    let settings = format!(
        "{format_name}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        args.field,
        args.map,
        args.default_symbol,
        args.group,
        (&args.lon_column, &args.lat_column, &args.geometry_column)
    );
    let author = Author::User {
        id: user.id,
        username: user.username,
    };
    match store_import(
        store.as_ref(),
        &workshop,
        &settings,
        &file,
        outcome.ready,
        group,
        &author,
    )
    .await?
    {
        Stored::New { ids, .. } => {
            println!("imported {} features into {}", ids.len(), workshop.title)
        }
        Stored::Again(_) => {
            println!("this file was already imported into this workshop: nothing added")
        }
    }
    Ok(())
}

/// Streams a GeoJSON FeatureCollection of generated drawings: memory stays flat.
fn write_generated(args: &GenerateArgs) -> anyhow::Result<()> {
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("could not create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(sink);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, feature) in generate::generate(args.features, args.seed).enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut out, &generate::to_geojson(&feature))?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(())
}
