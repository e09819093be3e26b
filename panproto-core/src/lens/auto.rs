//! A chain derived from two schemas: [`Chain::auto_generate`].
//!
//! Both schemas are read as the records they describe, from the same
//! root: an object is its fields, a list its item, anything else its
//! kind. Level by level, a field that leaves a nested object for its
//! parent is a `hoist`, the other way a `plunge`; a field whose value
//! became a list of what it was is a `wrap`, the other way a `head`; a
//! nested object or list of objects that changed inside is an `in` (with
//! a `map`); a field gone and one new with the same shape is a `rename`
//! when that pairing is the only one; what is left goes (`remove`) or
//! comes (`add`) with its value type's empty value as the default.
//!
//! The chain is then checked to take the old schema to exactly the new
//! one ([`Lens::check_target`]); a change it cannot express (a type
//! changed, an enum's values renamed, whose table no schema says) is
//! refused with the differences, never guessed at.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use super::draft::Draft;
use super::schema::record_root;
use super::{Chain, LensError, Step};
use crate::model::protocol::ValueType;
use crate::model::schema::Schema;
use crate::model::{Map, Value};

/// How many vertices deep a shape is read, at most (four per level).
const MAX_DEPTH: usize = 32;

/// A record's shape at a vertex.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Object(BTreeMap<String, Shape>),
    List(Box<Shape>),
    Value(String, ValueType),
}

/// Reads shapes, within a budget of fields: a type used in many places
/// is read at each (records hold it at each), which a schema of shared
/// types can make very large.
struct Reader<'d> {
    draft: &'d Draft,
    /// What each vertex read so far is: read once, used at every place.
    seen: HashMap<String, Rc<Vertex>>,
    /// The vertices of the types being read: a recursive type is cut where
    /// it recurs (a chain is finite: it changes the type, and records to
    /// the depth its steps reach).
    path: Vec<String>,
    left: usize,
}

/// At most this many fields are read per schema.
const BUDGET: usize = 20_000;

/// One vertex as a shape reads it.
struct Vertex {
    kind: String,
    ty: ValueType,
    closure: Vec<String>,
    item: Option<String>,
    props: Vec<(String, String)>,
}

impl Reader<'_> {
    fn vertex(&mut self, v: &str) -> Rc<Vertex> {
        if let Some(x) = self.seen.get(v) {
            return Rc::clone(x);
        }
        let d = self.draft;
        let x = Rc::new(Vertex {
            kind: d.kind(v).to_owned(),
            ty: d.value_type(v),
            closure: d.closure(v),
            item: d.item(v).map(|i| d.target_of(i).to_owned()),
            props: d.props(v),
        });
        self.seen.insert(v.to_owned(), Rc::clone(&x));
        x
    }

    fn shape(&mut self, v: &str) -> Result<Shape, ()> {
        self.left = self.left.checked_sub(1).ok_or(())?;
        let x = self.vertex(v);
        // A value at `v` is also a value at each vertex of its closure (a
        // `ref`'s named type, a union's variants): it recurs where any does.
        if self.path.len() < MAX_DEPTH * 4 && !x.closure.iter().any(|c| self.path.contains(c)) {
            let mark = self.path.len();
            self.path.extend(x.closure.iter().cloned());
            let found = if let Some(item) = &x.item {
                Some(Shape::List(Box::new(self.shape(item)?)))
            } else if !x.props.is_empty() || x.ty == ValueType::Object {
                let mut fields = BTreeMap::new();
                for (name, tgt) in &x.props {
                    let s = self.shape(tgt)?;
                    fields.insert(name.clone(), s);
                }
                Some(Shape::Object(fields))
            } else {
                None
            };
            self.path.truncate(mark);
            if let Some(s) = found {
                return Ok(s);
            }
        }
        Ok(Shape::Value(x.kind.clone(), x.ty))
    }
}

fn shape(schema: &Schema, root: &str) -> Result<Shape, LensError> {
    let draft = Draft::of(schema);
    let mut reader = Reader {
        draft: &draft,
        seen: HashMap::new(),
        path: Vec::new(),
        left: BUDGET,
    };
    reader.shape(root).map_err(|()| LensError::Schema {
        step: "the chain".to_owned(),
        path: "the record".to_owned(),
        message: format!(
            "records at {root:?} have more than {BUDGET} fields where their types are shared; \
             write the chain by hand"
        ),
    })
}

impl Shape {
    fn value_type(&self) -> ValueType {
        match self {
            Self::Object(_) => ValueType::Object,
            Self::List(_) => ValueType::Array,
            Self::Value(_, t) => *t,
        }
    }
}

/// The empty value of a value type: what an added field starts as and a
/// removed one comes back as without a complement.
fn empty(ty: ValueType) -> Value {
    match ty {
        ValueType::Object => Value::Object(Map::new()),
        ValueType::Array => Value::Array(Vec::new()),
        ValueType::String => Value::Str(String::new()),
        ValueType::Integer => Value::Int(0),
        ValueType::Number => Value::Float(0.0),
        ValueType::Boolean => Value::Bool(false),
        ValueType::Bytes => Value::Bytes(Vec::new()),
        ValueType::Null | ValueType::Any => Value::Null,
    }
}

