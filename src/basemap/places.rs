//! Place names in a vector basemap, for a participant who looks for their street: every named
//! feature of the archive's tiles at one zoom (streets, places, schools, stations, water…),
//! once per name and layer, searched without regard to case or accents.
//!
//! Vector tiles are Mapbox Vector Tiles 2.1 (decoded by `mvt-reader`), their coordinates in
//! the tile's own grid of `extent` units (MVT 2.1 §4.2), turned into WGS84 through the Web
//! Mercator tile grid ([`super::grid`]). Names come from `name:{lang}` where the tile has one
//! (the Protomaps and OpenMapTiles schemas), else `name`. Raster basemaps have no names.

use std::collections::HashSet;

use geo_types::{Coord, Geometry};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::grid::{Tile, TileRange};
use super::{Basemap, BasemapError};

/// The zoom whose tiles are read: deep enough for every street's name (the Protomaps basemap
/// names minor streets from z14), or the archive's deepest if it stops before.
const NAMES_ZOOM: u8 = 14;
/// At most this many tiles are read (a district at z14 is a few hundred; a whole country is
/// not searched street by street).
const MAX_TILES: u64 = 20_000;

/// Most characters of a search: longer than any street's name, short enough that a search
/// costs microseconds (a 60,000-character query cost 12 s of CPU).
pub const MAX_QUERY: usize = 100;

/// The name field a search in `lang` reads: `name:es` or `name:en` for the languages Trama's
/// pages are in (`i18n`), else the basemap's own `name` (`""`). Each gazetteer is built and
/// kept once per field, so the languages a caller may ask for cannot grow memory: 200 random
/// `lang` values built 200 gazetteers (59 MB → 2.8 GB) before.
pub fn name_language(lang: &str) -> &'static str {
    crate::i18n::find(lang).map_or("", |catalogue| catalogue.locale)
}

/// A named feature of the basemap, at one WGS84 position on it (a point's position, a
/// line's middle vertex, a polygon's outer ring's mean).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Place {
    pub name: String,
    /// The tile layer it is in (`roads`, `places`, `pois`, `water`…).
    pub layer: String,
    /// Its `kind` (Protomaps) or `class` (OpenMapTiles) where the tile says it.
    pub kind: Option<String>,
    pub lon: f64,
    pub lat: f64,
}

/// The place names of one basemap, built once from its tiles.
#[derive(Debug, Default)]
pub struct Gazetteer {
    /// Each place with its name as searched ([`folded`]).
    places: Vec<(String, Place)>,
}

impl Gazetteer {
    /// Reads the names of `basemap`'s tiles at zoom 14 (or its deepest) within its bounds, in
    /// `lang` where the tiles have it (see [`name_language`]). A raster basemap gives an
    /// empty gazetteer. Tiles are decoded off the async threads.
    ///
    /// # Errors
    /// The archive could not be read; a tile that does not decode is skipped.
    pub async fn build(basemap: &Basemap, lang: &str) -> Result<Self, BasemapError> {
        let description = &basemap.description;
        if !description.format.is_vector() {
            return Ok(Self::default());
        }
        let zoom = NAMES_ZOOM.clamp(description.min_zoom, description.max_zoom);
        let range = TileRange {
            bounds: description.bounds,
            min_zoom: zoom,
            max_zoom: zoom,
        };
        let mut gazetteer = Self::default();
        let mut seen = HashSet::new();
        for tile in range.tiles().take(MAX_TILES as usize) {
            let Some(bytes) = basemap.tile(tile).await? else {
                continue;
            };
            let bytes = if description.gzipped {
                match gunzip(&bytes) {
                    Some(b) => b,
                    None => continue,
                }
            } else {
                bytes.to_vec()
            };
            let lang = lang.to_owned();
            let names = tokio::task::spawn_blocking(move || names_in_tile(bytes, tile, &lang))
                .await
                .unwrap_or_default();
            for place in names {
                let name = folded(&place.name);
                if seen.insert((name.clone(), place.layer.clone())) {
                    gazetteer.places.push((name, place));
                }
            }
        }
        Ok(gazetteer)
    }

    /// Up to `limit` places whose name holds `query` (case and accents aside): names that
    /// start with it first, then those with a word that does, then the rest, shorter names
    /// first within each.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Place> {
        let wanted = folded(query.trim());
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(u8, usize, &Place)> = self
            .places
            .iter()
            .filter_map(|(name, place)| {
                let at = name.find(&wanted)?;
                let rank = if at == 0 {
                    0
                } else if name[..at].ends_with(' ') {
                    1
                } else {
                    2
                };
                Some((rank, name.len(), place))
            })
            .collect();
        found.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
        found.into_iter().take(limit).map(|(_, _, p)| p).collect()
    }

    /// How many places it holds.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// Lower case, without accents or other combining marks: "Hipólito" is found as "hipolito".
