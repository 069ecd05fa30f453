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
