//! Permissions as values. A [`Permit`] is what a caller has been allowed to do, obtained from
//! their role by the functions below (each asks [`Principal`]'s rule of the same name in
//! `access`) and required by the store method that does it. A door that forgot to ask has no
//! permit to pass, so it cannot call the store: a new door (an OGC API, a print service, a
//! job) gets the same checks by construction, and the compiler finds the one that skips them.
//!
//! The machine's operator — the person at the server's console running `trama` subcommands,
//! the demo's seeding, the tests — holds every permit ([`Permit::operator`]); `tests/
//! architecture.rs` keeps that constructor out of the HTTP door and the use cases.

use uuid::Uuid;

use super::access::Principal;
use super::feature::Feature;
use super::workshop::Workshop;

/// Leave to do `Op`. Only this module makes one (its field is private).
#[derive(Debug)]
pub struct Permit<Op> {
    operation: Op,
}

impl<Op> Permit<Op> {
    /// The operation permitted, with what it is bounded to (a workshop, a drawing).
    pub fn operation(&self) -> &Op {
        &self.operation
    }
}

impl<Op: Operation> Permit<Op> {
    /// The machine's operator's permit: the CLI, seeding and tests only, never a door a
    /// remote caller reaches.
    pub fn operator(operation: Op) -> Self {
        Self { operation }
    }
}

/// The operations a permit can be for (sealed: only those below).
pub trait Operation: sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
}

/// Hide, restore and review drawings of a whole project, read the export log, add and remove
/// boundary layers, set a project's policies: analysts and admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moderation;

/// Create users, change roles, disable accounts, reset passwords, list users, issue user
/// tokens: admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserAdministration;

/// Create projects: admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectCreation;

/// Replace a project's legend (analysts and admins), upload pictograms (shared by every
/// project: admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegendEditing;

/// Create a workshop: admins, analysts and facilitators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkshopCreation;

/// Close, reopen or size this one workshop: those who run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkshopManagement {
    pub workshop: Uuid,
}

/// Save a new revision of this one drawing (an edit, a deletion, a moderation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub feature: Uuid,
}

macro_rules! operations {
    ($($name:ident),*) => {$(
        impl sealed::Sealed for $name {}
        impl Operation for $name {}
    )*};
}

operations!(
    Moderation,
    UserAdministration,
    ProjectCreation,
    LegendEditing,
    WorkshopCreation,
    WorkshopManagement,
    Revision
);

impl Principal {
    pub fn moderation(&self) -> Option<Permit<Moderation>> {
        self.can_moderate().then_some(Permit {
            operation: Moderation,
        })
    }

    pub fn user_administration(&self) -> Option<Permit<UserAdministration>> {
        self.can_manage_users().then_some(Permit {
            operation: UserAdministration,
        })
    }

    pub fn project_creation(&self) -> Option<Permit<ProjectCreation>> {
        self.can_create_project().then_some(Permit {
            operation: ProjectCreation,
        })
    }

    pub fn legend_editing(&self) -> Option<Permit<LegendEditing>> {
        self.can_edit_legend().then_some(Permit {
            operation: LegendEditing,
        })
    }

    /// Pictograms are shared by every project, so only admins upload them.
    pub fn pictogram_upload(&self) -> Option<Permit<LegendEditing>> {
        self.can_manage_users().then_some(Permit {
            operation: LegendEditing,
        })
    }

    pub fn workshop_creation(&self) -> Option<Permit<WorkshopCreation>> {
        self.can_create_workshop().then_some(Permit {
            operation: WorkshopCreation,
        })
    }

    pub fn workshop_management(&self, workshop: &Workshop) -> Option<Permit<WorkshopManagement>> {
        self.can_manage_workshop(workshop).then_some(Permit {
            operation: WorkshopManagement {
                workshop: workshop.id,
            },
        })
    }

    /// Leave to edit or delete `feature`, drawn in `workshop` ([`Principal::can_edit_feature`]).
    pub fn revision(
        &self,
        feature: &Feature,
        workshop: Option<&Workshop>,
    ) -> Option<Permit<Revision>> {
        self.can_edit_feature(feature, workshop).then_some(Permit {
            operation: Revision {
                feature: feature.id,
            },
        })
    }
}

impl Permit<Moderation> {
    /// A moderator may revise any drawing.
    pub fn revision(&self, feature: &Feature) -> Permit<Revision> {
        Permit {
            operation: Revision {
                feature: feature.id,
            },
        }
    }
}

impl Permit<WorkshopManagement> {
    /// Leave to purge `workshop`'s raw drawings, given by its project's retention rather than
    /// by a role: only once the retention says it is due at `now` (the daily sweep is no
    /// caller; `trama purge` holds the operator's permit).
    pub fn retention_due(
        retention: super::retention::Retention,
        workshop: &Workshop,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<Self> {
        retention.is_due(workshop, now).then_some(Permit {
            operation: WorkshopManagement {
                workshop: workshop.id,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Role;

    fn user(role: Role) -> Principal {
        Principal::User {
            id: Uuid::new_v4(),
            username: "someone".to_owned(),
            role,
        }
    }

    #[test]
    fn each_permit_follows_the_rule_of_its_name() {
        for role in [
            Role::Admin,
            Role::Analyst,
            Role::Facilitator,
            Role::Researcher,
        ] {
            let caller = user(role);
            assert_eq!(caller.moderation().is_some(), caller.can_moderate());
            assert_eq!(
                caller.user_administration().is_some(),
                caller.can_manage_users()
            );
            assert_eq!(
                caller.project_creation().is_some(),
                caller.can_create_project()
            );
            assert_eq!(caller.legend_editing().is_some(), caller.can_edit_legend());
            assert_eq!(
                caller.workshop_creation().is_some(),
                caller.can_create_workshop()
            );
        }
        assert!(user(Role::Analyst).moderation().is_some());
        assert!(user(Role::Facilitator).moderation().is_none());
        assert!(user(Role::Analyst).pictogram_upload().is_none());
    }
}
