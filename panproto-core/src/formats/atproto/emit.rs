//! Writing a schema back as lexicon files: one file per `file` vertex, its
//! defs in their order, every member from its vertex, constraints and
//! edges. What the walk does not reach, or finds no place for, makes the
//! schema unemittable rather than being left out.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

use super::MAX_DEPTH;
use super::ids::{def_id, write_ref};
use super::json::{self, Json};

use crate::formats::{Emitted, FormatError, FormatOptions, edges_by_source};
use crate::model::{Edge, Schema};

type Entries<'s> = Vec<(Cow<'s, str>, Json<'s>)>;

/// Writes every file of `schema`.
pub(super) fn emit(schema: &Schema, _options: &FormatOptions) -> Result<Emitted, FormatError> {
    if let Some(id) = schema.hyper_edges().keys().next() {
        return Err(unemittable(
            format!("hyper-edge {id:?}"),
            "lexicons have no hyper-edges",
        ));
    }
    let out = edges_by_source(schema);
    let mut emitter = Emitter {
        schema,
        out,
        visited: FxHashSet::default(),
        nsid: "",
        depth: 0,
    };
    let mut files = BTreeMap::new();
    for v in schema.vertices().values().filter(|v| v.kind == "file") {
        let text = emitter.file(&v.id, v.nsid.as_deref())?;
        files.insert(v.id.clone(), text);
    }
    if files.is_empty() {
        return Err(unemittable(
            "the schema",
            "it has no lexicon file (a vertex of kind \"file\", as parsing a lexicon makes)",
        ));
    }
    if let Some(v) = schema
        .vertices()
        .values()
        .find(|v| !emitter.visited.contains(v.id.as_str()))
    {
        return Err(unemittable(
            format!("vertex {:?}", v.id),
            "no file's defs reach it",
        ));
    }
    Ok(Emitted { files })
}

fn unemittable(element: impl Into<String>, reason: impl Into<String>) -> FormatError {
    FormatError::Unemittable {
        format: "atproto".to_owned(),
        element: element.into(),
        reason: reason.into(),
    }
}

struct Emitter<'s> {
    schema: &'s Schema,
    out: FxHashMap<&'s str, Vec<&'s Edge>>,
    visited: FxHashSet<&'s str>,
    /// The NSID of the file being written.
    nsid: &'s str,
    /// How deeply the type being written is nested.
    depth: usize,
}

/// One vertex being written: the constraints and edges read so far, so
/// that any left over is reported.
struct Node<'s> {
    id: &'s str,
    kind: &'s str,
    cons: Option<&'s BTreeMap<String, String>>,
    read: Vec<&'static str>,
    edges: Vec<&'s Edge>,
    taken: Vec<&'static str>,
    required: Option<&'s BTreeSet<String>>,
}

