//! GeoJSON (RFC 7946) as Trama writes it: a stored drawing as a Feature, seen exactly or as
//! its masking cell, and FeatureCollections written as the features come. Stored geometry is
//! GeoJSON text this server wrote after validation, so it is copied as it is, never parsed
//! again (half the time of a large answer).

pub mod priority;

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::feature::{Author, Feature, ReviewState};
use crate::domain::geometry::masked_cell;
use crate::error::AppError;

/// An RFC 7946 Feature as the API returns it.
pub struct FeatureOut<'a> {
    id: Uuid,
    geometry: GeometryOut<'a>,
    properties: PropertiesOut<'a>,
}

enum GeometryOut<'a> {
    /// The stored GeoJSON text: written by this server after validation, so it goes out as
    /// it is, without the cost of parsing it again (half the time of a large bbox answer).
    Exact(&'a str),
    /// The coarse cell that stands for a sensitive feature.
    Masked(Value),
}

#[derive(Serialize)]
struct PropertiesOut<'a> {
    symbol: &'a str,
    title: &'a Option<String>,
    description: &'a Option<String>,
    workshop: Option<Uuid>,
    group: Option<Uuid>,
    author: &'a Author,
    review_state: ReviewState,
    review_reason: &'a Option<String>,
    merged_into: Option<Uuid>,
    hidden: bool,
    revision: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// True when the geometry is the coarse cell of a sensitive symbol, not the drawing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
}

/// How a caller sees a feature's geometry: as drawn, or (a sensitive symbol, for those the
/// project's policy does not let see it) as the H3 cell of the project's masking resolution,
/// the same cell its exports show.
#[derive(Debug, Clone, Copy)]
pub enum Sight {
    Exact,
    Masked(h3o::Resolution),
}

impl<'a> FeatureOut<'a> {
    pub fn new(feature: &'a Feature, sight: Sight) -> Self {
        let geometry = match sight {
            Sight::Exact => GeometryOut::Exact(&feature.geometry),
            Sight::Masked(resolution) => {
                GeometryOut::Masked(masked_cell(&feature.geometry, resolution))
            }
        };
        let exact = matches!(sight, Sight::Exact);
        Self {
            id: feature.id,
            geometry,
            properties: PropertiesOut {
                symbol: &feature.symbol,
                title: &feature.title,
                description: &feature.description,
                workshop: feature.workshop_id,
                group: feature.group_id,
                author: &feature.author,
                review_state: feature.review_state,
                review_reason: &feature.review_reason,
                merged_into: feature.merged_into,
                hidden: feature.hidden,
                revision: feature.revision,
                created_at: feature.created_at,
                updated_at: feature.updated_at,
                deleted_at: feature.deleted_at,
                masked: !exact,
            },
        }
    }

    /// Appends the feature as JSON to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), AppError> {
        out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":\"");
        out.extend_from_slice(
            self.id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer())
                .as_bytes(),
        );
        out.extend_from_slice(b"\",\"geometry\":");
        match &self.geometry {
            GeometryOut::Exact(text) => out.extend_from_slice(text.as_bytes()),
            GeometryOut::Masked(value) => {
                serde_json::to_writer(&mut *out, value).map_err(internal)?
            }
        }
        out.extend_from_slice(b",\"properties\":");
        serde_json::to_writer(&mut *out, &self.properties).map_err(internal)?;
        out.push(b'}');
        Ok(())
    }

    pub fn to_json(&self) -> Result<String, AppError> {
        let mut out = Vec::with_capacity(1024);
        self.write_json(&mut out)?;
        String::from_utf8(out).map_err(internal)
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(error.to_string())
}

/// A FeatureCollection with `numberReturned` (OGC API Features), `truncated` (true when
/// `limit` cut the listing short) and, when there is one, a `next` link to the following
/// page, written ahead of the features so clients can read them first: the features are
/// written as they come, the head when their number is known.
#[derive(Default)]
pub struct CollectionWriter {
    features: Vec<u8>,
    /// How many features were pushed.
    pub count: usize,
    /// The id of the last one, for the next page's link.
    pub last_id: Option<Uuid>,
}

impl CollectionWriter {
    pub fn push(&mut self, feature: &FeatureOut) -> Result<(), AppError> {
        if self.count > 0 {
            self.features.push(b',');
        }
        self.count += 1;
        self.last_id = Some(feature.id);
        feature.write_json(&mut self.features)
    }

    /// The collection's JSON text (UTF-8: serde_json's output and stored GeoJSON text).
    pub fn finish(self, truncated: bool, next: Option<&str>) -> Vec<u8> {
        let links = match next {
            Some(href) => format!(
                ",\"links\":[{{\"rel\":\"next\",\"type\":\"application/geo+json\",\"href\":{}}}]",
                serde_json::Value::from(href)
            ),
            None => String::new(),
        };
        let head = format!(
            "{{\"type\":\"FeatureCollection\",\"numberReturned\":{},\"truncated\":{truncated}{links},\"features\":[",
            self.count
        );
        let mut out = Vec::with_capacity(head.len() + self.features.len() + 2);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&self.features);
        out.extend_from_slice(b"]}");
        out
    }
}

/// Places found in a basemap's names, as a FeatureCollection of WGS84 points with their
/// `name`, the tile `layer` they are in and their `kind`.
pub fn places_geojson(places: &[&crate::basemap::places::Place]) -> Value {
    let features: Vec<Value> = places
        .iter()
        .map(|p| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {"name": p.name, "layer": p.layer, "kind": p.kind},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}
