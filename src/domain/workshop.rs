//! Workshops (one mapping session), their groups (tables) and join codes.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::consent::{LegalBasis, LegalBasisRequest};
use super::{Invalid, bounded_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkshopStatus {
    Open,
    Closed,
}

impl WorkshopStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkshopStatus::Open => "open",
            WorkshopStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Workshop {
    pub id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub place: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The user running the workshop; facilitators see and manage their own workshops.
    pub facilitator_id: Option<Uuid>,
    pub status: WorkshopStatus,
    pub join_code: JoinCode,
    pub groups: Vec<Group>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How many times a minute it may be joined, raised by its facilitator for a large room
    /// (`MAX_JOINS_PER_MINUTE` at most); None: the server's `--joins-per-workshop`.
    pub joins_per_minute: Option<u32>,
    /// On what basis its drawings are held (`domain::consent`); None: none yet, and it takes
    /// no drawings.
    pub legal_basis: Option<LegalBasis>,
}

/// The most joins a minute a facilitator may allow a workshop: a hall of a thousand people
/// joining over two minutes, still a bound on how many participants (each with a rate of
/// their own) one client could make.
pub const MAX_JOINS_PER_MINUTE: u32 = 1_000;

impl Workshop {
    pub fn is_open(&self) -> bool {
        self.status == WorkshopStatus::Open
    }

    /// Finds a group by id or, as typed by people, by its name (case-insensitive).
    pub fn find_group(&self, reference: &str) -> Option<&Group> {
        let reference = reference.trim();
        self.groups.iter().find(|g| {
            g.id.to_string() == reference.to_ascii_lowercase()
                || g.name.to_lowercase() == reference.to_lowercase()
        })
    }
}

/// The body of `POST /api/projects/{slug}/workshops`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWorkshopRequest {
    pub title: String,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// Username of the facilitator; defaults to the creating user when that user facilitates.
    #[serde(default)]
    pub facilitator: Option<String>,
    /// The tables of the workshop, e.g. "Jóvenes", "Docentes".
    pub groups: Vec<String>,
    /// Joins a minute, for a room larger than the server's limit (see `Workshop`).
    #[serde(default)]
    pub joins_per_minute: Option<u32>,
    /// Its legal basis, set at once (version 1); it can be set later
    /// (`PUT /api/workshops/{id}/legal-basis`), and nobody draws before it is.
    #[serde(default)]
    pub legal_basis: Option<LegalBasisRequest>,
}

pub const MAX_GROUPS: usize = 50;

/// Refuses a workshop's joins a minute outside 1 to `MAX_JOINS_PER_MINUTE`.
pub fn check_joins_per_minute(joins: Option<u32>) -> Result<(), Invalid> {
    match joins {
        Some(n) if n == 0 || n > MAX_JOINS_PER_MINUTE => Err(Invalid::new(
            "/joins_per_minute",
            format!(
                "joins a minute are 1 to {MAX_JOINS_PER_MINUTE}, or null for the server's limit"
            ),
        )),
        _ => Ok(()),
    }
}

