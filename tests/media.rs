//! Photos and voice notes people attach (issue 28), cleaned by `trama::media`: what a phone's
//! photo carries about the person (EXIF GPS, capture time, device, an embedded thumbnail, XMP,
//! IPTC) is gone from what is kept, as exiftool (Debian's libimage-exiftool-perl, installed by
//! .ci/run) reads it, and a portrait photo stays upright; a voice note's container tags (a
//! title, who, where it was recorded) are gone, and ffprobe (Debian's ffmpeg, which also makes
//! the notes) still plays what is kept, as long as it was.

use std::process::Command;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use trama::media::{
    AudioError, AudioFormat, AudioLimits, PhotoError, PhotoLimits, clean_audio, clean_photo,
};

/// A 400×200 photo, red on its left half and blue on its right, as `format`.
fn photo(format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(400, 200, |x, _| {
        if x < 200 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .expect("encode");
    bytes
}

/// exiftool's tags of a file, as JSON.
fn exif_tags(path: &std::path::Path) -> serde_json::Value {
    let output = Command::new("exiftool")
        .args(["-j", "-a", "-G1"])
        .arg(path)
        .output()
        .expect("exiftool (libimage-exiftool-perl; .ci/run installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("json")[0].clone()
}

/// The photo as a phone sends it: taken held upright (Orientation 6: turn 90° clockwise to
/// show), where and when it was taken, with which phone, its thumbnail, XMP and IPTC.
fn phone_photo(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("IMG_2041.jpg");
    std::fs::write(&path, photo(ImageFormat::Jpeg)).expect("write");
    let thumb = dir.join("thumb.jpg");
    std::fs::write(&thumb, photo(ImageFormat::Jpeg)).expect("write");
    let output = Command::new("exiftool")
        .args([
            "-overwrite_original",
            "-Orientation#=6",
            "-GPSLatitude=34.7601",
            "-GPSLatitudeRef=S",
            "-GPSLongitude=58.4012",
            "-GPSLongitudeRef=W",
            "-DateTimeOriginal=2026:11:28 16:05:00",
            "-Make=Motorola",
            "-Model=moto e13",
            "-SerialNumber=ZY22K9",
            "-XMP-dc:Creator=Rosa Pérez",
            "-IPTC:By-line=Rosa Pérez",
            "-IPTC:City=Lomas de Zamora",
        ])
        .arg(format!("-ThumbnailImage<={}", thumb.display()))
        .arg(&path)
        .output()
        .expect("exiftool");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sent = exif_tags(&path);
    assert!(
        sent.to_string().contains("GPSLatitude"),
        "the test photo has its GPS: {sent}"
    );
    std::fs::read(&path).expect("read")
}

#[test]
fn a_phone_s_photo_is_kept_upright_with_no_metadata_at_all() {
    let dir = tempfile::TempDir::new().expect("dir");
    let sent = phone_photo(dir.path());
    let kept = clean_photo(&sent, PhotoLimits::default()).expect("a photo");
    // Turned upright: 400×200 shown as 200×400, the red half now on top.
    assert_eq!((kept.width, kept.height), (200, 400));
    let image = image::load_from_memory(&kept.jpeg)
        .expect("decode")
        .to_rgb8();
    let (top, bottom) = (image.get_pixel(100, 50).0, image.get_pixel(100, 350).0);
    assert!(top[0] > 150 && top[2] < 100, "red on top: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue below: {bottom:?}");
    for (name, bytes) in [("kept.jpg", &kept.jpeg), ("thumbnail.jpg", &kept.thumbnail)] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let tags = exif_tags(&path);
        let groups: Vec<&String> = tags
            .as_object()
            .expect("tags")
            .keys()
            .filter(|k| {
                *k != "SourceFile"
                    && !k.starts_with("ExifTool:")
                    && !k.starts_with("System:")
                    && !k.starts_with("File:")
                    && !k.starts_with("Composite:")
            })
            .collect();
        // A JPEG's own header (JFIF) says nothing about anyone; anything else would.
        assert!(
            groups.iter().all(|k| k.starts_with("JFIF:")),
            "{name} keeps metadata: {groups:?}"
        );
        let text = tags.to_string();
        for secret in [
            "GPS",
            "Motorola",
            "moto e13",
            "ZY22K9",
            "Rosa",
            "Lomas",
            "2026:11:28",
            "Orientation",
        ] {
            assert!(!text.contains(secret), "{name} keeps {secret}: {text}");
        }
    }
    let thumbnail = image::load_from_memory(&kept.thumbnail).expect("decode");
    assert_eq!((thumbnail.width(), thumbnail.height()), (160, 320));
}

#[test]
fn png_and_webp_are_photos_too_and_a_file_is_judged_by_its_content() {
    for format in [ImageFormat::Png, ImageFormat::WebP] {
        let kept = clean_photo(&photo(format), PhotoLimits::default()).expect("a photo");
        assert_eq!((kept.width, kept.height), (400, 200), "{format:?}");
        assert_eq!(
            image::guess_format(&kept.jpeg).expect("format"),
            ImageFormat::Jpeg
        );
    }
    // A page, an SVG (a script inside) or a GIF named photo.jpg is no photo.
    for lie in [
        b"<html><script>alert(1)</script></html>".to_vec(),
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec(),
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
    ] {
        assert_eq!(
            clean_photo(&lie, PhotoLimits::default()).unwrap_err(),
            PhotoError::NotAPhoto
        );
    }
    // Bounds, said.
    let small = PhotoLimits {
        max_bytes: 100,
        ..PhotoLimits::default()
    };
    assert!(matches!(
        clean_photo(&photo(ImageFormat::Png), small),
        Err(PhotoError::TooLarge { .. })
    ));
    let narrow = PhotoLimits {
        max_input_side: 300,
        ..PhotoLimits::default()
    };
    assert!(matches!(
        clean_photo(&photo(ImageFormat::Png), narrow),
        Err(PhotoError::TooManyPixels { .. })
    ));
    // The pixels bound what decoding takes, before any buffer is made.
    let few = PhotoLimits {
        max_pixels: 1_000,
        ..PhotoLimits::default()
    };
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        assert!(
            matches!(
                clean_photo(&photo(format), few),
                Err(PhotoError::TooManyPixels { .. })
            ),
            "{format:?}"
        );
    }
    // A large photo is scaled to the side kept.
    let big = RgbImage::from_pixel(3000, 1000, Rgb([90, 90, 90]));
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(big)
        .write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .expect("encode");
    let kept = clean_photo(&bytes, PhotoLimits::default()).expect("a photo");
    assert_eq!((kept.width, kept.height), (2048, 683));
}

/// A note of `seconds` of a tone made by ffmpeg with `codec` into `name`, tagged as a phone
/// or a recorder app would: a title and who spoke, a comment, where it was recorded.
fn recorded_note(dir: &std::path::Path, name: &str, seconds: u32, extra: &[&str]) -> Vec<u8> {
    let path = dir.join(name);
    let output = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args(extra)
        .args([
            "-metadata",
            "title=Calle Larroque 123",
            "-metadata",
            "artist=Rosa Gómez",
            "-metadata",
            "comment=Taller de la esquina",
            "-metadata",
            "location=-34.7601-058.4012/",
        ])
        .arg(&path)
        .output()
        .expect("ffmpeg (.ci/run installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(&path).expect("read")
}

/// ffprobe's reading of a file: its duration in seconds, and its streams' kinds.
fn probed(path: &std::path::Path) -> (f64, Vec<String>) {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let kinds = json["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .map(|s| s["codec_type"].as_str().unwrap_or("").to_owned())
        .collect();
    // A stream's duration where the container has none (a WebM without Duration).
    let duration = json["format"]["duration"]
        .as_str()
        .or_else(|| json["streams"][0]["duration"].as_str())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    (duration, kinds)
}

#[test]
fn a_voice_note_keeps_its_sound_and_loses_its_tags_in_every_container() {
    let dir = tempfile::TempDir::new().expect("dir");
    let notes = [
        ("note.webm", vec!["-c:a", "libopus"], AudioFormat::Webm),
        ("note.m4a", vec!["-c:a", "aac"], AudioFormat::Mp4),
        // As Safari's MediaRecorder writes it: fragments.
        (
            "safari.m4a",
            vec![
                "-c:a",
                "aac",
                "-movflags",
                "frag_keyframe+empty_moov+default_base_moof",
            ],
            AudioFormat::Mp4,
        ),
        // As ffmpeg fragments by default: each fragment's base offset counted from the file's
        // start.
        (
            "fragments.m4a",
            vec!["-c:a", "aac", "-movflags", "frag_keyframe+empty_moov"],
            AudioFormat::Mp4,
        ),
        (
            "note.mp3",
            vec!["-c:a", "libmp3lame", "-write_id3v1", "1"],
            AudioFormat::Mp3,
        ),
    ];
    for (name, codec, format) in notes {
        let sent = recorded_note(dir.path(), name, 3, &codec);
        let tags = exif_tags(&dir.path().join(name)).to_string();
        assert!(tags.contains("Larroque"), "{name} carries its tags: {tags}");

        let kept = clean_audio(&sent, AudioLimits::default()).expect(name);
        assert_eq!(kept.format, format, "{name}");
        assert!(
            (2900..=3100).contains(&kept.duration_ms),
            "{name}: {} ms",
            kept.duration_ms
        );
        let path = dir.path().join(format!("kept-{name}"));
        std::fs::write(&path, &kept.bytes).expect("write");
        let tags = exif_tags(&path).to_string();
        for said in ["Larroque", "Rosa", "esquina", "34.76", "GPS", "34 deg"] {
            assert!(!tags.contains(said), "{name} still says {said}: {tags}");
        }
        let (duration, kinds) = probed(&path);
        assert_eq!(kinds, ["audio"], "{name}");
        assert!((2.8..=3.2).contains(&duration), "{name} plays {duration} s");
        // Cleaned again, it is the same note: nothing more to take out.
        let again = clean_audio(&kept.bytes, AudioLimits::default()).expect("again");
        assert_eq!(again.duration_ms, kept.duration_ms, "{name}");
    }
}

#[test]
fn a_long_note_a_film_and_a_lying_name_are_refused() {
    let dir = tempfile::TempDir::new().expect("dir");
    let long = recorded_note(dir.path(), "long.webm", 75, &["-c:a", "libopus"]);
    assert!(matches!(
        clean_audio(&long, AudioLimits::default()),
        Err(AudioError::TooLong {
            seconds: 75,
            max: 60
        })
    ));
    let film = dir.path().join("film.webm");
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=duration=2:size=160x120:rate=10")
        .args(["-c:v", "libvpx"])
        .arg(&film)
        .output()
        .expect("ffmpeg");
    assert!(output.status.success());
    assert_eq!(
        clean_audio(&std::fs::read(&film).expect("read"), AudioLimits::default()).err(),
        Some(AudioError::NotAudio)
    );
    // A photo named .mp3 is what it is.
    assert_eq!(
        clean_audio(&photo(ImageFormat::Jpeg), AudioLimits::default()).err(),
        Some(AudioError::NotAudio)
    );
}
