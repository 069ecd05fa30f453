//! Titles and descriptions written as HTML source: Google My Maps and Google Earth put
//! `<br>`, `<img src="…">`, `<a href="…">` and `&amp;` in a Placemark's description, and
//! some GeoJSON and CSV files carry the same. Shown as they came, participants' screens and
//! every export would show markup; they become plain text: line breaks and paragraphs kept,
//! links as their text and address, images dropped (said in a note), entities decoded.
//!
//! Parsed by `html2text` on html5ever (browsers' HTML parsing: broken and unclosed markup
//! read as a browser reads it), never by hand. Its input is bounded ([`MAX_MARKUP`]) so that
//! no description costs more than a drawing may hold.

use super::Note;

/// Most bytes of a text read as markup: four times what a drawing's description may hold
/// (tags and addresses take room), enough for any real description.
pub const MAX_MARKUP: usize = 4 * crate::domain::feature::MAX_DESCRIPTION;

/// Columns before `html2text` would wrap a line: wider than any text we keep, so it never does.
const NO_WRAP: usize = 100_000;

/// Element names whose presence means the text is HTML source, not prose that happens to
/// hold a `<` ("menos de 5 chicos <3 horas").
const TAGS: [&str; 22] = [
    "br", "p", "div", "span", "a", "img", "b", "i", "u", "em", "strong", "font", "ul", "ol", "li",
    "table", "tr", "td", "h1", "h2", "h3", "hr",
];

/// Whether `text` is HTML source: an element of [`TAGS`] opens or closes in it, or it holds
/// an entity (`&amp;`, `&nbsp;`, `&#39;`).
pub fn is_markup(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let element = lower.match_indices('<').any(|(at, _)| {
        let rest = lower[at + 1..].trim_start_matches('/');
        TAGS.iter().any(|tag| {
            rest.strip_prefix(tag)
                .and_then(|after| after.chars().next())
                .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace())
        })
    });
    let entity = ["&amp;", "&nbsp;", "&lt;", "&gt;", "&quot;", "&#"]
        .iter()
        .any(|e| lower.contains(e));
    element || entity
}

/// `text` as plain text when it is markup ([`is_markup`]), with a note of the images left
/// out; `None` when it is plain already.
pub fn plain_text(text: &str) -> Option<(String, Option<Note>)> {
    if !is_markup(text) {
        return None;
    }
    let mut end = text.len().min(MAX_MARKUP);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let source = &text[..end];
    let config = html2text::config::plain_no_decorate().link_footnotes(true);
    let dom = config.parse_html(source.as_bytes()).ok()?;
    let images = drop_images(&dom);
    let tree = config.dom_to_render_tree(&dom).ok()?;
    let plain = tidy(&config.render_to_string(tree, NO_WRAP).ok()?);
    let note = (images > 0).then(|| {
        Note::new(
            "images_dropped",
            images.to_string(),
            format!(
                "the description was HTML: it is kept as plain text, and its {images} image(s) \
                 left out (a drawing holds no pictures)"
            ),
        )
    });
    Some((plain, note))
}

/// Takes every `<img>` out of `dom` (html2text would write its alt text, often a file name);
/// returns how many. A stack of our own: no recursion with the markup's depth.
fn drop_images(dom: &html2text::RcDom) -> usize {
    let is_image = |node: &html2text::Handle| matches!(&node.data, html2text::Element { name, .. } if &*name.local == "img");
    let mut dropped = 0;
    let mut pending = vec![dom.document.clone()];
    while let Some(node) = pending.pop() {
        let mut children = node.children.borrow_mut();
        let before = children.len();
        children.retain(|child| !is_image(child));
        dropped += before - children.len();
        pending.extend(children.iter().cloned());
    }
    dropped
}

/// Lines trimmed at their end, no more than one empty line in a row, none at either end.
fn tidy(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_maps_description_becomes_plain_text_with_links_and_without_images() {
        let html = r#"Taller en planta alta<br>Turno noche &amp; fines de semana<br><img src="https://mymaps.usercontent.google.com/hostedimage/m/1" height="200" width="auto" /><br><br>Fuente: <a href="https://example.org/denuncia" target="_blank">denuncia 2024</a>"#;
        let (plain, note) = plain_text(html).expect("markup");
        assert!(!plain.contains('<') && !plain.contains("&amp;"), "{plain}");
        assert!(
            plain.starts_with("Taller en planta alta\nTurno noche & fines de semana"),
            "{plain}"
        );
        assert!(plain.contains("denuncia 2024"), "{plain}");
        assert!(plain.contains("https://example.org/denuncia"), "{plain}");
        assert!(!plain.contains("hostedimage"), "{plain}");
        let note = note.expect("a note of the image");
        assert_eq!((note.code, note.value.as_str()), ("images_dropped", "1"));
    }

    #[test]
    fn prose_with_a_lesser_than_sign_is_left_alone() {
        assert_eq!(plain_text("menos de 5 chicos <3 horas, a > b"), None);
        assert_eq!(plain_text("Calle 12 y 14"), None);
    }

    #[test]
    fn broken_and_deep_markup_is_bounded() {
        let deep = format!("{}x{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let read = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || plain_text(&deep))
            .expect("thread")
            .join()
            .expect("neither panics nor exhausts its stack");
        assert!(read.is_some_and(|(plain, _)| plain.len() < MAX_MARKUP));
        let (plain, _) = plain_text("<p>sin cerrar <b>negrita <a href=x>y").expect("markup");
        assert!(
            plain.contains("sin cerrar") && plain.contains("negrita"),
            "{plain}"
        );
    }
}
