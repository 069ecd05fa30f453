//! `trama demo`: a realistic project for Lomas de Zamora, so a new user sees something real.

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::application::identity;
use crate::domain::access::Role;
use crate::domain::annotation::{Annotation, AnnotationTarget};
use crate::domain::feature::{Author, Feature, FeatureDraft};
use crate::domain::generate::{self, GROUPS, LOMAS_BBOX};
use crate::domain::permit::{
    LegendEditing, Permit, ProjectCreation, UserAdministration, WorkshopCreation,
    WorkshopManagement,
};
use crate::domain::project::NewProjectRequest;
use crate::domain::workshop::NewWorkshopRequest;
use crate::store::{NewToken, Participant, Store, User};

pub const DEMO_SLUG: &str = "lomas-de-zamora";

const PSEUDONYMS: &[&str] = &["Colibrí", "Hornero", "Ceibo", "Jacarandá", "Benteveo"];

const COMMENTS: &[&str] = &[
    "Lo confirmamos con la escuela.",
    "Se mudó el año pasado a la otra cuadra.",
    "Los sábados hay mucho más movimiento.",
    "La sala de salud también lo vio.",
];

const NARRATIVES: &[&str] = &[
    "La mesa habló de los chicos que acompañan a sus madres a la feria de madrugada.",
    "Coincidimos en que los talleres se concentran cerca del arroyo.",
    "Las docentes contaron que hay más ausencias en temporada alta de la feria.",
];

pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    if store.find_project(DEMO_SLUG).await?.is_some() {
        println!("the demo project \"{DEMO_SLUG}\" is already there; nothing to do");
        return Ok(());
    }
    let now = Utc::now();
    let (min_x, min_y, max_x, max_y) = LOMAS_BBOX;
    let project = NewProjectRequest {
        slug: DEMO_SLUG.into(),
        name: "Trabajo infantil en el sector textil — Lomas de Zamora".into(),
        description: Some(
            "Cartografía social con COPRETI: talleres textiles, ferias y recursos del territorio (datos de demostración)."
                .into(),
        ),
        default_locale: Some("es-AR".into()),
        area: Some(json!({"type": "Polygon", "coordinates": [[
            [min_x, min_y], [max_x, min_y], [max_x, max_y], [min_x, max_y], [min_x, min_y]
        ]]})),
        sensitive_exact: Default::default(),
    }
    .into_project(now)
    .map_err(|e| anyhow::anyhow!("demo project: {e:?}"))?;
    store
        .create_project(&Permit::operator(ProjectCreation), &project)
        .await?;
    store
        .replace_legend(
            &Permit::operator(LegendEditing),
            project.id,
            &generate::demo_legend(),
        )
        .await?;

    let (admin_password, admin) = demo_user(store, "demo-admin", Role::Admin).await?;
    let (facilitator_password, facilitator) =
        demo_user(store, "demo-facilitadora", Role::Facilitator).await?;
    let (analyst_password, _) = demo_user(store, "demo-analista", Role::Analyst).await?;
    let (researcher_password, _) = demo_user(store, "demo-investigadora", Role::Researcher).await?;

    let start = Utc
        .with_ymd_and_hms(2026, 9, 12, 14, 0, 0)
        .single()
        .unwrap_or(now);
    let sessions = [
        (
            "Taller 1 — Ingeniero Budge, barrio 17 de Noviembre",
            "Capilla del barrio",
            start,
        ),
        (
            "Taller 2 — Villa Fiorito",
            "Comedor comunitario",
            start + Duration::days(35),
        ),
    ];
    let drawings: Vec<_> = generate::generate(48, 2026).collect();
    let per_workshop = drawings.len() / sessions.len();
    let mut workshops = Vec::new();
    for (index, (title, place, starts_at)) in sessions.into_iter().enumerate() {
        let workshop = NewWorkshopRequest {
            title: title.into(),
            place: Some(place.into()),
            starts_at: Some(starts_at),
            ends_at: Some(starts_at + Duration::hours(3)),
            facilitator: None,
            groups: GROUPS.iter().map(|g| (*g).to_owned()).collect(),
            joins_per_minute: None,
            legal_basis: Some(demo_consent()),
        }
        .into_workshop(project.id, Some(facilitator.id), now)
        .map_err(|e| anyhow::anyhow!("demo workshop: {e:?}"))?;
        store
            .create_workshop(&Permit::operator(WorkshopCreation), &workshop)
            .await?;

        let mut participants = Vec::new();
        for (group, pseudonym) in workshop.groups.iter().zip(PSEUDONYMS) {
            let participant = Participant {
                id: Uuid::new_v4(),
                workshop_id: workshop.id,
                group_id: group.id,
                display_name: Some((*pseudonym).to_owned()),
                created_at: now,
                consent_version: Some(1),
            };
            let (_, hash) = identity::new_token();
            store
                .create_participant(
                    &participant,
                    &NewToken {
                        hash,
                        expires_at: Some(now),
                        created_at: now,
                    },
                )
                .await?;
            participants.push(participant);
        }

        let mut features = Vec::new();
        for drawing in drawings
            .iter()
            .skip(index * per_workshop)
            .take(per_workshop)
        {
            let group = workshop
                .find_group(drawing.group)
                .context("generated group")?;
            let author = participants
                .iter()
                .find(|p| p.group_id == group.id)
                .context("participant")?;
            let draft = FeatureDraft {
                pointer: String::new(),
                symbol: drawing.symbol.to_owned(),
                title: Some(drawing.title.clone()),
                description: drawing.description.clone(),
                geometry: drawing.geometry.clone(),
                workshop: None,
                group: None,
                answers: Default::default(),
            };
            let author = Author::Participant {
                id: author.id,
                display_name: author.display_name.clone(),
            };
            features.push(Feature::create(
                draft,
                project.id,
                Some(workshop.id),
                Some(group.id),
                author,
                starts_at,
            ));
        }
        store.insert_features(&features, None).await?;

        for (i, feature) in features.iter().enumerate().filter(|(i, _)| i % 4 == 0) {
            let author = Author::Participant {
                id: participants[i % participants.len()].id,
                display_name: participants[i % participants.len()].display_name.clone(),
            };
            let body = COMMENTS[i % COMMENTS.len()].to_owned();
            let target = AnnotationTarget::Feature {
                feature_id: feature.id,
            };
            store
                .add_annotation(&Annotation::new(
                    project.id, target, author, body, starts_at,
                ))
                .await?;
        }
        for (group, narrative) in workshop.groups.iter().zip(NARRATIVES) {
            let author = Author::User {
                id: facilitator.id,
                username: facilitator.username.clone(),
            };
            let target = AnnotationTarget::Workshop {
                workshop_id: workshop.id,
                group_id: Some(group.id),
            };
            store
                .add_annotation(&Annotation::new(
                    project.id,
                    target,
                    author,
                    (*narrative).to_owned(),
                    starts_at,
                ))
                .await?;
        }
        workshops.push(workshop);
    }
    // The first workshop happened already; the second is still open to join.
    store
        .close_workshop(
            &Permit::operator(WorkshopManagement {
                workshop: workshops[0].id,
            }),
            now,
        )
        .await?;

    let (token, hash) = identity::new_token();
    store
        .create_user_token(
            &Permit::operator(UserAdministration),
            admin.id,
            &NewToken {
                hash,
                expires_at: Some(now + Duration::days(30)),
                created_at: now,
            },
        )
        .await?;
    println!(
        "Seeded the demo project \"{DEMO_SLUG}\": 2 workshops, {} features.",
        per_workshop * 2
    );
    println!("An account for every role (log in at /login):");
    println!("  demo-admin          admin        password: {admin_password}");
    println!("  demo-analista       analyst      password: {analyst_password}");
    println!("  demo-facilitadora   facilitator  password: {facilitator_password}");
    println!("  demo-investigadora  researcher   password: {researcher_password}");
    println!(
        "  open workshop join code: {}",
        workshops[1].join_code.as_str()
    );
    println!("  admin API token (30 days): {token}");
    println!(
        "Try: curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8080/api/projects/{DEMO_SLUG}/features"
    );
    Ok(())
}

