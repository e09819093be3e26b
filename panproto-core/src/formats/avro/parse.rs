//! Reading `.avsc` files into a schema (see the module doc for the model).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{NAMED_KINDS, PRIMITIVES};
use crate::formats::{FormatError, FormatOptions, Location, Source, SourceFile};
use crate::model::{Schema, SchemaBuilder, builtin_protocol};

/// Parses every file of `source` as one schema.
pub(in crate::formats) fn parse(
    source: &Source,
    _options: &FormatOptions,
) -> Result<Schema, FormatError> {
    let protocol = builtin_protocol("avro")?;
    let mut reader = Reader {
        b: SchemaBuilder::new(Arc::clone(&protocol)),
        defined: HashMap::new(),
        refs: Vec::new(),
    };
    for (index, file) in source.files().iter().enumerate() {
        let value: Value = serde_json::from_str(&file.text).map_err(|e| FormatError::Syntax {
            at: Location::new(&file.path, e.line(), e.column()),
            message: format!("not valid JSON: {e}"),
        })?;
        let key = source.key(file, super::SINGLE_NAME);
        reader.b = reader.b.vertex(key, "file", None);
        let mut at = Place {
            file,
            key,
            index,
            namespace: String::new(),
        };
        let root = reader.schema(&value, &Slot::Root, &mut at)?;
        reader.b = reader.b.edge(key, root, "root", None);
    }
    reader.resolve(source)?;
    Ok(reader.b.into_schema()?)
}

/// Where the reader is: the file, and the enclosing namespace.
struct Place<'s> {
    file: &'s SourceFile,
    /// The file's name in the schema ([`Source::key`]).
    key: &'s str,
    index: usize,
    namespace: String,
}

impl Place<'_> {
    /// An error at the first mention of `what` in the file.
    fn invalid(&self, what: &str, message: String) -> FormatError {
        FormatError::Invalid {
            at: Location::of_text(&self.file.path, &self.file.text, what),
            message,
        }
    }
}

/// What a schema occurrence is: a file's top level, or a member (a field,
/// an array's items, a map's values, a union's branch) with its vertex id.
enum Slot {
    Root,
    Member(String),
}

struct Reader {
    b: SchemaBuilder,
    /// Full name → index of the file that defines it.
    defined: HashMap<String, usize>,
    /// `ref` vertices to resolve once every file is read: (vertex, name as
    /// written, namespace it was written in, file index).
    refs: Vec<(String, String, String, usize)>,
}

impl Reader {
    fn vertex(&mut self, id: &str, kind: &str) {
        self.b = self.b.vertex(id, kind, None);
    }

    fn constraint(&mut self, vertex: &str, sort: &str, value: String) {
        self.b = self.b.constraint(vertex, sort, value);
    }

    /// Reads the schema `value` in `slot`; returns the vertex that stands
    /// for it there (a named type's own vertex at a file's top level).
    fn schema(
        &mut self,
        value: &Value,
        slot: &Slot,
        at: &mut Place,
    ) -> Result<String, FormatError> {
        let anonymous = || match slot {
            Slot::Root => format!("{}#", at.key),
            Slot::Member(id) => id.clone(),
        };
        match value {
            Value::String(name) if PRIMITIVES.contains(&name.as_str()) => {
                let id = anonymous();
                self.vertex(&id, name);
                Ok(id)
            }
            Value::String(name) => {
                let id = anonymous();
                self.vertex(&id, "ref");
                self.refs
                    .push((id.clone(), name.clone(), at.namespace.clone(), at.index));
                Ok(id)
            }
            Value::Array(branches) => self.union(branches, anonymous(), at),
            Value::Object(object) => self.complex(object, slot, anonymous(), at),
            other => Err(at.invalid(
                &other.to_string(),
                format!("{other} is not an Avro schema: expected a type name, a list of schemas or an object with \"type\""),
            )),
        }
    }

    fn union(
        &mut self,
        branches: &[Value],
        id: String,
        at: &mut Place,
    ) -> Result<String, FormatError> {
        self.vertex(&id, "union");
        let mut seen: Vec<String> = Vec::with_capacity(branches.len());
        for (i, branch) in branches.iter().enumerate() {
            let key = branch_key(branch, &at.namespace);
            if key == "union" {
                return Err(at.invalid(&branch.to_string(), format!("union {id:?} holds a union: Avro unions may not immediately contain other unions")));
            }
            if seen.contains(&key) {
                return Err(at.invalid(&branch.to_string(), format!("union {id:?} holds {key} twice: a union may hold one schema of each type, and named types once each")));
            }
            seen.push(key);
            let member = self.schema(branch, &Slot::Member(format!("{id}|{i}")), at)?;
            self.b = self.b.edge(id.as_str(), member, "variant", None);
        }
        Ok(id)
    }

