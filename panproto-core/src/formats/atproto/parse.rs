//! Reading lexicon files into a schema: every file's JSON once, an index
//! of the NSIDs and defs of the whole source (so refs resolve across
//! files), then one walk per file declaring its vertices, edges and
//! constraints.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};

use super::MAX_DEPTH;
use super::ids::{def_id, is_member_name, is_nsid, member_id, split_ref};
use super::json::{self, Json};
use crate::formats::{FormatError, FormatOptions, Location, Source, SourceFile};
use crate::model::{
    Constraint, Edge, Required, Schema, SchemaData, SchemaError, Vertex, builtin_protocol,
};

/// An object's entries.
type Entries<'j> = [(Cow<'j, str>, Json<'j>)];

/// The lexicon types, as vertex kinds (the same names).
const TYPES: &[&str] = &[
    "null",
    "boolean",
    "integer",
    "string",
    "bytes",
    "cid-link",
    "blob",
    "array",
    "object",
    "params",
    "token",
    "ref",
    "union",
    "unknown",
    "record",
    "query",
    "procedure",
    "subscription",
    "permission-set",
];

/// The types only a lexicon's `main` def may have.
const PRIMARY: &[&str] = &[
    "record",
    "query",
    "procedure",
    "subscription",
    "permission-set",
];

/// The kind of a lexicon type name.
fn kind_of(ty: &str) -> Option<&'static str> {
    TYPES.iter().copied().find(|t| *t == ty)
}

/// Whether a def of `kind` is a type that refs and unions may name.
fn is_type(kind: &str) -> bool {
    !PRIMARY.contains(&kind) || kind == "record"
}

/// One lexicon file, read.
struct Doc<'j> {
    file: &'j SourceFile,
    /// The file's name in the schema, its `file` vertex: the path relative
    /// to the directory read, or `<nsid>.json` for a file read on its own
    /// (so two versions in two files compare as one lexicon changed).
    key: String,
    nsid: &'j str,
    top: &'j Entries<'j>,
    defs: &'j Entries<'j>,
}

/// What every file may refer to: the source's NSIDs and their defs.
#[derive(Default)]
struct Index<'j> {
    /// NSID → the file that defines it.
    nsids: FxHashMap<&'j str, &'j str>,
    /// (NSID, def name) → the def's kind (`None` if its type is not one).
    defs: FxHashMap<(&'j str, &'j str), Option<&'static str>>,
    /// The files' paths (the ids of their `file` vertices).
    paths: FxHashSet<&'j str>,
}

/// Where a type sits, which decides the types allowed there.
#[derive(Clone, Copy)]
enum Place {
    /// A def; `main` or another.
    Def { main: bool },
    /// A property or an array's items; in a query's `parameters` or not.
    Field { in_params: bool },
    /// A record's `record`.
    RecordBody,
    /// A query's, procedure's or subscription's `parameters`.
    Parameters,
    /// The `schema` of an input, output or message.
    Schema,
}

impl Place {
    fn allows(self, kind: &str) -> bool {
        match self {
            Self::Def { main: true } => kind != "params",
            Self::Def { main: false } => !PRIMARY.contains(&kind) && kind != "params",
            Self::Field { in_params: false } => {
                !PRIMARY.contains(&kind) && kind != "params" && kind != "token"
            }
            Self::Field { in_params: true } => {
                matches!(kind, "boolean" | "integer" | "string" | "unknown" | "array")
            }
            Self::RecordBody => kind == "object",
            Self::Parameters => kind == "params",
            Self::Schema => matches!(kind, "object" | "ref" | "union"),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::Def { main: true } => "the main def may not be a params",
            Self::Def { main: false } => {
                "only the main def may be a record, query, procedure, subscription or permission-set, and no def a params"
            }
            Self::Field { in_params: false } => {
                "a property or array item may not be a record, query, procedure, subscription, permission-set, params or token"
            }
            Self::Field { in_params: true } => {
                "a parameter is a boolean, integer, string, unknown or an array of those"
            }
            Self::RecordBody => "a record's \"record\" is an object",
            Self::Parameters => "\"parameters\" is a params",
            Self::Schema => "the schema of an input, output or message is an object, ref or union",
        }
    }
}

