//! CSV imports as spreadsheets and survey tools write them: a header row, then the geometry
//! from a WKT column, from an ODK geo-string column (`lat lon alt accuracy`, `;` between the
//! positions of a geotrace or geoshape, as KoboToolbox and ODK Central export them), or from
//! longitude and latitude columns under the names common tools give them. Commas, semicolons,
//! tabs or bars between fields; decimal points or commas in coordinates. When the header does
//! not say which columns hold the coordinates, the importer names them (`Columns`).

use std::str::FromStr;

use geo::{Coord, Geometry, LineString, Point, Polygon};

use super::shape::parts;
use super::{Item, Note, Unshaped};

/// Which columns hold the geometry, as the person importing says; each overrides the guess.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub lon: Option<String>,
    pub lat: Option<String>,
    /// A column of WKT (`POINT (-58.4 -34.7)`) or of ODK geo-strings (`-34.7 -58.4 0 5`).
    pub geometry: Option<String>,
}

/// Longitude columns: English and Spanish, QGIS's `X`, GBIF's `decimalLongitude`, OSM's `@lon`.
const LON: [&str; 12] = [
    "lon",
    "lng",
    "long",
    "longitude",
    "longitud",
    "x",
    "xcoord",
    "x_coord",
    "coord_x",
    "point_x",
    "decimallongitude",
    "@lon",
];
const LAT: [&str; 11] = [
    "lat",
    "latitude",
    "latitud",
    "y",
    "ycoord",
    "y_coord",
    "coord_y",
    "point_y",
    "decimallatitude",
    "@lat",
    "lat_dd",
];
const GEOMETRY: [&str; 7] = [
    "wkt",
    "geometry",
    "geom",
    "the_geom",
    "shape",
    "geometria",
    "geometría",
];

/// Survey tools name a geopoint's parts after the question: KoboToolbox
/// `_ubicacion_longitude`, ODK Central `grupo-ubicacion-Longitude`, Epicollect5
/// `long_1_ubicacion`.
fn looks_like(header: &str, full: [&str; 2], prefix: &str) -> bool {
    full.iter().any(|name| header.ends_with(name)) || header.starts_with(prefix)
}

/// Most nested parentheses a WKT may have: a MultiPolygon needs 3, a collection of them 4.
/// The `wkt` crate reads collections by recursion, so deeper text is refused before it.
const MAX_WKT_DEPTH: usize = 16;

