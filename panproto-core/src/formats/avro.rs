//! Apache Avro schemas (`.avsc`). (Being written: the parser lands next.)

use crate::formats::{Emitted, FormatError, FormatOptions, Location, Source};
use crate::model::Schema;

/// The extensions of Avro schema files.
pub(super) const EXTENSIONS: &[&str] = &["avsc"];

/// Whether `text` looks like an Avro schema.
pub(super) fn sniff(text: &str) -> bool {
    text.contains("\"type\"")
}

/// Parses `.avsc` files.
pub(super) fn parse(source: &Source, _options: &FormatOptions) -> Result<Schema, FormatError> {
    let file = &source.files()[0];
    Err(FormatError::Unsupported {
        at: Location::new(&file.path, 1, 1),
        construct: "Avro".to_owned(),
        reason: "not yet read".to_owned(),
    })
}

/// Writes `.avsc` files.
pub(super) fn emit(_schema: &Schema, _options: &FormatOptions) -> Result<Emitted, FormatError> {
    Ok(Emitted::default())
}
