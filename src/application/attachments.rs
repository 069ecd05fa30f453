//! Photos and voice notes attached to drawings (issue 28): kept cleaned of every metadata
//! block (`media::clean_photo`, `media::clean_audio`), their files in the data folder
//! (`media::Folder`), their rows in the store; seen by those who see the drawing exactly or
//! openly, never with a drawing seen as its masking cell (`domain::attachment::shown_with`).

use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use tracing::instrument;
use uuid::Uuid;

use super::Error;
use super::drawings::readable;
use super::features::{View, public_sight, sees_exact};
use crate::domain::Refusal;
use crate::domain::access::Principal;
use crate::domain::annotation::AnnotationTarget;
use crate::domain::attachment::{Attachment, AttachmentKind, MAX_PER_DRAWING, shown_with};
use crate::domain::audit::Door;
use crate::domain::feature::Feature;
use crate::domain::workshop::Workshop;
use crate::media::{
    AudioError, AudioLimits, Folder, Part, PhotoError, PhotoLimits, clean_audio, clean_photo,
};
use crate::store::{Added, Store};

/// A photo's refusal, as a page says it (`problem.code.attachment.*`).
fn refused(error: PhotoError) -> Refusal {
    let detail = error.to_string();
    match error {
        PhotoError::TooLarge { max, .. } => {
            Refusal::new("attachment.too_large", detail).with("mb", max / (1024 * 1024))
        }
        PhotoError::NotAPhoto => Refusal::new("attachment.not_a_photo", detail),
        PhotoError::TooManyPixels { max, .. } => {
            Refusal::new("attachment.too_many_pixels", detail).with("max", max)
        }
        PhotoError::Unreadable(_) => Refusal::new("attachment.unreadable", detail),
    }
}

/// A voice note's refusal, as a page says it.
fn refused_note(error: AudioError) -> Refusal {
    let detail = error.to_string();
    match error {
        AudioError::TooLarge { max, .. } => {
            Refusal::new("attachment.note_too_large", detail).with("mb", max / (1024 * 1024))
        }
        AudioError::NotAudio => Refusal::new("attachment.not_a_photo", detail),
        AudioError::TooLong { seconds, max } => Refusal::new("attachment.too_long", detail)
            .with("seconds", seconds)
            .with("max", max),
        AudioError::Unreadable(_) => Refusal::new("attachment.unreadable", detail),
    }
}

fn full() -> Error {
    Error::Conflict(format!(
        "a drawing holds at most {MAX_PER_DRAWING} photos and voice notes"
    ))
}

/// Which of its files a caller asks of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The photo, or the voice note's sound.
    Full,
    /// A photo's thumbnail (a voice note has none).
    Thumbnail,
}

/// The file of `attachment` that `size` names, if it has one.
fn part(attachment: &Attachment, size: Size) -> Option<Part> {
    match (attachment.kind, size) {
        (AttachmentKind::Photo, Size::Full) => Some(Part::Photo),
        (AttachmentKind::Photo, Size::Thumbnail) => Some(Part::Thumbnail),
        (AttachmentKind::VoiceNote, Size::Full) => Some(Part::Sound),
        (AttachmentKind::VoiceNote, Size::Thumbnail) => None,
    }
}

/// What attaching a photo came to.
#[derive(Debug, Clone)]
pub enum Attached {
    Now(Attachment),
    /// Sent before with the same `Idempotency-Key` (a phone's queue retrying): that photo.
    Earlier(Attachment),
}

