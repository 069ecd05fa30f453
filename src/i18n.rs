//! Message catalogues (`locales/<tag>.json`, embedded at build time) and choosing one.
//!
//! Every string of every page goes through a catalogue. Spanish (Argentina) is the default and
//! the fallback for a key another catalogue lacks.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::embedded;

/// The language pages fall back to.
pub const DEFAULT_LOCALE: &str = "es";

pub struct Catalogue {
    pub locale: &'static str,
    messages: HashMap<String, String>,
}

impl Catalogue {
    /// The message for `key`, from this catalogue, else the Spanish one, else the key itself.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages
            .get(key)
            .or_else(|| {
                (self.locale != DEFAULT_LOCALE)
                    .then(|| default().messages.get(key))
                    .flatten()
            })
            .map_or(key, String::as_str)
    }

    /// Every catalogue's messages, for the page scripts (they get them as JSON).
    pub fn messages(&self) -> &HashMap<String, String> {
        &self.messages
    }
}

pub fn all() -> &'static [Catalogue] {
    static CATALOGUES: OnceLock<Vec<Catalogue>> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        embedded::CATALOGUES
            .iter()
            .map(|(locale, text)| Catalogue {
                locale,
                // A broken catalogue is a build-time mistake; the test below catches it.
                messages: serde_json::from_str(text).unwrap_or_default(),
            })
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

    #[test]
    fn every_catalogue_parses_and_has_every_spanish_key() {
        for (locale, text) in embedded::CATALOGUES {
            let messages: HashMap<String, String> =
                serde_json::from_str(text).expect("catalogue is a JSON object of strings");
            for key in default().messages.keys() {
                assert!(messages.contains_key(key), "{locale} lacks {key}");
            }
        }
        assert!(all().len() >= 2);
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
    fn a_missing_key_falls_back_to_spanish_then_to_the_key() {
        let english = find("en").expect("english");
        assert_eq!(english.t("join.submit"), "Join");
        assert_eq!(english.t("no.such.key"), "no.such.key");
    }
}
