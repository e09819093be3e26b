//! A schema of the `protobuf` protocol back to `.proto` files: one file per
//! `file` vertex, every declaration where its edges put it, types written
//! by their fully qualified names (`.pkg.Msg`) so that no scope can shadow
//! them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use super::options::{float, quote};

use crate::formats::{Emitted, FormatError, FormatOptions, edges_by_source};
use crate::model::{Edge, Schema};

const SCALARS: &[&str] = &[
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];

/// Writes every `file` vertex of `schema` as a `.proto` file.
pub(in crate::formats) fn emit(
    schema: &Schema,
    _options: &FormatOptions,
) -> Result<Emitted, FormatError> {
    let out_edges = edges_by_source(schema);
    let mut p = Printer {
        schema,
        out_edges,
        written: HashSet::new(),
    };
    let mut files = BTreeMap::new();
    for v in schema.vertices().values() {
        if v.kind == "file" {
            let mut text = String::new();
            p.file(&v.id, &mut text)?;
            files.insert(v.id.clone(), text);
        }
    }
    for v in schema.vertices().values() {
        let declaration = matches!(v.kind.as_str(), "message" | "enum" | "service");
        if declaration && !p.written.contains(v.id.as_str()) && p.sort(&v.id, "external").is_none()
        {
            return Err(unemittable(
                &format!("vertex {:?}", v.id),
                "no file declares it (a `declares` edge from a `file` vertex, or a `nested` edge from a message that one declares)",
            ));
        }
    }
    if files.is_empty() {
        return Err(unemittable(
            "the schema",
            "it has no `file` vertex to write its declarations into",
        ));
    }
    Ok(Emitted { files })
}

fn unemittable(element: &str, reason: &str) -> FormatError {
    FormatError::Unemittable {
        format: "protobuf".to_owned(),
        element: element.to_owned(),
        reason: reason.to_owned(),
    }
}

struct Printer<'s> {
    schema: &'s Schema,
    out_edges: rustc_hash::FxHashMap<&'s str, Vec<&'s Edge>>,
    /// Declarations written so far.
    written: HashSet<&'s str>,
}

