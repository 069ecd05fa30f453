//! Place names in a vector basemap, for a participant who looks for their street: every named
//! feature of the archive's tiles at one zoom (streets, places, schools, stations, water…),
//! once per name and layer, searched without regard to case or accents.
//!
//! Vector tiles are Mapbox Vector Tiles 2.1 (decoded by `mvt-reader`), their coordinates in
//! the tile's own grid of `extent` units (MVT 2.1 §4.2), turned into WGS84 through the Web
//! Mercator tile grid ([`super::grid`]). Names come from `name:{lang}` where the tile has one
//! (the Protomaps and OpenMapTiles schemas), else `name`. Raster basemaps have no names.

use std::collections::{HashMap, HashSet};

use geo::line_intersection::{LineIntersection, line_intersection};
use geo_types::{Coord, Geometry, Line};
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
    /// Each named street whole (every piece from every tile, WGS84), by its name as searched:
    /// where it crosses another is a corner people name.
    streets: HashMap<String, Street>,
}

/// A named street: its name as the tiles give it and its segments (WGS84 lon/lat).
#[derive(Debug, Default)]
struct Street {
    name: String,
    segments: Vec<Line<f64>>,
}

/// The layers of the two schemas whose named lines are streets.
const STREET_LAYERS: [&str; 3] = ["roads", "transportation", "transportation_name"];

/// What a search for a corner ("Yrigoyen y Laprida") found: the streets each part named
/// (None: no street has that name) and where they cross.
#[derive(Debug, Clone, PartialEq)]
pub struct CornerSearch {
    pub streets: [Option<String>; 2],
    pub corners: Vec<Place>,
}

/// The words people join two streets with to name a corner ("Yrigoyen y Laprida", "esquina
/// Boedo", "Laprida & Boedo", "Laprida and Boedo"), folded; and the words that may open it.
const CORNER_JOINS: [&str; 6] = [" esquina ", " esq. ", " y ", " & ", " and ", " con "];
const CORNER_OPENINGS: [&str; 4] = ["esquina de ", "esquina ", "esq. ", "corner of "];

/// The two street names a query for a corner gives, folded, or None when it names no corner.
pub fn corner_parts(query: &str) -> Option<(String, String)> {
    let mut text = folded(query.trim()).replace('&', " & ");
    for opening in CORNER_OPENINGS {
        if let Some(rest) = text.strip_prefix(opening) {
            text = rest.to_owned();
            break;
        }
    }
    CORNER_JOINS.iter().find_map(|join| {
        let (a, b) = text.split_once(join)?;
        let (a, b) = (a.trim(), b.trim());
        (a.chars().count() >= 2 && b.chars().count() >= 2).then(|| (a.to_owned(), b.to_owned()))
    })
}

