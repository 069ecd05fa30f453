//! A printed sheet found again in a phone's photo (issue 29, "bring the sheets back"): its
//! fiducial marks (AprilTag tag36h11, found by the AprilTag 3 library the `apriltag` crate
//! bundles) say which sheet it is and where its corners are; a homography fitted by least
//! squares to the marks' corners (up to 16) maps the paper onto the photo, and the photo is
//! warped back onto the sheet's map frame: a straightened picture whose every pixel has a
//! place on the ground (`domain::paper::Sheet::ground_at`).
//!
//! Positions: paper in millimetres from the sheet's top-left (as `domain::paper`), photo in
//! pixels from its top-left.

use image::{GrayImage, RgbImage};
use nalgebra::{DMatrix, Matrix3, Vector3};

use super::tag_squares;
use crate::domain::paper::PaperRect;

/// Most pixels a photo may have (a 48-megapixel phone's): a bound on the detector's memory.
pub const MAX_PIXELS: u64 = 50_000_000;

/// A 3 × 3 homography, row by row: paper (mm) → photo (px).
pub type Homography = [f64; 9];

/// Where a sheet is in a photo.
#[derive(Debug, Clone)]
pub struct Located {
    /// The sheet's place in its print (its marks' `id / 4`).
    pub sheet_index: u32,
    /// The corners whose marks were found (0 top-left, clockwise).
    pub corners: Vec<u32>,
    pub paper_to_photo: Homography,
    /// Root mean square of the fit's residuals at the marks' corners, in photo pixels.
    pub residual_px: f64,
}

/// Why a photo's sheet could not be placed: what a facilitator is told before pinning its
/// corners by hand.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unreadable {
    #[error("the photo has {0} pixels; at most {MAX_PIXELS} are read")]
    TooLarge(u64),
    #[error("no corner mark of a Trama sheet is in the photo")]
    NoMarks,
    #[error("the photo shows marks of several sheets ({0:?}): photograph one sheet at a time")]
    SeveralSheets(Vec<u32>),
    #[error("only {} of the sheet's 4 corner marks were found (corners {:?}): at least 3 are needed", .0.len(), .0)]
    TooFewMarks(Vec<u32>),
}

/// Finds the sheet in `photo` (grey), printed on pages of `page_mm`.
///
/// # Errors
/// [`Unreadable`], saying what was found.
pub fn locate(photo: &GrayImage, page_mm: (f64, f64)) -> Result<Located, Unreadable> {
    let pixels = u64::from(photo.width()) * u64::from(photo.height());
    if pixels > MAX_PIXELS {
        return Err(Unreadable::TooLarge(pixels));
    }
    let (width, height) = (photo.width() as usize, photo.height() as usize);
    let mut image = apriltag::Image::zeros_with_stride(width, height, width)
        .map_err(|_| Unreadable::NoMarks)?;
    for (x, y, pixel) in photo.enumerate_pixels() {
        image[(x as usize, y as usize)] = pixel.0[0];
    }
    let Ok(mut detector) = apriltag::Detector::builder()
        .add_family_bits(apriltag::families::Tag36h11::default(), 1)
        .build()
    else {
        return Err(Unreadable::NoMarks);
    };
    let detections = detector.detect(&image);
    if detections.is_empty() {
        return Err(Unreadable::NoMarks);
    }
    // Marks per sheet; a stray detection (a pictogram read as a mark) is outvoted by the
    // sheet whose marks are found. Several sheets only when two have 3 marks each.
    let mut per_sheet: std::collections::BTreeMap<u32, std::collections::BTreeSet<u32>> =
        std::collections::BTreeMap::new();
    for d in &detections {
        per_sheet
            .entry((d.id() / 4) as u32)
            .or_default()
            .insert((d.id() % 4) as u32);
    }
    let complete: Vec<u32> = per_sheet
        .iter()
        .filter(|(_, corners)| corners.len() >= 3)
        .map(|(sheet, _)| *sheet)
        .collect();
    if complete.len() > 1 {
        return Err(Unreadable::SeveralSheets(complete));
    }
    let Some(sheet_index) = per_sheet
        .iter()
        .max_by_key(|(_, corners)| corners.len())
        .map(|(sheet, _)| *sheet)
    else {
        return Err(Unreadable::NoMarks);
    };
    let mut found: Vec<(u32, [[f64; 2]; 4])> = detections
        .iter()
        .filter(|d| (d.id() / 4) as u32 == sheet_index)
        .map(|d| ((d.id() % 4) as u32, d.corners()))
        .collect();
    found.sort_by_key(|(corner, _)| *corner);
    found.dedup_by_key(|(corner, _)| *corner);
    let corners: Vec<u32> = found.iter().map(|(c, _)| *c).collect();
    if found.len() < 3 {
        return Err(Unreadable::TooFewMarks(corners));
    }
    // Each mark's square on the paper, its corners clockwise from the top-left (y down).
    let squares = tag_squares(page_mm);
    let on_paper = |corner: u32| {
        let (x, y, side) = squares[corner as usize];
        [(x, y), (x + side, y), (x + side, y + side), (x, y + side)]
    };
    // The detector names a mark's corners in its own order; which of the eight ways round
    // fits all the marks at once is the one the library uses (it is fixed, so one fit wins
    // by far).
    let mut best: Option<(f64, Homography)> = None;
    for reversed in [false, true] {
        for rotation in 0..4 {
            let (mut paper, mut photo) = (Vec::new(), Vec::new());
            for (corner, detected) in &found {
                for (k, point) in on_paper(*corner).into_iter().enumerate() {
                    let i = if reversed {
                        (4 - k + rotation) % 4
                    } else {
                        (k + rotation) % 4
                    };
                    paper.push(point);
                    photo.push((detected[i][0], detected[i][1]));
                }
            }
            if let Some(h) = homography(&paper, &photo) {
                let residual = rms(&h, &paper, &photo);
                if best.as_ref().is_none_or(|(r, _)| residual < *r) {
                    best = Some((residual, h));
                }
            }
        }
    }
    let (residual_px, paper_to_photo) = best.ok_or(Unreadable::NoMarks)?;
    Ok(Located {
        sheet_index,
        corners,
        paper_to_photo,
        residual_px,
    })
}