async fn demo_user(
    store: &dyn Store,
    username: &str,
    role: Role,
) -> anyhow::Result<(String, User)> {
    let (password, _) = identity::new_token();
    let password = password[4..20].to_owned();
    let user = User {
        id: Uuid::new_v4(),
        username: username.to_owned(),
        role,
        created_at: Utc::now(),
        disabled: false,
    };
    let for_hash = password.clone();
    let hash = tokio::task::spawn_blocking(move || identity::hash_password(&for_hash))
        .await?
        .map_err(anyhow::Error::msg)?;
    store
        .create_user(&Permit::operator(UserAdministration), &user, &hash)
        .await?;
    Ok((password, user))
}

/// The demo workshops' legal basis: each participant's consent, in Spanish and English, for
/// the commission's analysis and anonymised research.
fn demo_consent() -> crate::domain::consent::LegalBasisRequest {
    use crate::domain::consent::{BasisKind, ConsentGiver, ConsentText, LegalBasisRequest, Use};
    let text = |text: &str, withdrawal: &str| ConsentText {
        text: text.to_owned(),
        withdrawal: withdrawal.to_owned(),
    };
    LegalBasisRequest {
        kind: BasisKind::Consent {
            given_by: ConsentGiver::Participant,
            texts: [
                (
                    "es".to_owned(),
                    text(
                        "Lo que dibujes en este mapa lo usa la comisión para decidir dónde actuar \
                         contra el trabajo infantil. No se guarda tu nombre. Los lugares delicados \
                         solo los ven quienes analizan; a investigadores les llegan sin datos que \
                         te identifiquen.",
                        "Pedile a quien coordina que borre tus dibujos: se borran de todo.",
                    ),
                ),
                (
                    "en".to_owned(),
                    text(
                        "What you draw on this map is used by the commission to decide where to \
                         act against child labour. Your name is not kept. Sensitive places are \
                         seen only by its analysts; researchers get them without anything that \
                         identifies you.",
                        "Ask whoever runs the workshop to delete your drawings: they are removed \
                         from everything.",
                    ),
                ),
            ]
            .into(),
        },
        uses: [Use::Research].into(),
    }
}
