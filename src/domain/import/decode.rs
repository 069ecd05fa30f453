//! From the bytes of an uploaded file to text: KMZ archives opened, byte order marks dropped,
//! and text in other encodings than UTF-8 (Excel's Windows-1252 CSV, a Garmin GPX declared
//! ISO-8859-1, a UTF-16 "Unicode text" export) decoded with Firefox's decoder (`encoding_rs`)
//! and, where the file does not say its encoding, Firefox's detector (`chardetng`).

use std::borrow::Cow;
use std::io::Read;

/// Most bytes a KMZ's KML may unpack to: an archive of a few kilobytes can hold gigabytes of
/// zeros (a "zip bomb"), so the entry is read through a limit, never trusted by its header.
/// 16 MB is several times the largest map a workshop brings (My Maps' 2,000-placemark layer
/// is about 1 MB) and keeps the reader's tree (about ten times the text) near 200 MB at most.
pub const MAX_UNPACKED: u64 = 16 * 1024 * 1024;

/// The text of a file, and the encoding it was read in when that was not UTF-8.
#[derive(Debug)]
pub struct Text<'a> {
    pub text: Cow<'a, str>,
    /// `Some("windows-1252")` when the file was not UTF-8 and was decoded from that encoding.
    pub decoded_from: Option<&'static str>,
}

/// Whether `bytes` are a zip archive (a KMZ, or an Office file sent by mistake).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// How to turn a file Trama does not read into one it does, said once for every refusal.
const CONVERT: &str = "Trama imports GeoJSON, KML or KMZ, GPX and CSV: in QGIS, open the file and \
     use Export → Save Features As… → GeoJSON (CRS EPSG:4326), or run `ogr2ogr -f GeoJSON \
     -t_srs EPSG:4326 out.geojson` on it, and import that";

/// What a file is when it is none of the formats Trama imports, told by its first bytes (or,
/// for a zip, by the names inside), so that the refusal names it rather than a parse error;
/// `None` when it may be what `format` says (a zip holding a `.kml` is a KMZ: KML).
pub fn foreign(bytes: &[u8], format: super::ImportFormat) -> Option<String> {
    let is = |what: &str| {
        Some(format!(
            "the file is {what}, not a file Trama reads. {CONVERT}"
        ))
    };
    if bytes.starts_with(b"SQLite format 3\0") {
        return is("a GeoPackage (or another SQLite database, such as an MBTiles basemap)");
    }
    if bytes.starts_with(b"fgb\x03") {
        return is("a FlatGeobuf");
    }
    if bytes.starts_with(&[0x00, 0x00, 0x27, 0x0A]) {
        return is("the .shp part of a shapefile (its .dbf, .shx and .prj are needed too)");
    }
    if bytes.starts_with(b"%PDF") {
        return is("a PDF (a picture of a map has no drawings to read)");
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") || bytes.starts_with(b"\x89PNG") {
        return is("an image (a picture of a map has no drawings to read)");
    }
    if !is_zip(bytes) {
        return None;
    }
    let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map(|archive| {
            archive
                .file_names()
                .filter_map(|name| name.ok().map(|n| n.to_lowercase()))
                .collect()
        })
        .unwrap_or_default();
    let holds = |suffix: &str| names.iter().any(|n| n.ends_with(suffix));
    if holds(".kml") {
        return (format != super::ImportFormat::Kml).then(|| {
            "the file is a KMZ (a zipped KML): import it with format=kml (or kmz)".to_owned()
        });
    }
    if holds(".shp") {
        return is("a zipped shapefile");
    }
    if holds(".gpkg") || holds(".geojson") || holds(".gpx") || holds(".csv") {
        return Some(
            "the file is a zip archive holding a map file: unpack it and import the file inside"
                .to_owned(),
        );
    }
    if names
        .iter()
        .any(|n| n.starts_with("xl/") || n == "content.xml")
    {
        return Some(
            "the file is a spreadsheet workbook (.xlsx or .ods), not CSV: save it as CSV UTF-8 \
             (Excel: File → Save As; LibreOffice: File → Save a Copy) and import that"
                .to_owned(),
        );
    }
    (format != super::ImportFormat::Kml).then(|| {
        "the file is a zip archive: a KMZ imports with format=kml (or kmz); other archives \
         must be unpacked first"
            .to_owned()
    })
}

