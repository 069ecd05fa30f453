//! `trama priority` and `trama export`: a project's priority areas and its data for
//! researchers, written to a file or to standard output.
#![allow(clippy::print_stdout)]

use std::io::Write;

use anyhow::{Context, bail};

use crate::config::{ExportArgs, PriorityArgs};

use super::open;
use crate::application::features::{from_day, until_day};

pub(super) async fn priority(args: &PriorityArgs) -> anyhow::Result<()> {
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
            since: args.since.map(from_day),
            until: args.until.map(until_day),
            weight_by: args.weight_by.clone(),
        },
        params,
        // The server's operator sees what an analyst sees.
        mask_sensitive: None,
        reader: (None, crate::domain::audit::Door::Cli),
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
        return write_output(
            args.out.as_ref(),
            &geojson::change_geojson(&compared, rule, params),
        );
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
            args.out.as_ref(),
            &geojson::units_geojson(&scored.units, &scored.scores),
        );
    }
    let (result, zones) = request.zones(store, rule).await?;
    let (drawings, cells) = (result.drawings, result.cells.len());
    if args.cells {
        write_pieces(args.out.as_ref(), geojson::cells_geojson(result))?;
    } else {
        write_output(
            args.out.as_ref(),
            &geojson::zones_geojson(&zones, rule, params),
        )?;
    }
    eprintln!(
        "{} drawings, {} cells in the study area, {} zones ({}){}",
        drawings,
        cells,
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
    out: Option<&std::path::PathBuf>,
    output: &serde_json::Value,
) -> anyhow::Result<()> {
    write_pieces(out, std::iter::once(output.to_string()))
}

/// Writes the pieces of a GeoJSON answer one after the other to `out`, or to standard
/// output, and a line end.
fn write_pieces(
    out: Option<&std::path::PathBuf>,
    pieces: impl Iterator<Item = String>,
) -> anyhow::Result<()> {
    let written = match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("could not write {}", path.display()))?;
            write_all(std::io::BufWriter::new(file), pieces)
                .with_context(|| format!("could not write {}", path.display()))
        }
        None => write_all(std::io::stdout().lock(), pieces).map_err(anyhow::Error::from),
    };
    match written {
        // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn write_all(mut to: impl Write, pieces: impl Iterator<Item = String>) -> std::io::Result<()> {
    for piece in pieces {
        to.write_all(piece.as_bytes())?;
    }
    writeln!(to)?;
    to.flush()
}

pub(super) async fn export(args: &ExportArgs) -> anyhow::Result<()> {
    use crate::export;
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
        geometry: args.geometry.clone(),
        files: args.files.clone(),
    };
    let store = open(&args.database).await?;
    let Some(project) = store.find_project(&args.project).await? else {
        bail!("no project has the slug {:?}", args.project);
    };
    let folder = std::sync::Arc::new(crate::media::Folder::new(args.data_dir.join("attachments")));
    let crate::application::export::Export {
        layers,
        meta,
        format,
        count,
        attached,
        with_files,
        data_name,
        ..
    } = crate::application::export::take_at_console(store.clone(), &folder, &project, &query)
        .await?;
    let _ = std::fs::remove_file(&args.out);
    let files = match attached {
        Some(attached) if with_files => {
            let (_, files) =
                export::write_archive(&args.out, format, layers, &meta, &attached, &data_name)
                    .await?;
            Some(files)
        }
        attached => {
            export::write_file(&args.out, format, layers, &meta, attached.as_ref()).await?;
            None
        }
    };
    if format == export::Format::Csv {
        // CSV has no place for metadata: it goes beside the file.
        let sidecar = args.out.with_extension("metadata.json");
        std::fs::write(&sidecar, serde_json::to_string_pretty(&meta)?)?;
    }
    eprintln!(
        "exported {} rows of {} ({}){} to {}",
        count.get(),
        project.slug,
        args.privacy,
        files.map_or(String::new(), |n| format!(
            " with {n} photos and voice notes"
        )),
        args.out.display()
    );
    Ok(())
}

/// `trama print`: the same print as the API's, rendered here and written to `--out`.
pub(super) async fn print(args: &crate::config::PrintArgs) -> anyhow::Result<()> {
    use crate::application::prints::{self, PrintOptions};
    let store = open(&args.database).await?;
    let Some(project) = store.find_project(&args.project).await? else {
        bail!("no project has the slug {:?}", args.project);
    };
    let basemaps = match &args.basemap {
        Some(path) => vec![std::sync::Arc::new(
            crate::basemap::Basemap::open(
                path,
                "print".into(),
                String::new(),
                crate::basemap::Check::Quick,
            )
            .await
            .with_context(|| format!("the basemap {}", path.display()))?,
        )],
        None => Vec::new(),
    };
    let options = PrintOptions {
        workshop: args.workshop,
        bbox: args.bbox.clone(),
        paper: Some(args.paper.clone()),
        orientation: Some(args.orientation.clone()),
        scale: args.scale,
        columns: Some(args.columns),
        rows: Some(args.rows),
        overlap_mm: Some(args.overlap_mm),
        notes: Some(args.notes),
        drawings: Some(!args.no_drawings),
        basemap: None,
        lang: args.lang.clone(),
        result: Some(args.result),
        text: args.text.clone(),
        sensitive: args.sensitive.clone(),
    };
    let named = |locale: &str,
                 layout: &crate::domain::paper::Layout,
                 workshop: Option<&crate::domain::workshop::Workshop>| {
        crate::http::prints::words(locale, &project, layout, workshop)
    };
    let started = std::time::Instant::now();
    let prepared = prints::prepare(
        store.as_ref(),
        &basemaps,
        None,
        &project,
        &options,
        &named,
        args.join_origin.as_deref(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let sheets = prepared.print.layout.sheets.len();
    let scale = prepared.print.layout.scale;
    let (pdf, _) = prints::render(prepared, move |done, total| {
        eprintln!("sheet {done} of {total}");
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, &pdf)
        .with_context(|| format!("could not write {}", args.out.display()))?;
    eprintln!(
        "printed {sheets} sheet(s) of {} at 1:{scale:.0} to {} ({} bytes, {:.1} s)",
        project.slug,
        args.out.display(),
        pdf.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
