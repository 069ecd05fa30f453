//! GPX imports (GPX 1.0 and 1.1, Topografix): waypoints (`wpt`) as points, routes (`rte`) as
//! lines, tracks (`trk`) as lines or multi-lines of their segments. Extensions and metadata
//! are left alone.
//!
//! Why a reader of our own on `roxmltree` rather than the `gpx` crate (0.10): the crate
//! refuses a whole file for one thing it does not expect (a missing or unknown `version`
//! attribute, a child element outside the schema, one position out of range), keeps no line
//! numbers for the dry run's report, and has no place to say that a track kept some
//! segments and left others out. A GPX file is three
//! element types with `lat` and `lon` attributes; reading them is a few lines.

use geo::{Coord, Geometry, LineString, Point};
use roxmltree::Node;

use super::xml::{Lines, child_text, elements, parse};
use super::{Item, Note};

fn position(node: Node) -> Result<Coord<f64>, String> {
    match (
        node.attribute("lon").and_then(|v| v.trim().parse().ok()),
        node.attribute("lat").and_then(|v| v.trim().parse().ok()),
    ) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err(unreadable_position(node)),
    }
}

/// Why a point's `lat` and `lon` are not numbers, naming a decimal comma (what a program set
/// to Spanish writes) where there is one: GPX numbers are `xsd:decimal`, with a point.
fn unreadable_position(node: Node) -> String {
    let tag = node.tag_name().name();
    let comma = ["lat", "lon"].into_iter().find_map(|name| {
        let value = node.attribute(name)?.trim();
        let fixed = value.replace(',', ".");
        (value.contains(',') && fixed.parse::<f64>().is_ok()).then_some((name, value, fixed))
    });
    match comma {
        Some((name, value, fixed)) => format!(
            "a <{tag}> whose {name} \"{value}\" has a decimal comma: GPX numbers take a decimal \
             point ({name}=\"{fixed}\"); export the file again with the program set to English, \
             or replace the commas in lat and lon"
        ),
        None => format!("a <{tag}> without numeric lat and lon attributes"),
    }
}

fn positions(node: Node, point: &str) -> Result<Vec<Coord<f64>>, String> {
    elements(node)
        .filter(|c| c.tag_name().name() == point)
        .map(position)
        .collect()
}

/// A track's segments as lines. A segment of fewer than two distinct positions draws no
/// line: it is left out with a note, and the track keeps its other segments.
fn track(node: Node, notes: &mut Vec<Note>) -> Result<Vec<Geometry<f64>>, String> {
    let mut lines = Vec::new();
    for (i, segment) in elements(node)
        .filter(|c| c.tag_name().name() == "trkseg")
        .enumerate()
    {
        let coords = positions(segment, "trkpt")?;
        if coords.windows(2).any(|pair| pair[0] != pair[1]) {
            lines.push(Geometry::LineString(LineString::new(coords)));
        } else {
            notes.push(Note::new(
                "dropped_segment",
                format!("{}", i + 1),
                format!(
                    "track segment {} has fewer than 2 distinct positions: left out, the other segments kept",
                    i + 1
                ),
            ));
        }
    }
    if lines.is_empty() {
        return Err("a track without a segment of 2 or more distinct positions".into());
    }
    Ok(lines)
}

/// Every waypoint, route and track of the file, in order.
/// Every waypoint, route and track of the file, in order, at most `limit + 1` (one more
/// tells that the file holds too many).
pub fn items(text: &str, field: Option<&str>, limit: usize) -> Result<Vec<Item>, String> {
    let document = parse(text)?;
    let root = document.root_element();
    if root.tag_name().name() != "gpx" {
        return Err("a GPX file has a <gpx> root element".into());
    }
    let lines = Lines::new(text);
    let mut items = Vec::new();
    for node in elements(root) {
        if items.len() > limit {
            break;
        }
        let mut notes = Vec::new();
        let shape = match node.tag_name().name() {
            "wpt" => position(node).map(|c| vec![Geometry::Point(Point(c))]),
            "rte" => {
                positions(node, "rtept").map(|c| vec![Geometry::LineString(LineString::new(c))])
            }
            "trk" => track(node, &mut notes),
            _ => continue,
        }
        .map_err(Into::into);
        let category = match field {
            Some(field) => child_text(node, field),
            None => child_text(node, "type").or_else(|| child_text(node, "sym")),
        };
        items.push(Item {
            number: items.len() + 1,
            line: lines.of(node),
            category,
            title: child_text(node, "name"),
            description: child_text(node, "desc").or_else(|| child_text(node, "cmt")),
            fields: Default::default(),
            shape,
            notes,
        });
    }
    Ok(items)
}
