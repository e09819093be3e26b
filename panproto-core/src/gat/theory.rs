//! A theory: its sorts (with parameters, for dependent sorts), its
//! operations (typed inputs, an output) and its equations between terms,
//! read from the seed's spec form and checked whole.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::GatError;
use super::term::{Term, infer};

/// A generalised algebraic theory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theory {
    /// Its name, e.g. `ThGraph`.
    pub name: String,
    /// The sorts, in the order declared.
    #[serde(default)]
    pub sorts: Vec<Sort>,
    /// The operations.
    #[serde(default)]
    pub ops: Vec<Op>,
    /// The equations.
    #[serde(default)]
    pub eqs: Vec<Equation>,
}

/// A sort; with parameters it is a dependent sort (`Hom(a: Ob, b: Ob)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    /// Its name.
    pub name: String,
    /// Its parameters: (name, sort), e.g. `[["a", "Ob"], ["b", "Ob"]]`.
    #[serde(default)]
    pub params: Vec<(String, String)>,
}

/// An operation: typed inputs and an output sort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    /// Its name.
    pub name: String,
    /// Its inputs: (name, sort), the sort written `S` or, for a dependent
    /// sort, `S(x, y)` with one argument per parameter.
    #[serde(default)]
    pub inputs: Vec<(String, String)>,
    /// Its output sort, written as an input's.
    pub output: String,
}

/// An equation between two terms, e.g. `src(id(x)) = x`. A term is a
/// variable or an operation applied to terms (`op(t, ...)`; a constant
/// may be written without parentheses). Each variable's sort is read from
/// where it stands, or from `vars`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equation {
    /// Its name.
    pub name: String,
    /// The left-hand term.
    pub lhs: String,
    /// The right-hand term.
    pub rhs: String,
    /// Sorts of variables that no position fixes: (name, sort).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vars: Vec<(String, String)>,
}

/// A sort, an operation or an equation: what a theory declares by name.
pub(super) trait Declaration: Clone + PartialEq {
    /// What it is called in messages: `sort`, `operation`, `equation`.
    const KIND: &'static str;
    /// Its name.
    fn name(&self) -> &str;
    /// Every one of its kind a theory declares.
    fn all(theory: &Theory) -> &[Self];
    /// The one named `name`.
    fn find<'t>(theory: &'t Theory, name: &str) -> Option<&'t Self> {
        Self::all(theory).iter().find(|d| d.name() == name)
    }
}

impl Declaration for Sort {
    const KIND: &'static str = "sort";
    fn name(&self) -> &str {
        &self.name
    }
    fn all(theory: &Theory) -> &[Self] {
        &theory.sorts
    }
}

impl Declaration for Op {
    const KIND: &'static str = "operation";
    fn name(&self) -> &str {
        &self.name
    }
    fn all(theory: &Theory) -> &[Self] {
        &theory.ops
    }
}

impl Declaration for Equation {
    const KIND: &'static str = "equation";
    fn name(&self) -> &str {
        &self.name
    }
    fn all(theory: &Theory) -> &[Self] {
        &theory.eqs
    }
}

/// A sort as an input or output names it: `S`, or `S(x, y)`.
pub(super) struct SortRef<'a> {
    pub(super) head: &'a str,
    pub(super) args: Vec<&'a str>,
}

/// Reads `S` or `S(x, y)`; `None` when it is neither.
pub(super) fn sort_ref(text: &str) -> Option<SortRef<'_>> {
    let text = text.trim();
    let Some((head, rest)) = text.split_once('(') else {
        return is_name(text).then_some(SortRef {
            head: text,
            args: Vec::new(),
        });
    };
    let inner = rest.strip_suffix(')')?;
    let args: Vec<&str> = inner.split(',').map(str::trim).collect();
    (is_name(head.trim()) && args.iter().all(|a| is_name(a))).then_some(SortRef {
        head: head.trim(),
        args,
    })
}

/// Whether `text` is a name: not empty, and no space, control character,
/// parenthesis or comma (what separates the parts of a term).
pub(super) fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(name_char)
}

/// A character a name may hold.
pub(super) fn name_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || "(),".contains(c))
}

impl Theory {
    /// A theory from its spec (the seed's JSON form), checked.
    ///
    /// # Errors
    /// [`GatError`] naming each sort, operation or equation that is
    /// ill-formed, or where the JSON cannot be read.
    pub fn from_json(text: &str) -> Result<Self, GatError> {
        let theory: Self = serde_json::from_str(text).map_err(|e| GatError {
            what: "theory spec".to_owned(),
            problems: vec![format!("line {}, column {}: {e}", e.line(), e.column())],
        })?;
        theory.checked()
    }