/// How a key of a type is read.
#[derive(Clone, Copy)]
enum Key {
    /// An integer, kept as a constraint of the key's name.
    Int,
    /// A string, kept as a constraint of the key's name.
    Str,
    /// A list of strings, kept as a constraint (JSON array).
    Strs,
    /// A boolean, kept as a constraint.
    Bool,
    /// `enum`, `const`, `default`: values of the type itself.
    Value,
    /// Kept as JSON text, as written.
    Raw,
    Properties,
    Required,
    Nullable,
    Items,
    Ref,
    Refs,
    Record,
    Parameters,
    /// An input, output or message, by its edge kind.
    Body(&'static str),
    Errors,
}

/// The keys a type of `kind` has, beyond `type` and `description`.
fn key_of(kind: &str, key: &str) -> Option<Key> {
    use Key::*;
    Some(match (kind, key) {
        ("string", "format") => Str,
        ("string", "maxLength" | "minLength" | "maxGraphemes" | "minGraphemes") => Int,
        ("string", "knownValues") => Strs,
        ("string" | "integer" | "boolean", "const" | "default") => Value,
        ("string" | "integer", "enum") => Value,
        ("integer", "minimum" | "maximum") => Int,
        ("bytes" | "array", "minLength" | "maxLength") => Int,
        ("blob", "accept") => Strs,
        ("blob", "maxSize") => Int,
        ("array", "items") => Items,
        ("object" | "params", "properties") => Properties,
        ("object" | "params", "required") => Required,
        ("object", "nullable") => Nullable,
        ("ref", "ref") => Ref,
        ("union", "refs") => Refs,
        ("union", "closed") => Bool,
        ("record", "key") => Str,
        ("record", "record") => Record,
        ("query" | "procedure" | "subscription", "parameters") => Parameters,
        ("query" | "procedure" | "subscription", "errors") => Errors,
        ("procedure", "input") => Body("input"),
        ("query" | "procedure", "output") => Body("output"),
        ("subscription", "message") => Body("message"),
        ("permission-set", "title" | "detail") => Str,
        ("permission-set", "permissions") => Raw,
        _ => return None,
    })
}

/// Parses lexicon files into one schema.
pub(super) fn parse(source: &Source, _options: &FormatOptions) -> Result<Schema, FormatError> {
    let parsed = source
        .files()
        .iter()
        .map(|file| {
            json::parse(&file.text)
                .map(|json| (file, json))
                .map_err(|e| syntax(file, &e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut docs = parsed
        .iter()
        .map(|(file, json)| read_doc(file, json))
        .collect::<Result<Vec<_>, _>>()?;
    for doc in &mut docs {
        let single = format!("{}.json", doc.nsid);
        doc.key = source.key(doc.file, &single).to_owned();
    }
    let index = index(&docs)?;
    let protocol =
        builtin_protocol("atproto").map_err(|e| FormatError::Schema(SchemaError::Protocol(e)))?;
    let mut walker = Walker {
        d: Decls::for_text(source.files().iter().map(|f| f.text.len()).sum()),
        index: &index,
        externals: FxHashSet::default(),
        file: None,
        nsid: "",
        path: Vec::new(),
        depth: 0,
    };
    for doc in &docs {
        walker.doc(doc)?;
    }
    Ok(Schema::from_data(walker.d.into_data(), protocol)?)
}

/// A JSON syntax error, located.
fn syntax(file: &SourceFile, e: &serde_json::Error) -> FormatError {
    let text = &file.text;
    let line_start = if e.line() <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(e.line() - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let offset = line_start + e.column().saturating_sub(1);
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    // A key given twice is the reader's own refusal, not bad JSON syntax.
    let what = if e.is_data() { "" } else { "not valid JSON: " };
    FormatError::Syntax {
        at: Location::at_offset(&file.path, text, offset),
        message: format!("{what}{message}"),
    }
}

/// A file's top level: `lexicon`, `id` and `defs` checked.
fn read_doc<'j>(file: &'j SourceFile, json: &'j Json<'j>) -> Result<Doc<'j>, FormatError> {
    let invalid = |needle: &str, message: String| FormatError::Invalid {
        at: Location::of_text(&file.path, &file.text, needle),
        message,
    };
    let top = json.as_object().ok_or_else(|| {
        invalid(
            "",
            format!("a lexicon is a JSON object, not {}", json.type_name()),
        )
    })?;
    match json::get(top, "lexicon") {
        Some(Json::Int(1)) => {}
        Some(Json::Int(n)) => {
            return Err(FormatError::Unsupported {
                at: Location::of_text(&file.path, &file.text, "\"lexicon\""),
                construct: format!("lexicon version {n}"),
                reason: "only version 1 of the Lexicon language is defined".to_owned(),
            });
        }
        Some(other) => {
            return Err(invalid(
                "\"lexicon\"",
                format!(
                    "\"lexicon\" is the language version, 1, not {}",
                    other.type_name()
                ),
            ));
        }
        None => {
            return Err(invalid(
                "",
                "not a lexicon: it has no \"lexicon\" version key".to_owned(),
            ));
        }
    }
    let nsid = match json::get(top, "id") {
        Some(Json::Str(id)) if is_nsid(id) => id.as_ref(),
        Some(Json::Str(id)) => {
            return Err(invalid(
                "\"id\"",
                format!("the lexicon's id {id:?} is not a valid NSID"),
            ));
        }
        Some(other) => {
            return Err(invalid(
                "\"id\"",
                format!("\"id\" is an NSID string, not {}", other.type_name()),
            ));
        }
        None => return Err(invalid("", "the lexicon has no \"id\"".to_owned())),
    };
    let defs = match json::get(top, "defs") {
        Some(Json::Object(defs)) => defs.as_slice(),
        Some(other) => {
            return Err(invalid(
                "\"defs\"",
                format!("\"defs\" is an object, not {}", other.type_name()),
            ));
        }
        None => return Err(invalid("", "the lexicon has no \"defs\"".to_owned())),
    };
    Ok(Doc {
        file,
        key: file.path.clone(),
        nsid,
        top,
        defs,
    })
}

/// The index of every file's NSID and defs.
fn index<'j>(docs: &'j [Doc<'j>]) -> Result<Index<'j>, FormatError> {
    let mut index = Index::default();
    for doc in docs {
        if let Some(first) = index.nsids.insert(doc.nsid, &doc.key) {
            return Err(FormatError::Invalid {
                at: Location::of_text(&doc.file.path, &doc.file.text, "\"id\""),
                message: format!("the lexicon {} is also defined by {first}", doc.nsid),
            });
        }
        index.paths.insert(&doc.key);
        for (name, def) in doc.defs {
            let kind = def
                .as_object()
                .and_then(|d| json::get(d, "type"))
                .and_then(Json::as_str)
                .and_then(kind_of);
            index.defs.insert((doc.nsid, name), kind);
        }
    }
    for doc in docs {
        if index.nsids.contains_key(doc.key.as_str()) {
            return Err(FormatError::Invalid {
                at: Location::new(&doc.file.path, 1, 1),
                message: format!(
                    "the file's path {} is also a lexicon's NSID: rename the file",
                    doc.file.path
                ),
            });
        }
    }
    Ok(index)
}

/// The declarations of the schema being read, gathered in vectors and
/// checked once by [`Schema::from_data`] (the builder's validation, without
/// a persistent-list node per declaration: a parse never branches).
struct Decls {
    vertices: Vec<Vertex>,
    edges: Vec<Edge>,
    constraints: Vec<Constraint>,
    required: Vec<Required>,
}

impl Decls {
    /// Room for the declarations of `bytes` of lexicon text (one vertex,
    /// edge and constraint per ~130 bytes in the corpus).
    fn for_text(bytes: usize) -> Self {
        let n = bytes / 128;
        Self {
            vertices: Vec::with_capacity(n),
            edges: Vec::with_capacity(n),
            constraints: Vec::with_capacity(n),
            required: Vec::new(),
        }
    }

    fn vertex(&mut self, id: impl Into<String>, kind: &str, nsid: Option<String>) {
        self.vertices.push(Vertex {
            id: id.into(),
            kind: kind.to_owned(),
            nsid,
        });
    }

    fn edge(
        &mut self,
        src: impl Into<String>,
        tgt: impl Into<String>,
        kind: &str,
        name: Option<String>,
    ) {
        self.edges.push(Edge {
            src: src.into(),
            tgt: tgt.into(),
            kind: kind.to_owned(),
            name,
        });
    }

    fn constraint(&mut self, vertex: &str, sort: &str, value: String) {
        self.constraints.push(Constraint {
            vertex: vertex.to_owned(),
            sort: sort.to_owned(),
            value,
        });
    }

    fn required(&mut self, vertex: &str, edges: Vec<String>) {
        self.required.push(Required {
            vertex: vertex.to_owned(),
            edges,
        });
    }

    fn into_data(self) -> SchemaData {
        SchemaData {
            protocol: "atproto".to_owned(),
            vertices: self.vertices,
            edges: self.edges,
            hyper_edges: Vec::new(),
            constraints: self.constraints,
            required: self.required,
        }
    }
}

/// Declares the vertices of one file at a time.
struct Walker<'j, 'i> {
    d: Decls,
    index: &'i Index<'j>,
    /// The ids of the `external` vertices declared so far.
    externals: FxHashSet<String>,
    file: Option<&'j SourceFile>,
    nsid: &'j str,
    /// The JSON keys from the file's top to where the walk is, to locate
    /// errors.
    path: Vec<&'j str>,
    /// How deeply the type being read is nested.
    depth: usize,
}

impl<'j> Walker<'j, '_> {
    /// Where the walk is, or where `needle` (a quoted string) is after it.
    fn at(&self, needle: Option<&str>) -> Location {
        let Some(file) = self.file else {
            return Location::new("", 1, 1);
        };
        let text = &file.text;
        let mut pos = 0;
        for key in self.path.iter().copied().chain(needle) {
            let quoted = format!("\"{key}\"");
            if let Some(i) = text.get(pos..).and_then(|rest| rest.find(&quoted)) {
                pos += i;
            }
        }
        Location::at_offset(&file.path, text, pos)
    }

    fn invalid(&self, needle: Option<&str>, message: String) -> FormatError {
        FormatError::Invalid {
            at: self.at(needle),
            message,
        }
    }

    fn name_check(&self, name: &str, what: &str) -> Result<(), FormatError> {
        if is_member_name(name) {
            Ok(())
        } else {
            Err(FormatError::Unsupported {
                at: self.at(Some(name)),
                construct: format!("the {what} name {name:?}"),
                reason:
                    "names must be non-empty and free of '.', ':' and '#', which join vertex ids"
                        .to_owned(),
            })
        }
    }

    fn constraint(&mut self, vertex: &str, sort: &str, value: String) {
        self.d.constraint(vertex, sort, value);
    }

    /// One file: its `file` vertex and its defs.
    fn doc(&mut self, doc: &Doc<'j>) -> Result<(), FormatError> {
        self.file = Some(doc.file);
        self.nsid = doc.nsid;
        self.path.clear();
        let file_id = doc.key.as_str();
        self.d.vertex(file_id, "file", Some(doc.nsid.to_owned()));
        let mut annotation = Vec::new();
        for entry in doc.top {
            match entry.0.as_ref() {
                "lexicon" | "id" | "defs" => {}
                "revision" => {
                    let value = self.int("revision", &entry.1)?;
                    self.constraint(file_id, "revision", value);
                }
                "description" => {
                    let value = self.string("description", &entry.1)?;
                    self.constraint(file_id, "description", value);
                }
                _ => annotation.push(entry),
            }
        }
        self.annotate(file_id, &annotation);
        self.path.push("defs");
        if doc.defs.len() >= 2 {
            let order = names_json(doc.defs.iter().map(|(k, _)| k.as_ref()));
            self.constraint(file_id, "order", order);
        }
        for (name, def) in doc.defs {
            self.path.push(name);
            self.name_check(name, "def")?;
            let id = def_id(doc.nsid, name);
            self.ty(
                &id,
                def,
                Place::Def {
                    main: name == "main",
                },
            )?;
            self.d.edge(file_id, id, "def", Some(name.to_string()));
            self.path.pop();
        }
        Ok(())
    }

    /// A type at `id`, nested no deeper than [`MAX_DEPTH`]; returns its
    /// kind.
    fn ty(
        &mut self,
        id: &str,
        json: &'j Json<'j>,
        place: Place,
    ) -> Result<&'static str, FormatError> {
        self.depth += 1;
        let result = if self.depth > MAX_DEPTH {
            Err(FormatError::Unsupported {
                at: self.at(None),
                construct: format!("types nested more than {MAX_DEPTH} deep"),
                reason: "no lexicon needs it, and it would be written back no deeper".to_owned(),
            })
        } else {
            self.ty_at(id, json, place)
        };
        self.depth -= 1;
        result
    }

    /// A type at `id`: its vertex, constraints and members; returns its kind.
    fn ty_at(
        &mut self,
        id: &str,
        json: &'j Json<'j>,
        place: Place,
    ) -> Result<&'static str, FormatError> {
        let obj = json.as_object().ok_or_else(|| {
            self.invalid(
                None,
                format!("a type is a JSON object, not {}", json.type_name()),
            )
        })?;
        let kind = match json::get(obj, "type") {
            Some(Json::Str(ty)) => kind_of(ty).ok_or_else(|| FormatError::Unsupported {
                at: self.at(Some(ty)),
                construct: format!("the lexicon type {ty:?}"),
                reason: format!("the Lexicon types are {}", TYPES.join(", ")),
            })?,
            Some(other) => {
                return Err(self.invalid(
                    Some("type"),
                    format!("\"type\" is a string, not {}", other.type_name()),
                ));
            }
            None => return Err(self.invalid(None, "the type has no \"type\"".to_owned())),
        };
        if !place.allows(kind) {
            return Err(self.invalid(Some("type"), format!("a {kind} here: {}", place.what())));
        }
        let is_def = matches!(place, Place::Def { .. });
        let nsid = is_def.then(|| self.nsid.to_owned());
        self.d.vertex(id, kind, nsid);
        let mut annotation = Vec::new();
        let mut properties = None;
        let mut required = None;
        let mut nullable = None;
        for entry in obj {
            let (key, value) = (entry.0.as_ref(), &entry.1);
            if key == "type" {
                continue;
            }
            if key == "description" {
                let text = self.string(key, value)?;
                self.constraint(id, key, text);
                continue;
            }
            let Some(how) = key_of(kind, key) else {
                annotation.push(entry);
                continue;
            };
            self.path.push(key);
            match how {
                Key::Int => {
                    let v = self.int(key, value)?;
                    self.constraint(id, key, v);
                }
                Key::Str => {
                    let v = self.string(key, value)?;
                    self.constraint(id, key, v);
                }
                Key::Strs => {
                    self.strings(key, value)?;
                    self.constraint(id, key, value.to_compact());
                }
                Key::Bool => {
                    let v = self.boolean(key, value)?;
                    self.constraint(id, key, v.to_string());
                }
                Key::Value => {
                    let v = self.value(kind, key, value)?;
                    self.constraint(id, key, v);
                }
                Key::Raw => self.constraint(id, key, value.to_compact()),
                Key::Properties => {
                    properties = Some(value.as_object().ok_or_else(|| {
                        self.invalid(
                            None,
                            format!("\"properties\" is an object, not {}", value.type_name()),
                        )
                    })?);
                }
                Key::Required => required = Some(self.strings(key, value)?),
                Key::Nullable => nullable = Some((self.strings(key, value)?, value)),
                Key::Items => {
                    let child = member_id(id, is_def, "items");
                    let in_params = matches!(place, Place::Field { in_params: true });
                    self.ty(&child, value, Place::Field { in_params })?;
                    self.d.edge(id, child, "items", None);
                }
                Key::Ref => {
                    let written = self.string(key, value)?;
                    let target = self.resolve(&written)?;
                    self.d.edge(id, target, "ref", None);
                }
                Key::Refs => self.refs(id, value)?,
                Key::Record => {
                    let child = member_id(id, is_def, "record");
                    self.ty(&child, value, Place::RecordBody)?;
                    self.d.edge(id, child, "record-schema", None);
                }
                Key::Parameters => {
                    let child = member_id(id, is_def, "parameters");
                    self.ty(&child, value, Place::Parameters)?;
                    self.d.edge(id, child, "parameters", None);
                }
                Key::Body(edge) => {
                    let child = member_id(id, is_def, key);
                    self.body(&child, value)?;
                    self.d.edge(id, child, edge, None);
                }
                Key::Errors => self.errors(id, value)?,
            }
            self.path.pop();
        }
        self.annotate(id, &annotation);
        if matches!(kind, "object" | "params") {
            self.properties(id, is_def, kind, properties, required, nullable)?;
        } else if kind == "array" && json::get(obj, "items").is_none() {
            return Err(self.invalid(None, "an array has \"items\"".to_owned()));
        } else if kind == "ref" && json::get(obj, "ref").is_none() {
            return Err(self.invalid(None, "a ref has \"ref\"".to_owned()));
        } else if kind == "union" && json::get(obj, "refs").is_none() {
            return Err(self.invalid(None, "a union has \"refs\"".to_owned()));
        } else if kind == "record" && json::get(obj, "record").is_none() {
            return Err(self.invalid(None, "a record has \"record\"".to_owned()));
        }
        Ok(kind)
    }

    /// An object's or params' properties, `required` and `nullable`.
    fn properties(
        &mut self,
        id: &str,
        is_def: bool,
        kind: &str,
        properties: Option<&'j Entries<'j>>,
        required: Option<Vec<&'j str>>,
        nullable: Option<(Vec<&'j str>, &'j Json<'j>)>,
    ) -> Result<(), FormatError> {
        let properties = properties.unwrap_or(&[]);
        self.path.push("properties");
        if properties.len() >= 2 {
            let order = names_json(properties.iter().map(|(k, _)| k.as_ref()));
            self.constraint(id, "order", order);
        }
        for (name, value) in properties {
            self.path.push(name);
            self.name_check(name, "property")?;
            let child = member_id(id, is_def, name);
            let in_params = kind == "params";
            self.ty(&child, value, Place::Field { in_params })?;
            self.d.edge(id, child, "prop", Some(name.to_string()));
            self.path.pop();
        }
        self.path.pop();
        let declared: Option<FxHashSet<&str>> =
            (properties.len() > 16).then(|| properties.iter().map(|(k, _)| k.as_ref()).collect());
        let has = |name: &str| match &declared {
            Some(set) => set.contains(name),
            None => properties.iter().any(|(k, _)| k == name),
        };
        if let Some(required) = required {
            if let Some(missing) = required.iter().find(|n| !has(n)) {
                return Err(self.invalid(
                    Some("required"),
                    format!("{missing:?} is required but is not one of the properties"),
                ));
            }
            if !required.is_empty() {
                self.d
                    .required(id, required.iter().map(|n| (*n).to_owned()).collect());
            }
        }
        if let Some((names, json)) = nullable {
            if let Some(missing) = names.iter().find(|n| !has(n)) {
                return Err(self.invalid(
                    Some("nullable"),
                    format!("{missing:?} is nullable but is not one of the properties"),
                ));
            }
            if !names.is_empty() {
                self.constraint(id, "nullable", json.to_compact());
            }
        }
        Ok(())
    }

    /// A union's refs: variant edges, and their order.
    fn refs(&mut self, id: &str, value: &'j Json<'j>) -> Result<(), FormatError> {
        let written = self.strings("refs", value)?;
        let mut targets = Vec::with_capacity(written.len());
        for w in written {
            let target = self.resolve(w)?;
            if targets.contains(&target) {
                return Err(self.invalid(Some(w), format!("the union lists {w:?} twice")));
            }
            targets.push(target);
        }
        if targets.len() >= 2 {
            let order = names_json(targets.iter().map(String::as_str));
            self.constraint(id, "order", order);
        }
        for target in targets {
            self.d.edge(id, target, "variant", None);
        }
        Ok(())
    }

    /// An input, output or message: encoding, description, schema.
    fn body(&mut self, id: &str, value: &'j Json<'j>) -> Result<(), FormatError> {
        let obj = value.as_object().ok_or_else(|| {
            self.invalid(
                None,
                format!("a body is an object, not {}", value.type_name()),
            )
        })?;
        self.d.vertex(id, "body", None);
        let mut annotation = Vec::new();
        for entry in obj {
            let (key, value) = (entry.0.as_ref(), &entry.1);
            match key {
                "encoding" | "description" => {
                    let v = self.string(key, value)?;
                    self.constraint(id, key, v);
                }
                "schema" => {
                    self.path.push(key);
                    let child = member_id(id, false, "schema");
                    self.ty(&child, value, Place::Schema)?;
                    self.d.edge(id, child, "schema", None);
                    self.path.pop();
                }
                _ => annotation.push(entry),
            }
        }
        self.annotate(id, &annotation);
        Ok(())
    }

    /// A query's, procedure's or subscription's errors.
    fn errors(&mut self, id: &str, value: &'j Json<'j>) -> Result<(), FormatError> {
        let Json::Array(items) = value else {
            return Err(self.invalid(
                None,
                format!("\"errors\" is an array, not {}", value.type_name()),
            ));
        };
        let list = member_id(id, true, "errors");
        let mut names: Vec<&str> = Vec::with_capacity(items.len());
        for item in items {
            let obj = item.as_object().ok_or_else(|| {
                self.invalid(
                    None,
                    format!("an error is an object, not {}", item.type_name()),
                )
            })?;
            let name = match json::get(obj, "name") {
                Some(Json::Str(name)) => name.as_ref(),
                _ => return Err(self.invalid(None, "an error has a \"name\" string".to_owned())),
            };
            self.name_check(name, "error")?;
            if names.contains(&name) {
                return Err(self.invalid(Some(name), format!("the error {name:?} is listed twice")));
            }
            names.push(name);
            let err = member_id(&list, false, name);
            self.d.vertex(err.as_str(), "error", None);
            let mut annotation = Vec::new();
            for entry in obj {
                match entry.0.as_ref() {
                    "name" => {}
                    "description" => {
                        let v = self.string("description", &entry.1)?;
                        self.constraint(&err, "description", v);
                    }
                    _ => annotation.push(entry),
                }
            }
            self.annotate(&err, &annotation);
            self.d.edge(id, err, "error", Some(name.to_owned()));
        }
        if names.len() >= 2 {
            self.constraint(id, "order", names_json(names.iter().copied()));
        }
        Ok(())
    }

    /// The def vertex a ref names, declaring an `external` vertex for a
    /// def of a lexicon outside the source.
    fn resolve(&mut self, written: &str) -> Result<String, FormatError> {
        let Some((nsid, name)) = split_ref(written, self.nsid) else {
            return Err(self.invalid(
                Some(written),
                format!("{written:?} is not a ref: refs are #name, nsid or nsid#name"),
            ));
        };
        let target = def_id(nsid, name);
        if nsid == self.nsid || self.index.nsids.contains_key(nsid) {
            match self.index.defs.get(&(nsid, name)) {
                None => {
                    return Err(FormatError::UnresolvedRef {
                        at: self.at(Some(written)),
                        reference: written.to_owned(),
                    });
                }
                Some(Some(kind)) if !is_type(kind) => {
                    return Err(self.invalid(
                        Some(written),
                        format!("the ref {written:?} names a {kind}, which is not a type"),
                    ));
                }
                Some(_) => {}
            }
        } else if !self.externals.contains(&target) {
            if self.index.paths.contains(target.as_str()) {
                return Err(self.invalid(
                    Some(written),
                    format!("the ref {written:?} names a lexicon whose NSID is also a file's path"),
                ));
            }
            self.d
                .vertex(target.as_str(), "external", Some(nsid.to_owned()));
            self.externals.insert(target.clone());
        }
        Ok(target)
    }

    /// Keeps the keys nothing else models, as one JSON object.
    fn annotate(&mut self, id: &str, entries: &[&(Cow<'j, str>, Json<'j>)]) {
        if entries.is_empty() {
            return;
        }
        let mut text = String::from("{");
        for (i, (k, v)) in entries.iter().map(|e| (&e.0, &e.1)).enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&Json::Str(Cow::Borrowed(k)).to_compact());
            text.push(':');
            text.push_str(&v.to_compact());
        }
        text.push('}');
        self.constraint(id, "annotation", text);
    }

    fn int(&self, key: &str, value: &Json<'_>) -> Result<String, FormatError> {
        match value {
            Json::Int(i) => Ok(i.to_string()),
            Json::UInt(u) => Ok(u.to_string()),
            other => Err(self.invalid(
                Some(key),
                format!("{key:?} is an integer, not {}", other.type_name()),
            )),
        }
    }

    fn string(&self, key: &str, value: &Json<'_>) -> Result<String, FormatError> {
        value.as_str().map(str::to_owned).ok_or_else(|| {
            self.invalid(
                Some(key),
                format!("{key:?} is a string, not {}", value.type_name()),
            )
        })
    }

    fn boolean(&self, key: &str, value: &Json<'_>) -> Result<bool, FormatError> {
        match value {
            Json::Bool(b) => Ok(*b),
            other => Err(self.invalid(
                Some(key),
                format!("{key:?} is a boolean, not {}", other.type_name()),
            )),
        }
    }

    fn strings(&self, key: &str, value: &'j Json<'j>) -> Result<Vec<&'j str>, FormatError> {
        let bad = |what: &str| {
            self.invalid(
                Some(key),
                format!("{key:?} is an array of strings, not {what}"),
            )
        };
        let Json::Array(items) = value else {
            return Err(bad(value.type_name()));
        };
        items
            .iter()
            .map(|item| item.as_str().ok_or_else(|| bad("one holding other values")))
            .collect()
    }

