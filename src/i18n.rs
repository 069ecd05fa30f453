//! Message catalogues in Fluent (`locales/<tag>.ftl`, embedded at build time; see
//! <https://projectfluent.org>), choosing one, and formatting a message with its plural rules.
//!
//! Every string of every page goes through a catalogue. Spanish (Argentina) is the default and
//! the fallback for a message another catalogue lacks. The code names a message by a dotted key
//! (`review.count`); its Fluent id is the same with hyphens (`review-count`), since Fluent ids
//! take no dots. Pages get their catalogue's text and format it with `@fluent/bundle`
//! (`static/js/trama.js`), so the server and the pages share one file per language and its CLDR
//! plural rules ("1 mesa", "2 mesas").

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use serde::Serialize;

pub use fluent_bundle::FluentValue;

use crate::embedded;

/// The language pages fall back to.
pub const DEFAULT_LOCALE: &str = "es";

pub struct Catalogue {
    pub locale: &'static str,
    source: &'static str,
    bundle: FluentBundle<FluentResource>,
}

/// What a page script is given of its catalogue (the `#messages` element's JSON).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PageMessages {
    pub locale: &'static str,
    /// The catalogue's Fluent text.
    pub ftl: &'static str,
}

/// A message's Fluent id from the key the code uses (`review.count` → `review-count`).
fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

impl Catalogue {
    fn read(locale: &'static str, source: &'static str) -> Result<Self, String> {
        let resource = FluentResource::try_new(source.to_owned())
            .map_err(|(_, errors)| format!("{locale}.ftl: {errors:?}"))?;
        let language = locale
            .parse()
            .map_err(|e| format!("{locale} is not a language tag: {e}"))?;
        let mut bundle = FluentBundle::new_concurrent(vec![language]);
        // No Unicode isolation marks around values: pages are left-to-right, and the marks
        // would end up in copied text and in what tests read.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .map_err(|errors| format!("{locale}.ftl: {errors:?}"))?;
        Ok(Self {
            locale,
            source,
            bundle,
        })
    }

    /// The message `key` with no values, from this catalogue, else the Spanish one, else the
    /// key itself.
    pub fn t(&self, key: &str) -> String {
        self.f(key, &[])
    }

    /// The message `key` with the values `args` (`[("count", 3.into())]`): numbers choose the
    /// plural form. Falls back as [`Catalogue::t`]; a value the message names and `args` lack
    /// shows as `{$name}`.
    pub fn f(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let id = fluent_id(key);
        let found = [self, default()]
            .into_iter()
            .find_map(|c| Some((c, c.bundle.get_message(&id)?.value()?)));
        let Some((catalogue, pattern)) = found else {
            return key.to_owned();
        };
        let mut values = FluentArgs::new();
        for (name, value) in args {
            values.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        catalogue
            .bundle
            .format_pattern(pattern, Some(&values), &mut errors)
            .into_owned()
    }

    /// Whether this catalogue has the message `key` (a page asks before quoting an API's own
    /// words instead).
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(&fluent_id(key))
    }

    /// This catalogue for the page scripts.
    pub fn for_pages(&self) -> PageMessages {
        PageMessages {
            locale: self.locale,
            ftl: self.source,
        }
    }
}

pub fn all() -> &'static [Catalogue] {
    static CATALOGUES: OnceLock<Vec<Catalogue>> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        embedded::CATALOGUES
            .iter()
            // A broken catalogue is a build-time mistake; the test below catches it.
            .filter_map(|(locale, text)| Catalogue::read(locale, text).ok())
            .collect()
    })
}

fn default() -> &'static Catalogue {
    find(DEFAULT_LOCALE).unwrap_or(&all()[0])
}

/// The catalogue for a tag like `en`, `en-GB` or `es-AR` (matched by language).
pub fn find(tag: &str) -> Option<&'static Catalogue> {
    let language = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    all().iter().find(|c| c.locale == language)
}

