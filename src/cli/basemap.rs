//! `trama basemap fetch | check | convert`.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};

use crate::basemap::fetch::{self, Plan};
use crate::basemap::{Basemap, Check, TileRange, convert};
use crate::config::{BasemapCommand, FetchArgs};

pub async fn run(command: BasemapCommand) -> anyhow::Result<()> {
    match command {
        BasemapCommand::Fetch(args) => fetch_area(args).await,
        BasemapCommand::Check { file } => check(&file).await,
        BasemapCommand::Convert { from, to } => {
            let tiles = convert::mbtiles_to_pmtiles(&from, &to).await?;
            println!("wrote {} ({tiles} tiles)", to.display());
            Ok(())
        }
    }
}

async fn check(file: &Path) -> anyhow::Result<()> {
    let basemap = Basemap::open(file, "file".into(), String::new(), Check::Thorough).await?;
    let d = &basemap.description;
    println!(
        "{}: {} {}{}, zoom {}–{}, bounds {:?}{}",
        file.display(),
        basemap.extension(),
        serde_json::to_string(&d.format)?.trim_matches('"'),
        if d.gzipped { " (gzipped)" } else { "" },
        d.min_zoom,
        d.max_zoom,
        d.bounds,
        d.name
            .as_deref()
            .map(|n| format!(", named {n:?}"))
            .unwrap_or_default()
    );
    if let Some(schema) = crate::basemap::schema::Schema::of(d) {
        println!(
            "vector layers in the {} schema",
            match schema {
                crate::basemap::schema::Schema::Protomaps => "Protomaps basemap",
                crate::basemap::schema::Schema::OpenMapTiles => "OpenMapTiles",
                crate::basemap::schema::Schema::Unknown => "an unknown",
            }
        );
    }
    for warning in crate::basemap::schema::warnings(d, None) {
        println!("warning: {}", warning.message);
    }
    Ok(())
}

/// `LOW-HIGH` or one level.
fn zoom_range(text: &str) -> anyhow::Result<(u8, u8)> {
    let (low, high) = text.split_once('-').unwrap_or((text, text));
    let parse = |z: &str| {
        z.trim()
            .parse::<u8>()
            .with_context(|| format!("--zoom {text:?}: give LOW-HIGH, such as 12-17"))
    };
    Ok((parse(low)?, parse(high)?))
}

async fn fetch_area(args: FetchArgs) -> anyhow::Result<()> {
    let bounds = match (&args.bbox, &args.project) {
        (Some(b), _) => match b[..] {
            [west, south, east, north] => [west, south, east, north],
            _ => bail!("--bbox takes four numbers: west,south,east,north"),
        },
        (None, Some(slug)) => {
            let store = super::open(&args.database).await?;
            let project = store
                .find_project(slug)
                .await?
                .with_context(|| format!("no project {slug}"))?;
            let area = project.area.with_context(|| {
                format!("project {slug} has no area: give --bbox west,south,east,north")
            })?;
            let bbox = area.bbox();
            [bbox.min_x, bbox.min_y, bbox.max_x, bbox.max_y]
        }
        (None, None) => bail!("say which area: --project SLUG or --bbox west,south,east,north"),
    };
    let (min_zoom, max_zoom) = zoom_range(&args.zoom)?;
    let plan = Plan {
        url: args.url,
        range: TileRange {
            bounds,
            min_zoom,
            max_zoom,
        },
        contact: args.contact,
        rate: args.rate,
        max_tiles: args.max_tiles,
        attribution: args.attribution,
        // The operator's own command: whatever the operator can reach.
        private_hosts: true,
    };
    let estimate = plan.check()?;
    eprintln!(
        "{} tiles at zooms {min_zoom}–{max_zoom}, about {} MB, about {} min at {} tiles/s, into {}",
        estimate.tiles,
        estimate.bytes.div_ceil(1_000_000),
        estimate.seconds.div_ceil(60),
        plan.rate,
        args.out.display()
    );
    if !args.yes {
        eprint!("Start? [y/N] ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "s" | "si" | "sí") {
            bail!("not started");
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = stop.clone();
    tokio::spawn(async move {
        crate::shutdown_signal().await;
        stopper.store(true, Ordering::Relaxed);
    });
    let out = args.out.clone();
    let progress = tokio::task::spawn_blocking(move || {
        let mut last_shown = 0;
        fetch::run(
            &plan,
            &out,
            |p| {
                if p.done == p.total || p.done >= last_shown + 50 {
                    last_shown = p.done;
                    eprintln!(
                        "{}/{} tiles ({} already there, {} missing), {:.1} MB",
                        p.done,
                        p.total,
                        p.resumed,
                        p.missing,
                        p.bytes as f64 / 1e6
                    );
                }
            },
            || !stop.load(Ordering::Relaxed),
        )
    })
    .await??;
    if progress.done < progress.total {
        bail!(
            "stopped at {}/{} tiles; run the same command again to resume",
            progress.done,
            progress.total
        );
    }
    println!(
        "wrote {} ({} tiles, {:.1} MB downloaded); serve it with `trama serve --basemap {}` or upload it on the admin page",
        args.out.display(),
        progress.total - progress.missing,
        progress.bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn zoom_ranges_read() {
        assert_eq!(super::zoom_range("12-17").ok(), Some((12, 17)));
        assert_eq!(super::zoom_range("15").ok(), Some((15, 15)));
        assert!(super::zoom_range("doce").is_err());
    }
}
