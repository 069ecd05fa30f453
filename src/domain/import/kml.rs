//! KML imports: Google My Maps (Folders of Placemarks with a name, a description, a style and
//! ExtendedData; a KMZ is opened before this reader), Google Earth, and the GPS and tracking
//! apps' extensions (`gx:Track` and `gx:MultiTrack` with `gx:coord`, as OsmAnd, Locus, OruxMaps
//! and Google's own tools write them). OGC KML 2.2 (07-147r2) and Google's `gx` extensions.
//!
//! Why a reader of our own on `roxmltree` rather than the `kml` crate (0.15): the crate reads
//! MultiGeometry by recursion (`read_multi_geometry` calls itself: a nested file exhausts
//! the stack, the fault that aborted the server), skips `gx:Track` and `gx:MultiTrack`
//! silently, keeps no line numbers (a dry run names each item's line), and fails the whole
//! document at the first element it cannot read, where an import reports every item and
//! keeps the rest. What the format
//! needs here is small: coordinates, five geometry elements, names and ExtendedData.

use geo::{Coord, Geometry, LineString, Point, Polygon};
use roxmltree::Node;

use super::xml::{Lines, child_text, elements, parse};
use super::{Item, Note, Unshaped};

/// The elements a Placemark may hold its geometry in (KML 2.2 §10.1, gx §3).
const GEOMETRIES: [&str; 8] = [
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiGeometry",
    "Track",
    "MultiTrack",
    "Model",
];

/// Positions of a `<coordinates>` text: `lon,lat[,alt]` tuples between white space. Some
/// writers put spaces after the commas (`-58.4, -34.7`); they are joined first.
fn coordinates(node: Node, what: &str) -> Result<Vec<Coord<f64>>, String> {
    let text = node
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "coordinates")
        .and_then(|n| n.text())
        .ok_or_else(|| format!("a {what} without <coordinates>"))?;
    let mut joined = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && c != ',' && !joined.is_empty() && !joined.ends_with(',') {
            joined.push(' ');
        }
        pending_space = false;
        joined.push(c);
    }
    joined
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|tuple| {
            let mut parts = tuple.split(',');
            match (
                parts.next().and_then(|x| x.parse().ok()),
                parts.next().and_then(|y| y.parse().ok()),
            ) {
                (Some(x), Some(y)) => Ok(Coord { x, y }),
                _ => Err(format!("unreadable coordinates \"{tuple}\" in a {what}")),
            }
        })
        .collect()
}

/// A `gx:Track`'s positions: `gx:coord` elements of `lon lat alt` (gx §3.5).
fn track(node: Node) -> Result<Vec<Coord<f64>>, String> {
    elements(node)
        .filter(|c| c.tag_name().name() == "coord")
        .map(|c| {
            let text = c.text().unwrap_or("");
            let mut numbers = text.split_whitespace().map(str::parse::<f64>);
            match (numbers.next(), numbers.next()) {
                (Some(Ok(x)), Some(Ok(y))) => Ok(Coord { x, y }),
                _ => Err(format!(
                    "unreadable gx:coord \"{}\" in a gx:Track",
                    text.trim()
                )),
            }
        })
        .collect()
}

fn polygon(node: Node) -> Result<Polygon<f64>, String> {
    let rings = |boundary: &str| -> Result<Vec<LineString<f64>>, String> {
        elements(node)
            .filter(|c| c.tag_name().name() == boundary)
            .flat_map(|b| elements(b).filter(|r| r.tag_name().name() == "LinearRing"))
            .map(|ring| coordinates(ring, "Polygon's LinearRing").map(LineString::new))
            .collect()
    };
    let mut outer = rings("outerBoundaryIs")?;
    if outer.is_empty() {
        return Err("a Polygon without <outerBoundaryIs><LinearRing>".into());
    }
    // geo closes rings that their writer left open.
    Ok(Polygon::new(outer.remove(0), rings("innerBoundaryIs")?))
}

