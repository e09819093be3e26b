//! Records: values that conform to a schema, and checking that they do.
//!
//! A record is a JSON-like [`Value`] rooted at a schema vertex. What a value
//! at a vertex must look like follows from the protocol: the vertex kind's
//! [`ValueType`], and the roles of its outgoing edges — property edges are
//! object keys (the edge's name), item edges array elements, variant edges
//! alternatives, wrapper edges the same value seen at another vertex.
//! [`Schema::validate_record`] reports every violation with its path, e.g.
//! `post.body.tags[3]`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::protocol::{EdgeRole, ValueType};
use crate::model::schema::Schema;

/// A record value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` / `None`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Str(String),
    /// Raw bytes (Python `bytes`).
    Bytes(Vec<u8>),
    /// A list.
    Array(Vec<Value>),
    /// An object; keys sorted, so equality ignores insertion order.
    Object(Map),
}

/// An object's fields, in the order they were given, keys unique.
///
/// Records are small objects read and rebuilt in bulk, so one contiguous
/// allocation beats a tree or a hash table: lifting rewrites an object in
/// place and keeps its key order (a Python dict comes back in the order it
/// went in), and a lookup scans a few entries. Equality ignores order.
#[derive(Debug, Clone, Default)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.0[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` (in place if present, else at the end), returning the value it replaces.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// The value under `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).map(|i| &mut self.0[i].1)
    }

    /// Renames field `from` to `to` where it stands, replacing a field
    /// `to` if there is one: `Some` of the value it replaced, `None` if
    /// there is no `from`.
    pub fn rename(&mut self, from: &str, to: &str) -> Option<Option<Value>> {
        let mut at = self.position(from)?;
        let displaced = self.position(to).filter(|&j| j != at).map(|j| {
            if j < at {
                at -= 1;
            }
            self.0.remove(j).1
        });
        to.clone_into(&mut self.0[at].0);
        Some(displaced)
    }

    /// Removes `key`, returning its value; the other fields keep their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.position(key).map(|i| self.0.remove(i).1)
    }

    /// An object of fields whose keys the caller knows to be distinct (a
    /// Python dict's, say), without checking them.
    pub fn from_distinct(fields: Vec<(String, Value)>) -> Self {
        debug_assert!(
            Self::from_iter(fields.clone()).len() == fields.len(),
            "keys are not distinct"
        );
        Self(fields)
    }

    /// Keeps the fields `keep` returns true for; it may change values and keys
    /// (a key it renames onto another key's name replaces that field).
    pub fn retain_mut(&mut self, keep: impl FnMut(&mut String, &mut Value) -> bool) {
        self.retain_distinct(keep);
        self.dedup();
    }

    /// Appends fields whose keys differ from each other and from the present ones.
    pub(crate) fn extend_distinct(&mut self, fields: impl IntoIterator<Item = (String, Value)>) {
        self.0.extend(fields);
    }

    /// [`Map::retain_mut`] for a caller that never renames two kept keys alike
    /// (a compiled plan's renames are distinct), so no check is needed.
    pub(crate) fn retain_distinct(
        &mut self,
        mut keep: impl FnMut(&mut String, &mut Value) -> bool,
    ) {
        self.0.retain_mut(|(k, v)| keep(k, v));
    }

    /// Drops earlier fields whose key appears again, keeping the last value given.
    fn dedup(&mut self) {
        let n = self.0.len();
        let duplicated = if n <= 16 {
            (1..n).any(|i| self.0[..i].iter().any(|(k, _)| *k == self.0[i].0))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(n);
            !self.0.iter().all(|(k, _)| seen.insert(k.as_str()))
        };
        if duplicated {
            let mut out: Vec<(String, Value)> = Vec::with_capacity(n);
            for (k, v) in self.0.drain(..) {
                match out.iter_mut().find(|(o, _)| *o == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            self.0 = out;
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut map = Self(iter.into_iter().collect());
        map.dedup();
        map
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        self.0.extend(iter);
        self.dedup();
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Value {
    /// The value's type, as messages name it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::Int(_) => "integer",
            Self::Float(_) => "number",
            Self::Str(_) => "string",
            Self::Bytes(_) => "bytes",
            Self::Array(_) => "array",
            Self::Object(_) => "object",
        }
    }

    /// Whether this value has shape `ty`.
    pub fn fits(&self, ty: ValueType) -> bool {
        matches!(
            (ty, self),
            (ValueType::Any, _)
                | (ValueType::Object, Self::Object(_))
                | (ValueType::Array, Self::Array(_))
                | (ValueType::String, Self::Str(_))
                | (ValueType::Integer, Self::Int(_))
                | (ValueType::Number, Self::Int(_) | Self::Float(_))
                | (ValueType::Boolean, Self::Bool(_))
                | (ValueType::Null, Self::Null)
                | (ValueType::Bytes, Self::Bytes(_))
        )
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Self::Int(i),
                None => Self::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Self::Str(s),
            serde_json::Value::Array(a) => Self::Array(a.into_iter().map(Self::from).collect()),
            serde_json::Value::Object(o) => {
                Self::Object(o.into_iter().map(|(k, v)| (k, Self::from(v))).collect())
            }
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Int(i) => Self::from(i),
            Value::Float(f) => serde_json::Number::from_f64(f).map_or(Self::Null, Self::Number),
            Value::Str(s) => Self::String(s),
            Value::Bytes(b) => Self::Array(b.into_iter().map(Self::from).collect()),
            Value::Array(a) => Self::Array(a.into_iter().map(Self::from).collect()),
            Value::Object(o) => {
                Self::Object(o.into_iter().map(|(k, v)| (k, Self::from(v))).collect())
            }
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Int(i) => s.serialize_i64(*i),
            Self::Float(f) => s.serialize_f64(*f),
            Self::Str(v) => s.serialize_str(v),
            Self::Bytes(b) => s.serialize_bytes(b),
            Self::Array(a) => s.collect_seq(a),
            Self::Object(o) => s.collect_map(o.iter()),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                Value::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
                Ok(Value::Int(i))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
                Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
            }
            fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
                Ok(Value::Float(f))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::Str(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Value, E> {
                Ok(Value::Str(s))
            }
            fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
                Ok(Value::Bytes(b.to_vec()))
            }
            fn visit_byte_buf<E>(self, b: Vec<u8>) -> Result<Value, E> {
                Ok(Value::Bytes(b))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    out.push(entry);
                }
                Ok(Value::Object(out.into_iter().collect()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One way a record does not fit its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordViolation {
    /// Where: the root vertex, then keys and `[index]`es, e.g. `post.body.tags[3]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RecordViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What a value at one vertex must look like, precomputed from the schema.
#[derive(Debug, Default)]
pub(crate) struct VertexShape {
    pub ty: Option<ValueType>,
    /// Property name → target vertex.
    pub props: BTreeMap<String, String>,
    pub item: Option<String>,
    pub variants: Vec<String>,
    pub wrappers: Vec<String>,
}

/// The record-level view of a schema: one [`VertexShape`] per vertex.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    pub vertices: HashMap<String, VertexShape>,
}

impl Shapes {
    pub(crate) fn of(schema: &Schema) -> Self {
        let protocol = schema.protocol();
        let mut vertices: HashMap<String, VertexShape> = schema
            .vertices()
            .values()
            .map(|v| {
                (
                    v.id.clone(),
                    VertexShape {
                        ty: Some(protocol.value_type(&v.kind)),
                        ..Default::default()
                    },
                )
            })
            .collect();
        for e in schema.edges() {
            let Some(shape) = vertices.get_mut(&e.src) else {
                continue;
            };
            match protocol.edge_role(&e.kind) {
                EdgeRole::Property => {
                    if let Some(name) = &e.name {
                        shape.props.insert(name.clone(), e.tgt.clone());
                    }
                }
                EdgeRole::Item => shape.item = Some(e.tgt.clone()),
                EdgeRole::Variant => shape.variants.push(e.tgt.clone()),
                EdgeRole::Wrapper => shape.wrappers.push(e.tgt.clone()),
                EdgeRole::Reference => {}
            }
        }
        Self { vertices }
    }
}

struct Checker<'s> {
    schema: &'s Schema,
    shapes: &'s Shapes,
}

impl Checker<'_> {
    /// Checks `value` at `vertex`; `through` holds the wrappers already
    /// followed for this same value, so a cycle of wrappers ends.
    fn check(
        &self,
        value: &Value,
        vertex: &str,
        path: &str,
        through: &mut Vec<String>,
        out: &mut Vec<RecordViolation>,
    ) {
        let mut violation = |path: &str, message: String| {
            out.push(RecordViolation {
                path: path.to_owned(),
                message,
            })
        };
        let Some(shape) = self.shapes.vertices.get(vertex) else {
            return;
        };
        let ty = shape.ty.unwrap_or(ValueType::Any);
        if !value.fits(ty) {
            let kind = self
                .schema
                .vertices()
                .get(vertex)
                .map_or("?", |v| v.kind.as_str());
            violation(
                path,
                format!(
                    "expected {} (vertex {vertex:?} of kind {kind:?}), found {}",
                    ty.name(),
                    value.type_name()
                ),
            );
            return;
        }
        if let Some(constraints) = self.schema.constraints().get(vertex) {
            for (sort, limit) in constraints {
                if let Some(problem) = constraint_problem(sort, limit, value) {
                    violation(path, format!("violates {sort}={limit}: {problem}"));
                }
            }
        }
        if !shape.props.is_empty() {
            if let Value::Object(fields) = value {
                for (key, field) in fields {
                    match shape.props.get(key) {
                        Some(tgt) => self.check(field, tgt, &format!("{path}.{key}"), &mut Vec::new(), out),
                        None if self.open(vertex) => {}
                        None => out.push(RecordViolation {
                            path: format!("{path}.{key}"),
                            message: format!("unexpected key {key:?}: vertex {vertex:?} has no property of that name"),
                        }),
                    }
                }
                if let Some(required) = self.schema.required().get(vertex) {
                    for name in required.iter().filter(|n| !fields.contains_key(n)) {
                        out.push(RecordViolation {
                            path: path.to_owned(),
                            message: format!("required key {name:?} is missing"),
                        });
                    }
                }
            } else {
                out.push(RecordViolation {
                    path: path.to_owned(),
                    message: format!(
                        "expected an object with properties, found {}",
                        value.type_name()
                    ),
                });
            }
        }
        if let Some(item) = &shape.item {
            if let Value::Array(items) = value {
                for (i, element) in items.iter().enumerate() {
                    self.check(element, item, &format!("{path}[{i}]"), &mut Vec::new(), out);
                }
            } else {
                out.push(RecordViolation {
                    path: path.to_owned(),
                    message: format!("expected an array, found {}", value.type_name()),
                });
            }
        }
        if !shape.variants.is_empty() {
            let fits_one = shape.variants.iter().any(|v| {
                let mut probe = Vec::new();
                self.check(value, v, path, &mut Vec::new(), &mut probe);
                probe.is_empty()
            });
            if !fits_one {
                out.push(RecordViolation {
                    path: path.to_owned(),
                    message: format!(
                        "fits none of the variants of {vertex:?}: {}",
                        shape.variants.join(", ")
                    ),
                });
            }
        }
        for w in &shape.wrappers {
            if !through.contains(w) {
                through.push(w.clone());
                self.check(value, w, path, through, out);
                through.pop();
            }
        }
    }

    /// Whether an object at `vertex` may carry keys its schema does not name:
    /// it has an `additional-properties` edge, to anything but JSON
    /// Schema's `false` (a vertex with `boolean-schema` false).
    fn open(&self, vertex: &str) -> bool {
        self.schema.edges().iter().any(|e| {
            e.src == vertex
                && e.kind == "additional-properties"
                && self
                    .schema
                    .constraints()
                    .get(&e.tgt)
                    .and_then(|c| c.get("boolean-schema"))
                    .is_none_or(|b| b != "false")
        })
    }
}

/// Checks one constraint; `None` if satisfied or not a sort records are checked against.
fn constraint_problem(sort: &str, limit: &str, value: &Value) -> Option<String> {
    let number = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    let size = match value {
        Value::Str(s) => Some(s.chars().count()),
        Value::Array(a) => Some(a.len()),
        Value::Bytes(b) => Some(b.len()),
        _ => None,
    };
    let bound: Option<f64> = limit.trim().parse().ok();
    match sort {
        "maxLength" | "maxGraphemes" | "max-length" | "maxItems" | "maxSize" => {
            let (Some(n), Some(b)) = (size, bound) else {
                return None;
            };
            (n as f64 > b).then(|| format!("length {n} is over {limit}"))
        }
        "minLength" | "minGraphemes" | "minItems" => {
            let (Some(n), Some(b)) = (size, bound) else {
                return None;
            };
            ((n as f64) < b).then(|| format!("length {n} is under {limit}"))
        }
        "maximum" => {
            let (Some(n), Some(b)) = (number(value), bound) else {
                return None;
            };
            (n > b).then(|| format!("{n} is over {limit}"))
        }
        "minimum" => {
            let (Some(n), Some(b)) = (number(value), bound) else {
                return None;
            };
            (n < b).then(|| format!("{n} is under {limit}"))
        }
        // An Avro enum's `symbols` admit the same values an `enum` does.
        "enum" | "symbols" => {
            let allowed = enum_values(limit);
            let Value::Str(s) = value else { return None };
            (!allowed.contains(s.as_str()))
                .then(|| format!("{s:?} is not one of the allowed values"))
        }
        _ => None,
    }
}

/// The values of an `enum` constraint: a JSON array of strings, or a comma-separated list.
pub(crate) fn enum_values(limit: &str) -> BTreeSet<String> {
    serde_json::from_str::<Vec<String>>(limit)
        .unwrap_or_else(|_| {
            limit
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .into_iter()
        .collect()
}

impl Schema {
    /// Every way `record`, read as a value at vertex `root`, does not fit this schema.
    ///
    /// An empty list means the record fits. An unknown `root` is itself
    /// reported as a violation. To check many records, make one
    /// [`Schema::record_checker`] instead: it works out the schema's shapes once.
    pub fn validate_record(&self, record: &Value, root: &str) -> Vec<RecordViolation> {
        self.record_checker().check(record, root)
    }

    /// A checker for many records against this schema.
    pub fn record_checker(&self) -> RecordChecker {
        RecordChecker {
            schema: self.clone(),
            shapes: Shapes::of(self),
        }
    }

    /// The vertices a record can be rooted at: those no data-carrying edge
    /// (property, item, variant, wrapper) leads to, sorted.
    pub fn record_roots(&self) -> Vec<String> {
        let protocol = self.protocol();
        let reached: BTreeSet<&str> = self
            .edges()
            .iter()
            .filter(|e| protocol.edge_role(&e.kind) != EdgeRole::Reference)
            .map(|e| e.tgt.as_str())
            .collect();
        self.vertices()
            .keys()
            .filter(|v| !reached.contains(v.as_str()))
            .cloned()
            .collect()
    }
}

/// Validates records against one schema, its per-vertex shapes computed once.
#[derive(Debug)]
pub struct RecordChecker {
    schema: Schema,
    shapes: Shapes,
}

impl RecordChecker {
    /// The schema records are checked against.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Every way `record`, read as a value at vertex `root`, does not fit
    /// the schema (see [`Schema::validate_record`]).
    pub fn check(&self, record: &Value, root: &str) -> Vec<RecordViolation> {
        if !self.schema.vertices().contains_key(root) {
            return vec![RecordViolation {
                path: root.to_owned(),
                message: format!("vertex {root:?} does not exist in the schema"),
            }];
        }
        let mut out = Vec::new();
        Checker {
            schema: &self.schema,
            shapes: &self.shapes,
        }
        .check(record, root, root, &mut Vec::new(), &mut out);
        out
    }
}
