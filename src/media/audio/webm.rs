//! A WebM voice note rewritten with only what plays it: every element is kept only where
//! [`kept`] lists it under its parent: the EBML header, the segment's info (its time scale
//! and, added, its duration), its audio track's codec and its clusters' blocks. Everything
//! else goes: tags, attachments, chapters, the seek index and cues (their offsets would point
//! into what was removed; a player reads a minute of sound without them), the title, the date,
//! the segment's unique id, a track's name, codec name and language, a block's additions,
//! padding and checksums (stale once the content changed). The writing application is said
//! as Trama.

use std::io::Cursor;

use webm_iterable::matroska_spec::{EbmlTag, Master, MatroskaSpec};
use webm_iterable::{WebmIterator, WebmWriter};

use super::AudioError;

const EBML: u64 = 0x1A45_DFA3;
const SEGMENT: u64 = 0x1853_8067;
const INFO: u64 = 0x1549_A966;
const TRACKS: u64 = 0x1654_AE6B;
const TRACK_ENTRY: u64 = 0xAE;
const TRACK_TYPE: u64 = 0x83;
const CLUSTER: u64 = 0x1F43_B675;
const BLOCK_GROUP: u64 = 0xA0;
const AUDIO: u64 = 0xE1;
const CONTENT_ENCODINGS: u64 = 0x6D80;
const TIMESTAMP_SCALE: u64 = 0x2A_D7B1;
const DURATION: u64 = 0x4489;
/// Matroska's track type of sound.
const AUDIO_TRACK: u64 = 2;

/// Whether an element of `id` within `parent` (`None`: the file's top) is kept.
fn kept(parent: Option<u64>, id: u64) -> bool {
    let kept: &[u64] = match parent {
        None => &[EBML, SEGMENT],
        // Version, read version, id and size lengths, doc type, its versions.
        Some(EBML) => &[0x4286, 0x42F7, 0x42F2, 0x42F3, 0x4282, 0x4287, 0x4285],
        Some(SEGMENT) => &[INFO, TRACKS, CLUSTER],
        Some(INFO) => &[TIMESTAMP_SCALE, DURATION],
        Some(TRACKS) => &[TRACK_ENTRY],
        // Number, uid, type, flags enabled, default, forced, lacing, default duration, codec
        // id and private data, codec delay, seek pre-roll, audio.
        Some(TRACK_ENTRY) => &[
            0xD7, 0x73C5, TRACK_TYPE, 0xB9, 0x88, 0x55AA, 0x9C, 0x23_E383, 0x86, 0x63A2, 0x56AA,
            0x56BB, AUDIO,
        ],
        // Sampling frequency, output sampling frequency, channels, bit depth.
        Some(AUDIO) => &[0xB5, 0x78B5, 0x9F, 0x6264],
        // Timestamp, simple block, block group.
        Some(CLUSTER) => &[0xE7, 0xA3, BLOCK_GROUP],
        // Block, its duration, reference, discard padding.
        Some(BLOCK_GROUP) => &[0xA1, 0x9B, 0xFB, 0x75A2],
        Some(_) => &[],
    };
    kept.contains(&id)
}

/// `bytes` (a WebM) without its tags, with its duration (`duration_ms`, when known) in its
/// info.
///
/// # Errors
/// [`AudioError::NotAudio`] for a track that is not sound; [`AudioError::Unreadable`] for
/// EBML that cannot be read (an element larger than `max_bytes` included), a second segment,
/// or encoded (compressed, encrypted) blocks.
pub fn without_tags(
    bytes: &[u8],
    duration_ms: Option<u32>,
    max_bytes: usize,
) -> Result<Vec<u8>, AudioError> {
    let unreadable = |e: &dyn std::fmt::Display| AudioError::Unreadable(e.to_string());
    let mut tags = WebmIterator::new(Cursor::new(bytes), &[]);
    tags.set_max_allowable_tag_size(Some(max_bytes));
    let mut out = WebmWriter::new(Vec::with_capacity(bytes.len()));
    // The open masters, each with whether it is kept; and the info's time scale.
    let mut open: Vec<(u64, bool)> = Vec::new();
    let mut scale = 1_000_000u64;
    let mut segments_seen = 0;
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
        if id == CONTENT_ENCODINGS {
            return Err(AudioError::Unreadable(
                "the sound's blocks are compressed or encrypted".into(),
            ));
        }
        if id == SEGMENT && parent.is_none() && segments_seen > 0 {
            return Err(AudioError::Unreadable(
                "a voice note has one segment".into(),
            ));
        }
        match tag.as_master() {
            Some(Master::Start) => {
                if id == SEGMENT && parent.is_none() {
                    segments_seen += 1;
                }
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
                    if let Some(ms) = duration_ms {
                        let duration = f64::from(ms) * 1_000_000.0 / scale.max(1) as f64;
                        out.write(&MatroskaSpec::Duration(duration))
                            .map_err(|e| unreadable(&e))?;
                    }
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
