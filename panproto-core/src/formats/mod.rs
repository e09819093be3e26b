//! The formats layer: schema files as teams keep them, parsed into schemas
//! of their protocol and written back.
//!
//! One module per format; each reads a [`Source`] (a file, or a directory
//! as one schema) into a [`Schema`] of the format's built-in protocol and
//! emits a schema of that protocol back as text ([`Emitted`]: file name to
//! text). [`Format`] lists the formats, once; [`parse`] detects the format
//! of a source from its file names and content when it is not given.
//!
//! How every format models its files (so that diffs, migrations and merges
//! read the same way across formats):
//!
//! - A **named declaration** (a message, a record, a table, a GraphQL type,
//!   a lexicon def) is a vertex whose id is its fully qualified name in the
//!   format's terms. Every use of it is an edge to that vertex, never a
//!   copy, so shared and recursive types stay one vertex each.
//! - A **member** (a field, a column, a property) is a vertex of its own,
//!   `Parent.member`, reached from its parent by a named edge; its kind is
//!   its type (a scalar kind, a container, or `ref`, which wraps the named
//!   type's vertex). What the format says about the member (a number, a
//!   default, NOT NULL, a bound) is a constraint on that vertex.
//! - **Order** is kept where the format's meaning or its readers depend on
//!   it, as one constraint on the parent (a JSON array of member names), so
//!   that adding a member changes one value, not one per sibling.
//! - **Files**: a source of several files has a `file` vertex per file (its
//!   relative path) with edges to what it declares, so emit writes each
//!   declaration back to its file.
//! - **Nothing dropped in silence**: what has no sort of its own is kept as
//!   an annotation constraint (JSON text) that emit writes back, or refused
//!   with [`FormatError::Unsupported`] naming it and where it is.
//! - **Round trip**: for every input, `parse(emit(parse(f))) == parse(f)`.
//!
//! Each format also judges compatibility its own way ([`compatibility`]:
//! the format's rules, both directions; the generic rules otherwise).
//!
//! Depends on the model and evolution layers.

mod atproto;
mod avro;
mod error;
mod graphql;
mod json_schema;
mod protobuf;
mod source;
mod sql;
mod units;
mod view;

use std::collections::BTreeMap;

pub use error::{FormatError, Location};
pub use source::{Source, SourceFile};
pub use sql::SqlDialect;
pub use units::{FindingsByUnit, UnitDigest, UnitEdit, UnitRecord, Units};

use crate::evolution::{Change, CompatReport, generic_compatibility, generic_compatibility_of};
use crate::model::{Edge, Schema};
use source::extension;
pub(crate) use view::View;

/// A native schema format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Apache Avro schemas (`.avsc`).
    Avro,
    /// SQL DDL (`.sql`): PostgreSQL, SQLite, MySQL.
    Sql,
    /// GraphQL SDL (`.graphql`, `.graphqls`, `.gql`).
    Graphql,
    /// ATProto lexicons (`.json`, one NSID a file).
    Atproto,
    /// JSON Schema documents (`.json`), drafts 4 to 2020-12.
    JsonSchema,
    /// Protocol Buffers (`.proto`), proto2 and proto3.
    Protobuf,
}