/// Picks the page language: the user's choice (remembered in a cookie), else the browser's
/// `Accept-Language` in order of preference, else the project's default, else Spanish.
pub fn negotiate(
    chosen: Option<&str>,
    accept_language: Option<&str>,
    project_default: Option<&str>,
) -> &'static Catalogue {
    if let Some(catalogue) = chosen.and_then(find) {
        return catalogue;
    }
    if let Some(header) = accept_language {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((quality, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        if let Some(catalogue) = ranked
            .iter()
            .filter(|(q, _)| *q > 0.0)
            .find_map(|(_, tag)| find(tag))
        {
            return catalogue;
        }
    }
    project_default.and_then(find).unwrap_or_else(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_catalogue_parses_and_has_every_spanish_message() {
        assert_eq!(all().len(), embedded::CATALOGUES.len(), "each one reads");
        let spanish = ids(default().source);
        assert!(spanish.len() > 500);
        for (locale, text) in embedded::CATALOGUES {
            let these = ids(text);
            for id in &spanish {
                assert!(these.contains(id), "{locale} lacks {id}");
            }
            for id in &these {
                assert!(
                    spanish.contains(id),
                    "{locale} has {id}, which Spanish lacks"
                );
            }
        }
    }

    /// Every refusal code the server gives (`Refusal::new("…"`, `said_as("…"`, a basemap
    /// file's `named("…"`) has its message in every catalogue, so no page falls back to the
    /// API's English.
    #[test]
    fn every_refusal_code_has_its_message() {
        fn sources(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(std::fs::read_to_string(&path).expect("source"));
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        let mut codes = std::collections::BTreeSet::new();
        for text in &texts {
            for opening in ["Refusal::new(", "said_as(", "named(", "let code = match"] {
                for (at, _) in text.match_indices(opening) {
                    let rest = &text[at + opening.len()..];
                    let rest = rest.trim_start();
                    for literal in rest.split('"').skip(1).step_by(2).take(3) {
                        let coded = ["basemap.", "export.", "priority.", "retention."]
                            .iter()
                            .any(|p| literal.starts_with(p));
                        if coded
                            && !literal.ends_with('.')
                            && literal
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                        {
                            codes.insert(literal.to_owned());
                        }
                    }
                }
            }
        }
        assert!(codes.len() > 25, "{codes:?}");
        for catalogue in all() {
            for code in &codes {
                assert!(
                    catalogue.has(&format!("problem.code.{code}")),
                    "{} lacks problem.code.{code}",
                    catalogue.locale
                );
            }
        }
    }

    #[test]
    fn plurals_follow_each_language_s_rules() {
        let spanish = find("es").expect("spanish");
        let english = find("en").expect("english");
        let tally = |c: &Catalogue, n: i64| {
            c.f(
                "workshops.tally",
                &[
                    ("tables", n.into()),
                    ("participants", n.into()),
                    ("drawings", 0.into()),
                ],
            )
        };
        assert_eq!(tally(spanish, 1), "1 mesa · 1 participante · 0 dibujos");
        assert_eq!(tally(spanish, 4), "4 mesas · 4 participantes · 0 dibujos");
        assert_eq!(tally(english, 1), "1 table · 1 participant · 0 drawings");
        assert_eq!(
            spanish.f("audit.verifies", &[("count", 1.into())]),
            "La cadena del registro está íntegra: 1 entrada."
        );
    }

    #[test]
    fn the_browser_preference_is_followed_in_order() {
        assert_eq!(
            negotiate(None, Some("fr-FR, en-GB;q=0.8, es;q=0.5"), None).locale,
            "en"
        );
        assert_eq!(negotiate(None, Some("en;q=0.3, es-AR"), None).locale, "es");
        assert_eq!(negotiate(Some("en"), Some("es-AR"), None).locale, "en");
        assert_eq!(negotiate(None, Some("fr"), Some("en")).locale, "en");
        assert_eq!(negotiate(None, None, None).locale, "es");
    }

    #[test]
    fn a_missing_message_falls_back_to_spanish_then_to_the_key() {
        let english = find("en").expect("english");
        assert_eq!(english.t("join.submit"), "Join");
        assert_eq!(english.t("no.such.key"), "no.such.key");
        assert!(english.has("admin.taken.new-project"));
        assert_eq!(
            english.t("admin.fetch_url"),
            "Address of the service, with {z}, {x} and {y}"
        );
    }
}
