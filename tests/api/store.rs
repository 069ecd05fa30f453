//! The store contract, below HTTP: the same stories against `Store` on a SQLite file and on a
//! fresh PostgreSQL database, so that the SQL written once (`store::sql`) and each backend's
//! own parts (listings, live changes) answer alike: ids and times that come back as stored,
//! the errors each method promises (Conflict, NotFound, StaleRevision), orders and pages.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use futures::StreamExt;
use serde_json::json;
use trama::domain::access::{Principal, Role};
use trama::domain::annotation::{Annotation, AnnotationTarget};
use trama::domain::bbox::BBox;
use trama::domain::boundary::BoundaryLayer;
use trama::domain::change::Change;
use trama::domain::export::{ExportLogEntry, Masking, Privacy};
use trama::domain::feature::{Author, Feature, FeatureFilter, ReviewState};
use trama::domain::geometry::GeometryKind;
use trama::domain::legend::{Symbol, SymbolKind};
use trama::domain::project::{Project, SensitiveView};
use trama::domain::workshop::{Group, JoinCode, Workshop, WorkshopStatus};
use trama::domain::zone::{PriorityZone, ZoneStatus};
use trama::store::{
    self, AnnotationPage, IdempotentResponse, NewToken, Participant, Store, StoreError, User,
};
use uuid::Uuid;

use crate::common::{Backend, TestDatabase};

/// A moment the database keeps exactly (whole seconds: PostgreSQL keeps microseconds).
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

fn user(name: &str, role: Role) -> User {
    User {
        id: Uuid::now_v7(),
        username: name.to_owned(),
        role,
        created_at: now(),
        disabled: false,
    }
}

fn token(hash: &str, expires_at: Option<DateTime<Utc>>) -> NewToken {
    NewToken {
        hash: hash.to_owned(),
        expires_at,
        created_at: now(),
    }
}

fn project(slug: &str) -> Project {
    Project {
        id: Uuid::now_v7(),
        slug: slug.to_owned(),
        name: format!("Proyecto {slug}"),
        description: String::new(),
        default_locale: "es".to_owned(),
        area: None,
        sensitive_exact: SensitiveView::default(),
        masking: Masking::default(),
        import_max_items: None,
        created_at: now(),
    }
}

fn symbol(key: &str) -> Symbol {
    Symbol {
        key: key.to_owned(),
        labels: BTreeMap::from([("es".to_owned(), key.replace('_', " "))]),
        kind: SymbolKind::Risk,
        geometry_types: vec![GeometryKind::Point, GeometryKind::Polygon],
        color: "#c0392b".to_owned(),
        icon: None,
        weight: 1.0,
        sensitive: false,
    }
}

fn workshop(project: &Project, code: &str) -> Workshop {
    Workshop {
        id: Uuid::now_v7(),
        project_id: project.id,
        title: format!("Taller {code}"),
        place: Some("Sociedad de Fomento".to_owned()),
        starts_at: Some(now()),
        ends_at: None,
        facilitator_id: None,
        status: WorkshopStatus::Open,
        // Set, so that the round trips below carry it.
        joins_per_minute: Some(400),
        join_code: JoinCode::from_stored(code.to_owned()),
        groups: vec![
            Group {
                id: Uuid::now_v7(),
                name: "Jóvenes".to_owned(),
            },
            Group {
                id: Uuid::now_v7(),
                name: "Madres".to_owned(),
            },
        ],
        created_at: now(),
        closed_at: None,
    }
}

fn point(project: &Project, author: Author, symbol: &str, lon: f64, lat: f64) -> Feature {
    Feature {
        id: Uuid::now_v7(),
        project_id: project.id,
        workshop_id: None,
        group_id: None,
        author,
        symbol: symbol.to_owned(),
        title: Some("una casa".to_owned()),
        description: None,
        geometry: json!({"type": "Point", "coordinates": [lon, lat]}).to_string(),
        bbox: BBox {
            min_x: lon,
            min_y: lat,
            max_x: lon,
            max_y: lat,
        },
        review_state: ReviewState::Submitted,
        review_reason: None,
        reviewer_id: None,
        merged_into: None,
        hidden: false,
        revision: 1,
        created_at: now(),
        updated_at: now(),
        deleted_at: None,
    }
}

/// What an annotation says, where, by whom and when, to compare them.
fn told(
    annotations: &[Annotation],
) -> Vec<(Uuid, AnnotationTarget, Author, String, DateTime<Utc>)> {
    annotations
        .iter()
        .map(|a| {
            (
                a.id,
                a.target.clone(),
                a.author.clone(),
                a.body.clone(),
                a.created_at,
            )
        })
        .collect()
}

