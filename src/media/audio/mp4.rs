//! An MP4 voice note rewritten with only the boxes that play it (ISO/IEC 14496-12). Every
//! container lists the children it keeps ([`CHILDREN`]); any other box goes: `udta` (an
//! iPhone's `©xyz`, where it was recorded), `meta` (iTunes tags), `uuid` (XMP), `free`, the
//! index boxes whose offsets would be stale (`sidx`, `mfra`), and an `mdat` no chunk or
//! fragment points to. The creation and modification times of the movie, its tracks and their
//! media are set to zero, the handler's name emptied, and a data reference must be the file
//! itself. A fragment (`moof`) must hold only what plays, so that its size, which its samples'
//! offsets count from, does not change. The chunk offsets (`stco`, `co64`) and a fragment's
//! absolute base offset, which count from the file's start, are moved by what was removed
//! before their `mdat`.
//!
//! Every table's entry count is checked against its box before anything reads it: symphonia,
//! which reads the kept file for its duration, allocates what a count says.
//!
//! Written here because no maintained crate does it: `mp4ameta` rewrites the iTunes list
//! only (an iPhone's place is in `udta`), and `mp4` (mp4-rust) writes no fragmented file, which
//! is what Safari's `MediaRecorder` gives.

use super::AudioError;

/// A box's type.
type Kind = [u8; 4];

/// Each container's kept children, and how many bytes of its own come before them.
const CHILDREN: &[(&Kind, usize, &[&Kind])] = &[
    (b"moov", 0, &[b"mvhd", b"trak", b"mvex"]),
    (b"trak", 0, &[b"tkhd", b"edts", b"mdia"]),
    (b"edts", 0, &[b"elst"]),
    (b"mdia", 0, &[b"mdhd", b"hdlr", b"minf"]),
    (b"minf", 0, &[b"smhd", b"dinf", b"stbl"]),
    (b"dinf", 0, &[b"dref"]),
    (b"dref", 8, &[b"url "]),
    (
        b"stbl",
        0,
        &[
            b"stsd", b"stts", b"ctts", b"stsc", b"stsz", b"stz2", b"stco", b"co64", b"stss",
            b"sgpd", b"sbgp",
        ],
    ),
    (b"stsd", 8, &[b"mp4a", b"Opus", b".mp3"]),
    // An audio sample entry (version 0): its 28 bytes, then its decoder's configuration.
    (b"mp4a", 28, &[b"esds", b"btrt"]),
    (b"Opus", 28, &[b"dOps", b"btrt"]),
    (b".mp3", 28, &[b"btrt"]),
    (b"mvex", 0, &[b"mehd", b"trex"]),
    (b"moof", 0, &[b"mfhd", b"traf"]),
    (b"traf", 0, &[b"tfhd", b"tfdt", b"trun"]),
];

/// The top level's kept boxes.
const TOP: &[&[u8; 4]] = &[b"ftyp", b"styp", b"moov", b"moof", b"mdat"];

fn container(kind: &[u8; 4]) -> Option<(usize, &'static [&'static [u8; 4]])> {
    CHILDREN
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, header, kept)| (*header, *kept))
}

/// One box: its type, where its content starts and where it ends, within the data.
#[derive(Debug, Clone, Copy)]
struct Bx {
    kind: [u8; 4],
    start: usize,
    content: usize,
    end: usize,
}

fn unreadable(what: &str) -> AudioError {
    AudioError::Unreadable(format!("the MP4 is malformed: {what}"))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at.checked_add(4)?)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    data.get(at..at.checked_add(8)?)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
}

/// Most boxes one container (or the file's top) may hold: a note's file has a handful; a
/// fragmented one a fragment a second. Past it, the work of matching offsets to boxes would
/// be the sender's to choose.
const MAX_BOXES: usize = 512;

/// Most entries a table may count: a sample or chunk a packet at most, and three minutes of
/// sound are 9,000 packets of 20 ms.
const MAX_ENTRIES: u32 = 10_000;

