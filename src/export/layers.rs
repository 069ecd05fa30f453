//! The layers an export is made of, one builder per content: features (anonymised or
//! aggregated as the privacy level says), priority cells, saved zones and annotations.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use geo::{Coord, Geometry, MapCoords};
use serde_json::Value;
use uuid::Uuid;

use super::{ColumnKind, ExportError, ExportRequest, ExportResult, Field, Layer, Row, Shape};
use crate::domain::export::{
    CellCounter, ExportFeature, Masking, Privacy, day, label_of, masked_position, sensitive_cell,
};
use crate::domain::feature::{Author, Feature};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::project::Project;
use crate::store::{Store, StoreError};

struct SymbolInfo {
    label: String,
    kind: String,
    sensitive: bool,
    color: String,
}

struct WorkshopInfo {
    title: String,
    /// What anonymised exports call it: its place among the project's workshops ("2").
    number: String,
    groups: HashMap<Uuid, (String, String)>,
}

pub(super) async fn feature_layer(
    store: Arc<dyn Store>,
    project: &Project,
    request: &ExportRequest,
) -> ExportResult<Layer> {
    let symbols: HashMap<String, SymbolInfo> = store
        .legend(project.id)
        .await?
        .into_iter()
        .map(|s| {
            let info = SymbolInfo {
                label: label_of(&s.labels, &request.locale, &s.key),
                kind: s.kind.as_str().to_owned(),
                sensitive: s.sensitive,
                color: s.color.clone(),
            };
            (s.key, info)
        })
        .collect();
    let workshops: HashMap<Uuid, WorkshopInfo> = store
        .list_workshops(project.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let number = (i + 1).to_string();
            let info = WorkshopInfo {
                title: w.title.clone(),
                groups: w
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(j, g)| (g.id, (g.name.clone(), format!("{number}.{}", j + 1))))
                    .collect(),
                number,
            };
            (w.id, info)
        })
        .collect();
    let mut filter = request.filter.clone();
    filter.include_hidden = false;
    filter.include_deleted = false;
    let features = store.stream_features(project.id, &filter);
    let (privacy, masking) = (request.privacy, request.masking);
    let floor = project.masking;
    let mut styles: Vec<(String, String)> = symbols
        .iter()
        .map(|(key, s)| (key.clone(), s.color.clone()))
        .collect();
    styles.sort();
    if privacy == Privacy::Aggregated {
        return Ok(Layer {
            styles,
            ..aggregated_layer(features, symbols, masking)
        });
    }
    let context = Arc::new((symbols, workshops));
    let mut next_id = 0_u64;
    let rows = features
        .map_err(ExportError::from)
        .map_ok(move |feature| {
            next_id += 1;
            let (symbols, workshops) = &*context;
            let times = [feature.created_at, feature.updated_at].map(|at| time(at, privacy));
            let (exported, shape) = export_feature(
                feature,
                next_id,
                privacy,
                (&masking, &floor),
                symbols,
                workshops,
            );
            let mut fields: Vec<Field> =
                exported.values().iter().map(|v| Field::from(*v)).collect();
            let [created, updated] = times;
            fields[CREATED] = created;
            fields[UPDATED] = updated;
            Row {
                fields,
                geometry: Some(shape),
            }
        })
        .boxed();
    Ok(Layer {
        name: "features",
        columns: crate::domain::export::COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| match i {
                CREATED | UPDATED if privacy == Privacy::Full => (*c, ColumnKind::DateTime),
                CREATED | UPDATED => (*c, ColumnKind::Date),
                _ => (*c, ColumnKind::Text),
            })
            .collect(),
        geometry_type: "GEOMETRY",
        styles,
        rows,
    })
}

/// Where the feature layer's times are among `COLUMNS` (checked by a test below).
const CREATED: usize = 10;
const UPDATED: usize = 11;

#[cfg(test)]
#[test]
fn the_time_columns_are_where_the_feature_layer_writes_them() {
    let columns = crate::domain::export::COLUMNS;
    assert_eq!((columns[CREATED], columns[UPDATED]), ("created", "updated"));
}