fn wkt_geometry(text: &str) -> Result<Geometry<f64>, String> {
    let mut depth = 0usize;
    for c in text.bytes() {
        match c {
            b'(' => {
                depth += 1;
                if depth > MAX_WKT_DEPTH {
                    return Err(format!(
                        "the WKT nests more than {MAX_WKT_DEPTH} levels of parentheses"
                    ));
                }
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let parsed =
        wkt::Wkt::<f64>::from_str(text).map_err(|e| format!("the WKT cannot be read: {e}"))?;
    Geometry::try_from(parsed).map_err(|e| format!("unsupported WKT: {e}"))
}

fn decimal(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .replace('\u{2212}', "-")
        .parse()
        .ok()
}

/// An ODK geo-string (ODK XForms spec, "geopoint", "geotrace", "geoshape"): positions of
/// `latitude longitude [altitude [accuracy]]` separated by `;`. A closed one is a geoshape.
fn odk_geometry(text: &str) -> Result<Geometry<f64>, String> {
    let coords = text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|position| {
            let mut numbers = position.split_whitespace().map(decimal);
            match (numbers.next().flatten(), numbers.next().flatten()) {
                (Some(lat), Some(lon)) => Ok(Coord { x: lon, y: lat }),
                _ => Err(format!(
                    "\"{position}\" is neither WKT nor an ODK position (latitude longitude)"
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match coords.len() {
        0 => return Err("an empty geometry cell".into()),
        1 => Geometry::Point(Point(coords[0])),
        n if n >= 4 && coords.first() == coords.last() => {
            Geometry::Polygon(Polygon::new(LineString::new(coords), vec![]))
        }
        _ => Geometry::LineString(LineString::new(coords)),
    })
}

fn geometry_cell(text: &str) -> Result<Geometry<f64>, String> {
    if text
        .trim_start()
        .starts_with(|c: char| c.is_ascii_alphabetic())
    {
        wkt_geometry(text)
    } else {
        odk_geometry(text)
    }
}

/// The separator the header row uses most: `;` for spreadsheets set to Spanish, tabs for
/// Excel's "Unicode text", `|` for some database dumps, else `,`.
fn delimiter(header: &str) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .filter(|d| header.bytes().any(|b| b == *d))
        .unwrap_or(b',')
}

/// The line where a quoted field opens and never closes, as the `csv` crate reads quotes
/// (RFC 4180: a quote opens a field only at its start, `""` inside is a quote).
///
/// The `csv` crate takes the rest of the file into such a field without a word, so that a
/// five-row file reads as one or two rows whose last cell holds everything after the quote.
/// It says nothing of it, hence this scan over the same rules.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut line, mut opened) = (1, None);
    let mut at_field_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match opened {
            Some(_) if b == b'"' && bytes.get(i + 1) == Some(&b'"') => i += 1,
            Some(_) if b == b'"' => opened = None,
            None if b == b'"' && at_field_start => opened = Some(line),
            _ => {}
        }
        if b == b'\n' {
            line += 1;
        }
        at_field_start = opened.is_none() && (b == delimiter || b == b'\n' || b == b'\r');
        i += 1;
    }
    opened
}

/// The file's rows as items, at most `limit + 1` (one more tells that the file holds too
/// many).
pub fn items(
    text: &str,
    field: Option<&str>,
    columns: &Columns,
    limit: usize,
) -> Result<Vec<Item>, String> {
    let header = text.lines().next().unwrap_or("");
    let delimiter = delimiter(header);
    let unclosed = unclosed_quote(text, delimiter);
    if let Some(line) = unclosed
        && line == 1
    {
        return Err(
            "a quote opened in the header row (line 1) is never closed: the whole file was read \
             as one row; close the quote or remove it"
                .to_owned(),
        );
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("could not read the header row: {e}"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let listed = || headers.join(", ");
    let named = |name: &str| -> Result<usize, String> {
        let name = name.trim().to_lowercase();
        headers
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("no column \"{name}\" (the header has: {})", listed()))
    };
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let guess = |exact: &[&str],
                 full: [&str; 2],
                 prefix: &str,
                 what: &str|
     -> Result<Option<usize>, String> {
        if let Some(found) = column(exact) {
            return Ok(Some(found));
        }
        let candidates: Vec<usize> = (0..headers.len())
            .filter(|i| looks_like(&headers[*i], full, prefix))
            .collect();
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            several => Err(format!(
                "several columns could hold the {what} ({}): say which with lon_column and lat_column",
                several
                    .iter()
                    .map(|i| headers[*i].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    };
    let geometry = match &columns.geometry {
        Some(name) => Some(named(name)?),
        None if columns.lon.is_some() || columns.lat.is_some() => None,
        None => column(&GEOMETRY),
    };
    let (lon, lat) = match (&columns.lon, &columns.lat) {
        (Some(lon), Some(lat)) => (Some(named(lon)?), Some(named(lat)?)),
        // Beside a geometry column, longitude and latitude columns are a fallback for rows
        // whose geometry cell is empty (Trama's own CSV export has all three).
        (None, None) => match (
            guess(&LON, ["longitude", "longitud"], "long_", "longitude"),
            guess(&LAT, ["latitude", "latitud"], "lat_", "latitude"),
        ) {
            (Ok(lon), Ok(lat)) => (lon, lat),
            (Err(ambiguous), _) | (_, Err(ambiguous)) if geometry.is_none() => {
                return Err(ambiguous);
            }
            _ => (None, None),
        },
        _ => return Err("give both lon_column and lat_column, or geometry_column".into()),
    };
    if geometry.is_none() && (lon.is_none() || lat.is_none()) {
        return Err(format!(
            "no geometry columns: the header needs \"wkt\", or longitude and latitude columns \
             (\"lon\" and \"lat\"); name yours with lon_column and lat_column, or geometry_column \
             (the header has: {})",
            listed()
        ));
    }
    let category = match field {
        Some(field) => Some(named(field)?),
        None => column(&[
            "symbol",
            "category",
            "categoria",
            "categoría",
            "simbolo",
            "símbolo",
        ]),
    };
    let (title, description) = (
        column(&["title", "name", "titulo", "título", "nombre"]),
        column(&["description", "descripcion", "descripción"]),
    );
    let mut items = Vec::new();
    for (i, record) in reader.records().take(limit.saturating_add(1)).enumerate() {
        let number = i + 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                items.push(Item {
                    number,
                    line: e.position().map(|p| p.line() as usize),
                    category: None,
                    title: None,
                    description: None,
                    fields: Default::default(),
                    shape: Err(format!("unreadable row: {e}").into()),
                    notes: Vec::new(),
                });
                continue;
            }
        };
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let shape = match (cell(geometry), cell(lon), cell(lat)) {
            (Some(text), _, _) => geometry_cell(&text).map(parts).map_err(Into::into),
            (None, Some(x), Some(y)) => match (decimal(&x), decimal(&y)) {
                (Some(x), Some(y)) => Ok(vec![Geometry::Point(Point::new(x, y))]),
                _ => Err(format!("longitude \"{x}\" and latitude \"{y}\" must be numbers").into()),
            },
            // A survey's row without a position (no GPS fix): empty cells, no location.
            (None, x, y) => Err(Unshaped::Unlocated(match (geometry, x, y) {
                (Some(at), None, None) => format!("the row's \"{}\" is empty", headers[at]),
                _ => format!(
                    "the row has no {}",
                    [(lon, "longitude"), (lat, "latitude")]
                        .iter()
                        .filter(|(at, _)| cell(*at).is_none())
                        .map(|(at, what)| match at {
                            Some(at) => format!("{what} (\"{}\" is empty)", headers[*at]),
                            None => (*what).to_owned(),
                        })
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            })),
        };
        let line = record.position().map(|p| p.line() as usize);
        items.push(Item {
            number,
            line,
            category: cell(category),
            title: cell(title),
            description: cell(description),
            fields: headers
                .iter()
                .zip(record.iter())
                .map(|(name, value)| {
                    (
                        name.trim().to_owned(),
                        serde_json::Value::String(value.trim().to_owned()),
                    )
                })
                .collect(),
            shape,
            notes: Vec::<Note>::new(),
        });
    }
    // The quote that never closes swallowed every line after it into the last row read.
    if let Some(opened) = unclosed
        && let Some(last) = items.last_mut()
    {
        last.shape = Err(Unshaped::Unreadable(format!(
            "a quote opened on line {opened} is never closed: every line after it, to the end \
             of the file (line {}), was read into one cell of this row; close the quote (or \
             remove it) and import again",
            text.lines().count()
        )));
    }
    Ok(items)
}