/// Corners closer than this (degrees, about 30 m) are one: a street's pieces meet at tile
/// edges, and a crossing found twice is the same corner.
const SAME_CORNER: f64 = 0.0003;

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
            let (names, streets) =
                tokio::task::spawn_blocking(move || names_in_tile(bytes, tile, &lang))
                    .await
                    .unwrap_or_default();
            for (name, segments) in streets {
                let street = gazetteer.streets.entry(folded(&name)).or_default();
                street.name = name;
                street.segments.extend(segments);
            }
            for place in names {
                let name = folded(&place.name);
                if seen.insert((name.clone(), place.layer.clone())) {
                    gazetteer.places.push((name, place));
                }
            }
        }
        gazetteer.place_streets_whole();
        Ok(gazetteer)
    }

    /// A street is found once, placed on itself near the middle of all its pieces (not at
    /// the first tile's piece).
    fn place_streets_whole(&mut self) {
        for (name, place) in &mut self.places {
            let Some(street) = self.streets.get(name.as_str()) else {
                continue;
            };
            if !STREET_LAYERS.contains(&place.layer.as_str()) || street.segments.is_empty() {
                continue;
            }
            let n = street.segments.len() as f64;
            let centre = Coord {
                x: street.segments.iter().map(|l| l.start.x).sum::<f64>() / n,
                y: street.segments.iter().map(|l| l.start.y).sum::<f64>() / n,
            };
            if let Some(nearest) = street
                .segments
                .iter()
                .map(|l| l.start)
                .min_by(|a, b| distance(*a, centre).total_cmp(&distance(*b, centre)))
            {
                (place.lon, place.lat) = (nearest.x, nearest.y);
            }
        }
    }

    /// The corners of the two streets `query` names ("Yrigoyen y Laprida"), where the
    /// streets whose names hold each part cross (or come within about 30 m), at most `limit`;
    /// None when the query names no corner. Each corner is named "<street> y <street>"
    /// (`join` is the page's word for "and").
    pub fn corners(&self, query: &str, join: &str, limit: usize) -> Option<CornerSearch> {
        let (a, b) = corner_parts(query)?;
        let named = |part: &str| -> Vec<&Street> {
            let mut found: Vec<(&String, &Street)> = self
                .streets
                .iter()
                .filter(|(name, street)| name.contains(part) && !street.segments.is_empty())
                .collect();
            found.sort_by_key(|(name, _)| (!name.starts_with(part), name.len()));
            found.into_iter().take(5).map(|(_, s)| s).collect()
        };
        let (first, second) = (named(&a), named(&b));
        let mut corners: Vec<Place> = Vec::new();
        for x in &first {
            for y in &second {
                if std::ptr::eq(*x, *y) {
                    continue;
                }
                for at in crossings(&x.segments, &y.segments) {
                    if corners.len() >= limit {
                        break;
                    }
                    let here = Coord { x: at.x, y: at.y };
                    if corners
                        .iter()
                        .any(|c| distance(Coord { x: c.lon, y: c.lat }, here) < SAME_CORNER)
                    {
                        continue;
                    }
                    corners.push(Place {
                        name: format!("{} {join} {}", x.name, y.name),
                        layer: "corner".to_owned(),
                        kind: Some("corner".to_owned()),
                        lon: at.x,
                        lat: at.y,
                    });
                }
            }
        }
        Some(CornerSearch {
            streets: [
                first.first().map(|s| s.name.clone()),
                second.first().map(|s| s.name.clone()),
            ],
            corners,
        })
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

/// A street's name and its segments in one tile (WGS84).
type StreetPiece = (String, Vec<Line<f64>>);

/// The named features of one decoded tile, and its named streets' lines.
fn names_in_tile(bytes: Vec<u8>, tile: Tile, lang: &str) -> (Vec<Place>, Vec<StreetPiece>) {
    let Ok(reader) = mvt_reader::Reader::new(bytes) else {
        return Default::default();
    };
    let Ok(layers) = reader.get_layer_metadata() else {
        return Default::default();
    };
    let mut streets = Vec::new();
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
            if STREET_LAYERS.contains(&layer.name.as_str()) {
                let to_wgs84 = |c: Coord<f64>| {
                    let (x, y) = tile.position(c.x / extent, c.y / extent);
                    Coord { x, y }
                };
                let lines: Vec<&geo_types::LineString<f64>> = match &feature.geometry {
                    Geometry::LineString(l) => vec![l],
                    Geometry::MultiLineString(m) => m.0.iter().collect(),
                    _ => Vec::new(),
                };
                let segments: Vec<Line<f64>> = lines
                    .iter()
                    .flat_map(|l| l.lines())
                    .map(|l| Line::new(to_wgs84(l.start), to_wgs84(l.end)))
                    .collect();
                if !segments.is_empty() {
                    streets.push((name.clone(), segments));
                }
            }
            places.push(Place {
                name,
                layer: layer.name.clone(),
                kind: text("kind").or_else(|| text("class")),
                lon,
                lat,
            });
        }
    }
    (places, streets)
}