    fn complex(
        &mut self,
        object: &Map<String, Value>,
        slot: &Slot,
        anonymous: String,
        at: &mut Place,
    ) -> Result<String, FormatError> {
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            // `{"type": <schema>}`: the schema itself, written in a wrapper.
            Some(inner @ (Value::Array(_) | Value::Object(_))) if object.len() == 1 => {
                return self.schema(inner, slot, at);
            }
            Some(other) => {
                return Err(at.invalid(
                    &other.to_string(),
                    format!("\"type\": {other} is not a type name"),
                ));
            }
            None => {
                return Err(at.invalid(
                    &Value::Object(object.clone()).to_string(),
                    "a schema object without \"type\"".to_owned(),
                ));
            }
        };
        if NAMED_KINDS.contains(&kind) {
            let full = self.named(object, kind, at)?;
            return Ok(match slot {
                Slot::Root => full,
                Slot::Member(id) => {
                    self.vertex(id, "ref");
                    self.b = self.b.edge(id.as_str(), full, "ref", None);
                    id.clone()
                }
            });
        }
        let id = anonymous;
        let known: &[&str] = match kind {
            "array" => {
                let items = required(object, "items", "array", at)?;
                self.vertex(&id, "array");
                let member = self.schema(items, &Slot::Member(format!("{id}[]")), at)?;
                self.b = self.b.edge(id.as_str(), member, "items", None);
                &["type", "items"]
            }
            "map" => {
                let values = required(object, "values", "map", at)?;
                self.vertex(&id, "map");
                let member = self.schema(values, &Slot::Member(format!("{id}{{}}")), at)?;
                self.b = self.b.edge(id.as_str(), member, "values", None);
                &["type", "values"]
            }
            primitive if PRIMITIVES.contains(&primitive) => {
                self.vertex(&id, primitive);
                &["type"]
            }
            // A named type referred to in object form (`{"type": "Foo"}`).
            name => {
                self.vertex(&id, "ref");
                self.refs
                    .push((id.clone(), name.to_owned(), at.namespace.clone(), at.index));
                &["type"]
            }
        };
        self.logical(&id, object);
        self.rest(&id, "type-properties", object, known);
        Ok(id)
    }

    /// Reads a named type's definition; returns its full name.
    fn named(
        &mut self,
        object: &Map<String, Value>,
        kind: &str,
        at: &mut Place,
    ) -> Result<String, FormatError> {
        let name = match object.get("name") {
            Some(Value::String(n)) => n.as_str(),
            _ => {
                return Err(at.invalid(
                    &format!("\"{kind}\""),
                    format!("a {kind} without a \"name\""),
                ));
            }
        };
        let namespace = match object.get("namespace") {
            Some(Value::String(ns)) => Some(ns.as_str()),
            Some(Value::Null) | None => None,
            Some(other) => {
                return Err(at.invalid(
                    &other.to_string(),
                    format!("the namespace of {name:?} is not a string"),
                ));
            }
        };
        let full = full_name(name, namespace, &at.namespace);
        check_full_name(&full, at)?;
        if self.defined.insert(full.clone(), at.index).is_some() {
            return Err(at.invalid(
                &format!("\"{name}\""),
                format!("{kind} {full:?} is defined twice: Avro names one type once"),
            ));
        }
        self.vertex(&full, kind);
        self.b = self.b.edge(at.key, full.as_str(), "declares", None);
        self.docs(&full, object, at)?;
        // Types defined inside take this type's namespace.
        let outer = std::mem::replace(&mut at.namespace, namespace_of(&full).to_owned());
        let result = match kind {
            "record" | "error" => self.record(&full, object, at),
            "enum" => self.enumeration(&full, object, at),
            _ => self.fixed(&full, object, at),
        };
        at.namespace = outer;
        result?;
        Ok(full)
    }

    /// `doc` and `aliases`, of a named type or a field.
    fn docs(
        &mut self,
        id: &str,
        object: &Map<String, Value>,
        at: &Place,
    ) -> Result<(), FormatError> {
        if let Some(doc) = object.get("doc") {
            let Value::String(doc) = doc else {
                return Err(at.invalid(
                    &doc.to_string(),
                    format!("the doc of {id:?} is not a string"),
                ));
            };
            self.constraint(id, "doc", doc.clone());
        }
        if let Some(aliases) = object.get("aliases") {
            let list = aliases
                .as_array()
                .filter(|a| a.iter().all(Value::is_string));
            if list.is_none() {
                return Err(at.invalid(
                    &aliases.to_string(),
                    format!("the aliases of {id:?} are not a list of names"),
                ));
            }
            self.constraint(id, "aliases", aliases.to_string());
        }
        Ok(())
    }

    fn record(
        &mut self,
        full: &str,
        object: &Map<String, Value>,
        at: &mut Place,
    ) -> Result<(), FormatError> {
        let fields = required(object, "fields", "record", at)?;
        let Value::Array(fields) = fields else {
            return Err(at.invalid(
                &fields.to_string(),
                format!("the fields of {full:?} are not a list"),
            ));
        };
        let mut names: Vec<&str> = Vec::with_capacity(fields.len());
        for field in fields {
            let Value::Object(field) = field else {
                return Err(at.invalid(
                    &field.to_string(),
                    format!("a field of {full:?} is not an object"),
                ));
            };
            let Some(Value::String(name)) = field.get("name") else {
                return Err(at.invalid(
                    &Value::Object(field.clone()).to_string(),
                    format!("a field of {full:?} has no \"name\""),
                ));
            };
            check_name(name, at)?;
            if names.contains(&name.as_str()) {
                return Err(at.invalid(
                    &format!("\"{name}\""),
                    format!("{full:?} has two fields named {name:?}"),
                ));
            }
            names.push(name);
            let id = format!("{full}.{name}");
            let ty = required(field, "type", "field", at)?;
            let member = self.schema(ty, &Slot::Member(id), at)?;
            self.b = self
                .b
                .edge(full, member.as_str(), "field", Some(name.clone()));
            if let Some(default) = field.get("default") {
                self.constraint(&member, "default", default.to_string());
            }
            if let Some(order) = field.get("order") {
                match order.as_str() {
                    Some(o @ ("ascending" | "descending" | "ignore")) => {
                        self.constraint(&member, "order", o.to_owned());
                    }
                    _ => {
                        return Err(at.invalid(&order.to_string(), format!("the order of field {name:?} is {order}: expected \"ascending\", \"descending\" or \"ignore\"")));
                    }
                }
            }
            self.docs(&member, field, at)?;
            self.rest(
                &member,
                "properties",
                field,
                &["name", "type", "default", "order", "doc", "aliases"],
            );
        }
        self.constraint(
            full,
            "field-order",
            serde_json::to_string(&names).unwrap_or_default(),
        );
        self.rest(
            full,
            "type-properties",
            object,
            &["type", "name", "namespace", "doc", "aliases", "fields"],
        );
        Ok(())
    }

    fn enumeration(
        &mut self,
        full: &str,
        object: &Map<String, Value>,
        at: &Place,
    ) -> Result<(), FormatError> {
        let symbols = required(object, "symbols", "enum", at)?;
        let list: Option<Vec<&str>> = symbols
            .as_array()
            .and_then(|s| s.iter().map(Value::as_str).collect());
        let Some(list) = list else {
            return Err(at.invalid(
                &symbols.to_string(),
                format!("the symbols of {full:?} are not a list of names"),
            ));
        };
        for (i, symbol) in list.iter().enumerate() {
            check_name(symbol, at)?;
            if list[..i].contains(symbol) {
                return Err(at.invalid(
                    &format!("\"{symbol}\""),
                    format!("enum {full:?} lists {symbol:?} twice"),
                ));
            }
        }
        self.constraint(full, "symbols", symbols.to_string());
        if let Some(default) = object.get("default") {
            if !default.as_str().is_some_and(|d| list.contains(&d)) {
                return Err(at.invalid(
                    &default.to_string(),
                    format!(
                        "the default of enum {full:?} is {default}, which is not one of its symbols"
                    ),
                ));
            }
            self.constraint(full, "default", default.to_string());
        }
        self.rest(
            full,
            "type-properties",
            object,
            &[
                "type",
                "name",
                "namespace",
                "doc",
                "aliases",
                "symbols",
                "default",
            ],
        );
        Ok(())
    }

    fn fixed(
        &mut self,
        full: &str,
        object: &Map<String, Value>,
        at: &Place,
    ) -> Result<(), FormatError> {
        let size = required(object, "size", "fixed", at)?;
        if size.as_u64().is_none() {
            return Err(at.invalid(
                &size.to_string(),
                format!("the size of fixed {full:?} is {size}: expected a whole number of bytes"),
            ));
        }
        self.constraint(full, "size", size.to_string());
        self.logical(full, object);
        self.rest(
            full,
            "type-properties",
            object,
            &["type", "name", "namespace", "doc", "aliases", "size"],
        );
        Ok(())
    }

    /// A logical type and its parameters, kept whatever they are: Avro
    /// readers ignore a logical type they do not know, and so do we.
    fn logical(&mut self, id: &str, object: &Map<String, Value>) {
        if let Some(Value::String(logical)) = object.get("logicalType") {
            self.constraint(id, "logicalType", logical.clone());
            for sort in ["precision", "scale"] {
                if let Some(v) = object.get(sort) {
                    self.constraint(id, sort, v.to_string());
                }
            }
        }
    }

    /// Every attribute not in `known` (and not a logical type's), as one
    /// JSON object in `sort`, keys sorted (so the schema does not depend
    /// on the order a file lists them in), so that emit writes it back.
    fn rest(&mut self, id: &str, sort: &str, object: &Map<String, Value>, known: &[&str]) {
        let logical = object.get("logicalType").is_some_and(Value::is_string);
        let extra: std::collections::BTreeMap<&str, &Value> = object
            .iter()
            .filter(|(k, _)| {
                let logical_part =
                    logical && matches!(k.as_str(), "logicalType" | "precision" | "scale");
                !(known.contains(&k.as_str()) || logical_part)
            })
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        if !extra.is_empty() {
            self.constraint(id, sort, serde_json::to_string(&extra).unwrap_or_default());
        }
    }

    /// Points every `ref` vertex at the named type it names.
    fn resolve(&mut self, source: &Source) -> Result<(), FormatError> {
        for (vertex, name, namespace, index) in std::mem::take(&mut self.refs) {
            let relative = full_name(&name, None, &namespace);
            let target = [relative.as_str(), name.as_str()]
                .into_iter()
                .find(|n| self.defined.contains_key(*n))
                .map(str::to_owned);
            match target {
                Some(target) => self.b = self.b.edge(vertex, target, "ref", None),
                None => {
                    let file = &source.files()[index.min(source.files().len().saturating_sub(1))];
                    return Err(FormatError::UnresolvedRef {
                        at: Location::of_text(&file.path, &file.text, &format!("\"{name}\"")),
                        reference: name,
                    });
                }
            }
        }
        Ok(())
    }
}

