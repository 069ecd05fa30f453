//! A project's legend: the catalogue of symbols participants draw with.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::Invalid;
use super::geometry::GeometryKind;

/// The families of social-cartography symbols (Iconoclasistas' manual groups them this way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    Risk,
    Resource,
    Actor,
    Relation,
    Other,
}

impl SymbolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Risk => "risk",
            SymbolKind::Resource => "resource",
            SymbolKind::Actor => "actor",
            SymbolKind::Relation => "relation",
            SymbolKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// One symbol of a legend, as the API receives and returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symbol {
    /// Stable machine key, e.g. `taller_clandestino`: lowercase letters, digits, `_` and `-`.
    pub key: String,
    /// Label per locale tag (`es`, `es-AR`, `en`, ...).
    pub labels: BTreeMap<String, String>,
    pub kind: SymbolKind,
    /// Which geometries this symbol may be drawn as.
    pub geometry_types: Vec<GeometryKind>,
    /// Display colour as `#rrggbb`.
    pub color: String,
    /// Name of a pictogram (see the pages issue) or empty.
    #[serde(default)]
    pub icon: Option<String>,
    /// How much one feature of this symbol counts when priority areas are computed.
    /// Risks weigh positive; resources may weigh negative or zero.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Sensitive symbols (a suspected clandestine workshop) show their exact geometry only to
    /// analysts, admins and the workshop the feature was drawn in.
    #[serde(default)]
    pub sensitive: bool,
    /// What the symbol asks of each drawing (`domain::question`); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<super::question::Question>,
}

fn default_weight() -> f64 {
    1.0
}

pub const MAX_SYMBOLS: usize = 200;

impl Symbol {
    pub fn allows(&self, kind: GeometryKind) -> bool {
        self.geometry_types.contains(&kind)
    }

    /// The label for `locale`, falling back to its language, then to any label, then the key.
    pub fn label(&self, locale: &str) -> &str {
        let language = locale.split('-').next().unwrap_or(locale);
        self.labels
            .get(locale)
            .or_else(|| self.labels.get(language))
            .or_else(|| self.labels.values().next())
            .map_or(self.key.as_str(), String::as_str)
    }
}

/// Checks a whole legend (the body of `PUT /legend`); returns every problem found.
pub fn validate_legend(symbols: &[Symbol]) -> Result<(), Vec<Invalid>> {
    let mut errors = Vec::new();
    if symbols.len() > MAX_SYMBOLS {
        errors.push(Invalid::new(
            "",
            format!("a legend has at most {MAX_SYMBOLS} symbols"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, symbol) in symbols.iter().enumerate() {
        let at = |field: &str| format!("/{i}/{field}");
        if !is_valid_key(&symbol.key) {
            errors.push(Invalid::new(
                at("key"),
                "key must be 1-64 characters of a-z, 0-9, '_' or '-'",
            ));
        } else if !seen.insert(symbol.key.as_str()) {
            errors.push(Invalid::new(
                at("key"),
                format!("key \"{}\" appears twice", symbol.key),
            ));
        }
        if symbol.labels.is_empty() {
            errors.push(Invalid::new(at("labels"), "at least one label is needed"));
        }
        for (locale, label) in &symbol.labels {
            if !is_locale_tag(locale) {
                errors.push(Invalid::new(
                    at("labels"),
                    format!("\"{locale}\" is not a locale tag such as es, es-AR or en"),
                ));
            }
            let length = label.trim().chars().count();
            if length == 0 || length > 100 {
                errors.push(Invalid::new(
                    format!("/{i}/labels/{locale}"),
                    "a label must have 1-100 characters",
                ));
            }
        }
        super::question::check_questions(&symbol.questions, &at("questions"), &mut errors);
        if symbol.geometry_types.is_empty() {
            errors.push(Invalid::new(
                at("geometry_types"),
                "at least one of point, line, polygon",
            ));
        }
        if !is_hex_colour(&symbol.color) {
            errors.push(Invalid::new(at("color"), "colour must be #rrggbb"));
        }
        if let Some(icon) = &symbol.icon
            && (icon.len() > 64
                || !icon
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)))
        {
            errors.push(Invalid::new(
                at("icon"),
                "icon must be a pictogram name of letters, digits, '-' or '_'",
            ));
        }
        if !symbol.weight.is_finite() || symbol.weight.abs() > 100.0 {
            errors.push(Invalid::new(
                at("weight"),
                "weight must be between -100 and 100",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

pub fn is_valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Accepts BCP 47 tags of the simple shape the message catalogues use (`es`, `es-AR`, `th`).
pub fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()));
    language_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_hex_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbol(key: &str) -> Symbol {
        Symbol {
            key: key.to_owned(),
            labels: BTreeMap::from([("es".to_owned(), "Taller".to_owned())]),
            kind: SymbolKind::Risk,
            geometry_types: vec![GeometryKind::Point],
            color: "#c0392b".to_owned(),
            icon: None,
            weight: 3.0,
            sensitive: true,
            questions: Vec::new(),
        }
    }

    #[test]
    fn a_sound_legend_passes() {
        assert!(validate_legend(&[symbol("taller"), symbol("escuela")]).is_ok());
    }

    #[test]
    fn duplicate_keys_bad_colours_and_empty_geometry_types_are_all_reported() {
        let mut bad = symbol("taller");
        bad.color = "red".into();
        bad.geometry_types.clear();
        let errors = validate_legend(&[symbol("taller"), bad]).unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/1/key", "/1/geometry_types", "/1/color"]);
    }

    #[test]
    fn labels_fall_back_from_region_to_language_to_any() {
        let mut s = symbol("taller");
        s.labels.insert("en".into(), "Workshop".into());
        assert_eq!(s.label("es-AR"), "Taller");
        assert_eq!(s.label("en"), "Workshop");
        assert_eq!(s.label("th"), "Workshop");
    }

    #[test]
    fn locale_tags_are_checked() {
        assert!(is_locale_tag("es-AR"));
        assert!(is_locale_tag("th"));
        assert!(!is_locale_tag("Spanish"));
        assert!(!is_locale_tag(""));
    }
}
