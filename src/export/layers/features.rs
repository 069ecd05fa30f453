//! The features layer: every drawing of the export's selection, as the privacy level says
//! (full, anonymised: displaced points and sensitive ones as their cell, or aggregated: counts
//! per cell).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use geo::{Coord, Geometry, MapCoords};
use uuid::Uuid;

use super::super::{
    ColumnKind, ExportError, ExportRequest, ExportResult, Field, GeometryFamily, Layer, Row, Shape,
};
use super::cell_polygon;
use crate::domain::export::{
    AnswerColumn, AnswerType, AnswerValue, CellCounter, ExportFeature, Masking, Privacy,
    answer_columns, counted_choices, day, label_of, masked_position, sensitive_cell,
};
use crate::domain::feature::{Author, Feature};
use crate::domain::geometry::FeatureGeometry;
use crate::domain::legend::Symbol;
use crate::domain::project::Project;
use crate::domain::question::AnswerKind;
use crate::domain::retention::KeptCount;
use crate::domain::workshop::Workshop;
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

/// The features of `request`'s selection as its privacy level shows them; only those of
/// `family`, promoted to its Multi type, when one is given (see `export::family`).
pub async fn feature_layer(
    store: Arc<dyn Store>,
    project: &Project,
    request: &ExportRequest,
    family: Option<GeometryFamily>,
) -> ExportResult<Layer> {
    let legend = store.legend(project.id).await?;
    let answers = answer_columns(
        &legend,
        request.privacy,
        &request.locale,
        &crate::domain::export::COLUMNS,
    );
    let symbols: HashMap<String, SymbolInfo> = legend
        .iter()
        .cloned()
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
    let workshops: HashMap<Uuid, WorkshopInfo> = numbered(store.list_workshops(project.id).await?)
        .into_iter()
        .map(|(w, info)| (w.id, info))
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
        // Workshops whose retention kept only counts count with them (`domain::retention`).
        let kept: Vec<KeptCount> = store
            .kept_counts(project.id, filter.workshops.as_deref())
            .await?
            .into_iter()
            .filter(|k| k.selected_by(&filter))
            .collect();
        return Ok(Layer {
            styles,
            ..aggregated_layer(
                features,
                kept,
                (symbols, legend),
                (masking, floor.sensitive_resolution),
            )
        });
    }
    let context = Arc::new((symbols, workshops));
    let kept = kept_columns(privacy);
    let columns = kept
        .iter()
        .map(|&i| {
            let name = crate::domain::export::COLUMNS[i];
            match i {
                CREATED | UPDATED if privacy == Privacy::Full => (name, ColumnKind::DateTime),
                CREATED | UPDATED => (name, ColumnKind::Date),
                _ => (name, ColumnKind::Text),
            }
        })
        .map(|(name, kind)| (name.into(), kind))
        .chain(
            answers
                .iter()
                .map(|column| (column.name.clone().into(), column_kind(column))),
        )
        .collect();
    let mut next_id = 0_u64;
    let rows = features
        .map_err(ExportError::from)
        .try_filter_map(move |feature| {
            // Every feature takes its number, whichever layer it goes to: a feature has the
            // same number in every layer and every export of the same selection.
            next_id += 1;
            let (symbols, workshops) = &*context;
            let times = [feature.created_at, feature.updated_at].map(|at| time(at, privacy));
            let answered: Vec<Field> = answers
                .iter()
                .map(|column| field(column.value(&feature.symbol, &feature.answers)))
                .collect();
            let (exported, shape) = export_feature(
                feature,
                next_id,
                privacy,
                (&masking, &floor),
                symbols,
                workshops,
            );
            let shape = match family {
                None => Some(shape),
                Some(family) => shape
                    .geo()
                    .map(std::borrow::Cow::into_owned)
                    .filter(|g| GeometryFamily::of(g) == Some(family))
                    .map(|g| Shape::Geo(GeometryFamily::promote(g))),
            };
            let Some(shape) = shape else {
                return futures::future::ready(Ok(None));
            };
            let mut fields: Vec<Field> =
                exported.values().iter().map(|v| Field::from(*v)).collect();
            let [created, updated] = times;
            fields[CREATED] = created;
            fields[UPDATED] = updated;
            let fields = kept
                .iter()
                .map(|&i| fields[i].clone())
                .chain(answered)
                .collect();
            futures::future::ready(Ok(Some(Row {
                fields,
                geometry: Some(shape),
            })))
        })
        .boxed();
    Ok(Layer {
        name: family.map_or("features", GeometryFamily::features_layer),
        columns,
        geometry_type: family.map_or("GEOMETRY", GeometryFamily::geometry_type),
        styles,
        rows,
    })
}

