//! Splitting one drawing over H3 cells: which share of a point, line or polygon lies in each
//! cell. Shares of one drawing always sum to 1, so that spreading a drawing over cells never
//! creates or loses weight.
//!
//! Lengths and areas are measured in a local plane around the drawing (longitude scaled to
//! latitude by the ellipsoid's ratio at the drawing's latitude). Shares are ratios, so the metres-per-degree constant cancels, and
//! over the few kilometres a drawing spans the plane agrees with a metric projection (UTM)
//! to better than 0.01 %.
//!
//! Long (about 420 lines and its tests) because it is one algorithm in three cases (point, line,
//! polygon) that share the local plane and the cell walk; split, each part would need the others.

use std::collections::HashSet;

use geo::{Centroid, Contains, Coord, CoordsIter, Geometry, LineString, Point, Polygon};
use h3o::{CellIndex, LatLng, Resolution};

/// The cells a drawing touches and the share of it in each (summing to 1).
pub type Shares = Vec<(CellIndex, f64)>;

/// Splits `geometry` (WGS84 lon/lat) over the cells of `resolution`.
///
/// A point counts whole in its cell; a line by the share of its length inside each cell; a
/// polygon by the share of its area. A multi-geometry splits by its parts' points, lengths or
/// areas. Degenerate drawings (a line of zero length, a polygon of zero area) count whole in
/// the cell of their first point.
pub fn shares(geometry: &Geometry<f64>, resolution: Resolution) -> Shares {
    let Some(anchor) = geometry.coords_iter().next() else {
        return Vec::new();
    };
    let frame = Frame::at(geometry.centroid().map_or(anchor.y, |c| c.y()));
    let mut parts = Parts::default();
    match geometry {
        Geometry::Point(p) => parts.add_point(p.0, resolution),
        Geometry::MultiPoint(points) => {
            points.iter().for_each(|p| parts.add_point(p.0, resolution))
        }
        Geometry::Line(line) => parts.add_line(&LineString::from(*line), frame, resolution),
        Geometry::LineString(line) => parts.add_line(line, frame, resolution),
        Geometry::MultiLineString(lines) => lines
            .iter()
            .for_each(|l| parts.add_line(l, frame, resolution)),
        Geometry::Polygon(polygon) => parts.add_polygon(polygon, frame, resolution),
        Geometry::MultiPolygon(polygons) => polygons
            .iter()
            .for_each(|p| parts.add_polygon(p, frame, resolution)),
        // Not produced by validation; counted where they start rather than dropped.
        _ => {}
    }
    parts.into_shares(cell_of(anchor, resolution))
}

/// The cell holding a WGS84 coordinate (coordinates are validated before they get here; an
/// out-of-range one is clamped rather than lost).
pub fn cell_of(c: Coord<f64>, resolution: Resolution) -> CellIndex {
    let lat = c.y.clamp(-90.0, 90.0);
    let lng = c.x.clamp(-180.0, 180.0);
    LatLng::new(lat, lng)
        .unwrap_or_else(|_| LatLng::new(0.0, 0.0).expect("0,0 is a valid coordinate"))
        .to_cell(resolution)
}

/// Measured pieces of a drawing per cell, before normalising.
#[derive(Default)]
struct Parts {
    pieces: Vec<(CellIndex, f64)>,
}

impl Parts {
    fn add_point(&mut self, c: Coord<f64>, resolution: Resolution) {
        self.pieces.push((cell_of(c, resolution), 1.0));
    }

    fn add_line(&mut self, line: &LineString<f64>, frame: Frame, resolution: Resolution) {
        let mut walk = Walk::new(frame, resolution);
        for segment in line.lines() {
            walk.segment(segment.start, segment.end, |cell, length| {
                self.pieces.push((cell, length));
            });
        }
    }

