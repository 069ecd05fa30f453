//! Pictograms an admin uploads: SVG rewritten as drawing only.
//!
//! An SVG is a document that can run script and fetch resources, in more ways than patterns
//! can list (spaces before `=`, entities, CSS `@import`, `<a href>`, `<use>` of data URLs…);
//! a pattern check here was walked around. So an upload is read by `usvg` (the resvg
//! project's parser, which resolves styles, `<use>` and gradients into a tree of paths) and
//! written back from that tree: what comes out holds shapes, groups, fills, strokes,
//! gradients, patterns, clips and masks, and nothing else. Scripts, event handlers, links,
//! `<foreignObject>`, style sheets and every image (embedded or outside) are not in the tree,
//! so they are not in the file Trama keeps. Text needs fonts, which a server has not got: a
//! pictogram's text is dropped too (draw it as paths).

use super::Invalid;

/// Largest accepted pictogram, in bytes.
pub const MAX_SVG_BYTES: usize = 100 * 1024;

/// A pictogram shipped with Trama (`static/pictograms/{name}.svg`), as SVG text.
pub fn shipped(name: &str) -> Option<&'static str> {
    let path = format!("pictograms/{name}.svg");
    crate::embedded::STATIC_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
}

/// The names of the pictograms shipped with Trama.
pub fn shipped_names() -> Vec<&'static str> {
    crate::embedded::STATIC_FILES
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("pictograms/")?.strip_suffix(".svg"))
        .collect()
}

/// A pictogram name: what a legend's `icon` refers to.
pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The uploaded SVG as drawing only (see the module's notes). Errors: too large, not an SVG
/// `usvg` can read (with its reason), or nothing left to draw.
pub fn sanitize_svg(text: &str) -> Result<String, Invalid> {
    let refuse = |why: String| Err(Invalid::new("", why));
    if text.len() > MAX_SVG_BYTES {
        return refuse("a pictogram is at most 100 KB".into());
    }
    let options = usvg::Options {
        // No image is kept, whatever its source: a file on the server, a URL, a data URL.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = match usvg::Tree::from_str(text, &options) {
        Ok(tree) => tree,
        Err(error) => {
            return refuse(format!(
                "this is not an SVG document that can be read: {error}"
            ));
        }
    };
    if !tree.root().has_children() {
        return refuse("the SVG has nothing to draw (text needs to be converted to paths)".into());
    }
    Ok(tree.to_string(&usvg::WriteOptions::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/><stop offset="1" stop-color="#00f"/></linearGradient></defs><path d="M1 1h22v22z" fill="url(#g)"/><use href="#p"/><path id="p" d="M2 2h4v4z"/></svg>"##;

    #[test]
    fn a_plain_pictogram_keeps_its_drawing() {
        let clean = sanitize_svg(OK).expect("accepted");
        assert!(
            clean.contains("<path") && clean.contains("linearGradient"),
            "{clean}"
        );
        for shipped in crate::embedded::STATIC_FILES
            .iter()
            .filter(|(p, _)| p.ends_with(".svg"))
        {
            let text = std::str::from_utf8(shipped.1).expect("utf-8");
            assert!(sanitize_svg(text).is_ok(), "{} is refused", shipped.0);
        }
    }

    #[test]
    fn scripts_handlers_links_and_outside_references_never_come_out() {
        let shape = r#"<path d="M1 1h8v8z" fill="red"/>"#;
        let svg = |inner: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{shape}{inner}</svg>"#
            )
        };
        let attacks = [
            svg("<script>alert(1)</script>"),
            svg(r#"<g onclick ="alert(1)"><path d="M0 0h1v1z"/></g>"#),
            svg(r#"<a href = "javascript:alert(1)"><path d="M0 0h1v1z"/></a>"#),
            svg(r#"<a xlink:href="&#106;avascript:alert(1)"><path d="M0 0h1v1z"/></a>"#),
            svg(r#"<image href = "https://tracker.example/p.png" width="5" height="5"/>"#),
            svg(r#"<image href="file:///etc/passwd" width="5" height="5"/>"#),
            svg(
                r#"<image href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+" width="5" height="5"/>"#,
            ),
            svg(r#"<use xlink:href='http://evil.example/x.svg#a'/>"#),
            svg(
                r#"<style>@import url(https://evil.example/x.css); path { fill: url( 'https://evil.example/x' ) }</style>"#,
            ),
            svg(r#"<rect width="2" height="2" style="fill:url( https://evil.example/x)"/>"#),
            svg(
                "<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\"><iframe src=\"https://evil.example\"/></body></foreignObject>",
            ),
            svg(
                r#"<set attributeName="onmouseover" to="alert(1)"/><animate attributeName="href" to="javascript:alert(1)"/>"#,
            ),
        ];
        for attack in &attacks {
            let clean = sanitize_svg(attack).unwrap_or_else(|e| panic!("{attack}: {}", e.detail));
            let lower = clean.to_ascii_lowercase();
            for bad in [
                "script",
                "javascript",
                "http://evil",
                "https://",
                "file:",
                "data:",
                "<image",
                "<a ",
                "onclick",
                "onmouseover",
                "<style",
                "@import",
                "foreignobject",
                "<set",
                "<animate",
            ] {
                assert!(
                    !lower.contains(bad),
                    "{attack}\n-> {clean}\nstill has {bad}"
                );
            }
            assert!(lower.contains("<path"), "the drawing stays: {clean}");
        }
    }

    #[test]
    fn what_is_not_an_svg_or_draws_nothing_is_refused() {
        for case in [
            "not an svg at all",
            r#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><text>Hola</text></svg>"#,
        ] {
            assert!(sanitize_svg(case).is_err(), "{case}");
        }
    }

    #[test]
    fn names_are_simple() {
        assert!(is_valid_name("sewing-workshop"));
        assert!(!is_valid_name("../etc/passwd"));
        assert!(!is_valid_name(""));
    }
}
