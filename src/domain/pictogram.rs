//! Pictograms an admin uploads: SVG that may not carry script or reach outside.
//!
//! An SVG is a document that can run script and fetch resources; these rules refuse both
//! instead of trying to repair the file, and say what was found.

use super::Invalid;

/// Largest accepted pictogram, in bytes.
pub const MAX_SVG_BYTES: usize = 100 * 1024;

/// A pictogram name: what a legend's `icon` refers to.
pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Checks an uploaded SVG; the error says what made it unsafe.
pub fn check_svg(text: &str) -> Result<(), Invalid> {
    let refuse = |why: &str| Err(Invalid::new("", why.to_owned()));
    if text.len() > MAX_SVG_BYTES {
        return refuse("a pictogram is at most 100 KB");
    }
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<svg") {
        return refuse("this is not an SVG document");
    }
    if lower.contains("<script") {
        return refuse("the SVG contains a <script> element");
    }
    if lower.contains("<!entity") || lower.contains("<!doctype") {
        return refuse("the SVG declares a DOCTYPE or entities");
    }
    if lower.contains("<foreignobject") {
        return refuse("the SVG embeds foreign content (<foreignObject>)");
    }
    if lower.contains("javascript:") || lower.contains("data:text/html") {
        return refuse("the SVG contains a script URL");
    }
    if has_event_handler(&lower) {
        return refuse("the SVG has an event handler attribute (on…=)");
    }
    for marker in ["href=\"", "href='", "url(", "@import"] {
        for (at, _) in lower.match_indices(marker) {
            let rest = lower[at + marker.len()..].trim_start_matches(['"', '\'', ' ']);
            if !rest.starts_with('#') {
                return refuse(
                    "the SVG refers to an outside resource (only #fragment references are allowed)",
                );
            }
        }
    }
    Ok(())
}

/// An attribute like ` onload=` or `\tonclick =`.
fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    lower.match_indices("on").any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let boundary = matches!(before, Some(b' ' | b'\t' | b'\n' | b'\r' | b'/'));
        let name_end = lower[at + 2..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(lower.len(), |i| at + 2 + i);
        boundary && name_end > at + 2 && lower[name_end..].trim_start().starts_with('=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><defs><linearGradient id="g"/></defs><path d="M1 1h22" stroke="url(#g)"/><use href="#g"/></svg>"##;

    #[test]
    fn a_plain_pictogram_is_accepted() {
        assert!(check_svg(OK).is_ok());
        for shipped in crate::embedded::STATIC_FILES
            .iter()
            .filter(|(p, _)| p.ends_with(".svg"))
        {
            let text = std::str::from_utf8(shipped.1).expect("utf-8");
            assert!(check_svg(text).is_ok(), "{} is refused", shipped.0);
        }
    }

    #[test]
    fn scripts_handlers_and_outside_references_are_refused() {
        let cases = [
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg onload="alert(1)"></svg>"#,
            r#"<svg><a href="javascript:alert(1)">x</a></svg>"#,
            r#"<svg><image href="https://tracker.example/p.png"/></svg>"#,
            r#"<svg><use xlink:href='http://evil.example/x.svg#a'/></svg>"#,
            r#"<svg><rect style="fill:url(https://evil.example/x)"/></svg>"#,
            r#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>"#,
            r#"<svg><foreignObject><body/></foreignObject></svg>"#,
            "not an svg at all",
        ];
        for case in cases {
            assert!(check_svg(case).is_err(), "{case}");
        }
    }

    #[test]
    fn names_are_simple() {
        assert!(is_valid_name("sewing-workshop"));
        assert!(!is_valid_name("../etc/passwd"));
        assert!(!is_valid_name(""));
    }
}