impl Format {
    /// Every format, in the order messages list them.
    pub const ALL: &'static [Self] = &[
        Self::Atproto,
        Self::Protobuf,
        Self::Graphql,
        Self::JsonSchema,
        Self::Sql,
        Self::Avro,
    ];

    /// The format's name, as `format=` and `--format` take it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Avro => "avro",
            Self::Sql => "sql",
            Self::Graphql => "graphql",
            Self::Atproto => "atproto",
            Self::JsonSchema => "json-schema",
            Self::Protobuf => "protobuf",
        }
    }

    /// The built-in protocol the format's schemas belong to.
    pub fn protocol_name(self) -> &'static str {
        match self {
            Self::Avro => "avro",
            Self::Sql => "sql",
            Self::Graphql => "graphql",
            Self::Atproto => "atproto",
            Self::JsonSchema => "json-schema",
            Self::Protobuf => "protobuf",
        }
    }

    /// The file extensions (lowercase, no dot) the format's files carry.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Avro => avro::EXTENSIONS,
            Self::Sql => sql::EXTENSIONS,
            Self::Graphql => graphql::EXTENSIONS,
            Self::Atproto => atproto::EXTENSIONS,
            Self::JsonSchema => json_schema::EXTENSIONS,
            Self::Protobuf => protobuf::EXTENSIONS,
        }
    }

    /// Whether `text` looks like a file of this format (for files whose
    /// extension is shared, such as `.json`).
    pub fn sniff(self, text: &str) -> bool {
        match self {
            Self::Avro => avro::sniff(text),
            Self::Sql => sql::sniff(text),
            Self::Graphql => graphql::sniff(text),
            Self::Atproto => atproto::sniff(text),
            Self::JsonSchema => json_schema::sniff(text),
            Self::Protobuf => protobuf::sniff(text),
        }
    }

    /// The format of a name.
    ///
    /// # Errors
    /// [`FormatError::UnknownFormat`], listing the formats.
    pub fn from_name(name: &str) -> Result<Self, FormatError> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(|| FormatError::UnknownFormat {
                name: name.to_owned(),
                known: names(),
            })
    }

    /// The format whose schemas are of protocol `name`, if one is.
    pub fn of_protocol(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.protocol_name() == name)
    }

    /// Whether a file of this path belongs to the format, by its extension.
    pub fn accepts(self, path: &str) -> bool {
        extension(path).is_some_and(|ext| self.extensions().contains(&ext.as_str()))
    }

    /// Parses `source` as this format.
    ///
    /// # Errors
    /// A [`FormatError`] naming the file, line and column.
    pub fn parse(self, source: &Source, options: &FormatOptions) -> Result<Schema, FormatError> {
        let kept = source.filtered(|file| {
            self.accepts(&file.path) || !Format::ALL.iter().any(|f| f.accepts(&file.path))
        });
        let source = kept.as_ref();
        if source.is_empty() {
            return Err(FormatError::Io {
                path: source.origin().to_owned(),
                message: format!(
                    "holds no {} file (.{})",
                    self.name(),
                    self.extensions().join(", .")
                ),
            });
        }
        match self {
            Self::Avro => avro::parse(source, options),
            Self::Sql => sql::parse(source, options),
            Self::Graphql => graphql::parse(source, options),
            Self::Atproto => atproto::parse(source, options),
            Self::JsonSchema => json_schema::parse(source, options),
            Self::Protobuf => protobuf::parse(source, options),
        }
    }

    /// Judges `old` → `new` (schemas of this format's protocol) by the
    /// format's own compatibility rules. Every format has its rules; the
    /// `Option` leaves room for one that has none (the generic rules
    /// would judge it, as they judge custom protocols).
    pub fn compare(self, old: &Schema, new: &Schema) -> Option<CompatReport> {
        match self {
            Self::Avro => Some(avro::compare(old, new)),
            Self::Protobuf => Some(protobuf::compare(old, new)),
            Self::Graphql => Some(graphql::compare(old, new)),
            Self::JsonSchema => Some(json_schema::compare(old, new)),
            Self::Sql => Some(sql::compare(old, new)),
            Self::Atproto => Some(atproto::compare(old, new)),
        }
    }

    /// The units this format's rules judge one at a time, with their
    /// digests (see [`Units`]); `None` for a format whose rules judge
    /// the schema whole.
    pub fn units(self, schema: &Schema) -> Option<Units> {
        match self {
            Self::Protobuf => Some(protobuf::units(schema)),
            Self::Graphql => Some(graphql::units(schema)),
            Self::Avro | Self::Sql | Self::Atproto | Self::JsonSchema => None,
        }
    }

    /// [`compare`](Self::compare)'s findings by the unit each was found
    /// under, of the units in `only` (all, for `None`), for a format with
    /// [`units`](Self::units).
    pub fn compare_by_unit(
        self,
        old: &Schema,
        new: &Schema,
        only: Option<&std::collections::BTreeSet<String>>,
    ) -> Option<FindingsByUnit> {
        match self {
            Self::Protobuf => Some(protobuf::compare_by_unit(old, new, only)),
            Self::Graphql => Some(graphql::compare_by_unit(old, new, only)),
            Self::Avro | Self::Sql | Self::Atproto | Self::JsonSchema => None,
        }
    }

    /// Writes `schema` in this format.
    ///
    /// # Errors
    /// [`FormatError::WrongProtocol`] if the schema is not of the format's
    /// protocol; [`FormatError::Unemittable`] if it holds what the format
    /// cannot write.
    pub fn emit(self, schema: &Schema, options: &FormatOptions) -> Result<Emitted, FormatError> {
        if schema.protocol().name != self.protocol_name() {
            return Err(FormatError::WrongProtocol {
                format: self.name().to_owned(),
                protocol: schema.protocol().name.clone(),
            });
        }
        match self {
            Self::Avro => avro::emit(schema, options),
            Self::Sql => sql::emit(schema, options),
            Self::Graphql => graphql::emit(schema, options),
            Self::Atproto => atproto::emit(schema, options),
            Self::JsonSchema => json_schema::emit(schema, options),
            Self::Protobuf => protobuf::emit(schema, options),
        }
    }
}

/// How `old` → `new` reads in both directions, by the rules of the
/// format their protocol belongs to, or the generic rules
/// ([`generic_compatibility`]) for a protocol no format's rules cover.
///
/// # Errors
/// [`FormatError::Mismatched`] if the two schemas are of different protocols.
pub fn compatibility(old: &Schema, new: &Schema) -> Result<CompatReport, FormatError> {
    let protocol = &new.protocol().name;
    if old.protocol().name != *protocol {
        return Err(FormatError::Mismatched {
            old: old.protocol().name.clone(),
            new: protocol.clone(),
        });
    }
    let rules = Format::of_protocol(protocol).and_then(|format| format.compare(old, new));
    Ok(rules.unwrap_or_else(|| generic_compatibility(old, new)))
}

