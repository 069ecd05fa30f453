//! Files attached to a drawing (issue 28): a photo of a street sign, a few seconds of voice,
//! for those who write little. The file itself is cleaned of every metadata block before it is kept
//! (`trama::media`); here is what the store keeps of it and the rules of who sees it.
//!
//! An attachment is seen by those who see its drawing *exactly*: a photo locates a place as
//! well as a title does, so a sensitive drawing seen as its masking cell shows none.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::feature::{Author, Sight};

/// Most attachments one drawing holds.
pub const MAX_PER_DRAWING: usize = 10;

/// What a project lets one attachment be; `None`, the server's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// Largest photo, in megabytes (1 to [`MAX_PHOTO_MB`]).
    pub photo_mb: Option<u32>,
    /// Longest voice note, in seconds ([`VOICE_NOTE_SECONDS`]).
    pub voice_note_seconds: Option<u32>,
}

/// The largest photo a project may allow, in megabytes: what the server decodes at most.
pub const MAX_PHOTO_MB: u32 = 8;
/// The voice note lengths a project may set, in seconds (three minutes of Opus or of MP3 at
/// 128 kb/s fit in the 4 MB a note may take).
pub const VOICE_NOTE_SECONDS: std::ops::RangeInclusive<u32> = 5..=180;

impl AttachmentLimits {
    /// Checks the limits asked for.
    ///
    /// # Errors
    /// What is out of range, said.
    pub fn validate(&self) -> Result<(), String> {
        if self
            .photo_mb
            .is_some_and(|mb| !(1..=MAX_PHOTO_MB).contains(&mb))
        {
            return Err(format!(
                "photo_max_mb is 1 to {MAX_PHOTO_MB}, or null for the server's {MAX_PHOTO_MB}"
            ));
        }
        if self
            .voice_note_seconds
            .is_some_and(|s| !VOICE_NOTE_SECONDS.contains(&s))
        {
            return Err(format!(
                "voice_note_max_seconds is {} to {}, or null for the server's 60",
                VOICE_NOTE_SECONDS.start(),
                VOICE_NOTE_SECONDS.end()
            ));
        }
        Ok(())
    }
}

/// What kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    /// A voice note: recorded on the page or an audio file.
    VoiceNote,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Photo => "photo",
            AttachmentKind::VoiceNote => "voice_note",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "photo" => Some(AttachmentKind::Photo),
            "voice_note" => Some(AttachmentKind::VoiceNote),
            _ => None,
        }
    }
}

/// A file attached to a drawing, as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: Uuid,
    pub project_id: Uuid,
    pub feature_id: Uuid,
    /// The comment on the drawing it belongs to, if any (else the drawing's own).
    pub annotation_id: Option<Uuid>,
    pub author: Author,
    pub kind: AttachmentKind,
    /// The type it is served as (`image/jpeg`): what Trama wrote, never what was sent.
    pub media_type: String,
    /// Pixels, for a photo.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Milliseconds, for a voice note.
    pub duration_ms: Option<u32>,
    /// Its size as kept.
    pub bytes: u64,
    pub created_at: DateTime<Utc>,
}

/// Whether a drawing seen with `sight` shows its attachments: only seen exactly or openly,
/// never as its masking cell.
pub fn shown_with(sight: Sight) -> bool {
    !sight.is_masked()
}