pub fn folded(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(16 * 1024 * 1024)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// The named features of one decoded tile.
fn names_in_tile(bytes: Vec<u8>, tile: Tile, lang: &str) -> Vec<Place> {
    let Ok(reader) = mvt_reader::Reader::new(bytes) else {
        return Vec::new();
    };
    let Ok(layers) = reader.get_layer_metadata() else {
        return Vec::new();
    };
    // No language: the basemap's own `name` (no field is called `name:`).
    let localised = format!("name:{lang}");
    let mut places = Vec::new();
    for layer in layers {
        let Ok(features) = reader.get_features_as::<f64>(layer.layer_index) else {
            continue;
        };
        let extent = f64::from(layer.extent);
        for feature in features {
            let Some(properties) = &feature.properties else {
                continue;
            };
            let text = |key: &str| match properties.get(key) {
                Some(mvt_reader::feature::Value::String(s)) if !s.trim().is_empty() => {
                    Some(s.trim().to_owned())
                }
                _ => None,
            };
            let Some(name) = text(&localised).or_else(|| text("name")) else {
                continue;
            };
            let Some(at) = representative(&feature.geometry) else {
                continue;
            };
            let (lon, lat) = tile.position(at.x / extent, at.y / extent);
            places.push(Place {
                name,
                layer: layer.name.clone(),
                kind: text("kind").or_else(|| text("class")),
                lon,
                lat,
            });
        }
    }
    places
}

/// One position on a geometry, in tile units: a point's, a line's middle vertex, a
/// polygon's outer ring's mean.
fn representative(geometry: &Geometry<f64>) -> Option<Coord<f64>> {
    fn middle(coords: &[Coord<f64>]) -> Option<Coord<f64>> {
        coords.get(coords.len() / 2).copied()
    }
    fn mean(coords: &[Coord<f64>]) -> Option<Coord<f64>> {
        let n = coords.len() as f64;
        (n > 0.0).then(|| Coord {
            x: coords.iter().map(|c| c.x).sum::<f64>() / n,
            y: coords.iter().map(|c| c.y).sum::<f64>() / n,
        })
    }
    match geometry {
        Geometry::Point(p) => Some(p.0),
        Geometry::MultiPoint(m) => m.0.first().map(|p| p.0),
        Geometry::LineString(l) => middle(&l.0),
        Geometry::MultiLineString(m) => m.0.first().and_then(|l| middle(&l.0)),
        Geometry::Polygon(p) => mean(&p.exterior().0),
        Geometry::MultiPolygon(m) => m.0.first().and_then(|p| mean(&p.exterior().0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(name: &str) -> Place {
        Place {
            name: name.into(),
            layer: "roads".into(),
            kind: None,
            lon: 0.0,
            lat: 0.0,
        }
    }

    #[test]
    fn a_search_reads_a_name_field_of_a_fixed_few_whatever_language_is_asked() {
        assert_eq!(name_language("es"), "es");
        assert_eq!(name_language("en-GB"), "en");
        let fields: HashSet<&str> = (0..500)
            .map(|i| format!("x{i:x}-{}", i * 7919))
            .map(|lang| name_language(&lang))
            .collect();
        assert_eq!(fields, HashSet::from([""]));
    }

    fn gazetteer(names: &[&str]) -> Gazetteer {
        Gazetteer {
            places: names.iter().map(|n| (folded(n), place(n))).collect(),
        }
    }

    #[test]
    fn names_are_found_without_case_or_accents() {
        let g = gazetteer(&["Avenida Hipólito Yrigoyen", "Calle Boedo"]);
        let found = g.search("HIPOLITO", 5);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "Avenida Hipólito Yrigoyen");
        assert!(g.search("  ", 5).is_empty());
        assert!(g.search("Laprida", 5).is_empty());
    }

    #[test]
    fn a_name_that_starts_with_the_query_comes_first_then_a_word_then_the_rest() {
        let g = gazetteer(&["Plaza Boedo", "Boedo", "Aboedoz", "Boedo y Laprida"]);
        let names: Vec<_> = g
            .search("boedo", 10)
            .into_iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Boedo", "Boedo y Laprida", "Plaza Boedo", "Aboedoz"]
        );
        assert_eq!(g.search("boedo", 2).len(), 2);
    }

    #[test]
    fn a_feature_is_placed_at_a_point_the_middle_of_a_line_or_the_mean_of_a_ring() {
        use geo_types::{LineString, Point, Polygon};
        assert_eq!(
            representative(&Point::new(1.0, 2.0).into()),
            Some(Coord { x: 1.0, y: 2.0 })
        );
        let line = LineString::from(vec![(0.0, 0.0), (5.0, 5.0), (10.0, 0.0)]);
        assert_eq!(representative(&line.into()), Some(Coord { x: 5.0, y: 5.0 }));
        let square = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]),
            vec![],
        );
        let at = representative(&square.into()).expect("a position");
        assert!(
            (at.x - 2.0).abs() < 1.0 && (at.y - 2.0).abs() < 1.0,
            "{at:?}"
        );
    }
}