/// As [`compatibility`], for two schemas of one protocol whose changes
/// `diff` has listed already (the generic rules judge those, rather than
/// diffing again): what `add` records.
pub fn compatibility_of(old: &Schema, new: &Schema, changes: &[Change]) -> CompatReport {
    let rules = Format::of_protocol(&new.protocol().name).and_then(|f| f.compare(old, new));
    rules.unwrap_or_else(|| generic_compatibility_of(changes, new.protocol()))
}

/// The units of `schema` by its format's rules (see [`Units`]), if
/// that format judges by units.
pub fn units_of(schema: &Schema) -> Option<Units> {
    Format::of_protocol(&schema.protocol().name)?.units(schema)
}

/// Every edge of `schema` by its source vertex: the index each emitter
/// walks a schema by.
pub(crate) fn edges_by_source(schema: &Schema) -> rustc_hash::FxHashMap<&str, Vec<&Edge>> {
    let mut out: rustc_hash::FxHashMap<&str, Vec<&Edge>> = rustc_hash::FxHashMap::default();
    for e in schema.edges() {
        out.entry(e.src.as_str()).or_default().push(e);
    }
    out
}

/// The names of every format.
pub fn names() -> Vec<String> {
    Format::ALL.iter().map(|f| f.name().to_owned()).collect()
}

/// Choices a format may take; the defaults suit most inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormatOptions {
    /// The SQL dialect to read and write; `None`: detected when reading,
    /// and the dialect a schema was read in when writing.
    pub sql_dialect: Option<SqlDialect>,
    /// Keep a ref to a type that no file of the source defines as an
    /// external type (the source is a fragment of a larger schema: a
    /// GraphQL file using types of its sibling files) instead of refusing
    /// it with [`FormatError::UnresolvedRef`]. Read by: graphql.
    pub external_refs: bool,
}

/// What [`Format::emit`] writes: file name to text, one entry for a
/// single-file schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Emitted {
    /// File name (relative path) → text.
    pub files: BTreeMap<String, String>,
}

impl Emitted {
    /// A single file.
    pub fn single(name: impl Into<String>, text: String) -> Self {
        Self {
            files: BTreeMap::from([(name.into(), text)]),
        }
    }

    /// The text, if there is exactly one file.
    pub fn single_text(&self) -> Option<&str> {
        match self.files.len() {
            1 => self.files.values().next().map(String::as_str),
            _ => None,
        }
    }
}

/// Whether `format` claims `file`: its extension is the format's (or is
/// no format's, as for text given without a file name) and its content
/// looks like the format's.
fn claims(format: Format, file: &SourceFile) -> bool {
    let by_name = format.accepts(&file.path) || !Format::ALL.iter().any(|f| f.accepts(&file.path));
    by_name && format.sniff(&file.text)
}

/// The format of a source: by its files' extensions, then by content where
/// an extension is shared (`.json`) or missing.
///
/// # Errors
/// [`FormatError::Undetected`] if no format, or more than one, fits.
pub fn detect(source: &Source) -> Result<Format, FormatError> {
    let fits: Vec<Format> = Format::ALL
        .iter()
        .copied()
        .filter(|f| source.files().iter().any(|file| claims(*f, file)))
        .collect();
    match fits.as_slice() {
        [one] => Ok(*one),
        [] => Err(FormatError::Undetected {
            what: source.origin().to_owned(),
            reason: "no format recognises its file names or content".to_owned(),
            known: names(),
        }),
        several => Err(FormatError::Undetected {
            what: source.origin().to_owned(),
            reason: format!(
                "it could be {}",
                several
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            known: names(),
        }),
    }
}

/// Parses `source` as `format`, or as the format [`detect`] finds (then
/// only the files that format claims are read: a `package.json` beside
/// lexicons is not one of them).
///
/// # Errors
/// As [`detect`] and [`Format::parse`].
pub fn parse(
    source: &Source,
    format: Option<Format>,
    options: &FormatOptions,
) -> Result<Schema, FormatError> {
    match format {
        Some(f) => f.parse(source, options),
        None => {
            let f = detect(source)?;
            f.parse(&source.filtered(|file| claims(f, file)), options)
        }
    }
}

/// Reads a path (file or directory) for `format`, or for whatever format
/// its files are when `format` is `None` (a directory's files of every
/// format are read, and [`detect`] chooses).
///
/// # Errors
/// [`FormatError::Io`].
pub fn read(path: &std::path::Path, format: Option<Format>) -> Result<Source, FormatError> {
    match format {
        Some(f) => Source::read(path, |p| f.accepts(p)),
        None => Source::read(path, |p| Format::ALL.iter().any(|f| f.accepts(p))),
    }
}
