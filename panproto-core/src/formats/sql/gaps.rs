//! Column syntax that the dialects take and sqlparser 0.64 does not read,
//! read around rather than refused: before parsing, the words are blanked
//! out (keeping every offset, so errors still point at the file), and the
//! column they follow gets them back after.
//!
//! - MySQL's `VARCHAR(40) BINARY` (a binary collation): `BINARY` joins
//!   the column's type.
//! - `BLOB SUB_TYPE TEXT` (Firebird's, which SQLite takes as a type name):
//!   `SUB_TYPE TEXT` joins the type.
//! - PostgreSQL 18's `GENERATED ALWAYS AS (...) VIRTUAL`: read as
//!   `STORED`, written back `VIRTUAL`.

use super::SqlDialect;

/// What was blanked out after a column's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Gap {
    /// Words that belong to the type (` BINARY`, ` SUB_TYPE TEXT`).
    Type(String),
    /// `VIRTUAL` read as `STORED`.
    Virtual,
}

/// The words of a statement with their offsets (outside quotes and comments).
fn words(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((s, text.get(s..i).unwrap_or("")));
            }
            _ => i += 1,
        }
    }
    out
}

/// The previous non-blank byte before `at`.
fn before(text: &str, at: usize) -> Option<u8> {
    text.as_bytes()
        .get(..at)?
        .iter()
        .rev()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
}

/// The text to parse and the gaps, by offset; `None` when there are none.
pub(super) fn patch(text: &str, dialect: SqlDialect) -> Option<(String, Vec<(usize, Gap)>)> {
    let mut gaps: Vec<(usize, usize, Gap, &str)> = Vec::new();
    let ws = words(text);
    for (k, &(at, w)) in ws.iter().enumerate() {
        let prev = k.checked_sub(1).and_then(|p| ws.get(p)).map(|p| p.1);
        if dialect == SqlDialect::MySql
            && w.eq_ignore_ascii_case("BINARY")
            && before(text, at) == Some(b')')
        {
            gaps.push((at, at + w.len(), Gap::Type(format!(" {w}")), ""));
        } else if w.eq_ignore_ascii_case("SUB_TYPE")
            && prev.is_some_and(|p| p.eq_ignore_ascii_case("BLOB"))
        {
            if let Some(&(nat, next)) = ws.get(k + 1) {
                gaps.push((at, nat + next.len(), Gap::Type(format!(" {w} {next}")), ""));
            }
        } else if dialect != SqlDialect::MySql
            && w.eq_ignore_ascii_case("VIRTUAL")
            && before(text, at) == Some(b')')
        {
            gaps.push((at, at + w.len(), Gap::Virtual, "STORED"));
        }
    }
    if gaps.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut found = Vec::with_capacity(gaps.len());
    for (start, end, gap, with) in gaps {
        out.push_str(text.get(last..start)?);
        out.push_str(with);
        out.push_str(&" ".repeat(end - start - with.len()));
        last = end;
        found.push((start, gap));
    }
    out.push_str(text.get(last..)?);
    Some((out, found))
}

/// The byte offset of a (1-based) line and column in `text`.
pub(super) fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let mut off = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n as u64 + 1 == line {
            return off
                + l.char_indices()
                    .nth(usize::try_from(column.saturating_sub(1)).unwrap_or(0))
                    .map_or(l.len(), |(i, _)| i);
        }
        off += l.len();
    }
    off
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_blanked_in_place() {
        let (text, gaps) = patch(
            "a VARCHAR(4) BINARY NOT NULL, b BINARY(3)",
            SqlDialect::MySql,
        )
        .unwrap();
        assert_eq!(text, "a VARCHAR(4)        NOT NULL, b BINARY(3)");
        assert_eq!(gaps, [(13, Gap::Type(" BINARY".to_owned()))]);
        let (text, _) = patch("d BLOB SUB_TYPE TEXT, e INT", SqlDialect::Sqlite).unwrap();
        assert_eq!(text, "d BLOB              , e INT");
        let (text, gaps) = patch(
            "x int GENERATED ALWAYS AS (1) VIRTUAL",
            SqlDialect::PostgreSql,
        )
        .unwrap();
        assert_eq!(text, "x int GENERATED ALWAYS AS (1) STORED ");
        assert_eq!(gaps[0].1, Gap::Virtual);
        assert!(patch("a 'BINARY' ) BINARY", SqlDialect::PostgreSql).is_none());
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    }
}