    /// Cells crossed by a ring are clipped exactly; the cells inside them count whole.
    fn add_polygon(&mut self, polygon: &Polygon<f64>, frame: Frame, resolution: Resolution) {
        let mut walk = Walk::new(frame, resolution);
        let mut crossed: Vec<CellIndex> = Vec::new();
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            walk.restart();
            for segment in ring.lines() {
                walk.segment(segment.start, segment.end, |cell, _| crossed.push(cell));
            }
        }
        crossed.sort_unstable();
        crossed.dedup();
        let exterior = project_ring(polygon.exterior(), frame);
        let holes: Vec<Vec<Coord<f64>>> = polygon
            .interiors()
            .iter()
            .map(|ring| project_ring(ring, frame))
            .collect();
        for &cell in &crossed {
            let outline = walk.outlines.get(cell);
            let outer = ring_area(&clip_ring(&exterior, outline)).abs();
            let cut: f64 = holes
                .iter()
                .map(|hole| ring_area(&clip_ring(hole, outline)).abs())
                .sum();
            let area = (outer - cut).max(0.0);
            if area > 0.0 {
                self.pieces.push((cell, area));
            }
        }
        // Cells not crossed by any ring are wholly inside or wholly outside: test the centre
        // of the first uncrossed neighbours, then flood inwards without further tests.
        let mut inside: Vec<CellIndex> = Vec::new();
        let mut looked: HashSet<CellIndex> = crossed.iter().copied().collect();
        for &cell in &crossed {
            for neighbour in cell.grid_disk::<Vec<_>>(1) {
                if looked.insert(neighbour) && polygon.contains(&Point::from(centre_of(neighbour)))
                {
                    inside.push(neighbour);
                }
            }
        }
        let mut next = 0;
        while next < inside.len() {
            let cell = inside[next];
            next += 1;
            for neighbour in cell.grid_disk::<Vec<_>>(1) {
                if looked.insert(neighbour) {
                    inside.push(neighbour);
                }
            }
        }
        for cell in inside {
            self.pieces
                .push((cell, ring_area(&project_cell(cell, frame)).abs()));
        }
    }

    /// Merges pieces per cell and divides by their total; `fallback` takes the whole drawing
    /// when nothing measurable was found.
    fn into_shares(mut self, fallback: CellIndex) -> Shares {
        let total: f64 = self.pieces.iter().map(|(_, m)| m).sum();
        if total <= 0.0 || !total.is_finite() {
            return vec![(fallback, 1.0)];
        }
        self.pieces.sort_unstable_by_key(|(cell, _)| *cell);
        let mut merged: Shares = Vec::with_capacity(self.pieces.len());
        for (cell, measure) in self.pieces {
            match merged.last_mut() {
                Some((last, sum)) if *last == cell => *sum += measure,
                _ => merged.push((cell, measure)),
            }
        }
        for (_, measure) in &mut merged {
            *measure /= total;
        }
        merged
    }
}

/// WGS84's first eccentricity squared.
const E2: f64 = 0.006_694_379_990_14;

/// Metres per degree of longitude over metres per degree of latitude at `latitude`, on the
/// WGS84 ellipsoid: cos φ · N/M = cos φ · (1 − e² sin² φ) / (1 − e²). The spherical cos φ
/// alone would shorten east-west stretches by 0.45 % against north-south ones at Buenos
/// Aires, enough to skew the length shares of a winding line.
pub(super) fn x_scale(latitude: f64) -> f64 {
    let phi = latitude.to_radians();
    phi.cos() * (1.0 - E2 * phi.sin().powi(2)) / (1.0 - E2)
}

/// The local plane of one drawing.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x_scale: f64,
}

impl Frame {
    fn at(latitude: f64) -> Self {
        Self {
            x_scale: x_scale(latitude),
        }
    }

    fn project(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: c.x * self.x_scale,
            y: c.y,
        }
    }
}

fn project_ring(ring: &LineString<f64>, frame: Frame) -> Vec<Coord<f64>> {
    ring.0.iter().map(|c| frame.project(*c)).collect()
}

/// A cell's outline in the plane, counter-clockwise, without the closing vertex.
fn project_cell(cell: CellIndex, frame: Frame) -> Vec<Coord<f64>> {
    let mut outline: Vec<Coord<f64>> = cell
        .boundary()
        .iter()
        .map(|ll| {
            frame.project(Coord {
                x: ll.lng(),
                y: ll.lat(),
            })
        })
        .collect();
    if ring_area(&outline) < 0.0 {
        outline.reverse();
    }
    outline
}