async fn open(backend: Backend) -> (TestDatabase, std::sync::Arc<dyn Store>) {
    let database = TestDatabase::new(backend).await;
    let store = store::connect(&database.url).await.expect("connect");
    (database, store)
}

/// Users and tokens: a taken name, who a token is, expiry, revocation, a reset password
/// ending every token (and a login that raced it), disabling, and the counting of sign-in
/// attempts.
async fn identity_story<S: Store + ?Sized>(store: &S) {
    let ana = user("ana", Role::Analyst);
    store.create_user(&ana, "hash-1").await.expect("user");
    let taken = store.create_user(&user("ana", Role::Admin), "x").await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let (stored, hash) = store
        .user_credentials("ana")
        .await
        .expect("credentials")
        .expect("ana is there");
    assert_eq!(
        (stored.id, stored.role, hash.as_str()),
        (ana.id, Role::Analyst, "hash-1")
    );
    assert_eq!(stored.created_at, ana.created_at);
    assert!(
        store
            .user_credentials("nadie")
            .await
            .expect("read")
            .is_none()
    );

    let at = now();
    store
        .create_user_token(ana.id, &token("t-forever", None))
        .await
        .expect("token");
    store
        .create_user_token(ana.id, &token("t-old", Some(at - Duration::hours(1))))
        .await
        .expect("token");
    let who = store
        .principal_for_token("t-forever", at)
        .await
        .expect("read");
    assert_eq!(
        who,
        Some(Principal::User {
            id: ana.id,
            username: "ana".to_owned(),
            role: Role::Analyst,
        })
    );
    assert_eq!(
        store.principal_for_token("t-old", at).await.expect("read"),
        None
    );
    assert_eq!(
        store.principal_for_token("t-none", at).await.expect("read"),
        None
    );

    store.revoke_token("t-forever").await.expect("revoke");
    assert_eq!(
        store
            .principal_for_token("t-forever", at)
            .await
            .expect("read"),
        None
    );

    // A new password ends every token; a role change and disabling in the same call.
    store
        .create_user_token(ana.id, &token("t-before-reset", None))
        .await
        .expect("token");
    store
        .update_user("ana", Role::Admin, false, Some("hash-2"), at)
        .await
        .expect("update");
    assert_eq!(
        store
            .principal_for_token("t-before-reset", at)
            .await
            .expect("read"),
        None
    );
    let (stored, hash) = store
        .user_credentials("ana")
        .await
        .expect("read")
        .expect("ana");
    assert_eq!((stored.role, hash.as_str()), (Role::Admin, "hash-2"));

    // A login checked against the old password does not outlive the reset.
    let raced = store
        .create_login_token(ana.id, "hash-1", &token("t-raced", None))
        .await;
    assert!(matches!(raced, Err(StoreError::StaleRevision)), "{raced:?}");
    assert_eq!(
        store
            .principal_for_token("t-raced", at)
            .await
            .expect("read"),
        None
    );
    store
        .create_login_token(ana.id, "hash-2", &token("t-login", None))
        .await
        .expect("a login with the current password");
    assert!(
        store
            .principal_for_token("t-login", at)
            .await
            .expect("read")
            .is_some()
    );

    store
        .create_user_token(ana.id, &token("t-disabled", None))
        .await
        .expect("token");
    store
        .update_user("ana", Role::Admin, true, None, at)
        .await
        .expect("disable");
    assert_eq!(
        store
            .principal_for_token("t-disabled", at)
            .await
            .expect("read"),
        None
    );
    assert!(store.list_users().await.expect("users")[0].disabled);
    assert!(matches!(
        store
            .update_user("nadie", Role::Admin, false, None, at)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_password("nadie", "x").await,
        Err(StoreError::NotFound)
    ));

    // Attempts count per scope and client, and a forgotten one no longer counts.
    let since = at - Duration::minutes(10);
    let (first, count) = store
        .begin_auth_attempt("join", "10.0.0.7", at, since)
        .await
        .expect("attempt");
    assert_eq!(count, 1);
    let (_, count) = store
        .begin_auth_attempt("join", "10.0.0.7", at, since)
        .await
        .expect("attempt");
    assert_eq!(count, 2);
    let (_, other) = store
        .begin_auth_attempt("join", "10.0.0.8", at, since)
        .await
        .expect("attempt");
    assert_eq!(other, 1);
    store.forget_auth_attempt(first).await.expect("forget");
    let (_, count) = store
        .begin_auth_attempt("join", "10.0.0.7", at, since)
        .await
        .expect("attempt");
    assert_eq!(count, 2);
}

