//! ATProto lexicons (`.json`): one file is one lexicon (an NSID and its
//! defs); a directory of them is one schema, its refs resolved across the
//! files.
//!
//! Read with `serde_json` (already the engine's JSON library; lexicons are
//! plain JSON, so no lexicon-specific parser is needed) into an
//! order-keeping tree ([`json`]), once per file; an index of every file's
//! NSID and defs resolves refs; one walk per file gathers the declarations,
//! validated once by [`Schema::from_data`].
//!
//! # Vertex ids
//!
//! - a **file**: its path (kind `file`, its `nsid` the lexicon's), with a
//!   `def` edge named by each def's name;
//! - a **def**: as refs write it, `nsid` for `main` and `nsid#name` for the
//!   others (its vertex's `nsid` is the lexicon's);
//! - a **member** below a def: `def:key`, then `.key` below members. The
//!   keys are the JSON keys, except that an object's properties leave out
//!   `properties` (`app.bsky.feed.post:record.text`,
//!   `app.bsky.feed.post#replyRef:root`), an array's items are `items`, a
//!   body's schema `schema` (`com.atproto.repo.uploadBlob:output.schema`),
//!   and an error `errors.Name`. The `:` keeps a main def's members apart
//!   from other NSIDs (`a.b.c:d` is not the lexicon `a.b.c.d`);
//! - a **def of a lexicon outside the source** (a ref to
//!   `app.bsky.richtext.facet` in a schema without that file): its def id,
//!   kind `external`. NSIDs resolve across the network, so one file is a
//!   schema of its own; parsed with the named lexicon, the ref reaches the
//!   def itself. A ref to a lexicon *in* the source that names no def of
//!   it, or a local `#name` that is no def, is
//!   [`FormatError::UnresolvedRef`].
//!
//! # Kinds and edges
//!
//! A type's kind is its lexicon type (`record`, `query`, `procedure`,
//! `subscription`, `permission-set`, `object`, `params`, `array`, `union`,
//! `ref`, `token`, `string`, `integer`, `boolean`, `bytes`, `cid-link`,
//! `blob`, `unknown`, `null`); a query's, procedure's or subscription's
//! `input`, `output` and `message` are `body` vertices, its errors `error`
//! vertices. Edges: `def` (file → def, named), `prop` (object or params →
//! property, named), `items` (array → item), `ref` (ref → the def it
//! names), `variant` (union → each def it lists), `record-schema` (record
//! → its object), `parameters`, `input`, `output`, `message` (to the
//! params or body), `schema` (body → its schema), `error` (named).
//!
//! # Constraint sorts
//!
//! A key of a type is a constraint of the same name on its vertex:
//! `description`, `format`, `maxLength`, `minLength`, `maxGraphemes`,
//! `minGraphemes`, `minimum`, `maximum`, `maxSize`, `key` (a record's key
//! type), `encoding` (a body's), `title`, `detail`, `revision`, `closed`
//! (as written: text, a number, `true`/`false`); `knownValues`, `enum`,
//! `accept`, `nullable` and `permissions` as JSON text; `const` and
//! `default` as the value (a string's text, an integer, `true`/`false`).
//! An object's `required` is the schema's required edges. `order` (a JSON
//! array) keeps the order of a file's defs, an object's properties, a
//! union's refs (as def ids) and a query's errors, where there are two or
//! more. Any key the lexicon language does not define for its place
//! (`title:lang` of a permission set, a `$comment`) is kept in
//! `annotation`, a JSON object emit writes back.
//!
//! # Refused, with where
//!
//! A type the Lexicon language does not have, a lexicon version other than
//! 1 (`Unsupported`); a def, property or error name with `.`, `:` or `#`
//! (they join vertex ids) or none, and types nested more than 64 deep
//! (`Unsupported`); a primary type (record, query, ...) anywhere but
//! `main`, a `required` or `nullable` name that is no property, a key
//! given twice, a key of the wrong JSON type, two files of one NSID
//! (`Invalid`, or `Syntax` for the key given twice, as JSON reports it).
//!
//! Written back, refs take their shortest form (`#name` within the
//! lexicon, `nsid` for a `main`), `required` follows the properties'
//! order, and an empty `required` or `nullable` is left out: the same
//! lexicon.

mod compat;
mod emit;
mod ids;
mod json;
mod parse;

pub(super) use compat::compare;

use crate::formats::{Emitted, FormatError, FormatOptions, Source};
use crate::model::Schema;

/// How deeply types may nest, in parsing and in emitting (real lexicons
/// nest a handful deep): deeper is refused, never a stack overflow.
const MAX_DEPTH: usize = 64;

/// The extension of lexicon files.
pub(super) const EXTENSIONS: &[&str] = &["json"];

/// Whether `text` looks like a lexicon: a `lexicon` version and `defs`.
pub(super) fn sniff(text: &str) -> bool {
    text.contains("\"lexicon\"") && text.contains("\"defs\"")
}

/// Parses lexicon files into one schema.
pub(super) fn parse(source: &Source, options: &FormatOptions) -> Result<Schema, FormatError> {
    parse::parse(source, options)
}

/// Writes a schema of the `atproto` protocol as lexicon files.
pub(super) fn emit(schema: &Schema, options: &FormatOptions) -> Result<Emitted, FormatError> {
    emit::emit(schema, options)
}
