//! Which vector tile schema a basemap's layers follow, and what a newcomer should be told about
//! a file before the room sees a blank map. The pages style two schemas
//! (`static/js/basemap-style.js`): the Protomaps basemap (v4: `earth`, `roads`, `water`,
//! `pois`, `places`…, <https://docs.protomaps.com/basemaps/layers>) and OpenMapTiles (what
//! tilemaker, Planetiler and MapTiler make by default: `transportation`, `water`, `building`,
//! `poi`, `place`…, <https://openmaptiles.org/schema/>). Any other schema draws nothing.

use serde::Serialize;

use super::Description;

/// A vector basemap's schema, from the layer ids its metadata lists (`vector_layers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Schema {
    Protomaps,
    #[serde(rename = "openmaptiles")]
    OpenMapTiles,
    /// Layers neither schema has (or none listed): the pages draw nothing of it.
    Unknown,
}

impl Schema {
    /// The schema of a vector archive whose metadata lists `layers` (their ids).
    pub fn of_layers<'a>(layers: impl IntoIterator<Item = &'a str>) -> Self {
        let layers: Vec<&str> = layers.into_iter().collect();
        let has = |id: &str| layers.contains(&id);
        if has("transportation") || has("transportation_name") {
            Self::OpenMapTiles
        } else if has("roads") || has("earth") {
            Self::Protomaps
        } else {
            Self::Unknown
        }
    }

    /// The schema a description's `vector_layers` (TileJSON) tells; None for raster tiles.
    pub fn of(description: &Description) -> Option<Self> {
        if !description.format.is_vector() {
            return None;
        }
        Some(Self::of_layers(layer_ids(description)))
    }
}

/// The ids of the layers a description's `vector_layers` lists (none when it lists none).
fn layer_ids(description: &Description) -> Vec<&str> {
    description
        .vector_layers
        .as_ref()
        .and_then(serde_json::Value::as_array)
        .map(|layers| {
            layers
                .iter()
                .filter_map(|l| l.get("id").and_then(serde_json::Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// The first zoom the pages open at (a district), and the zoom streets and their names need.
pub const FIRST_VIEW_ZOOM: u8 = 13;
pub const STREET_ZOOM: u8 = 15;

/// Something about a basemap its users should know before the room sees it: a code the pages
/// translate, and the sentence the console and the API give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// `unknown_schema`, `outside_area`, `starts_deep`, `shallow`.
    pub code: &'static str,
    pub message: String,
}

/// What to tell of a basemap described by `description`, for a project whose area's bounds
/// are `area` (`[west, south, east, north]`, WGS84), if it has one.
pub fn warnings(description: &Description, area: Option<[f64; 4]>) -> Vec<Warning> {
    let mut said = Vec::new();
    if Schema::of(description) == Some(Schema::Unknown) {
        let ids: Vec<&str> = layer_ids(description).into_iter().take(8).collect();
        said.push(Warning {
            code: "unknown_schema",
            message: if ids.is_empty() {
                "its metadata lists no vector layers, so its schema is unknown and the map may \
                 draw nothing: make it with tilemaker or Planetiler (OpenMapTiles schema) or \
                 take a Protomaps basemap extract"
                    .to_owned()
            } else {
                format!(
                    "its layers ({}) are in neither the OpenMapTiles nor the Protomaps schema, so \
                     the map would draw nothing: make it with tilemaker or Planetiler \
                     (OpenMapTiles schema) or take a Protomaps basemap extract",
                    ids.join(", ")
                )
            },
        });
    }
    if let Some([west, south, east, north]) = area {
        let [w, s, e, n] = description.bounds;
        if west < w || south < s || east > e || north > n {
            said.push(Warning {
                code: "outside_area",
                message: format!(
                    "it covers [{w}, {s}, {e}, {n}], not the whole of the project's area \
                     [{west}, {south}, {east}, {north}]: parts of the map will be blank"
                ),
            });
        }
    }
    if description.min_zoom > FIRST_VIEW_ZOOM {
        said.push(Warning {
            code: "starts_deep",
            message: format!(
                "its lowest zoom is {}: maps using it open at zoom {} (a few blocks) instead of \
                 the whole district",
                description.min_zoom, description.min_zoom
            ),
        });
    }
    if description.max_zoom < STREET_ZOOM - 1 {
        said.push(Warning {
            code: "shallow",
            message: format!(
                "its deepest zoom is {}: streets and their names need {} or more; closer in, \
                 its tiles are only enlarged",
                description.max_zoom,
                STREET_ZOOM - 1
            ),
        });
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basemap::TileFormat;

    fn vector(layers: &[&str], zooms: (u8, u8)) -> Description {
        Description {
            format: TileFormat::Pbf,
            gzipped: true,
            min_zoom: zooms.0,
            max_zoom: zooms.1,
            bounds: [-58.5, -34.8, -58.3, -34.7],
            center: [-58.4, -34.75, 13.0],
            name: None,
            attribution: None,
            vector_layers: Some(serde_json::Value::Array(
                layers
                    .iter()
                    .map(|id| serde_json::json!({"id": id, "fields": {}}))
                    .collect(),
            )),
        }
    }

    #[test]
    fn the_schema_is_told_by_its_layers() {
        let omt = [
            "water",
            "landcover",
            "transportation",
            "transportation_name",
            "poi",
            "place",
        ];
        let pm = [
            "earth",
            "landuse",
            "water",
            "roads",
            "buildings",
            "pois",
            "places",
        ];
        assert_eq!(
            Schema::of(&vector(&omt, (0, 14))),
            Some(Schema::OpenMapTiles)
        );
        assert_eq!(Schema::of(&vector(&pm, (0, 15))), Some(Schema::Protomaps));
        assert_eq!(
            Schema::of(&vector(&["calles"], (0, 15))),
            Some(Schema::Unknown)
        );
        assert!(warnings(&vector(&omt, (0, 14)), None).is_empty());
        // As the pages read it (basemap-style.js).
        assert_eq!(serde_json::json!(Schema::OpenMapTiles), "openmaptiles");
        assert_eq!(serde_json::json!(Schema::Protomaps), "protomaps");
        let unknown = warnings(&vector(&["calles"], (0, 15)), None);
        assert_eq!(unknown[0].code, "unknown_schema");
        assert!(unknown[0].message.contains("calles"), "{unknown:?}");
    }

    #[test]
    fn zooms_and_area_that_would_leave_the_map_blank_are_told() {
        let deep = warnings(
            &vector(&["roads"], (14, 14)),
            Some([-58.6, -34.8, -58.3, -34.7]),
        );
        let codes: Vec<&str> = deep.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["outside_area", "starts_deep"]);
        let shallow = warnings(
            &vector(&["roads"], (0, 11)),
            Some([-58.45, -34.78, -58.35, -34.72]),
        );
        assert_eq!(
            shallow.iter().map(|w| w.code).collect::<Vec<_>>(),
            ["shallow"]
        );
    }
}
