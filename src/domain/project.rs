//! Projects: the frame of a mapping programme (territory, theme, language).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::geometry::{FeatureGeometry, GeometryKind};
use super::legend::is_locale_tag;
use super::{Invalid, bounded_text};

#[derive(Debug, Clone)]
pub struct Project {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub default_locale: String,
    /// The project's territory, when drawn: a polygon in WGS84.
    pub area: Option<FeatureGeometry>,
    /// Who, beside analysts, admins and the author, sees sensitive drawings exactly.
    pub sensitive_exact: SensitiveView,
    /// The finest masking a researcher's export may have; they may ask only for coarser.
    pub masking: super::export::Masking,
    /// Most items one file imported into this project may hold; `None`: the server's
    /// `--import-max-items` (see `FeatureLimits::max_import_items`).
    pub import_max_items: Option<u32>,
    /// How long raw drawings are kept after each workshop ended; `None`: kept until deleted.
    pub retention: Option<super::retention::Retention>,
    /// What one photo or voice note may be (`None`s: the server's defaults).
    pub attachment_limits: super::attachment::AttachmentLimits,
    pub created_at: DateTime<Utc>,
}

/// Who sees a sensitive drawing's exact geometry beside analysts, admins and its author: a
/// project's policy, chosen by an analyst or admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SensitiveView {
    /// Nobody else: the other tables, the facilitator and the projected wall see the cell.
    /// The default, as the domain says: exact locations are for those who act on them.
    #[default]
    Analysts,
    /// Also the workshop it was drawn in (its tables and its facilitator, and so the wall):
    /// for a closed session whose people may all see it.
    Workshop,
}

impl SensitiveView {
    pub fn as_str(self) -> &'static str {
        match self {
            SensitiveView::Analysts => "analysts",
            SensitiveView::Workshop => "workshop",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "analysts" => Some(SensitiveView::Analysts),
            "workshop" => Some(SensitiveView::Workshop),
            _ => None,
        }
    }
}

/// Most a drawing may span, in degrees of longitude or latitude, in a project without an area:
/// about 110 km, a whole district and its surroundings.
const SPAN_WITHOUT_AREA: f64 = 1.0;

impl Project {
    /// The bounds of its area, `[west, south, east, north]` (WGS84 degrees), when it has one.
    pub fn area_bounds(&self) -> Option<[f64; 4]> {
        let b = self.area.as_ref()?.bbox();
        Some([b.min_x, b.min_y, b.max_x, b.max_y])
    }

    /// Refuses a drawing far larger than the project's territory: wider or taller than twice
    /// its area's extent (or than `SPAN_WITHOUT_AREA` without an area). A participant's
    /// 3°×3° polygon made one analysis take 47 s and 10 GB; nothing so large is drawn in a
    /// workshop about a district. Only the size counts, not the place: a drawing outside the
    /// area is allowed (an import warns of it). `pointer` locates it in the request.
    pub fn admits(&self, geometry: &FeatureGeometry, pointer: &str) -> Result<(), Invalid> {
        let drawn = geometry.bbox();
        let (width, height) = (drawn.max_x - drawn.min_x, drawn.max_y - drawn.min_y);
        let (max_width, max_height) = match &self.area {
            Some(area) => {
                let area = area.bbox();
                (
                    2.0 * (area.max_x - area.min_x).max(0.01),
                    2.0 * (area.max_y - area.min_y).max(0.01),
                )
            }
            None => (SPAN_WITHOUT_AREA, SPAN_WITHOUT_AREA),
        };
        if width <= max_width && height <= max_height {
            return Ok(());
        }
        let km = |degrees: f64| degrees * 111.32;
        Err(Invalid::new(
            format!("{pointer}/geometry"),
            format!(
                "the drawing spans {:.0} × {:.0} km, larger than the {:.0} × {:.0} km a drawing of \"{}\" may span{}: draw it smaller, in parts",
                km(width) * (drawn.min_y.to_radians().cos()),
                km(height),
                km(max_width) * (drawn.min_y.to_radians().cos()),
                km(max_height),
                self.name,
                if self.area.is_some() {
                    " (twice its area)"
                } else {
                    ""
                }
            ),
        ))
    }
}

/// The body of `POST /api/projects`, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProjectRequest {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub default_locale: Option<String>,
    #[serde(default)]
    pub area: Option<Value>,
    #[serde(default)]
    pub sensitive_exact: SensitiveView,
}

