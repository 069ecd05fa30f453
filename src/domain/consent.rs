//! On what basis a workshop's drawings are held, and who agreed to what (ICRC Handbook on Data
//! Protection in Humanitarian Action, 3rd ed., 2024, ch. 3; OCHA Data Responsibility
//! Guidelines, 2025). A workshop holds its drawings on the **consent** of those who draw, or
//! on the programme's **public-interest mandate** when consent cannot be free (consent is not
//! valid when it is the price of help). Without either it takes no drawings.
//!
//! Consent is given by each participant on the join page, or by the facilitator on behalf of
//! a table that agreed aloud (with a note). The text shown is versioned and hashed: Trama
//! keeps that a pseudonymous participant accepted version N (and when), nothing more.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Invalid;

/// What the drawings may be used for beyond the commission's own analysis, which every basis
/// covers (it is why the workshop is held).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// Anonymised and aggregated exports for researchers.
    Research,
    /// Publication of aggregates (priority areas, counts by cell).
    Publication,
}

/// Who gives consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentGiver {
    /// Each participant, on the join page, before drawing.
    Participant,
    /// The facilitator, on behalf of a table that agreed aloud, with a note.
    Facilitator,
}

/// What a consent text says in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentText {
    /// What is asked, what is kept, for what, for how long.
    pub text: String,
    /// How to withdraw, and what happens then.
    pub withdrawal: String,
}

/// A workshop's legal basis, as set by those who run it. Stored whole, with its `version`
/// (1, 2, …) and the SHA-256 of what was shown (`hash`, lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    pub version: u32,
    #[serde(flatten)]
    pub kind: BasisKind,
    /// Uses beyond the commission's analysis.
    pub uses: BTreeSet<Use>,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum BasisKind {
    Consent {
        given_by: ConsentGiver,
        /// The text in each of the workshop's languages (BCP 47 tags: `es`, `en`).
        texts: BTreeMap<String, ConsentText>,
    },
    PublicInterest {
        /// The mandate: the law or programme that charges the commission with this work.
        mandate: String,
    },
}

/// A legal basis as asked (`PUT /api/workshops/{id}/legal-basis`).
#[derive(Debug, Clone, Deserialize)]
pub struct LegalBasisRequest {
    #[serde(flatten)]
    pub kind: BasisKind,
    #[serde(default)]
    pub uses: BTreeSet<Use>,
}

/// Longest consent text, withdrawal text or mandate, in characters.
pub const MAX_TEXT_CHARS: usize = 8_000;

impl LegalBasisRequest {
    /// The basis this request sets as `version`.
    ///
    /// # Errors
    /// Every problem, with its JSON pointer: a consent without a text, a language tag that is
    /// not a short BCP 47 tag, an empty or over-long text or mandate.
    pub fn into_basis(self, version: u32) -> Result<LegalBasis, Vec<Invalid>> {
        let mut errors = Vec::new();
        let check = |errors: &mut Vec<Invalid>, text: &str, pointer: String| {
            let chars = text.trim().chars().count();
            if chars == 0 || chars > MAX_TEXT_CHARS {
                errors.push(Invalid::new(
                    pointer,
                    format!("1 to {MAX_TEXT_CHARS} characters"),
                ));
            }
        };
        match &self.kind {
            BasisKind::Consent { texts, .. } => {
                if texts.is_empty() {
                    check(&mut errors, "", "/texts".into());
                }
                for (language, text) in texts {
                    let tag_ok = (2..=8).contains(&language.len())
                        && language
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if !tag_ok {
                        errors.push(Invalid::new(
                            format!("/texts/{language}"),
                            "a language tag such as es or en",
                        ));
                    }
                    check(&mut errors, &text.text, format!("/texts/{language}/text"));
                    check(
                        &mut errors,
                        &text.withdrawal,
                        format!("/texts/{language}/withdrawal"),
                    );
                }
            }
            BasisKind::PublicInterest { mandate } => {
                check(&mut errors, mandate, "/mandate".into());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let hash = shown_hash(&self.kind, &self.uses);
        Ok(LegalBasis {
            version,
            kind: self.kind,
            uses: self.uses,
            hash,
        })
    }
}

/// SHA-256 of what a basis shows and covers, over its canonical JSON (keys in order).
fn shown_hash(kind: &BasisKind, uses: &BTreeSet<Use>) -> String {
    let canonical = serde_json::json!({"kind": kind, "uses": uses}).to_string();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl LegalBasis {
    /// Whether it covers `used` (the commission's analysis is always covered).
    pub fn covers(&self, used: Use) -> bool {
        self.uses.contains(&used)
    }

    /// Who must agree before a participant draws, if anyone.
    pub fn consent_by(&self) -> Option<ConsentGiver> {
        match &self.kind {
            BasisKind::Consent { given_by, .. } => Some(*given_by),
            BasisKind::PublicInterest { .. } => None,
        }
    }

    /// The consent text in `language`, or in the first language it has; None for a
    /// public-interest basis.
    pub fn text_in(&self, language: &str) -> Option<(&str, &ConsentText)> {
        let BasisKind::Consent { texts, .. } = &self.kind else {
            return None;
        };
        texts
            .get_key_value(language)
            .or_else(|| texts.iter().next())
            .map(|(l, t)| (l.as_str(), t))
    }
}

/// Why a drawing may not be added to a workshop for want of a basis or a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BasisRefusal {
    #[error(
        "this workshop has no legal basis yet: its facilitator records on what basis its drawings are kept (consent or a public-interest mandate) before anyone draws"
    )]
    NoBasis,
    #[error("accept the workshop's consent text (version {0}) before drawing")]
    NoConsent(u32),
    #[error(
        "your table's agreement to the consent text (version {0}) has not been recorded by the facilitator yet"
    )]
    NoTableConsent(u32),
}