/// The boxes of `data[from..to]`, in order.
fn boxes(data: &[u8], from: usize, to: usize) -> Result<Vec<Bx>, AudioError> {
    let mut found = Vec::new();
    let mut at = from;
    while at < to {
        if found.len() >= MAX_BOXES {
            return Err(unreadable("more boxes than a voice note has"));
        }
        let size32 = u32_at(data, at).ok_or_else(|| unreadable("a box header is cut short"))?;
        let kind: [u8; 4] = data
            .get(at + 4..at + 8)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| unreadable("a box header is cut short"))?;
        let (size, content) = match size32 {
            // To the end of its container.
            0 => (to - at, at + 8),
            1 => {
                let large = u64_at(data, at + 8).ok_or_else(|| unreadable("a box size"))?;
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

/// Checks a leaf's entry count against its size: what symphonia would allocate.
fn check_table(data: &[u8], bx: Bx) -> Result<(), AudioError> {
    let content = &data[bx.content..bx.end];
    let version = content.first().copied().unwrap_or(0);
    let flags = u32_at(content, 0).unwrap_or(0) & 0x00FF_FFFF;
    // (where the count is, bytes an entry, where the entries start)
    let (count_at, entry, first) = match &bx.kind {
        b"stts" | b"ctts" => (4, 8, 8),
        b"stsc" => (4, 12, 8),
        b"stco" | b"stss" => (4, 4, 8),
        b"co64" => (4, 8, 8),
        // A sample size of 0: a size a sample follows.
        b"stsz" if u32_at(content, 4) == Some(0) => (8, 4, 12),
        b"stsz" => return Ok(()),
        b"stz2" => (8, 1, 12),
        b"elst" => (4, if version == 1 { 20 } else { 12 }, 8),
        b"trun" => {
            // Each optional field of a sample: duration, size, flags, composition offset.
            let per_sample = [0x100, 0x200, 0x400, 0x800]
                .iter()
                .filter(|bit| flags & *bit != 0)
                .count()
                * 4;
            let first = 8 + 4 * usize::from(flags & 1 != 0) + 4 * usize::from(flags & 4 != 0);
            (4, per_sample.max(1), first)
        }
        _ => return Ok(()),
    };
    let count = u32_at(content, count_at).ok_or_else(|| unreadable("a table is cut short"))?;
    if count > MAX_ENTRIES {
        return Err(unreadable(
            "a table counts more entries than a voice note has",
        ));
    }
    let needed = (count as usize)
        .checked_mul(entry)
        .and_then(|n| n.checked_add(first));
    if needed.is_none_or(|n| n > content.len()) {
        return Err(unreadable("a table counts more entries than it holds"));
    }
    Ok(())
}

/// Checks an `esds` box's descriptors (ISO/IEC 14496-1: a tag, a length in up to four
/// 7-bit bytes, the content) each within what holds it: symphonia allocates what a
/// descriptor's length says before it compares it with the box. An ES descriptor (3) and a
/// decoder configuration (4) hold others after their own fields.
fn check_descriptors(content: &[u8]) -> Result<(), AudioError> {
    fn walk(mut data: &[u8], depth: usize) -> Result<(), AudioError> {
        while !data.is_empty() {
            if depth > 4 {
                return Err(unreadable("descriptors nested too deep"));
            }
            let tag = data[0];
            let mut length = 0usize;
            let mut at = 1;
            loop {
                let byte = *data
                    .get(at)
                    .ok_or_else(|| unreadable("a descriptor is cut short"))?;
                length = (length << 7) | usize::from(byte & 0x7F);
                at += 1;
                if byte & 0x80 == 0 || at > 4 {
                    break;
                }
            }
            let body = data
                .get(at..at + length)
                .ok_or_else(|| unreadable("a descriptor runs past its box"))?;
            let own = match tag {
                // ES_ID, flags, then what the flags say comes.
                3 => {
                    let flags = *body.get(2).ok_or_else(|| unreadable("a descriptor"))?;
                    let mut own = 3 + 2 * usize::from(flags & 0x80 != 0);
                    if flags & 0x40 != 0 {
                        own += 1 + usize::from(*body.get(own).unwrap_or(&0));
                    }
                    own + 2 * usize::from(flags & 0x20 != 0)
                }
                4 => 13,
                _ => body.len(),
            };
            let nested = body
                .get(own..)
                .ok_or_else(|| unreadable("a descriptor is shorter than its fields"))?;
            if matches!(tag, 3 | 4) {
                walk(nested, depth + 1)?;
            }
            data = &data[at + length..];
        }
        Ok(())
    }
    walk(content.get(4..).unwrap_or(&[]), 0)
}

/// Appends the kept boxes of `data[from..to]` (within `parent`, `None` at the top) to `out`,
/// noting each kept `mdat`'s old range and move in `moved`. `referenced` says which `mdat`s
/// hold sound (their start).
fn filter(
    data: &[u8],
    (from, to): (usize, usize),
    parent: Option<&[u8; 4]>,
    referenced: &[usize],
    out: &mut Vec<u8>,
    moved: &mut Vec<(usize, usize, i64)>,
) -> Result<(), AudioError> {
    let kept: &[&[u8; 4]] = match parent {
        None => TOP,
        Some(kind) => container(kind).map(|(_, kept)| kept).unwrap_or(&[]),
    };
    for bx in boxes(data, from, to)? {
        if !kept.contains(&&bx.kind) {
            // A fragment's size is what its samples' offsets count from, and a list's count
            // says its entries: nothing may go from them.
            if matches!(parent, Some(b"moof" | b"traf" | b"stsd" | b"dref")) {
                return Err(unreadable("a fragment or a list holds more than sound"));
            }
            continue;
        }
        check_table(data, bx)?;
        if bx.kind == *b"esds" {
            check_descriptors(&data[bx.content..bx.end])?;
        }
        match &bx.kind {
            b"hdlr" if data.get(bx.content + 8..bx.content + 12) != Some(b"soun") => {
                return Err(AudioError::NotAudio);
            }
            // The sound is in this file, not at a location a reference names.
            b"url " if u32_at(data, bx.content).is_none_or(|f| f & 1 == 0) => {
                return Err(unreadable("the sound is in another file"));
            }
            b"mp4a" | b"Opus" | b".mp3"
                if u32_at(data, bx.content + 8).is_none_or(|v| v >> 16 != 0) =>
            {
                return Err(unreadable(
                    "an audio sample entry of a version Trama does not read",
                ));
            }
            b"mdat" if !referenced.contains(&bx.start) => continue,
            _ => {}
        }
        let written = out.len();
        // Where each top-level box went: chunk offsets point into an `mdat`, a fragment's
        // base offset at its `moof`.
        if parent.is_none() {
            moved.push((bx.start, bx.end, written as i64 - bx.start as i64));
        }
        if let Some((header, _)) = container(&bx.kind) {
            let own = bx.content + header;
            if own > bx.end {
                return Err(unreadable("a box is cut short"));
            }
            // The header as wide as it was (a 64-bit size stays one: a fragment keeps its
            // size, which its offsets count from).
            let large = bx.content - bx.start == 16;
            out.extend_from_slice(if large { &[0, 0, 0, 1] } else { &[0, 0, 0, 0] });
            out.extend_from_slice(&bx.kind);
            if large {
                out.extend_from_slice(&[0; 8]);
            }
            out.extend_from_slice(&data[bx.content..own]);
            filter(data, (own, bx.end), Some(&bx.kind), referenced, out, moved)?;
            let size = out.len() - written;
            if large {
                out[written + 8..written + 16].copy_from_slice(&(size as u64).to_be_bytes());
            } else {
                let size = u32::try_from(size).map_err(|_| unreadable("a box is too large"))?;
                out[written..written + 4].copy_from_slice(&size.to_be_bytes());
            }
            continue;
        }
        if bx.kind == *b"hdlr" {
            // Its name (after 24 bytes) may be anything a writer put: none is kept.
            let content = data
                .get(bx.content..bx.content + 24)
                .filter(|_| bx.content + 24 <= bx.end)
                .ok_or_else(|| unreadable("a handler is cut short"))?;
            out.extend_from_slice(&33u32.to_be_bytes());
            out.extend_from_slice(b"hdlr");
            out.extend_from_slice(content);
            out.push(0);
            continue;
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

/// Walks the containers of `data[from..to]` (within `parent`, `None` at the top) that a kept
/// file has, calling `leaf` on each leaf; as [`filter`], never into a box its parent does not
/// keep (a box nested in itself is not followed).
fn each_leaf(
    data: &[u8],
    (from, to): (usize, usize),
    parent: Option<&[u8; 4]>,
    leaf: &mut dyn FnMut(Bx) -> Result<(), AudioError>,
) -> Result<(), AudioError> {
    let kept: &[&[u8; 4]] = match parent {
        None => TOP,
        Some(kind) => container(kind).map(|(_, kept)| kept).unwrap_or(&[]),
    };
    for bx in boxes(data, from, to)? {
        if !kept.contains(&&bx.kind) {
            continue;
        }
        match container(&bx.kind) {
            Some((header, _)) if bx.content + header <= bx.end => {
                each_leaf(data, (bx.content + header, bx.end), Some(&bx.kind), leaf)?;
            }
            Some(_) => return Err(unreadable("a box is cut short")),
            None => leaf(bx)?,
        }
    }
    Ok(())
}

/// Where the sound is: the starts of the `mdat`s that chunk offsets point into, and of those
/// that follow a fragment.
fn referenced_mdats(data: &[u8]) -> Result<Vec<usize>, AudioError> {
    let top = boxes(data, 0, data.len())?;
    let mdats: Vec<Bx> = top.iter().filter(|b| b.kind == *b"mdat").copied().collect();
    let mut referenced = Vec::new();
    for pair in top.windows(2) {
        if pair[0].kind == *b"moof" && pair[1].kind == *b"mdat" {
            referenced.push(pair[1].start);
        }
    }
    for moov in top.iter().filter(|b| b.kind == *b"moov") {
        each_leaf(data, (moov.content, moov.end), Some(b"moov"), &mut |bx| {
            let width = match &bx.kind {
                b"stco" => 4,
                b"co64" => 8,
                _ => return Ok(()),
            };
            check_table(data, bx)?;
            let count = u32_at(data, bx.content + 4).unwrap_or(0) as usize;
            for i in 0..count {
                let at = bx.content + 8 + i * width;
                let offset = if width == 4 {
                    u32_at(data, at).map(u64::from)
                } else {
                    u64_at(data, at)
                };
                let Some(offset) = offset else { continue };
                if let Some(mdat) = mdats
                    .iter()
                    .find(|m| (m.content as u64..m.end as u64).contains(&offset))
                    && !referenced.contains(&mdat.start)
                {
                    referenced.push(mdat.start);
                }
            }
            Ok(())
        })?;
    }
    Ok(referenced)
}

/// The move of the `mdat` that held old offset `old`.
fn moved_offset(old: u64, moved: &[(usize, usize, i64)]) -> Result<u64, AudioError> {
    moved
        .iter()
        .find(|(start, end, _)| (*start as u64..*end as u64).contains(&old))
        .and_then(|(_, _, delta)| old.checked_add_signed(*delta))
        .ok_or_else(|| unreadable("a chunk lies outside the sound"))
}

/// Moves each chunk offset, and each fragment's absolute base offset, of `out` by its
/// `mdat`'s move.
fn move_offsets(out: &mut [u8], moved: &[(usize, usize, i64)]) -> Result<(), AudioError> {
    let mut fields: Vec<(usize, usize)> = Vec::new();
    let end = out.len();
    each_leaf(out, (0, end), None, &mut |bx| {
        match &bx.kind {
            b"stco" | b"co64" => {
                let width = if bx.kind == *b"stco" { 4 } else { 8 };
                let count = u32_at(out, bx.content + 4).unwrap_or(0) as usize;
                fields.extend((0..count).map(|i| (bx.content + 8 + i * width, width)));
            }
            // A base offset present (flag 1): it counts from the file's start.
            b"tfhd" if u32_at(out, bx.content).is_some_and(|f| f & 1 != 0) => {
                fields.push((bx.content + 8, 8));
            }
            _ => {}
        }
        Ok(())
    })?;
    for (at, width) in fields {
        let old = if width == 4 {
            u32_at(out, at).map(u64::from)
        } else {
            u64_at(out, at)
        }
        .ok_or_else(|| unreadable("an offset is cut short"))?;
        let new = moved_offset(old, moved)?;
        if width == 4 {
            let new = u32::try_from(new).map_err(|_| unreadable("a chunk offset"))?;
            out[at..at + 4].copy_from_slice(&new.to_be_bytes());
        } else {
            out[at..at + 8].copy_from_slice(&new.to_be_bytes());
        }
    }
    Ok(())
}

/// `bytes` (an MP4 of one sound track) with only the boxes that play it.
///
/// # Errors
/// [`AudioError::NotAudio`] for a track that is not sound; [`AudioError::Unreadable`] for
/// boxes that run past their container, tables that count more than they hold, a fragment
/// with more than sound, offsets outside the sound.
pub fn without_metadata(bytes: &[u8]) -> Result<Vec<u8>, AudioError> {
    let referenced = referenced_mdats(bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    let mut moved = Vec::new();
    filter(
        bytes,
        (0, bytes.len()),
        None,
        &referenced,
        &mut out,
        &mut moved,
    )?;
    move_offsets(&mut out, &moved)?;
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

    fn stco(offset: u32) -> Vec<u8> {
        let mut content = vec![0, 0, 0, 0, 0, 0, 0, 1];
        content.extend_from_slice(&offset.to_be_bytes());
        bx(b"stco", &content)
    }

    /// A file whose one chunk is at `offset`, recorded at a place, with an XMP box.
    fn file(offset: u32, handler: &[u8; 4]) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend_from_slice(&[0; 12]);
        hdlr.extend_from_slice(b"Core Media Audio of Rosa's iPhone\0");
        let hdlr = bx(b"hdlr", &hdlr);
        let mdhd = bx(b"mdhd", &[0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1]);
        let where_recorded = bx(b"udta", &bx(b"\xA9xyz", b"-34.7601-058.4012/"));
        let stbl = bx(b"stbl", &[stco(offset), bx(b"udta", b"x")].concat());
        let minf = bx(b"minf", &stbl);
        let mdia = bx(b"mdia", &[mdhd, hdlr, minf].concat());
        let trak = bx(b"trak", &[mdia, where_recorded.clone()].concat());
        let moov = bx(b"moov", &[trak, where_recorded].concat());
        [
            bx(b"ftyp", b"M4A \0\0\0\0"),
            moov,
            bx(b"uuid", b"XMP creator"),
        ]
        .concat()
    }

    #[test]
    fn metadata_boxes_go_and_chunk_offsets_follow_the_sound() {
        let head = file(0, b"soun").len() as u32;
        let sent = [
            file(head + 8, b"soun"),
            bx(b"mdat", b"SOUND"),
            // Sound no chunk points to: a second recording hidden after the first.
            bx(b"mdat", b"HIDDEN"),
        ]
        .concat();
        assert_eq!(&sent[head as usize + 8..head as usize + 13], b"SOUND");

        let kept = without_metadata(&sent).expect("kept");
        let text = String::from_utf8_lossy(&kept);
        for gone in ["xyz", "XMP", "34.76", "Rosa", "HIDDEN", "udta"] {
            assert!(!text.contains(gone), "{gone} is still there");
        }
        let sound = kept.windows(5).position(|w| w == b"SOUND").expect("sound") as u32;
        let at = kept.windows(4).position(|w| w == b"stco").expect("stco") + 12;
        let offset = u32::from_be_bytes(kept[at..at + 4].try_into().expect("4"));
        assert_eq!(offset, sound, "the chunk offset points at the sound");
        let mdhd = kept.windows(4).position(|w| w == b"mdhd").expect("mdhd") + 4;
        assert_eq!(&kept[mdhd + 4..mdhd + 12], &[0; 8], "no recording time");
        assert_eq!(
            without_metadata(&kept).expect("again"),
            kept,
            "nothing more to take out"
        );
    }

    #[test]
    fn a_film_a_cut_file_and_a_lying_table_are_refused() {
        let head = file(0, b"vide").len() as u32;
        let film = [file(head + 8, b"vide"), bx(b"mdat", b"FRAMES")].concat();
        assert_eq!(without_metadata(&film).err(), Some(AudioError::NotAudio));
        let head = file(0, b"soun").len() as u32;
        let sound = [file(head + 8, b"soun"), bx(b"mdat", b"SOUND")].concat();
        assert!(
            without_metadata(&sound[..sound.len() - 3]).is_err(),
            "cut short"
        );
        // A table that says it has four billion entries: refused before anyone allocates.
        let mut lying = sound;
        let at = lying.windows(4).position(|w| w == b"stco").expect("stco") + 8;
        lying[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            without_metadata(&lying),
            Err(AudioError::Unreadable(_))
        ));
    }

    #[test]
    fn boxes_nested_in_themselves_are_not_followed() {
        // `edts` in `edts` in `edts`…: each level is dropped, never entered.
        let mut nested = bx(b"elst", &[0; 8]);
        for _ in 0..10_000 {
            nested = bx(b"edts", &nested);
        }
        let sent = [
            bx(b"ftyp", b"M4A \0\0\0\0"),
            bx(b"moov", &bx(b"trak", &nested)),
        ]
        .concat();
        assert!(without_metadata(&sent).is_ok());
    }
}
