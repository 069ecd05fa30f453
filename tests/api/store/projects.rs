//! Projects, legends, workshops and participants, against the store.

use trama::domain::access::{Principal, Role};
use trama::domain::export::Masking;
use trama::domain::feature::{Author, Feature};
use trama::domain::legend::Symbol;
use trama::domain::permit::{
    LegendEditing, Moderation, ProjectCreation, UserAdministration, WorkshopCreation,
    WorkshopManagement,
};
use trama::domain::project::{Project, SensitiveView};
use trama::domain::workshop::{JoinCode, WorkshopStatus};
use trama::store::{Participant, Store, StoreError};
use uuid::Uuid;

use super::{now, operator, point, project, symbol, token, user, workshop};

/// Projects, legends, workshops, participants and their tokens.
pub(super) async fn project_story<S: Store + ?Sized>(store: &S) {
    let lomas = project("lomas");
    store
        .create_project(&operator(ProjectCreation), &lomas)
        .await
        .expect("project");
    assert!(matches!(
        store
            .create_project(&operator(ProjectCreation), &project("lomas"))
            .await,
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
        .set_policies(
            &operator(Moderation),
            &Project {
                masking,
                sensitive_exact: SensitiveView::Workshop,
                import_max_items: Some(20_000),
                attachment_limits: trama::domain::attachment::AttachmentLimits {
                    photo_mb: Some(3),
                    voice_note_seconds: Some(90),
                },
                ..lomas.clone()
            },
        )
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
        (
            found.attachment_limits.photo_mb,
            found.attachment_limits.voice_note_seconds
        ),
        (Some(3), Some(90))
    );
    assert_eq!(
        (found.masking.min_m, found.masking.max_m, found.masking.k),
        (150.0, 600.0, 7)
    );

    // The legend keeps its order; a symbol in use cannot leave it, an unused one can.
    let legend = [symbol("taller"), symbol("escuela"), symbol("basural")];
    store
        .replace_legend(&operator(LegendEditing), lomas.id, &legend)
        .await
        .expect("legend");
    let keys = |symbols: Vec<Symbol>| symbols.into_iter().map(|s| s.key).collect::<Vec<_>>();
    assert_eq!(
        keys(store.legend(lomas.id).await.expect("legend")),
        ["taller", "escuela", "basural"]
    );
    let admin = user("admin", Role::Admin);
    store
        .create_user(&operator(UserAdministration), &admin, "h")
        .await
        .expect("user");
    let author = Author::User {
        id: admin.id,
        username: "admin".to_owned(),
    };
    store
        .insert_features(&[point(&lomas, author, "taller", -58.40, -34.76)], None)
        .await
        .expect("feature");
    let dropped = store
        .replace_legend(&operator(LegendEditing), lomas.id, &[symbol("escuela")])
        .await;
    assert!(
        matches!(&dropped, Err(StoreError::Conflict(words)) if words.contains("taller")),
        "{dropped:?}"
    );
    store
        .replace_legend(
            &operator(LegendEditing),
            lomas.id,
            &[symbol("escuela"), symbol("taller")],
        )
        .await
        .expect("basural leaves the legend");
    assert_eq!(
        keys(store.legend(lomas.id).await.expect("legend")),
        ["escuela", "taller"]
    );

    // Workshops: tables in order, one open workshop per code, closing and reopening.
    let first = workshop(&lomas, "ABC123");
    store
        .create_workshop(&operator(WorkshopCreation), &first)
        .await
        .expect("workshop");
    assert!(matches!(
        store
            .create_workshop(&operator(WorkshopCreation), &workshop(&lomas, "ABC123"))
            .await,
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
        consent_version: None,
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

    store
        .close_workshop(&operator(WorkshopManagement { workshop: first.id }), now())
        .await
        .expect("close");
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
    store
        .create_user(&operator(UserAdministration), &analyst, "hash")
        .await
        .expect("user");
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
        .create_workshop(&operator(WorkshopCreation), &second)
        .await
        .expect("the code is free again");
    assert!(matches!(
        store
            .reopen_workshop(&operator(WorkshopManagement { workshop: first.id }))
            .await,
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
