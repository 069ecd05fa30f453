//! `trama import`: a file of drawings (GeoJSON, KML, GPX, CSV, a form's export) checked and
//! stored into a workshop, as the import page does.
#![allow(clippy::print_stdout)]

use anyhow::{Context, bail};

use crate::config::ImportArgs;

use super::open;

pub(super) async fn import(args: &ImportArgs) -> anyhow::Result<()> {
    use crate::application::import::{
        Accepted, ImportRequest, Stored, read_into_workshop, store_import,
    };
    use crate::domain::feature::{Author, FeatureLimits};
    use crate::domain::import::{LISTED_PER_KIND, summarise};
    let format_name = args.format.clone().unwrap_or_else(|| {
        args.file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_lowercase()
    });
    let request = ImportRequest {
        format: format_name,
        map: args.map.clone(),
        field: args.field.clone(),
        default_symbol: args.default_symbol.clone(),
        group: args.group.clone(),
        lon_column: args.lon_column.clone(),
        lat_column: args.lat_column.clone(),
        geometry_column: args.geometry_column.clone(),
        answers: args.answers.clone(),
        skip_unlocated: args.skip_unlocated,
    };
    let format = request
        .format()
        .map_err(|e| anyhow::anyhow!("{e} (the file's extension, or --format)"))?;
    let mapping = request.mapping().map_err(anyhow::Error::msg)?;
    let file = std::fs::read(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let store = open(&args.database).await?;
    let Some(workshop) = store.find_workshop(args.workshop).await? else {
        bail!("no workshop has the id {}", args.workshop);
    };
    let Some((user, _)) = store.user_credentials(&args.username).await? else {
        bail!("no user is called {:?}", args.username);
    };
    let group = request.group(&workshop).map_err(anyhow::Error::msg)?;
    // The operator imports as the named user, and compares as that user sees.
    let principal = crate::domain::access::Principal::User {
        id: user.id,
        username: user.username.clone(),
        role: user.role,
    };
    let mut outcome = read_into_workshop(
        store.as_ref(),
        &principal,
        &workshop,
        format,
        file.clone().into(),
        mapping,
        FeatureLimits::default(),
    )
    .await?;
    let left_out = request.leave_out(&mut outcome);
    for (kind, list) in [
        ("problem", &outcome.problems),
        ("warning", &outcome.warnings),
        ("left out", &left_out),
    ] {
        let (listed, counts) = summarise(list);
        for entry in listed {
            eprintln!("{kind}: {}: {}", entry.place(), entry.problem);
        }
        for (code, count) in counts.iter().filter(|(_, n)| **n > LISTED_PER_KIND) {
            eprintln!(
                "{kind}: … and {} more of the kind {code:?}",
                count - LISTED_PER_KIND
            );
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
    let author = Author::User {
        id: user.id,
        username: user.username,
    };
    match store_import(
        store.as_ref(),
        &workshop,
        &request,
        &file,
        Accepted {
            ready: outcome.ready,
            left_out,
        },
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
