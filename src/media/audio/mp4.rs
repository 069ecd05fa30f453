//! An MP4 voice note rewritten with only the boxes that play it (ISO/IEC 14496-12): what a
//! sound track needs is kept, every other box goes, `udta` (an iPhone's `©xyz`, where it was
//! recorded), `meta` (iTunes tags), `uuid` (XMP), `free` and the index boxes whose offsets
//! would be stale (`sidx`, `mfra`) among them. The creation and modification times of the
//! movie, its tracks and their media are set to zero. The chunk offsets (`stco`, `co64`),
//! which count from the file's start, are moved by what was removed before their `mdat`.
//!
//! Written here because no maintained crate does it: `mp4ameta` rewrites the iTunes list
//! only (an iPhone's place is in `udta`), and `mp4` (mp4-rust) writes no fragmented file, which
//! is what Safari's `MediaRecorder` gives.

use super::AudioError;

/// The boxes kept within each kept container; every other kept box is kept whole (a
/// fragment's `moof` among them: its sample offsets count from its own start).
fn kept(parent: Option<&[u8; 4]>, kind: &[u8; 4]) -> bool {
    let allowed: &[&[u8; 4]] = match parent {
        None => &[b"ftyp", b"styp", b"moov", b"moof", b"mdat"],
        Some(b"moov") => &[b"mvhd", b"trak", b"mvex"],
        Some(b"trak") => &[b"tkhd", b"edts", b"mdia"],
        Some(b"mdia") => &[b"mdhd", b"hdlr", b"minf"],
        Some(b"minf") => &[b"smhd", b"dinf", b"stbl"],
        // Sample tables, the movie's extends, the edit list: all that plays.
        Some(b"stbl" | b"mvex" | b"edts") => {
            return !matches!(kind, b"udta" | b"meta" | b"uuid" | b"free" | b"skip");
        }
        _ => return false,
    };
    allowed.contains(&kind)
}

/// Containers whose children are filtered one by one.
fn is_container(kind: &[u8; 4]) -> bool {
    matches!(
        kind,
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"mvex" | b"edts"
    )
}

/// One box: its type, where its content starts and where it ends, within `data`.
struct Bx {
    kind: [u8; 4],
    start: usize,
    content: usize,
    end: usize,
}

fn unreadable(what: &str) -> AudioError {
    AudioError::Unreadable(format!("the MP4 is malformed: {what}"))
}

/// The boxes of `data[from..to]`, in order.
fn boxes(data: &[u8], from: usize, to: usize) -> Result<Vec<Bx>, AudioError> {
    let mut found = Vec::new();
    let mut at = from;
    while at < to {
        let header = data
            .get(at..at + 8)
            .ok_or_else(|| unreadable("a box header is cut short"))?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, content) = match size32 {
            // To the end of its container.
            0 => (to - at, at + 8),
            1 => {
                let large = data
                    .get(at + 8..at + 16)
                    .ok_or_else(|| unreadable("a box size is cut short"))?;
                let large = u64::from_be_bytes(large.try_into().unwrap_or([0; 8]));
                (usize::try_from(large).unwrap_or(usize::MAX), at + 16)
            }
            n => (n as usize, at + 8),
        };
        let end = at
            .checked_add(size)
            .filter(|end| *end <= to && size >= content - at)
            .ok_or_else(|| unreadable("a box runs past its container"))?;
        found.push(Bx {
            kind,
            start: at,
            content,
            end,
        });
        at = end;
    }
    Ok(found)
}

/// The kept boxes of `data[from..to]` (within `parent`), appended to `out`; each `mdat`'s old
/// and new position noted in `moved`.
fn filter(
    data: &[u8],
    from: usize,
    to: usize,
    parent: Option<&[u8; 4]>,
    out: &mut Vec<u8>,
    moved: &mut Vec<(usize, usize, i64)>,
) -> Result<(), AudioError> {
    for bx in boxes(data, from, to)? {
        if !kept(parent, &bx.kind) {
            continue;
        }
        if bx.kind == *b"hdlr" && data.get(bx.content + 8..bx.content + 12) != Some(b"soun") {
            return Err(AudioError::NotAudio);
        }
        if is_container(&bx.kind) {
            let header = out.len();
            out.extend_from_slice(&[0, 0, 0, 0]);
            out.extend_from_slice(&bx.kind);
            filter(data, bx.content, bx.end, Some(&bx.kind), out, moved)?;
            let size =
                u32::try_from(out.len() - header).map_err(|_| unreadable("a box is too large"))?;
            out[header..header + 4].copy_from_slice(&size.to_be_bytes());
            continue;
        }
        let written = out.len();
        if bx.kind == *b"mdat" {
            moved.push((bx.start, bx.end, written as i64 - bx.start as i64));
        }
        out.extend_from_slice(&data[bx.start..bx.end]);
        if matches!(&bx.kind, b"mvhd" | b"tkhd" | b"mdhd") {
            zero_times(&mut out[written + (bx.content - bx.start)..]);
        }
    }
    Ok(())
}