/// Cell outlines in a drawing's plane, computed once per drawing.
struct Outlines {
    frame: Frame,
    cells: Vec<(CellIndex, Vec<Coord<f64>>)>,
}

impl Outlines {
    fn new(frame: Frame) -> Self {
        Self {
            frame,
            cells: Vec::new(),
        }
    }

    fn project(&self, c: Coord<f64>) -> Coord<f64> {
        self.frame.project(c)
    }

    fn get(&mut self, cell: CellIndex) -> &[Coord<f64>] {
        // Walks revisit the cell they were just in: look from the most recent.
        let index = match self.cells.iter().rposition(|(c, _)| *c == cell) {
            Some(index) => index,
            None => {
                self.cells.push((cell, project_cell(cell, self.frame)));
                self.cells.len() - 1
            }
        };
        &self.cells[index].1
    }
}

fn centre_of(cell: CellIndex) -> Coord<f64> {
    let ll = LatLng::from(cell);
    Coord {
        x: ll.lng(),
        y: ll.lat(),
    }
}

/// A walk along a line, cell by cell. From the cell holding the current position, each
/// segment is clipped to that cell's outline; where it leaves, the next cell is the one
/// holding the point just beyond. The walk carries its cell from one segment to the next, so
/// a point is located on the grid only when the line changes cell.
struct Walk {
    resolution: Resolution,
    outlines: Outlines,
    cell: Option<CellIndex>,
}

impl Walk {
    fn new(frame: Frame, resolution: Resolution) -> Self {
        Self {
            resolution,
            outlines: Outlines::new(frame),
            cell: None,
        }
    }

    /// The next segment does not start where the last one ended.
    fn restart(&mut self) {
        self.cell = None;
    }

    /// Calls `visit(cell, length)` with the planar length of each stretch of `a`-`b`
    /// (lon/lat), which must start where the previous segment ended.
    fn segment(&mut self, a: Coord<f64>, b: Coord<f64>, mut visit: impl FnMut(CellIndex, f64)) {
        let (pa, pb) = (self.outlines.project(a), self.outlines.project(b));
        let length = (pb.x - pa.x).hypot(pb.y - pa.y);
        let at = |t: f64| Coord {
            x: a.x + t * (b.x - a.x),
            y: a.y + t * (b.y - a.y),
        };
        let mut cell = *self.cell.get_or_insert_with(|| cell_of(a, self.resolution));
        if length == 0.0 {
            visit(cell, 0.0);
            return;
        }
        let mut t = 0.0;
        // Each step enters a new cell; the bound only guards against a numerical loop.
        for _ in 0..100_000 {
            let leave = clip_segment(pa, pb, self.outlines.get(cell)).map_or(t, |(_, leave)| leave);
            if leave > t {
                visit(cell, (leave - t) * length);
                t = leave;
            }
            if t >= 1.0 {
                break;
            }
            // H3 assigns points by its own projection, which may differ from the straight
            // outline by a hair: step further until the point is in another cell.
            let mut step = 1e-9;
            loop {
                let beyond = (t + step).min(1.0);
                let next = cell_of(at(beyond), self.resolution);
                if next != cell {
                    cell = next;
                    break;
                }
                if beyond >= 1.0 {
                    visit(cell, (1.0 - t) * length);
                    t = 1.0;
                    break;
                }
                step *= 10.0;
            }
            if t >= 1.0 {
                break;
            }
        }
        self.cell = Some(cell);
    }
}

/// Signed area (shoelace) of a ring given with or without its closing vertex.
pub(super) fn ring_area(ring: &[Coord<f64>]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    let mut twice = 0.0;
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        twice += p.x * q.y - q.x * p.y;
    }
    twice / 2.0
}

