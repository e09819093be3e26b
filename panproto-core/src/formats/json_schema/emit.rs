//! Writing a schema back as JSON Schema documents: each file's tree of
//! nodes from its root, refs written from where their targets land.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::json::Json as Value;

use super::keywords::{Slot, is_type, of_edge, slot};
use super::uri::{canonical_ref, push_segment};

use crate::formats::{Emitted, FormatError, FormatOptions, edges_by_source};
use crate::model::{Edge, Schema};

/// The file name of a single-file schema's document.
const SINGLE: &str = "schema.json";

/// The deepest JSON nesting written: what `serde_json` (and so parse)
/// reads back. A hand-built chain of nodes deeper than this is refused
/// (parsed documents never are: they were read under the same limit).
const MAX_DEPTH: usize = 127;

fn unemittable(element: &str, reason: impl Into<String>) -> FormatError {
    FormatError::Unemittable {
        format: "json-schema".to_owned(),
        element: element.to_owned(),
        reason: reason.into(),
    }
}

struct Emitter<'a> {
    schema: &'a Schema,
    out: FxHashMap<&'a str, Vec<&'a Edge>>,
    /// Vertex → (file index, JSON pointer) where it is written.
    at: FxHashMap<&'a str, (usize, String)>,
    /// (file name, root vertex) of every file.
    files: Vec<(&'a str, &'a str)>,
}

/// Writes every file of `schema`.
pub(in crate::formats) fn emit(
    schema: &Schema,
    _options: &FormatOptions,
) -> Result<Emitted, FormatError> {
    let out = edges_by_source(schema);
    let files = roots(schema, &out)?;
    let mut em = Emitter {
        schema,
        out,
        at: FxHashMap::default(),
        files,
    };
    em.locate()?;
    let mut emitted = Emitted::default();
    for (name, root) in &em.files {
        let value = em.node(root, 1)?;
        let mut text = value.pretty();
        text.push('\n');
        emitted.files.insert((*name).to_owned(), text);
    }
    Ok(emitted)
}

/// (file name, root vertex) of every file.
fn roots<'a>(
    schema: &'a Schema,
    out: &FxHashMap<&'a str, Vec<&'a Edge>>,
) -> Result<Vec<(&'a str, &'a str)>, FormatError> {
    let file_vertices: Vec<&str> = schema
        .vertices()
        .values()
        .filter(|v| v.kind == "file")
        .map(|v| v.id.as_str())
        .collect();
    if file_vertices.is_empty() {
        let reached: FxHashSet<&str> = schema
            .edges()
            .iter()
            .filter(|e| e.kind != "ref")
            .map(|e| e.tgt.as_str())
            .collect();
        let candidates: Vec<&str> = schema
            .vertices()
            .keys()
            .map(String::as_str)
            .filter(|v| !reached.contains(v))
            .collect();
        return match candidates.as_slice() {
            [one] => Ok(vec![(SINGLE, *one)]),
            [] => Err(unemittable(
                "schema",
                "no vertex is a document's root (every one is under another)",
            )),
            several => Err(unemittable(
                "schema",
                format!(
                    "it has several roots ({}); a schema of several documents has a file vertex per file",
                    several.join(", ")
                ),
            )),
        };
    }
    let mut files = Vec::with_capacity(file_vertices.len());
    for f in file_vertices {
        let element = format!("file vertex {f:?}");
        if schema.constraints().contains_key(f) {
            return Err(unemittable(&element, "a file vertex carries no constraint"));
        }
        match out.get(f).map(Vec::as_slice) {
            Some([e]) if e.kind == "root" => files.push((f, e.tgt.as_str())),
            _ => {
                return Err(unemittable(
                    &element,
                    "a file vertex has exactly one edge, a root edge to its document",
                ));
            }
        }
    }
    Ok(files)
}