/// The parts of a Placemark's geometry, MultiGeometry and MultiTrack opened at any depth with
/// a stack of our own (no recursion). Errors name the construct that could not be read.
fn shape(placemark: Node, notes: &mut Vec<Note>) -> Result<Vec<Geometry<f64>>, Unshaped> {
    let mut pending: Vec<Node> = elements(placemark)
        .filter(|c| GEOMETRIES.contains(&c.tag_name().name()))
        .collect();
    if pending.is_empty() {
        return Err(Unshaped::Unlocated(
            "a Placemark without a geometry (no Point, LineString, Polygon, MultiGeometry or gx:Track)"
                .into(),
        ));
    }
    pending.reverse();
    let mut parts = Vec::new();
    while let Some(node) = pending.pop() {
        match node.tag_name().name() {
            "MultiGeometry" | "MultiTrack" => {
                let before = pending.len();
                pending
                    .extend(elements(node).filter(|c| GEOMETRIES.contains(&c.tag_name().name())));
                pending[before..].reverse();
            }
            "Point" => {
                let first = coordinates(node, "Point")?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        Unshaped::Unlocated("a Point with empty <coordinates>".into())
                    })?;
                parts.push(Geometry::Point(Point(first)));
            }
            "LineString" => parts.push(Geometry::LineString(LineString::new(coordinates(
                node,
                "LineString",
            )?))),
            // A ring on its own is a closed line (KML 2.2 §10.9).
            "LinearRing" => parts.push(Geometry::LineString(LineString::new(coordinates(
                node,
                "LinearRing",
            )?))),
            "Polygon" => parts.push(Geometry::Polygon(polygon(node)?)),
            "Track" => {
                let positions = track(node)?;
                match positions.len() {
                    0 => notes.push(Note::new(
                        "dropped_parts",
                        "gx:Track".into(),
                        "an empty gx:Track left out".into(),
                    )),
                    1 => parts.push(Geometry::Point(Point(positions[0]))),
                    _ => parts.push(Geometry::LineString(LineString::new(positions))),
                }
            }
            "Model" => return Err("a 3D Model is not a drawing and cannot be imported".into()),
            other => return Err(format!("<{other}> is not a KML geometry").into()),
        }
    }
    if parts.is_empty() {
        return Err(Unshaped::Unlocated(
            "an empty MultiGeometry or gx:MultiTrack".into(),
        ));
    }
    Ok(parts)
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

/// Every value of a Placemark's ExtendedData, by name.
fn extended_all(placemark: Node) -> std::collections::BTreeMap<String, serde_json::Value> {
    placemark
        .descendants()
        .filter(|n| n.is_element() && matches!(n.tag_name().name(), "Data" | "SimpleData"))
        .filter_map(|n| {
            let name = n.attribute("name")?.to_owned();
            let text = if n.tag_name().name() == "SimpleData" {
                n.text().map(str::to_owned)
            } else {
                child_text(n, "value")
            }?;
            Some((name, serde_json::Value::String(text.trim().to_owned())))
        })
        .collect()
}

/// Every Placemark of the file, in order, with the name of the Folder it is in (My Maps
/// puts each layer in a Folder named after it: by default, the category). One pass over the
/// tree, the Folders in a stack of our own, so time grows with the file's size only.
///
/// At most `limit + 1` items are read (one more tells that the file holds too many).
pub fn items(text: &str, field: Option<&str>, limit: usize) -> Result<Vec<Item>, String> {
    let document = parse(text)?;
    let lines = Lines::new(text);
    // Open Folders as (where each ends in the text, its name): document order visits a
    // Folder's content before anything after it.
    let mut folders: Vec<(usize, Option<String>)> = Vec::new();
    let mut items = Vec::new();
    for node in document.descendants().filter(Node::is_element) {
        if items.len() > limit {
            break;
        }
        let at = node.range().start;
        while folders.last().is_some_and(|(end, _)| *end <= at) {
            folders.pop();
        }
        match node.tag_name().name() {
            "Folder" => folders.push((node.range().end, child_text(node, "name"))),
            "Placemark" => {
                let category = match field {
                    Some(field) => extended(node, field).or_else(|| {
                        (field == "styleUrl")
                            .then(|| child_text(node, "styleUrl"))
                            .flatten()
                            .map(|s| s.trim_start_matches('#').to_owned())
                    }),
                    None => folders.iter().rev().find_map(|(_, name)| name.clone()),
                };
                let mut notes = Vec::new();
                let shape = shape(node, &mut notes);
                items.push(Item {
                    number: items.len() + 1,
                    line: lines.of(node),
                    category,
                    // Trama's own KML keeps the title and description in ExtendedData.
                    title: extended(node, "title").or_else(|| child_text(node, "name")),
                    description: extended(node, "description")
                        .or_else(|| child_text(node, "description")),
                    fields: extended_all(node),
                    shape,
                    notes,
                });
            }
            _ => {}
        }
    }
    if items.is_empty() {
        return network_links(&document).map_or(Ok(items), Err);
    }
    Ok(items)
}

/// Most links a refusal names.
const LINKS_NAMED: usize = 5;

/// A file whose content sits behind NetworkLinks (Google Earth's way of loading a layer from
/// elsewhere) holds no drawings itself: the refusal says so and where they are. Trama never
/// fetches them (the server reaches no other host, and a link may point anywhere).
fn network_links(document: &roxmltree::Document) -> Option<String> {
    let hrefs: Vec<String> = document
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "NetworkLink")
        .map(|link| {
            link.descendants()
                .find(|n| n.is_element() && n.tag_name().name() == "href")
                .and_then(|n| n.text())
                .map_or_else(|| "(no address)".to_owned(), |t| t.trim().to_owned())
        })
        .collect();
    if hrefs.is_empty() {
        return None;
    }
    let mut named: Vec<&str> = hrefs.iter().take(LINKS_NAMED).map(String::as_str).collect();
    if hrefs.len() > LINKS_NAMED {
        named.push("…");
    }
    Some(format!(
        "the file holds no drawings, only {} link(s) to other files (KML NetworkLink): {}. \
         Trama does not fetch them: download each (open the address, or in Google Earth \
         right-click the layer → Save Place As… KML) and import that file",
        hrefs.len(),
        named.join(", ")
    ))
}