/// Attaches the photo or voice note `bytes` (which, its content says) to drawing
/// `feature_id`: its author while they may change it (the workshop open), analysts and
/// admins. Sent with `idempotency_key` (1-255 characters), a retry answers what the first
/// sending kept, however often it comes.
///
/// # Errors
/// As `drawings::readable`; `NotAllowed` for another's drawing; `Conflict` past
/// [`MAX_PER_DRAWING`]; `Refused` for a file that is neither or past the limits; the store's
/// and the folder's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn attach(
    store: &dyn Store,
    folder: &Arc<Folder>,
    principal: &Principal,
    feature_id: Uuid,
    annotation_id: Option<Uuid>,
    bytes: Bytes,
    idempotency_key: Option<&str>,
) -> Result<Attached, Error> {
    let (feature, workshop) = readable(store, principal, feature_id).await?;
    match annotation_id {
        None if principal.revision(&feature, workshop.as_ref()).is_none() => {
            return Err(Error::not_allowed(
                "you may attach photos only to the drawings you may change",
            ));
        }
        None => {}
        // A comment's: its author while they may comment (the workshop open), moderators.
        Some(id) => {
            let comment = store
                .find_annotation(id)
                .await?
                .filter(|c| {
                    matches!(c.target, AnnotationTarget::Feature { feature_id } if feature_id == feature.id)
                })
                .ok_or_else(|| Error::not_found("comment"))?;
            let own = comment.author.is_participant(principal.id())
                || comment.author.is_user(principal.id());
            let open = workshop
                .as_ref()
                .is_some_and(|w| principal.can_contribute_to(w));
            let allowed = principal.can_moderate() || (own && open);
            if !allowed {
                return Err(Error::not_allowed(
                    "you may attach photos only to your own comments, while the workshop is open",
                ));
            }
        }
    }
    if let Some(key) = idempotency_key
        && let Some(earlier) = store.find_attachment_sent(feature.id, key).await?
    {
        return Ok(Attached::Earlier(earlier));
    }
    // Said before the work of decoding; counted again as the row is stored.
    if store.list_attachments(feature.id).await?.len() >= MAX_PER_DRAWING {
        return Err(full());
    }
    let id = Uuid::now_v7();
    let folder_for_work = Arc::clone(folder);
    // One file at a time: decoding a photo may take a few hundred MB and a core for a second;
    // a room's photos at the end of a session wait their turn rather than exhaust memory.
    static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let _turn = ONE_AT_A_TIME
        .acquire()
        .await
        .map_err(|e| Error::Failed(format!("the photos' turn failed: {e}")))?;
    // The project's limits, within the server's.
    let asked = store
        .find_project_by_id(feature.project_id)
        .await?
        .map(|p| p.attachment_limits)
        .unwrap_or_default();
    let mut photo_limits = PhotoLimits::default();
    if let Some(mb) = asked.photo_mb {
        photo_limits.max_bytes = photo_limits.max_bytes.min(mb as usize * 1024 * 1024);
    }
    let mut note_limits = AudioLimits::default();
    if let Some(seconds) = asked.voice_note_seconds {
        note_limits.max_seconds = seconds;
    }
    // Decoding and encoding a photo, demuxing a note, is work for a thread of its own.
    let kept = tokio::task::spawn_blocking(move || {
        let cannot = |e: std::io::Error| Error::Failed(format!("could not keep the file: {e}"));
        if crate::media::audio::is_audio(&bytes) {
            let note = clean_audio(&bytes, note_limits).map_err(refused_note)?;
            folder_for_work.save_audio(id, &note).map_err(cannot)?;
            Ok::<_, Error>(Kept {
                kind: AttachmentKind::VoiceNote,
                media_type: note.format.media_type(),
                size: (None, None),
                duration_ms: Some(note.duration_ms),
                bytes: note.bytes.len(),
            })
        } else {
            let photo = clean_photo(&bytes, photo_limits).map_err(refused)?;
            folder_for_work.save(id, &photo).map_err(cannot)?;
            Ok(Kept {
                kind: AttachmentKind::Photo,
                media_type: "image/jpeg",
                size: (Some(photo.width), Some(photo.height)),
                duration_ms: None,
                bytes: photo.jpeg.len(),
            })
        }
    })
    .await
    .map_err(|e| Error::Failed(format!("the file's work failed: {e}")))??;
    let attachment = Attachment {
        id,
        project_id: feature.project_id,
        feature_id: feature.id,
        annotation_id,
        author: principal.author(),
        kind: kept.kind,
        media_type: kept.media_type.into(),
        width: kept.size.0,
        height: kept.size.1,
        duration_ms: kept.duration_ms,
        bytes: kept.bytes as u64,
        created_at: Utc::now(),
    };
    // The files are pending until the row is stored, then named: a failure between leaves
    // pending files, which a sweep takes.
    let stored = store
        .add_attachment(&attachment, idempotency_key, MAX_PER_DRAWING)
        .await;
    if !matches!(stored, Ok(Added::Stored)) {
        let _ = folder.discard(id);
        return match stored? {
            Added::Earlier(earlier) => Ok(Attached::Earlier(earlier)),
            Added::Removed => Err(Refusal::new(
                "attachment.removed",
                "this file was sent before and removed from the drawing: it is not kept again",
            )
            .into()),
            _ => Err(full()),
        };
    }
    if let Err(e) = folder.commit(id) {
        let _ = store.remove_attachment(id).await;
        return Err(Error::Failed(format!("could not keep the file: {e}")));
    }
    Ok(Attached::Now(attachment))
}

