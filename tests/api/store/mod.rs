//! The store contract, below HTTP: the same stories against `Store` on a SQLite file and on a
//! fresh PostgreSQL database, so that the SQL written once (`store::sql`) and each backend's
//! own parts (listings, live changes) answer alike: ids and times that come back as stored,
//! the errors each method promises (Conflict, NotFound, StaleRevision), orders and pages.

mod features;
mod identity;
mod priority;
mod projects;

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use trama::domain::access::Role;
use trama::domain::annotation::{Annotation, AnnotationTarget};
use trama::domain::bbox::BBox;
use trama::domain::export::Masking;
use trama::domain::feature::{Author, Feature, ReviewState};
use trama::domain::geometry::GeometryKind;
use trama::domain::legend::{Symbol, SymbolKind};
use trama::domain::permit::{Operation, Permit};
use trama::domain::project::{Project, SensitiveView};
use trama::domain::workshop::{Group, JoinCode, Workshop, WorkshopStatus};
use trama::store::{self, NewToken, Store, User};
use uuid::Uuid;

use crate::common::{Backend, TestDatabase};

/// Every store method that changes what others see takes a permit; these stories are the
/// machine's operator's.
fn operator<Op: Operation>(operation: Op) -> Permit<Op> {
    Permit::operator(operation)
}

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
        retention: None,
        attachment_limits: Default::default(),
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
        questions: Vec::new(),
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
        legal_basis: None,
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
        answers: json!({"cuantos": 3, "horario": ["noche"]})
            .as_object()
            .cloned()
            .unwrap_or_default(),
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

async fn identity_answers_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    identity::identity_story(&*store).await;
}

async fn projects_and_workshops_answer_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    projects::project_story(&*store).await;
}

async fn features_and_comments_answer_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    features::feature_story(&*store).await;
}

async fn priority_exports_and_live_changes_answer_alike_on_both_backends(backend: Backend) {
    let (_database, store) = open(backend).await;
    priority::priority_story(&*store).await;
}

crate::both_backends!(
    identity_answers_alike_on_both_backends,
    projects_and_workshops_answer_alike_on_both_backends,
    features_and_comments_answer_alike_on_both_backends,
    priority_exports_and_live_changes_answer_alike_on_both_backends,
);
