//! What the KML and GPX readers share: parsing XML with `roxmltree` (which builds its tree
//! without recursion, so no nesting depth exhausts the stack), line numbers, child texts.

use roxmltree::{Document, Node};

/// Most XML nodes a file may have: about 40 bytes of file per node at the least, so this is
/// above any file the body limit lets in and bounds the tree's memory by construction.
const MAX_NODES: u32 = 5_000_000;

pub fn parse(text: &str) -> Result<Document<'_>, String> {
    let options = roxmltree::ParsingOptions {
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| format!("not well-formed XML: {e}"))
}

/// Line numbers of byte offsets, from one pass over the text: `roxmltree`'s own
/// `text_pos_at` counts from the start of the file at every call, which made a GPX of
/// 80,000 waypoints take half a minute.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { starts }
    }

    /// The 1-based line where `node` starts.
    pub fn of(&self, node: Node) -> Option<usize> {
        let offset = node.range().start;
        Some(self.starts.partition_point(|start| *start <= offset))
    }
}

/// The text of the first child element called `name` (any namespace), trimmed.
pub fn child_text(node: Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The child elements of `node`.
pub fn elements<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_from_one() {
        let text = "<a>\n<b/>\n\n<c/></a>";
        let document = parse(text).expect("xml");
        let lines = Lines::new(text);
        let found: Vec<Option<usize>> = document
            .descendants()
            .filter(Node::is_element)
            .map(|n| lines.of(n))
            .collect();
        assert_eq!(found, vec![Some(1), Some(2), Some(4)]);
    }

    #[test]
    fn nesting_a_hundred_thousand_deep_parses_without_exhausting_the_stack() {
        let depth = 100_000;
        let text = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let document = parse(&text).expect("xml");
        assert_eq!(document.descendants().count(), depth + 1);
    }
}
