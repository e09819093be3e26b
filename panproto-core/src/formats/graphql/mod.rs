//! GraphQL SDL (`.graphql`, `.graphqls`, `.gql`): the type system of a
//! GraphQL service, read into the `graphql` protocol and written back.
//!
//! Parsed with `apollo-parser` (a lossless, error-tolerant CST parser whose
//! errors carry byte offsets, with few dependencies), not
//! `apollo-compiler`: the compiler validates and builds its own schema
//! model on top of the same parser, which costs time and dependencies, and
//! refuses the fragments (an `extend type Query` of a sibling file) that
//! multi-file schemas are made of. The rules that matter for a faithful
//! model (refs resolve, output and input positions, no member twice) are
//! checked here.
//!
//! # Ids, kinds, edges, sorts
//!
//! | element | vertex id | kind | reached by |
//! |---|---|---|---|
//! | type `User` | `User` | `object`, `interface`, `input`, `union`, `enum`, `scalar` | |
//! | field `User.name` | `User.name` | its type (below) | `field` edge named `name` |
//! | input field | `Input.name` | its type | `input-field` edge |
//! | argument | `User.posts(first:)` | its type | `argument` edge named `first` |
//! | enum value | `Color.RED` | `enum-value` | `value` edge named `RED` |
//! | list item | `User.tags[]` (`User.grid[][]`...) | its type | `of` edge from the list |
//! | directive definition `@key` | `@key` | `directive` | |
//! | its argument | `@key(fields:)` | its type | `argument` edge |
//! | `schema { ... }` | `{schema}` | `schema` | |
//! | a file (multi-file sources only) | its relative path | `file` | |
//! | a type used but defined nowhere (with `external_refs`) | its name | `external` | |
//!
//! A member's kind is its type: `String`, `Int`, `Float`, `Boolean`, `ID`
//! for the built-in scalars; `list` for `[T]` (its item is the vertex
//! `id[]`); `ref` for a named type, with a `ref` edge to the type's
//! vertex (so shared and recursive types stay one vertex). `!` is a
//! `non-null` constraint (`"true"`) on the vertex it applies to: `[String!]!`
//! is a `list` with `non-null`, whose item `[]` is a `String` with
//! `non-null`.
//!
//! Other edges: `implements` (type → interface), `member` (union → object),
//! `operation` (`{schema}` → root type, named `query`, `mutation` or
//! `subscription`), `declares` and `extends` (file → what it defines, and
//! what it adds by `extend` to a type defined elsewhere).
//!
//! Required edges (what every value of a type has, for the record
//! checks): an object's or interface's non-null fields (a response always
//! has them), an input type's non-null fields without a default (a request
//! must give them). They follow from `non-null` and `default`, so emit
//! reads those.
//!
//! Constraints: `description` (the text, block strings decoded),
//! `default` (an argument's or input field's default, as GraphQL text in
//! normal form: `[1, 2]`, `{a: "x"}`), `deprecated` (the reason; `No longer
//! supported` when `@deprecated` gives none), `directive` (every other
//! directive use, as GraphQL text in normal form, in written order,
//! `@key(fields: "id") @shareable`), `order` (a JSON array of member names
//! in written order: a type's fields, input fields, enum values or union
//! members, a field's or directive's arguments, the schema block's
//! operations), `locations` and `repeatable` on directive definitions,
//! `extension` (`"true"`) on a type or schema block that this source only
//! `extend`s, `comment` (below).
//!
//! # Extensions
//!
//! `extend` merges into the type it extends: its members, interfaces and
//! directives become the type's. In one file the type is then written as
//! one definition. In a multi-file source each member an extension adds is
//! reached by an `extends` edge from its file, so emit writes it back to
//! that file as an `extend` block; an extension's interfaces, directives and
//! union members go with the definition. An extension of a type that no
//! file of the source defines is kept as an extension (the type's vertex
//! has the `extension` constraint, and emit writes `extend type ...`):
//! multi-file GraphQL schemas are made of such fragments.
//!
//! # Refused
//!
//! Operations and fragments (executable definitions) are
//! `FormatError::Unsupported`, with their location. A ref to a type
//! defined nowhere is `FormatError::UnresolvedRef` (with
//! `FormatOptions::external_refs` it is kept as an `external` vertex that
//! emit does not write: the source is a fragment). A type or directive
//! defined twice, a member given twice, an input type as a field's type
//! (or an output type as an argument's), a union member that is not an
//! object type, a root operation type that is not one are
//! `FormatError::Invalid`. A variable in a default or directive argument
//! is a syntax error (apollo-parser's). Uses of directives defined nowhere
//! are kept (they are often defined by the server framework, as gqlgen's
//! `@goModel`, or by Apollo Federation's gateway, as `@key`).
//!
//! Comments: the `#` lines before a declaration or member are its
//! `comment` constraint (each line less `#` and one space), written back
//! before it (a comment after a member on the same line goes with the
//! next member). Not kept: comments after the last member of a block or
//! the last declaration of a file, and those inside a declaration (after
//! its description).
//!
//! Not kept either: the order of a type's interfaces (written in name
//! order), and the order of declarations in a file (emit writes the schema
//! block, then directive definitions, then types, each by name).

mod compat;
mod emit;
mod parse;
mod syntax;
mod text;

pub(super) use compat::{compare, compare_by_unit, units};
pub(super) use emit::emit;
pub(super) use parse::parse;

/// The extensions of GraphQL SDL files.
pub(super) const EXTENSIONS: &[&str] = &["graphql", "graphqls", "gql"];

/// The built-in scalars: kinds of their own, never vertices of a source.
const BUILTIN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// The reason `@deprecated` gives when it is given none.
const DEFAULT_REASON: &str = "No longer supported";

/// The id of the `schema { ... }` block (no type name has braces).
const SCHEMA_ID: &str = "{schema}";

/// Whether `text` looks like SDL: its first token (after comments and a
/// description) starts a type system definition.
pub(super) fn sniff(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\r', '\n', ',']);
        if let Some(comment) = rest.strip_prefix('#') {
            rest = comment.split_once('\n').map_or("", |(_, r)| r);
            continue;
        }
        if let Some(block) = rest.strip_prefix("\"\"\"") {
            rest = block.split_once("\"\"\"").map_or("", |(_, r)| r);
            continue;
        }
        if let Some(string) = rest.strip_prefix('"') {
            rest = skip_string(string);
            continue;
        }
        let word: &str = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        let next = rest.get(word.len()..).unwrap_or("");
        let spaced = next.starts_with([' ', '\t', '\r', '\n']);
        return spaced
            && matches!(
                word,
                "type"
                    | "interface"
                    | "union"
                    | "enum"
                    | "input"
                    | "scalar"
                    | "directive"
                    | "schema"
                    | "extend"
            );
    }
}

/// The text after a one-line string literal whose opening quote is gone.
fn skip_string(text: &str) -> &str {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return text.get(i + 1..).unwrap_or(""),
            '\n' => return "",
            _ => escaped = false,
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_sdl_not_other_formats() {
        assert!(sniff("# c\n\"\"\"doc\"\"\"\ntype Query { a: Int }"));
        assert!(sniff("schema { query: Q }"));
        assert!(sniff("extend type Query { a: Int }"));
        assert!(!sniff("{\"type\": \"record\"}"));
        assert!(!sniff("syntax = \"proto3\";\nmessage A {}"));
        assert!(!sniff("CREATE TABLE t (a int);"));
        assert!(!sniff(""));
        assert!(!sniff("\"string\""));
        assert!(sniff("\"an \\\" escaped\" scalar X"));
    }
}
