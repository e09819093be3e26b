//! Printing GraphQL text: names, string literals, block strings
//! (descriptions), and the normal form of values and directive uses that
//! the parser stores and emit writes back.

use std::fmt::Write as _;

/// Whether `name` is a GraphQL name (`/[_A-Za-z][_0-9A-Za-z]*/`).
pub(super) fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

/// Appends `value` as a GraphQL string literal (`"..."`, escaped so that
/// it reads back as exactly `value`).
pub(super) fn push_string(out: &mut String, value: &str) {
    out.reserve(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether a block string can hold `value` exactly (graphql-js's
/// `isPrintableAsBlockString`): no control characters, no `\r`, no leading
/// or trailing blank line, no indentation common to every line.
fn printable_as_block(value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    let mut empty_line = true;
    let mut has_indent = false;
    let mut common_indent = true;
    let mut seen_non_empty = false;
    for c in value.chars() {
        match c {
            '\n' => {
                if empty_line && !seen_non_empty {
                    return false;
                }
                seen_non_empty = true;
                empty_line = true;
                has_indent = false;
            }
            '\t' | ' ' => has_indent |= empty_line,
            c if u32::from(c) < 0x20 || c == '\u{7f}' => return false,
            _ => {
                common_indent &= has_indent;
                empty_line = false;
            }
        }
    }
    !(empty_line || common_indent && seen_non_empty)
}

/// Appends `comment` (lines, as the `comment` constraint keeps them) as
/// `#` lines, each followed by a newline and `indent`.
pub(super) fn push_comment(out: &mut String, comment: &str, indent: &str) {
    for line in comment.split('\n') {
        out.push('#');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
        out.push_str(indent);
    }
}

/// Appends a description, as graphql-js prints it: a block string when one
/// holds the text exactly, else a string literal; each line after the
/// first indented by `indent`, then a newline and `indent`.
pub(super) fn push_description(out: &mut String, value: &str, indent: &str) {
    if !printable_as_block(value) {
        push_string(out, value);
        out.push('\n');
        out.push_str(indent);
        return;
    }
    let escaped = value.replace("\"\"\"", "\\\"\"\"");
    let single_line = !escaped.contains('\n');
    let trailing_quote = value.ends_with('"') && !escaped.ends_with("\\\"\"\"");
    let trailing_slash = value.ends_with('\\');
    let multiple = !single_line || trailing_quote || trailing_slash || value.len() > 70;
    let leading_space = single_line && value.starts_with([' ', '\t']);
    out.push_str("\"\"\"");
    if multiple && !leading_space {
        out.push('\n');
        out.push_str(indent);
    }
    for (i, line) in escaped.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    if multiple {
        out.push('\n');
        out.push_str(indent);
    }
    out.push_str("\"\"\"\n");
    out.push_str(indent);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(printed: &str) -> String {
        let text = format!("{printed}scalar X");
        let tree = apollo_parser::Parser::new(&text).parse();
        assert_eq!(tree.errors().len(), 0, "{text}");
        let doc = tree.document();
        let Some(apollo_parser::cst::Definition::ScalarTypeDefinition(s)) =
            doc.definitions().next()
        else {
            panic!("{text}")
        };
        String::from(&s.description().unwrap().string_value().unwrap())
    }

    #[test]
    fn descriptions_read_back_as_written() {
        for value in [
            "",
            "one line",
            "two\nlines",
            "  leading space",
            "trailing quote\"",
            "trailing slash\\",
            "has \"\"\" inside",
            "\nleading newline",
            "trailing newline\n",
            "  indented\n  both",
            "a\n\n  b\n\tc",
            "control \u{1} char",
            "cr\r\nlf",
            "unicode é ✓",
            &"long ".repeat(30),
        ] {
            for indent in ["", "  ", "    "] {
                let mut out = String::new();
                push_description(&mut out, value, indent);
                assert_eq!(read_back(&out), value, "{out:?}");
            }
        }
    }

    #[test]
    fn names() {
        assert!(is_name("_a1"));
        assert!(!is_name("1a"));
        assert!(!is_name(""));
        assert!(!is_name("a.b"));
    }
}
