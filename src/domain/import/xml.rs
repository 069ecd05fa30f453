//! KML (as Google My Maps writes it: Folders of Placemarks with a name, a description, a style
//! and ExtendedData) and GPX (waypoints, routes and tracks) imports.

use geo::{Coord, Geometry, LineString, MultiLineString, Point, Polygon};
use roxmltree::{Document, Node};

use super::{Item, validate};
use crate::domain::feature::FeatureLimits;

fn parse(text: &str) -> Result<Document<'_>, String> {
    Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))
}

fn line(document: &Document, node: Node) -> Option<usize> {
    Some(document.text_pos_at(node.range().start).row as usize)
}

/// The text of the first child element called `name`, trimmed.
fn child_text(node: Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

// ---- KML --------------------------------------------------------------------------------

/// `lon,lat[,alt] lon,lat[,alt] ...`
fn kml_coordinates(node: Node) -> Result<Vec<Coord<f64>>, String> {
    let text = node
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "coordinates")
        .and_then(|n| n.text())
        .ok_or("a geometry without coordinates")?;
    text.split_whitespace()
        .map(|tuple| {
            let mut parts = tuple.split(',');
            match (
                parts.next().and_then(|x| x.parse().ok()),
                parts.next().and_then(|y| y.parse().ok()),
            ) {
                (Some(x), Some(y)) => Ok(Coord { x, y }),
                _ => Err(format!("unreadable coordinates \"{tuple}\"")),
            }
        })
        .collect()
}

fn kml_geometry(node: Node) -> Result<Geometry<f64>, String> {
    match node.tag_name().name() {
        "Point" => {
            let coords = kml_coordinates(node)?;
            coords
                .first()
                .map(|c| Geometry::Point(Point(*c)))
                .ok_or_else(|| "a Point without coordinates".to_owned())
        }
        "LineString" => Ok(Geometry::LineString(LineString::new(kml_coordinates(
            node,
        )?))),
        "Polygon" => {
            let ring = |boundary: &str| -> Result<Vec<LineString<f64>>, String> {
                node.children()
                    .filter(|c| c.is_element() && c.tag_name().name() == boundary)
                    .map(|b| kml_coordinates(b).map(LineString::new))
                    .collect()
            };
            let mut outer = ring("outerBoundaryIs")?;
            if outer.is_empty() {
                return Err("a Polygon without outerBoundaryIs".into());
            }
            Ok(Geometry::Polygon(Polygon::new(
                outer.remove(0),
                ring("innerBoundaryIs")?,
            )))
        }
        "MultiGeometry" => {
            let parts: Vec<Geometry<f64>> = node
                .children()
                .filter(|c| c.is_element())
                .map(kml_geometry)
                .collect::<Result<_, _>>()?;
            combine(parts)
        }
        other => Err(format!("unsupported KML geometry {other}")),
    }
}

/// Parts of one kind as the multi-geometry of that kind.
fn combine(parts: Vec<Geometry<f64>>) -> Result<Geometry<f64>, String> {
    let mut points = Vec::new();
    let mut lines = Vec::new();
    let mut polygons = Vec::new();
    for part in parts {
        match part {
            Geometry::Point(p) => points.push(p),
            Geometry::LineString(l) => lines.push(l),
            Geometry::Polygon(p) => polygons.push(p),
            _ => return Err("nested multi-geometries are not supported".into()),
        }
    }
    match (points.len(), lines.len(), polygons.len()) {
        (_, 0, 0) if !points.is_empty() => Ok(Geometry::MultiPoint(points.into())),
        (0, _, 0) if !lines.is_empty() => {
            Ok(Geometry::MultiLineString(MultiLineString::new(lines)))
        }
        (0, 0, _) if !polygons.is_empty() => Ok(Geometry::MultiPolygon(polygons.into())),
        _ => {
            Err("a MultiGeometry must hold one kind of geometry (points, lines or polygons)".into())
        }
    }
}