/// The short name of a fully qualified name.
fn short(id: &str) -> &str {
    id.rsplit('.').next().unwrap_or(id)
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Refuses a vertex whose id is not the full name its place in the
/// `.proto` text gives it (`scope.name`), as a hand-built schema may have:
/// read back, it would be another vertex.
fn placed(id: &str, scope: &str, name: &str) -> Result<(), FormatError> {
    let fits = if scope.is_empty() {
        id == name
    } else {
        id.len() == scope.len() + 1 + name.len()
            && id.starts_with(scope)
            && id.ends_with(name)
            && id.as_bytes().get(scope.len()) == Some(&b'.')
    };
    if fits {
        Ok(())
    } else {
        let full = if scope.is_empty() {
            name.to_owned()
        } else {
            format!("{scope}.{name}")
        };
        Err(unemittable(
            &format!("vertex {id:?}"),
            &format!(
                "where it is, a .proto file names it {full:?}, so it would not read back as itself"
            ),
        ))
    }
}

impl<'s> Printer<'s> {
    fn sort(&self, vertex: &str, sort: &str) -> Option<&'s str> {
        self.schema.constraint(vertex, sort)
    }

    fn list(&self, vertex: &str, sort: &str) -> Result<Vec<String>, FormatError> {
        match self.sort(vertex, sort) {
            None => Ok(Vec::new()),
            Some(text) => serde_json::from_str(text).map_err(|e| {
                unemittable(
                    &format!("constraint {sort} of {vertex:?}"),
                    &format!("it is not a JSON array of strings: {e}"),
                )
            }),
        }
    }

    fn kind(&self, vertex: &str) -> &'s str {
        self.schema
            .vertices()
            .get(vertex)
            .map_or("", |v| v.kind.as_str())
    }

    fn edges<'k>(&'k self, src: &str, kind: &'k str) -> impl Iterator<Item = &'s Edge> + 'k {
        self.out_edges
            .get(src)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |e| e.kind == kind)
    }

    fn target(&self, src: &str, kind: &str) -> Result<&'s str, FormatError> {
        self.edges(src, kind)
            .next()
            .map(|e| e.tgt.as_str())
            .ok_or_else(|| {
                unemittable(
                    &format!("vertex {src:?}"),
                    &format!("it has no `{kind}` edge"),
                )
            })
    }

    /// `.pkg.Type` for the target of `src`'s `kind` edge.
    fn type_ref(&self, src: &str, kind: &str) -> Result<String, FormatError> {
        let t = self.target(src, kind)?;
        Ok(format!(".{t}"))
    }

    /// A vertex's `comment`, as `//` lines.
    fn comment(&self, id: &str, depth: usize, out: &mut String) {
        if let Some(text) = self.sort(id, "comment") {
            for line in text.split('\n') {
                indent(out, depth);
                out.push_str("//");
                out.push_str(line);
                out.push('\n');
            }
        }
    }

    /// `option x = y;` lines of a vertex's `options` and `deprecated`.
    fn option_lines(&self, id: &str, depth: usize, out: &mut String) -> Result<(), FormatError> {
        if let Some(d) = self.sort(id, "deprecated") {
            indent(out, depth);
            let _ = writeln!(out, "option deprecated = {d};");
        }
        for entry in self.list(id, "options")? {
            indent(out, depth);
            let _ = writeln!(out, "option {entry};");
        }
        Ok(())
    }

    fn file(&mut self, id: &'s str, out: &mut String) -> Result<(), FormatError> {
        let syntax = self.sort(id, "syntax").unwrap_or("proto2");
        if !matches!(syntax, "proto2" | "proto3") {
            return Err(unemittable(
                &format!("constraint syntax of {id:?}"),
                &format!("{syntax:?} is not proto2 or proto3"),
            ));
        }
        let _ = writeln!(out, "syntax = {};", quote(syntax.as_bytes()));
        if let Some(package) = self.sort(id, "package") {
            let _ = writeln!(out, "\npackage {package};");
        }
        let imports = self.list(id, "imports")?;
        if !imports.is_empty() {
            out.push('\n');
            for import in imports {
                let _ = writeln!(out, "import {import};");
            }
        }
        let mut options = String::new();
        self.option_lines(id, 0, &mut options)?;
        if !options.is_empty() {
            out.push('\n');
            out.push_str(&options);
        }
        let extensions: Vec<&Edge> = self.edges(id, "extension").collect();
        let groups = self.group_bodies(&extensions);
        let declared: Vec<&Edge> = self.edges(id, "declares").collect();
        let package = self.sort(id, "package").unwrap_or("");
        for e in declared {
            placed(&e.tgt, package, e.name.as_deref().unwrap_or(""))?;
            if groups.contains(e.tgt.as_str()) {
                continue;
            }
            out.push('\n');
            self.declaration(&e.tgt, 0, out)?;
        }
        self.extend_blocks(&extensions, package, 0, out)?;
        Ok(())
    }

    /// The messages that are the bodies of the groups among `fields`.
    fn group_bodies(&self, fields: &[&'s Edge]) -> HashSet<&'s str> {
        fields
            .iter()
            .filter(|e| self.sort(&e.tgt, "group") == Some("true"))
            .filter_map(|e| self.edges(&e.tgt, "ref").next().map(|r| r.tgt.as_str()))
            .collect()
    }

    fn declaration(
        &mut self,
        id: &'s str,
        depth: usize,
        out: &mut String,
    ) -> Result<(), FormatError> {
        match self.kind(id) {
            "message" => self.message(id, None, depth, out),
            "enum" => self.enumeration(id, depth, out),
            "service" => self.service(id, depth, out),
            other => Err(unemittable(
                &format!("vertex {id:?}"),
                &format!("a {other:?} vertex is not a declaration"),
            )),
        }
    }

    /// A message; `group` is the group field's header when the message is a
    /// group's body.
    fn message(
        &mut self,
        id: &'s str,
        group: Option<String>,
        depth: usize,
        out: &mut String,
    ) -> Result<(), FormatError> {
        if self.sort(id, "external").is_some() {
            return Err(unemittable(
                &format!("vertex {id:?}"),
                "it is external (defined in a file the schema does not hold)",
            ));
        }
        if !self.written.insert(id) {
            return Err(unemittable(
                &format!("vertex {id:?}"),
                "it is declared twice",
            ));
        }
        if group.is_none() {
            self.comment(id, depth, out);
        }
        indent(out, depth);
        match group {
            Some(header) => {
                let _ = writeln!(out, "{header} {{");
            }
            None => {
                let _ = writeln!(out, "message {} {{", short(id));
            }
        }
        let inner = depth + 1;
        self.option_lines(id, inner, out)?;
        // The fields, oneof blocks where their first member is.
        let direct: Vec<&Edge> = self.edges(id, "field").collect();
        let oneofs: Vec<&Edge> = self.edges(id, "oneof").collect();
        let mut by_name: HashMap<&str, (&Edge, Option<&Edge>)> = HashMap::new();
        let mut all_fields: Vec<&Edge> = direct.clone();
        for f in &direct {
            by_name.insert(f.name.as_deref().unwrap_or(""), (f, None));
        }
        for o in &oneofs {
            for f in self.edges(&o.tgt, "field") {
                by_name.insert(f.name.as_deref().unwrap_or(""), (f, Some(o)));
                all_fields.push(f);
            }
        }
        let mut order = self.list(id, "order")?;
        let listed: HashSet<&str> = order.iter().map(String::as_str).collect();
        let mut rest: Vec<(i64, String)> = by_name
            .keys()
            .filter(|n| !listed.contains(*n))
            .map(|n| {
                let number = by_name
                    .get(n)
                    .and_then(|(f, _)| self.sort(&f.tgt, "field-number"))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                (number, (*n).to_owned())
            })
            .collect();
        rest.sort();
        order.extend(rest.into_iter().map(|(_, n)| n));
        let mut oneofs_done: HashSet<&str> = HashSet::new();
        for name in &order {
            let Some((f, oneof)) = by_name.get(name.as_str()).copied() else {
                return Err(unemittable(
                    &format!("constraint order of {id:?}"),
                    &format!("it names {name:?}, which is no field of the message"),
                ));
            };
            match oneof {
                None => self.field(f, id, inner, out)?,
                Some(o) => {
                    if !oneofs_done.insert(o.tgt.as_str()) {
                        continue;
                    }
                    placed(&o.tgt, id, o.name.as_deref().unwrap_or(""))?;
                    self.comment(&o.tgt, inner, out);
                    indent(out, inner);
                    let _ = writeln!(
                        out,
                        "oneof {} {{",
                        o.name.as_deref().unwrap_or(short(&o.tgt))
                    );
                    self.option_lines(&o.tgt, inner + 1, out)?;
                    for member in &order {
                        if let Some((mf, Some(mo))) = by_name.get(member.as_str()).copied() {
                            if mo.tgt == o.tgt {
                                self.field(mf, id, inner + 1, out)?;
                            }
                        }
                    }
                    indent(out, inner);
                    out.push_str("}\n");
                }
            }
        }
        let extensions: Vec<&Edge> = self.edges(id, "extension").collect();
        all_fields.extend(extensions.iter().copied());
        let groups = self.group_bodies(&all_fields);
        let nested: Vec<&Edge> = self.edges(id, "nested").collect();
        for n in nested {
            placed(&n.tgt, id, n.name.as_deref().unwrap_or(""))?;
            if !groups.contains(n.tgt.as_str()) {
                self.declaration(&n.tgt, inner, out)?;
            }
        }
        self.extend_blocks(&extensions, id, inner, out)?;
        for range in self.list(id, "extension-ranges")? {
            indent(out, inner);
            let _ = writeln!(out, "extensions {range};");
        }
        self.reserved(id, inner, out)?;
        indent(out, depth);
        out.push_str("}\n");
        Ok(())
    }

    fn reserved(&self, id: &str, depth: usize, out: &mut String) -> Result<(), FormatError> {
        let reserved = self.list(id, "reserved")?;
        let (names, numbers): (Vec<&String>, Vec<&String>) =
            reserved.iter().partition(|r| r.starts_with('"'));
        for group in [numbers, names] {
            if !group.is_empty() {
                indent(out, depth);
                let items: Vec<&str> = group.iter().map(|s| s.as_str()).collect();
                let _ = writeln!(out, "reserved {};", items.join(", "));
            }
        }
        Ok(())
    }

    /// `extend .X { ... }` blocks for extension fields, one per extendee
    /// in the order they first appear.
    fn extend_blocks(
        &mut self,
        extensions: &[&'s Edge],
        scope: &str,
        depth: usize,
        out: &mut String,
    ) -> Result<(), FormatError> {
        let mut extendees: Vec<&str> = Vec::new();
        let mut by_extendee: HashMap<&str, Vec<&Edge>> = HashMap::new();
        for e in extensions {
            let extendee = self.target(&e.tgt, "extendee")?;
            if !by_extendee.contains_key(extendee) {
                extendees.push(extendee);
            }
            by_extendee.entry(extendee).or_default().push(e);
        }
        for extendee in extendees {
            indent(out, depth);
            let _ = writeln!(out, "extend .{extendee} {{");
            for e in by_extendee.get(extendee).into_iter().flatten() {
                self.field(e, scope, depth + 1, out)?;
            }
            indent(out, depth);
            out.push_str("}\n");
        }
        Ok(())
    }

    /// A field (or extension) line, or a group with its body; `scope` is
    /// the message (or package) whose name prefixes the field's.
    fn field(
        &mut self,
        edge: &'s Edge,
        scope: &str,
        depth: usize,
        out: &mut String,
    ) -> Result<(), FormatError> {
        let id = edge.tgt.as_str();
        let name = edge.name.as_deref().unwrap_or_else(|| short(id));
        placed(id, scope, name)?;
        let number = self.sort(id, "field-number").ok_or_else(|| {
            unemittable(
                &format!("vertex {id:?}"),
                "a field needs a field-number constraint",
            )
        })?;
        let kind = self.kind(id);
        let ty = match kind {
            "ref" => self.type_ref(id, "ref")?,
            "map" => {
                let key = self.target(id, "map-key")?;
                let value = self.target(id, "map-value")?;
                let key_kind = self.kind(key);
                let value_text = match self.kind(value) {
                    "ref" => self.type_ref(value, "ref")?,
                    k if SCALARS.contains(&k) => k.to_owned(),
                    k => {
                        return Err(unemittable(
                            &format!("vertex {value:?}"),
                            &format!("a map value of kind {k:?} has no .proto form"),
                        ));
                    }
                };
                format!("map<{key_kind}, {value_text}>")
            }
            k if SCALARS.contains(&k) => k.to_owned(),
            k => {
                return Err(unemittable(
                    &format!("vertex {id:?}"),
                    &format!(
                        "a field of kind {k:?} has no .proto form (a message or enum type is a `ref` vertex with a `ref` edge)"
                    ),
                ));
            }
        };
        let mut opts: Vec<String> = Vec::new();
        if let Some(d) = self.sort(id, "default") {
            opts.push(format!("default = {}", self.default_text(id, d)?));
        }
        if let Some(j) = self.sort(id, "json-name") {
            opts.push(format!("json_name = {}", quote(j.as_bytes())));
        }
        if let Some(p) = self.sort(id, "packed") {
            opts.push(format!("packed = {p}"));
        }
        if let Some(d) = self.sort(id, "deprecated") {
            opts.push(format!("deprecated = {d}"));
        }
        opts.extend(self.list(id, "options")?);
        let brackets = if opts.is_empty() {
            String::new()
        } else {
            format!(" [{}]", opts.join(", "))
        };
        let label = match self.sort(id, "label") {
            None => String::new(),
            Some(l @ ("optional" | "required" | "repeated")) => format!("{l} "),
            Some(l) => {
                return Err(unemittable(
                    &format!("constraint label of {id:?}"),
                    &format!("{l:?} is not optional, required or repeated"),
                ));
            }
        };
        self.comment(id, depth, out);
        if self.sort(id, "group") == Some("true") {
            let body = self.target(id, "ref")?;
            placed(body, scope, short(body))?;
            let header = format!("{label}group {} = {number}{brackets}", short(body));
            return self.message(body, Some(header), depth, out);
        }
        indent(out, depth);
        let _ = writeln!(out, "{label}{ty} {name} = {number}{brackets};");
        Ok(())
    }

    /// A default as `.proto` text: strings quoted and escaped, bytes quoted
    /// (`protoc` records them escaped), anything else as recorded.
    fn default_text(&self, id: &str, value: &str) -> Result<String, FormatError> {
        Ok(match self.kind(id) {
            "string" => quote(value.as_bytes()),
            "bytes" => format!("\"{value}\""),
            "double" | "float" => match value.parse::<f64>() {
                Ok(x) if !value.contains(['.', 'e', 'E']) => float(x, value.to_owned()),
                _ => value.to_owned(),
            },
            _ => value.to_owned(),
        })
    }

    fn enumeration(
        &mut self,
        id: &'s str,
        depth: usize,
        out: &mut String,
    ) -> Result<(), FormatError> {
        if !self.written.insert(id) {
            return Err(unemittable(
                &format!("vertex {id:?}"),
                "it is declared twice",
            ));
        }
        self.comment(id, depth, out);
        indent(out, depth);
        let _ = writeln!(out, "enum {} {{", short(id));
        let inner = depth + 1;
        self.option_lines(id, inner, out)?;
        let values: HashMap<&str, &Edge> = self
            .edges(id, "value")
            .map(|e| (e.name.as_deref().unwrap_or(""), e))
            .collect();
        let mut order = self.list(id, "order")?;
        let listed: HashSet<String> = order.iter().cloned().collect();
        let mut rest: Vec<&str> = values
            .keys()
            .copied()
            .filter(|n| !listed.contains(*n))
            .collect();
        rest.sort_unstable();
        order.extend(rest.into_iter().map(str::to_owned));
        for name in &order {
            let Some(e) = values.get(name.as_str()) else {
                return Err(unemittable(
                    &format!("constraint order of {id:?}"),
                    &format!("it names {name:?}, which is no value of the enum"),
                ));
            };
            placed(&e.tgt, id, name)?;
            let number = self.sort(&e.tgt, "number").ok_or_else(|| {
                unemittable(
                    &format!("vertex {:?}", e.tgt),
                    "an enum value needs a number constraint",
                )
            })?;
            let mut opts = Vec::new();
            if let Some(d) = self.sort(&e.tgt, "deprecated") {
                opts.push(format!("deprecated = {d}"));
            }
            opts.extend(self.list(&e.tgt, "options")?);
            self.comment(&e.tgt, inner, out);
            indent(out, inner);
            if opts.is_empty() {
                let _ = writeln!(out, "{name} = {number};");
            } else {
                let _ = writeln!(out, "{name} = {number} [{}];", opts.join(", "));
            }
        }
        self.reserved(id, inner, out)?;
        indent(out, depth);
        out.push_str("}\n");
        Ok(())
    }

    fn service(&mut self, id: &'s str, depth: usize, out: &mut String) -> Result<(), FormatError> {
        if !self.written.insert(id) {
            return Err(unemittable(
                &format!("vertex {id:?}"),
                "it is declared twice",
            ));
        }
        self.comment(id, depth, out);
        indent(out, depth);
        let _ = writeln!(out, "service {} {{", short(id));
        let inner = depth + 1;
        self.option_lines(id, inner, out)?;
        let methods: HashMap<&str, &Edge> = self
            .edges(id, "rpc")
            .map(|e| (e.name.as_deref().unwrap_or(""), e))
            .collect();
        let mut order = self.list(id, "order")?;
        let listed: HashSet<String> = order.iter().cloned().collect();
        let mut rest: Vec<&str> = methods
            .keys()
            .copied()
            .filter(|n| !listed.contains(*n))
            .collect();
        rest.sort_unstable();
        order.extend(rest.into_iter().map(str::to_owned));
        for name in &order {
            let Some(e) = methods.get(name.as_str()) else {
                return Err(unemittable(
                    &format!("constraint order of {id:?}"),
                    &format!("it names {name:?}, which is no method of the service"),
                ));
            };
            let m = e.tgt.as_str();
            placed(m, id, name)?;
            let stream = |sort| {
                if self.sort(m, sort) == Some("true") {
                    "stream "
                } else {
                    ""
                }
            };
            let input = self.type_ref(m, "input")?;
            let output = self.type_ref(m, "output")?;
            self.comment(m, inner, out);
            indent(out, inner);
            let _ = write!(
                out,
                "rpc {name}({}{input}) returns ({}{output})",
                stream("client-streaming"),
                stream("server-streaming")
            );
            let mut body = String::new();
            self.option_lines(m, inner + 1, &mut body)?;
            if body.is_empty() {
                out.push_str(";\n");
            } else {
                out.push_str(" {\n");
                out.push_str(&body);
                indent(out, inner);
                out.push_str("}\n");
            }
        }
        indent(out, depth);
        out.push_str("}\n");
        Ok(())
    }
}