/// An answer column's type in every format.
fn column_kind(column: &AnswerColumn) -> ColumnKind {
    match column.kind {
        AnswerType::Text => ColumnKind::Text,
        AnswerType::Integer => ColumnKind::Integer,
        AnswerType::Boolean => ColumnKind::Boolean,
        AnswerType::Date => ColumnKind::Date,
    }
}

fn field(value: AnswerValue) -> Field {
    match value {
        AnswerValue::Null => Field::Null,
        AnswerValue::Text(text) => Field::Text(text),
        AnswerValue::Integer(n) => Field::Integer(n),
        AnswerValue::Boolean(b) => Field::Boolean(b),
        AnswerValue::Date(day) => Field::Date(day),
    }
}

/// The columns of `COLUMNS` a level writes: the free text (author, title, description) only
/// in full exports, where it is not always empty.
fn kept_columns(privacy: Privacy) -> Vec<usize> {
    let free_text = ["author", "title", "description"];
    (0..crate::domain::export::COLUMNS.len())
        .filter(|&i| {
            privacy == Privacy::Full || !free_text.contains(&crate::domain::export::COLUMNS[i])
        })
        .collect()
}

/// The project's workshops, numbered in order ("2"), with their tables ("2.1").
fn numbered(workshops: Vec<Workshop>) -> Vec<(Workshop, WorkshopInfo)> {
    workshops
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
            (w, info)
        })
        .collect()
}

