//! The layers' invariants (ARCHITECTURE.md), checked on the source: which module may import
//! which, and how often handlers still reach the store themselves. A refactor that breaks one
//! fails here, with the file and the import that did.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The crate's modules a file names (`crate::store::…`, `use crate::{domain, …}`), outside
/// comments.
fn imports(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a, b::c}`: each first name in the group.
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push(name);
                    }
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

/// What each layer may import from the crate (itself always). The doors (`http`, `cli`) may
/// import anything; nothing else may import a door.
fn allowed() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        // Pure: the field's language and rules (`embedded` holds the shipped pictograms).
        ("domain", &["embedded"][..]),
        ("store", &["domain"][..]),
        // Engines: no HTTP, no use cases.
        ("export", &["domain", "store"][..]),
        ("geojson", &["domain", "basemap"][..]),
        // Its refusals are the domain's `Refusal`s, which a page says in the person's language.
        ("basemap", &["i18n", "domain"][..]),
        ("media", &[][..]),
        ("print", &["domain"][..]),
        (
            "application",
            &[
                "domain", "store", "export", "geojson", "basemap", "media", "print",
            ][..],
        ),
    ])
}

#[test]
fn each_layer_imports_only_what_it_may() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (layer, may) in allowed() {
        for file in sources(&root.join(layer)) {
            let text = std::fs::read_to_string(&file).expect("read");
            for module in imports(&text) {
                if module != layer && !may.contains(&module.as_str()) {
                    wrong.push(format!(
                        "{} imports crate::{module}",
                        file.strip_prefix(&root).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

/// Handlers call use cases, never the store. Pages, which read to render, still make this
/// many calls, and the number may only go down.
#[test]
fn handlers_never_reach_the_store() {
    const PAGES_MAX: usize = 14;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let (mut handlers, mut pages) = (0, 0);
    for file in sources(&root) {
        // Without white space, so that a call written over several lines counts too.
        let text: String = std::fs::read_to_string(&file)
            .expect("read")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // `state.store.as_ref()` or `.clone()` hands the store to a use case: not a call.
        let calls = text
            .match_indices(".store.")
            .filter(|(at, _)| {
                let after = &text[at + ".store.".len()..];
                !after.starts_with("as_ref()") && !after.starts_with("clone()")
            })
            .count();
        if file.starts_with(root.join("pages")) {
            pages += calls;
        } else {
            handlers += calls;
        }
    }
    assert!(
        handlers == 0 && pages <= PAGES_MAX,
        "handlers call the store {handlers} times (they may not), pages {pages} (at most {PAGES_MAX}): call a use case in src/application instead"
    );
}

/// Changes are announced to the live pages by the use case that made them, whatever its door:
/// a door that announced itself would leave the other doors' writes unheard.
#[test]
fn only_use_cases_announce() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for door in ["http", "cli"] {
        for file in sources(&root.join(door)) {
            let text = std::fs::read_to_string(&file).expect("read");
            if text.contains("announce(") || text.contains(".publish(") {
                found.push(
                    file.strip_prefix(&root)
                        .unwrap_or(&file)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    assert!(
        found.is_empty(),
        "doors that announce changes themselves: {found:?}"
    );
}

/// A permit is obtained from the caller's role (`domain::permit`); only the machine's
/// operator — the CLI at the server's console — is handed every permit. A door a remote
/// caller reaches, or a use case, that made one for itself would skip the check.
#[test]
fn only_the_console_holds_an_operator_permit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found: Vec<String> = sources(&root)
        .into_iter()
        .filter(|file| !file.starts_with(root.join("cli")) && !file.ends_with("domain/permit.rs"))
        .filter(|file| {
            std::fs::read_to_string(file)
                .expect("read")
                .contains("::operator(")
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        found.is_empty(),
        "operator permits outside the CLI: {found:?}"
    );
}

#[test]
fn the_import_reader_sees_grouped_and_qualified_imports() {
    let text =
        "use crate::{domain::x, store};\n// crate::http in a comment\nlet a = crate::export::f();";
    assert_eq!(imports(text), ["domain", "store", "export"]);
}
