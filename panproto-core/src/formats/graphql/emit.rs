//! Writing a schema of the `graphql` protocol back as SDL, in the style of
//! graphql-js's `printSchema` (two-space indent, a blank line between
//! definitions, descriptions as block strings where one holds them).
//!
//! A schema without `file` vertices is one file, `schema.graphql`: the
//! `schema` block first, then the directive definitions, then the types,
//! each group by name. With `file` vertices, each file gets what it
//! `declares` (definitions) and what it `extends` (`extend` blocks).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::text::{is_name, push_comment, push_description, push_string};
use super::{BUILTIN_SCALARS, DEFAULT_REASON};
use crate::formats::{Emitted, FormatError, FormatOptions};
use crate::model::Schema;
use crate::model::schema::Edge;

type Result<T> = std::result::Result<T, FormatError>;

/// The kinds of declarations written at the top level of a file.
const TOP: &[&str] = &[
    "schema",
    "directive",
    "object",
    "interface",
    "input",
    "union",
    "enum",
    "scalar",
];

/// Lists nested deeper than this are a cycle (the parser's recursion limit
/// is lower).
const MAX_LIST_DEPTH: usize = 1000;

/// The file name of a single-file schema.
const SINGLE_FILE: &str = "schema.graphql";

/// Writes `.graphql` files.
pub(crate) fn emit(schema: &Schema, _options: &FormatOptions) -> Result<Emitted> {
    let mut w = Writer::new(schema);
    let files: Vec<&str> = schema
        .vertices()
        .values()
        .filter(|v| v.kind == "file")
        .map(|v| v.id.as_str())
        .collect();
    let emitted = if files.is_empty() {
        let mut out = String::new();
        let mut tops: Vec<(&str, &str)> = schema
            .vertices()
            .values()
            .filter(|v| TOP.contains(&v.kind.as_str()))
            .map(|v| (v.id.as_str(), v.kind.as_str()))
            .collect();
        tops.sort_by_key(|(id, kind)| (group(kind), *id));
        for (id, kind) in tops {
            let extension = w.constraint(id, "extension") == Some("true");
            w.declaration(&mut out, id, kind, extension, None, true)?;
        }
        Emitted::single(SINGLE_FILE, out)
    } else {
        let mut emitted = Emitted::default();
        for file in &files {
            let text = w.file(file)?;
            emitted.files.insert((*file).to_owned(), text);
        }
        emitted
    };
    w.check_all_written()?;
    Ok(emitted)
}

/// The order of declaration groups in a file.
fn group(kind: &str) -> u8 {
    match kind {
        "schema" => 0,
        "directive" => 1,
        _ => 2,
    }
}

fn unemittable(element: impl Into<String>, reason: impl Into<String>) -> FormatError {
    FormatError::Unemittable {
        format: "graphql".to_owned(),
        element: element.into(),
        reason: reason.into(),
    }
}

struct Writer<'s> {
    schema: &'s Schema,
    /// Outgoing edges by source.
    out: HashMap<&'s str, Vec<&'s Edge>>,
    /// Members an extension added, by the file it is in.
    tagged: HashMap<&'s str, &'s str>,
    /// Per extension-only declaration, the first file (by path) extending it.
    first_extender: HashMap<&'s str, &'s str>,
    written: HashSet<&'s str>,
}

impl<'s> Writer<'s> {
    fn new(schema: &'s Schema) -> Self {
        let mut out: HashMap<&str, Vec<&Edge>> = HashMap::default();
        let mut tagged = HashMap::default();
        let mut first_extender: HashMap<&str, &str> = HashMap::default();
        for e in schema.edges() {
            out.entry(e.src.as_str()).or_default().push(e);
            if e.kind == "extends" {
                let top = schema
                    .vertices()
                    .get(&e.tgt)
                    .is_some_and(|v| TOP.contains(&v.kind.as_str()));
                if top {
                    let first = first_extender.entry(e.tgt.as_str()).or_insert(&e.src);
                    if e.src.as_str() < *first {
                        *first = &e.src;
                    }
                } else {
                    tagged.insert(e.tgt.as_str(), e.src.as_str());
                }
            }
        }
        // External types are defined by another source: nothing to write.
        let written = schema
            .vertices()
            .values()
            .filter(|v| v.kind == "external")
            .map(|v| v.id.as_str())
            .collect();
        Self {
            schema,
            out,
            tagged,
            first_extender,
            written,
        }
    }