impl<'s> Node<'s> {
    fn get(&mut self, sort: &'static str) -> Option<&'s str> {
        let value = self.cons?.get(sort)?;
        self.read.push(sort);
        Some(value)
    }

    fn take(&mut self, kind: &'static str) -> Vec<&'s Edge> {
        self.taken.push(kind);
        self.edges
            .iter()
            .copied()
            .filter(|e| e.kind == kind)
            .collect()
    }

    /// The one edge of `kind`, if any; more than one is an error.
    fn take_one(&mut self, kind: &'static str) -> Result<Option<&'s Edge>, FormatError> {
        let edges = self.take(kind);
        match edges.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(unemittable(
                format!("vertex {:?}", self.id),
                format!(
                    "it has {} {kind:?} edges; a lexicon {} has one",
                    edges.len(),
                    self.kind
                ),
            )),
        }
    }

    fn str(&mut self, out: &mut Entries<'s>, sort: &'static str) {
        if let Some(v) = self.get(sort) {
            out.push((Cow::Borrowed(sort), Json::Str(Cow::Borrowed(v))));
        }
    }

    fn int(&mut self, out: &mut Entries<'s>, sort: &'static str) -> Result<(), FormatError> {
        if let Some(v) = self.get(sort) {
            let n = int(self.id, sort, v)?;
            out.push((Cow::Borrowed(sort), n));
        }
        Ok(())
    }

    fn boolean(&mut self, out: &mut Entries<'s>, sort: &'static str) -> Result<(), FormatError> {
        if let Some(v) = self.get(sort) {
            let b = boolean(self.id, sort, v)?;
            out.push((Cow::Borrowed(sort), Json::Bool(b)));
        }
        Ok(())
    }

    /// A constraint kept as JSON text.
    fn raw(&mut self, out: &mut Entries<'s>, sort: &'static str) -> Result<(), FormatError> {
        if let Some(v) = self.get(sort) {
            let value = raw(self.id, sort, v)?;
            out.push((Cow::Borrowed(sort), value));
        }
        Ok(())
    }

    /// The names of an `order` constraint.
    fn order(&mut self) -> Result<Vec<Cow<'s, str>>, FormatError> {
        let Some(v) = self.get("order") else {
            return Ok(Vec::new());
        };
        let Json::Array(items) = raw(self.id, "order", v)? else {
            return Err(unemittable(
                format!("constraint order of vertex {:?}", self.id),
                "it is not a JSON array of names",
            ));
        };
        items
            .into_iter()
            .map(|item| match item {
                Json::Str(s) => Ok(s),
                _ => Err(unemittable(
                    format!("constraint order of vertex {:?}", self.id),
                    "it is not a JSON array of names",
                )),
            })
            .collect()
    }

    /// Appends the annotation's keys, then checks nothing is left over.
    fn finish(mut self, out: &mut Entries<'s>) -> Result<(), FormatError> {
        if let Some(v) = self.get("annotation") {
            let Json::Object(extra) = raw(self.id, "annotation", v)? else {
                return Err(unemittable(
                    format!("constraint annotation of vertex {:?}", self.id),
                    "it is not a JSON object",
                ));
            };
            for (k, v) in extra {
                if out.iter().any(|(have, _)| *have == k) {
                    return Err(unemittable(
                        format!("constraint annotation of vertex {:?}", self.id),
                        format!("its key {k:?} is one the lexicon writes itself"),
                    ));
                }
                out.push((k, v));
            }
        }
        if let Some(cons) = self.cons {
            if let Some(sort) = cons.keys().find(|s| !self.read.contains(&s.as_str())) {
                return Err(unemittable(
                    format!("constraint {sort} of vertex {:?}", self.id),
                    format!("a lexicon {} has no {sort}", self.kind),
                ));
            }
        }
        if let Some(e) = self
            .edges
            .iter()
            .find(|e| !self.taken.contains(&e.kind.as_str()))
        {
            return Err(unemittable(
                format!("edge {e}"),
                format!("a lexicon {} has no {:?} edge", self.kind, e.kind),
            ));
        }
        if self.required.is_some() && !matches!(self.kind, "object" | "params") {
            return Err(unemittable(
                format!("required on vertex {:?}", self.id),
                format!("a lexicon {} has no required properties", self.kind),
            ));
        }
        Ok(())
    }
}

fn int<'s>(id: &str, sort: &str, v: &str) -> Result<Json<'s>, FormatError> {
    if let Ok(i) = v.parse::<i64>() {
        Ok(Json::Int(i))
    } else if let Ok(u) = v.parse::<u64>() {
        Ok(Json::UInt(u))
    } else {
        Err(unemittable(
            format!("constraint {sort} of vertex {id:?}"),
            format!("{v:?} is not an integer"),
        ))
    }
}

fn boolean(id: &str, sort: &str, v: &str) -> Result<bool, FormatError> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(unemittable(
            format!("constraint {sort} of vertex {id:?}"),
            format!("{v:?} is not true or false"),
        )),
    }
}

fn raw<'s>(id: &str, sort: &str, v: &'s str) -> Result<Json<'s>, FormatError> {
    json::parse(v).map_err(|e| {
        unemittable(
            format!("constraint {sort} of vertex {id:?}"),
            format!("it is not JSON: {e}"),
        )
    })
}