    /// `enum`, `const` or `default` of a string, integer or boolean, as
    /// constraint text: the string itself, the number, `true`/`false`, or
    /// for `enum` a JSON array.
    fn value(&self, kind: &str, key: &str, value: &'j Json<'j>) -> Result<String, FormatError> {
        match (kind, key, value) {
            ("string", "enum", _) => {
                self.strings(key, value)?;
                Ok(value.to_compact())
            }
            ("integer", "enum", Json::Array(items)) => {
                if let Some(bad) = items
                    .iter()
                    .find(|i| !matches!(i, Json::Int(_) | Json::UInt(_)))
                {
                    return Err(self.invalid(
                        Some(key),
                        format!("an integer's enum holds integers, not {}", bad.type_name()),
                    ));
                }
                Ok(value.to_compact())
            }
            ("string", _, _) => self.string(key, value),
            ("integer", "const" | "default", _) => self.int(key, value),
            ("boolean", _, _) => self.boolean(key, value).map(|b| b.to_string()),
            _ => Err(self.invalid(
                Some(key),
                format!(
                    "{key:?} of an {kind} is an array of integers, not {}",
                    value.type_name()
                ),
            )),
        }
    }
}

/// Names as a compact JSON array.
fn names_json<'n>(names: impl Iterator<Item = &'n str>) -> String {
    Json::Array(names.map(|n| Json::Str(Cow::Borrowed(n))).collect()).to_compact()
}