/// A feature's time as its privacy level keeps it: the instant, or the day (UTC).
fn time(at: chrono::DateTime<Utc>, privacy: Privacy) -> Field {
    if privacy == Privacy::Full {
        Field::DateTime(at)
    } else {
        Field::Date(at.date_naive())
    }
}

/// `masking` as asked, beside `floor`, the project's (see `masked_position`).
fn export_feature(
    feature: Feature,
    sequence: u64,
    privacy: Privacy,
    (masking, floor): (&Masking, &Masking),
    symbols: &HashMap<String, SymbolInfo>,
    workshops: &HashMap<Uuid, WorkshopInfo>,
) -> (ExportFeature, Shape) {
    let symbol = symbols.get(&feature.symbol);
    let workshop = feature.workshop_id.and_then(|id| workshops.get(&id));
    let group = feature
        .group_id
        .and_then(|g| workshop.and_then(|w| w.groups.get(&g)));
    let full = privacy == Privacy::Full;
    let sensitive = symbol.is_some_and(|s| s.sensitive);
    let point =
        feature.geometry.contains("\"Point\"") || feature.geometry.contains("\"MultiPoint\"");
    // Only what is masked is parsed; the rest goes out as stored.
    let parsed = || {
        FeatureGeometry::parse_stored(&feature.geometry)
            .unwrap_or(Geometry::GeometryCollection(Default::default()))
    };
    let (shape, masked) = match (full, sensitive, point) {
        (true, _, _) | (false, false, false) => (Shape::Stored(feature.geometry.clone()), None),
        (false, true, _) => (
            Shape::Geo(sensitive_cell(&parsed(), masking.sensitive_resolution)),
            Some("h3-cell"),
        ),
        (false, false, true) => {
            let moved = parsed().map_coords(|c: Coord<f64>| {
                masked_position(
                    feature.id,
                    c,
                    (floor.min_m, floor.max_m),
                    (masking.min_m, masking.max_m),
                )
            });
            (Shape::Geo(moved), Some("donut"))
        }
    };
    let time = |at: chrono::DateTime<Utc>| if full { at.to_rfc3339() } else { day(at) };
    let exported = ExportFeature {
        id: if full {
            feature.id.to_string()
        } else {
            sequence.to_string()
        },
        symbol: feature.symbol.clone(),
        symbol_label: symbol.map_or_else(|| feature.symbol.clone(), |s| s.label.clone()),
        symbol_kind: symbol.map_or_else(String::new, |s| s.kind.clone()),
        // Titles and table names are staff's free text (a neighbourhood, a family's name):
        // anonymised exports number them instead.
        workshop: workshop.map(|w| {
            if full {
                w.title.clone()
            } else {
                w.number.clone()
            }
        }),
        group: group.map(|(name, number)| if full { name.clone() } else { number.clone() }),
        author: full
            .then(|| match &feature.author {
                Author::Participant { display_name, .. } => display_name.clone(),
                Author::User { username, .. } => Some(username.clone()),
            })
            .flatten(),
        title: if full { feature.title.clone() } else { None },
        description: if full {
            feature.description.clone()
        } else {
            None
        },
        review_state: feature.review_state.as_str().to_owned(),
        created: time(feature.created_at),
        updated: time(feature.updated_at),
        masked,
    };
    (exported, shape)
}

fn aggregated_layer(
    features: BoxStream<'static, Result<Feature, StoreError>>,
    symbols: HashMap<String, SymbolInfo>,
    masking: Masking,
) -> Layer {
    let rows = futures::stream::once(async move {
        let mut counter = CellCounter::new(masking.aggregate_resolution);
        let mut features = features;
        while let Some(feature) = features.next().await {
            let feature = feature?;
            if let Some(geometry) = FeatureGeometry::parse_stored(&feature.geometry) {
                counter.add(&feature.symbol, &geometry);
            }
        }
        let rows: Vec<ExportResult<Row>> = counter
            .finish(masking.k)
            .into_iter()
            .map(|count| {
                let label = symbols
                    .get(&count.symbol)
                    .map_or_else(|| count.symbol.clone(), |s| s.label.clone());
                let kind = symbols.get(&count.symbol).map(|s| s.kind.clone());
                Ok(Row {
                    fields: vec![
                        Field::Text(count.cell.to_string()),
                        Field::Text(count.symbol.clone()),
                        Field::Text(label),
                        Field::from(kind.as_deref()),
                        Field::Integer(i64::from(count.count)),
                    ],
                    geometry: Some(Shape::Geo(cell_polygon(count.cell))),
                })
            })
            .collect();
        Ok::<_, ExportError>(futures::stream::iter(rows))
    })
    .try_flatten()
    .boxed();
    Layer {
        name: "cell_counts",
        columns: vec![
            ("cell", ColumnKind::Text),
            ("symbol", ColumnKind::Text),
            ("symbol_label", ColumnKind::Text),
            ("symbol_kind", ColumnKind::Text),
            ("count", ColumnKind::Integer),
        ],
        geometry_type: "POLYGON",
        styles: Vec::new(),
        rows,
    }
}

