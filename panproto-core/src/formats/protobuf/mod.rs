//! Protocol Buffers (`.proto`), proto2 and proto3, read with `protox` (a
//! pure-Rust protobuf compiler: it parses, resolves names and imports and
//! interprets options as `protoc` does) and written back by a small printer.
//!
//! A source is one `.proto` file or a directory of them, one schema; each
//! file's path relative to the source's root is its import name (the root
//! is the include root), so `import "a/b.proto"` finds the source's file
//! `a/b.proto`. Imports of the well-known files (`google/protobuf/*.proto`)
//! that the source lacks are found in the compiler's own copies; any other
//! missing import is an [`FormatError::UnresolvedRef`].
//!
//! # Ids, kinds, edges, sorts
//!
//! - **File**: vertex `a/b.proto` (its path), kind `file`; sorts `syntax`
//!   (`proto2` / `proto3`), `package`, `imports` (JSON array of import
//!   statements as written after `import`: `"x.proto"`, `public "y.proto"`,
//!   `weak "z.proto"`, in order), `options` (below), `deprecated`. Edges
//!   `declares` (named by the short name) to its top-level messages, enums
//!   and services; `extension` to its top-level extension fields.
//! - **Message**: vertex `pkg.Outer.Inner` (full name), kind `message`;
//!   edges `field` (named) to each field not in a oneof, `oneof` (named) to
//!   each oneof (a vertex `pkg.Msg.oneof_name` of kind `oneof`, whose
//!   fields are reached by its own `field` edges), `nested` (named) to
//!   nested messages and enums, `extension` to extensions declared inside
//!   it. Sorts: `order` (JSON array of the field names in declaration
//!   order, oneof members included), `reserved` (JSON array of `"5"`,
//!   `"9 to 11"`, `"20 to max"` and quoted names `"\"foo\""`),
//!   `extension-ranges` (JSON array of `"100 to 199"`, with any range
//!   options appended as `" [name = value, ...]"`; a one-number range with
//!   options is `"5 to 5 [...]"`, the form protox reads), `options`,
//!   `deprecated`. proto2 `required` fields are also the message's
//!   required edges.
//! - **Field**: vertex `pkg.Msg.field` (full name), kind its scalar type
//!   (`int32`, `string`, ...), `ref` (a message or enum type: edge `ref`
//!   to that type's vertex) or `map` (edges `map-key` to vertex
//!   `pkg.Msg.field.key` of the key's scalar kind and `map-value` to
//!   `pkg.Msg.field.value`, scalar or `ref`). Sorts: `field-number`,
//!   `label` (`optional`, `required`, `repeated` as written; absent for a
//!   proto3 field without one, a oneof member and a map), `default` (the
//!   default as `protoc` records it: strings unescaped, bytes C-escaped,
//!   enums by value name), `json-name` (only when it is not the default
//!   camel-case name), `packed`, `deprecated`, `group` (`true` for a proto2
//!   group: its `ref` target is the group's message, nested in the same
//!   scope, written inline), `options`.
//! - **Extension** (`extend Foo { ... }`): a field vertex with the
//!   extension's full name (`pkg.ext`, or `pkg.Msg.ext` when declared in a
//!   message), reached by an `extension` edge (named) from the file or
//!   message declaring it, with an `extendee` edge to the extended message
//!   and the sorts of a field.
//! - **Enum**: vertex `pkg.Enum`, kind `enum`; edges `value` (named) to
//!   vertices `pkg.Enum.VALUE` of kind `enum-value` with sort `number`
//!   (and `options`, `deprecated`); enum sorts `order` (value names in
//!   declaration order), `reserved`, `options` (`allow_alias` among them).
//! - **Service**: vertex `pkg.Svc`, kind `service`, edges `rpc` (named) to
//!   vertices `pkg.Svc.Method` of kind `rpc`, with edges `input` and
//!   `output` to the message types and sorts `client-streaming` /
//!   `server-streaming` (`true` when streaming), `options`; the service has
//!   `order` (method names) and `options`.
//! - **External types**: a message or enum used by the source but defined
//!   in a well-known file the source does not hold (`google.protobuf.
//!   Timestamp`) is a vertex of its own with sort `external` (the file
//!   that defines it); emit writes nothing for it (the import is kept).
//! - **Options** (`options` sort, on any vertex above): a JSON array of
//!   `name = value` texts as `option` statements and `[...]` lists take
//!   them, interpreted and printed back canonically: `java_package =
//!   "x"`, `(.pkg.my_option) = 5`, `(.pkg.msg_opt) = { a: 1 b: "x" }`;
//!   one entry per value of a repeated option. `deprecated` and `packed`
//!   have their own sorts.
//!
//! - **Comments**: the leading comment of a message, field, oneof,
//!   extension, enum, enum value, service or method is its `comment` sort
//!   (the text between the comment markers, lines joined by `\n`), written
//!   back as `//` lines.
//!
//! Not kept: trailing and detached comments (a file's licence header
//! among them), block-comment markers (a `/* */` comment comes back as
//! `//` lines), and the order of declarations other than fields, enum
//! values and methods (reordering messages changes no meaning).
//! Editions files (`edition = "2023"`) are refused with
//! [`FormatError::Unsupported`]: protox 0.10 parses proto2 and proto3 only.
//! Two protox limits show as syntax errors on files `protoc` takes:
//! options after a one-number extension range (`extensions 5 [...]`) and
//! `inf` / `-inf` as an option value (emit writes those values as `1e999`
//! / `-1e999`, which both compilers read as infinite).

mod compat;
mod emit;
mod options;
mod parse;

pub(super) use compat::{compare, compare_by_unit, units};
pub(super) use emit::emit;
pub(super) use parse::parse;

/// The extensions of Protobuf files.
pub(super) const EXTENSIONS: &[&str] = &["proto"];

/// Whether `text` looks like a `.proto` file: a line starts with a
/// `syntax =` or `edition =` statement, a `package x;`, an `import "...";`
/// or a `message` or `service` block (`enum` blocks are left out: GraphQL
/// and TypeScript have them too).
pub(super) fn sniff(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        let assigns = |keyword: &str| {
            line.strip_prefix(keyword)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        };
        let block = |keyword: &str| line.starts_with(keyword) && line.contains('{');
        assigns("syntax")
            || assigns("edition")
            || (line.starts_with("package ") && line.ends_with(';'))
            || line.starts_with("import \"")
            || line.starts_with("import public \"")
            || block("message ")
            || block("service ")
    })
}