/// Sets a movie, track or media header's creation and modification times to zero (version
/// 0: 32-bit times; version 1: 64-bit).
fn zero_times(content: &mut [u8]) {
    let width = if content.first() == Some(&1) { 16 } else { 8 };
    if let Some(times) = content.get_mut(4..4 + width) {
        times.fill(0);
    }
}

/// Moves each chunk offset of the sample tables of `out[from..to]` by its `mdat`'s move.
fn move_offsets(
    out: &mut [u8],
    from: usize,
    to: usize,
    moved: &[(usize, usize, i64)],
) -> Result<(), AudioError> {
    for bx in boxes(out, from, to)? {
        if is_container(&bx.kind) {
            move_offsets(out, bx.content, bx.end, moved)?;
            continue;
        }
        let width = match &bx.kind {
            b"stco" => 4,
            b"co64" => 8,
            _ => continue,
        };
        let count = out
            .get(bx.content + 4..bx.content + 8)
            .map(|n| u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize)
            .ok_or_else(|| unreadable("a chunk table is cut short"))?;
        let first = bx.content + 8;
        if count.saturating_mul(width) > bx.end.saturating_sub(first) {
            return Err(unreadable("a chunk table runs past its box"));
        }
        for entry in (0..count).map(|i| first + i * width) {
            let field = &mut out[entry..entry + width];
            let old = if width == 4 {
                u64::from(u32::from_be_bytes([field[0], field[1], field[2], field[3]]))
            } else {
                u64::from_be_bytes(field.try_into().unwrap_or([0; 8]))
            };
            let Some(delta) = moved
                .iter()
                .find(|(start, end, _)| (*start as u64..*end as u64).contains(&old))
                .map(|(_, _, delta)| *delta)
            else {
                return Err(unreadable("a chunk lies outside the sound"));
            };
            let new = old.checked_add_signed(delta).unwrap_or(old);
            if width == 4 {
                let new = u32::try_from(new).map_err(|_| unreadable("a chunk offset"))?;
                field.copy_from_slice(&new.to_be_bytes());
            } else {
                field.copy_from_slice(&new.to_be_bytes());
            }
        }
    }
    Ok(())
}

/// `bytes` (an MP4 of one sound track) with only the boxes that play it.
///
/// # Errors
/// [`AudioError::NotAudio`] for a track that is not sound; [`AudioError::Unreadable`] for
/// boxes that run past their container or offsets outside the sound.
pub fn without_metadata(bytes: &[u8]) -> Result<Vec<u8>, AudioError> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut moved = Vec::new();
    filter(bytes, 0, bytes.len(), None, &mut out, &mut moved)?;
    let end = out.len();
    move_offsets(&mut out, 0, end, &moved)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = ((content.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn metadata_boxes_go_and_chunk_offsets_follow_the_sound() {
        let hdlr = bx(
            b"hdlr",
            &[0, 0, 0, 0, 0, 0, 0, 0, b's', b'o', b'u', b'n', 0],
        );
        let mdhd = bx(b"mdhd", &[0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1]);
        let where_recorded = bx(b"udta", &bx(b"\xA9xyz", b"-34.7601-058.4012/"));
        let placeholder_stco = |offset: u32| {
            let mut content = vec![0, 0, 0, 0, 0, 0, 0, 1];
            content.extend_from_slice(&offset.to_be_bytes());
            bx(b"stco", &content)
        };
        let build = |offset: u32| {
            let stbl = bx(b"stbl", &placeholder_stco(offset));
            let minf = bx(b"minf", &stbl);
            let mdia = bx(b"mdia", &[mdhd.clone(), hdlr.clone(), minf].concat());
            let trak = bx(b"trak", &[mdia, where_recorded.clone()].concat());
            let moov = bx(b"moov", &[trak, where_recorded.clone()].concat());
            [
                bx(b"ftyp", b"M4A \0\0\0\0"),
                moov,
                bx(b"uuid", b"XMP creator"),
            ]
            .concat()
        };
        let head = build(0).len() as u32;
        let file = [build(head + 8), bx(b"mdat", b"SOUND")].concat();
        assert_eq!(&file[head as usize + 8..head as usize + 13], b"SOUND");

        let kept = without_metadata(&file).expect("kept");
        let text = String::from_utf8_lossy(&kept);
        assert!(!text.contains("xyz") && !text.contains("XMP") && !text.contains("34.76"));
        let sound = kept.windows(5).position(|w| w == b"SOUND").expect("sound") as u32;
        let stco = kept.windows(4).position(|w| w == b"stco").expect("stco") + 12;
        let offset = u32::from_be_bytes(kept[stco..stco + 4].try_into().expect("4"));
        assert_eq!(offset, sound, "the chunk offset points at the sound");
        let mdhd_at = kept.windows(4).position(|w| w == b"mdhd").expect("mdhd") + 4;
        assert_eq!(
            &kept[mdhd_at + 4..mdhd_at + 12],
            &[0; 8],
            "no recording time"
        );

        let video = file.windows(4).position(|w| w == b"soun").expect("handler");
        let mut film = file.clone();
        film[video..video + 4].copy_from_slice(b"vide");
        assert_eq!(without_metadata(&film).err(), Some(AudioError::NotAudio));
        assert!(
            without_metadata(&file[..file.len() - 3]).is_err(),
            "cut short"
        );
    }
}