/// The KML inside a KMZ: `doc.kml` at the archive's root, as Google Earth and My Maps write it,
/// or else the first `.kml` entry (KMZ, OGC 07-147r2 §16). Errors say what the archive lacks.
pub fn unpack_kmz(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("the KMZ (zip) archive cannot be opened: {e}"))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|n| n.into_owned()))
        .collect();
    let name = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| names.iter().find(|n| n.to_lowercase().ends_with(".kml")))
        .ok_or_else(|| {
            "the zip archive holds no .kml file: a KMZ has doc.kml inside (is it a KMZ?)".to_owned()
        })?
        .clone();
    let entry = archive
        .by_name(&name)
        .map_err(|e| format!("{name} cannot be read from the KMZ: {e}"))?;
    let mut kml = Vec::new();
    entry
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut kml)
        .map_err(|e| format!("{name} cannot be unpacked from the KMZ: {e}"))?;
    if kml.len() as u64 > MAX_UNPACKED {
        return Err(format!(
            "{name} unpacks to more than {} MB: split the map into smaller files",
            MAX_UNPACKED / (1024 * 1024)
        ));
    }
    Ok(kml)
}

/// Reads `bytes` as text: a UTF-8 or UTF-16 byte order mark decides; else valid UTF-8 is
/// UTF-8; else the encoding an XML declaration names; else the detector's guess.
pub fn text(bytes: &[u8]) -> Text<'_> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_length..];
        if encoding == encoding_rs::UTF_8 {
            if let Ok(text) = std::str::from_utf8(body) {
                return Text {
                    text: Cow::Borrowed(text),
                    decoded_from: None,
                };
            }
        } else {
            let (text, _) = encoding.decode_without_bom_handling(body);
            return Text {
                text: Cow::Owned(text.into_owned()),
                decoded_from: Some(encoding.name()),
            };
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Text {
            text: Cow::Borrowed(text),
            decoded_from: None,
        };
    }
    let encoding = declared_xml_encoding(bytes).unwrap_or_else(|| {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        detector.guess(None, chardetng::Utf8Detection::Deny)
    });
    let (text, _, _) = encoding.decode(bytes);
    Text {
        text: Cow::Owned(text.into_owned()),
        decoded_from: Some(encoding.name()),
    }
}

/// The `encoding` of an XML declaration (`<?xml version="1.0" encoding="ISO-8859-1"?>`), which
/// is ASCII in every encoding an XML file can be in without a byte order mark.
fn declared_xml_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let declaration = head.strip_prefix("<?xml")?.split("?>").next()?;
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let value = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let label = value[1..].split(quote).next()?;
    encoding_rs::Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_byte_order_mark_is_dropped() {
        let read = text(b"\xEF\xBB\xBF{\"type\":1}");
        assert_eq!(read.text, "{\"type\":1}");
        assert_eq!(read.decoded_from, None);
    }

    #[test]
    fn excel_windows_1252_is_decoded() {
        // "Niños;Comedor San José" as Excel in Spanish saves it.
        let read = text(b"nombre;lat\nNi\xF1os en la feria;Comedor San Jos\xE9\n");
        assert!(read.text.contains("Niños en la feria"), "{}", read.text);
        assert!(read.text.contains("San José"));
        assert_eq!(read.decoded_from, Some("windows-1252"));
    }

    #[test]
    fn utf16_with_its_mark_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "lon\tlat\n-58,4\t-34,7\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let read = text(&bytes);
        assert_eq!(read.text, "lon\tlat\n-58,4\t-34,7\n");
        assert_eq!(read.decoded_from, Some("UTF-16LE"));
    }

    #[test]
    fn an_xml_declaration_names_the_encoding() {
        let read =
            text(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gpx><name>Caf\xE9</name></gpx>");
        assert!(read.text.contains("Café"));
        assert_eq!(read.decoded_from, Some("windows-1252"));
    }

    #[test]
    fn a_zip_without_kml_says_so() {
        let mut bytes = Vec::new();
        {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
            zip.start_file("images/icon.png", zip::write::SimpleFileOptions::default())
                .expect("entry");
            std::io::Write::write_all(&mut zip, b"png").expect("write");
            zip.finish().expect("finish");
        }
        assert!(is_zip(&bytes));
        assert!(unpack_kmz(&bytes).unwrap_err().contains("no .kml"));
        assert!(unpack_kmz(b"PK\x03\x04broken").is_err());
    }
}
