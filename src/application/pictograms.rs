//! Pictograms admins upload beside the shipped set: checked and kept as drawing only.

use super::Error;
use crate::domain::Invalid;
use crate::domain::access::Principal;
use crate::domain::pictogram::{is_valid_name, sanitize_svg};
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

/// The uploaded pictogram `name`'s SVG text, if there is one.
///
/// # Errors
/// The store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn svg(store: &dyn Store, name: &str) -> Result<Option<String>, Error> {
    Ok(store.pictogram(name).await?)
}