    /// The theory's spec as JSON, in the form [`from_json`](Self::from_json) reads.
    pub fn to_json(&self) -> String {
        // Names and pairs of names always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The theory, once checked.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json).
    pub fn checked(self) -> Result<Self, GatError> {
        let problems = self.problems();
        GatError::check(|| format!("theory {}", self.name), problems)?;
        Ok(self)
    }

    /// The sort named `name`.
    pub fn sort(&self, name: &str) -> Option<&Sort> {
        Sort::find(self, name)
    }

    /// The operation named `name`.
    pub fn op(&self, name: &str) -> Option<&Op> {
        Op::find(self, name)
    }

    /// The equation named `name`.
    pub fn eq(&self, name: &str) -> Option<&Equation> {
        Equation::find(self, name)
    }

    /// Every problem with the theory, each in a sentence.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().any(char::is_control) {
            out.push(format!("{:?} is not a name for a theory", self.name));
        }
        duplicates(Sort::KIND, self.sorts.iter().map(|s| &s.name), &mut out);
        duplicates(Op::KIND, self.ops.iter().map(|o| &o.name), &mut out);
        duplicates(Equation::KIND, self.eqs.iter().map(|e| &e.name), &mut out);
        for sort in &self.sorts {
            let at = format!("sort {}", sort.name);
            if !is_name(&sort.name) {
                out.push(format!("{at}: not a name"));
            }
            duplicates(
                &format!("{at}: parameter"),
                sort.params.iter().map(|p| &p.0),
                &mut out,
            );
            for (param, of) in &sort.params {
                if of == &sort.name {
                    out.push(format!("{at}: parameter {param} has the sort itself"));
                } else {
                    self.check_ref(&format!("{at}: parameter {param}"), of, &mut out);
                }
            }
        }
        for op in &self.ops {
            let at = format!("operation {}", op.name);
            if !is_name(&op.name) {
                out.push(format!("{at}: not a name"));
            }
            duplicates(
                &format!("{at}: input"),
                op.inputs.iter().map(|i| &i.0),
                &mut out,
            );
            for (input, of) in &op.inputs {
                self.check_ref(&format!("{at}: input {input}"), of, &mut out);
            }
            self.check_ref(&format!("{at}: output"), &op.output, &mut out);
        }
        for eq in &self.eqs {
            if let Err(e) = self.equation_sides(eq) {
                out.push(format!("equation {}: {e}", eq.name));
            }
        }
        out
    }

    /// Checks a sort reference: a sort of the theory, with one argument
    /// per parameter.
    fn check_ref(&self, at: &str, text: &str, out: &mut Vec<String>) {
        let Some(r) = sort_ref(text) else {
            out.push(format!("{at}: {text:?} is not a sort (S, or S(x, y))"));
            return;
        };
        match self.sort(r.head) {
            None => out.push(format!(
                "{at} has sort {}, which is not a sort of the theory",
                r.head
            )),
            Some(sort) if sort.params.len() != r.args.len() => out.push(format!(
                "{at}: sort {} takes {} argument{}, not {}",
                sort.name,
                sort.params.len(),
                if sort.params.len() == 1 { "" } else { "s" },
                r.args.len()
            )),
            Some(_) => {}
        }
    }

    /// An equation's two sides, parsed and their sorts checked.
    ///
    /// # Errors
    /// A sentence saying what does not parse or does not fit.
    pub(super) fn equation_sides(&self, eq: &Equation) -> Result<(Term, Term), String> {
        let lhs = Term::parse(&eq.lhs, self).map_err(|e| format!("left side: {e}"))?;
        let rhs = Term::parse(&eq.rhs, self).map_err(|e| format!("right side: {e}"))?;
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for (name, of) in &eq.vars {
            let mut out = Vec::new();
            self.check_ref(&format!("variable {name}"), of, &mut out);
            if let Some(problem) = out.into_iter().next() {
                return Err(problem);
            }
            let head = sort_ref(of).map_or(of.as_str(), |r| r.head);
            vars.insert(name.clone(), head.to_owned());
        }
        let left = infer(&lhs, self, &mut vars, None)?;
        let right = infer(&rhs, self, &mut vars, left.as_deref())?;
        // A left side that is a bare variable learns its sort from the right.
        let left = match left {
            Some(s) => s,
            None => infer(&lhs, self, &mut vars, right.as_deref())?.ok_or_else(|| {
                "no position fixes the sorts of its sides; give them in vars".to_owned()
            })?,
        };
        let right = right.unwrap_or_else(|| left.clone());
        if left != right {
            return Err(format!(
                "the left side is of sort {left}, the right of sort {right}"
            ));
        }
        let used: BTreeSet<&str> = lhs.vars().chain(rhs.vars()).collect();
        if let Some(v) = used.iter().find(|v| !vars.contains_key(**v)) {
            return Err(format!(
                "no position fixes the sort of variable {v}; give it in vars"
            ));
        }
        Ok((lhs, rhs))
    }
}

/// Reports each name given twice.
fn duplicates<'a>(what: &str, names: impl Iterator<Item = &'a String>, out: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name) {
            out.push(format!("{what} {name} is declared twice"));
        }
    }
}