/// Root mean square distance, in `to`'s units, between `h` of each `from` and its `to`.
fn rms(h: &Homography, from: &[(f64, f64)], to: &[(f64, f64)]) -> f64 {
    let sum: f64 = from
        .iter()
        .zip(to)
        .map(|(a, b)| {
            let (x, y) = apply(h, *a);
            (x - b.0).powi(2) + (y - b.1).powi(2)
        })
        .sum();
    (sum / from.len().max(1) as f64).sqrt()
}

/// The homography mapping `from` onto `to` best in the least-squares sense (the direct linear
/// transform on Hartley-normalised points, solved by nalgebra's SVD); None for fewer than 4
/// pairs, a point that is not a number, or an SVD that does not converge. Points in a line
/// give a degenerate answer: callers fit the marks' corners, never in a line.
pub fn homography(from: &[(f64, f64)], to: &[(f64, f64)]) -> Option<Homography> {
    if from.len() < 4
        || from.len() != to.len()
        || !from
            .iter()
            .chain(to)
            .all(|p| p.0.is_finite() && p.1.is_finite())
    {
        return None;
    }
    let (t_from, t_to) = (normalising(from)?, normalising(to)?);
    // At least 9 rows (zeros past the equations): a thin SVD of fewer rows than columns
    // leaves out the null vector, which is the answer for four exact pairs.
    let mut a = DMatrix::<f64>::zeros((2 * from.len()).max(9), 9);
    for (i, (p, q)) in from.iter().zip(to).enumerate() {
        let p = t_from * Vector3::new(p.0, p.1, 1.0);
        let q = t_to * Vector3::new(q.0, q.1, 1.0);
        let (x, y, u, v) = (p.x / p.z, p.y / p.z, q.x / q.z, q.y / q.z);
        let rows = [
            [-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u],
            [0.0, 0.0, 0.0, -x, -y, -1.0, v * x, v * y, v],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                a[(2 * i + r, c)] = *value;
            }
        }
    }
    // The right singular vector of the smallest singular value: the last row of Vᵀ.
    let svd = a.try_svd(false, true, f64::EPSILON, 10_000)?;
    let v_t = svd.v_t?;
    let smallest = (0..svd.singular_values.len())
        .min_by(|&i, &j| svd.singular_values[i].total_cmp(&svd.singular_values[j]))?;
    let h = v_t.row(smallest);
    let normalised = Matrix3::new(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]);
    let full = t_to.try_inverse()? * normalised * t_from;
    let scale = full[(2, 2)];
    if scale.abs() < f64::EPSILON {
        return None;
    }
    let full = full / scale;
    Some([
        full[(0, 0)],
        full[(0, 1)],
        full[(0, 2)],
        full[(1, 0)],
        full[(1, 1)],
        full[(1, 2)],
        full[(2, 0)],
        full[(2, 1)],
        full[(2, 2)],
    ])
}

