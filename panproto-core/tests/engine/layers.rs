//! The engine's layers, as the folder tree shows them: each file may use
//! only its own layer and those below it. A `crate::` path into a higher
//! layer (in code or in a doc link) fails this test, and so does a path
//! through the crate root's re-exports (`crate::Schema`), which would hide
//! the layer it reaches; so the import graph cannot grow a cycle across
//! layers.

use std::fs;
use std::path::Path;

/// The layers, lowest first: a folder of `src/` each.
const LAYERS: [&str; 9] = [
    "encoding",
    "model",
    // Theories of protocols: they read a protocol, nothing above.
    "gat",
    "migration",
    "evolution",
    // Lenses move records both ways; generating one from two schemas will
    // use evolution's derivation, and the history will commit them.
    "lens",
    "formats",
    "vcs",
    // Other systems' histories, read and written as commits.
    "import",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_file_uses_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (rank, layer) in LAYERS.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "layer {layer} has no files");
        for file in files {
            let text = fs::read_to_string(&file).expect("a source file is UTF-8");
            for (n, line) in text.lines().enumerate() {
                let through_root = line.match_indices("crate::").any(|(i, m)| {
                    line[i + m.len()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase)
                });
                if through_root {
                    violations.push(format!(
                        "{}:{}: a path through the crate root: {}",
                        file.strip_prefix(&src).unwrap_or(&file).display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
            for higher in &LAYERS[rank + 1..] {
                for (n, line) in text.lines().enumerate() {
                    if line.contains(&format!("crate::{higher}")) {
                        violations.push(format!(
                            "{}:{}: {layer} uses {higher}: {}",
                            file.strip_prefix(&src).unwrap_or(&file).display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_crate_root_holds_only_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut loose: Vec<String> = fs::read_dir(&src)
        .expect("src/ is readable")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !LAYERS.contains(&name.as_str()))
        .collect();
    loose.sort();
    // lib.rs is the flat public surface; version.rs (PEP 440 from the crate
    // version) serves the packaging, not any layer.
    assert_eq!(loose, ["lib.rs", "version.rs"]);
}
