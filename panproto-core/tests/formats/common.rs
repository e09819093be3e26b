//! What every format's tests share: the corpus, and the round trip.

use std::path::PathBuf;

use panproto_core::{Format, FormatOptions, Schema, Source};

/// The corpus folder of one format (`../shared/corpus/<name>` beside the
/// repository).
pub fn corpus(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(name);
    assert!(dir.is_dir(), "the corpus is missing: {}", dir.display());
    dir
}

/// The corpus files of one format whose names end in `ext`, sorted.
pub fn corpus_files(name: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {ext} files in the {name} corpus");
    files
}

/// Parses `source`, emits it, parses the emitted files, and checks the two
/// schemas are equal; returns the first schema.
pub fn round_trip(format: Format, source: &Source) -> Schema {
    let options = FormatOptions::default();
    let first = format
        .parse(source, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", source.origin()));
    let emitted = format
        .emit(&first, &options)
        .unwrap_or_else(|e| panic!("{}: emit: {e}", source.origin()));
    let again = Source::from_files(source.origin(), emitted.files.clone());
    let second = format.parse(&again, &options).unwrap_or_else(|e| {
        panic!(
            "{}: the emitted text does not parse: {e}\n{}",
            source.origin(),
            emitted.files.values().cloned().collect::<Vec<_>>().join("\n----\n")
        )
    });
    if first != second {
        let changes = panproto_core::diff(&first, &second);
        panic!(
            "{}: parse(emit(parse(f))) differs from parse(f):\n{}",
            source.origin(),
            changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    first
}
