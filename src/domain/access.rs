//! Who may do what. Every rule of the API's permission table lives here as a pure function,
//! so that pages, exports and the API ask the same questions and get the same answers.
//!
//! Long (about 370 lines and its tests) on purpose: every permission in one file is what makes
//! the rules readable side by side and reviewable at once.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::feature::{Author, Feature};
use super::project::SensitiveView;
use super::workshop::Workshop;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Analyst,
    Facilitator,
    Researcher,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Facilitator => "facilitator",
            Role::Researcher => "researcher",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User {
        id: Uuid,
        username: String,
        role: Role,
    },
    /// A pseudonymous workshop participant, bound to one workshop and group.
    Participant {
        id: Uuid,
        project_id: Uuid,
        workshop_id: Uuid,
        group_id: Uuid,
        display_name: Option<String>,
    },
}

/// Which features of a project a principal may list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureScope {
    /// Every feature of the project (analysts and admins), hidden ones included.
    All,
    /// Only features of these workshops, without hidden ones.
    Workshops(Vec<Uuid>),
    /// No raw features at all (researchers: anonymised exports only).
    Nothing,
}

/// Why a principal may not add drawings to a workshop ([`Principal::may_draw_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawRefusal {
    NotTakingPart,
    Closed,
}

/// Why a request may not draw from the workshops it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopeRefusal {
    #[error("this role gets no raw features; use an anonymised or aggregated export")]
    NoFeatures,
    #[error("facilitators use only the workshops they run, and participants only their own")]
    NotYours,
}

impl FeatureScope {
    /// The workshops a request may draw from: those it `asked` for (None: whatever this scope
    /// holds), which must all be in this scope. `Ok(None)` is every workshop of the project.
    /// The one answer to "which workshops may this caller touch", for listings, priority
    /// areas and exports alike.
    ///
    /// # Errors
    /// [`ScopeRefusal::NoFeatures`] for a scope of nothing; [`ScopeRefusal::NotYours`] when
    /// a workshop asked for is outside the scope.
    pub fn narrow(&self, asked: Option<Vec<Uuid>>) -> Result<Option<Vec<Uuid>>, ScopeRefusal> {
        match (self, asked) {
            (FeatureScope::Nothing, _) => Err(ScopeRefusal::NoFeatures),
            (FeatureScope::All, asked) => Ok(asked),
            (FeatureScope::Workshops(allowed), None) => Ok(Some(allowed.clone())),
            (FeatureScope::Workshops(allowed), Some(asked)) => {
                if asked.iter().all(|w| allowed.contains(w)) {
                    Ok(Some(asked))
                } else {
                    Err(ScopeRefusal::NotYours)
                }
            }
        }
    }

    /// Whether a priority analysis in this scope counts sensitive drawings at their exact
    /// place, under the project's `policy`: always for a scope of every workshop (analysts,
    /// admins); for a facilitator's own workshops only when the project lets a workshop see
    /// its sensitive drawings (`SensitiveView::Workshop`) and the workshops analysed are
    /// `all_closed` (a closed session, as for the drawings themselves). Otherwise they count
    /// as their masking cell: fine cells of exact positions would tell what the mask hides.
    pub fn analyses_sensitive_exactly(&self, policy: SensitiveView, all_closed: bool) -> bool {
        *self == FeatureScope::All || (policy == SensitiveView::Workshop && all_closed)
    }
}

impl Principal {
    /// The user's or the participant's id.
    pub fn id(&self) -> Uuid {
        match self {
            Principal::User { id, .. } | Principal::Participant { id, .. } => *id,
        }
    }