impl<'s> Emitter<'s> {
    /// Starts writing vertex `id`, which must be reached once.
    fn node(&mut self, id: &'s str) -> Result<Node<'s>, FormatError> {
        let schema = self.schema;
        let Some(v) = schema.vertices().get(id) else {
            return Err(unemittable(format!("vertex {id:?}"), "it does not exist"));
        };
        if !self.visited.insert(v.id.as_str()) {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "it is reached from two places; a lexicon member has one",
            ));
        }
        Ok(Node {
            id: v.id.as_str(),
            kind: v.kind.as_str(),
            cons: schema.constraints().get(id),
            read: Vec::new(),
            edges: self.out.remove(id).unwrap_or_default(),
            taken: Vec::new(),
            required: schema.required().get(id),
        })
    }

    /// A whole file.
    fn file(&mut self, id: &'s str, nsid: Option<&'s str>) -> Result<String, FormatError> {
        let Some(nsid) = nsid else {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "a lexicon file vertex carries its NSID",
            ));
        };
        self.nsid = nsid;
        let mut node = self.node(id)?;
        let mut out: Entries<'s> = vec![
            (Cow::Borrowed("lexicon"), Json::Int(1)),
            (Cow::Borrowed("id"), Json::Str(Cow::Borrowed(nsid))),
        ];
        node.int(&mut out, "revision")?;
        node.str(&mut out, "description");
        let order = node.order()?;
        let edges = node.take("def");
        let mut defs = Vec::with_capacity(edges.len());
        for e in ordered(&node, &edges, &order, |e| e.name.as_deref())? {
            let name = e.name.as_deref().unwrap_or_default();
            if e.tgt != def_id(nsid, name) {
                return Err(unemittable(
                    format!("edge {e}"),
                    format!(
                        "the def {name:?} of lexicon {nsid} is the vertex {:?}",
                        def_id(nsid, name)
                    ),
                ));
            }
            defs.push((Cow::Borrowed(name), self.ty(&e.tgt)?));
        }
        out.push((Cow::Borrowed("defs"), Json::Object(defs)));
        node.finish(&mut out)?;
        Ok(Json::Object(out).to_pretty())
    }

    /// A type, nested no deeper than [`MAX_DEPTH`].
    fn ty(&mut self, id: &'s str) -> Result<Json<'s>, FormatError> {
        self.depth += 1;
        let result = if self.depth > MAX_DEPTH {
            Err(unemittable(
                format!("vertex {id:?}"),
                format!("it is nested more than {MAX_DEPTH} types deep"),
            ))
        } else {
            self.ty_at(id)
        };
        self.depth -= 1;
        result
    }

    fn ty_at(&mut self, id: &'s str) -> Result<Json<'s>, FormatError> {
        let mut node = self.node(id)?;
        let kind = node.kind;
        let mut out: Entries<'s> = vec![(Cow::Borrowed("type"), Json::Str(Cow::Borrowed(kind)))];
        node.str(&mut out, "description");
        match kind {
            "string" => {
                node.str(&mut out, "format");
                for sort in ["maxLength", "minLength", "maxGraphemes", "minGraphemes"] {
                    node.int(&mut out, sort)?;
                }
                node.raw(&mut out, "knownValues")?;
                node.raw(&mut out, "enum")?;
                node.str(&mut out, "const");
                node.str(&mut out, "default");
            }
            "integer" => {
                node.int(&mut out, "minimum")?;
                node.int(&mut out, "maximum")?;
                node.raw(&mut out, "enum")?;
                node.int(&mut out, "const")?;
                node.int(&mut out, "default")?;
            }
            "boolean" => {
                node.boolean(&mut out, "const")?;
                node.boolean(&mut out, "default")?;
            }
            "bytes" => {
                node.int(&mut out, "minLength")?;
                node.int(&mut out, "maxLength")?;
            }
            "blob" => {
                node.raw(&mut out, "accept")?;
                node.int(&mut out, "maxSize")?;
            }
            "array" => {
                let Some(items) = node.take_one("items")? else {
                    return Err(unemittable(format!("vertex {id:?}"), "an array has items"));
                };
                out.push((Cow::Borrowed("items"), self.ty(&items.tgt)?));
                node.int(&mut out, "minLength")?;
                node.int(&mut out, "maxLength")?;
            }
            "object" | "params" => self.properties(&mut node, &mut out)?,
            "ref" => {
                let Some(e) = node.take_one("ref")? else {
                    return Err(unemittable(format!("vertex {id:?}"), "a ref has a target"));
                };
                let target = self.target(e)?;
                out.push((Cow::Borrowed("ref"), Json::Str(Cow::Owned(target))));
            }
            "union" => {
                let order = node.order()?;
                let edges = node.take("variant");
                let mut refs = Vec::with_capacity(edges.len());
                for e in ordered(&node, &edges, &order, |e| Some(e.tgt.as_str()))? {
                    refs.push(Json::Str(Cow::Owned(self.target(e)?)));
                }
                out.push((Cow::Borrowed("refs"), Json::Array(refs)));
                node.boolean(&mut out, "closed")?;
            }
            "record" => {
                node.str(&mut out, "key");
                let Some(e) = node.take_one("record-schema")? else {
                    return Err(unemittable(
                        format!("vertex {id:?}"),
                        "a record has a record object",
                    ));
                };
                out.push((Cow::Borrowed("record"), self.ty(&e.tgt)?));
            }
            "query" | "procedure" | "subscription" => {
                if let Some(e) = node.take_one("parameters")? {
                    out.push((Cow::Borrowed("parameters"), self.ty(&e.tgt)?));
                }
                for edge in ["input", "output", "message"] {
                    if let Some(e) = node.take_one(edge)? {
                        out.push((Cow::Borrowed(edge), self.body(&e.tgt)?));
                    }
                }
                let order = node.order()?;
                let edges = node.take("error");
                if !edges.is_empty() {
                    let mut errors = Vec::with_capacity(edges.len());
                    for e in ordered(&node, &edges, &order, |e| e.name.as_deref())? {
                        errors.push(self.error(&e.tgt, e.name.as_deref().unwrap_or_default())?);
                    }
                    out.push((Cow::Borrowed("errors"), Json::Array(errors)));
                }
            }
            "permission-set" => {
                node.str(&mut out, "title");
                node.str(&mut out, "detail");
                node.raw(&mut out, "permissions")?;
            }
            "token" | "unknown" | "cid-link" | "null" => {}
            other => {
                return Err(unemittable(
                    format!("vertex {id:?}"),
                    format!("a {other} is not a lexicon type"),
                ));
            }
        }
        node.finish(&mut out)?;
        Ok(Json::Object(out))
    }

    /// An object's or params' `required`, `nullable` and `properties`.
    fn properties(
        &mut self,
        node: &mut Node<'s>,
        out: &mut Entries<'s>,
    ) -> Result<(), FormatError> {
        let order = node.order()?;
        let edges = node.take("prop");
        let edges = ordered(node, &edges, &order, |e| e.name.as_deref())?;
        if let Some(required) = node.required {
            let names = edges
                .iter()
                .filter_map(|e| e.name.as_deref())
                .filter(|n| required.contains(*n))
                .map(|n| Json::Str(Cow::Borrowed(n)))
                .collect();
            out.push((Cow::Borrowed("required"), Json::Array(names)));
        }
        node.raw(out, "nullable")?;
        let mut props = Vec::with_capacity(edges.len());
        for e in edges {
            let name = e.name.as_deref().unwrap_or_default();
            props.push((Cow::Borrowed(name), self.ty(&e.tgt)?));
        }
        out.push((Cow::Borrowed("properties"), Json::Object(props)));
        Ok(())
    }

    /// An input, output or message.
    fn body(&mut self, id: &'s str) -> Result<Json<'s>, FormatError> {
        let mut node = self.node(id)?;
        if node.kind != "body" {
            return Err(unemittable(
                format!("vertex {id:?}"),
                format!("an input, output or message is a body, not a {}", node.kind),
            ));
        }
        let mut out = Vec::new();
        node.str(&mut out, "description");
        node.str(&mut out, "encoding");
        if let Some(e) = node.take_one("schema")? {
            out.push((Cow::Borrowed("schema"), self.ty(&e.tgt)?));
        }
        node.finish(&mut out)?;
        Ok(Json::Object(out))
    }

    /// One error of a query, procedure or subscription.
    fn error(&mut self, id: &'s str, name: &'s str) -> Result<Json<'s>, FormatError> {
        let mut node = self.node(id)?;
        if node.kind != "error" {
            return Err(unemittable(
                format!("vertex {id:?}"),
                format!("an error is an error vertex, not a {}", node.kind),
            ));
        }
        let mut out = vec![(Cow::Borrowed("name"), Json::Str(Cow::Borrowed(name)))];
        node.str(&mut out, "description");
        node.finish(&mut out)?;
        Ok(Json::Object(out))
    }

    /// How a ref to an edge's target is written here; an external target
    /// is reached by it.
    fn target(&mut self, e: &'s Edge) -> Result<String, FormatError> {
        let Some(v) = self.schema.vertices().get(&e.tgt) else {
            return Err(unemittable(
                format!("edge {e}"),
                "its target does not exist",
            ));
        };
        if v.kind == "external" {
            self.visited.insert(v.id.as_str());
        }
        Ok(write_ref(&e.tgt, self.nsid))
    }
}

/// `edges` in the order `order` lists their keys, then any others in key
/// order; an order naming no edge is an error.
fn ordered<'s>(
    node: &Node<'s>,
    edges: &[&'s Edge],
    order: &[Cow<'_, str>],
    key: impl Fn(&Edge) -> Option<&str>,
) -> Result<Vec<&'s Edge>, FormatError> {
    let mut by_key: FxHashMap<&str, &'s Edge> = FxHashMap::default();
    for e in edges {
        let Some(k) = key(e) else {
            return Err(unemittable(format!("edge {e}"), "it has no name"));
        };
        by_key.insert(k, e);
    }
    let mut result = Vec::with_capacity(edges.len());
    for k in order {
        match by_key.remove(k.as_ref()) {
            Some(e) => result.push(e),
            None => {
                return Err(unemittable(
                    format!("constraint order of vertex {:?}", node.id),
                    format!("it lists {k:?}, which no edge has"),
                ));
            }
        }
    }
    let mut rest: Vec<(&str, &'s Edge)> = by_key.into_iter().collect();
    rest.sort_unstable_by(|a, b| a.0.cmp(b.0));
    result.extend(rest.into_iter().map(|(_, e)| e));
    Ok(result)
}
