//! The XYZ tile grid of Web Mercator (EPSG:3857), as slippy maps, MBTiles and PMTiles use it:
//! zoom `z` has 2^z × 2^z tiles of 256 px, `x` from the antimeridian eastwards, `y` from the
//! north (OSM wiki, "Slippy map tilenames"; MBTiles 1.3 stores `y` flipped, from the south).

use std::fmt;

/// Web Mercator's latitude limit, in degrees (where the square world ends).
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Deepest zoom Trama serves or fetches (PMTiles allows 31; nobody draws a street at 25).
pub const MAX_ZOOM: u8 = 24;

/// One tile of the grid, checked: `x` and `y` below 2^z, `z` at most [`MAX_ZOOM`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl Tile {
    /// `None` when the coordinates are outside the grid of zoom `z`.
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        let side = 1u64 << z.min(MAX_ZOOM);
        (z <= MAX_ZOOM && u64::from(x) < side && u64::from(y) < side).then_some(Self { z, x, y })
    }

    /// The row as MBTiles stores it (TMS: counted from the south).
    pub fn tms_row(self) -> u32 {
        ((1u64 << self.z) - 1 - u64::from(self.y)) as u32
    }

    /// The tile MBTiles stores at zoom `z`, column `x`, TMS row `row`; `None` outside the grid.
    pub fn from_tms(z: i64, x: i64, row: i64) -> Option<Self> {
        let z = u8::try_from(z).ok().filter(|z| *z <= MAX_ZOOM)?;
        let (x, row) = (u32::try_from(x).ok()?, u64::try_from(row).ok()?);
        let y = (1u64 << z).checked_sub(1)?.checked_sub(row)?;
        Self::new(z, x, u32::try_from(y).ok()?)
    }

    /// The tile holding the WGS84 position (`lon`, `lat` in degrees; `lat` clamped to
    /// Web Mercator's limit).
    pub fn containing(lon: f64, lat: f64, z: u8) -> Self {
        let side = f64::from(1u32 << z);
        let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
        let x = ((lon + 180.0) / 360.0 * side).floor();
        let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * side)
            .floor();
        let last = side - 1.0;
        Self {
            z,
            x: x.clamp(0.0, last) as u32,
            y: y.clamp(0.0, last) as u32,
        }
    }

    /// The WGS84 longitude and latitude of the tile's north-west corner.
    pub fn north_west(self) -> (f64, f64) {
        corner(self.z, f64::from(self.x), f64::from(self.y))
    }

    /// The WGS84 longitude and latitude of the point `fx`, `fy` of the tile, each a fraction
    /// of its side from its north-west corner (0 to 1; a vector tile's coordinate divided by
    /// its extent).
    pub fn position(self, fx: f64, fy: f64) -> (f64, f64) {
        corner(self.z, f64::from(self.x) + fx, f64::from(self.y) + fy)
    }

    /// The tile's extent as `[west, south, east, north]` in degrees.
    pub fn bounds(self) -> [f64; 4] {
        let (west, north) = self.north_west();
        let (east, south) = corner(self.z, f64::from(self.x) + 1.0, f64::from(self.y) + 1.0);
        [west, south, east, north]
    }
}

fn corner(z: u8, x: f64, y: f64) -> (f64, f64) {
    let side = f64::from(1u32 << z);
    let lon = x / side * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y / side))
        .sinh()
        .atan()
        .to_degrees();
    (lon, lat)
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// The tiles covering a WGS84 box `[west, south, east, north]` at zooms `min..=max`, zoom by
/// zoom, rows north to south: what fetching an area downloads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileRange {
    pub bounds: [f64; 4],
    pub min_zoom: u8,
    pub max_zoom: u8,
}

impl TileRange {
    /// How many tiles the range holds.
    pub fn count(&self) -> u64 {
        (self.min_zoom..=self.max_zoom)
            .map(|z| {
                let (nw, se) = self.corners(z);
                u64::from(se.x - nw.x + 1) * u64::from(se.y - nw.y + 1)
            })
            .sum()
    }

    fn corners(&self, z: u8) -> (Tile, Tile) {
        let [west, south, east, north] = self.bounds;
        (
            Tile::containing(west, north, z),
            Tile::containing(east, south, z),
        )
    }

    /// Every tile of the range, lowest zoom first.
    pub fn tiles(&self) -> impl Iterator<Item = Tile> + '_ {
        (self.min_zoom..=self.max_zoom).flat_map(move |z| {
            let (nw, se) = self.corners(z);
            (nw.y..=se.y).flat_map(move |y| (nw.x..=se.x).map(move |x| Tile { z, x, y }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_falls_in_the_tile_the_osm_formula_gives() {
        // Lomas de Zamora's station, at zoom 15 (the OSM wiki's formula, computed apart in Python).
        let tile = Tile::containing(-58.4066, -34.7608, 15);
        assert_eq!((tile.x, tile.y), (11067, 19762));
        let [west, south, east, north] = tile.bounds();
        assert!(west <= -58.4066 && -58.4066 < east);
        assert!(south < -34.7608 && -34.7608 <= north);
    }

    #[test]
    fn rows_flip_for_mbtiles() {
        assert_eq!(Tile::new(0, 0, 0).map(Tile::tms_row), Some(0));
        assert_eq!(Tile::new(3, 1, 0).map(Tile::tms_row), Some(7));
        assert_eq!(Tile::new(3, 1, 8), None);
        assert_eq!(Tile::new(25, 0, 0), None);
        assert_eq!(Tile::from_tms(3, 1, 7), Tile::new(3, 1, 0));
        for (z, x, row) in [(40, 0, 0), (-1, 0, 0), (3, 0, 8), (3, -1, 0), (70, 1, 1)] {
            assert_eq!(Tile::from_tms(z, x, row), None, "{z}/{x}/{row}");
        }
    }

    #[test]
    fn a_range_counts_what_it_lists() {
        let range = TileRange {
            bounds: [-58.47, -34.80, -58.36, -34.72],
            min_zoom: 10,
            max_zoom: 15,
        };
        assert_eq!(range.count(), range.tiles().count() as u64);
        assert_eq!(range.tiles().next().map(|t| t.z), Some(10));
        // The whole world at zoom 2 is 16 tiles, its poles clamped.
        let world = TileRange {
            bounds: [-180.0, -90.0, 180.0, 90.0],
            min_zoom: 2,
            max_zoom: 2,
        };
        assert_eq!(world.count(), 16);
    }
}