/// Planar distance in degrees (corners and streets a few metres apart: no need for more).
fn distance(a: Coord<f64>, b: Coord<f64>) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Where segments of `a` cross segments of `b`; when none do, where they come closest if
/// within `SAME_CORNER` (tiles cut streets, and a corner drawn with a gap is still one).
fn crossings(a: &[Line<f64>], b: &[Line<f64>]) -> Vec<Coord<f64>> {
    let bounds = |lines: &[Line<f64>]| {
        lines.iter().fold(
            [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
            |[w, s, e, n], l| {
                [
                    w.min(l.start.x.min(l.end.x)),
                    s.min(l.start.y.min(l.end.y)),
                    e.max(l.start.x.max(l.end.x)),
                    n.max(l.start.y.max(l.end.y)),
                ]
            },
        )
    };
    let [w, s, e, n] = bounds(b);
    let near = |l: &Line<f64>| {
        l.start.x.max(l.end.x) >= w - SAME_CORNER
            && l.start.x.min(l.end.x) <= e + SAME_CORNER
            && l.start.y.max(l.end.y) >= s - SAME_CORNER
            && l.start.y.min(l.end.y) <= n + SAME_CORNER
    };
    let mut found = Vec::new();
    let mut closest: Option<(f64, Coord<f64>)> = None;
    for x in a.iter().filter(|l| near(l)) {
        for y in b {
            match line_intersection(*x, *y) {
                Some(LineIntersection::SinglePoint { intersection, .. }) => {
                    found.push(intersection)
                }
                Some(LineIntersection::Collinear { intersection }) => {
                    found.push(intersection.start)
                }
                None => {
                    for (p, q) in [(x.start, y), (x.end, y), (y.start, x), (y.end, x)] {
                        let d = distance_to_segment(p, q);
                        if closest.is_none_or(|(best, _)| d < best) {
                            closest = Some((d, p));
                        }
                    }
                }
            }
        }
    }
    if found.is_empty()
        && let Some((d, at)) = closest
        && d < SAME_CORNER
    {
        found.push(at);
    }
    found
}

fn distance_to_segment(p: Coord<f64>, l: &Line<f64>) -> f64 {
    let (dx, dy) = (l.end.x - l.start.x, l.end.y - l.start.y);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((p.x - l.start.x) * dx + (p.y - l.start.y) * dy) / length).clamp(0.0, 1.0)
    };
    distance(
        p,
        Coord {
            x: l.start.x + t * dx,
            y: l.start.y + t * dy,
        },
    )
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
            streets: HashMap::new(),
        }
    }

    #[test]
    fn a_corner_is_named_as_people_name_it() {
        for query in [
            "Yrigoyen y Laprida",
            "yrigoyen esquina laprida",
            "Esquina Yrigoyen y Laprida",
            "Yrigoyen & Laprida",
            "Yrigoyen&Laprida",
            "Yrigoyen and Laprida",
        ] {
            assert_eq!(
                corner_parts(query),
                Some(("yrigoyen".to_owned(), "laprida".to_owned())),
                "{query}"
            );
        }
        assert_eq!(corner_parts("Laprida"), None);
        assert_eq!(corner_parts("y Laprida"), None);
    }

    #[test]
    fn a_corner_is_where_the_two_streets_cross_whatever_tiles_cut_them() {
        let street = |name: &str, pieces: &[[(f64, f64); 2]]| Street {
            name: name.to_owned(),
            segments: pieces
                .iter()
                .map(|[a, b]| Line::new(Coord { x: a.0, y: a.1 }, Coord { x: b.0, y: b.1 }))
                .collect(),
        };
        let mut g = gazetteer(&[]);
        // The avenue in two tiles' pieces; the street stops 10 m short of it (a gap).
        g.streets.insert(
            folded("Avenida Hipólito Yrigoyen"),
            street(
                "Avenida Hipólito Yrigoyen",
                &[
                    [(-58.47, -34.76), (-58.41, -34.76)],
                    [(-58.41, -34.76), (-58.36, -34.76)],
                ],
            ),
        );
        g.streets.insert(
            folded("Laprida"),
            street("Laprida", &[[(-58.40, -34.80), (-58.40, -34.7601)]]),
        );
        g.streets.insert(
            folded("Boedo"),
            street("Boedo", &[[(-58.45, -34.80), (-58.45, -34.79)]]),
        );
        let found = g
            .corners("yrigoyen y laprida", "y", 3)
            .expect("a corner asked");
        assert_eq!(found.corners.len(), 1, "{found:?}");
        let corner = &found.corners[0];
        assert_eq!(corner.name, "Avenida Hipólito Yrigoyen y Laprida");
        assert!((corner.lon + 58.40).abs() < 1e-3 && (corner.lat + 34.76).abs() < 1e-3);
        // Streets that do not meet: both found, no corner.
        let apart = g
            .corners("Yrigoyen y Boedo", "y", 3)
            .expect("a corner asked");
        assert!(apart.corners.is_empty());
        assert_eq!(apart.streets[1].as_deref(), Some("Boedo"));
        // A street the map does not have.
        let missing = g.corners("Yrigoyen y Pasteur", "and", 3).expect("asked");
        assert_eq!(missing.streets[1], None);
        assert!(g.corners("Laprida", "y", 3).is_none());
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