fn cell_polygon(cell: h3o::CellIndex) -> Geometry<f64> {
    Geometry::Polygon(crate::domain::priority::cell_outline(cell))
}

pub(super) async fn zone_layer(
    store: &dyn Store,
    project: &Project,
    request: &ExportRequest,
) -> ExportResult<Layer> {
    if request.privacy != Privacy::Full {
        return Err(ExportError::Refused(
            "saved priority zones carry analysts' names and notes: they are in full exports only"
                .into(),
        ));
    }
    let zones = store.list_priority_zones(project.id).await?;
    let rows: Vec<ExportResult<Row>> = zones
        .into_iter()
        .map(|z| {
            let number = |key: &str| z.computed.get(key).and_then(Value::as_f64);
            Ok(Row {
                fields: vec![
                    Field::Text(z.id.to_string()),
                    Field::Text(z.name.clone()),
                    Field::Text(z.status.as_str().to_owned()),
                    Field::Text(z.notes.clone()),
                    number("score").map_or(Field::Null, Field::Real),
                    number("area_m2").map_or(Field::Null, Field::Real),
                    Field::Integer(z.revision),
                    Field::DateTime(z.created_at),
                    Field::DateTime(z.updated_at),
                ],
                geometry: Some(Shape::Stored(z.geometry.clone())),
            })
        })
        .collect();
    Ok(Layer::from_rows(
        "priority_zones",
        "GEOMETRY",
        vec![
            ("id", ColumnKind::Text),
            ("name", ColumnKind::Text),
            ("status", ColumnKind::Text),
            ("notes", ColumnKind::Text),
            ("score", ColumnKind::Real),
            ("area_m2", ColumnKind::Real),
            ("revision", ColumnKind::Integer),
            ("created", ColumnKind::DateTime),
            ("updated", ColumnKind::DateTime),
        ],
        rows,
    ))
}

/// The project's priority cells as the engine scores them, over the export's filters. At the
/// aggregated level, cells that one to k − 1 drawings reach are suppressed.
pub(super) async fn cell_layer(
    store: &dyn Store,
    project: &Project,
    request: &ExportRequest,
) -> ExportResult<Layer> {
    if request.privacy == Privacy::Anonymised {
        return Err(ExportError::Refused(
            "priority cells are aggregated by nature: ask for privacy=aggregated (or full)".into(),
        ));
    }
    let analysis = crate::application::priority::Request {
        project,
        selection: crate::application::priority::Selection {
            workshops: request.filter.workshops.clone(),
            groups: request.filter.group.map(|g| vec![g]),
            symbols: request.filter.symbol.clone().map(|s| vec![s]),
            since: request.filter.since,
            until: request.filter.until,
        },
        params: crate::domain::priority::Params {
            resolution: request.masking.aggregate_resolution,
            ring: 1,
        },
        // Cells count drawings at the aggregate resolution (small counts suppressed below at
        // the aggregated level); no drawing's position leaves.
        mask_sensitive: false,
    }
    .cells(store)
    .await?;
    let k = match request.privacy {
        Privacy::Aggregated => request.masking.k as usize,
        _ => 0,
    };
    let rows: Vec<ExportResult<Row>> = analysis
        .cells
        .into_iter()
        .filter(|c| c.tally.features.is_empty() || c.tally.features.len() >= k)
        .map(|c| {
            Ok(Row {
                fields: vec![
                    Field::Text(c.cell.to_string()),
                    Field::Real(c.tally.score),
                    Field::Integer(c.tally.features.len() as i64),
                    Field::Integer(c.tally.groups.len() as i64),
                    Field::Integer(c.tally.workshops.len() as i64),
                    Field::Real(c.hotspot.z),
                    Field::Real(c.hotspot.p),
                    c.hotspot
                        .confidence
                        .map_or(Field::Null, |v| Field::Integer(i64::from(v))),
                    Field::from(c.hotspot.spot.map(|s| match s {
                        crate::domain::priority::Spot::Hot => "hot",
                        crate::domain::priority::Spot::Cold => "cold",
                    })),
                ],
                geometry: Some(Shape::Geo(cell_polygon(c.cell))),
            })
        })
        .collect();
    Ok(Layer::from_rows(
        "priority_cells",
        "POLYGON",
        vec![
            ("cell", ColumnKind::Text),
            ("score", ColumnKind::Real),
            ("features", ColumnKind::Integer),
            ("groups", ColumnKind::Integer),
            ("workshops", ColumnKind::Integer),
            ("gi_z", ColumnKind::Real),
            ("gi_p", ColumnKind::Real),
            ("confidence", ColumnKind::Integer),
            ("spot", ColumnKind::Text),
        ],
        rows,
    ))
}

