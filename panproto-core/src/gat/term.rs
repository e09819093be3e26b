//! Terms of a theory's equations: a variable, or an operation applied to
//! terms. Written `op(t, ...)`; a name that is not an operation of the
//! theory is a variable, and a constant may be written without `()`.

use std::collections::BTreeMap;
use std::fmt;

use super::theory::{Theory, is_name, name_char, sort_ref};

/// A term.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    /// A variable.
    Var(String),
    /// An operation applied to arguments.
    App(String, Vec<Term>),
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Var(v) => f.write_str(v),
            Self::App(op, args) => {
                write!(f, "{op}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A term being read, with where the reader is.
struct Reader<'t> {
    text: &'t str,
    at: usize,
    theory: &'t Theory,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while self.text[self.at..].starts_with(char::is_whitespace) {
            self.at += self.text[self.at..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
        }
    }

    fn fail(&self, message: &str) -> String {
        let column = self.text[..self.at].chars().count() + 1;
        format!("column {column}: {message} in {:?}", self.text)
    }

    fn name(&mut self) -> Result<String, String> {
        self.skip_space();
        let rest = &self.text[self.at..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !name_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        let name = &rest[..len];
        if !is_name(name) {
            return Err(self.fail("expected a name"));
        }
        self.at += len;
        Ok(name.to_owned())
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.text[self.at..].starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn term(&mut self) -> Result<Term, String> {
        let name = self.name()?;
        if !self.eat('(') {
            return Ok(if self.theory.op(&name).is_some() {
                Term::App(name, Vec::new())
            } else {
                Term::Var(name)
            });
        }
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                args.push(self.term()?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err(self.fail("expected , or )"));
                }
            }
        }
        Ok(Term::App(name, args))
    }
}

impl Term {
    /// Reads a term of `theory`.
    ///
    /// # Errors
    /// A sentence with the column of what does not parse.
    pub fn parse(text: &str, theory: &Theory) -> Result<Self, String> {
        let mut reader = Reader {
            text,
            at: 0,
            theory,
        };
        let term = reader.term()?;
        reader.skip_space();
        if reader.at < text.len() {
            return Err(reader.fail("unexpected text after the term"));
        }
        Ok(term)
    }

    /// The variables, in order of appearance (with repeats).
    pub fn vars(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match self {
            Self::Var(v) => Box::new(std::iter::once(v.as_str())),
            Self::App(_, args) => Box::new(args.iter().flat_map(Term::vars)),
        }
    }

    /// The term with every operation renamed through `ops`.
    pub(super) fn map_ops(&self, ops: &BTreeMap<String, String>) -> Self {
        match self {
            Self::Var(v) => Self::Var(v.clone()),
            Self::App(op, args) => Self::App(
                ops.get(op).cloned().unwrap_or_else(|| op.clone()),
                args.iter().map(|a| a.map_ops(ops)).collect(),
            ),
        }
    }

    /// The term with its variables renamed through `names`, new ones
    /// numbered in order of appearance: equal up to renaming of variables
    /// is then equal.
    pub(super) fn numbered(&self, names: &mut BTreeMap<String, String>) -> Self {
        match self {
            Self::Var(v) => {
                let next = names.len();
                Self::Var(
                    names
                        .entry(v.clone())
                        .or_insert_with(|| format!("_{next}"))
                        .clone(),
                )
            }
            Self::App(op, args) => {
                Self::App(op.clone(), args.iter().map(|a| a.numbered(names)).collect())
            }
        }
    }
}

/// The sort of `term` in `theory` (its head), checking it against
/// `expected` and recording each variable's sort in `vars`; `None` for a
/// variable whose sort is not known yet.
///
/// # Errors
/// A sentence: an unknown operation, the wrong number of arguments, an
/// argument of the wrong sort, a variable used at two sorts.
pub(super) fn infer(
    term: &Term,
    theory: &Theory,
    vars: &mut BTreeMap<String, String>,
    expected: Option<&str>,
) -> Result<Option<String>, String> {
    match term {
        Term::Var(v) => {
            if let Some(want) = expected {
                match vars.get(v) {
                    Some(had) if had != want => {
                        return Err(format!(
                            "variable {v} stands where a {had} goes and where a {want} goes"
                        ));
                    }
                    Some(_) => {}
                    None => {
                        vars.insert(v.clone(), want.to_owned());
                    }
                }
            }
            Ok(vars.get(v).cloned())
        }
        Term::App(name, args) => {
            let op = theory
                .op(name)
                .ok_or_else(|| format!("{name} is not an operation of the theory"))?;
            if op.inputs.len() != args.len() {
                return Err(format!(
                    "{name} takes {} argument{}, given {}",
                    op.inputs.len(),
                    if op.inputs.len() == 1 { "" } else { "s" },
                    args.len()
                ));
            }
            for ((input, of), arg) in op.inputs.iter().zip(args) {
                let want = head(of);
                if let Some(got) = infer(arg, theory, vars, Some(want))? {
                    if got != want {
                        return Err(format!(
                            "input {input} of {name} is a {want}, given {arg}, a {got}"
                        ));
                    }
                }
            }
            let out = head(&op.output).to_owned();
            match expected {
                Some(want) if want != out => Err(format!("{term} is a {out} where a {want} goes")),
                _ => Ok(Some(out)),
            }
        }
    }
}

/// The sort a reference names (`Hom` of `Hom(a, b)`).
pub(super) fn head(text: &str) -> &str {
    sort_ref(text).map_or(text.trim(), |r| r.head)
}