fn cross(o: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

/// The stretch `[enter, leave]` (fractions of the way from `a` to `b`) of the segment inside
/// the convex counter-clockwise polygon `convex` (Cyrus-Beck), if any.
fn clip_segment(a: Coord<f64>, b: Coord<f64>, convex: &[Coord<f64>]) -> Option<(f64, f64)> {
    let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
    let n = convex.len();
    for i in 0..n {
        let (p, q) = (convex[i], convex[(i + 1) % n]);
        // Inside is to the left of p→q: cross(p, q, x) >= 0, linear in t along a→b.
        let at_a = cross(p, q, a);
        let at_b = cross(p, q, b);
        let slope = at_b - at_a;
        if slope == 0.0 {
            if at_a < 0.0 {
                return None;
            }
        } else {
            let t = -at_a / slope;
            if slope > 0.0 {
                enter = enter.max(t);
            } else {
                leave = leave.min(t);
            }
        }
        if enter >= leave {
            return None;
        }
    }
    Some((enter, leave))
}

/// The part of `ring` inside the convex counter-clockwise polygon `convex`
/// (Sutherland-Hodgman). The result may have zero-width connecting edges where the ring
/// leaves and re-enters the cell; they add no area, which is all it is used for.
fn clip_ring(ring: &[Coord<f64>], convex: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let mut output: Vec<Coord<f64>> = ring.to_vec();
    if output.first() == output.last() {
        output.pop();
    }
    let mut input = Vec::with_capacity(output.len());
    let n = convex.len();
    for i in 0..n {
        if output.is_empty() {
            break;
        }
        let (p, q) = (convex[i], convex[(i + 1) % n]);
        std::mem::swap(&mut input, &mut output);
        output.clear();
        let mut previous = *input.last().expect("checked non-empty");
        let mut previous_side = cross(p, q, previous);
        for &current in &input {
            let side = cross(p, q, current);
            if side >= 0.0 {
                if previous_side < 0.0 {
                    output.push(crossing(previous, current, previous_side, side));
                }
                output.push(current);
            } else if previous_side >= 0.0 {
                output.push(crossing(previous, current, previous_side, side));
            }
            previous = current;
            previous_side = side;
        }
    }
    output
}

/// Where the segment from `a` (signed distance `da`) to `b` (`db`) crosses a clip line.
fn crossing(a: Coord<f64>, b: Coord<f64>, da: f64, db: f64) -> Coord<f64> {
    let t = da / (da - db);
    Coord {
        x: a.x + t * (b.x - a.x),
        y: a.y + t * (b.y - a.y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    const RES: Resolution = Resolution::Nine;

    fn total(shares: &Shares) -> f64 {
        shares.iter().map(|(_, s)| s).sum()
    }

    fn centre(cell: CellIndex) -> Coord<f64> {
        centre_of(cell)
    }

    fn home() -> CellIndex {
        cell_of(
            Coord {
                x: -58.40,
                y: -34.76,
            },
            RES,
        )
    }

    #[test]
    fn a_point_counts_whole_in_its_cell() {
        let cell = home();
        let shares = shares(&Geometry::Point(Point(centre(cell))), RES);
        assert_eq!(shares, vec![(cell, 1.0)]);
    }

    #[test]
    fn a_polygon_split_evenly_across_two_cells_gives_half_to_each() {
        // A small square centred on the midpoint of the edge two neighbouring cells share,
        // aligned with that edge: half of it lies on each side.
        let a = home();
        let boundary = a.boundary();
        let (p, q) = (boundary[0], boundary[1]);
        let mid = Coord {
            x: (p.lng() + q.lng()) / 2.0,
            y: (p.lat() + q.lat()) / 2.0,
        };
        // Unit vectors along and across the shared edge, in the local plane.
        let frame = Frame::at(mid.y);
        let (ex, ey) = ((q.lng() - p.lng()) * frame.x_scale, q.lat() - p.lat());
        let norm = ex.hypot(ey);
        let (ux, uy) = (ex / norm, ey / norm);
        let (vx, vy) = (-uy, ux);
        let h = 0.0001; // about 11 m: far smaller than the 174 m edge
        let corner = |s: f64, t: f64| Coord {
            x: mid.x + (s * ux + t * vx) * h / frame.x_scale,
            y: mid.y + (s * uy + t * vy) * h,
        };
        let square = Polygon::new(
            LineString::new(vec![
                corner(-1.0, -1.0),
                corner(1.0, -1.0),
                corner(1.0, 1.0),
                corner(-1.0, 1.0),
                corner(-1.0, -1.0),
            ]),
            vec![],
        );
        let shares = shares(&Geometry::Polygon(square), RES);
        assert_eq!(shares.len(), 2, "{shares:?}");
        assert!(shares.iter().any(|(c, _)| *c == a));
        for (_, share) in &shares {
            assert!((share - 0.5).abs() < 1e-3, "{shares:?}");
        }
        assert!((total(&shares) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_polygon_inside_one_cell_counts_whole_there() {
        let c = centre(home());
        let d = 0.0002;
        let tiny = polygon![
            (x: c.x - d, y: c.y - d), (x: c.x + d, y: c.y - d),
            (x: c.x + d, y: c.y + d), (x: c.x - d, y: c.y + d),
        ];
        assert_eq!(shares(&Geometry::Polygon(tiny), RES), vec![(home(), 1.0)]);
    }

    #[test]
    fn a_hole_takes_its_area_away() {
        // A large square with a hole over its centre cell: that cell gets less than a
        // fully covered neighbour.
        let c = centre(home());
        let (big, hole) = (0.01, 0.0008);
        let square = |d: f64| {
            LineString::new(vec![
                Coord {
                    x: c.x - d,
                    y: c.y - d,
                },
                Coord {
                    x: c.x + d,
                    y: c.y - d,
                },
                Coord {
                    x: c.x + d,
                    y: c.y + d,
                },
                Coord {
                    x: c.x - d,
                    y: c.y + d,
                },
                Coord {
                    x: c.x - d,
                    y: c.y - d,
                },
            ])
        };
        let polygon = Polygon::new(square(big), vec![square(hole)]);
        let shares = shares(&Geometry::Polygon(polygon), RES);
        let of = |cell: CellIndex| shares.iter().find(|(c, _)| *c == cell).map(|s| s.1);
        let neighbour = home()
            .grid_ring_fast(3)
            .flatten()
            .next()
            .expect("a ring of cells");
        let centre_share = of(home()).unwrap_or(0.0);
        let neighbour_share = of(neighbour).expect("the neighbour is covered");
        assert!(
            centre_share < neighbour_share * 0.9,
            "{centre_share} {neighbour_share}"
        );
        assert!((total(&shares) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_line_crossing_three_cells_splits_by_length() {
        // From the centre of one cell, through a neighbour, to the centre of the next one in
        // line: half a cell, a whole cell crossing, half a cell.
        let a = home();
        let b = a.grid_ring_fast(1).flatten().next().expect("a neighbour");
        let ca = centre(a);
        let cb = centre(b);
        let cc = Coord {
            x: 2.0 * cb.x - ca.x,
            y: 2.0 * cb.y - ca.y,
        };
        let line = LineString::new(vec![ca, cc]);
        let shares = shares(&Geometry::LineString(line), RES);
        assert_eq!(shares.len(), 3, "{shares:?}");
        let of = |cell: CellIndex| shares.iter().find(|(c, _)| *c == cell).map_or(0.0, |s| s.1);
        let c = cell_of(cc, RES);
        assert!((of(a) - 0.25).abs() < 0.01, "{shares:?}");
        assert!((of(b) - 0.5).abs() < 0.01, "{shares:?}");
        assert!((of(c) - 0.25).abs() < 0.01, "{shares:?}");
        assert!((total(&shares) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn clipping_a_segment_to_a_square() {
        let square = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 1.0, y: 0.0 },
            Coord { x: 1.0, y: 1.0 },
            Coord { x: 0.0, y: 1.0 },
        ];
        let inside = clip_segment(Coord { x: -1.0, y: 0.5 }, Coord { x: 3.0, y: 0.5 }, &square);
        assert_eq!(inside, Some((0.25, 0.5)));
        let outside = clip_segment(Coord { x: -1.0, y: 2.0 }, Coord { x: 3.0, y: 2.0 }, &square);
        assert_eq!(outside, None);
        // A ring half in the square keeps half its area.
        let ring = [
            Coord { x: -0.5, y: 0.0 },
            Coord { x: 0.5, y: 0.0 },
            Coord { x: 0.5, y: 1.0 },
            Coord { x: -0.5, y: 1.0 },
        ];
        assert!((ring_area(&clip_ring(&ring, &square)) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn degenerate_lines_count_where_they_start() {
        let c = centre(home());
        let line = LineString::new(vec![c, c]);
        assert_eq!(
            shares(&Geometry::LineString(line), RES),
            vec![(home(), 1.0)]
        );
    }
}