/// Projects, legends, workshops, participants and their tokens.
async fn project_story<S: Store + ?Sized>(store: &S) {
    let lomas = project("lomas");
    store.create_project(&lomas).await.expect("project");
    assert!(matches!(
        store.create_project(&project("lomas")).await,
        Err(StoreError::Conflict(_))
    ));
    let found = store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("lomas");
    assert_eq!((found.id, found.created_at), (lomas.id, lomas.created_at));
    assert_eq!(
        store
            .find_project_by_id(lomas.id)
            .await
            .expect("read")
            .map(|p| p.slug),
        Some("lomas".to_owned())
    );

    let masking = Masking {
        min_m: 150.0,
        max_m: 600.0,
        k: 7,
        ..Masking::default()
    };
    store
        .set_policies(&Project {
            masking,
            sensitive_exact: SensitiveView::Workshop,
            import_max_items: Some(20_000),
            ..lomas.clone()
        })
        .await
        .expect("policies");
    let found = store
        .find_project("lomas")
        .await
        .expect("read")
        .expect("lomas");
    assert_eq!(found.sensitive_exact, SensitiveView::Workshop);
    assert_eq!(found.import_max_items, Some(20_000));
    assert_eq!(
        (found.masking.min_m, found.masking.max_m, found.masking.k),
        (150.0, 600.0, 7)
    );

    // The legend keeps its order; a symbol in use cannot leave it, an unused one can.
    let legend = [symbol("taller"), symbol("escuela"), symbol("basural")];
    store
        .replace_legend(lomas.id, &legend)
        .await
        .expect("legend");
    let keys = |symbols: Vec<Symbol>| symbols.into_iter().map(|s| s.key).collect::<Vec<_>>();
    assert_eq!(
        keys(store.legend(lomas.id).await.expect("legend")),
        ["taller", "escuela", "basural"]
    );
    let admin = user("admin", Role::Admin);
    store.create_user(&admin, "h").await.expect("user");
    let author = Author::User {
        id: admin.id,
        username: "admin".to_owned(),
    };
    store
        .insert_features(&[point(&lomas, author, "taller", -58.40, -34.76)], None)
        .await
        .expect("feature");
    let dropped = store.replace_legend(lomas.id, &[symbol("escuela")]).await;
    assert!(
        matches!(&dropped, Err(StoreError::Conflict(words)) if words.contains("taller")),
        "{dropped:?}"
    );
    store
        .replace_legend(lomas.id, &[symbol("escuela"), symbol("taller")])
        .await
        .expect("basural leaves the legend");
    assert_eq!(
        keys(store.legend(lomas.id).await.expect("legend")),
        ["escuela", "taller"]
    );

    // Workshops: tables in order, one open workshop per code, closing and reopening.
    let first = workshop(&lomas, "ABC123");
    store.create_workshop(&first).await.expect("workshop");
    assert!(matches!(
        store.create_workshop(&workshop(&lomas, "ABC123")).await,
        Err(StoreError::Conflict(_))
    ));
    let code = JoinCode::from_stored("ABC123".to_owned());
    let found = store
        .find_open_workshop_by_code(&code)
        .await
        .expect("read")
        .expect("open");
    assert_eq!(found.id, first.id);
    assert_eq!(found.groups, first.groups);

    let participant = Participant {
        id: Uuid::now_v7(),
        workshop_id: first.id,
        group_id: first.groups[1].id,
        display_name: Some("Rosa".to_owned()),
        created_at: now(),
    };
    store
        .create_participant(&participant, &token("p-rosa", None))
        .await
        .expect("participant");
    assert_eq!(
        store
            .principal_for_token("p-rosa", now())
            .await
            .expect("read"),
        Some(Principal::Participant {
            id: participant.id,
            project_id: lomas.id,
            workshop_id: first.id,
            group_id: first.groups[1].id,
            display_name: Some("Rosa".to_owned()),
        })
    );
    let tallies = store.workshop_tallies(lomas.id).await.expect("tallies");
    assert_eq!(
        (tallies[&first.id].participants, tallies[&first.id].drawings),
        (1, 0)
    );

    store.close_workshop(first.id, now()).await.expect("close");
    assert!(
        store
            .find_open_workshop_by_code(&code)
            .await
            .expect("read")
            .is_none()
    );
    // A participant's drawing in flight when the workshop closed is not stored after it;
    // staff may still add to a closed workshop (an import after the session).
    let late = Feature {
        workshop_id: Some(first.id),
        group_id: Some(first.groups[1].id),
        ..point(
            &lomas,
            Author::Participant {
                id: participant.id,
                display_name: None,
            },
            "taller",
            -58.40,
            -34.76,
        )
    };
    assert!(matches!(
        store.insert_features(&[late], None).await,
        Err(StoreError::Conflict(why)) if why.contains("closed")
    ));
    let analyst = user("analista-tarde", Role::Analyst);
    store.create_user(&analyst, "hash").await.expect("user");
    let by_staff = Feature {
        workshop_id: Some(first.id),
        ..point(
            &lomas,
            Author::User {
                id: analyst.id,
                username: analyst.username.clone(),
            },
            "taller",
            -58.40,
            -34.76,
        )
    };
    store
        .insert_features(&[by_staff], None)
        .await
        .expect("staff add to a closed workshop");
    let second = workshop(&lomas, "ABC123");
    store
        .create_workshop(&second)
        .await
        .expect("the code is free again");
    assert!(matches!(
        store.reopen_workshop(first.id).await,
        Err(StoreError::Conflict(_))
    ));
    let listed = store.list_workshops(lomas.id).await.expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|w| (w.id, w.status, w.groups.len()))
            .collect::<Vec<_>>(),
        [
            (first.id, WorkshopStatus::Closed, 2),
            (second.id, WorkshopStatus::Open, 2)
        ]
    );
}

