//! Getis-Ord Gi*: where high scores cluster more than chance would put them.
//!
//! For a cell i with neighbourhood N(i) (the cells within the ring distance, i itself
//! included, binary weights), over a study area of n cells with mean x̄ and standard
//! deviation S:
//!
//! ```text
//! Gi* = (Σ_{j∈N(i)} x_j − x̄·W_i) / (S · √((n·W_i − W_i²) / (n − 1))),   W_i = |N(i)|
//! ```
//!
//! The z-score is Gi* itself; the p-value is two-sided from the normal distribution.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// The Gi* statistic of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HotSpot {
    pub z: f64,
    pub p: f64,
    /// 99, 95 or 90 when the cell is a significant hot or cold spot at that confidence.
    pub confidence: Option<u8>,
    /// `hot` (z > 0) or `cold` (z < 0) when significant.
    pub spot: Option<Spot>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Spot {
    Hot,
    Cold,
}

impl HotSpot {
    const NONE: HotSpot = HotSpot {
        z: 0.0,
        p: 1.0,
        confidence: None,
        spot: None,
    };

    fn from_z(z: f64) -> Self {
        let p = libm::erfc(z.abs() / std::f64::consts::SQRT_2);
        let confidence = if z.abs() >= 2.5758 {
            Some(99)
        } else if z.abs() >= 1.96 {
            Some(95)
        } else if z.abs() >= 1.6449 {
            Some(90)
        } else {
            None
        };
        let spot = confidence.map(|_| if z > 0.0 { Spot::Hot } else { Spot::Cold });
        HotSpot {
            z,
            p,
            confidence,
            spot,
        }
    }

    /// Hot at this confidence or more.
    pub fn is_hot_at(&self, confidence: u8) -> bool {
        self.spot == Some(Spot::Hot) && self.confidence.is_some_and(|c| c >= confidence)
    }
}

/// Gi* for every cell of a study area. `values` holds every cell of the area (zeros
/// included); `neighbours(i)` lists the cells around i, i included; neighbours outside the
/// study area are ignored.
pub fn getis_ord<K, N>(values: &HashMap<K, f64>, neighbours: N) -> HashMap<K, HotSpot>
where
    K: Copy + Eq + Hash,
    N: Fn(K) -> Vec<K>,
{
    let n = values.len() as f64;
    if values.len() < 2 {
        return values.keys().map(|k| (*k, HotSpot::NONE)).collect();
    }
    let mean = values.values().sum::<f64>() / n;
    let variance = values.values().map(|x| x * x).sum::<f64>() / n - mean * mean;
    let s = variance.max(0.0).sqrt();
    values
        .keys()
        .map(|&cell| {
            let (mut sum, mut weights) = (0.0, 0.0);
            for j in neighbours(cell) {
                if let Some(x) = values.get(&j) {
                    sum += x;
                    weights += 1.0;
                }
            }
            let spread = (n * weights - weights * weights) / (n - 1.0);
            // No variation, or a neighbourhood that is the whole area: nothing stands out.
            if s <= f64::EPSILON * mean.abs().max(1.0) || spread <= 0.0 {
                return (cell, HotSpot::NONE);
            }
            let z = (sum - mean * weights) / (s * spread.sqrt());
            (cell, HotSpot::from_z(z))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of 9 cells, each the neighbour of the next, values peaking in the middle.
    /// Expected values computed by hand from the formula in the module documentation:
    /// n = 9, Σx = 20, x̄ = 20/9, Σx² = 92, S = √(92/9 − 400/81) = √(428/81) = 2.29868.
    /// Cell 4: N = {3,4,5}, Σ = 14, W = 3:
    ///   (14 − 3·20/9) / (2.29868 · √((27 − 9)/8)) = 7.33333 / (2.29868 · 1.5) = 2.12682,
    ///   p = erfc(2.12682/√2) = 0.03344.
    /// Cell 0: N = {0,1}, Σ = 0, W = 2:
    ///   (0 − 2·20/9) / (2.29868 · √((18 − 4)/8)) = −4.44444 / (2.29868 · 1.32288) = −1.46157.
    #[test]
    fn gi_star_on_a_row_matches_the_hand_computation() {
        let xs = [0.0, 0.0, 1.0, 3.0, 8.0, 3.0, 1.0, 2.0, 2.0];
        let values: HashMap<i32, f64> =
            xs.iter().enumerate().map(|(i, x)| (i as i32, *x)).collect();
        let result = getis_ord(&values, |i| vec![i - 1, i, i + 1]);
        assert!((result[&4].z - 2.12682).abs() < 1e-4, "{:?}", result[&4]);
        assert!((result[&0].z - -1.46157).abs() < 1e-4, "{:?}", result[&0]);
        assert_eq!(result[&4].confidence, Some(95));
        assert_eq!(result[&4].spot, Some(Spot::Hot));
        assert!((result[&4].p - 0.03344).abs() < 1e-4);
        assert_eq!(result[&0].confidence, None);
        assert!(result[&4].is_hot_at(95) && !result[&4].is_hot_at(99));
    }

    #[test]
    fn a_flat_area_has_no_hot_spots() {
        let values: HashMap<i32, f64> = (0..10).map(|i| (i, 2.0)).collect();
        let result = getis_ord(&values, |i| vec![i - 1, i, i + 1]);
        assert!(result.values().all(|h| h.z == 0.0 && h.spot.is_none()));
    }

    #[test]
    fn p_values_follow_the_normal_distribution() {
        assert!((HotSpot::from_z(1.96).p - 0.05).abs() < 1e-3);
        assert!((HotSpot::from_z(-2.5758).p - 0.01).abs() < 1e-4);
        assert_eq!(HotSpot::from_z(-3.0).spot, Some(Spot::Cold));
    }
}