/// Annotations with what they are about: the feature (its id, as in the full features layer)
/// or the workshop and group. No geometry of their own.
pub(super) async fn annotation_layer(
    store: &dyn Store,
    project: &Project,
    request: &ExportRequest,
) -> ExportResult<Layer> {
    use crate::domain::annotation::AnnotationTarget;
    if request.privacy != Privacy::Full {
        return Err(ExportError::Refused(
            "annotations are free text: they are in full exports only".into(),
        ));
    }
    let workshops: HashMap<Uuid, crate::domain::workshop::Workshop> = store
        .list_workshops(project.id)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let allowed = request.filter.workshops.as_ref();
    let rows: Vec<ExportResult<Row>> = store
        .list_project_annotations(project.id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let (on, feature, workshop, group) = match &a.target {
                AnnotationTarget::Feature { feature_id } => {
                    ("feature", Some(feature_id.to_string()), None, None)
                }
                AnnotationTarget::Workshop {
                    workshop_id,
                    group_id,
                } => {
                    if allowed.is_some_and(|ids| !ids.contains(workshop_id)) {
                        return None;
                    }
                    let w = workshops.get(workshop_id);
                    let group = group_id.and_then(|g| {
                        w.and_then(|w| w.groups.iter().find(|x| x.id == g))
                            .map(|x| x.name.clone())
                    });
                    ("workshop", None, w.map(|w| w.title.clone()), group)
                }
            };
            let author = match &a.author {
                Author::Participant { display_name, .. } => display_name.clone(),
                Author::User { username, .. } => Some(username.clone()),
            };
            Some(Ok(Row {
                fields: vec![
                    Field::Text(a.id.to_string()),
                    Field::Text(on.to_owned()),
                    Field::from(feature.as_deref()),
                    Field::from(workshop.as_deref()),
                    Field::from(group.as_deref()),
                    Field::from(author.as_deref()),
                    Field::Text(a.body.clone()),
                    Field::DateTime(a.created_at),
                ],
                geometry: None,
            }))
        })
        .collect();
    Ok(Layer::from_rows(
        "annotations",
        "GEOMETRY",
        vec![
            ("id", ColumnKind::Text),
            ("on", ColumnKind::Text),
            ("feature_id", ColumnKind::Text),
            ("workshop", ColumnKind::Text),
            ("group", ColumnKind::Text),
            ("author", ColumnKind::Text),
            ("body", ColumnKind::Text),
            ("created", ColumnKind::DateTime),
        ],
        rows,
    ))
}

impl Layer {
    /// A layer whose rows are already read (zones, cells, annotations: a project's worth).
    fn from_rows(
        name: &'static str,
        geometry_type: &'static str,
        columns: Vec<(&'static str, ColumnKind)>,
        rows: Vec<ExportResult<Row>>,
    ) -> Self {
        Layer {
            name,
            columns,
            geometry_type,
            styles: Vec::new(),
            rows: futures::stream::iter(rows).boxed(),
        }
    }
}
