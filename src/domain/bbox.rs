//! Axis-aligned bounding boxes in WGS84 longitude/latitude degrees.

use super::Invalid;

/// A bounding box in WGS84 degrees: `min_x`/`max_x` are longitudes, `min_y`/`max_y` latitudes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl BBox {
    /// Parses the `bbox=minx,miny,maxx,maxy` query form of OGC API Features and RFC 7946 §5.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let invalid = |detail: &str| Invalid::new("/bbox", detail);
        let parts: Vec<f64> = text
            .split(',')
            .map(|part| part.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| invalid("bbox must be four numbers: minLon,minLat,maxLon,maxLat"))?;
        let [min_x, min_y, max_x, max_y] = parts[..] else {
            return Err(invalid(
                "bbox must be four numbers: minLon,minLat,maxLon,maxLat",
            ));
        };
        if !parts.iter().all(|v| v.is_finite()) {
            return Err(invalid("bbox values must be finite"));
        }
        if !(-180.0..=180.0).contains(&min_x) || !(-180.0..=180.0).contains(&max_x) {
            return Err(invalid("bbox longitudes must be between -180 and 180"));
        }
        if !(-90.0..=90.0).contains(&min_y) || !(-90.0..=90.0).contains(&max_y) {
            return Err(invalid("bbox latitudes must be between -90 and 90"));
        }
        if min_x > max_x || min_y > max_y {
            return Err(invalid(
                "bbox minimum must not exceed maximum (boxes across the antimeridian are not supported)",
            ));
        }
        Ok(Self {
            min_x,
            min_y,
            max_x,
            max_y,
        })
    }

    pub fn intersects(&self, other: &BBox) -> bool {
        self.min_x <= other.max_x
            && other.min_x <= self.max_x
            && self.min_y <= other.max_y
            && other.min_y <= self.max_y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bbox_is_parsed_from_four_numbers() {
        let bbox = BBox::parse("-58.5,-34.8,-58.3,-34.7").expect("valid");
        assert_eq!(bbox.min_x, -58.5);
        assert_eq!(bbox.max_y, -34.7);
    }

    #[test]
    fn a_bbox_with_three_numbers_or_swapped_corners_is_refused() {
        assert!(BBox::parse("1,2,3").is_err());
        assert!(BBox::parse("1,2,0,3").is_err());
        assert!(BBox::parse("a,b,c,d").is_err());
        assert!(BBox::parse("0,0,200,1").is_err());
    }

    #[test]
    fn boxes_that_touch_intersect() {
        let a = BBox::parse("0,0,1,1").expect("valid");
        let b = BBox::parse("1,1,2,2").expect("valid");
        let c = BBox::parse("1.5,0,2,0.5").expect("valid");
        assert!(a.intersects(&b));
        assert!(!a.intersects(&c));
    }
}
