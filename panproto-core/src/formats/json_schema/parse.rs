//! Reading JSON Schema documents into a schema: one walk over each file's
//! JSON (parsed once by `serde_json`), then the `$ref`s resolved against
//! every file's `$id`s, anchors and paths.

use rustc_hash::{FxHashMap, FxHashSet};

use super::json::{Json as Value, Members};
use super::keywords::{Slot, is_type, slot};
use super::locate::locate;
use super::uri::{
    canonical_ref, decode_fragment, has_scheme, push_segment, resolve, split_fragment,
};
use crate::formats::{FormatError, FormatOptions, Location, Source};
use crate::model::{Schema, SchemaBuilder, SchemaError, builtin_protocol};

/// One file being read.
struct File<'s> {
    path: &'s str,
    text: &'s str,
    /// What vertex ids start with before the `#`: nothing for a single
    /// file, its path for a file of several.
    prefix: &'s str,
    /// Whether `id` (not `$id`) names the base URI: draft 4.
    draft4: bool,
    /// Whether `$ref` overrides its siblings, `$id` among them: drafts 4 to 7.
    ref_alone: bool,
}

/// A schema node read: where it is, and the base URI its refs resolve against.
struct Node {
    file: usize,
    pointer: String,
    id: String,
    base: String,
}

struct Parser<'s> {
    files: Vec<File<'s>>,
    nodes: Vec<Node>,
    /// Vertex id → node.
    ids: FxHashMap<String, usize>,
    /// URI (without fragment) or file path → the node it names.
    resources: FxHashMap<String, usize>,
    /// `uri#name` → the node the anchor names.
    anchors: FxHashMap<String, usize>,
    /// (node, `$ref` text), resolved once every file is read.
    refs: Vec<(usize, String)>,
    b: SchemaBuilder,
}

