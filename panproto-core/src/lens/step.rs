//! The combinators, one [`Step`] each, and what each does to a record
//! and back.

use serde::{Deserialize, Serialize};

use super::{Lens, LensError};
use crate::model::{Map, Value, ValueType};

/// One combinator. Steps other than [`Step::Map`] work on an object (a
/// record, or an object inside one through [`Step::In`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Field `field` is called `to`.
    Rename {
        /// The field's name.
        field: String,
        /// Its new name.
        to: String,
    },
    /// A new field `field` of `kind`, `default` where the record has none.
    Add {
        /// The new field.
        field: String,
        /// What its values are.
        kind: ValueType,
        /// Its value in records that lack it.
        default: Value,
    },
    /// Field `field` is dropped from the view; `put` restores it from the
    /// complement, or as `default` when the complement has nothing.
    Remove {
        /// The field.
        field: String,
        /// What its values are.
        kind: ValueType,
        /// What `put` restores without a complement.
        default: Value,
    },
    /// Field `field` of the object at `host` moves up beside `host`.
    Hoist {
        /// The object field holding it.
        host: String,
        /// The field that moves up.
        field: String,
    },
    /// Field `field` moves down into the object at `host` (made if the
    /// record has none).
    Plunge {
        /// The object field it moves into.
        host: String,
        /// The field that moves down.
        field: String,
    },
    /// The value of `field` becomes a one-element list.
    Wrap {
        /// The field.
        field: String,
    },
    /// The list at `field` becomes its first element (`null` for an empty
    /// list); the rest is kept in the complement.
    Head {
        /// The field.
        field: String,
    },
    /// `steps` applied to the object at `field`.
    In {
        /// The field.
        field: String,
        /// What to do inside it.
        steps: Chain,
    },
    /// `steps` applied to every item of the list this step is given
    /// (inside [`Step::In`], the list at a field).
    Map {
        /// What to do to each item.
        steps: Chain,
    },
    /// The values of `field` through a table: `mapping` forwards,
    /// `reverse` (else `mapping` inverted, where it is one-to-one) back.
    /// Where the way back would not give the original, the complement
    /// keeps it.
    Convert {
        /// The field.
        field: String,
        /// Pairs (value, converted value).
        mapping: Vec<(Value, Value)>,
        /// Pairs (converted value, value) for `put`, if not `mapping`'s.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reverse: Option<Vec<(Value, Value)>>,
    },
}

/// Steps in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Chain(pub Vec<Step>);

/// What a view does not show, to restore its record exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Complement {
    /// Nothing is known or needed: each step does its usual thing.
    Empty,
    /// The record had none of what the step moves, so it did nothing.
    Absent,
    /// The record had the field an `add` adds: `put` keeps it.
    Had,
    /// A value the view does not show (a removed field, a list's tail, a
    /// value a move displaced, an original a conversion cannot restore).
    Kept(Value),
    /// `plunge` made the object it moved the field into.
    Made,
    /// A chain's: one per step.
    Steps(Vec<Complement>),
    /// A `map`'s: one per item.
    Items(Vec<Complement>),
}

/// Where a step is, for messages: its index in its chain and its chain's
/// place, rendered only when something goes wrong.
#[derive(Clone, Copy)]
pub(super) struct Place<'a> {
    pub(super) parent: Option<&'a Place<'a>>,
    pub(super) index: usize,
    pub(super) step: &'a Step,
}

impl Place<'_> {
    pub(super) fn label(&self) -> String {
        let own = format!("step {} ({})", self.index + 1, self.step.describe());
        match self.parent {
            Some(p) => format!("{} > {own}", p.label()),
            None => own,
        }
    }
}

/// A path in the record, rendered only when something goes wrong.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    parent: Option<&'a At<'a>>,
    segment: &'a str,
}

impl At<'_> {
    pub(super) fn render(&self) -> String {
        match self.parent {
            Some(p) if !p.segment.is_empty() || p.parent.is_some() => {
                format!("{}.{}", p.render(), self.segment)
            }
            _ if self.segment.is_empty() => "the record".to_owned(),
            _ => self.segment.to_owned(),
        }
    }

    pub(super) fn child<'a>(&'a self, segment: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            segment,
        }
    }
}

pub(super) const ROOT: At<'static> = At {
    parent: None,
    segment: "",
};