/// The steps that take objects of shape `old` to objects of shape `new`.
fn steps_between(old: &BTreeMap<String, Shape>, new: &BTreeMap<String, Shape>) -> Vec<Step> {
    let mut cur = old.clone();
    let mut steps = Vec::new();
    let object = |m: &BTreeMap<String, Shape>, k: &str| match m.get(k) {
        Some(Shape::Object(inner)) => Some(inner.clone()),
        _ => None,
    };
    // Out of a nested object (hoist) and into one (plunge).
    for (field, s) in new {
        if cur.contains_key(field) {
            continue;
        }
        let host = cur.keys().find(|h| {
            matches!((object(&cur, h), object(new, h)), (Some(i), Some(n))
                if i.get(field) == Some(s) && !n.contains_key(field))
        });
        if let Some(host) = host.cloned() {
            if let Some(Shape::Object(inner)) = cur.get_mut(&host) {
                inner.remove(field);
            }
            cur.insert(field.clone(), s.clone());
            steps.push(Step::Hoist {
                host,
                field: field.clone(),
            });
        }
    }
    for (field, s) in cur.clone() {
        if new.contains_key(&field) {
            continue;
        }
        let host = cur.keys().find(|h| {
            **h != field
                && matches!((object(&cur, h), object(new, h)), (Some(i), Some(n))
                    if n.get(&field) == Some(&s) && !i.contains_key(&field))
        });
        if let Some(host) = host.cloned() {
            cur.remove(&field);
            if let Some(Shape::Object(inner)) = cur.get_mut(&host) {
                inner.insert(field.clone(), s);
            }
            steps.push(Step::Plunge { host, field });
        }
    }
    // Fields both have, changed inside or wrapped.
    for (field, n) in new {
        let Some(o) = cur.get(field) else { continue };
        let step = match (o, n) {
            (a, b) if a == b => None,
            (Shape::Object(a), Shape::Object(b)) => Some(Step::In {
                field: field.clone(),
                steps: Chain(steps_between(a, b)),
            }),
            (Shape::List(a), Shape::List(b)) => match (&**a, &**b) {
                (Shape::Object(a), Shape::Object(b)) => Some(Step::In {
                    field: field.clone(),
                    steps: Chain(vec![Step::Map {
                        steps: Chain(steps_between(a, b)),
                    }]),
                }),
                _ => None,
            },
            (a, Shape::List(b)) if **b == *a => Some(Step::Wrap {
                field: field.clone(),
            }),
            (Shape::List(a), b) if **a == *b => Some(Step::Head {
                field: field.clone(),
            }),
            // A type changed: no step says how; the check will.
            _ => None,
        };
        if let Some(step) = step {
            steps.push(step);
            cur.insert(field.clone(), n.clone());
        }
    }
    // A field gone and one new of the same shape, when only they pair up.
    let gone: Vec<String> = cur
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let came: Vec<String> = new
        .keys()
        .filter(|k| !cur.contains_key(*k))
        .cloned()
        .collect();
    for g in &gone {
        let matches: Vec<&String> = came.iter().filter(|c| new.get(*c) == cur.get(g)).collect();
        let rivals = gone.iter().filter(|h| cur.get(*h) == cur.get(g)).count();
        if let ([only], 1) = (matches.as_slice(), rivals) {
            if let Some(s) = cur.remove(g) {
                cur.insert((*only).clone(), s);
            }
            steps.push(Step::Rename {
                field: g.clone(),
                to: (*only).clone(),
            });
        }
    }
    for (field, s) in cur.clone() {
        if !new.contains_key(&field) {
            let kind = s.value_type();
            steps.push(Step::Remove {
                field,
                kind,
                default: empty(kind),
            });
        }
    }
    for (field, s) in new {
        if !cur.contains_key(field) {
            let kind = s.value_type();
            steps.push(Step::Add {
                field: field.clone(),
                kind,
                default: empty(kind),
            });
        }
    }
    steps
}

impl Chain {
    /// The chain that takes records of `old` (rooted at `root`, or its one
    /// record root) to records of `new` at the same root, checked to take
    /// `old` to exactly `new`.
    ///
    /// # Errors
    /// [`LensError::Schema`] when the root is not in both schemas or
    /// records there are not objects; [`LensError::Mismatch`] listing what
    /// the derived chain cannot express.
    pub fn auto_generate(
        old: &Schema,
        new: &Schema,
        root: Option<&str>,
    ) -> Result<Self, LensError> {
        let root = record_root(old, root)?;
        let whole = |message: String| LensError::Schema {
            step: "the chain".to_owned(),
            path: "the record".to_owned(),
            message,
        };
        if !new.vertices().contains_key(&root) {
            return Err(whole(format!("the new schema has no record root {root:?}")));
        }
        let (Shape::Object(a), Shape::Object(b)) = (shape(old, &root)?, shape(new, &root)?) else {
            return Err(whole(format!(
                "records at {root:?} are not objects in both schemas"
            )));
        };
        let chain = Self(steps_between(&a, &b));
        chain
            .clone()
            .compile()?
            .check_target(old, new, Some(&root))?;
        Ok(chain)
    }
}
