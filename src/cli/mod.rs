//! The `trama` subcommands: each reads its arguments, calls the use case, and says what it
//! did (printing to standard output is this module's job). Users and tokens in `users`,
//! priority areas and exports in `analysis`, imports in `import`, basemaps in `basemap`, the
//! demo in `demo`; serving, migrating, copying and generating here.
#![allow(clippy::print_stdout)]

mod analysis;
mod basemap;
mod demo;
mod import;
mod users;

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::TcpListener;

use crate::config::{
    Cli, Command, CopyArgs, DatabaseArgs, GenerateArgs, ServeArgs, TokenCommand, UserCommand,
};
use crate::domain::feature::FeatureLimits;
use crate::domain::generate;
use crate::http::state::{AppState, Limits};
use crate::store;
use crate::{serve, shutdown_signal};

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
            users::reset_password(&database, &username).await
        }
        Command::User(UserCommand::Add {
            username,
            role,
            database,
        }) => users::add_user(&database, username, role).await,
        Command::Token(TokenCommand::Create {
            username,
            expires,
            database,
        }) => users::create_token(&database, &username, expires).await,
        Command::Demo(db) => demo::seed(open(&db).await?.as_ref()).await,
        Command::Generate(args) => write_generated(&args),
        Command::Copy(args) => copy(&args).await,
        Command::Priority(args) => analysis::priority(&args).await,
        Command::Export(args) => analysis::export(&args).await,
        Command::Print(args) => analysis::print(&args).await,
        Command::Import(args) => import::import(&args).await,
        Command::Basemap(command) => basemap::run(command).await,
        Command::Purge(args) => purge(&args).await,
        Command::Audit(command) => audit(command).await,
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
    let tls = if args.tls {
        let addresses: Vec<std::net::IpAddr> = room_origins
            .iter()
            .filter_map(|o| o.strip_prefix("http://")?.rsplit_once(':')?.0.parse().ok())
            .collect();
        let names = crate::tls::laptop_names(&addresses, &args.tls_names);
        let room = crate::tls::RoomTls::for_names(&args.data_dir.join("tls"), &names)
            .context("could not serve HTTPS")?;
        tracing::info!(
            names = names.join(", "),
            "HTTPS on the same port, for devices that trust the room's authority (its page: /tls)"
        );
        Some(std::sync::Arc::new(room))
    } else {
        None
    };
    let state = AppState {
        store,
        limits: Limits {
            max_body_bytes: args.max_body_bytes,
            features: FeatureLimits {
                max_vertices: args.max_vertices,
                max_import_items: args.import_max_items,
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
        writes: std::sync::Arc::new(crate::application::rates::WriteRates::new(
            crate::application::rates::RateLimits {
                joins_per_address: args.joins_per_address,
                joins_per_workshop: args.joins_per_workshop,
                workshop_drawings: args.workshop_drawings_per_minute,
                ..Default::default()
            },
        )),
        basemaps: std::sync::Arc::new(basemaps),
        room_origins: room_origins.clone().into(),
        jobs: Default::default(),
        tls,
        media: std::sync::Arc::new(crate::media::Folder::new(args.data_dir.join("attachments"))),
        prints: args.data_dir.join("prints").into(),
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
    let jobs = state.jobs.clone();
    let audit_key = args
        .audit_key
        .clone()
        .unwrap_or_else(|| args.data_dir.join("audit-signing.key"));
    // Photos removed while their files could not be, uploads abandoned half-way.
    match crate::application::attachments::sweep(state.store.as_ref(), &state.media).await {
        Ok(swept) => tracing::info!(
            removed = swept.removed,
            abandoned = swept.abandoned,
            committed = swept.committed,
            "swept the photos' folder"
        ),
        Err(e) => tracing::warn!(error = %e, "could not sweep the photos' folder"),
    }
    let retention = tokio::spawn(crate::application::care::sweep_daily(
        state.store.clone(),
        state.media.clone(),
        jobs.clone(),
        audit_key,
    ));
    serve(
        listener,
        state,
        Duration::from_secs(args.request_timeout_secs),
        shutdown_signal(),
    )
    .await?;
    retention.abort();
    jobs.stop_all();
    tracing::info!("stopped");
    Ok(())
}

/// `trama purge [--dry-run]`: applies the retention now (`application::care`), printing a
/// line per workshop with the counts removed, never their content.
async fn purge(args: &crate::config::PurgeArgs) -> anyhow::Result<()> {
    let store = open(&args.database).await?;
    let folder = crate::media::Folder::new(args.data_dir.join("attachments"));
    let swept = crate::application::care::apply_retention(
        store.as_ref(),
        &folder,
        chrono::Utc::now(),
        args.dry_run,
        crate::domain::audit::Door::Cli,
    )
    .await?;
    let verb = if args.dry_run {
        "would purge"
    } else {
        "purged"
    };
    for workshop in &swept {
        let p = &workshop.purged;
        println!(
            "{verb} {}/{} \"{}\" (retention ended {}): {} drawings, {} revisions, {} comments, \
             {} participants, {} sessions, {} kept answers, {} table consents, {} photos",
            workshop.project,
            workshop.workshop,
            workshop.title,
            workshop.due_at.format("%Y-%m-%d"),
            p.drawings,
            p.revisions,
            p.comments,
            p.participants,
            p.sessions,
            p.idempotency_records,
            p.table_consents,
            p.attachments,
        );
        if p.cell_counts_kept > 0 {
            println!(
                "  kept {} counts per cell and symbol of its drawings (the project's retention \
                 keeps counts)",
                p.cell_counts_kept
            );
        }
    }
    if swept.is_empty() {
        println!("nothing is due: no workshop's retention has ended");
    }
    Ok(())
}

/// `trama audit verify` and `trama audit checkpoint` (`application::audit`).
async fn audit(command: crate::config::AuditCommand) -> anyhow::Result<()> {
    use crate::application::audit;
    use crate::config::AuditCommand;
    match command {
        AuditCommand::Verify {
            checkpoint,
            key,
            database,
        } => {
            let store = open(&database).await?;
            let checkpoint: Option<crate::domain::audit::Checkpoint> = match checkpoint {
                Some(path) => Some(
                    serde_json::from_slice(&std::fs::read(&path)?)
                        .with_context(|| format!("{} is not a checkpoint", path.display()))?,
                ),
                None => store.latest_checkpoint().await?,
            };
            if let (Some(key), Some(checkpoint)) = (key, &checkpoint) {
                let text = std::fs::read_to_string(&key)
                    .with_context(|| format!("could not read the key {}", key.display()))?;
                let ours = crate::domain::audit::public_key(&text).map_err(anyhow::Error::msg)?;
                if ours != checkpoint.public_key {
                    eprintln!(
                        "the audit trail does not verify: the checkpoint was not signed with {}",
                        key.display()
                    );
                    std::process::exit(1);
                }
            }
            match audit::verify(store.as_ref(), checkpoint.as_ref()).await? {
                Ok(verified) => {
                    println!(
                        "the audit trail verifies: {} entries, head {}{}",
                        verified.count,
                        verified.head.as_deref().unwrap_or("(none)"),
                        match &checkpoint {
                            Some(c) => format!(
                                "; it holds the checkpoint of {} ({} entries)",
                                c.at.format("%Y-%m-%d %H:%M UTC"),
                                c.count
                            ),
                            None => "; no checkpoint to check it against".to_owned(),
                        }
                    );
                    Ok(())
                }
                Err(broken) => {
                    eprintln!("the audit trail does not verify: {broken}");
                    std::process::exit(1);
                }
            }
        }
        AuditCommand::Checkpoint { key, database } => {
            let store = open(&database).await?;
            let key = audit::signing_key(&key)?;
            let checkpoint =
                audit::sign_checkpoint(store.as_ref(), &key, chrono::Utc::now()).await?;
            println!("{}", serde_json::to_string_pretty(&checkpoint)?);
            Ok(())
        }
    }
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
    let photos = report
        .iter()
        .find(|t| t.table == "attachments")
        .map_or(0, |t| t.read);
    match (&args.from_data_dir, &args.to_data_dir) {
        (Some(from), Some(to)) => {
            let source = store::connect(args.from.expose()).await?;
            let copied = crate::application::attachments::copy_files(
                source.as_ref(),
                &crate::media::Folder::new(from.join("attachments")),
                &crate::media::Folder::new(to.join("attachments")),
            )
            .await?;
            println!(
                "  photos' files      {:>9} copied, {:>9} there already, {} missing from {}",
                copied.copied,
                copied.present,
                copied.missing,
                from.display()
            );
        }
        _ if photos > 0 => println!(
            "  the {photos} photos' files stay in the source's data folder: copy them with \
             --from-data-dir and --to-data-dir when the target server keeps another"
        ),
        _ => {}
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