    fn constraint(&self, id: &str, sort: &str) -> Option<&'s str> {
        self.schema.constraint(id, sort)
    }

    fn kind(&self, id: &str) -> Option<&'s str> {
        self.schema.vertices().get(id).map(|v| v.kind.as_str())
    }

    fn edges<'a>(
        &'a self,
        id: &str,
        kind: &'static str,
    ) -> impl Iterator<Item = &'s Edge> + use<'a, 's> {
        self.out
            .get(id)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(move |e| e.kind == kind)
    }

    /// The edges of `kind` from `id`, in the order its `order` constraint
    /// gives (by edge name, or target for unnamed edges); the rest by name.
    fn ordered(&self, id: &str, kind: &'static str) -> Vec<&'s Edge> {
        let mut edges: Vec<&Edge> = self.edges(id, kind).collect();
        let order: Vec<String> = self
            .constraint(id, "order")
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or_default();
        let position: HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let key = |e: &Edge| e.name.clone().unwrap_or_else(|| e.tgt.clone());
        edges.sort_by_cached_key(|e| {
            let k = key(e);
            (position.get(k.as_str()).copied().unwrap_or(usize::MAX), k)
        });
        edges
    }

    fn mark(&mut self, id: &'s str) {
        self.written.insert(id);
    }

    /// Every vertex must have been written: one that was not is something
    /// the format cannot say (a hand-built vertex no declaration reaches).
    fn check_all_written(&self) -> Result<()> {
        match self
            .schema
            .vertices()
            .values()
            .find(|v| !self.written.contains(v.id.as_str()))
        {
            None => Ok(()),
            Some(v) => Err(unemittable(
                format!("vertex {:?} ({})", v.id, v.kind),
                "no type, field, argument or file of the schema reaches it",
            )),
        }
    }

    /// One file of a multi-file schema.
    fn file(&mut self, path: &'s str) -> Result<String> {
        self.mark(path);
        let mut out = String::new();
        let mut tops: Vec<(&'s str, &'s str, bool)> = Vec::new();
        let mut extended_parents: Vec<&'s str> = Vec::new();
        let edges: Vec<&'s Edge> = self.out.get(path).cloned().unwrap_or_default();
        for e in edges {
            let kind = self.kind(&e.tgt).unwrap_or("");
            match e.kind.as_str() {
                "declares" if TOP.contains(&kind) => tops.push((&e.tgt, kind, false)),
                "extends" if TOP.contains(&kind) => tops.push((&e.tgt, kind, true)),
                "extends" => {}
                _ => {
                    return Err(unemittable(
                        format!("edge {e}"),
                        "a file declares and extends types, directives and the schema block",
                    ));
                }
            }
        }
        // Members this file adds to types declared in other files.
        for (member, file) in &self.tagged {
            if *file != path {
                continue;
            }
            let parent = self.parent(member)?;
            let extended_here = tops.iter().any(|(id, _, ext)| *id == parent && *ext);
            if !extended_here && !extended_parents.contains(&parent) {
                extended_parents.push(parent);
            }
        }
        for parent in extended_parents {
            let kind = self.kind(parent).unwrap_or("");
            tops.push((parent, kind, true));
        }
        tops.sort_by_key(|(id, kind, ext)| (group(kind), *id, *ext));
        for (id, kind, extension) in tops {
            let whole = !extension || self.first_extender.get(id) == Some(&path);
            self.declaration(&mut out, id, kind, extension, Some(path), whole)?;
        }
        Ok(out)
    }

    /// The type a member vertex belongs to.
    fn parent(&self, member: &str) -> Result<&'s str> {
        let dot = member.find('.').unwrap_or(0);
        let parent = member.get(..dot).unwrap_or("");
        let kind = self.kind(parent).unwrap_or("");
        if matches!(kind, "object" | "interface" | "input" | "enum") {
            Ok(self
                .schema
                .vertices()
                .get_key_value(parent)
                .map_or("", |(k, _)| k.as_str()))
        } else {
            Err(unemittable(
                format!("vertex {member:?}"),
                "a file extends it, but it is no member of a type",
            ))
        }
    }

    /// Writes one top-level declaration. `file`: the file being written
    /// (members tagged for another file are left out, and in an extension
    /// only this file's are written); `whole`: write the declaration's own
    /// parts (description, directives, interfaces), not just members.
    fn declaration(
        &mut self,
        out: &mut String,
        id: &'s str,
        kind: &'s str,
        extension: bool,
        file: Option<&'s str>,
        whole: bool,
    ) -> Result<()> {
        let keep = |w: &Self, member: &str| match (file, w.tagged.get(member)) {
            (None, _) => true,
            (Some(_), None) => !extension,
            (Some(f), Some(t)) => *t == f && extension,
        };
        let mut body = String::new();
        if kind == "directive" {
            return self.directive_definition(out, id);
        }
        if kind != "schema" && !is_name(id) {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "a GraphQL type name is letters, digits and _",
            ));
        }
        if whole {
            self.mark(id);
        }
        let mut head = String::new();
        if whole && !extension {
            if let Some(c) = self.constraint(id, "comment") {
                push_comment(&mut head, c, "");
            }
            if let Some(d) = self.constraint(id, "description") {
                push_description(&mut head, d, "");
            }
        }
        if extension {
            head.push_str("extend ");
        }
        head.push_str(match kind {
            "object" => "type",
            "input" => "input",
            other => other,
        });
        if kind != "schema" {
            head.push(' ');
            head.push_str(id);
        }
        let mut has_parts = false;
        if whole && matches!(kind, "object" | "interface") {
            let ifaces: Vec<&str> = self
                .edges(id, "implements")
                .map(|e| e.tgt.as_str())
                .collect();
            for (i, iface) in ifaces.iter().enumerate() {
                head.push_str(if i == 0 { " implements " } else { " & " });
                head.push_str(iface);
                has_parts = true;
            }
        }
        if whole {
            if let Some(d) = self.constraint(id, "directive") {
                head.push(' ');
                head.push_str(d);
                has_parts = true;
            }
        }
        match kind {
            "object" | "interface" | "input" => {
                let edge = if kind == "input" {
                    "input-field"
                } else {
                    "field"
                };
                for e in self.ordered(id, edge) {
                    if keep(self, &e.tgt) {
                        self.member(&mut body, e, kind == "input")?;
                    }
                }
            }
            "enum" => {
                for e in self.ordered(id, "value") {
                    if keep(self, &e.tgt) {
                        self.enum_value(&mut body, e)?;
                    }
                }
            }
            "union" if whole => {
                let members = self.ordered(id, "member");
                for (i, e) in members.iter().enumerate() {
                    head.push_str(if i == 0 { " = " } else { " | " });
                    head.push_str(&e.tgt);
                    has_parts = true;
                }
            }
            "schema" if whole => {
                for e in self.ordered(id, "operation") {
                    let name = e.name.as_deref().unwrap_or("");
                    if !matches!(name, "query" | "mutation" | "subscription") {
                        return Err(unemittable(
                            format!("edge {e}"),
                            "a root operation is query, mutation or subscription",
                        ));
                    }
                    body.push_str("  ");
                    body.push_str(name);
                    body.push_str(": ");
                    body.push_str(&e.tgt);
                    body.push('\n');
                }
            }
            _ => {}
        }
        if body.is_empty() && extension && !has_parts {
            // An extension that adds nothing here (its parts are written with
            // another file's extension of the same type).
            return Ok(());
        }
        if kind == "schema" && body.is_empty() && !extension {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "a schema block names at least one root operation type",
            ));
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&head);
        if !body.is_empty() {
            out.push_str(" {\n");
            out.push_str(&body);
            out.push('}');
        }
        out.push('\n');
        Ok(())
    }

    fn directive_definition(&mut self, out: &mut String, id: &'s str) -> Result<()> {
        let name = id.strip_prefix('@').unwrap_or("");
        if !is_name(name) {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "a directive definition's id is @ and its name",
            ));
        }
        let Some(locations) = self.constraint(id, "locations").filter(|l| !l.is_empty()) else {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "a directive definition needs its locations",
            ));
        };
        self.mark(id);
        if !out.is_empty() {
            out.push('\n');
        }
        if let Some(c) = self.constraint(id, "comment") {
            push_comment(out, c, "");
        }
        if let Some(d) = self.constraint(id, "description") {
            push_description(out, d, "");
        }
        out.push_str("directive ");
        out.push_str(id);
        self.arguments(out, id, "")?;
        if self.constraint(id, "repeatable") == Some("true") {
            out.push_str(" repeatable");
        }
        out.push_str(" on ");
        out.push_str(locations);
        out.push('\n');
        Ok(())
    }

    /// A field or input field, with its arguments.
    fn member(&mut self, out: &mut String, e: &'s Edge, input: bool) -> Result<()> {
        let name = self.member_name(e)?;
        let id = e.tgt.as_str();
        if self.is_named_type(id) {
            // A hand-built field straight to a named type: its type, nullable.
            out.push_str("  ");
            out.push_str(name);
            out.push_str(": ");
            out.push_str(id);
            out.push('\n');
            return Ok(());
        }
        self.mark(id);
        out.push_str("  ");
        if let Some(c) = self.constraint(id, "comment") {
            push_comment(out, c, "  ");
        }
        if let Some(d) = self.constraint(id, "description") {
            push_description(out, d, "  ");
        }
        out.push_str(name);
        if !input {
            self.arguments(out, id, "  ")?;
        }
        out.push_str(": ");
        self.type_of(out, id)?;
        self.value_tail(out, id);
        out.push('\n');
        Ok(())
    }

    fn is_named_type(&self, id: &str) -> bool {
        self.kind(id)
            .is_some_and(|k| TOP.contains(&k) && k != "schema" && k != "directive")
    }

    fn member_name(&self, e: &'s Edge) -> Result<&'s str> {
        match e.name.as_deref() {
            Some(n) if is_name(n) => Ok(n),
            _ => Err(unemittable(
                format!("edge {e}"),
                "a member's name is letters, digits and _",
            )),
        }
    }

    /// ` = default @deprecated(...) @directives`.
    fn value_tail(&self, out: &mut String, id: &str) {
        if let Some(d) = self.constraint(id, "default") {
            out.push_str(" = ");
            out.push_str(d);
        }
        self.directive_uses(out, id);
    }

    fn directive_uses(&self, out: &mut String, id: &str) {
        if let Some(reason) = self.constraint(id, "deprecated") {
            out.push_str(" @deprecated");
            if reason != DEFAULT_REASON {
                out.push_str("(reason: ");
                push_string(out, reason);
                out.push(')');
            }
        }
        if let Some(d) = self.constraint(id, "directive") {
            out.push(' ');
            out.push_str(d);
        }
    }

    fn enum_value(&mut self, out: &mut String, e: &'s Edge) -> Result<()> {
        let name = self.member_name(e)?;
        if matches!(name, "true" | "false" | "null") {
            return Err(unemittable(
                format!("edge {e}"),
                "an enum value cannot be true, false or null",
            ));
        }
        self.mark(&e.tgt);
        out.push_str("  ");
        if let Some(c) = self.constraint(&e.tgt, "comment") {
            push_comment(out, c, "  ");
        }
        if let Some(d) = self.constraint(&e.tgt, "description") {
            push_description(out, d, "  ");
        }
        out.push_str(name);
        self.directive_uses(out, &e.tgt);
        out.push('\n');
        Ok(())
    }

    /// `(a: Int = 1, b: String)`, or one per line when one has a description.
    fn arguments(&mut self, out: &mut String, owner: &str, indent: &str) -> Result<()> {
        let args = self.ordered(owner, "argument");
        if args.is_empty() {
            return Ok(());
        }
        let multiline = args.iter().any(|e| {
            self.constraint(&e.tgt, "description").is_some()
                || self.constraint(&e.tgt, "comment").is_some()
        });
        let inner = format!("{indent}  ");
        out.push('(');
        for (i, e) in args.iter().enumerate() {
            let name = self.member_name(e)?;
            let id = e.tgt.as_str();
            if multiline {
                out.push('\n');
                out.push_str(&inner);
                if let Some(c) = self.constraint(id, "comment") {
                    push_comment(out, c, &inner);
                }
                if let Some(d) = self.constraint(id, "description") {
                    push_description(out, d, &inner);
                }
            } else if i > 0 {
                out.push_str(", ");
            }
            self.mark(id);
            out.push_str(name);
            out.push_str(": ");
            self.type_of(out, id)?;
            self.value_tail(out, id);
        }
        if multiline {
            out.push('\n');
            out.push_str(indent);
        }
        out.push(')');
        Ok(())
    }

    /// The type of a typed vertex: a built-in scalar, a ref's target, a
    /// list of its item; `!` where it is non-null.
    fn type_of(&mut self, out: &mut String, id: &'s str) -> Result<()> {
        self.type_at_depth(out, id, 0)
    }

    fn type_at_depth(&mut self, out: &mut String, id: &'s str, depth: usize) -> Result<()> {
        if depth > MAX_LIST_DEPTH {
            return Err(unemittable(
                format!("vertex {id:?}"),
                "its list items nest without end (a cycle of of edges)",
            ));
        }
        let kind = self.kind(id).unwrap_or("");
        self.mark(id);
        if let Some(builtin) = BUILTIN_SCALARS.iter().find(|s| **s == kind) {
            out.push_str(builtin);
        } else if kind == "ref" {
            let Some(target) = self.edges(id, "ref").next() else {
                return Err(unemittable(
                    format!("vertex {id:?}"),
                    "a ref names its type by a ref edge, and this one has none",
                ));
            };
            out.push_str(&target.tgt);
        } else if kind == "list" {
            let Some(item) = self.edges(id, "of").next() else {
                return Err(unemittable(
                    format!("vertex {id:?}"),
                    "a list has its item type by an of edge, and this one has none",
                ));
            };
            out.push('[');
            if self.is_named_type(&item.tgt) {
                out.push_str(&item.tgt);
            } else {
                self.type_at_depth(out, &item.tgt, depth + 1)?;
            }
            out.push(']');
        } else {
            return Err(unemittable(
                format!("vertex {id:?}"),
                format!("a {kind} vertex is not a GraphQL type"),
            ));
        }
        if self.constraint(id, "non-null") == Some("true") {
            out.push('!');
        }
        Ok(())
    }
}
