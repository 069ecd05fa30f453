//! Drawings and their comments, against the store.

use chrono::Duration;
use futures::StreamExt;
use serde_json::json;
use trama::domain::access::Role;
use trama::domain::annotation::{Annotation, AnnotationTarget};
use trama::domain::bbox::BBox;
use trama::domain::feature::{Author, Feature, FeatureFilter, ReviewState};
use trama::domain::permit::{
    LegendEditing, ProjectCreation, Revision, UserAdministration, WorkshopCreation,
};
use trama::store::{AnnotationPage, IdempotentResponse, Participant, Store, StoreError};
use uuid::Uuid;

use super::{now, operator, point, project, symbol, token, told, user, workshop};

/// Drawings: a batch with its idempotent answer, listings by filter and page, revisions with
/// their history, and comments a page at a time.
pub(super) async fn feature_story<S: Store + ?Sized>(store: &S) {
    let lomas = project("lomas");
    store
        .create_project(&operator(ProjectCreation), &lomas)
        .await
        .expect("project");
    store
        .replace_legend(
            &operator(LegendEditing),
            lomas.id,
            &[symbol("taller"), symbol("escuela")],
        )
        .await
        .expect("legend");
    let session = workshop(&lomas, "XYZ789");
    store
        .create_workshop(&operator(WorkshopCreation), &session)
        .await
        .expect("workshop");
    let rosa = Participant {
        id: Uuid::now_v7(),
        workshop_id: session.id,
        group_id: session.groups[0].id,
        display_name: Some("Rosa".to_owned()),
        created_at: now(),
        consent_version: None,
    };
    store
        .create_participant(&rosa, &token("p-rosa", None))
        .await
        .expect("participant");
    let drawn_by_rosa = || Author::Participant {
        id: rosa.id,
        display_name: Some("Rosa".to_owned()),
    };
    let mut batch: Vec<Feature> = (0..5)
        .map(|i| {
            let mut feature = point(
                &lomas,
                drawn_by_rosa(),
                "taller",
                -58.40 - f64::from(i) * 0.01,
                -34.76,
            );
            feature.workshop_id = Some(session.id);
            feature.group_id = Some(session.groups[0].id);
            feature
        })
        .collect();
    batch[4].symbol = "escuela".to_owned();
    let answer = IdempotentResponse {
        principal: rosa.id.to_string(),
        key: "k-1".to_owned(),
        request_hash: "abc".to_owned(),
        status: 201,
        body: "{}".to_owned(),
    };
    store
        .insert_features(&batch, Some(&answer))
        .await
        .expect("batch");
    let replayed = store
        .idempotent_response(&answer.principal, "k-1")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        (replayed.status, replayed.request_hash),
        (201, "abc".to_owned())
    );
    assert!(matches!(
        store.insert_features(&[], Some(&answer)).await,
        Err(StoreError::Conflict(_))
    ));
    let mut gone = point(&lomas, drawn_by_rosa(), "basural", -58.4, -34.7);
    gone.workshop_id = Some(session.id);
    assert!(matches!(
        store.insert_features(&[gone], None).await,
        Err(StoreError::Conflict(_))
    ));

    // Listings: everything in drawing order, by workshop, table, symbol, bbox, and pages.
    let ids = |features: Vec<Feature>| features.into_iter().map(|f| f.id).collect::<Vec<_>>();
    let all = store
        .list_features(lomas.id, &FeatureFilter::default())
        .await
        .expect("list");
    assert_eq!(ids(all.clone()), ids(batch.clone()));
    let stored = &all[0];
    assert_eq!(stored.author, drawn_by_rosa());
    assert_eq!(
        (stored.workshop_id, stored.group_id),
        (Some(session.id), Some(session.groups[0].id))
    );
    assert_eq!(
        (stored.created_at, stored.geometry.as_str()),
        (batch[0].created_at, batch[0].geometry.as_str())
    );
    let filtered = |filter: FeatureFilter| async move {
        store
            .list_features(lomas.id, &filter)
            .await
            .expect("list")
            .len()
    };
    assert_eq!(
        filtered(FeatureFilter {
            workshops: Some(vec![session.id]),
            ..Default::default()
        })
        .await,
        5
    );
    assert_eq!(
        filtered(FeatureFilter {
            workshops: Some(vec![]),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        filtered(FeatureFilter {
            group: Some(session.groups[1].id),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        filtered(FeatureFilter {
            symbol: Some("escuela".to_owned()),
            ..Default::default()
        })
        .await,
        1
    );
    let near = BBox {
        min_x: -58.415,
        min_y: -34.77,
        max_x: -58.395,
        max_y: -34.75,
    };
    assert_eq!(
        filtered(FeatureFilter {
            bbox: Some(near),
            ..Default::default()
        })
        .await,
        2
    );
    let page = store
        .list_features(
            lomas.id,
            &FeatureFilter {
                after: Some(batch[1].id),
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .expect("page");
    assert_eq!(ids(page), [batch[2].id, batch[3].id]);
    let streamed: Vec<_> = store
        .stream_features(lomas.id, &FeatureFilter::default())
        .map(|f| f.expect("row"))
        .collect()
        .await;
    assert_eq!(
        streamed[0].answers, batch[0].answers,
        "a listing reads the answers"
    );
    assert_eq!(ids(streamed), ids(batch.clone()));
    let mut outlines: Vec<_> = store
        .stream_outlines(lomas.id, &FeatureFilter::default())
        .map(|o| o.expect("row"))
        .collect()
        .await;
    outlines.sort_by_key(|o| o.id);
    assert_eq!(outlines.len(), 5);
    assert_eq!(
        (outlines[4].symbol.as_str(), outlines[4].group_id),
        ("escuela", Some(session.groups[0].id))
    );

    // Revisions: the next one is saved, a stale one refused, and the history tells both.
    let analyst = user("ana", Role::Analyst);
    store
        .create_user(&operator(UserAdministration), &analyst, "h")
        .await
        .expect("user");
    let mut reviewed = store
        .find_feature(batch[0].id)
        .await
        .expect("read")
        .expect("there");
    reviewed.revision = 2;
    reviewed.review_state = ReviewState::Accepted;
    reviewed.reviewer_id = Some(analyst.id);
    reviewed.answers.insert("cuantos".into(), json!(5));
    reviewed.updated_at = now() + Duration::seconds(1);
    let by_analyst = Author::User {
        id: analyst.id,
        username: "ana".to_owned(),
    };
    // A permit names the drawing it is for: one for another drawing saves nothing.
    assert!(matches!(
        store
            .save_feature_revision(
                &operator(Revision {
                    feature: batch[1].id,
                }),
                &reviewed,
                "review",
                &by_analyst,
            )
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .save_feature_revision(
            &operator(Revision {
                feature: reviewed.id,
            }),
            &reviewed,
            "review",
            &by_analyst,
        )
        .await
        .expect("revision 2");
    assert!(matches!(
        store
            .save_feature_revision(
                &operator(Revision {
                    feature: reviewed.id
                }),
                &reviewed,
                "review",
                &by_analyst
            )
            .await,
        Err(StoreError::StaleRevision)
    ));
    let stored = store
        .find_feature(batch[0].id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (stored.revision, stored.review_state, stored.reviewer_id),
        (2, ReviewState::Accepted, Some(analyst.id))
    );
    assert_eq!(stored.answers["cuantos"], json!(5));
    let history = store.feature_history(batch[0].id).await.expect("history");
    assert_eq!(
        (
            &history[0].feature.answers["cuantos"],
            &history[1].feature.answers["cuantos"]
        ),
        (&json!(3), &json!(5)),
        "every revision keeps its answers"
    );
    assert_eq!(
        history
            .iter()
            .map(|r| (r.revision, r.action.as_str(), r.actor.clone()))
            .collect::<Vec<_>>(),
        [
            (1, "create", drawn_by_rosa()),
            (2, "review", by_analyst.clone())
        ]
    );
    assert!(
        store
            .find_feature(Uuid::now_v7())
            .await
            .expect("read")
            .is_none()
    );
    let tallies = store.workshop_tallies(lomas.id).await.expect("tallies");
    assert_eq!(tallies[&session.id].drawings, 5);

    // Comments on a drawing, a page at a time, and every comment of the project.
    let comments: Vec<Annotation> = (0..3)
        .map(|i| Annotation {
            id: Uuid::now_v7(),
            project_id: lomas.id,
            target: AnnotationTarget::Feature {
                feature_id: batch[0].id,
            },
            author: drawn_by_rosa(),
            body: format!("comentario {i}"),
            created_at: now() + Duration::seconds(i),
        })
        .collect();
    for comment in &comments {
        store.add_annotation(comment).await.expect("comment");
    }
    let on_table = Annotation {
        id: Uuid::now_v7(),
        project_id: lomas.id,
        target: AnnotationTarget::Workshop {
            workshop_id: session.id,
            group_id: Some(session.groups[0].id),
        },
        author: by_analyst,
        body: "la mesa habló de la feria".to_owned(),
        created_at: now(),
    };
    store.add_annotation(&on_table).await.expect("comment");
    let target = AnnotationTarget::Feature {
        feature_id: batch[0].id,
    };
    let first_page = store
        .list_annotations(
            &target,
            AnnotationPage {
                after: None,
                limit: 2,
            },
        )
        .await
        .expect("page");
    assert_eq!(told(&first_page), told(&comments[..2]));
    let next = store
        .list_annotations(
            &target,
            AnnotationPage {
                after: Some(comments[1].id),
                limit: 2,
            },
        )
        .await
        .expect("page");
    assert_eq!(told(&next), told(&comments[2..]));
    let table = store
        .list_annotations(
            &on_table.target,
            AnnotationPage {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("table");
    assert_eq!(told(&table), told(&[on_table]));
    assert_eq!(
        store
            .list_project_annotations(lomas.id)
            .await
            .expect("all")
            .len(),
        4
    );
}
