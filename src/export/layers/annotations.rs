//! The annotations layer: the comments on drawings, workshops and tables.

use std::collections::HashMap;

use uuid::Uuid;

use super::super::{ColumnKind, ExportError, ExportRequest, ExportResult, Field, Layer, Row};
use crate::domain::export::Privacy;
use crate::domain::feature::Author;
use crate::domain::project::Project;
use crate::store::Store;

/// Annotations with what they are about: the feature (its id, as in the full features layer)
/// or the workshop and group. No geometry of their own: a GeoPackage attributes table, rows
/// with a null geometry in GeoJSON, CSV rows; KML and FlatGeobuf, whose readers drop a
/// feature without geometry, are refused for them (`application::export`).
pub async fn annotation_layer(
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
        "",
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