/// Drawings: a batch with its idempotent answer, listings by filter and page, revisions with
/// their history, and comments a page at a time.
async fn feature_story<S: Store + ?Sized>(store: &S) {
    let lomas = project("lomas");
    store.create_project(&lomas).await.expect("project");
    store
        .replace_legend(lomas.id, &[symbol("taller"), symbol("escuela")])
        .await
        .expect("legend");
    let session = workshop(&lomas, "XYZ789");
    store.create_workshop(&session).await.expect("workshop");
    let rosa = Participant {
        id: Uuid::now_v7(),
        workshop_id: session.id,
        group_id: session.groups[0].id,
        display_name: Some("Rosa".to_owned()),
        created_at: now(),
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
        .map(|f| f.expect("row").id)
        .collect()
        .await;
    assert_eq!(streamed, ids(batch.clone()));
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
    store.create_user(&analyst, "h").await.expect("user");
    let mut reviewed = store
        .find_feature(batch[0].id)
        .await
        .expect("read")
        .expect("there");
    reviewed.revision = 2;
    reviewed.review_state = ReviewState::Accepted;
    reviewed.reviewer_id = Some(analyst.id);
    reviewed.updated_at = now() + Duration::seconds(1);
    let by_analyst = Author::User {
        id: analyst.id,
        username: "ana".to_owned(),
    };
    store
        .save_feature_revision(&reviewed, "review", &by_analyst)
        .await
        .expect("revision 2");
    assert!(matches!(
        store
            .save_feature_revision(&reviewed, "review", &by_analyst)
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
    let history = store.feature_history(batch[0].id).await.expect("history");
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

/// Boundary layers, priority zones with their history, the export log, pictograms and live
/// changes.
async fn priority_story<S: Store + ?Sized>(store: &S) {
    let lomas = project("lomas");
    store.create_project(&lomas).await.expect("project");
    let ana = user("ana", Role::Analyst);
    store.create_user(&ana, "h").await.expect("user");

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
    store.create_boundary_layer(&layer).await.expect("layer");
    assert!(matches!(
        store
            .create_boundary_layer(&BoundaryLayer {
                id: Uuid::now_v7(),
                ..layer.clone()
            })
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
    store.delete_boundary_layer(layer.id).await.expect("delete");
    assert!(matches!(
        store.delete_boundary_layer(layer.id).await,
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
    let log = store.list_exports(lomas.id).await.expect("log");
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
        .save_pictogram("olla", "<svg/>")
        .await
        .expect("pictogram");
    store
        .save_pictogram("olla", "<svg id='2'/>")
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

async fn identity_answers_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    identity_story(&*store).await;
}

async fn projects_and_workshops_answer_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    project_story(&*store).await;
}

async fn features_and_comments_answer_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    feature_story(&*store).await;
}

async fn priority_exports_and_live_changes_answer_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    priority_story(&*store).await;
}

crate::both_backends!(
    identity_answers_alike_on_both_backends,
    projects_and_workshops_answer_alike_on_both_backends,
    features_and_comments_answer_alike_on_both_backends,
    priority_exports_and_live_changes_answer_alike_on_both_backends,
);
