//! Cutting a file into statements, without parsing them: so that data
//! (`INSERT`s, most of a dump's bytes) never reaches the parser, and so
//! that each statement can be kept verbatim or parsed on its own.
//!
//! Respects quotes (`'...'` with `''`, and `\` in MySQL; `"..."`,
//! `` `...` ``, `[...]` outside PostgreSQL), comments (`--`, `/* */`, `#`
//! in MySQL), PostgreSQL dollar quotes (`$$ ... $$`, `$tag$ ... $tag$`),
//! MySQL's `DELIMITER` command, psql's `\` commands (to the end of the
//! line), and `BEGIN ... END` in `CREATE TRIGGER` bodies (where `;` ends
//! an inner statement, not the trigger).

use super::SqlDialect;

/// One statement: its text (trimmed, without its delimiter) and where it
/// starts in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece<'a> {
    /// The statement's text.
    pub text: &'a str,
    /// Its byte offset in the file.
    pub offset: usize,
}

/// A quote or comment left open at the end of the file, by its offset and
/// what closes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unterminated {
    /// Where it opens.
    pub offset: usize,
    /// What would close it.
    pub expected: String,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The statements of `text`.
pub(super) fn split<'a>(
    text: &'a str,
    dialect: SqlDialect,
) -> Result<Vec<Piece<'a>>, Unterminated> {
    let b = text.as_bytes();
    let n = b.len();
    let mysql = dialect == SqlDialect::MySql;
    let brackets = !matches!(dialect, SqlDialect::PostgreSql | SqlDialect::MySql);
    let dollars = matches!(dialect, SqlDialect::PostgreSql | SqlDialect::Generic);
    let mut out = Vec::new();
    let mut delim: Vec<u8> = b";".to_vec();
    let mut start: Option<usize> = None;
    // In a trigger body: the depth of BEGIN/CASE ... END.
    let mut trigger = false;
    let mut depth = 0usize;
    let mut words = 0usize;
    let mut i = 0;
    let push = |out: &mut Vec<Piece<'a>>, s: usize, e: usize| {
        if let Some(t) = text.get(s..e) {
            let t = t.trim_end();
            if !t.is_empty() {
                out.push(Piece { text: t, offset: s });
            }
        }
    };
    while i < n {
        let c = b[i];
        // Comments, wherever they are.
        if c == b'-' && b.get(i + 1) == Some(&b'-') || mysql && c == b'#' {
            while i < n && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let open = i;
            i += 2;
            loop {
                if i + 1 >= n {
                    return Err(Unterminated {
                        offset: open,
                        expected: "*/".to_owned(),
                    });
                }
                if b[i] == b'*' && b[i + 1] == b'/' {
                    i += 2;
                    break;
                }
                i += 1;
            }
            continue;
        }
        if start.is_none() {
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            // Client commands, which end at the end of their line.
            let rest = &b[i..];
            if c == b'\\' || mysql && starts_word(rest, b"DELIMITER") {
                let eol = rest.iter().position(|&x| x == b'\n').map_or(n, |p| i + p);
                if c != b'\\' {
                    let line = text.get(i + 9..eol).unwrap_or("").trim();
                    if !line.is_empty() {
                        delim = line.as_bytes().to_vec();
                    }
                }
                i = eol;
                continue;
            }
            start = Some(i);
            trigger = false;
            depth = 0;
            words = 0;
        }
        match c {
            b'\'' | b'"' | b'`' => {
                let open = i;
                i += 1;
                loop {
                    if i >= n {
                        return Err(Unterminated {
                            offset: open,
                            expected: (c as char).to_string(),
                        });
                    }
                    if b[i] == b'\\' && mysql && c != b'`' {
                        i += 2;
                        continue;
                    }
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'[' if brackets => {
                let open = i;
                match b[i..].iter().position(|&x| x == b']') {
                    Some(p) => i += p + 1,
                    None => {
                        return Err(Unterminated {
                            offset: open,
                            expected: "]".to_owned(),
                        });
                    }
                }
                continue;
            }
            b'$' if dollars && (i == 0 || !is_ident(b[i - 1])) => {
                // $tag$ where tag is an identifier, or $$.
                let mut j = i + 1;
                while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j < n && b[j] == b'$' && !b[i + 1..j].first().is_some_and(u8::is_ascii_digit) {
                    let tag = &b[i..=j];
                    let body = j + 1;
                    match find(&b[body..], tag) {
                        Some(p) => i = body + p + tag.len(),
                        None => {
                            return Err(Unterminated {
                                offset: i,
                                expected: String::from_utf8_lossy(tag).into_owned(),
                            });
                        }
                    }
                    continue;
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if b[i..].starts_with(&delim) && depth == 0 {
            if let Some(s) = start.take() {
                push(&mut out, s, i);
            }
            i += delim.len();
            continue;
        }
        if is_ident(c) && (i == 0 || !is_ident(b[i - 1])) {
            let mut j = i;
            while j < n && is_ident(b[j]) {
                j += 1;
            }
            let word = &b[i..j];
            words += 1;
            if words <= 6 && word.eq_ignore_ascii_case(b"TRIGGER") && delim == b";" {
                trigger = true;
            }
            if trigger {
                if word.eq_ignore_ascii_case(b"BEGIN") || word.eq_ignore_ascii_case(b"CASE") {
                    depth += 1;
                } else if word.eq_ignore_ascii_case(b"END") {
                    depth = depth.saturating_sub(1);
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if let Some(s) = start {
        push(&mut out, s, n);
    }
    Ok(out)
}

/// Whether `rest` starts with the word `word` (any case), then a space.
fn starts_word(rest: &[u8], word: &[u8]) -> bool {
    rest.len() > word.len()
        && rest[..word.len()].eq_ignore_ascii_case(word)
        && rest[word.len()].is_ascii_whitespace()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The leading words of a statement, upper-cased, skipping comments: to
/// tell what it is before parsing it.
pub(super) fn leading_words(text: &str, count: usize) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(count);
    let mut i = 0;
    while i < b.len() && out.len() < count {
        let c = b[i];
        if c == b'-' && b.get(i + 1) == Some(&b'-') || c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(text.get(s..i).unwrap_or("").to_ascii_uppercase());
        } else if c.is_ascii_whitespace() || matches!(c, b'.' | b'"' | b'`' | b'[' | b']') {
            // Between the parts of a name, quoted or not.
            i += 1;
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str, d: SqlDialect) -> Vec<&str> {
        split(sql, d).unwrap().into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn quotes_comments_and_dollars() {
        let sql = "a 'x;y' -- c;\n; b \"q;\" /* ; */ ; CREATE FUNCTION f() AS $$ a; b $$;\n c";
        assert_eq!(
            texts(sql, SqlDialect::PostgreSql),
            [
                "a 'x;y' -- c;",
                "b \"q;\" /* ; */",
                "CREATE FUNCTION f() AS $$ a; b $$",
                "c"
            ]
        );
    }

    #[test]
    fn delimiter_and_triggers() {
        let sql =
            "DELIMITER ;;\nCREATE TRIGGER t BEGIN x; y; END;;\nDELIMITER ;\nSELECT 'it\\'s;';";
        assert_eq!(
            texts(sql, SqlDialect::MySql),
            ["CREATE TRIGGER t BEGIN x; y; END", "SELECT 'it\\'s;'"]
        );
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 THEN 2 END; END; SELECT 1";
        assert_eq!(texts(sql, SqlDialect::Sqlite).len(), 2);
    }

    #[test]
    fn unterminated() {
        let e = split("SELECT 'abc", SqlDialect::Generic).unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(split("/* x", SqlDialect::Generic).is_err());
        assert!(split("x $a$ y", SqlDialect::PostgreSql).is_err());
    }
}
