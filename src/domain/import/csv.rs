//! CSV imports: a header row; the geometry from a `wkt` column or from longitude and latitude
//! columns (`lon`/`lng`/`longitude`/`x` and `lat`/`latitude`/`y`). Commas or semicolons between
//! fields, decimal points or commas in coordinates.

use std::str::FromStr;

use super::{Item, validate};
use crate::domain::feature::FeatureLimits;

/// Column names understood for longitude and latitude, in English and Spanish.
const LON: [&str; 6] = ["lon", "lng", "long", "longitude", "longitud", "x"];
const LAT: [&str; 4] = ["lat", "latitude", "latitud", "y"];

pub fn items(text: &str, field: Option<&str>, limits: FeatureLimits) -> Result<Vec<Item>, String> {
    // Spreadsheets set to Spanish (Excel, LibreOffice) write `;` between fields and decimal
    // commas: the header line tells which separator the file uses.
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
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
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let wkt = column(&["wkt", "geometry", "geom"]);
    let (lon, lat) = (column(&LON), column(&LAT));
    if wkt.is_none() && (lon.is_none() || lat.is_none()) {
        return Err(format!(
            "no geometry columns: the header needs \"wkt\", or \"lon\" and \"lat\" (it has: {})",
            headers.join(", ")
        ));
    }
    let category = match field {
        Some(field) => Some(
            column(&[field.to_lowercase().as_str()])
                .ok_or_else(|| format!("no column \"{field}\" (it has: {})", headers.join(", ")))?,
        ),
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
    for (i, record) in reader.records().enumerate() {
        let number = i + 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                items.push(Item {
                    number,
                    line,
                    category: None,
                    title: None,
                    description: None,
                    geometry: Err(format!("unreadable row: {e}")),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize);
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let geometry = match (cell(wkt), cell(lon), cell(lat)) {
            (Some(text), _, _) => wkt::Wkt::<f64>::from_str(&text)
                .map_err(|e| format!("the WKT cannot be read: {e}"))
                .and_then(|w| {
                    geo::Geometry::try_from(w).map_err(|e| format!("unsupported WKT: {e}"))
                })
                .and_then(|g| validate(g, limits)),
            (None, Some(x), Some(y)) => {
                match (x.replace(',', ".").parse(), y.replace(',', ".").parse()) {
                    (Ok(x), Ok(y)) => validate(geo::Geometry::Point(geo::Point::new(x, y)), limits),
                    _ => Err(format!(
                        "longitude \"{x}\" and latitude \"{y}\" must be numbers"
                    )),
                }
            }
            _ => Err("missing field: no wkt, or no lon and lat, on this row".to_owned()),
        };
        items.push(Item {
            number,
            line,
            category: cell(category),
            title: cell(title),
            description: cell(description),
            geometry,
        });
    }
    Ok(items)
}