impl NewWorkshopRequest {
    /// Validates into a workshop (open, with a fresh join code).
    pub fn into_workshop(
        self,
        project_id: Uuid,
        facilitator_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Workshop, Vec<Invalid>> {
        let mut errors = Vec::new();
        let title = bounded_text(Some(&self.title), 200, "/title", &mut errors);
        if title.is_none() && errors.is_empty() {
            errors.push(Invalid::new("/title", "a title is needed"));
        }
        let place = bounded_text(self.place.as_deref(), 200, "/place", &mut errors);
        errors.extend(check_joins_per_minute(self.joins_per_minute).err());
        let legal_basis = match self.legal_basis.map(|b| b.into_basis(1)).transpose() {
            Ok(basis) => basis,
            Err(problems) => {
                errors.extend(problems.into_iter().map(|p| Invalid {
                    pointer: format!("/legal_basis{}", p.pointer),
                    ..p
                }));
                None
            }
        };
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at)
            && end < start
        {
            errors.push(Invalid::new("/ends_at", "the end is before the start"));
        }
        if self.groups.is_empty() || self.groups.len() > MAX_GROUPS {
            errors.push(Invalid::new(
                "/groups",
                format!("a workshop needs 1-{MAX_GROUPS} groups"),
            ));
        }
        let mut groups: Vec<Group> = Vec::new();
        for (i, name) in self.groups.iter().enumerate() {
            let pointer = format!("/groups/{i}");
            match bounded_text(Some(name), 100, &pointer, &mut errors) {
                None if !errors.iter().any(|e| e.pointer == pointer) => {
                    errors.push(Invalid::new(pointer, "a group needs a name"));
                }
                None => {}
                Some(name)
                    if groups
                        .iter()
                        .any(|g| g.name.to_lowercase() == name.to_lowercase()) =>
                {
                    errors.push(Invalid::new(
                        pointer,
                        format!("group \"{name}\" appears twice"),
                    ));
                }
                Some(name) => groups.push(Group {
                    id: Uuid::new_v4(),
                    name,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Workshop {
            id: Uuid::new_v4(),
            project_id,
            title: title.unwrap_or_default(),
            place,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            facilitator_id,
            status: WorkshopStatus::Open,
            join_code: JoinCode::generate(),
            groups,
            created_at: now,
            closed_at: None,
            joins_per_minute: self.joins_per_minute,
            legal_basis,
        })
    }
}

/// A short code participants type or hear to join a workshop, like `K7M-4QX`.
///
/// Six symbols from a 31-character alphabet without look-alikes (no 0/O, 1/I/L, no U/V
/// confusion in Spanish dictation) give about 8.9 × 10⁸ codes; with failed attempts rate
/// limited per client, guessing an open workshop's code is impractical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct JoinCode(String);

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH: usize = 6;

impl JoinCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let code: String = (0..CODE_LENGTH)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        Self(format!("{}-{}", &code[..3], &code[3..]))
    }

    /// Normalises what a person typed: case, spaces and dashes do not matter.
    pub fn parse(typed: &str) -> Option<Self> {
        let cleaned: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.len() != CODE_LENGTH || !cleaned.bytes().all(|b| ALPHABET.contains(&b)) {
            return None;
        }
        Some(Self(format!("{}-{}", &cleaned[..3], &cleaned[3..])))
    }

    /// Rebuilds a code read from storage.
    pub fn from_stored(code: String) -> Self {
        Self(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The body of `POST /api/join`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub code: String,
    /// The group's name or id.
    pub group: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// The version of the consent text the participant read and accepted, when the
    /// workshop's legal basis asks each participant (`domain::consent`).
    #[serde(default)]
    pub consent_version: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_back_however_they_are_typed() {
        let code = JoinCode::generate();
        assert_eq!(code.as_str().len(), 7);
        let typed = code.as_str().to_lowercase().replace('-', " ");
        assert_eq!(JoinCode::parse(&typed), Some(code));
    }

    #[test]
    fn codes_with_look_alike_characters_are_refused() {
        assert!(JoinCode::parse("ABC-10O").is_none());
        assert!(JoinCode::parse("ABC").is_none());
    }

    #[test]
    fn a_workshop_needs_distinct_named_groups() {
        let request = NewWorkshopRequest {
            title: "Taller 1".into(),
            place: None,
            starts_at: None,
            ends_at: None,
            facilitator: None,
            groups: vec!["Jóvenes".into(), "jóvenes".into(), " ".into()],
            joins_per_minute: None,
            legal_basis: None,
        };
        let errors = request
            .into_workshop(Uuid::new_v4(), None, Utc::now())
            .unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/groups/1", "/groups/2"]);
    }

    #[test]
    fn groups_are_found_by_name_or_id() {
        let workshop = NewWorkshopRequest {
            title: "Taller".into(),
            place: None,
            starts_at: None,
            ends_at: None,
            facilitator: None,
            groups: vec!["Docentes".into()],
            joins_per_minute: None,
            legal_basis: None,
        }
        .into_workshop(Uuid::new_v4(), None, Utc::now())
        .expect("valid");
        let id = workshop.groups[0].id.to_string();
        assert!(workshop.find_group("docentes").is_some());
        assert!(workshop.find_group(&id).is_some());
        assert!(workshop.find_group("Vecinos").is_none());
    }
}
