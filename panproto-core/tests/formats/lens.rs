//! Lenses on the corpus: in every file of every format, renaming a field
//! by a lens gives a schema the format can write, whose file parses back
//! to a schema the lens is checked to reach. This is the path a
//! committed lens takes (the file a user writes against the lens that
//! says how its data moves), on real schemas rather than small ones.

use panproto_core::lens::{Chain, LensError, Step};
use panproto_core::{Format, FormatOptions, Schema, Source};

use crate::common::corpus_files;

const CORPORA: [(Format, &str, &str); 6] = [
    (Format::Atproto, "atproto", ".json"),
    (Format::Avro, "avro", ".avsc"),
    (Format::Graphql, "graphql", ".graphql"),
    (Format::JsonSchema, "jsonschema", ".json"),
    (Format::Protobuf, "protobuf", ".proto"),
    (Format::Sql, "sql", ".sql"),
];

/// Up to three fields of `schema` (first, middle, last): (parent, name).
fn some_fields(schema: &Schema) -> Vec<(String, String)> {
    let fields = schema.fields();
    let picks = [0, fields.len() / 2, fields.len().saturating_sub(1)];
    let mut out: Vec<(String, String)> = picks
        .iter()
        .filter_map(|&i| fields.get(i))
        .map(|f| (f.parent.clone(), f.name.clone()))
        .collect();
    out.dedup();
    out
}

#[test]
fn a_renamed_field_is_written_and_read_back_as_the_lens_says() {
    let options = FormatOptions::default();
    let mut checked = 0;
    let mut named_in_text = Vec::new();
    let mut inexpressible = Vec::new();
    let mut too_shared = 0;
    for (format, dir, ext) in CORPORA {
        for path in corpus_files(dir, ext) {
            let source = Source::read(&path, |_| true).unwrap();
            // Some files name types only their directory declares; the
            // format's own tests read those whole.
            let Ok(schema) = format.parse(&source, &options) else {
                continue;
            };
            for (parent, name) in some_fields(&schema) {
                let at = format!("{}: {parent}.{name}", path.display());
                let lens = Chain(vec![Step::Rename {
                    field: name.clone(),
                    to: format!("{name}Renamed"),
                }])
                .compile()
                .unwrap();
                let target = lens
                    .target_schema(&schema, Some(&parent))
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
                let emitted = format
                    .emit(&target, &options)
                    .unwrap_or_else(|e| panic!("{at}: emit: {e}"));
                let again = Source::from_files(source.origin(), emitted.files.clone());
                let reparsed = match format.parse(&again, &options) {
                    Ok(s) => s,
                    // Text that names the field (a protobuf option literal,
                    // an extension used as an option name, an SQL view's
                    // query) is kept as written: a lens renames the field,
                    // not its uses in text, and the file says so.
                    Err(e) => {
                        named_in_text.push(format!("{at}: {e}"));
                        continue;
                    }
                };
                match lens.check_target(&schema, &reparsed, Some(&parent)) {
                    Ok(_) => {
                        // And the rename is found again from the two files.
                        match Chain::auto_generate(&schema, &reparsed, Some(&parent)) {
                            Ok(found) => assert_eq!(found.0, lens.chain().0, "{at}: {found:?}"),
                            Err(e) if e.to_string().contains("write the chain by hand") => {
                                too_shared += 1;
                            }
                            Err(e) => panic!("{at}: auto_generate: {e}"),
                        }
                    }
                    // What the format ties to the field's name besides the
                    // field (a proto2 group's type, the columns a
                    // PostgreSQL table inherits) is not renamed with it:
                    // the check names each difference.
                    Err(e @ LensError::Mismatch { .. }) => {
                        inexpressible.push(format!("{at}: {e}"));
                        continue;
                    }
                    Err(e) => panic!("{at}: {e}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "only {checked} fields checked");
    // Each kind of limit is a few fields of the corpus, not a pattern.
    eprintln!(
        "{checked} renames checked; {} named in text, {} tied to other names; \
         {too_shared} too shared to derive",
        named_in_text.len(),
        inexpressible.len()
    );
    assert!(
        too_shared * 10 < checked,
        "{too_shared} of {checked} too shared to derive"
    );
    assert!(named_in_text.len() <= 8, "{named_in_text:#?}");
    assert!(inexpressible.len() <= 8, "{inexpressible:#?}");
}