/// Whether a drawing may be added under `basis`: by staff whenever there is a basis; by a
/// participant under consent only once they (or, for a table that agreed aloud, their
/// facilitator for the table) accepted its current version (`consented`, the version
/// accepted, if any).
///
/// # Errors
/// See [`BasisRefusal`].
pub fn admits_drawing(
    basis: Option<&LegalBasis>,
    by_participant: bool,
    consented: Option<u32>,
) -> Result<(), BasisRefusal> {
    let basis = basis.ok_or(BasisRefusal::NoBasis)?;
    match basis.consent_by() {
        Some(_) if !by_participant => Ok(()),
        Some(_) if consented == Some(basis.version) => Ok(()),
        Some(ConsentGiver::Participant) => Err(BasisRefusal::NoConsent(basis.version)),
        Some(ConsentGiver::Facilitator) => Err(BasisRefusal::NoTableConsent(basis.version)),
        None => Ok(()),
    }
}

/// What a participant joining under `basis` has consented to, having `accepted` the version
/// of the text the join page showed: that version, when the basis asks each participant;
/// nothing otherwise.
///
/// # Errors
/// [`BasisRefusal::NoBasis`] without a basis (nobody joins a workshop that may not keep what
/// they draw); [`BasisRefusal::NoConsent`] when the basis asks each participant and they did
/// not accept its current version.
pub fn consent_on_joining(
    basis: Option<&LegalBasis>,
    accepted: Option<u32>,
) -> Result<Option<u32>, BasisRefusal> {
    let basis = basis.ok_or(BasisRefusal::NoBasis)?;
    match basis.consent_by() {
        Some(ConsentGiver::Participant) if accepted == Some(basis.version) => Ok(accepted),
        Some(ConsentGiver::Participant) => Err(BasisRefusal::NoConsent(basis.version)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(given_by: ConsentGiver) -> LegalBasis {
        let mut texts = BTreeMap::new();
        texts.insert(
            "es".to_owned(),
            ConsentText {
                text: "Acepto que mis dibujos se usen para el análisis de la comisión.".into(),
                withdrawal: "Pedí a la facilitadora que los borre.".into(),
            },
        );
        LegalBasisRequest {
            kind: BasisKind::Consent { given_by, texts },
            uses: BTreeSet::from([Use::Research]),
        }
        .into_basis(2)
        .expect("valid")
    }

    #[test]
    fn a_workshop_without_a_basis_takes_no_drawing_from_anyone() {
        assert_eq!(
            admits_drawing(None, false, None),
            Err(BasisRefusal::NoBasis)
        );
        assert_eq!(admits_drawing(None, true, None), Err(BasisRefusal::NoBasis));
    }

    #[test]
    fn participants_draw_only_under_the_version_they_accepted() {
        let basis = consent(ConsentGiver::Participant);
        assert_eq!(admits_drawing(Some(&basis), true, Some(2)), Ok(()));
        assert_eq!(
            admits_drawing(Some(&basis), true, Some(1)),
            Err(BasisRefusal::NoConsent(2))
        );
        assert_eq!(
            admits_drawing(Some(&basis), true, None),
            Err(BasisRefusal::NoConsent(2))
        );
        assert_eq!(admits_drawing(Some(&basis), false, None), Ok(()));
        let table = consent(ConsentGiver::Facilitator);
        assert_eq!(
            admits_drawing(Some(&table), true, None),
            Err(BasisRefusal::NoTableConsent(2))
        );
    }

    #[test]
    fn joining_keeps_the_version_accepted_only_where_each_participant_is_asked() {
        let basis = consent(ConsentGiver::Participant);
        assert_eq!(consent_on_joining(Some(&basis), Some(2)), Ok(Some(2)));
        assert_eq!(
            consent_on_joining(Some(&basis), Some(1)),
            Err(BasisRefusal::NoConsent(2))
        );
        assert_eq!(
            consent_on_joining(None, Some(2)),
            Err(BasisRefusal::NoBasis)
        );
        let table = consent(ConsentGiver::Facilitator);
        assert_eq!(consent_on_joining(Some(&table), Some(2)), Ok(None));
    }

    #[test]
    fn the_hash_changes_with_what_is_shown_and_covered() {
        let a = consent(ConsentGiver::Participant);
        let mut b = a.clone();
        b.uses.clear();
        assert_ne!(a.hash, shown_hash(&b.kind, &b.uses));
        assert_eq!(a.hash, shown_hash(&a.kind, &a.uses));
        assert_eq!(a.hash.len(), 64);
        assert!(a.covers(Use::Research) && !a.covers(Use::Publication));
        assert_eq!(a.text_in("en").map(|(l, _)| l), Some("es"));
    }

    #[test]
    fn a_consent_without_text_or_a_blank_mandate_is_refused_with_pointers() {
        let empty = LegalBasisRequest {
            kind: BasisKind::Consent {
                given_by: ConsentGiver::Participant,
                texts: BTreeMap::new(),
            },
            uses: BTreeSet::new(),
        };
        let errors = empty.into_basis(1).expect_err("no text");
        assert_eq!(errors[0].pointer, "/texts");
        let blank: LegalBasisRequest =
            serde_json::from_value(serde_json::json!({"basis": "public_interest", "mandate": " "}))
                .expect("parses");
        assert_eq!(
            blank.into_basis(1).expect_err("blank")[0].pointer,
            "/mandate"
        );
    }
}