/// What was kept of a file, for its row.
struct Kept {
    kind: AttachmentKind,
    media_type: &'static str,
    size: (Option<u32>, Option<u32>),
    duration_ms: Option<u32>,
    bytes: usize,
}

/// The attachments of a drawing the caller sees them with (none for a drawing seen as its
/// masking cell); with `View::Public` as a projected screen sees it (none for a sensitive or
/// hidden drawing, whoever asks). An exact read of a sensitive drawing's is recorded as
/// `seen`'s door's (the API's, or the wall's when it projects exactly).
///
/// # Errors
/// As `drawings::readable`; the store's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn of_drawing(
    store: &dyn Store,
    principal: &Principal,
    feature_id: Uuid,
    seen: (View, Door),
) -> Result<Vec<Attachment>, Error> {
    let (feature, workshop) = readable(store, principal, feature_id).await?;
    if !shows_photos(store, principal, &feature, workshop.as_ref(), seen).await? {
        return Ok(Vec::new());
    }
    Ok(store.list_attachments(feature.id).await?)
}

/// Whether `principal` sees `feature`'s photos in `view`: with the drawing seen exactly or
/// openly (`domain::attachment::shown_with`); an exact read of a sensitive one is audited.
async fn shows_photos(
    store: &dyn Store,
    principal: &Principal,
    feature: &Feature,
    workshop: Option<&Workshop>,
    (view, door): (View, Door),
) -> Result<bool, Error> {
    let seen = match view {
        View::Public if feature.hidden => return Ok(false),
        View::Public => public_sight(store, feature).await?,
        View::Caller => sees_exact(store, principal, feature, workshop, door).await?,
    };
    Ok(shown_with(seen.sight))
}

/// An attachment the caller may see, and its drawing's readable check.
async fn visible(
    store: &dyn Store,
    principal: &Principal,
    id: Uuid,
    seen: (View, Door),
) -> Result<(Attachment, Feature, Option<Workshop>), Error> {
    let attachment = store
        .find_attachment(id)
        .await?
        .ok_or_else(|| Error::not_found("attachment"))?;
    // Whether the drawing is out of reach, deleted or seen masked, the photo is not said to
    // exist.
    let (feature, workshop) = readable(store, principal, attachment.feature_id)
        .await
        .map_err(|e| match e {
            Error::NotAllowed(_) | Error::NotFound(_) => Error::not_found("attachment"),
            other => other,
        })?;
    if !shows_photos(store, principal, &feature, workshop.as_ref(), seen).await? {
        return Err(Error::not_found("attachment"));
    }
    Ok((attachment, feature, workshop))
}

/// The file of attachment `id` (`size`: the photo or its thumbnail), for a caller who sees it
/// in `view` (see [`of_drawing`]).
///
/// # Errors
/// `NotFound` for an attachment unknown or of a drawing seen masked; as
/// `drawings::readable`; the folder's.
#[instrument(skip_all, err(level = "debug"))]
pub async fn file(
    store: &dyn Store,
    folder: &Folder,
    principal: &Principal,
    id: Uuid,
    size: Size,
    seen: (View, Door),
) -> Result<(Attachment, Vec<u8>), Error> {
    let (attachment, _, _) = visible(store, principal, id, seen).await?;
    let part = part(&attachment, size).ok_or_else(|| Error::not_found("thumbnail"))?;
    let bytes = folder.read(id, part).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::not_found("attachment"),
        _ => Error::Failed(format!("could not read the photo: {e}")),
    })?;
    Ok((attachment, bytes))
}

/// Removes attachment `id`, its row and files: analysts and admins, and its drawing's author
/// while they may change it.
///
/// # Errors
/// As [`file`]; `NotAllowed` for others.
#[instrument(skip_all, err(level = "debug"))]
pub async fn remove(
    store: &dyn Store,
    folder: &Folder,
    principal: &Principal,
    id: Uuid,
) -> Result<(), Error> {
    let (_, feature, workshop) = visible(store, principal, id, (View::Caller, Door::Api)).await?;
    if principal.revision(&feature, workshop.as_ref()).is_none() {
        return Err(Error::not_allowed(
            "only analysts, admins and the drawing's author remove its photos",
        ));
    }
    store.remove_attachment(id).await?;
    remove_files(store, folder, &[id]).await;
    Ok(())
}

