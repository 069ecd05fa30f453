//! A voice note as Trama keeps it (issue 28): a few seconds a participant records on the
//! draw page (`MediaRecorder`: Opus in WebM on Chrome, Firefox and Android, AAC in MP4 on
//! Safari) or an audio file they choose (MP3, M4A). Checked by its content, whatever its name
//! or type says; at most [`AudioLimits::max_seconds`] long; and rewritten without what its
//! container says besides the sound: WebM's tags, title, date and segment id, MP4's `udta`,
//! `meta` and XMP boxes (an iPhone writes where a recording was made in `udta`), MP3's ID3
//! and APE tags. Nothing is decoded or encoded again: the sound's packets are kept as they are.
//!
//! The reading is the well-kept libraries': symphonia demuxes each container (the packets and
//! their times are all the duration needs), webm-iterable rewrites WebM's EBML. MP4's boxes
//! are filtered here ([`mp4`]: no maintained crate removes every metadata box of an MP4 and
//! keeps its chunk offsets right).

mod mp4;
mod webm;

use std::io::Cursor;

use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Bounds on a voice note.
#[derive(Debug, Clone, Copy)]
pub struct AudioLimits {
    /// Largest file accepted (a minute of Opus at 32 kb/s is 240 kB; of MP3 at 320 kb/s,
    /// 2.4 MB).
    pub max_bytes: usize,
    /// Longest note accepted, in seconds.
    pub max_seconds: u32,
}

impl Default for AudioLimits {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_seconds: 60,
        }
    }
}

/// The containers a voice note may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioFormat {
    /// WebM (Matroska), as `MediaRecorder` writes Opus on most browsers.
    Webm,
    /// MP4 (ISO BMFF), as Safari's `MediaRecorder` writes AAC, and `.m4a` files.
    Mp4,
    /// MPEG audio layer III.
    Mp3,
}

impl AudioFormat {
    /// The type the note is served as.
    pub fn media_type(self) -> &'static str {
        match self {
            AudioFormat::Webm => "audio/webm",
            AudioFormat::Mp4 => "audio/mp4",
            AudioFormat::Mp3 => "audio/mpeg",
        }
    }

    /// The file name extension of a note saved from Trama.
    pub fn extension(self) -> &'static str {
        match self {
            AudioFormat::Webm => "webm",
            AudioFormat::Mp4 => "m4a",
            AudioFormat::Mp3 => "mp3",
        }
    }

    /// The format a kept note's type names.
    pub fn of_media_type(media_type: &str) -> Option<Self> {
        [AudioFormat::Webm, AudioFormat::Mp4, AudioFormat::Mp3]
            .into_iter()
            .find(|f| f.media_type() == media_type)
    }

    /// What the first bytes say the file is.
    fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(AudioFormat::Webm)
        } else if bytes.get(4..8) == Some(b"ftyp") {
            Some(AudioFormat::Mp4)
        } else if bytes.starts_with(b"ID3")
            // An MPEG audio frame's sync word, layer III.
            || (bytes.len() > 2 && bytes[0] == 0xFF && bytes[1] & 0xE6 == 0xE2)
        {
            Some(AudioFormat::Mp3)
        } else {
            None
        }
    }
}

/// Whether `bytes` say they are a voice note's container (WebM, MP4 or MP3), to tell a note
/// from a photo by what a file is rather than what it is named.
pub fn is_audio(bytes: &[u8]) -> bool {
    AudioFormat::sniff(bytes).is_some()
}

/// A voice note as kept: its bytes without tags, container and length.
#[derive(Debug, Clone)]
pub struct CleanAudio {
    pub bytes: Vec<u8>,
    pub format: AudioFormat,
    pub duration_ms: u32,
}

/// Why a file is no voice note Trama keeps.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AudioError {
    #[error("the file is {bytes} bytes, more than the {max} a voice note may have")]
    TooLarge { bytes: usize, max: usize },
    #[error("the file is not a sound in WebM, MP4 or MP3 (its content says so, whatever its name)")]
    NotAudio,
    #[error("the note lasts {seconds} s, more than the {max} s a note may")]
    TooLong { seconds: u32, max: u32 },
    #[error("the sound cannot be read: {0}")]
    Unreadable(String),
}

