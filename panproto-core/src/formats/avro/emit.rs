//! Writing a schema of the `avro` protocol back as `.avsc` files.

use std::collections::{HashMap, HashSet};

use super::PRIMITIVES;
use super::parse::namespace_of;

use crate::formats::{Emitted, FormatError, FormatOptions, edges_by_source};
use crate::model::{Edge, Schema};

/// Writes every `file` vertex of `schema` as a file.
pub(in crate::formats) fn emit(
    schema: &Schema,
    _options: &FormatOptions,
) -> Result<Emitted, FormatError> {
    let out = edges_by_source(schema);
    let declared_in: HashMap<&str, &str> = schema
        .edges()
        .iter()
        .filter(|e| e.kind == "declares")
        .map(|e| (e.tgt.as_str(), e.src.as_str()))
        .collect();
    let writer = Writer {
        schema,
        out,
        declared_in,
    };
    let mut emitted = Emitted::default();
    for v in schema.vertices().values().filter(|v| v.kind == "file") {
        let root = writer
            .targets(&v.id, "root")
            .next()
            .ok_or_else(|| unemittable(&v.id, "the file has no root schema"))?;
        let mut file = FileState {
            path: &v.id,
            written: HashSet::new(),
        };
        let json = writer.schema(root, "", &mut file)?;
        let mut text = String::new();
        json.write(&mut text, 0);
        text.push('\n');
        emitted.files.insert(v.id.clone(), text);
    }
    if emitted.files.is_empty() {
        return Err(unemittable(
            "the schema",
            "it has no file vertex: only a schema parsed from .avsc files can be written as Avro",
        ));
    }
    Ok(emitted)
}

fn unemittable(element: &str, reason: &str) -> FormatError {
    FormatError::Unemittable {
        format: "avro".to_owned(),
        element: element.to_owned(),
        reason: reason.to_owned(),
    }
}

struct Writer<'s> {
    schema: &'s Schema,
    out: rustc_hash::FxHashMap<&'s str, Vec<&'s Edge>>,
    declared_in: HashMap<&'s str, &'s str>,
}

/// The file being written, and the named types defined in it so far.
struct FileState<'s> {
    path: &'s str,
    written: HashSet<&'s str>,
}

impl<'s> Writer<'s> {
    fn targets(&self, id: &str, kind: &'s str) -> impl Iterator<Item = &'s str> + '_ {
        self.out
            .get(id)
            .into_iter()
            .flatten()
            .filter(move |e| e.kind == kind)
            .map(|e| e.tgt.as_str())
    }