/// How long a pending file is left alone by a sweep: an upload writes its files, stores its
/// row, then names its files.
const SETTLED: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the files of removed attachments `ids` (their rows gone, named among the removed
/// by the store) and forgets those it found; returns how many. One whose files are not
/// there stays named for a [`sweep`] (this folder may not be the server's: a `trama purge`
/// run elsewhere); one that cannot be removed too, and is logged.
pub async fn remove_files(store: &dyn Store, folder: &Folder, ids: &[Uuid]) -> usize {
    let mut gone = Vec::with_capacity(ids.len());
    for id in ids {
        match folder.remove(*id) {
            Ok(true) => gone.push(*id),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, attachment = %id, "could not remove a removed photo's files; the next sweep tries again");
            }
        }
    }
    if let Err(error) = store.forget_removed_attachments(&gone).await {
        tracing::warn!(%error, "removed photos' files are gone but still named; the next sweep forgets them");
    }
    gone.len()
}

/// Removes the files of every attachment the store names as removed (a purge's, and those
/// its cascades took: a comment's photos); returns how many. Errors are logged: a sweep
/// tries again.
pub async fn remove_named(store: &dyn Store, folder: &Folder) -> usize {
    match store.removed_attachments().await {
        Ok(named) => remove_files(store, folder, &named).await,
        Err(error) => {
            tracing::warn!(%error, "could not read the removed photos; the next sweep removes their files");
            0
        }
    }
}

/// What a sweep of the attachments' folder did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Swept {
    /// Removed attachments whose files were left (a server stopped between, a purge by
    /// `trama purge` or by another instance whose removal failed).
    pub removed: usize,
    /// Uploads abandoned between their files and their row.
    pub abandoned: usize,
    /// Uploads stored whose files had not been named.
    pub committed: usize,
}

/// Removes the files of the attachments the store names as removed, and settles uploads
/// left pending for more than an hour (`media::Folder::sweep_pending`). Run at a server's
/// start and daily. A file the store neither keeps nor names as removed is left alone: the
/// folder may be another database's.
///
/// # Errors
/// The store's and the folder's.
pub async fn sweep(store: &dyn Store, folder: &Folder) -> Result<Swept, Error> {
    let stored: std::collections::HashSet<Uuid> =
        store.attachment_ids().await?.into_iter().collect();
    // One named and still stored (a copy brought the row back): its files stay.
    let (kept, named): (Vec<Uuid>, Vec<Uuid>) = store
        .removed_attachments()
        .await?
        .into_iter()
        .partition(|id| stored.contains(id));
    store.forget_removed_attachments(&kept).await?;
    let removed = remove_files(store, folder, &named).await;
    // A removed attachment whose files are nowhere is forgotten only in a folder that holds
    // the files of attachments the store keeps: the server's own, not a wrong one.
    if stored.iter().any(|id| folder.holds(*id)) {
        let absent: Vec<Uuid> = named.into_iter().filter(|id| !folder.holds(*id)).collect();
        store.forget_removed_attachments(&absent).await?;
    }
    let pending = folder
        .sweep_pending(&stored, SETTLED)
        .map_err(|e| Error::Failed(format!("could not sweep the photos' folder: {e}")))?;
    Ok(Swept {
        removed,
        abandoned: pending.removed,
        committed: pending.committed,
    })
}

/// What copying a database's photos' files did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Copied {
    pub copied: usize,
    /// Files the target folder held already.
    pub present: usize,
    /// Rows of the source whose files its folder did not hold.
    pub missing: usize,
}

/// Copies the files of every attachment `source` keeps from folder `from` into `to`, for
/// `trama copy` into a server with another data folder.
///
/// # Errors
/// The store's and the folders'.
pub async fn copy_files(source: &dyn Store, from: &Folder, to: &Folder) -> Result<Copied, Error> {
    let mut copied = Copied::default();
    for id in source.attachment_ids().await? {
        let failed = |e: std::io::Error| Error::Failed(format!("could not copy photo {id}: {e}"));
        if from.copy_to(to, id).map_err(failed)? {
            copied.copied += 1;
        } else if to.holds(id) {
            copied.present += 1;
        } else {
            copied.missing += 1;
        }
    }
    Ok(copied)
}

/// Every attachment of project `project_id`, with a reader of its files in `folder`: what a
/// full GeoPackage carries of the drawings it holds (`export::AttachedFiles`).
///
/// # Errors
/// The store's.
pub async fn files_of(
    store: &dyn Store,
    folder: &Arc<Folder>,
    project_id: Uuid,
) -> Result<crate::export::AttachedFiles, Error> {
    let folder = Arc::clone(folder);
    Ok(crate::export::AttachedFiles {
        attachments: store.list_project_attachments(project_id).await?,
        read: Arc::new(move |a| match part(a, Size::Full) {
            Some(part) => folder.read(a.id, part),
            None => Err(std::io::ErrorKind::NotFound.into()),
        }),
    })
}