impl Step {
    /// The step in a few words, as messages name it.
    pub fn describe(&self) -> String {
        match self {
            Self::Rename { field, to } => format!("rename {field} to {to}"),
            Self::Add { field, .. } => format!("add {field}"),
            Self::Remove { field, .. } => format!("remove {field}"),
            Self::Hoist { host, field } => format!("hoist {host}.{field}"),
            Self::Plunge { host, field } => format!("plunge {field} into {host}"),
            Self::Wrap { field } => format!("wrap {field}"),
            Self::Head { field } => format!("head of {field}"),
            Self::In { field, .. } => format!("in {field}"),
            Self::Map { .. } => "map".to_owned(),
            Self::Convert { field, .. } => format!("convert {field}"),
        }
    }

    /// What can be known wrong without a record.
    fn check(&self, place: &Place<'_>) -> Result<(), LensError> {
        let invalid = |message: String| LensError::Invalid {
            step: place.label(),
            message,
        };
        match self {
            Self::Rename { field, to } if field == to => {
                Err(invalid(format!("renames {field} to itself")))
            }
            Self::Add { kind, default, .. } | Self::Remove { kind, default, .. }
                if !default.fits(*kind) =>
            {
                Err(invalid(format!(
                    "the default is a {}, not a {}",
                    default.type_name(),
                    kind.name()
                )))
            }
            Self::Hoist { host, field } | Self::Plunge { host, field } if host == field => {
                Err(invalid(format!("{field} cannot move in or out of itself")))
            }
            Self::In { steps, .. } | Self::Map { steps } => steps.check(Some(place)),
            Self::Convert {
                mapping, reverse, ..
            } => {
                for (name, table) in [("mapping", Some(mapping)), ("reverse", reverse.as_ref())] {
                    let Some(table) = table else { continue };
                    for (i, (from, _)) in table.iter().enumerate() {
                        if table[..i].iter().any(|(f, _)| f == from) {
                            return Err(invalid(format!(
                                "the {name} table maps {} twice",
                                json(from)
                            )));
                        }
                    }
                }
                // A way back to a value that `get` does not take forward to
                // where it came from (through the mapping, or unchanged
                // outside it): a view put and got again would change (PutGet).
                for (converted, back) in reverse.iter().flatten() {
                    let forward = lookup(mapping, back).unwrap_or(back);
                    if forward != converted {
                        return Err(invalid(format!(
                            "the reverse table takes {} back to {}, which get takes to {}",
                            json(converted),
                            json(back),
                            json(forward)
                        )));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn get(
        &self,
        value: Value,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<(Value, Complement), LensError> {
        if let Self::Map { steps } = self {
            let Value::Array(items) = value else {
                return Err(shape(place, at, "a list", &value));
            };
            let mut views = Vec::with_capacity(items.len());
            let mut complements = Vec::with_capacity(items.len());
            for item in items {
                let (v, c) = steps.run_get(item, Some(place), at)?;
                views.push(v);
                complements.push(c);
            }
            return Ok((Value::Array(views), Complement::Items(complements)));
        }
        let Value::Object(mut obj) = value else {
            return Err(shape(place, at, "an object", &value));
        };
        let complement = self.get_fields(&mut obj, place, at)?;
        Ok((Value::Object(obj), complement))
    }

    /// `get` on an object, in place.
    fn get_fields(
        &self,
        obj: &mut Map,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<Complement, LensError> {
        Ok(match self {
            Self::Rename { field, to } => match obj.rename(field, to) {
                None => Complement::Absent,
                Some(displaced) => displaced.map_or(Complement::Empty, Complement::Kept),
            },
            Self::Add { field, default, .. } => {
                if obj.contains_key(field) {
                    Complement::Had
                } else {
                    obj.insert(field.clone(), default.clone());
                    Complement::Empty
                }
            }
            Self::Remove { field, .. } => obj
                .remove(field)
                .map_or(Complement::Absent, Complement::Kept),
            Self::Hoist { host, field } => {
                let moved = match obj.get_mut(host) {
                    None => None,
                    Some(Value::Object(inner)) => inner.remove(field),
                    Some(other) => return Err(shape(place, &at.child(host), "an object", other)),
                };
                match moved {
                    None => Complement::Absent,
                    Some(v) => obj
                        .insert(field.clone(), v)
                        .map_or(Complement::Empty, Complement::Kept),
                }
            }
            Self::Plunge { host, field } => {
                let Some(v) = obj.remove(field) else {
                    return Ok(Complement::Absent);
                };
                match obj.get_mut(host) {
                    Some(Value::Object(inner)) => inner
                        .insert(field.clone(), v)
                        .map_or(Complement::Empty, Complement::Kept),
                    Some(other) => {
                        let found = shape(place, &at.child(host), "an object", other);
                        obj.insert(field.clone(), v);
                        return Err(found);
                    }
                    None => {
                        let mut inner = Map::new();
                        inner.insert(field.clone(), v);
                        obj.insert(host.clone(), Value::Object(inner));
                        Complement::Made
                    }
                }
            }
            Self::Wrap { field } => match obj.get_mut(field) {
                None => Complement::Empty,
                Some(slot) => {
                    let v = std::mem::replace(slot, Value::Null);
                    *slot = Value::Array(vec![v]);
                    Complement::Empty
                }
            },
            Self::Head { field } => {
                let Some(slot) = obj.get_mut(field) else {
                    return Ok(Complement::Empty);
                };
                let Value::Array(items) = slot else {
                    return Err(shape(place, &at.child(field), "a list", slot));
                };
                let mut items = std::mem::take(items);
                if items.is_empty() {
                    *slot = Value::Null;
                    Complement::Kept(Value::Null)
                } else {
                    let rest = items.split_off(1);
                    *slot = items.pop().unwrap_or(Value::Null);
                    if rest.is_empty() {
                        Complement::Empty
                    } else {
                        Complement::Kept(Value::Array(rest))
                    }
                }
            }
            Self::In { field, steps } => match obj.get_mut(field) {
                None => Complement::Empty,
                Some(slot) => {
                    let inner = std::mem::replace(slot, Value::Null);
                    let (v, c) = steps.run_get(inner, Some(place), &at.child(field))?;
                    *slot = v;
                    c
                }
            },
            Self::Convert {
                field,
                mapping,
                reverse,
            } => match obj.get_mut(field) {
                None => Complement::Empty,
                Some(slot) => {
                    let Some(converted) = lookup(mapping, slot) else {
                        // Outside the table: unchanged, and kept, as the way
                        // back might take it for a converted value.
                        return Ok(Complement::Kept(slot.clone()));
                    };
                    let back = match reverse {
                        Some(r) => lookup(r, converted),
                        None => one_to_one_back(mapping, converted),
                    };
                    let complement = if back == Some(&*slot) {
                        Complement::Empty
                    } else {
                        Complement::Kept(slot.clone())
                    };
                    *slot = converted.clone();
                    complement
                }
            },
            Self::Map { .. } => unreachable!("handled by get"),
        })
    }

    fn put(
        &self,
        view: Value,
        complement: &Complement,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<Value, LensError> {
        if let Self::Map { steps } = self {
            let Value::Array(items) = view else {
                return Err(shape(place, at, "a list", &view));
            };
            let empty = Vec::new();
            let kept = match complement {
                Complement::Items(c) => c,
                Complement::Empty => &empty,
                other => return Err(misfit(place.label(), "one complement per item", other)),
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(steps.run_put(
                    item,
                    kept.get(i).unwrap_or(&Complement::Empty),
                    Some(place),
                    at,
                )?);
            }
            return Ok(Value::Array(out));
        }
        let Value::Object(mut obj) = view else {
            return Err(shape(place, at, "an object", &view));
        };
        self.put_fields(&mut obj, complement, place, at)?;
        Ok(Value::Object(obj))
    }

    /// `put` on an object, in place.
    fn put_fields(
        &self,
        obj: &mut Map,
        complement: &Complement,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<(), LensError> {
        let absent = matches!(complement, Complement::Absent);
        match self {
            Self::Rename { field, to } => {
                if absent {
                    return Ok(());
                }
                // What the move displaced comes back only beside the moved
                // field: a view without it says the record had none.
                if obj.rename(to, field).is_some() {
                    if let Complement::Kept(displaced) = complement {
                        obj.insert(to.clone(), displaced.clone());
                    }
                }
            }
            Self::Add { field, default, .. } => {
                // Dropped unless the record had it, or the view holds
                // something else than the default (a record keeps what a
                // user put there rather than lose it).
                if !matches!(complement, Complement::Had) && obj.get(field) == Some(default) {
                    obj.remove(field);
                }
            }
            Self::Remove { field, default, .. } => match complement {
                Complement::Kept(v) => {
                    obj.insert(field.clone(), v.clone());
                }
                Complement::Absent => {}
                _ => {
                    obj.insert(field.clone(), default.clone());
                }
            },
            Self::Hoist { host, field } => {
                if absent {
                    return Ok(());
                }
                // Back into the host; a view without the host keeps the field
                // where it is (a record made without a host has it there).
                match obj.get(host) {
                    Some(Value::Object(_)) => {}
                    Some(other) => return Err(shape(place, &at.child(host), "an object", other)),
                    None => return Ok(()),
                }
                let Some(v) = obj.remove(field) else {
                    return Ok(());
                };
                if let Some(Value::Object(inner)) = obj.get_mut(host) {
                    inner.insert(field.clone(), v);
                }
                if let Complement::Kept(displaced) = complement {
                    obj.insert(field.clone(), displaced.clone());
                }
            }
            Self::Plunge { host, field } => {
                if absent {
                    return Ok(());
                }
                let moved = match obj.get_mut(host) {
                    None => None,
                    Some(Value::Object(inner)) => {
                        let v = inner.remove(field);
                        if v.is_some() {
                            if let Complement::Kept(displaced) = complement {
                                inner.insert(field.clone(), displaced.clone());
                            }
                        }
                        v
                    }
                    Some(other) => return Err(shape(place, &at.child(host), "an object", other)),
                };
                if matches!(complement, Complement::Made)
                    && matches!(obj.get(host), Some(Value::Object(inner)) if inner.is_empty())
                {
                    obj.remove(host);
                }
                if let Some(v) = moved {
                    obj.insert(field.clone(), v);
                }
            }
            Self::Wrap { field } => {
                if let Some(slot) = obj.get_mut(field) {
                    let Value::Array(items) = slot else {
                        return Err(shape(place, &at.child(field), "a list", slot));
                    };
                    let mut items = std::mem::take(items);
                    *slot = if items.is_empty() {
                        Value::Null
                    } else {
                        items.swap_remove(0)
                    };
                }
            }
            Self::Head { field } => {
                if let Some(slot) = obj.get_mut(field) {
                    let head = std::mem::replace(slot, Value::Null);
                    *slot = match complement {
                        Complement::Kept(Value::Null) if head == Value::Null => {
                            Value::Array(Vec::new())
                        }
                        Complement::Kept(Value::Array(rest)) => {
                            let mut items = Vec::with_capacity(rest.len() + 1);
                            items.push(head);
                            items.extend(rest.iter().cloned());
                            Value::Array(items)
                        }
                        _ => Value::Array(vec![head]),
                    };
                }
            }
            Self::In { field, steps } => {
                if let Some(slot) = obj.get_mut(field) {
                    let inner = std::mem::replace(slot, Value::Null);
                    *slot = steps.run_put(inner, complement, Some(place), &at.child(field))?;
                }
            }
            Self::Convert {
                field,
                mapping,
                reverse,
            } => {
                if let Some(slot) = obj.get_mut(field) {
                    // The original, if kept and the view still shows what
                    // it converts to (else the view was edited: convert back).
                    if let Complement::Kept(original) = complement {
                        let unchanged = match lookup(mapping, original) {
                            Some(converted) => converted == slot,
                            None => original == slot,
                        };
                        if unchanged {
                            *slot = original.clone();
                            return Ok(());
                        }
                    }
                    let back = match reverse {
                        Some(r) => lookup(r, slot),
                        None => one_to_one_back(mapping, slot),
                    };
                    if let Some(b) = back {
                        *slot = b.clone();
                    }
                }
            }
            Self::Map { .. } => unreachable!("handled by put"),
        }
        Ok(())
    }
}

fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| v.type_name().to_owned())
}

/// `value`'s entry in `table`.
fn lookup<'t>(table: &'t [(Value, Value)], value: &Value) -> Option<&'t Value> {
    table
        .iter()
        .find(|(from, _)| from == value)
        .map(|(_, to)| to)
}

/// The one value `table` takes to `converted`, if exactly one does.
fn one_to_one_back<'t>(table: &'t [(Value, Value)], converted: &Value) -> Option<&'t Value> {
    let mut sources = table
        .iter()
        .filter(|(_, to)| to == converted)
        .map(|(from, _)| from);
    let first = sources.next()?;
    sources.next().is_none().then_some(first)
}

fn shape(place: &Place<'_>, at: &At<'_>, expected: &str, found: &Value) -> LensError {
    LensError::Shape {
        step: place.label(),
        path: at.render(),
        message: format!("expected {expected}, found {}", found.type_name()),
    }
}

fn misfit(step: String, expected: &str, found: &Complement) -> LensError {
    LensError::Complement {
        step,
        message: format!("expected {expected}, found {found:?}"),
    }
}

/// The name and version of the JSON form a chain is kept in.
pub const CHAIN_FORMAT: &str = "panproto-lens/1";

/// A chain as a file keeps it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainFile {
    format: String,
    steps: Chain,
}

impl Chain {
    /// The chain as JSON, in the form [`from_json`](Self::from_json)
    /// reads: `{"format": "panproto-lens/1", "steps": [...]}`, each step
    /// an object with one key, the combinator's name (`rename`, `add`,
    /// `remove`, `hoist`, `plunge`, `wrap`, `head`, `in`, `map`,
    /// `convert`), whose value holds its arguments, e.g.
    /// `{"rename": {"field": "name", "to": "title"}}`. A team can keep it
    /// in its repository beside the schema.
    pub fn to_json(&self) -> String {
        let file = ChainFile {
            format: CHAIN_FORMAT.to_owned(),
            steps: self.clone(),
        };
        // Strings, numbers, lists and maps always serialise.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Reads a chain written by [`to_json`](Self::to_json).
    ///
    /// # Errors
    /// [`LensError::Json`] with the line and column of what is wrong, or
    /// naming the format version when it is not this one.
    pub fn from_json(text: &str) -> Result<Self, LensError> {
        let file: ChainFile = serde_json::from_str(text).map_err(|e| LensError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if file.format != CHAIN_FORMAT {
            return Err(LensError::Json {
                line: 1,
                column: 1,
                message: format!(
                    "format {:?} is not {CHAIN_FORMAT:?}, the one this version reads",
                    file.format
                ),
            });
        }
        Ok(file.steps)
    }

    /// The chain checked, as a lens.
    ///
    /// # Errors
    /// [`LensError::Invalid`] naming the first step that cannot work.
    pub fn compile(self) -> Result<Lens, LensError> {
        self.check(None)?;
        Ok(Lens { chain: self })
    }

    /// This chain, then `next`.
    #[must_use]
    pub fn then(mut self, next: Chain) -> Self {
        self.0.extend(next.0);
        self
    }

    fn check(&self, parent: Option<&Place<'_>>) -> Result<(), LensError> {
        for (index, step) in self.0.iter().enumerate() {
            step.check(&Place {
                parent,
                index,
                step,
            })?;
        }
        Ok(())
    }

    pub(super) fn get(&self, record: Value) -> Result<(Value, Complement), LensError> {
        self.run_get(record, None, &ROOT)
    }

    pub(super) fn put(&self, view: Value, complement: &Complement) -> Result<Value, LensError> {
        self.run_put(view, complement, None, &ROOT)
    }

    fn run_get(
        &self,
        mut value: Value,
        parent: Option<&Place<'_>>,
        at: &At<'_>,
    ) -> Result<(Value, Complement), LensError> {
        let mut complements = Vec::with_capacity(self.0.len());
        for (index, step) in self.0.iter().enumerate() {
            let place = Place {
                parent,
                index,
                step,
            };
            let (v, c) = step.get(value, &place, at)?;
            value = v;
            complements.push(c);
        }
        // A chain that lost nothing needs no complement at all.
        let complement = if complements.iter().all(|c| *c == Complement::Empty) {
            Complement::Empty
        } else {
            Complement::Steps(complements)
        };
        Ok((value, complement))
    }

    fn run_put(
        &self,
        mut value: Value,
        complement: &Complement,
        parent: Option<&Place<'_>>,
        at: &At<'_>,
    ) -> Result<Value, LensError> {
        let steps: &[Complement] = match complement {
            Complement::Steps(c) if c.len() == self.0.len() => c,
            Complement::Empty => &[],
            other => {
                let step = parent.map_or_else(|| "the chain".to_owned(), Place::label);
                let expected = format!("one complement per step ({})", self.0.len());
                return Err(misfit(step, &expected, other));
            }
        };
        for (index, step) in self.0.iter().enumerate().rev() {
            let place = Place {
                parent,
                index,
                step,
            };
            value = step.put(
                value,
                steps.get(index).unwrap_or(&Complement::Empty),
                &place,
                at,
            )?;
        }
        Ok(value)
    }
}