    fn constraint(&self, id: &str, sort: &str) -> Option<&'s str> {
        self.schema.constraint(id, sort)
    }

    fn kind(&self, id: &str) -> Result<&'s str, FormatError> {
        self.schema
            .vertices()
            .get(id)
            .map(|v| v.kind.as_str())
            .ok_or_else(|| unemittable(id, "no such vertex"))
    }

    fn one(&self, id: &str, kind: &'s str) -> Result<&'s str, FormatError> {
        self.targets(id, kind)
            .next()
            .ok_or_else(|| unemittable(id, &format!("it has no {kind} edge")))
    }

    /// The schema at vertex `id`, in namespace `ns`.
    fn schema(&self, id: &'s str, ns: &str, file: &mut FileState<'s>) -> Result<Json, FormatError> {
        let kind = self.kind(id)?;
        let mut object = match kind {
            "record" | "error" | "enum" | "fixed" => return self.named(id, ns, file),
            "ref" => return self.named(self.one(id, "ref")?, ns, file),
            "union" => {
                let mut branches: Vec<&str> = self.targets(id, "variant").collect();
                branches.sort_by_key(|b| branch_index(b));
                let items = branches
                    .into_iter()
                    .map(|b| self.schema(b, ns, file))
                    .collect::<Result<Vec<_>, _>>()?;
                return Ok(Json::Array(items));
            }
            "array" => vec![
                entry("type", Json::string("array")),
                entry("items", self.schema(self.one(id, "items")?, ns, file)?),
            ],
            "map" => vec![
                entry("type", Json::string("map")),
                entry("values", self.schema(self.one(id, "values")?, ns, file)?),
            ],
            primitive if PRIMITIVES.contains(&primitive) => {
                vec![entry("type", Json::string(primitive))]
            }
            other => return Err(unemittable(id, &format!("{other} is not an Avro type"))),
        };
        self.logical(id, &mut object);
        self.spread(id, "type-properties", &mut object);
        Ok(match object.as_slice() {
            [(_, only)] if PRIMITIVES.contains(&kind) => only.clone(),
            _ => Json::Object(object),
        })
    }

    /// A named type: its definition at its first use in its own file, else
    /// its name, relative to `ns`.
    fn named(
        &self,
        full: &'s str,
        ns: &str,
        file: &mut FileState<'s>,
    ) -> Result<Json, FormatError> {
        let home = self.declared_in.get(full).copied();
        if home != Some(file.path) || !file.written.insert(full) {
            let name = if namespace_of(full) == ns || namespace_of(full).is_empty() {
                short_name(full)
            } else {
                full
            };
            return Ok(Json::string(name));
        }
        let kind = self.kind(full)?;
        let own = namespace_of(full);
        let mut object = vec![
            entry("type", Json::string(kind)),
            entry("name", Json::string(short_name(full))),
        ];
        if own != ns {
            object.push(entry("namespace", Json::string(own)));
        }
        self.docs(full, &mut object);
        match kind {
            "record" | "error" => {
                let fields = self.fields(full, own, file)?;
                object.push(entry("fields", Json::Array(fields)));
            }
            "enum" => {
                let symbols = self.constraint(full, "symbols").unwrap_or("[]");
                object.push(entry("symbols", Json::Raw(symbols.to_owned())));
                if let Some(default) = self.constraint(full, "default") {
                    object.push(entry("default", Json::Raw(default.to_owned())));
                }
            }
            _ => {
                let size = self
                    .constraint(full, "size")
                    .ok_or_else(|| unemittable(full, "a fixed type needs a size"))?;
                object.push(entry("size", Json::Raw(size.to_owned())));
                self.logical(full, &mut object);
            }
        }
        self.spread(full, "type-properties", &mut object);
        Ok(Json::Object(object))
    }

    fn fields(
        &self,
        record: &'s str,
        ns: &str,
        file: &mut FileState<'s>,
    ) -> Result<Vec<Json>, FormatError> {
        let mut by_name: HashMap<&str, &str> = self
            .out
            .get(record)
            .into_iter()
            .flatten()
            .filter(|e| e.kind == "field")
            .filter_map(|e| Some((e.name.as_deref()?, e.tgt.as_str())))
            .collect();
        let order: Vec<String> = self
            .constraint(record, "field-order")
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or_default();
        let mut names: Vec<&str> = order
            .iter()
            .map(String::as_str)
            .filter(|n| by_name.contains_key(n))
            .collect();
        let mut rest: Vec<&str> = by_name
            .keys()
            .copied()
            .filter(|n| !names.contains(n))
            .collect();
        rest.sort_unstable();
        names.extend(rest);
        let mut fields = Vec::with_capacity(names.len());
        for name in names {
            let Some(member) = by_name.remove(name) else {
                continue;
            };
            let member: &'s str = self
                .schema
                .vertices()
                .get_key_value(member)
                .map_or(member, |(k, _)| k.as_str());
            let mut field = vec![
                entry("name", Json::string(name)),
                entry("type", self.schema(member, ns, file)?),
            ];
            if let Some(default) = self.constraint(member, "default") {
                field.push(entry("default", Json::Raw(default.to_owned())));
            }
            if let Some(order) = self.constraint(member, "order") {
                field.push(entry("order", Json::string(order)));
            }
            self.docs(member, &mut field);
            self.spread(member, "properties", &mut field);
            fields.push(Json::Object(field));
        }
        Ok(fields)
    }

    fn docs(&self, id: &str, object: &mut Vec<(String, Json)>) {
        if let Some(doc) = self.constraint(id, "doc") {
            object.push(entry("doc", Json::string(doc)));
        }
        if let Some(aliases) = self.constraint(id, "aliases") {
            object.push(entry("aliases", Json::Raw(aliases.to_owned())));
        }
    }

    fn logical(&self, id: &str, object: &mut Vec<(String, Json)>) {
        if let Some(logical) = self.constraint(id, "logicalType") {
            object.push(entry("logicalType", Json::string(logical)));
            for sort in ["precision", "scale"] {
                if let Some(v) = self.constraint(id, sort) {
                    object.push(entry(sort, Json::Raw(v.to_owned())));
                }
            }
        }
    }

    /// The attributes kept in a JSON-object constraint, one entry each.
    fn spread(&self, id: &str, sort: &str, object: &mut Vec<(String, Json)>) {
        let extra = self.constraint(id, sort).and_then(|t| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t).ok()
        });
        for (k, v) in extra.into_iter().flatten() {
            object.push((k, Json::Raw(v.to_string())));
        }
    }
}

/// A union branch's position, from its id (`…|i`); a hand-built branch
/// without one sorts last, by id.
fn branch_index(id: &str) -> (usize, &str) {
    let index = id
        .rsplit_once('|')
        .and_then(|(_, i)| i.parse().ok())
        .unwrap_or(usize::MAX);
    (index, id)
}

fn short_name(full: &str) -> &str {
    full.rsplit_once('.').map_or(full, |(_, n)| n)
}

fn entry(key: &str, value: Json) -> (String, Json) {
    (key.to_owned(), value)
}

/// JSON with its keys in the order Avro's own tools write them.
#[derive(Clone)]
enum Json {
    /// JSON text, written as is (kept values: defaults, lists).
    Raw(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn string(s: &str) -> Self {
        Self::Raw(serde_json::to_string(s).unwrap_or_default())
    }

    /// Pretty-printed, two spaces a level; a list of plain values on one line.
    fn write(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| {
            out.push('\n');
            out.extend(std::iter::repeat_n("  ", depth));
        };
        match self {
            Self::Raw(text) => out.push_str(text),
            Self::Array(items) if items.iter().all(|i| matches!(i, Self::Raw(_))) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, depth);
                }
                out.push(']');
            }
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                indent(out, depth);
                out.push(']');
            }
            Self::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    out.push_str(&serde_json::to_string(key).unwrap_or_default());
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                if !entries.is_empty() {
                    indent(out, depth);
                }
                out.push('}');
            }
        }
    }
}