/// Parses the files of `source` (one schema each, refs between them resolved).
pub(in crate::formats) fn parse(
    source: &Source,
    _options: &FormatOptions,
) -> Result<Schema, FormatError> {
    let protocol = builtin_protocol("json-schema").map_err(SchemaError::from)?;
    let multi = source.files().len() > 1;
    let mut roots = Vec::with_capacity(source.files().len());
    let mut files = Vec::with_capacity(source.files().len());
    for file in source.files() {
        let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
        let root: Value = serde_json::from_str(text).map_err(|e| syntax(&file.path, &e))?;
        let dialect = match &root {
            Value::Object(m) => m.member("$schema").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        if dialect.contains("draft-03")
            || dialect.contains("draft-02")
            || dialect.contains("draft-01")
        {
            return Err(FormatError::Unsupported {
                at: Location::of_text(&file.path, text, "$schema"),
                construct: format!("$schema {dialect:?}"),
                reason: "drafts before 4 are not read; the drafts are 4, 6, 7, 2019-09 and 2020-12"
                    .to_owned(),
            });
        }
        files.push(File {
            path: &file.path,
            text,
            prefix: if multi { &file.path } else { "" },
            draft4: dialect.contains("draft-04"),
            ref_alone: ["draft-04", "draft-06", "draft-07"]
                .iter()
                .any(|d| dialect.contains(d)),
        });
        roots.push(root);
    }
    let mut p = Parser {
        files,
        nodes: Vec::new(),
        ids: FxHashMap::default(),
        resources: FxHashMap::default(),
        anchors: FxHashMap::default(),
        refs: Vec::new(),
        b: Schema::builder(protocol),
    };
    for (i, root) in roots.iter().enumerate() {
        let Some(path) = p.files.get(i).map(|f| f.path) else {
            continue;
        };
        p.resources.insert(path.to_owned(), p.nodes.len());
        let mut pointer = String::new();
        let root_id = p.walk(i, root, &mut pointer, path, "")?;
        if multi {
            p.b =
                p.b.vertex(path, "file", None)
                    .edge(path, root_id, "root", None);
        }
    }
    p.resolve_refs(&roots)?;
    Ok(p.b.into_schema()?)
}

/// A `serde_json` error as a located syntax error.
fn syntax(path: &str, e: &serde_json::Error) -> FormatError {
    let full = e.to_string();
    let message = full
        .rfind(" at line ")
        .map_or(full.as_str(), |i| &full[..i])
        .to_owned();
    FormatError::Syntax {
        at: Location::new(path, e.line(), e.column()),
        message: format!("not JSON: {message}"),
    }
}

impl Parser<'_> {
    /// An `Invalid` error at keyword `key` of the node at `pointer` (at
    /// the node itself when `key` is empty).
    fn invalid(&self, file: usize, pointer: &str, key: &str, message: String) -> FormatError {
        let (path, text) = self.files.get(file).map_or(("", ""), |f| (f.path, f.text));
        let mut full = pointer.to_owned();
        if !key.is_empty() {
            push_segment(&mut full, key);
        }
        let at = match locate(text, &full) {
            Some(offset) => Location::at_offset(path, text, offset),
            None => Location::of_text(path, text, &format!("\"{key}\"")),
        };
        FormatError::Invalid { at, message }
    }

    /// Reads the schema node `value` at `pointer` of file `file`; `key` is
    /// the keyword or name it sits under (to point errors at). Returns its
    /// vertex id.
    fn walk(
        &mut self,
        file: usize,
        value: &Value,
        pointer: &mut String,
        base: &str,
        key: &str,
    ) -> Result<String, FormatError> {
        let (prefix, draft4, ref_alone) = self
            .files
            .get(file)
            .map_or(("", false, false), |f| (f.prefix, f.draft4, f.ref_alone));
        let id = format!("{prefix}#{pointer}");
        let idx = self.nodes.len();
        let map = match value {
            Value::Object(map) => map,
            Value::Bool(b) => {
                self.b = self.b.vertex(&id, "schema", None).constraint(
                    &id,
                    "boolean-schema",
                    if *b { "true" } else { "false" },
                );
                self.push_node(file, pointer, &id, base.to_owned());
                return Ok(id);
            }
            other => {
                return Err(self.invalid(
                    file,
                    pointer,
                    "",
                    format!(
                        "{key:?} at {:?} is {}, not a schema (an object or a boolean)",
                        if pointer.is_empty() {
                            "#"
                        } else {
                            pointer.as_str()
                        },
                        json_kind(other)
                    ),
                ));
            }
        };
        let base = if ref_alone && map.has("$ref") {
            // Drafts 4 to 7 ignore every sibling of `$ref`: its `$id`
            // neither names the node nor changes the base.
            split_fragment(base).0.to_owned()
        } else {
            self.identify(file, pointer, map, idx, base, draft4)?
        };
        self.push_node(file, pointer, &id, base.clone());
        let kind = self.kind(file, pointer, map, &id)?;
        self.b = self.b.vertex(&id, kind, None);

        let mut required: Vec<&str> = Vec::new();
        let mut dependencies = Vec::new();
        let mut unknown = Vec::new();
        for (k, v) in map {
            match (k.as_str(), v) {
                ("type", _) => {}
                ("$ref", Value::String(s)) => self.refs.push((idx, s.clone())),
                ("required", Value::Array(names)) => {
                    for n in names {
                        let Some(n) = n.as_str() else {
                            return Err(self.invalid(
                                file,
                                pointer,
                                k,
                                "required lists property names (strings)".to_owned(),
                            ));
                        };
                        required.push(n);
                    }
                }
                ("items", Value::Array(list)) => {
                    self.list(file, list, pointer, k, "tuple-item", &id, &base)?;
                }
                ("items", _) => self.one(file, v, pointer, k, "items", &id, &base)?,
                ("dependencies", Value::Object(deps)) => {
                    for (name, dep) in deps {
                        if dep.is_array() {
                            dependencies.push((name.clone(), dep.clone()));
                        } else {
                            let len = pointer.len();
                            push_segment(pointer, k);
                            push_segment(pointer, name);
                            let child = self.walk(file, dep, pointer, &base, name)?;
                            pointer.truncate(len);
                            self.b = self.b.edge(&id, child, "dependency", Some(name.clone()));
                        }
                    }
                }
                ("id", Value::String(s)) if draft4 => {
                    self.b = self.b.constraint(&id, "id", s.as_str());
                }
                ("$ref" | "required" | "dependencies", _) => {
                    return Err(self.invalid(
                        file,
                        pointer,
                        k,
                        format!("{k} has the wrong type ({})", json_kind(v)),
                    ));
                }
                _ => match slot(k) {
                    Some(Slot::One(edge)) => self.one(file, v, pointer, k, edge, &id, &base)?,
                    Some(Slot::Map(edge)) => {
                        let Value::Object(children) = v else {
                            return Err(self.invalid(
                                file,
                                pointer,
                                k,
                                format!("{k} must be an object of schemas"),
                            ));
                        };
                        for (name, child) in children {
                            let len = pointer.len();
                            push_segment(pointer, k);
                            push_segment(pointer, name);
                            let child = self.walk(file, child, pointer, &base, name)?;
                            pointer.truncate(len);
                            self.b = self.b.edge(&id, child, edge, Some(name.clone()));
                        }
                    }
                    Some(Slot::List(edge)) => {
                        let Value::Array(list) = v else {
                            return Err(self.invalid(
                                file,
                                pointer,
                                k,
                                format!("{k} must be an array of schemas"),
                            ));
                        };
                        self.list(file, list, pointer, k, edge, &id, &base)?;
                    }
                    Some(shape) => {
                        let Some(text) = constraint_text(shape, v) else {
                            return Err(self.invalid(
                                file,
                                pointer,
                                k,
                                format!("{k} must be {}, not {}", shape_name(shape), json_kind(v)),
                            ));
                        };
                        self.b = self.b.constraint(&id, k.as_str(), text);
                    }
                    None => {
                        unknown.push((k.clone(), v.clone()));
                    }
                },
            }
        }
        let props = map.member("properties").and_then(Value::as_object);
        if let Some(props) = props.filter(|p| p.len() > 1) {
            let names: Vec<&str> = props.iter().map(|(n, _)| n.as_str()).collect();
            self.b = self.b.constraint(&id, "propertyOrder", json_text(&names));
        }
        if !required.is_empty() {
            let names: FxHashSet<&str> = props
                .map(|p| p.iter().map(|(n, _)| n.as_str()).collect())
                .unwrap_or_default();
            let (with, mut without): (Vec<&str>, Vec<&str>) =
                required.into_iter().partition(|n| names.contains(n));
            if !with.is_empty() {
                self.b = self
                    .b
                    .required(&id, with.into_iter().map(str::to_owned).collect());
            }
            if !without.is_empty() {
                without.sort_unstable();
                without.dedup();
                self.b = self
                    .b
                    .constraint(&id, "requiredWithoutProperty", json_text(&without));
            }
        }
        if !dependencies.is_empty() {
            self.b =
                self.b
                    .constraint(&id, "dependencies", Value::Object(dependencies).to_string());
        }
        if !unknown.is_empty() {
            self.b = self
                .b
                .constraint(&id, "keywords", Value::Object(unknown).to_string());
        }
        Ok(id)
    }

    fn push_node(&mut self, file: usize, pointer: &str, id: &str, base: String) {
        let id = id.to_owned();
        self.ids.insert(id.clone(), self.nodes.len());
        self.nodes.push(Node {
            file,
            pointer: pointer.to_owned(),
            id,
            base,
        });
    }

    /// Registers the node's `$id` (draft 4: `id`) and anchors; returns the
    /// base URI of its refs and subschemas.
    fn identify(
        &mut self,
        file: usize,
        pointer: &str,
        map: &[(String, Value)],
        idx: usize,
        base: &str,
        draft4: bool,
    ) -> Result<String, FormatError> {
        let mut base = split_fragment(base).0.to_owned();
        let key = if draft4 { "id" } else { "$id" };
        let twice = |this: &Self, key: &str, what: &str, prev: usize| {
            let other = this.nodes.get(prev).map_or("", |n| n.id.as_str());
            this.invalid(
                file,
                pointer,
                key,
                format!("{what} is already the {key} of {other:?}"),
            )
        };
        if let Some(Value::String(own)) = map.member(key) {
            let resolved = resolve(&base, own);
            let (doc, frag) = split_fragment(&resolved);
            if doc != base {
                if let Some(prev) = self.resources.insert(doc.to_owned(), idx) {
                    return Err(twice(self, key, doc, prev));
                }
                base = doc.to_owned();
            }
            if frag.is_some_and(|f| !f.is_empty()) {
                if let Some(prev) = self.anchors.insert(resolved.clone(), idx) {
                    return Err(twice(self, key, &resolved, prev));
                }
            }
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            if let Some(Value::String(name)) = map.member(key) {
                let anchor = format!("{base}#{name}");
                if let Some(prev) = self.anchors.insert(anchor.clone(), idx) {
                    if prev != idx {
                        return Err(twice(self, key, &anchor, prev));
                    }
                }
            }
        }
        Ok(base)
    }

    /// The node's vertex kind (declaring the variants of a list of types).
    fn kind(
        &mut self,
        file: usize,
        pointer: &str,
        map: &[(String, Value)],
        id: &str,
    ) -> Result<&'static str, FormatError> {
        Ok(match map.member("type") {
            Some(Value::String(t)) => type_kind(t).ok_or_else(|| {
                self.invalid(
                    file,
                    pointer,
                    "type",
                    format!("{t:?} is not a JSON Schema type"),
                )
            })?,
            Some(Value::Array(types)) => {
                if types.is_empty() {
                    return Err(self.invalid(
                        file,
                        pointer,
                        "type",
                        "type lists no type".to_owned(),
                    ));
                }
                let mut seen = Vec::with_capacity(types.len());
                for (i, t) in types.iter().enumerate() {
                    let Some(kind) = t.as_str().and_then(type_kind) else {
                        return Err(self.invalid(
                            file,
                            pointer,
                            "type",
                            format!("{t} is not a JSON Schema type"),
                        ));
                    };
                    if seen.contains(&kind) {
                        return Err(self.invalid(
                            file,
                            pointer,
                            "type",
                            format!("type lists {kind:?} twice"),
                        ));
                    }
                    seen.push(kind);
                    let variant = format!("{id}/type/{kind}");
                    self.b = self.b.vertex(&variant, kind, None).edge(
                        id,
                        variant,
                        "variant",
                        Some(i.to_string()),
                    );
                }
                "union"
            }
            Some(other) => {
                return Err(self.invalid(
                    file,
                    pointer,
                    "type",
                    format!(
                        "type must be a type name or a list of them, not {}",
                        json_kind(other)
                    ),
                ));
            }
            None if map.has("$ref") => "ref",
            None if map.has("anyOf") || map.has("oneOf") => "union",
            None => "schema",
        })
    }

    /// One subschema under keyword `key`, joined by an unnamed `edge`.
    #[allow(clippy::too_many_arguments)]
    fn one(
        &mut self,
        file: usize,
        value: &Value,
        pointer: &mut String,
        key: &str,
        edge: &str,
        id: &str,
        base: &str,
    ) -> Result<(), FormatError> {
        let len = pointer.len();
        push_segment(pointer, key);
        let child = self.walk(file, value, pointer, base, key)?;
        pointer.truncate(len);
        self.b = self.b.edge(id, child, edge, None);
        Ok(())
    }

    /// An array of subschemas under keyword `key`, edges named by index.
    #[allow(clippy::too_many_arguments)]
    fn list(
        &mut self,
        file: usize,
        list: &[Value],
        pointer: &mut String,
        key: &str,
        edge: &str,
        id: &str,
        base: &str,
    ) -> Result<(), FormatError> {
        for (i, child) in list.iter().enumerate() {
            let len = pointer.len();
            let index = i.to_string();
            push_segment(pointer, key);
            push_segment(pointer, &index);
            let child = self.walk(file, child, pointer, base, key)?;
            pointer.truncate(len);
            self.b = self.b.edge(id, child, edge, Some(index));
        }
        Ok(())
    }

    /// Resolves every `$ref` into a `ref` edge (keeping the text where it
    /// is not what emit would write), or keeps the text of a ref to a
    /// document the source does not hold.
    fn resolve_refs(&mut self, roots: &[Value]) -> Result<(), FormatError> {
        let refs = std::mem::take(&mut self.refs);
        for (idx, text) in refs {
            let Some(node) = self.nodes.get(idx) else {
                continue;
            };
            let Some(file) = self.files.get(node.file) else {
                continue;
            };
            let uri = resolve(&node.base, &text);
            let (doc, frag) = split_fragment(&uri);
            let frag = decode_fragment(frag.unwrap_or(""));
            let by_path = resolve(file.path, &text);
            let found = self
                .resources
                .get(doc)
                .or_else(|| self.resources.get(split_fragment(&by_path).0))
                .and_then(|r| self.nodes.get(*r));
            let unresolved = || FormatError::UnresolvedRef {
                at: match locate(file.text, &format!("{}/$ref", node.pointer)) {
                    Some(offset) => Location::at_offset(file.path, file.text, offset),
                    None => Location::of_text(file.path, file.text, &format!("\"{text}\"")),
                },
                reference: text.clone(),
            };
            let target = match found {
                None if has_scheme(&uri) => None,
                None => return Err(unresolved()),
                Some(res) if frag.is_empty() => Some(res),
                Some(res) if frag.starts_with('/') => {
                    let prefix = self.files.get(res.file).map_or("", |f| f.prefix);
                    let tid = format!("{prefix}#{}{frag}", res.pointer);
                    match self.ids.get(&tid).and_then(|t| self.nodes.get(*t)) {
                        Some(t) => Some(t),
                        None => {
                            let full = format!("{}{frag}", res.pointer);
                            let exists = roots
                                .get(res.file)
                                .is_some_and(|r| r.pointer(&full).is_some());
                            if !exists {
                                return Err(unresolved());
                            }
                            // A location that is not a schema node (inside
                            // a keyword kept as an annotation): kept as text.
                            None
                        }
                    }
                }
                Some(res) => {
                    let anchor = format!("{}#{frag}", split_fragment(&res.base).0);
                    match self
                        .anchors
                        .get(&anchor)
                        .or_else(|| self.anchors.get(uri.as_str()))
                        .and_then(|t| self.nodes.get(*t))
                    {
                        Some(t) => Some(t),
                        None => return Err(unresolved()),
                    }
                }
            };
            let src = node.id.clone();
            match target {
                Some(t) => {
                    let to = self.files.get(t.file).map_or("", |f| f.path);
                    let canonical = canonical_ref(file.path, to, &t.pointer);
                    self.b = self.b.edge(&src, &t.id, "ref", None);
                    if canonical != text {
                        self.b = self.b.constraint(src, "$ref", text);
                    }
                }
                None => self.b = self.b.constraint(src, "$ref", text),
            }
        }
        Ok(())
    }
}

