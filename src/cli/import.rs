//! `trama import`: a file of drawings (GeoJSON, KML, GPX, CSV, a form's export) checked and
//! stored into a workshop, as the import page does.
#![allow(clippy::print_stdout)]

use anyhow::{Context, bail};

use crate::config::ImportArgs;

use super::open;

pub(super) async fn import(args: &ImportArgs) -> anyhow::Result<()> {
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