/// The key to the numbers anonymised and aggregated exports give workshops and their tables:
/// each workshop's number, the day it was held (or created), whether it is closed, and its
/// tables' numbers; never its title, place or tables' names, which the numbers replace.
/// A table without geometry (GeoPackage's `attributes`).
pub async fn workshop_key_layer(store: &dyn Store, project: &Project) -> ExportResult<Layer> {
    let rows = numbered(store.list_workshops(project.id).await?)
        .into_iter()
        .map(|(w, info)| {
            let mut tables: Vec<&String> = info.groups.values().map(|(_, n)| n).collect();
            tables.sort();
            Ok(Row {
                fields: vec![
                    Field::Text(info.number.clone()),
                    Field::Date(w.starts_at.unwrap_or(w.created_at).date_naive()),
                    Field::Text(if w.is_open() { "open" } else { "closed" }.to_owned()),
                    Field::Integer(tables.len() as i64),
                    Field::Text(
                        tables
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ],
                geometry: None,
            })
        })
        .collect();
    Ok(Layer::from_rows(
        "workshops",
        "",
        vec![
            ("workshop", ColumnKind::Text),
            ("day", ColumnKind::Date),
            ("status", ColumnKind::Text),
            ("tables", ColumnKind::Integer),
            ("table_numbers", ColumnKind::Text),
        ],
        rows,
    ))
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
            Shape::Geo(sensitive_cell(
                &parsed(),
                floor.sensitive_resolution,
                masking.sensitive_resolution,
            )),
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
    let time = |at: chrono::DateTime<Utc>| {
        if full {
            super::super::instant(at)
        } else {
            day(at)
        }
    };
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

/// The fixed columns of the aggregated layer.
const COUNT_COLUMNS: [&str; 5] = ["cell", "symbol", "symbol_label", "symbol_kind", "count"];

/// Most option columns an aggregated layer writes: SQLite (a GeoPackage) holds at most 2,000
/// columns a table, and a legend of many choices could ask for more.
const MAX_OPTION_COLUMNS: usize = 1_000;

/// The option counts an aggregated layer writes: for each choice of the legend not kept as
/// a sensitive place, a column per option (`horario_noche`), and the (question, option) it
/// counts; a question several symbols ask shares its columns.
fn option_columns(legend: &[Symbol]) -> Vec<(String, (String, String))> {
    let mut names = crate::domain::export::Names::new(COUNT_COLUMNS);
    let mut columns: Vec<(String, (String, String))> = Vec::new();
    for symbol in legend {
        let sensitive = crate::domain::question::sensitive_keys(&symbol.questions);
        for question in &symbol.questions {
            let AnswerKind::Choice { options, .. } = &question.kind else {
                continue;
            };
            if sensitive.contains(question.key.as_str()) {
                continue;
            }
            for option in options {
                let counted = (question.key.clone(), option.key.clone());
                if columns.iter().any(|(_, c)| *c == counted) {
                    continue;
                }
                let name = names.give(&format!("{}_{}", question.key, option.key));
                columns.push((name, counted));
            }
        }
    }
    columns.truncate(MAX_OPTION_COLUMNS);
    columns
}

/// Counts per cell and symbol, the `kept` counts of purged workshops added in; sensitive
/// drawings counted from their masks at `floor` (the project's mask resolution). Beside
/// each count, how many chose each option of the symbol's non-sensitive choices, released
/// as the counts are (`CellCounter::finish`); empty where suppressed or not asked.
fn aggregated_layer(
    features: BoxStream<'static, Result<Feature, StoreError>>,
    kept: Vec<KeptCount>,
    (symbols, legend): (HashMap<String, SymbolInfo>, Vec<Symbol>),
    (masking, floor): (Masking, h3o::Resolution),
) -> Layer {
    let options = option_columns(&legend);
    let mut columns: Vec<(std::borrow::Cow<'static, str>, ColumnKind)> = COUNT_COLUMNS
        .into_iter()
        .map(|name| {
            let kind = if name == "count" {
                ColumnKind::Integer
            } else {
                ColumnKind::Text
            };
            (name.into(), kind)
        })
        .collect();
    columns.extend(
        options
            .iter()
            .map(|(name, _)| (name.clone().into(), ColumnKind::Integer)),
    );
    let rows = futures::stream::once(async move {
        let mut counter = CellCounter::new(&masking, floor);
        for count in &kept {
            let sensitive = symbols.get(&count.symbol).is_some_and(|s| s.sensitive);
            counter.add_kept(count, sensitive);
        }
        let mut features = features;
        while let Some(feature) = features.next().await {
            let feature = feature?;
            if let Some(geometry) = FeatureGeometry::parse_stored(&feature.geometry) {
                let sensitive = symbols.get(&feature.symbol).is_some_and(|s| s.sensitive);
                let chose = legend
                    .iter()
                    .find(|s| s.key == feature.symbol)
                    .map(|s| counted_choices(s, &feature.answers))
                    .unwrap_or_default();
                counter.add_choosing(
                    &feature.symbol,
                    feature.workshop_id,
                    sensitive,
                    &geometry,
                    &chose,
                );
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
                let mut fields = vec![
                    Field::Text(count.cell.to_string()),
                    Field::Text(count.symbol.clone()),
                    Field::Text(label),
                    Field::from(kind.as_deref()),
                    Field::Integer(i64::from(count.count)),
                ];
                fields.extend(options.iter().map(|(_, counted)| {
                    count
                        .options
                        .get(counted)
                        .map_or(Field::Null, |n| Field::Integer(i64::from(*n)))
                }));
                Ok(Row {
                    fields,
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
        columns,
        geometry_type: "POLYGON",
        styles: Vec::new(),
        rows,
    }
}