/// A Placemark's ExtendedData value called `name` (`<Data name="...">`, or a SchemaData's
/// `<SimpleData name="...">`).
fn extended(placemark: Node, name: &str) -> Option<String> {
    placemark
        .descendants()
        .find(|n| {
            n.is_element()
                && matches!(n.tag_name().name(), "Data" | "SimpleData")
                && n.attribute("name") == Some(name)
        })
        .and_then(|n| {
            if n.tag_name().name() == "SimpleData" {
                n.text().map(str::to_owned)
            } else {
                child_text(n, "value")
            }
        })
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

pub fn kml_items(
    text: &str,
    field: Option<&str>,
    limits: FeatureLimits,
) -> Result<Vec<Item>, String> {
    let document = parse(text)?;
    let placemarks = document
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Placemark");
    Ok(placemarks
        .enumerate()
        .map(|(i, placemark)| {
            // My Maps puts each layer in a Folder named after it: by default, the category.
            let folder = placemark
                .ancestors()
                .find(|a| a.is_element() && a.tag_name().name() == "Folder")
                .and_then(|f| child_text(f, "name"));
            let category = match field {
                Some(field) => extended(placemark, field).or_else(|| {
                    (field == "styleUrl")
                        .then(|| child_text(placemark, "styleUrl"))
                        .flatten()
                        .map(|s| s.trim_start_matches('#').to_owned())
                }),
                None => folder,
            };
            let geometry = placemark
                .children()
                .find(|c| {
                    c.is_element()
                        && matches!(
                            c.tag_name().name(),
                            "Point" | "LineString" | "Polygon" | "MultiGeometry"
                        )
                })
                .ok_or_else(|| super::MISSING_GEOMETRY.to_owned())
                .and_then(kml_geometry)
                .and_then(|g| validate(g, limits));
            Item {
                number: i + 1,
                line: line(&document, placemark),
                category,
                // Trama's own KML keeps the title and description in ExtendedData.
                title: extended(placemark, "title").or_else(|| child_text(placemark, "name")),
                description: extended(placemark, "description")
                    .or_else(|| child_text(placemark, "description")),
                geometry,
            }
        })
        .collect())
}

// ---- GPX --------------------------------------------------------------------------------

fn gpx_point(node: Node) -> Result<Coord<f64>, String> {
    match (
        node.attribute("lon").and_then(|v| v.trim().parse().ok()),
        node.attribute("lat").and_then(|v| v.trim().parse().ok()),
    ) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err(format!(
            "a {} needs numeric lat and lon attributes",
            node.tag_name().name()
        )),
    }
}

fn gpx_line(node: Node, point: &str) -> Result<LineString<f64>, String> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == point)
        .map(gpx_point)
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

pub fn gpx_items(
    text: &str,
    field: Option<&str>,
    limits: FeatureLimits,
) -> Result<Vec<Item>, String> {
    let document = parse(text)?;
    if document.root_element().tag_name().name() != "gpx" {
        return Err("a GPX file has a <gpx> root element".into());
    }
    let mut items = Vec::new();
    for node in document
        .root_element()
        .children()
        .filter(|n| n.is_element())
    {
        let geometry = match node.tag_name().name() {
            "wpt" => gpx_point(node).map(|c| Geometry::Point(Point(c))),
            "rte" => gpx_line(node, "rtept").map(Geometry::LineString),
            "trk" => node
                .children()
                .filter(|c| c.is_element() && c.tag_name().name() == "trkseg")
                .map(|segment| gpx_line(segment, "trkpt"))
                .collect::<Result<Vec<_>, _>>()
                .map(|mut segments| {
                    if segments.len() == 1 {
                        Geometry::LineString(segments.remove(0))
                    } else {
                        Geometry::MultiLineString(MultiLineString::new(segments))
                    }
                }),
            _ => continue,
        };
        let category = match field {
            Some(field) => child_text(node, field),
            None => child_text(node, "type").or_else(|| child_text(node, "sym")),
        };
        items.push(Item {
            number: items.len() + 1,
            line: line(&document, node),
            category,
            title: child_text(node, "name"),
            description: child_text(node, "desc").or_else(|| child_text(node, "cmt")),
            geometry: geometry.and_then(|g| validate(g, limits)),
        });
    }
    Ok(items)
}
