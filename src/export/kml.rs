//! KML 2.2 (what Google Earth and My Maps open): a Placemark per row, named by its symbol's
//! label, its attributes as ExtendedData, and a Style per symbol in the legend's colour.
//! Streamed like GeoJSON. The export's metadata is the Document's ExtendedData.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::Value;

use super::{ExportResult, Field, Layer, Row};

const ROWS_PER_CHUNK: usize = 256;

pub fn write(layer: Layer, meta: Value) -> BoxStream<'static, ExportResult<Bytes>> {
    let mut head = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n",
    );
    head.push_str(&format!("<name>{}</name>\n", escape(layer.name)));
    head.push_str(&format!(
        "<ExtendedData><Data name=\"trama_export\"><value>{}</value></Data></ExtendedData>\n",
        escape(&meta.to_string())
    ));
    for (symbol, colour) in &layer.styles {
        let abgr = kml_colour(colour);
        head.push_str(&format!(
            "<Style id=\"{}\"><IconStyle><color>ff{abgr}</color></IconStyle><LineStyle><color>ff{abgr}</color><width>3</width></LineStyle><PolyStyle><color>66{abgr}</color></PolyStyle></Style>\n",
            escape(&style_id(symbol))
        ));
    }
    let names: Vec<String> = layer.columns.iter().map(|(n, _)| n.to_string()).collect();
    let body = layer.rows.ready_chunks(ROWS_PER_CHUNK).map(move |rows| {
        let mut out = String::with_capacity(rows.len() * 1024);
        for row in rows {
            placemark(&row?, &names, &mut out);
        }
        Ok(Bytes::from(out))
    });
    futures::stream::once(async move { Ok(Bytes::from(head)) })
        .chain(body)
        .chain(futures::stream::once(async {
            Ok(Bytes::from_static(b"</Document>\n</kml>\n"))
        }))
        .boxed()
}

fn style_id(symbol: &str) -> String {
    format!("symbol-{symbol}")
}

/// `#rrggbb` as KML's `bbggrr` (the alpha is written in front).
fn kml_colour(hex: &str) -> String {
    let hex = hex.trim_start_matches('#');
    if hex.len() != 6 {
        return "888888".into();
    }
    format!("{}{}{}", &hex[4..6], &hex[2..4], &hex[0..2])
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn placemark(row: &Row, names: &[String], out: &mut String) {
    let value = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| row.fields.get(i))
            .and_then(Field::text)
    };
    out.push_str("<Placemark>");
    let name = value("symbol_label")
        .or_else(|| value("name"))
        .unwrap_or_default();
    out.push_str(&format!("<name>{}</name>", escape(&name)));
    if let Some(symbol) = value("symbol") {
        out.push_str(&format!(
            "<styleUrl>#{}</styleUrl>",
            escape(&style_id(&symbol))
        ));
    }
    out.push_str("<ExtendedData>");
    for (name, field) in names.iter().zip(&row.fields) {
        if let Some(text) = Field::text(field) {
            out.push_str(&format!(
                "<Data name=\"{name}\"><value>{}</value></Data>",
                escape(&text)
            ));
        }
    }
    out.push_str("</ExtendedData>");
    if let Some(geometry) = row.geometry.as_ref().and_then(|s| s.geo()) {
        geometry_kml(&geometry, out);
    }
    out.push_str("</Placemark>\n");
}

fn coordinates(coords: impl Iterator<Item = Coord<f64>>, out: &mut String) {
    out.push_str("<coordinates>");
    for (i, c) in coords.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{},{}", c.x, c.y));
    }
    out.push_str("</coordinates>");
}

fn line(line: &LineString<f64>, out: &mut String) {
    out.push_str("<LineString>");
    coordinates(line.coords().copied(), out);
    out.push_str("</LineString>");
}

fn polygon(polygon: &Polygon<f64>, out: &mut String) {
    out.push_str("<Polygon><outerBoundaryIs><LinearRing>");
    coordinates(polygon.exterior().coords().copied(), out);
    out.push_str("</LinearRing></outerBoundaryIs>");
    for hole in polygon.interiors() {
        out.push_str("<innerBoundaryIs><LinearRing>");
        coordinates(hole.coords().copied(), out);
        out.push_str("</LinearRing></innerBoundaryIs>");
    }
    out.push_str("</Polygon>");
}

fn geometry_kml(geometry: &Geometry<f64>, out: &mut String) {
    match geometry {
        Geometry::Point(p) => {
            out.push_str("<Point>");
            coordinates(std::iter::once(p.0), out);
            out.push_str("</Point>");
        }
        Geometry::LineString(l) => line(l, out),
        Geometry::Polygon(p) => polygon(p, out),
        Geometry::MultiPoint(points) => {
            out.push_str("<MultiGeometry>");
            for p in points {
                geometry_kml(&Geometry::Point(*p), out);
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::MultiLineString(lines) => {
            out.push_str("<MultiGeometry>");
            lines.iter().for_each(|l| line(l, out));
            out.push_str("</MultiGeometry>");
        }
        Geometry::MultiPolygon(polygons) => {
            out.push_str("<MultiGeometry>");
            polygons.iter().for_each(|p| polygon(p, out));
            out.push_str("</MultiGeometry>");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_text_are_written_the_kml_way() {
        assert_eq!(kml_colour("#b71c1c"), "1c1cb7");
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
