//! A full export with its files beside it, as one ZIP: the data file in its format, then the
//! photos and voice notes of the drawings it holds under `attachments/{drawing}/`, and
//! `attachments.csv`, the relation table (which file is of which drawing and comment) that
//! QGIS joins on `drawing`, R and pandas read as a table. This is what KoboToolbox's and ODK's
//! media exports look like; a GeoPackage carries the same files inside too (its media table).
//!
//! Shape of the archive:
//! ```text
//! lomas-features-full-2026-12-08.geojson      (deflated)
//! attachments.csv                              (deflated; one row a file)
//! attachments/{drawing id}/{attachment id}.jpg (stored: photos and notes are compressed)
//! ```
//! Memory stays flat: the data file is written to a temporary file first, and each photo or
//! note is read, written and dropped before the next.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use zip::write::SimpleFileOptions;

use super::{AttachedFiles, ExportError, ExportResult, Field, Format, Layer};
use crate::domain::attachment::Attachment;

/// The relation table's header: one row a file.
const RELATION_COLUMNS: &str =
    "file,attachment,drawing,comment,kind,media_type,width,height,duration_ms,bytes,created_at";

/// Writes `layers` as `format` into a ZIP at `path`, with the files of `attached` whose
/// drawings the layers hold; the data file is named `data_name` inside. Returns the rows
/// written and the files beside them.
///
/// A file gone from the folder meanwhile (an analyst removed it) is left out and logged, not a
/// failed export.
///
/// # Errors
/// The format writer's; I/O errors writing the archive or reading a file.
pub async fn write_archive(
    path: &Path,
    format: Format,
    mut layers: Vec<Layer>,
    meta: &Value,
    attached: &AttachedFiles,
    data_name: &str,
) -> ExportResult<(u64, u64)> {
    let drawings = Arc::new(Mutex::new(HashSet::new()));
    for layer in &mut layers {
        collect_ids(layer, &drawings);
    }
    let data = tempfile::NamedTempFile::new()?;
    let rows = super::write_file(data.path(), format, layers, meta, None).await?;
    let drawings = std::mem::take(&mut *drawings.lock().unwrap_or_else(|e| e.into_inner()));
    let kept: Vec<Attachment> = attached
        .attachments
        .iter()
        .filter(|a| drawings.contains(&a.feature_id.to_string()))
        .cloned()
        .collect();
    let (path, data_name, read) = (
        path.to_owned(),
        data_name.to_owned(),
        Arc::clone(&attached.read),
    );
    // The zip crate writes synchronously: the whole archive is written off the runtime's
    // threads, one file at a time.
    let files = tokio::task::spawn_blocking(move || -> ExportResult<u64> {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(std::fs::File::create(&path)?));
        let deflated = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file(data_name.as_str(), deflated)
            .map_err(zip_error)?;
        std::io::copy(&mut std::fs::File::open(data.path())?, &mut zip)?;
        let mut relation = String::from(RELATION_COLUMNS);
        relation.push_str("\r\n");
        let mut written = 0;
        for attachment in &kept {
            let bytes = match read(attachment) {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    tracing::warn!(attachment = %attachment.id, "a file gone from the folder is left out of the export");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            let name = file_name(attachment);
            // Photos and notes are compressed already: stored as they are.
            zip.start_file(
                name.as_str(),
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
            )
            .map_err(zip_error)?;
            zip.write_all(&bytes)?;
            relation_row(&mut relation, &name, attachment);
            written += 1;
        }
        zip.start_file("attachments.csv", deflated)
            .map_err(zip_error)?;
        zip.write_all(relation.as_bytes())?;
        let mut out = zip.finish().map_err(zip_error)?;
        out.flush()?;
        out.get_mut().sync_all()?;
        Ok(written)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok((rows, files))
}

fn zip_error(error: zip::result::ZipError) -> ExportError {
    ExportError::Io(std::io::Error::other(error))
}

/// Records each row's drawing id (the layer's `id` column) as the rows stream past.
fn collect_ids(layer: &mut Layer, drawings: &Arc<Mutex<HashSet<String>>>) {
    let Some(column) = layer.columns.iter().position(|(name, _)| name == "id") else {
        return;
    };
    let drawings = Arc::clone(drawings);
    let rows = std::mem::replace(&mut layer.rows, futures::stream::empty().boxed());
    layer.rows = rows
        .inspect_ok(move |row| {
            if let Some(Field::Text(id)) = row.fields.get(column) {
                drawings
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id.clone());
            }
        })
        .boxed();
}

/// `attachments/{drawing}/{attachment}.{extension}`: ids only, nothing a participant wrote.
fn file_name(attachment: &Attachment) -> String {
    let extension = match attachment.media_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "audio/webm" => "webm",
        "audio/mp4" => "m4a",
        "audio/mpeg" => "mp3",
        _ => "bin",
    };
    format!(
        "attachments/{}/{}.{extension}",
        attachment.feature_id, attachment.id
    )
}

/// One row of `attachments.csv` (every value is an id, a number, a time or a fixed word: none
/// needs quoting).
fn relation_row(out: &mut String, name: &str, a: &Attachment) {
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    out.push_str(&format!(
        "{name},{},{},{},{},{},{},{},{},{},{}\r\n",
        a.id,
        a.feature_id,
        a.annotation_id.map(|id| id.to_string()).unwrap_or_default(),
        a.kind.as_str(),
        a.media_type,
        number(a.width),
        number(a.height),
        number(a.duration_ms),
        a.bytes,
        super::instant(a.created_at),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_ids_and_content_type() {
        let attachment = Attachment {
            id: uuid::Uuid::nil(),
            project_id: uuid::Uuid::nil(),
            feature_id: uuid::Uuid::max(),
            annotation_id: None,
            author: crate::domain::feature::Author::User {
                id: uuid::Uuid::nil(),
                username: "ana".into(),
            },
            kind: crate::domain::attachment::AttachmentKind::VoiceNote,
            media_type: "audio/mp4".into(),
            width: None,
            height: None,
            duration_ms: Some(2_500),
            bytes: 1_234,
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(
            file_name(&attachment),
            "attachments/ffffffff-ffff-ffff-ffff-ffffffffffff/00000000-0000-0000-0000-000000000000.m4a"
        );
        let mut row = String::new();
        relation_row(&mut row, "f.m4a", &attachment);
        assert_eq!(
            row,
            "f.m4a,00000000-0000-0000-0000-000000000000,ffffffff-ffff-ffff-ffff-ffffffffffff,,voice_note,audio/mp4,,,2500,1234,1970-01-01T00:00:00.000Z\r\n"
        );
    }
}
