//! What an export asks for, read from the query string of `GET /api/projects/{slug}/export`
//! or the options of `trama export`: one reading and one check for both front doors.

use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::features::{id_list, query_time};
use crate::domain::bbox::BBox;
use crate::domain::export::{Masking, Privacy};
use crate::domain::feature::FeatureFilter;
use crate::domain::priority::resolution;
use crate::error::AppError;
use crate::export::{Content, ExportRequest, Format, GeometryFamily};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
/// An export's options, each optional: unset means the default said beside it.
pub struct ExportQuery {
    /// geojson, csv, gpkg, kml or fgb.
    pub format: Option<String>,
    /// full, anonymised (default) or aggregated.
    pub privacy: Option<String>,
    /// features (default), cells, zones or annotations.
    pub content: Option<String>,
    pub workshop: Option<String>,
    pub group: Option<String>,
    pub symbol: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub bbox: Option<String>,
    /// Donut geomasking distances in metres (anonymised).
    pub mask_min: Option<f64>,
    pub mask_max: Option<f64>,
    /// Smallest count shown (aggregated).
    pub k: Option<u32>,
    /// H3 resolution of aggregated counts and of masked sensitive features.
    pub resolution: Option<u8>,
    /// Language of the symbol labels (default: the project's).
    pub lang: Option<String>,
    /// Only drawings of one type, as its Multi type: points, lines or polygons.
    pub geometry: Option<String>,
}

impl ExportQuery {
    /// The request it describes, checked; masking not asked for is `defaults` (the project's).
    pub fn request(
        &self,
        default_locale: &str,
        defaults: Masking,
    ) -> Result<ExportRequest, String> {
        let text = self.format.as_deref().unwrap_or("geojson");
        let format = Format::parse(text).ok_or_else(|| {
            format!("unknown format {text:?}: use geojson, csv, gpkg, kml or fgb")
        })?;
        let text = self.privacy.as_deref().unwrap_or("anonymised");
        let privacy = Privacy::parse(text).ok_or_else(|| {
            format!("unknown privacy level {text:?}: use full, anonymised or aggregated")
        })?;
        let text = self.content.as_deref().unwrap_or("features");
        let content = Content::parse(text).ok_or_else(|| {
            format!("unknown content {text:?}: use features, cells, zones or annotations")
        })?;
        if content == Content::Annotations && matches!(format, Format::Kml | Format::FlatGeobuf) {
            return Err(format!(
                "annotations have no place of their own, and {} readers drop a row without one: \
                 take them as gpkg, geojson or csv",
                if format == Format::Kml {
                    "KML"
                } else {
                    "FlatGeobuf"
                }
            ));
        }
        let cells = match self.resolution {
            None => defaults.aggregate_resolution,
            Some(r @ 5..=10) => resolution(r).ok_or("resolution must be between 5 and 10")?,
            Some(_) => return Err("resolution must be between 5 and 10 (H3)".into()),
        };
        let masking = Masking {
            min_m: self.mask_min.unwrap_or(defaults.min_m),
            max_m: self.mask_max.unwrap_or(defaults.max_m),
            sensitive_resolution: if self.resolution.is_some() {
                cells
            } else {
                defaults.sensitive_resolution
            },
            aggregate_resolution: cells,
            k: self.k.unwrap_or(defaults.k),
        };
        masking.validate()?;
        Ok(ExportRequest {
            content,
            format,
            privacy,
            masking,
            filter: FeatureFilter::default(),
            geometry: match self.geometry.as_deref().filter(|g| !g.trim().is_empty()) {
                None => None,
                Some(text) => Some(GeometryFamily::parse(text).ok_or_else(|| {
                    format!("unknown geometry {text:?}: use points, lines or polygons")
                })?),
            },
            locale: self
                .lang
                .clone()
                .unwrap_or_else(|| default_locale.split('-').next().unwrap_or("es").to_owned()),
        })
    }

    /// The feature filter. Empty values (a form's untouched fields) mean no filter.
    pub fn filter(&self) -> Result<FeatureFilter, AppError> {
        let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let one = |list: Option<Vec<Uuid>>, name: &str| match list.as_deref() {
            None => Ok(None),
            Some([one]) => Ok(Some(*one)),
            Some(_) => Err(AppError::BadRequest(format!("{name} takes one id"))),
        };
        Ok(FeatureFilter {
            bbox: given(&self.bbox)
                .as_deref()
                .map(BBox::parse)
                .transpose()
                .map_err(|e| AppError::BadRequest(e.detail))?,
            workshops: id_list(&self.workshop, "workshop")?,
            group: one(id_list(&self.group, "group")?, "group")?,
            symbol: given(&self.symbol),
            since: query_time(&given(&self.since), "since", false)?,
            until: query_time(&given(&self.until), "until", true)?,
            ..FeatureFilter::default()
        })
    }

    /// What the export log keeps of the request.
    pub fn parameters(&self, request: &ExportRequest) -> Value {
        json!({
            "workshop": self.workshop, "group": self.group, "symbol": self.symbol,
            "since": self.since, "until": self.until, "bbox": self.bbox,
            "mask_min_m": request.masking.min_m, "mask_max_m": request.masking.max_m,
            "k": request.masking.k,
            "resolution": u8::from(request.masking.aggregate_resolution),
        })
    }
}
