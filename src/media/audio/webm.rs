//! A WebM voice note rewritten with only what plays it: the EBML header, the segment's info
//! (its time scale and, added, its duration), its audio tracks and its clusters. Everything
//! else goes: tags, attachments, chapters, the seek index and cues (their offsets would point
//! into what was removed; a player reads a minute of sound without them), the title, the date,
//! the segment's unique id, a track's name, padding and checksums (stale once the content
//! changed). The writing application is said as Trama.

use std::io::Cursor;

use webm_iterable::matroska_spec::{EbmlTag, Master, MatroskaSpec};
use webm_iterable::{WebmIterator, WebmWriter};

use super::AudioError;

const SEGMENT: u64 = 0x1853_8067;
const INFO: u64 = 0x1549_A966;
const TRACKS: u64 = 0x1654_AE6B;
const TRACK_ENTRY: u64 = 0xAE;
const TRACK_TYPE: u64 = 0x83;
const TRACK_NAME: u64 = 0x536E;
const CLUSTER: u64 = 0x1F43_B675;
const TIMESTAMP_SCALE: u64 = 0x2A_D7B1;
const DURATION: u64 = 0x4489;
/// Matroska's track type of sound.
const AUDIO_TRACK: u64 = 2;

/// Whether an element of `id` within `parent` is kept.
fn kept(parent: Option<u64>, id: u64) -> bool {
    match parent {
        Some(SEGMENT) => matches!(id, INFO | TRACKS | CLUSTER),
        Some(INFO) => matches!(id, TIMESTAMP_SCALE | DURATION),
        Some(TRACK_ENTRY) => id != TRACK_NAME,
        _ => true,
    }
}

/// `bytes` (a WebM) without its tags, with its duration (`duration_ms`) in its info.
///
/// # Errors
/// [`AudioError::NotAudio`] for a track that is not sound; [`AudioError::Unreadable`] for
/// EBML that cannot be read (an element larger than `max_bytes` included).
pub fn without_tags(
    bytes: &[u8],
    duration_ms: u32,
    max_bytes: usize,
) -> Result<Vec<u8>, AudioError> {
    let unreadable = |e: &dyn std::fmt::Display| AudioError::Unreadable(e.to_string());
    let mut tags = WebmIterator::new(Cursor::new(bytes), &[]);
    tags.set_max_allowable_tag_size(Some(max_bytes));
    let mut out = WebmWriter::new(Vec::with_capacity(bytes.len()));
    // The open masters, each with whether it is kept; and the info's time scale.
    let mut open: Vec<(u64, bool)> = Vec::new();
    let mut scale = 1_000_000u64;
    for tag in tags {
        let tag = tag.map_err(|e| unreadable(&e))?;
        let id = tag.get_id();
        // A masked or a malformed tag (one that is not a known kind) is not sound.
        if matches!(
            tag,
            MatroskaSpec::Crc32(_) | MatroskaSpec::Void(_) | MatroskaSpec::RawTag(..)
        ) {
            continue;
        }
        let within_kept = open.iter().all(|(_, keep)| *keep);
        let parent = open.last().map(|(parent, _)| *parent);
        match tag.as_master() {
            Some(Master::Start) => {
                let keep = within_kept && kept(parent, id);
                open.push((id, keep));
                if keep {
                    out.write(&tag).map_err(|e| unreadable(&e))?;
                }
            }
            Some(Master::End) => {
                let (_, keep) = open.pop().unwrap_or((id, false));
                if !keep {
                    continue;
                }
                if id == INFO {
                    // What a player shows before playing (`MediaRecorder` writes none), in
                    // the segment's time scale; and who wrote the file.
                    let duration = f64::from(duration_ms) * 1_000_000.0 / scale.max(1) as f64;
                    out.write(&MatroskaSpec::Duration(duration))
                        .map_err(|e| unreadable(&e))?;
                    for app in [MatroskaSpec::MuxingApp, MatroskaSpec::WritingApp] {
                        out.write(&app("Trama".into()))
                            .map_err(|e| unreadable(&e))?;
                    }
                }
                out.write(&tag).map_err(|e| unreadable(&e))?;
            }
            Some(Master::Full(_)) => {
                if within_kept && kept(parent, id) {
                    out.write(&tag).map_err(|e| unreadable(&e))?;
                }
            }
            None => {
                if id == TRACK_TYPE && tag.as_unsigned_int() != Some(&AUDIO_TRACK) {
                    return Err(AudioError::NotAudio);
                }
                if id == TIMESTAMP_SCALE
                    && let Some(value) = tag.as_unsigned_int()
                {
                    scale = *value;
                }
                // The duration is written again when the info ends.
                if within_kept && kept(parent, id) && id != DURATION {
                    out.write(&tag).map_err(|e| unreadable(&e))?;
                }
            }
        }
    }
    if !open.is_empty() {
        return Err(AudioError::Unreadable("the file is cut short".into()));
    }
    out.into_inner().map_err(|e| unreadable(&e))
}