impl<'a> Emitter<'a> {
    /// Places every node: its file and JSON pointer, from its parent's
    /// edges. A node reached twice, or never, cannot be written.
    fn locate(&mut self) -> Result<(), FormatError> {
        // (vertex, file, pointer, JSON depth)
        let mut stack: Vec<(&'a str, usize, String, usize)> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, (_, root))| (*root, i, String::new(), 1))
            .collect();
        let mut variants: FxHashSet<&str> = FxHashSet::default();
        while let Some((v, file, pointer, depth)) = stack.pop() {
            if self.at.contains_key(v) || variants.contains(v) {
                return Err(unemittable(
                    &format!("vertex {v:?}"),
                    "it is under two parents (or its own descendant); a JSON Schema node has one place",
                ));
            }
            for e in self.out.get(v).map(Vec::as_slice).unwrap_or_default() {
                match e.kind.as_str() {
                    "ref" => {}
                    "variant" => {
                        if !variants.insert(e.tgt.as_str()) {
                            return Err(unemittable(
                                &format!("vertex {:?}", e.tgt),
                                "a type variant of two nodes",
                            ));
                        }
                    }
                    kind => {
                        let Some((keyword, slot)) = of_edge(kind) else {
                            return Err(unemittable(
                                &format!("edge {e}"),
                                "a root edge starts at a file vertex",
                            ));
                        };
                        let mut child = pointer.clone();
                        push_segment(&mut child, keyword);
                        // A subschema is one level down, or two under a
                        // keyword's object or array.
                        let mut levels = 1;
                        if let Slot::Map(_) | Slot::List(_) = slot {
                            push_segment(&mut child, e.name.as_deref().unwrap_or_default());
                            levels = 2;
                        }
                        if depth + levels > MAX_DEPTH {
                            return Err(unemittable(
                                &format!("vertex {:?}", e.tgt),
                                format!(
                                    "it is nested deeper than the {MAX_DEPTH} levels JSON parsers read"
                                ),
                            ));
                        }
                        stack.push((e.tgt.as_str(), file, child, depth + levels));
                    }
                }
            }
            self.at.insert(v, (file, pointer));
        }
        for v in self.schema.vertices().values() {
            let placed = self.at.contains_key(v.id.as_str()) || variants.contains(v.id.as_str());
            if !placed && v.kind != "file" {
                return Err(unemittable(
                    &format!("vertex {:?}", v.id),
                    "it is under no file's root (only a ref reaches it, or nothing)",
                ));
            }
        }
        Ok(())
    }

    /// The JSON of node `v`.
    fn node(&self, v: &str, depth: usize) -> Result<Value, FormatError> {
        let element = format!("vertex {v:?}");
        if depth > MAX_DEPTH {
            return Err(unemittable(
                &element,
                format!("it is nested deeper than the {MAX_DEPTH} levels JSON parsers read"),
            ));
        }
        let schema = self.schema;
        let kind = schema.vertices().get(v).map_or("", |x| x.kind.as_str());
        let empty = BTreeMap::new();
        let constraints = schema.constraints().get(v).unwrap_or(&empty);
        let edges = self.out.get(v).map(Vec::as_slice).unwrap_or_default();
        let required = schema.required().get(v);
        if let Some(b) = constraints.get("boolean-schema") {
            let alone = constraints.len() == 1 && edges.is_empty() && required.is_none();
            return match (b.as_str(), alone && kind == "schema") {
                ("true", true) => Ok(Value::Bool(true)),
                ("false", true) => Ok(Value::Bool(false)),
                _ => Err(unemittable(
                    &element,
                    "a boolean schema is a `schema` vertex with boolean-schema true or false and nothing else",
                )),
            };
        }
        // The modelled keywords; written in the order of `KEYWORD_ORDER`.
        let mut m: BTreeMap<String, Value> = BTreeMap::new();
        // By the index each is named with (the order `type` lists them in).
        let mut variants: Vec<(usize, &str)> = Vec::new();
        for e in edges.iter().filter(|e| e.kind == "variant") {
            let t = schema
                .vertices()
                .get(&e.tgt)
                .map_or("", |x| x.kind.as_str());
            let alone = !schema.constraints().contains_key(&e.tgt)
                && !self.out.contains_key(e.tgt.as_str());
            if !is_type(t) || !alone {
                return Err(unemittable(
                    &format!("vertex {:?}", e.tgt),
                    "a type variant is a bare type vertex",
                ));
            }
            let index = e
                .name
                .as_deref()
                .and_then(|n| n.parse().ok())
                .unwrap_or(usize::MAX);
            variants.push((index, t));
        }
        match kind {
            t if is_type(t) => {
                m.insert("type".to_owned(), Value::String(t.to_owned()));
            }
            "union" => {
                variants.sort_unstable();
                if !variants.is_empty() {
                    let types = variants
                        .iter()
                        .map(|(_, t)| Value::String((*t).to_owned()))
                        .collect();
                    m.insert("type".to_owned(), Value::Array(types));
                }
            }
            "schema" | "ref" => {}
            other => {
                return Err(unemittable(
                    &element,
                    format!("a {other:?} vertex is not a schema node"),
                ));
            }
        }
        let mut names: BTreeSet<String> = required.cloned().unwrap_or_default();
        let mut dependencies: BTreeMap<String, Value> = BTreeMap::new();
        let mut extra: Vec<(String, Value)> = Vec::new();
        let mut order: Vec<String> = Vec::new();
        let mut ref_text: Option<String> = None;
        let parse = |sort: &str, value: &str| {
            serde_json::from_str::<Value>(value)
                .map_err(|e| unemittable(&element, format!("its {sort} is not JSON: {e}")))
        };
        for (sort, value) in constraints {
            match sort.as_str() {
                "keywords" | "dependencies" => {
                    let Value::Object(o) = parse(sort, value)? else {
                        return Err(unemittable(
                            &element,
                            format!("its {sort} is not a JSON object"),
                        ));
                    };
                    if sort == "keywords" {
                        extra.extend(o);
                    } else {
                        dependencies.extend(o);
                    }
                }
                "requiredWithoutProperty" => {
                    let list: Vec<String> = serde_json::from_str(value).map_err(|e| {
                        unemittable(
                            &element,
                            format!("its requiredWithoutProperty is not a list of names: {e}"),
                        )
                    })?;
                    names.extend(list);
                }
                "$ref" => ref_text = Some(value.clone()),
                "propertyOrder" => {
                    order = serde_json::from_str(value).map_err(|e| {
                        unemittable(
                            &element,
                            format!("its propertyOrder is not a list of names: {e}"),
                        )
                    })?;
                }
                "id" => {
                    m.insert(sort.clone(), Value::String(value.clone()));
                }
                _ => match slot(sort) {
                    Some(Slot::Text) => {
                        m.insert(sort.clone(), Value::String(value.clone()));
                    }
                    Some(Slot::One(_) | Slot::Map(_) | Slot::List(_)) | None => {
                        return Err(unemittable(
                            &element,
                            format!("JSON Schema has no keyword for sort {sort:?}"),
                        ));
                    }
                    Some(_) => {
                        m.insert(sort.clone(), parse(sort, value)?);
                    }
                },
            }
        }
        let mut lists: BTreeMap<&str, Vec<(usize, Value)>> = BTreeMap::new();
        let mut maps: BTreeMap<&str, Vec<(String, Value)>> = BTreeMap::new();
        let mut target: Option<&str> = None;
        for e in edges {
            match e.kind.as_str() {
                "variant" => {}
                "ref" => {
                    if target.replace(&e.tgt).is_some() {
                        return Err(unemittable(&element, "a node has one $ref"));
                    }
                }
                kind => {
                    let Some((keyword, slot)) = of_edge(kind) else {
                        return Err(unemittable(
                            &format!("edge {e}"),
                            "not an edge between schema nodes",
                        ));
                    };
                    // A subschema is one level down, or two under a
                    // keyword's object or array.
                    let levels = if let Slot::One(_) = slot { 1 } else { 2 };
                    let child = self.node(&e.tgt, depth + levels)?;
                    let name = e.name.clone().unwrap_or_default();
                    match slot {
                        Slot::Map("dependency") => {
                            dependencies.insert(name, child);
                        }
                        Slot::Map(_) => maps.entry(keyword).or_default().push((name, child)),
                        Slot::List(_) => {
                            let index = name.parse::<usize>().map_err(|_| {
                                unemittable(
                                    &format!("edge {e}"),
                                    "an edge of a list is named by its index",
                                )
                            })?;
                            lists.entry(keyword).or_default().push((index, child));
                        }
                        _ => {
                            if m.insert(keyword.to_owned(), child).is_some() {
                                return Err(unemittable(&element, format!("it has two {keyword}")));
                            }
                        }
                    }
                }
            }
        }
        // Each property's place in `propertyOrder` (looked up, not scanned:
        // an object may have thousands).
        let places: FxHashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let place = |name: &str| places.get(name).copied().unwrap_or(usize::MAX);
        for (keyword, mut members) in maps {
            // Properties in the order the document gave them, the rest
            // (and names the order lacks) by name.
            if keyword == "properties" {
                members.sort_by(|(a, _), (b, _)| place(a).cmp(&place(b)).then_with(|| a.cmp(b)));
            } else {
                members.sort_by(|(a, _), (b, _)| a.cmp(b));
            }
            m.insert(keyword.to_owned(), Value::Object(members));
        }
        for (keyword, mut list) in lists {
            list.sort_by_key(|(i, _)| *i);
            let items = Value::Array(list.into_iter().map(|(_, v)| v).collect());
            if m.insert(keyword.to_owned(), items).is_some() {
                return Err(unemittable(&element, format!("it has two {keyword}")));
            }
        }
        // The kind parse gives a node without `type` follows from its
        // keywords: one that would read back as another kind is refused.
        let reads_back_as = if is_type(kind) {
            kind
        } else if !variants.is_empty() {
            "union"
        } else if ref_text.is_some() || target.is_some() {
            "ref"
        } else if m.contains_key("anyOf") || m.contains_key("oneOf") {
            "union"
        } else {
            "schema"
        };
        if reads_back_as != kind {
            return Err(unemittable(
                &element,
                format!(
                    "a {kind:?} vertex with these edges reads back as a {reads_back_as:?} vertex \
                     (`ref` has a $ref, `union` a list of types or anyOf/oneOf and no $ref)"
                ),
            ));
        }
        let reference = match (ref_text, target) {
            (Some(text), _) => Some(text),
            (None, Some(t)) => Some(self.ref_to(v, t)?),
            (None, None) => None,
        };
        if let Some(r) = reference {
            m.insert("$ref".to_owned(), Value::String(r));
        }
        if !names.is_empty() {
            // In the order of the properties, then the other names sorted.
            let mut names: Vec<String> = names.into_iter().collect();
            names.sort_by_key(|n| place(n));
            m.insert(
                "required".to_owned(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
        }
        if !dependencies.is_empty() {
            m.insert(
                "dependencies".to_owned(),
                Value::Object(dependencies.into_iter().collect()),
            );
        }
        let mut members: Vec<(String, Value)> = m.into_iter().collect();
        members.sort_by_key(|(k, _)| keyword_rank(k));
        // The keywords the protocol does not model, after, in their order.
        let modelled: FxHashSet<String> = members.iter().map(|(k, _)| k.clone()).collect();
        members.extend(extra.into_iter().filter(|(k, _)| !modelled.contains(k)));
        Ok(Value::Object(members))
    }

    /// The `$ref` text from node `from` to node `to`.
    fn ref_to(&self, from: &str, to: &str) -> Result<String, FormatError> {
        let place = |v: &str| {
            self.at
                .get(v)
                .and_then(|(f, p)| self.files.get(*f).map(|(name, _)| (*name, p.as_str())))
        };
        match (place(from), place(to)) {
            (Some((from_file, _)), Some((to_file, pointer))) => {
                Ok(canonical_ref(from_file, to_file, pointer))
            }
            _ => Err(unemittable(
                &format!("vertex {from:?}"),
                format!("its $ref target {to:?} is not a schema node of a file"),
            )),
        }
    }
}

/// The order emit writes a node's keywords in: identity, documentation,
/// type and ref, value constraints, then the applicators by the kind of
/// value they apply to, and definitions last.
const KEYWORD_ORDER: &[&str] = &[
    "$schema",
    "$id",
    "id",
    "$anchor",
    "$dynamicAnchor",
    "$recursiveAnchor",
    "$vocabulary",
    "$comment",
    "title",
    "description",
    "deprecated",
    "readOnly",
    "writeOnly",
    "type",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "enum",
    "const",
    "default",
    "examples",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "properties",
    "required",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "prefixItems",
    "items",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "$defs",
    "definitions",
];

fn keyword_rank(keyword: &str) -> usize {
    static RANKS: OnceLock<FxHashMap<&'static str, usize>> = OnceLock::new();
    RANKS
        .get_or_init(|| {
            KEYWORD_ORDER
                .iter()
                .enumerate()
                .map(|(i, k)| (*k, i))
                .collect()
        })
        .get(keyword)
        .copied()
        .unwrap_or(KEYWORD_ORDER.len())
}
