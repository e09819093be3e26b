//! The lens laws, checked on records.
//!
//! For each record `r` (with view `v` and complement `c` from `get`):
//!
//! - **GetPut**: `put(v, c) == r`: what a lens reads it writes back.
//! - **PutGet**: a view put and got again comes back unchanged: with `w`
//!   the view edited (each value replaced by the one at the same place in
//!   the next record's view, the shape kept), `get(put(w, c))` shows `w`.
//! - **PutPut**: putting twice is putting the second: with `c1` the
//!   complement of `put(w, c)`, `put(v, c1) == put(v, c)`.
//!
//! Objects compare without regard to field order (as [`Value`] does).

use super::{Complement, Lens, LensError};
use crate::model::Value;

/// What the laws are about: a `get` and a `put` (a [`Lens`], or anything
/// else that moves records both ways).
pub trait Bidirectional {
    /// The view of `record` and the complement that restores it.
    ///
    /// # Errors
    /// When `record` cannot be read.
    fn get(&self, record: Value) -> Result<(Value, Complement), LensError>;

    /// The record `view` and `complement` come from.
    ///
    /// # Errors
    /// When they cannot be put together.
    fn put(&self, view: Value, complement: &Complement) -> Result<Value, LensError>;
}

impl Bidirectional for Lens {
    fn get(&self, record: Value) -> Result<(Value, Complement), LensError> {
        Lens::get(self, record)
    }

    fn put(&self, view: Value, complement: &Complement) -> Result<Value, LensError> {
        Lens::put(self, view, complement)
    }
}

/// One of the three laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Law {
    /// `put(get(r)) == r`.
    GetPut,
    /// `get(put(w, c))` shows `w`.
    PutGet,
    /// `put(v, complement(put(w, c))) == put(v, c)`.
    PutPut,
}

impl Law {
    /// The law's name, as the literature spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::GetPut => "GetPut",
            Self::PutGet => "PutGet",
            Self::PutPut => "PutPut",
        }
    }
}

/// A law that failed on a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The law.
    pub law: Law,
    /// The record's index among those checked.
    pub record: usize,
    /// Where the two sides first differ, e.g. `body.tags[1]`; or the
    /// error a side raised.
    pub path: String,
    /// What was expected there and what came instead.
    pub detail: String,
}

/// The three laws checked on some records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// How many records were checked.
    pub records: usize,
    /// Every failure, in record order, the laws in order for each.
    pub failures: Vec<Failure>,
}

impl Report {
    /// Whether every law held on every record.
    pub fn holds(&self) -> bool {
        self.failures.is_empty()
    }

    /// The first failure of `law`, if any.
    pub fn first(&self, law: Law) -> Option<&Failure> {
        self.failures.iter().find(|f| f.law == law)
    }
}

/// Checks the three laws of `lens` on each of `records`.
///
/// # Errors
/// The error `get` raises on a record (a record the lens cannot read is
/// not a law's failure: it says nothing of the lens).
pub fn check(lens: &impl Bidirectional, records: &[Value]) -> Result<Report, LensError> {
    let got: Vec<(Value, Complement)> = records
        .iter()
        .map(|r| lens.get(r.clone()))
        .collect::<Result<_, _>>()?;
    let mut report = Report {
        records: records.len(),
        failures: Vec::new(),
    };
    for (i, (record, (view, complement))) in records.iter().zip(&got).enumerate() {
        let mut fail = |law: Law, outcome: Result<(Value, Value), LensError>| match outcome {
            Ok((expected, found)) => {
                if let Some((path, detail)) = first_difference(&expected, &found, String::new()) {
                    report.failures.push(Failure {
                        law,
                        record: i,
                        path,
                        detail,
                    });
                }
            }
            Err(e) => report.failures.push(Failure {
                law,
                record: i,
                path: String::new(),
                detail: e.to_string(),
            }),
        };
        fail(
            Law::GetPut,
            lens.put(view.clone(), complement)
                .map(|back| (record.clone(), back)),
        );
        // This record's view edited: its values replaced by those at the
        // same places in the next record's view, its shape kept (a user
        // edits values; a view of another shape may not fit this record's
        // complement at all).
        let w = edited(view, &got[(i + 1) % got.len()].0);
        let (seen, c1) = match lens.put(w.clone(), complement).and_then(|r| lens.get(r)) {
            Ok((seen, c1)) => (Ok(seen), c1),
            Err(e) => (Err(e), Complement::Empty),
        };
        fail(Law::PutGet, seen.map(|seen| (w.clone(), seen)));
        fail(
            Law::PutPut,
            lens.put(view.clone(), complement)
                .and_then(|expected| Ok((expected, lens.put(view.clone(), &c1)?))),
        );
    }
    Ok(report)
}

/// `view` with each leaf replaced by the leaf at the same place in
/// `values`, where that has one.
fn edited(view: &Value, values: &Value) -> Value {
    match (view, values) {
        (Value::Object(a), Value::Object(b)) => Value::Object(
            a.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        b.get(k).map_or_else(|| v.clone(), |w| edited(v, w)),
                    )
                })
                .collect(),
        ),
        (Value::Array(a), Value::Array(b)) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| b.get(i).map_or_else(|| v.clone(), |w| edited(v, w)))
                .collect(),
        ),
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
            view.clone()
        }
        (_, leaf) => leaf.clone(),
    }
}

/// Where `expected` and `found` first differ (`path` is where they
/// are), and how.
fn first_difference(expected: &Value, found: &Value, path: String) -> Option<(String, String)> {
    let here = |p: &str| {
        if p.is_empty() {
            "the record".to_owned()
        } else {
            p.to_owned()
        }
    };
    match (expected, found) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    None => return Some((at, "missing".to_owned())),
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, at) {
                            return Some(d);
                        }
                    }
                }
            }
            let extra = b.keys().find(|k| !a.contains_key(k))?;
            let at = if path.is_empty() {
                extra.clone()
            } else {
                format!("{path}.{extra}")
            };
            Some((at, "not expected".to_owned()))
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                if let Some(d) = first_difference(v, w, format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (a.len() != b.len()).then(|| {
                (
                    here(&path),
                    format!("{} items, expected {}", b.len(), a.len()),
                )
            })
        }
        _ if expected == found => None,
        _ => Some((
            here(&path),
            format!("expected {}, found {}", json(expected), json(found)),
        )),
    }
}

fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| v.type_name().to_owned())
}
