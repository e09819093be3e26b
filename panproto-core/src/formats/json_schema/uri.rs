//! URI references as JSON Schema resolves them (RFC 3986 section 5.2,
//! without normalising case or percent-encoding), JSON pointers, and the
//! `$ref` text emit writes for a target.

use std::fmt::Write as _;

/// Splits `s` at its first `#`: the part before, and the fragment.
pub(super) fn split_fragment(s: &str) -> (&str, Option<&str>) {
    match s.split_once('#') {
        Some((doc, frag)) => (doc, Some(frag)),
        None => (s, None),
    }
}

/// Whether `s` starts with a URI scheme (`https:`, `urn:`).
pub(super) fn has_scheme(s: &str) -> bool {
    let mut chars = s.char_indices();
    if !chars.next().is_some_and(|(_, c)| c.is_ascii_alphabetic()) {
        return false;
    }
    for (_, c) in chars {
        match c {
            ':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {}
            _ => return false,
        }
    }
    false
}

/// `base` split into its origin (`scheme://authority`, `scheme:`, or
/// nothing) and its path (without query or fragment).
fn split_origin(base: &str) -> (&str, &str) {
    let base = split_fragment(base).0;
    let base = base.split_once('?').map_or(base, |(b, _)| b);
    if !has_scheme(base) {
        return ("", base);
    }
    let colon = base.find(':').unwrap_or(0);
    let rest = &base[colon + 1..];
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').map_or(base.len(), |i| colon + 3 + i);
        (&base[..end], &base[end..])
    } else {
        (&base[..=colon], rest)
    }
}

/// `path` with its `.` and `..` segments removed.
fn remove_dots(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.last().is_some_and(|s| !s.is_empty()) || out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if absolute && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `reference` resolved against `base`.
pub(super) fn resolve(base: &str, reference: &str) -> String {
    if has_scheme(reference) {
        return reference.to_owned();
    }
    let base_doc = split_fragment(base).0;
    if reference.is_empty() {
        return base_doc.to_owned();
    }
    if reference.starts_with('#') {
        return format!("{base_doc}{reference}");
    }
    let (origin, path) = split_origin(base);
    if let Some(rest) = reference.strip_prefix("//") {
        let scheme = origin.split(':').next().unwrap_or("");
        return format!("{scheme}://{rest}");
    }
    if reference.starts_with('?') {
        return format!("{origin}{path}{reference}");
    }
    let split = reference.find(['?', '#']).unwrap_or(reference.len());
    let (ref_path, tail) = reference.split_at(split);
    let merged = if ref_path.starts_with('/') {
        ref_path.to_owned()
    } else {
        let dir = match path.rfind('/') {
            Some(i) => &path[..=i],
            None if origin.ends_with(':') || origin.is_empty() => "",
            None => "/",
        };
        format!("{dir}{ref_path}")
    };
    format!("{origin}{}{tail}", remove_dots(&merged))
}

/// Appends `segment` to a JSON pointer, escaped (`~` as `~0`, `/` as `~1`).
pub(super) fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Characters a URI fragment may hold unencoded.
fn fragment_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'?'
        )
}

/// A JSON pointer as a URI fragment (percent-encoded).
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if fragment_safe(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A URI fragment percent-decoded (invalid escapes kept as written).
pub(super) fn decode_fragment(fragment: &str) -> String {
    if !fragment.contains('%') {
        return fragment.to_owned();
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| char::from(*b).to_digit(16));
        match (bytes.get(i), hex(i + 1), hex(i + 2)) {
            (Some(b'%'), Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (Some(b), _, _) => {
                out.push(*b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| fragment.to_owned())
}

/// The path of file `to` relative to the directory of file `from`.
fn relative_path(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// The `$ref` text emit writes, from file `from`, for the node at
/// `pointer` of file `to`: `#/pointer` in the same file, else the relative
/// path of `to` and the pointer.
pub(super) fn canonical_ref(from: &str, to: &str, pointer: &str) -> String {
    let mut out = if from == to {
        String::new()
    } else {
        relative_path(from, to)
    };
    if from == to || !pointer.is_empty() {
        out.push('#');
        out.push_str(&encode_fragment(pointer));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_as_rfc_3986() {
        let base = "https://json-schema.org/draft/2020-12/schema";
        assert_eq!(
            resolve(base, "meta/core"),
            "https://json-schema.org/draft/2020-12/meta/core"
        );
        assert_eq!(resolve(base, "#/$defs/x"), format!("{base}#/$defs/x"));
        assert_eq!(resolve("http://a/b/c/d", "../g"), "http://a/b/g");
        assert_eq!(resolve("http://a/b/c/d", "/g"), "http://a/g");
        assert_eq!(resolve("http://a", "g"), "http://a/g");
        assert_eq!(resolve("dir/a.json", "b.json#/x"), "dir/b.json#/x");
        assert_eq!(resolve("dir/a.json", "../b.json"), "b.json");
        assert_eq!(resolve("a.json", "urn:x"), "urn:x");
        assert_eq!(resolve("a.json", ""), "a.json");
        assert!(has_scheme("urn:uuid:1") && !has_scheme("a/b:c") && !has_scheme("#x"));
    }

    #[test]
    fn pointers_and_refs() {
        let mut p = String::new();
        push_segment(&mut p, "a/b~c");
        assert_eq!(p, "/a~1b~0c");
        assert_eq!(canonical_ref("a.json", "a.json", ""), "#");
        assert_eq!(canonical_ref("a.json", "b.json", ""), "b.json");
        assert_eq!(
            canonical_ref("x/a.json", "y/b.json", "/$defs/a b"),
            "../y/b.json#/$defs/a%20b"
        );
        assert_eq!(decode_fragment("/a%20b%zz"), "/a b%zz");
    }
}
