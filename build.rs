//! Embeds the static files (styles, scripts, vendored Leaflet) and the message catalogues in
//! the binary, so a workshop laptop needs nothing but the executable. Adding a language is
//! adding one `locales/<tag>.ftl` file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let mut code = String::from(
        "/// Files under `static/`, by path relative to it.\npub static STATIC_FILES: &[(&str, &[u8])] = &[\n",
    );
    let mut found = Vec::new();
    files(&root.join("static"), &mut found);
    for path in found {
        let relative = path
            .strip_prefix(root.join("static"))
            .expect("inside static")
            .to_string_lossy()
            .replace('\\', "/");
        // Scripts that maintain the folder and notes are not served.
        if relative.ends_with(".sh") || relative.ends_with("README.md") {
            continue;
        }
        let _ = writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n\n/// Message catalogues: (locale tag, Fluent text).\npub static CATALOGUES: &[(&str, &str)] = &[\n");
    let mut catalogues = Vec::new();
    files(&root.join("locales"), &mut catalogues);
    for path in catalogues
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
    {
        let tag = path.file_stem().expect("name").to_string_lossy();
        let _ = writeln!(
            code,
            "    ({tag:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir")).join("assets.rs");
    std::fs::write(out, code).expect("write assets.rs");
    println!("cargo:rerun-if-changed=static");
    println!("cargo:rerun-if-changed=locales");
}