/// The kind of a type name.
fn type_kind(t: &str) -> Option<&'static str> {
    [
        "object", "array", "string", "number", "integer", "boolean", "null",
    ]
    .into_iter()
    .find(|k| *k == t && is_type(k))
}

/// The constraint text of a keyword's value, if it has the slot's shape.
fn constraint_text(shape: Slot, v: &Value) -> Option<String> {
    match (shape, v) {
        (Slot::Text, Value::String(s)) => Some(s.clone()),
        (Slot::Number | Slot::NumberOrBool, Value::Number(n)) => Some(n.to_string()),
        (Slot::Count, Value::Number(n))
            if n.is_u64() || n.as_f64().is_some_and(|f| f >= 0.0 && f.fract() == 0.0) =>
        {
            Some(n.to_string())
        }
        (Slot::Bool | Slot::NumberOrBool, Value::Bool(b)) => Some(b.to_string()),
        (Slot::Array, Value::Array(_)) | (Slot::Object, Value::Object(_)) | (Slot::Json, _) => {
            Some(v.to_string())
        }
        _ => None,
    }
}

fn shape_name(shape: Slot) -> &'static str {
    match shape {
        Slot::Text => "a string",
        Slot::Number => "a number",
        Slot::Count => "a non-negative integer",
        Slot::Bool => "a boolean",
        Slot::NumberOrBool => "a number or a boolean",
        Slot::Array => "an array",
        Slot::Object => "an object",
        Slot::One(_) | Slot::Map(_) | Slot::List(_) | Slot::Json => "a schema",
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn json_text(names: &[&str]) -> String {
    Value::Array(
        names
            .iter()
            .map(|n| Value::String((*n).to_owned()))
            .collect(),
    )
    .to_string()
}