/// An attribute a schema of `what` must have.
fn required<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    what: &str,
    at: &Place,
) -> Result<&'v Value, FormatError> {
    object.get(key).ok_or_else(|| {
        let name = object.get("name").and_then(Value::as_str).unwrap_or("");
        at.invalid(
            &format!("\"{name}\""),
            format!(
                "a {what} needs {key:?}{}",
                if name.is_empty() {
                    String::new()
                } else {
                    format!(" ({name:?} has none)")
                }
            ),
        )
    })
}

/// The full name of `name` defined (or referred to) in namespace
/// `explicit`, else in `enclosing`: a dotted name is already full.
fn full_name(name: &str, explicit: Option<&str>, enclosing: &str) -> String {
    if name.contains('.') {
        return name.to_owned();
    }
    match explicit.unwrap_or(enclosing) {
        "" => name.to_owned(),
        ns => format!("{ns}.{name}"),
    }
}

/// The namespace part of a full name.
pub(super) fn namespace_of(full: &str) -> &str {
    full.rsplit_once('.').map_or("", |(ns, _)| ns)
}

/// Avro's name rule: `[A-Za-z_][A-Za-z0-9_]*`.
fn check_name(name: &str, at: &Place) -> Result<(), FormatError> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(at.invalid(&format!("\"{name}\""), format!("{name:?} is not an Avro name: it must start with a letter or _ and hold only letters, digits and _")))
    }
}

fn check_full_name(full: &str, at: &Place) -> Result<(), FormatError> {
    full.split('.').try_for_each(|part| check_name(part, at))
}

/// What a union branch counts as for the rule "one schema per type":
/// its type, or a named type's full name.
fn branch_key(branch: &Value, namespace: &str) -> String {
    let named = |object: &Map<String, Value>| {
        let name = object.get("name").and_then(Value::as_str).unwrap_or("");
        let ns = object.get("namespace").and_then(Value::as_str);
        full_name(name, ns, namespace)
    };
    match branch {
        Value::String(name) if PRIMITIVES.contains(&name.as_str()) => name.clone(),
        Value::String(name) => full_name(name, None, namespace),
        Value::Array(_) => "union".to_owned(),
        Value::Object(object) => match object.get("type").and_then(Value::as_str) {
            Some(kind) if NAMED_KINDS.contains(&kind) => named(object),
            Some(kind) if PRIMITIVES.contains(&kind) || kind == "array" || kind == "map" => {
                kind.to_owned()
            }
            Some(name) => full_name(name, None, namespace),
            None => String::new(),
        },
        other => other.to_string(),
    }
}