/// Checks `bytes` as a voice note and rewrites it without its container's tags.
///
/// # Errors
/// [`AudioError::TooLarge`] past `limits.max_bytes`; [`AudioError::NotAudio`] for a file that
/// is none of the three containers or holds anything but sound (a video's track);
/// [`AudioError::TooLong`] past `limits.max_seconds`; [`AudioError::Unreadable`] for one cut
/// short or malformed.
pub fn clean_audio(bytes: &[u8], limits: AudioLimits) -> Result<CleanAudio, AudioError> {
    if bytes.len() > limits.max_bytes {
        return Err(AudioError::TooLarge {
            bytes: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let format = AudioFormat::sniff(bytes).ok_or(AudioError::NotAudio)?;
    // What symphonia reads is the container as Trama rewrote it, checked: its demuxers
    // allocate what a file's sizes and counts say, and a crafted file would say terabytes.
    let kept = match format {
        AudioFormat::Webm => webm::without_tags(bytes, None, limits.max_bytes)?,
        AudioFormat::Mp4 => mp4::without_metadata(bytes)?,
        AudioFormat::Mp3 => mp3_frames_only(bytes).to_vec(),
    };
    // The demuxers are third-party code reading untrusted bytes: a panic in one is a file
    // that cannot be read, not a failed request.
    let read = std::panic::catch_unwind(|| read_packets(&kept, format))
        .map_err(|_| AudioError::Unreadable("the container is malformed".into()))??;
    let duration_ms = read.duration_ms;
    // Encoders pad a note's end by a few milliseconds (Opus, AAC frames): a minute is a
    // minute and a quarter of a second.
    if u64::from(duration_ms) > u64::from(limits.max_seconds) * 1000 + 250 {
        return Err(AudioError::TooLong {
            seconds: duration_ms.saturating_add(500) / 1000,
            max: limits.max_seconds,
        });
    }
    let bytes = match format {
        // Again, with the duration a player shows before it plays.
        AudioFormat::Webm => webm::without_tags(&kept, Some(duration_ms), limits.max_bytes)?,
        AudioFormat::Mp4 => kept,
        // The frames, one after the other: APE tags and the encoder's Xing frame are not
        // frames of sound, and are left behind.
        AudioFormat::Mp3 => read.frames.concat(),
    };
    Ok(CleanAudio {
        bytes,
        format,
        duration_ms,
    })
}

/// An MP3 without its ID3 tags (ID3v2 at the start, however many, with their footers; ID3v1
/// at the end): symphonia's ID3 reader allocates what a tag's frames say they hold.
fn mp3_frames_only(mut bytes: &[u8]) -> &[u8] {
    while bytes.len() >= 10 && bytes.starts_with(b"ID3") {
        // A synchsafe size: 7 bits a byte.
        let size = bytes[6..10]
            .iter()
            .fold(0usize, |size, b| (size << 7) | usize::from(b & 0x7F));
        let footer = if bytes[5] & 0x10 != 0 { 10 } else { 0 };
        bytes = bytes.get(10 + size + footer..).unwrap_or(&[]);
    }
    if bytes.len() >= 128 && bytes[bytes.len() - 128..].starts_with(b"TAG") {
        bytes = &bytes[..bytes.len() - 128];
    }
    bytes
}

/// Most packets a note may hold: a minute of Opus is 3,000 packets of 20 ms; of AAC or MP3,
/// about 2,800 frames. A file of zero-length packets is refused before it takes a minute.
const MAX_PACKETS: usize = 20_000;

/// What demuxing a note gave: its length and, for MP3, its frames.
struct Read {
    duration_ms: u32,
    frames: Vec<Vec<u8>>,
}

/// Reads every packet of the note's one sound track: its end is the note's length.
fn read_packets(bytes: &[u8], format: AudioFormat) -> Result<Read, AudioError> {
    let source = MediaSourceStream::new(
        Box::new(Cursor::new(bytes.to_vec())),
        MediaSourceStreamOptions::default(),
    );
    let mut hint = Hint::new();
    hint.with_extension(format.extension());
    let metadata = MetadataOptions {
        limit_metadata_bytes: symphonia::core::meta::Limit::Maximum(64 * 1024),
        limit_visual_bytes: symphonia::core::meta::Limit::Maximum(0),
    };
    let probed = symphonia::default::get_probe()
        .format(&hint, source, &FormatOptions::default(), &metadata)
        .map_err(|_| AudioError::NotAudio)?;
    let mut reader: Box<dyn FormatReader> = probed.format;
    let track = match reader.tracks() {
        [one] => one.clone(),
        [] => return Err(AudioError::NotAudio),
        _ => {
            return Err(AudioError::Unreadable(
                "a voice note has one sound track".into(),
            ));
        }
    };
    let time_base = track
        .codec_params
        .time_base
        .or_else(|| {
            track
                .codec_params
                .sample_rate
                .map(|rate| symphonia::core::units::TimeBase::new(1, rate))
        })
        .filter(|base| base.numer > 0 && base.denom > 0)
        .ok_or_else(|| AudioError::Unreadable("the track has no time base".into()))?;
    let mut end = 0u64;
    let mut frames = Vec::new();
    for packets in 0.. {
        if packets > MAX_PACKETS {
            return Err(AudioError::Unreadable(
                "more packets than a minute of sound holds".into(),
            ));
        }
        match reader.next_packet() {
            Ok(packet) => {
                if packet.track_id() != track.id {
                    continue;
                }
                end = end.max(packet.ts().saturating_add(packet.dur()));
                if format == AudioFormat::Mp3 {
                    frames.push(packet.buf().to_vec());
                }
            }
            Err(symphonia::core::errors::Error::IoError(e))
                if e.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                break;
            }
            Err(e) => return Err(AudioError::Unreadable(e.to_string())),
        }
    }
    if end == 0 {
        return Err(AudioError::Unreadable("the note holds no sound".into()));
    }
    let time = time_base.calc_time(end);
    let ms = time.seconds.saturating_mul(1000) + (time.frac * 1000.0).round() as u64;
    Ok(Read {
        duration_ms: u32::try_from(ms).unwrap_or(u32::MAX),
        frames,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_judged_by_its_first_bytes() {
        assert_eq!(
            AudioFormat::sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0]),
            Some(AudioFormat::Webm)
        );
        assert_eq!(
            AudioFormat::sniff(b"\0\0\0\x20ftypM4A "),
            Some(AudioFormat::Mp4)
        );
        assert_eq!(AudioFormat::sniff(b"ID3\x04"), Some(AudioFormat::Mp3));
        assert_eq!(
            AudioFormat::sniff(&[0xFF, 0xFB, 0x90]),
            Some(AudioFormat::Mp3)
        );
        assert_eq!(AudioFormat::sniff(b"<svg"), None);
        assert_eq!(AudioFormat::sniff(b"\xFF\xD8\xFF\xE0"), None, "a JPEG");
        assert_eq!(
            clean_audio(b"<html><script>", AudioLimits::default()).err(),
            Some(AudioError::NotAudio)
        );
        assert!(matches!(
            clean_audio(
                &[0u8; 64],
                AudioLimits {
                    max_bytes: 10,
                    max_seconds: 60
                }
            ),
            Err(AudioError::TooLarge { bytes: 64, max: 10 })
        ));
    }

    #[test]
    fn a_malformed_file_is_refused_not_a_panic() {
        for bytes in [
            &[0x1A, 0x45, 0xDF, 0xA3, 0xFF, 0xFF, 0xFF, 0xFF][..],
            b"\0\0\0\x08ftyp\0\0\0\x10moov\0\0\0\x08trak",
            b"ID3\x04\0\0\0\0\0\x10\xFF\xFB",
        ] {
            assert!(clean_audio(bytes, AudioLimits::default()).is_err());
        }
    }
}