impl NewProjectRequest {
    /// Validates into a project with a fresh id.
    pub fn into_project(self, now: DateTime<Utc>) -> Result<Project, Vec<Invalid>> {
        let mut errors = Vec::new();
        if !is_valid_slug(&self.slug) {
            errors.push(Invalid::new(
                "/slug",
                "slug must be 2-64 characters of a-z, 0-9 and '-', starting with a letter",
            ));
        }
        let name = bounded_text(Some(&self.name), 200, "/name", &mut errors);
        if name.is_none() && errors.iter().all(|e| e.pointer != "/name") {
            errors.push(Invalid::new("/name", "a name is needed"));
        }
        let description = bounded_text(
            self.description.as_deref(),
            5000,
            "/description",
            &mut errors,
        );
        let default_locale = self.default_locale.unwrap_or_else(|| "es-AR".to_owned());
        if !is_locale_tag(&default_locale) {
            errors.push(Invalid::new(
                "/default_locale",
                "default_locale must be a locale tag such as es-AR or en",
            ));
        }
        let area = match &self.area {
            None | Some(Value::Null) => None,
            Some(value) => match FeatureGeometry::from_geojson(value, "/area", 100_000) {
                Ok(g) if g.kind() == GeometryKind::Polygon => Some(g),
                Ok(_) => {
                    errors.push(Invalid::new(
                        "/area",
                        "the area must be a Polygon or MultiPolygon",
                    ));
                    None
                }
                Err(mut problems) => {
                    errors.append(&mut problems);
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Project {
            id: Uuid::new_v4(),
            slug: self.slug,
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            default_locale,
            area,
            sensitive_exact: self.sensitive_exact,
            masking: super::export::Masking::default(),
            import_max_items: None,
            retention: None,
            attachment_limits: Default::default(),
            created_at: now,
        })
    }
}

pub fn is_valid_slug(slug: &str) -> bool {
    (2..=64).contains(&slug.len())
        && slug.starts_with(|c: char| c.is_ascii_lowercase())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(value: Value) -> NewProjectRequest {
        serde_json::from_value(value).expect("shape")
    }

    #[test]
    fn a_project_defaults_to_argentine_spanish() {
        let p = request(json!({"slug": "lomas", "name": "Lomas de Zamora"}))
            .into_project(Utc::now())
            .expect("valid");
        assert_eq!(p.default_locale, "es-AR");
        assert!(p.area.is_none());
    }

    #[test]
    fn a_bad_slug_and_a_point_area_are_both_reported() {
        let errors = request(json!({"slug": "Lomas de Zamora", "name": "x",
            "area": {"type": "Point", "coordinates": [0, 0]}}))
        .into_project(Utc::now())
        .unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/slug", "/area"]);
    }

    #[test]
    fn a_blank_name_is_refused() {
        let errors = request(json!({"slug": "ab", "name": "  "}))
            .into_project(Utc::now())
            .unwrap_err();
        assert_eq!(errors[0].pointer, "/name");
    }

    #[test]
    fn a_drawing_far_larger_than_the_project_is_refused_wherever_it_is() {
        let lomas = request(json!({"slug": "lomas", "name": "Lomas de Zamora",
            "area": {"type": "Polygon", "coordinates": [[[-58.53, -34.84], [-58.33, -34.84],
                [-58.33, -34.68], [-58.53, -34.68], [-58.53, -34.84]]]}}))
        .into_project(Utc::now())
        .expect("valid");
        let square = |x: f64, y: f64, side: f64| {
            FeatureGeometry::from_geojson(
                &json!({"type": "Polygon", "coordinates": [[[x, y], [x + side, y],
                    [x + side, y + side], [x, y + side], [x, y]]]}),
                "",
                100,
            )
            .expect("valid")
        };
        assert!(
            lomas
                .admits(&square(-58.45, -34.75, 0.05), "/features/0")
                .is_ok()
        );
        // Small, far away: the place is not the rule (an import warns of it).
        assert!(lomas.admits(&square(-3.7, 40.4, 0.01), "").is_ok());
        let refused = lomas
            .admits(&square(-60.0, -36.0, 3.0), "/features/0")
            .unwrap_err();
        assert_eq!(refused.pointer, "/features/0/geometry");
        assert!(
            refused.detail.contains("Lomas de Zamora"),
            "{}",
            refused.detail
        );
        let nowhere = request(json!({"slug": "ab", "name": "Sin área"}))
            .into_project(Utc::now())
            .expect("valid");
        assert!(nowhere.admits(&square(-58.9, -34.9, 0.9), "").is_ok());
        assert!(nowhere.admits(&square(-60.0, -36.0, 3.0), "").is_err());
    }
}