/// Hartley's normalisation: the points' centroid to the origin, their mean distance √2.
fn normalising(points: &[(f64, f64)]) -> Option<Matrix3<f64>> {
    let n = points.len() as f64;
    let (cx, cy) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p.0 / n, y + p.1 / n));
    let mean = points
        .iter()
        .map(|p| ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt())
        .sum::<f64>()
        / n;
    if mean < f64::EPSILON {
        return None;
    }
    let s = std::f64::consts::SQRT_2 / mean;
    Some(Matrix3::new(
        s,
        0.0,
        -s * cx,
        0.0,
        s,
        -s * cy,
        0.0,
        0.0,
        1.0,
    ))
}

/// `h` of a point.
pub fn apply(h: &Homography, (x, y): (f64, f64)) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / w,
        (h[3] * x + h[4] * y + h[5]) / w,
    )
}

/// The sheet's map `frame` straightened out of `photo`, at `px_per_mm`: each pixel the
/// photo's (bilinear) at the paper point it stands for; outside the photo, white. Written
/// here because it is one loop over the output (an image crate's warp would bring a larger
/// tree for it).
pub fn rectify(photo: &RgbImage, located: &Located, frame: PaperRect, px_per_mm: f64) -> RgbImage {
    // At most MAX_PIXELS out, whatever resolution is asked.
    let area = frame.width * frame.height;
    let px_per_mm = px_per_mm
        .min((MAX_PIXELS as f64 / area.max(1.0)).sqrt())
        .max(0.1);
    // The side of the plane the sheet is on: a point whose projective weight has the other
    // sign is behind the camera, not on the sheet.
    let h = &located.paper_to_photo;
    let centre = (frame.x + frame.width / 2.0, frame.y + frame.height / 2.0);
    let side = (h[6] * centre.0 + h[7] * centre.1 + h[8]).signum();
    let (width, height) = (
        (frame.width * px_per_mm).round().max(1.0) as u32,
        (frame.height * px_per_mm).round().max(1.0) as u32,
    );
    RgbImage::from_fn(width, height, |i, j| {
        let paper = (
            frame.x + (f64::from(i) + 0.5) / px_per_mm,
            frame.y + (f64::from(j) + 0.5) / px_per_mm,
        );
        let w = h[6] * paper.0 + h[7] * paper.1 + h[8];
        if w * side <= 1e-12 {
            return image::Rgb([255, 255, 255]);
        }
        let (x, y) = apply(h, paper);
        bilinear(photo, x - 0.5, y - 0.5).unwrap_or(image::Rgb([255, 255, 255]))
    })
}

fn bilinear(photo: &RgbImage, x: f64, y: f64) -> Option<image::Rgb<u8>> {
    // Bounds in floating point first: a far point must not saturate a cast.
    if !(x >= 0.0
        && y >= 0.0
        && x + 1.0 < f64::from(photo.width())
        && y + 1.0 < f64::from(photo.height()))
    {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    if x0 + 1 >= photo.width() || y0 + 1 >= photo.height() {
        return None;
    }
    let (fx, fy) = (x - f64::from(x0), y - f64::from(y0));
    let p = |dx: u32, dy: u32| photo.get_pixel(x0 + dx, y0 + dy).0;
    let (a, b, c, d) = (p(0, 0), p(1, 0), p(0, 1), p(1, 1));
    let mut out = [0u8; 3];
    for k in 0..3 {
        let top = f64::from(a[k]) * (1.0 - fx) + f64::from(b[k]) * fx;
        let bottom = f64::from(c[k]) * (1.0 - fx) + f64::from(d[k]) * fx;
        out[k] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    Some(image::Rgb(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_homography_is_fitted_back_from_its_points() {
        let truth: Homography = [1.8, 0.2, 40.0, -0.15, 2.1, 25.0, 0.0004, -0.0002, 1.0];
        let from: Vec<(f64, f64)> = [
            (10.0, 10.0),
            (400.0, 12.0),
            (395.0, 280.0),
            (12.0, 285.0),
            (200.0, 150.0),
            (60.0, 220.0),
        ]
        .into_iter()
        .collect();
        let to: Vec<(f64, f64)> = from.iter().map(|p| apply(&truth, *p)).collect();
        let fitted = homography(&from, &to).expect("a fit");
        for p in &from {
            let (a, b) = (apply(&truth, *p), apply(&fitted, *p));
            assert!(
                (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
                "{a:?} {b:?}"
            );
        }
        assert!(homography(&from[..3], &to[..3]).is_none());
    }
}