    /// The user's id; None for a participant.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Principal::User { id, .. } => Some(*id),
            Principal::Participant { .. } => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User { role, .. } => Some(*role),
            Principal::Participant { .. } => None,
        }
    }

    /// A stable string naming the caller, used to scope idempotency keys.
    pub fn key(&self) -> String {
        match self {
            Principal::User { id, .. } => format!("user:{id}"),
            Principal::Participant { id, .. } => format!("participant:{id}"),
        }
    }

    pub fn author(&self) -> Author {
        match self {
            Principal::User { id, username, .. } => Author::User {
                id: *id,
                username: username.clone(),
            },
            Principal::Participant {
                id, display_name, ..
            } => Author::Participant {
                id: *id,
                display_name: display_name.clone(),
            },
        }
    }

    fn has_role(&self, roles: &[Role]) -> bool {
        self.role().is_some_and(|r| roles.contains(&r))
    }

    pub fn can_create_project(&self) -> bool {
        self.has_role(&[Role::Admin])
    }

    pub fn can_manage_users(&self) -> bool {
        self.has_role(&[Role::Admin])
    }

    /// Add, fetch or remove a project's basemaps: admins (files of hundreds of MB on the
    /// server's disk, and downloads from a service under its usage policy).
    pub fn can_manage_basemaps(&self) -> bool {
        self.has_role(&[Role::Admin])
    }

    /// A user's name; participants have none.
    pub fn username(&self) -> Option<&str> {
        match self {
            Principal::User { username, .. } => Some(username),
            Principal::Participant { .. } => None,
        }
    }

    /// Analysts and admins: review, hide, restore and merge features; edit legends.
    pub fn can_moderate(&self) -> bool {
        self.has_role(&[Role::Admin, Role::Analyst])
    }

    pub fn can_edit_legend(&self) -> bool {
        self.can_moderate()
    }

    /// Compute priority cells and zones: analysts and admins over the whole project,
    /// facilitators over their own workshops (see `feature_scope`). Researchers get cells only
    /// through the aggregated export; participants not at all.
    pub fn can_analyse_priority(&self) -> bool {
        self.has_role(&[Role::Admin, Role::Analyst, Role::Facilitator])
    }

    /// Export at this privacy level: full exports for analysts and admins; anonymised and
    /// aggregated ones for researchers and facilitators too (facilitators over their own
    /// workshops, see `export_scope`).
    pub fn may_export(&self, privacy: crate::domain::export::Privacy) -> bool {
        use crate::domain::export::Privacy;
        match privacy {
            Privacy::Full => self.can_moderate(),
            Privacy::Anonymised | Privacy::Aggregated => self.has_role(&[
                Role::Admin,
                Role::Analyst,
                Role::Researcher,
                Role::Facilitator,
            ]),
        }
    }

    /// The workshops an export may draw from: those a facilitator runs (of `workshops`, the
    /// project's), every one for anyone else who may export.
    pub fn export_scope(&self, workshops: &[Workshop]) -> FeatureScope {
        match self {
            Principal::User {
                role: Role::Facilitator,
                ..
            } => FeatureScope::Workshops(self.runs(workshops)),
            _ => FeatureScope::All,
        }
    }

    /// The ids of those of `workshops` this principal runs ([`Principal::can_manage_workshop`]).
    pub fn runs<'a>(&self, workshops: impl IntoIterator<Item = &'a Workshop>) -> Vec<Uuid> {
        workshops
            .into_iter()
            .filter(|w| self.can_manage_workshop(w))
            .map(|w| w.id)
            .collect()
    }

    pub fn can_create_workshop(&self) -> bool {
        self.has_role(&[Role::Admin, Role::Analyst, Role::Facilitator])
    }

    /// Close a workshop, see its join code, participants' data and narratives.
    pub fn can_manage_workshop(&self, workshop: &Workshop) -> bool {
        match self {
            Principal::User {
                role: Role::Admin | Role::Analyst,
                ..
            } => true,
            Principal::User {
                id,
                role: Role::Facilitator,
                ..
            } => workshop.facilitator_id == Some(*id),
            _ => false,
        }
    }

    pub fn is_in_workshop(&self, workshop_id: Uuid) -> bool {
        matches!(self, Principal::Participant { workshop_id: own, .. } if *own == workshop_id)
    }

    /// See a workshop's features and annotations.
    pub fn can_read_workshop(&self, workshop: &Workshop) -> bool {
        self.can_manage_workshop(workshop) || self.is_in_workshop(workshop.id)
    }

    /// Add features and annotations to a workshop: its own participants while it is open,
    /// and those who manage it.
    pub fn can_contribute_to(&self, workshop: &Workshop) -> bool {
        self.can_manage_workshop(workshop)
            || (self.is_in_workshop(workshop.id) && workshop.is_open())
    }

    /// Whether this principal may add drawings to `workshop`: those who run it and its own
    /// participants, while it is open (a closed workshop's map is its record; nobody adds to
    /// it, whoever they are).
    ///
    /// # Errors
    /// [`DrawRefusal::NotTakingPart`] for anyone else (without naming the workshop);
    /// [`DrawRefusal::Closed`] once it is closed.
    pub fn may_draw_in(&self, workshop: &Workshop) -> Result<(), DrawRefusal> {
        if !self.can_manage_workshop(workshop) && !self.is_in_workshop(workshop.id) {
            return Err(DrawRefusal::NotTakingPart);
        }
        if !workshop.is_open() {
            return Err(DrawRefusal::Closed);
        }
        Ok(())
    }

    /// The features of a project this principal may list. `facilitated` are the project's
    /// workshops run by the caller (only looked at for facilitators).
    pub fn feature_scope(
        &self,
        project_id: Uuid,
        facilitated: impl FnOnce() -> Vec<Uuid>,
    ) -> FeatureScope {
        match self {
            Principal::User {
                role: Role::Admin | Role::Analyst,
                ..
            } => FeatureScope::All,
            Principal::User {
                role: Role::Facilitator,
                ..
            } => FeatureScope::Workshops(facilitated()),
            Principal::User {
                role: Role::Researcher,
                ..
            } => FeatureScope::Nothing,
            Principal::Participant {
                project_id: own,
                workshop_id,
                ..
            } if *own == project_id => FeatureScope::Workshops(vec![*workshop_id]),
            Principal::Participant { .. } => FeatureScope::Nothing,
        }
    }

    /// Read one feature. `workshop` is the workshop it was drawn in, if any.
    pub fn can_read_feature(&self, feature: &Feature, workshop: Option<&Workshop>) -> bool {
        if self.can_moderate() {
            return true;
        }
        if feature.hidden || feature.is_deleted() {
            return false;
        }
        workshop.is_some_and(|w| self.can_read_workshop(w))
    }

    /// Edit or delete a feature: moderators any; others only what they drew themselves,
    /// participants only while their workshop is open.
    pub fn can_edit_feature(&self, feature: &Feature, workshop: Option<&Workshop>) -> bool {
        match self {
            _ if self.can_moderate() => true,
            Principal::User {
                id,
                role: Role::Facilitator,
                ..
            } => feature.author.is_user(*id),
            Principal::User { .. } => false,
            Principal::Participant { id, .. } => {
                feature.author.is_participant(*id)
                    && workshop.is_some_and(|w| w.is_open() && self.is_in_workshop(w.id))
            }
        }
    }

    /// Whether the exact geometry of a feature of a sensitive symbol may be shown: to
    /// analysts and admins, and to whoever drew it; beyond them only as the project's
    /// `policy` says: by default nobody (not the other tables of its workshop nor its
    /// facilitator, whose wall is projected to the room), or, when an analyst chose
    /// `SensitiveView::Workshop` for a closed session, the workshop's tables and facilitator.
    /// A sensitive place's exact position is for those who act on it (DOMAIN: "their exact
    /// locations are for analysts only"); the author keeps seeing what they drew.
    pub fn sees_exact_geometry(
        &self,
        feature: &Feature,
        symbol_sensitive: bool,
        workshop: Option<&Workshop>,
        policy: SensitiveView,
    ) -> bool {
        if !symbol_sensitive || self.can_moderate() {
            return true;
        }
        let author = match self {
            Principal::Participant { id, .. } => feature.author.is_participant(*id),
            Principal::User { id, .. } => feature.author.is_user(*id),
        };
        let in_its_workshop = match (feature.workshop_id, workshop) {
            (Some(drawn_in), Some(w)) if w.id == drawn_in => {
                self.sees_sensitive_of_workshop_exactly(w, policy)
            }
            _ => false,
        };
        author || in_its_workshop
    }

    /// Whether every sensitive drawing of `workshop` is exact to this principal, whoever drew
    /// it: analysts and admins; its tables and facilitator when the project's `policy` opens
    /// them to the workshop, **once it is closed** (a closed session, as the README and the
    /// wall say: while it is open, anyone may still join and see). What a comparison with the
    /// workshop's drawings may use too (an import's duplicate check), so that it never tells
    /// of a place the caller sees masked.
    pub fn sees_sensitive_of_workshop_exactly(
        &self,
        workshop: &Workshop,
        policy: SensitiveView,
    ) -> bool {
        self.can_moderate()
            || (policy == SensitiveView::Workshop
                && !workshop.is_open()
                && (self.is_in_workshop(workshop.id) || self.can_manage_workshop(workshop)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::feature::{FeatureLimits, parse_submission};
    use crate::domain::workshop::{NewWorkshopRequest, WorkshopStatus};
    use chrono::Utc;
    use serde_json::json;

    fn user(role: Role) -> Principal {
        Principal::User {
            id: Uuid::new_v4(),
            username: role.as_str().into(),
            role,
        }
    }

    fn workshop(facilitator: Option<Uuid>) -> Workshop {
        NewWorkshopRequest {
            title: "Taller".into(),
            place: None,
            starts_at: None,
            ends_at: None,
            facilitator: None,
            groups: vec!["Jóvenes".into()],
            joins_per_minute: None,
            legal_basis: None,
        }
        .into_workshop(Uuid::new_v4(), facilitator, Utc::now())
        .expect("valid")
    }

    fn participant(w: &Workshop) -> Principal {
        Principal::Participant {
            id: Uuid::new_v4(),
            project_id: w.project_id,
            workshop_id: w.id,
            group_id: w.groups[0].id,
            display_name: None,
        }
    }

    fn feature_by(author: &Principal, w: &Workshop) -> Feature {
        let draft = parse_submission(
            &json!({"type": "Feature", "properties": {"symbol": "taller"},
                    "geometry": {"type": "Point", "coordinates": [-58.4, -34.7]}}),
            FeatureLimits::default(),
        )
        .expect("valid")
        .remove(0);
        Feature::create(
            draft,
            w.project_id,
            Some(w.id),
            Some(w.groups[0].id),
            author.author(),
            Utc::now(),
        )
    }

    #[test]
    fn drawings_go_to_an_open_workshop_by_those_who_run_it_or_take_part() {
        let facilitator = user(Role::Facilitator);
        let Principal::User { id, .. } = &facilitator else {
            unreachable!()
        };
        let mut w = workshop(Some(*id));
        let member = participant(&w);
        let stranger = participant(&workshop(None));
        assert_eq!(facilitator.may_draw_in(&w), Ok(()));
        assert_eq!(member.may_draw_in(&w), Ok(()));
        assert_eq!(user(Role::Analyst).may_draw_in(&w), Ok(()));
        assert_eq!(stranger.may_draw_in(&w), Err(DrawRefusal::NotTakingPart));
        assert_eq!(
            user(Role::Researcher).may_draw_in(&w),
            Err(DrawRefusal::NotTakingPart)
        );
        w.status = WorkshopStatus::Closed;
        assert_eq!(member.may_draw_in(&w), Err(DrawRefusal::Closed));
        assert_eq!(facilitator.may_draw_in(&w), Err(DrawRefusal::Closed));
    }

    #[test]
    fn a_request_draws_from_the_workshops_it_asks_within_the_callers_scope() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let own = FeatureScope::Workshops(vec![a]);
        assert_eq!(own.narrow(None), Ok(Some(vec![a])));
        assert_eq!(own.narrow(Some(vec![a])), Ok(Some(vec![a])));
        assert_eq!(own.narrow(Some(vec![a, b])), Err(ScopeRefusal::NotYours));
        assert_eq!(FeatureScope::All.narrow(None), Ok(None));
        assert_eq!(FeatureScope::All.narrow(Some(vec![b])), Ok(Some(vec![b])));
        assert_eq!(
            FeatureScope::Nothing.narrow(None),
            Err(ScopeRefusal::NoFeatures)
        );
        // Exports: a facilitator's own workshops, everyone else's all of them.
        let facilitator = user(Role::Facilitator);
        let Principal::User { id, .. } = &facilitator else {
            unreachable!()
        };
        let (mine, theirs) = (workshop(Some(*id)), workshop(None));
        assert_eq!(
            facilitator.export_scope(&[mine.clone(), theirs.clone()]),
            FeatureScope::Workshops(vec![mine.id])
        );
        assert_eq!(
            user(Role::Researcher).export_scope(&[mine, theirs]),
            FeatureScope::All
        );
    }

    #[test]
    fn only_admins_create_projects_and_manage_users() {
        assert!(user(Role::Admin).can_create_project());
        for role in [Role::Analyst, Role::Facilitator, Role::Researcher] {
            assert!(!user(role).can_create_project());
            assert!(!user(role).can_manage_users());
        }
    }

    #[test]
    fn a_facilitator_manages_only_their_own_workshops() {
        let facilitator = user(Role::Facilitator);
        let Principal::User { id, .. } = &facilitator else {
            unreachable!()
        };
        assert!(facilitator.can_manage_workshop(&workshop(Some(*id))));
        assert!(!facilitator.can_manage_workshop(&workshop(None)));
        assert!(user(Role::Analyst).can_manage_workshop(&workshop(None)));
        assert!(!user(Role::Researcher).can_manage_workshop(&workshop(None)));
    }

    #[test]
    fn participants_edit_only_their_own_features_while_the_workshop_is_open() {
        let mut w = workshop(None);
        let me = participant(&w);
        let other = participant(&w);
        let mine = feature_by(&me, &w);
        assert!(me.can_edit_feature(&mine, Some(&w)));
        assert!(!other.can_edit_feature(&mine, Some(&w)));
        assert!(other.can_read_feature(&mine, Some(&w)));
        w.status = WorkshopStatus::Closed;
        assert!(!me.can_edit_feature(&mine, Some(&w)));
        assert!(!me.can_contribute_to(&w));
    }

    #[test]
    fn researchers_get_no_raw_features() {
        let w = workshop(None);
        let f = feature_by(&participant(&w), &w);
        let researcher = user(Role::Researcher);
        assert_eq!(
            researcher.feature_scope(w.project_id, Vec::new),
            FeatureScope::Nothing
        );
        assert!(!researcher.can_read_feature(&f, Some(&w)));
    }

    #[test]
    fn hidden_features_are_seen_by_moderators_only() {
        let w = workshop(None);
        let me = participant(&w);
        let mut f = feature_by(&me, &w);
        f.hidden = true;
        assert!(!me.can_read_feature(&f, Some(&w)));
        assert!(user(Role::Analyst).can_read_feature(&f, Some(&w)));
    }

    #[test]
    fn sensitive_geometry_is_exact_for_analysts_and_its_author_only() {
        let w = workshop(None);
        let elsewhere = workshop(None);
        let drawer = participant(&w);
        let f = feature_by(&drawer, &w);
        assert!(drawer.sees_exact_geometry(&f, true, Some(&w), SensitiveView::Analysts));
        assert!(user(Role::Analyst).sees_exact_geometry(
            &f,
            true,
            Some(&w),
            SensitiveView::Analysts
        ));
        assert!(!participant(&elsewhere).sees_exact_geometry(
            &f,
            true,
            Some(&w),
            SensitiveView::Analysts
        ));
        assert!(
            !participant(&w).sees_exact_geometry(&f, true, Some(&w), SensitiveView::Analysts),
            "another table of the same workshop"
        );
        assert!(!user(Role::Facilitator).sees_exact_geometry(
            &f,
            true,
            Some(&w),
            SensitiveView::Analysts
        ));
        assert!(user(Role::Facilitator).sees_exact_geometry(
            &f,
            false,
            Some(&w),
            SensitiveView::Analysts
        ));
        // Not the facilitator who runs it either: the wall is a public screen.
        let facilitator = user(Role::Facilitator);
        let Principal::User { id, .. } = &facilitator else {
            panic!("a user")
        };
        let theirs = workshop(Some(*id));
        let f = feature_by(&participant(&theirs), &theirs);
        assert!(facilitator.can_manage_workshop(&theirs));
        assert!(!facilitator.sees_exact_geometry(&f, true, Some(&theirs), SensitiveView::Analysts));
        // Unless the project lets the workshop see them in a closed session: once it is
        // closed, its facilitator and its tables, still not another workshop's; never while
        // it is open.
        let policy = SensitiveView::Workshop;
        assert!(!facilitator.sees_exact_geometry(&f, true, Some(&theirs), policy));
        assert!(!participant(&theirs).sees_exact_geometry(&f, true, Some(&theirs), policy));
        let mut closed = theirs;
        closed.status = WorkshopStatus::Closed;
        assert!(facilitator.sees_exact_geometry(&f, true, Some(&closed), policy));
        assert!(participant(&closed).sees_exact_geometry(&f, true, Some(&closed), policy));
        assert!(!participant(&elsewhere).sees_exact_geometry(&f, true, Some(&closed), policy));
    }

    #[test]
    fn only_a_whole_project_scope_or_a_workshop_policy_analyses_sensitive_drawings_exactly() {
        let own = FeatureScope::Workshops(vec![Uuid::now_v7()]);
        assert!(FeatureScope::All.analyses_sensitive_exactly(SensitiveView::Analysts, false));
        assert!(!own.analyses_sensitive_exactly(SensitiveView::Analysts, true));
        assert!(own.analyses_sensitive_exactly(SensitiveView::Workshop, true));
        // Not while a workshop analysed is open.
        assert!(!own.analyses_sensitive_exactly(SensitiveView::Workshop, false));
    }
}
