//! Pictograms admins upload beside the shipped set: checked and kept as drawing only.

use std::collections::BTreeMap;

use super::Error;
use crate::domain::Invalid;
use crate::domain::access::Principal;
use crate::domain::pictogram::{is_valid_name, sanitize_svg, shipped};
use crate::store::Store;
use tracing::instrument;

/// The names of the uploaded pictograms.
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn uploaded(store: &dyn Store) -> Result<Vec<String>, Error> {
    Ok(store.list_pictograms().await?)
}

/// Keeps an SVG as the pictogram `name` (admins), rewritten as drawing only: whatever else the
/// file held (scripts, links, text, images) is not written back.
///
/// # Errors
/// `NotAllowed` for other roles; `Invalid` for a name outside 1-64 of a-z, 0-9, `-`, `_`, or an
/// SVG refused; `BadInput` for a body that is not UTF-8; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn upload(
    store: &dyn Store,
    principal: &Principal,
    name: &str,
    body: &[u8],
) -> Result<(), Error> {
    let permit = principal
        .pictogram_upload()
        .ok_or_else(|| Error::not_allowed("only admins add pictograms"))?;
    if !is_valid_name(name) {
        return Err(Error::invalid(
            "invalid pictogram name",
            vec![Invalid::new(
                "/name",
                "1-64 characters of a-z, 0-9, '-' or '_'",
            )],
        ));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| Error::BadInput("an SVG file is UTF-8 text".into()))?;
    let clean = sanitize_svg(text).map_err(|problem| {
        Error::invalid(
            format!("pictogram refused: {}", problem.detail),
            vec![problem],
        )
    })?;
    store.save_pictogram(&permit, name, &clean).await?;
    Ok(())
}

/// The SVG text of every pictogram the legend of project `slug` draws with, by name (an
/// uploaded one before a shipped one of the same name; a name with neither is left out): the
/// draw page and the wall get them in one request, after the map's streets, rather than a
/// request each (16 of them queued before the basemap's tiles on a slow network).
///
/// # Errors
/// As `projects::legend`.
#[instrument(skip_all, err(level = "debug"))]
pub async fn of_legend(
    store: &dyn Store,
    principal: &Principal,
    slug: &str,
) -> Result<BTreeMap<String, String>, Error> {
    let legend = super::projects::legend(store, principal, slug).await?;
    let mut found = BTreeMap::new();
    for icon in legend.iter().filter_map(|s| s.icon.as_deref()) {
        if found.contains_key(icon) || !is_valid_name(icon) {
            continue;
        }
        let text = match store.pictogram(icon).await? {
            Some(uploaded) => Some(uploaded),
            None => shipped(icon).map(str::to_owned),
        };
        if let Some(text) = text {
            found.insert(icon.to_owned(), text);
        }
    }
    Ok(found)
}

/// The uploaded pictogram `name`'s SVG text, if there is one.
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn svg(store: &dyn Store, name: &str) -> Result<Option<String>, Error> {
    Ok(store.pictogram(name).await?)
}
