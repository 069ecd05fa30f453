//! Boundary layers, priority zones, exports, pictograms and live changes, against the store.

use chrono::Duration;
use serde_json::json;
use trama::domain::access::Role;
use trama::domain::boundary::BoundaryLayer;
use trama::domain::change::Change;
use trama::domain::export::{ExportLogEntry, Privacy};
use trama::domain::permit::{LegendEditing, Moderation, ProjectCreation, UserAdministration};
use trama::domain::zone::{PriorityZone, ZoneStatus};
use trama::store::{Store, StoreError};
use uuid::Uuid;

use super::{now, operator, project, user};

/// Boundary layers, priority zones with their history, the export log, pictograms and live
/// changes.
pub(super) async fn priority_story<S: Store + ?Sized>(store: &S) {
    let lomas = project("lomas");
    store
        .create_project(&operator(ProjectCreation), &lomas)
        .await
        .expect("project");
    let ana = user("ana", Role::Analyst);
    store
        .create_user(&operator(UserAdministration), &ana, "h")
        .await
        .expect("user");

    let barrios = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nombre": "Villa Fiorito"}, "geometry": {"type": "Polygon",
            "coordinates": [[[-58.45, -34.71], [-58.43, -34.71], [-58.43, -34.69], [-58.45, -34.69], [-58.45, -34.71]]]}}
    ]});
    let layer = BoundaryLayer {
        id: Uuid::now_v7(),
        project_id: lomas.id,
        name: "barrios".to_owned(),
        units: BoundaryLayer::parse("barrios", &barrios, "nombre").expect("units"),
        created_by: Some(ana.id),
        created_at: now(),
    };
    store
        .create_boundary_layer(&operator(Moderation), &layer)
        .await
        .expect("layer");
    assert!(matches!(
        store
            .create_boundary_layer(
                &operator(Moderation),
                &BoundaryLayer {
                    id: Uuid::now_v7(),
                    ..layer.clone()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let listed = store.list_boundary_layers(lomas.id).await.expect("list");
    assert_eq!((listed.len(), listed[0].unit_count), (1, 1));
    let found = store
        .find_boundary_layer(layer.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(found.units[0].name, "Villa Fiorito");
    store
        .delete_boundary_layer(&operator(Moderation), layer.id)
        .await
        .expect("delete");
    assert!(matches!(
        store
            .delete_boundary_layer(&operator(Moderation), layer.id)
            .await,
        Err(StoreError::NotFound)
    ));

    let zone = PriorityZone {
        id: Uuid::now_v7(),
        project_id: lomas.id,
        name: "Fiorito norte".to_owned(),
        status: ZoneStatus::Proposed,
        notes: String::new(),
        geometry: barrios["features"][0]["geometry"].to_string(),
        computed: json!({"rule": "consensus", "k": 3}),
        revision: 1,
        created_by: Some(ana.id),
        created_at: now(),
        updated_at: now(),
    };
    store
        .create_priority_zone(&zone, Some("la mesa 2 lo marcó"))
        .await
        .expect("zone");
    let mut confirmed = zone.clone();
    confirmed.status = ZoneStatus::Confirmed;
    confirmed.revision = 2;
    store
        .save_priority_zone(&confirmed, ana.id, None)
        .await
        .expect("revision 2");
    assert!(matches!(
        store.save_priority_zone(&confirmed, ana.id, None).await,
        Err(StoreError::StaleRevision)
    ));
    let stored = store
        .find_priority_zone(zone.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (stored.status, stored.revision, stored.computed),
        (ZoneStatus::Confirmed, 2, zone.computed.clone())
    );
    let history = store.priority_zone_history(zone.id).await.expect("history");
    assert_eq!(
        history
            .iter()
            .map(|e| (e.revision, e.status, e.by.clone(), e.note.clone()))
            .collect::<Vec<_>>(),
        [
            (
                1,
                ZoneStatus::Proposed,
                Some("ana".to_owned()),
                Some("la mesa 2 lo marcó".to_owned())
            ),
            (2, ZoneStatus::Confirmed, Some("ana".to_owned()), None),
        ]
    );
    assert_eq!(
        store
            .list_priority_zones(lomas.id)
            .await
            .expect("zones")
            .len(),
        1
    );

    // The export log: newest first, and counted per user for the rate limit.
    for minutes_ago in [30, 5] {
        store
            .record_export(&ExportLogEntry {
                id: Uuid::now_v7(),
                project_id: lomas.id,
                user_id: Some(ana.id),
                actor: "ana".to_owned(),
                at: now() - Duration::minutes(minutes_ago),
                content: "features".to_owned(),
                format: "gpkg".to_owned(),
                privacy: Privacy::Anonymised,
                parameters: json!({"workshops": []}),
            })
            .await
            .expect("export");
    }
    let log = store
        .list_exports(&operator(Moderation), lomas.id)
        .await
        .expect("log");
    assert!(log[0].at > log[1].at, "newest first");
    assert_eq!(log[0].parameters, json!({"workshops": []}));
    assert_eq!(
        store
            .count_exports_by(ana.id, now() - Duration::minutes(10))
            .await
            .expect("count"),
        1
    );

    store
        .save_pictogram(&operator(LegendEditing), "olla", "<svg/>")
        .await
        .expect("pictogram");
    store
        .save_pictogram(&operator(LegendEditing), "olla", "<svg id='2'/>")
        .await
        .expect("replaced");
    assert_eq!(
        store.pictogram("olla").await.expect("read").as_deref(),
        Some("<svg id='2'/>")
    );
    assert_eq!(store.list_pictograms().await.expect("list"), ["olla"]);

    // A change published is heard by a subscriber (on PostgreSQL, through NOTIFY).
    store.ping().await.expect("ping");
    let mut changes = store.subscribe();
    let change = Change::Workshop {
        project_id: lomas.id,
        workshop_id: Uuid::now_v7(),
        open: false,
    };
    store.publish(&change).await.expect("publish");
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), changes.recv())
        .await
        .expect("heard within 10 s")
        .expect("a change");
    assert_eq!(
        serde_json::to_value(heard).expect("json"),
        serde_json::to_value(change).expect("json")
    );
}
