//! What a statement kept verbatim is about, so that dropping an object
//! also drops what was kept about it: `DROP FUNCTION f` takes `CREATE
//! FUNCTION f`, `ALTER FUNCTION f OWNER TO` and `COMMENT ON FUNCTION f`
//! with it; `DROP TABLE t` takes `ALTER TABLE t OWNER TO`, the triggers and
//! rules on `t`, as the database would.

/// Object words a kept statement can be about.
const OBJECTS: &[&str] = &[
    "AGGREGATE",
    "DOMAIN",
    "EXTENSION",
    "FUNCTION",
    "INDEX",
    "PROCEDURE",
    "RULE",
    "SCHEMA",
    "SEQUENCE",
    "TABLE",
    "TRIGGER",
    "TYPE",
    "VIEW",
];

/// The words and names of a statement's start: keywords upper-cased,
/// names lower-cased without quotes, `a.b` one token; with `skip_args`,
/// what is between parentheses is one token `(`.
fn tokens(text: &str, max: usize, skip_args: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut current = String::new();
    let mut quoted = false;
    while let Some((_, c)) = chars.next() {
        if out.len() >= max {
            break;
        }
        match c {
            '"' | '`' => {
                // A quoted part, kept as written.
                for (_, q) in chars.by_ref() {
                    if q == c {
                        break;
                    }
                    current.push(q);
                }
                quoted = true;
            }
            '[' => {
                for (_, q) in chars.by_ref() {
                    if q == ']' {
                        break;
                    }
                    current.push(q);
                }
                quoted = true;
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == '$' => {
                current.push(c);
            }
            _ => {
                if !current.is_empty() {
                    out.push(if quoted {
                        current.clone()
                    } else {
                        current.to_lowercase()
                    });
                    current.clear();
                }
                quoted = false;
                if c == '(' && skip_args {
                    // An argument list: skipped, as one token.
                    let mut depth = 1usize;
                    for (_, q) in chars.by_ref() {
                        match q {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                    }
                    out.push("(".to_owned());
                }
            }
        }
    }
    if !current.is_empty() && out.len() < max {
        out.push(if quoted {
            current
        } else {
            current.to_lowercase()
        });
    }
    out
}

fn is(token: &str, word: &str) -> bool {
    token.eq_ignore_ascii_case(word)
}

/// The (object word, name) a kept statement is about, and the names its
/// `ON` / `TO` name (a trigger's or a rule's table).
pub(super) fn subjects(text: &str) -> (Option<(String, String)>, Vec<String>) {
    let t = tokens(text, 40, true);
    let mut primary = None;
    let mut i = 0;
    while i < t.len().min(7) {
        let upper = t[i].to_ascii_uppercase();
        if OBJECTS.contains(&upper.as_str()) {
            let mut j = i + 1;
            while j < t.len()
                && ["IF", "NOT", "EXISTS", "ONLY", "CONCURRENTLY"]
                    .iter()
                    .any(|w| is(&t[j], w))
            {
                j += 1;
            }
            if let Some(name) = t.get(j) {
                primary = Some((upper, name.clone()));
            }
            break;
        }
        i += 1;
    }
    let mut on = Vec::new();
    let about_table = primary
        .as_ref()
        .is_some_and(|(w, _)| w == "TRIGGER" || w == "RULE");
    if about_table {
        for k in 0..t.len() {
            if (is(&t[k], "ON") || is(&t[k], "TO")) && k + 1 < t.len() {
                let mut j = k + 1;
                while j < t.len() && (is(&t[j], "TABLE") || is(&t[j], "ONLY")) {
                    j += 1;
                }
                if let Some(n) = t.get(j) {
                    on.push(n.clone());
                }
            }
        }
    }
    (primary, on)
}

/// Whether `text` names `name` anywhere (a view's query naming a table).
pub(super) fn mentions(text: &str, name: &str) -> bool {
    tokens(text, usize::MAX, false)
        .iter()
        .any(|t| same(t, name))
}

/// Whether `text` has `word (... name ...)`: `INHERITS (payment)`.
pub(super) fn names_any(text: &str, word: &str, name: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.find(word).is_some_and(|p| {
        let rest = text.get(p + word.len()..).unwrap_or("");
        let inner = rest.split(')').next().unwrap_or("");
        inner
            .split([',', '(', ' '])
            .any(|n| !n.is_empty() && same(n.trim_matches('"'), name))
    })
}

/// Whether two names are one: equal, or equal in their last part when one
/// of them is not qualified.
pub(super) fn same(a: &str, b: &str) -> bool {
    let last = |s: &str| s.rsplit('.').next().unwrap_or(s).to_owned();
    a.eq_ignore_ascii_case(b)
        || (!a.contains('.') || !b.contains('.')) && last(a).eq_ignore_ascii_case(&last(b))
}

/// What a `DROP <object> ...` statement of an object kept verbatim drops:
/// its object word and names.
pub(super) fn dropped(text: &str) -> Option<(String, Vec<String>)> {
    let t = tokens(text, 64, true);
    if !is(t.first()?, "DROP") {
        return None;
    }
    let word = t.get(1)?.to_ascii_uppercase();
    if !OBJECTS.contains(&word.as_str()) {
        return None;
    }
    let mut names = Vec::new();
    for tok in t.iter().skip(2) {
        let upper = tok.to_ascii_uppercase();
        if matches!(upper.as_str(), "IF" | "EXISTS" | "(") {
            continue;
        }
        if matches!(upper.as_str(), "CASCADE" | "RESTRICT" | "ON") {
            break;
        }
        names.push(tok.clone());
    }
    Some((word, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_kept_statements_are_about() {
        assert_eq!(
            subjects("CREATE OR REPLACE FUNCTION public.f(p integer) RETURNS int AS $$ x $$"),
            (Some(("FUNCTION".to_owned(), "public.f".to_owned())), vec![])
        );
        assert_eq!(
            subjects(
                "CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor FOR EACH ROW EXECUTE f()"
            ),
            (
                Some(("TRIGGER".to_owned(), "last_updated".to_owned())),
                vec!["public.actor".to_owned()]
            )
        );
        assert_eq!(
            subjects("COMMENT ON TABLE \"Actor\" IS 'x'").0,
            Some(("TABLE".to_owned(), "Actor".to_owned()))
        );
        assert_eq!(
            dropped("DROP FUNCTION IF EXISTS f(integer), g CASCADE"),
            Some(("FUNCTION".to_owned(), vec!["f".to_owned(), "g".to_owned()]))
        );
        assert!(same("public.actor", "actor") && !same("public.a", "other.a"));
    }
}
