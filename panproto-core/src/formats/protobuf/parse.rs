//! `.proto` files to a schema: protox compiles the source's files (its
//! own copies of the well-known files serve imports the source lacks),
//! then each file of the source is walked into vertices, edges and
//! constraints as the module doc describes.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

use protox::Compiler;
use protox::file::{File, FileResolver, GoogleFileResolver};
use protox::prost_reflect::prost_types::SourceCodeInfo;
use protox::prost_reflect::{
    Cardinality, DescriptorPool, DynamicMessage, EnumDescriptor, ExtensionDescriptor,
    FieldDescriptor, FileDescriptor, Kind, MessageDescriptor, ServiceDescriptor, Syntax, Value,
};

use super::options::{entries, known};
use crate::formats::{FormatError, FormatOptions, Location, Source};
use crate::model::{Schema, SchemaBuilder, SchemaError, builtin_protocol};

/// The largest field number, and the end of `max` in `reserved` and
/// `extensions` ranges of a message.
pub(super) const MAX_FIELD_NUMBER: i64 = 536_870_911;

/// Parses the `.proto` files of `source` as one schema.
pub(in crate::formats) fn parse(
    source: &Source,
    _options: &FormatOptions,
) -> Result<Schema, FormatError> {
    for file in source.files() {
        refuse_editions(&file.path, &file.text)?;
    }
    let texts: Rc<HashMap<String, String>> = Rc::new(
        source
            .files()
            .iter()
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect(),
    );
    let infos = Rc::new(RefCell::new(HashMap::new()));
    let pool = match compile(source, &texts, Some(&infos)) {
        Ok(pool) => pool,
        // Compiled again with the source info, for the error's location.
        Err(e) => return Err(compile(source, &texts, None).err().unwrap_or(e)),
    };
    let protocol = builtin_protocol("protobuf").map_err(SchemaError::from)?;
    let mut walker = Walker {
        b: Schema::builder(protocol),
        in_source: &texts,
        externals: HashSet::new(),
        infos: infos.take(),
        dynamic_file: None,
        comments: HashMap::new(),
        single: match source.files() {
            [only] if source.key(only, SINGLE_NAME) != only.path => {
                Some((only.path.clone(), SINGLE_NAME.to_owned()))
            }
            _ => None,
        },
    };
    for file in pool.files() {
        if texts.contains_key(file.name()) {
            walker.file(&file);
        }
    }
    Ok(walker.b.into_schema()?)
}

/// The name of the file of a one-file source (see `Source::key`).
const SINGLE_NAME: &str = "schema.proto";

/// Compiles the source's files. With `infos`, each file's source info
/// (comments, spans) is taken out into it before the compiler sees the file:
/// prost-reflect rewrites the source info's paths once per option, a scan
/// of every location each time (quadratic on a file with many options), and
/// the walk needs only the comments, which it finds there. Without it, the
/// source info stays in, for the spans of errors.
fn compile(
    source: &Source,
    texts: &Rc<HashMap<String, String>>,
    infos: Option<&Infos>,
) -> Result<DescriptorPool, FormatError> {
    let mut compiler = Compiler::with_file_resolver(SourceResolver {
        files: Rc::clone(texts),
        google: GoogleFileResolver::new(),
        infos: infos.map(Rc::clone),
    });
    compiler
        .include_source_info(infos.is_none())
        .include_imports(true);
    for file in source.files() {
        compiler
            .open_file(&file.path)
            .map_err(|e| compile_error(&e, texts))?;
    }
    Ok(compiler.descriptor_pool())
}

/// Each file's source info, by file name.
type Infos = Rc<RefCell<HashMap<String, SourceCodeInfo>>>;

/// Serves the source's files by their path, then the well-known files.
struct SourceResolver {
    files: Rc<HashMap<String, String>>,
    google: GoogleFileResolver,
    /// Where the source info goes, when it is taken out.
    infos: Option<Infos>,
}

impl FileResolver for SourceResolver {
    fn resolve_path(&self, path: &Path) -> Option<String> {
        let name = path.to_str()?;
        self.files.contains_key(name).then(|| name.to_owned())
    }

    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.files.get(name) {
            Some(text) => {
                let file = File::from_source(name, text)?;
                let Some(infos) = &self.infos else {
                    return Ok(file);
                };
                let mut proto = file.file_descriptor_proto().clone();
                if let Some(info) = proto.source_code_info.take() {
                    infos.borrow_mut().insert(name.to_owned(), info);
                }
                Ok(File::from_file_descriptor_proto(proto))
            }
            None => self.google.open_file(name),
        }
    }
}

/// Refuses a file whose first statement is `edition = "..."`.
fn refuse_editions(path: &str, text: &str) -> Result<(), FormatError> {
    let start = first_statement(text);
    let rest = text.get(start..).unwrap_or("");
    if let Some(after) = rest.strip_prefix("edition") {
        if after.trim_start().starts_with('=') {
            return Err(FormatError::Unsupported {
                at: Location::at_offset(path, text, start),
                construct: "editions (`edition = ...`)".to_owned(),
                reason: "the protox parser reads proto2 and proto3 files only; \
                         write the file with `syntax = \"proto2\"` or `\"proto3\"`"
                    .to_owned(),
            });
        }
    }
    Ok(())
}

/// The byte offset of the first character that is not blank or in a comment.
fn first_statement(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i..i + 2) {
            Some(b"//") => {
                while i < bytes.len() && bytes.get(i) != Some(&b'\n') {
                    i += 1;
                }
            }
            Some(b"/*") => {
                i += 2;
                while i < bytes.len() && bytes.get(i..i + 2) != Some(b"*/") {
                    i += 1;
                }
                i += 2;
            }
            _ if bytes.get(i).is_some_and(u8::is_ascii_whitespace) => i += 1,
            _ => break,
        }
    }
    i.min(bytes.len())
}

/// A protox error as a located [`FormatError`].
fn compile_error(err: &protox::Error, texts: &HashMap<String, String>) -> FormatError {
    use miette::Diagnostic;
    let message = err.to_string();
    let file = err.file().unwrap_or("");
    // The primary label, else the last one: for a name or number defined
    // twice, the second definition is the one at fault.
    let offset = err.labels().and_then(|labels| {
        let labels: Vec<_> = labels.collect();
        labels
            .iter()
            .find(|l| l.primary())
            .or(labels.last())
            .map(|l| l.offset())
    });
    let at = match (texts.get(file), offset) {
        (Some(text), Some(offset)) => Location::at_offset(file, text, offset),
        _ => Location::new(file, 1, 1),
    };
    let quoted = || {
        message
            .split('\'')
            .nth(1)
            .unwrap_or(message.as_str())
            .to_owned()
    };
    if err.is_parse() {
        FormatError::Syntax { at, message }
    } else if err.is_file_not_found() || message.contains("is not defined") {
        FormatError::UnresolvedRef {
            at,
            reference: quoted(),
        }
    } else {
        FormatError::Invalid { at, message }
    }
}

/// Walks the compiled files into a schema builder.
struct Walker<'s> {
    b: SchemaBuilder,
    /// The source's files, by name: types defined elsewhere are external.
    in_source: &'s HashMap<String, String>,
    /// External types already declared.
    externals: HashSet<String>,
    /// The current file as a dynamic message, once an extension range needs it.
    dynamic_file: Option<DynamicMessage>,
    /// Each source file's source info, by file name.
    infos: HashMap<String, SourceCodeInfo>,
    /// The current file's leading comments, by descriptor path.
    comments: HashMap<Vec<i32>, String>,
    /// For a source of one file read on its own: its path, and the name it
    /// has in the schema instead (`Source::key`), so two versions in two
    /// files compare as one file changed.
    single: Option<(String, String)>,
}

impl Walker<'_> {
    fn vertex(&mut self, id: &str, kind: &str) {
        self.b = self.b.vertex(id, kind, None);
    }

    fn edge(&mut self, src: &str, tgt: &str, kind: &str, name: Option<&str>) {
        self.b = self.b.edge(src, tgt, kind, name.map(str::to_owned));
    }

    fn constraint(&mut self, vertex: &str, sort: &str, value: impl Into<String>) {
        self.b = self.b.constraint(vertex, sort, value);
    }

    fn json_list(&mut self, vertex: &str, sort: &str, items: &[String]) {
        if !items.is_empty() {
            let text = serde_json::to_string(items).unwrap_or_default();
            self.constraint(vertex, sort, text);
        }
    }

    /// The `options` and `deprecated` sorts of an element.
    /// (`None` when the element has no option: decoding is skipped.)
    fn options(&mut self, vertex: &str, options: Option<DynamicMessage>, skip: &[&str]) {
        let Some(options) = options else { return };
        let options = &options;
        if let Some(v) = known(options, "deprecated").and_then(|v| v.as_bool()) {
            self.constraint(vertex, "deprecated", v.to_string());
        }
        let mut skipped = vec!["deprecated"];
        skipped.extend_from_slice(skip);
        let list = entries(options, &skipped);
        self.json_list(vertex, "options", &list);
    }

    /// The options of each extension range of `m`. prost-reflect gives no
    /// typed access to them (its `DescriptorProto` copy has them as
    /// `None`), but its encoding of the file holds them, interpreted: the
    /// file is read back as a dynamic `FileDescriptorProto` (once per
    /// file, with the pool's own `descriptor.proto` when it has one, so
    /// custom options are known) and the message found by its path.
    fn range_options(&mut self, m: &MessageDescriptor) -> Vec<Vec<String>> {
        const EXTENSION_RANGE: u32 = 5;
        const OPTIONS: u32 = 3;
        if self.dynamic_file.is_none() {
            let file = m.parent_file();
            let name = "google.protobuf.FileDescriptorProto";
            let desc = m
                .parent_pool()
                .get_message_by_name(name)
                .or_else(|| DescriptorPool::global().get_message_by_name(name));
            self.dynamic_file =
                desc.and_then(|d| DynamicMessage::decode(d, file.encode_to_vec().as_slice()).ok());
        }
        let Some(mut message) = self.dynamic_file.clone() else {
            return Vec::new();
        };
        for step in m.path().chunks(2) {
            let (Some(field), Some(index)) = (step.first(), step.get(1)) else {
                return Vec::new();
            };
            let (Ok(field), Ok(index)) = (u32::try_from(*field), usize::try_from(*index)) else {
                return Vec::new();
            };
            let next = match message.get_field_by_number(field).as_deref() {
                Some(Value::List(items)) => match items.get(index) {
                    Some(Value::Message(m)) => m.clone(),
                    _ => return Vec::new(),
                },
                _ => return Vec::new(),
            };
            message = next;
        }
        let Some(Value::List(ranges)) = message
            .get_field_by_number(EXTENSION_RANGE)
            .as_deref()
            .cloned()
        else {
            return Vec::new();
        };
        ranges
            .iter()
            .map(|r| match r {
                Value::Message(r) => match r.get_field_by_number(OPTIONS).as_deref() {
                    Some(Value::Message(o)) => entries(o, &[]),
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            })
            .collect()
    }

    /// The `comment` sort: the leading comment of the element at `path`.
    fn comment(&mut self, vertex: &str, path: &[i32]) {
        if let Some(text) = self.comments.get(path) {
            let text = text.clone();
            self.constraint(vertex, "comment", text);
        }
    }

    /// A field's comment; a group's is found on its body's location.
    fn field_comment(&mut self, id: &str, path: &[i32], group: bool, kind: &Kind) {
        match kind.as_message().filter(|_| group) {
            Some(body) if !self.comments.contains_key(path) => self.comment(id, body.path()),
            _ => self.comment(id, path),
        }
    }

    fn file(&mut self, file: &FileDescriptor) {
        let name = file.name();
        let id_owned = match &self.single {
            Some((path, key)) if path == name => key.clone(),
            _ => name.to_owned(),
        };
        let id = id_owned.as_str();
        self.dynamic_file = None;
        self.comments = self
            .infos
            .get(name)
            .into_iter()
            .flat_map(|info| &info.location)
            .filter_map(|l| {
                let text = l.leading_comments.as_deref()?;
                let text = text.strip_suffix('\n').unwrap_or(text);
                Some((l.path.clone(), text.to_owned()))
            })
            .collect();
        self.vertex(id, "file");
        let syntax = match file.syntax() {
            Syntax::Proto2 => "proto2",
            Syntax::Proto3 => "proto3",
        };
        self.constraint(id, "syntax", syntax);
        if !file.package_name().is_empty() {
            self.constraint(id, "package", file.package_name());
        }
        let proto = file.file_descriptor_proto();
        let imports: Vec<String> = proto
            .dependency
            .iter()
            .enumerate()
            .map(|(i, dep)| {
                let i = i32::try_from(i).unwrap_or(i32::MAX);
                let mut s = String::new();
                if proto.public_dependency.contains(&i) {
                    s.push_str("public ");
                } else if proto.weak_dependency.contains(&i) {
                    s.push_str("weak ");
                }
                s.push_str(&super::options::quote(dep.as_bytes()));
                s
            })
            .collect();
        self.json_list(id, "imports", &imports);
        self.options(
            id,
            file.file_descriptor_proto()
                .options
                .is_some()
                .then(|| file.options()),
            &[],
        );
        let groups = group_bodies(file.extensions().map(|x| (x.is_group(), x.kind())));
        for m in file.messages() {
            self.edge(id, m.full_name(), "declares", Some(m.name()));
            let group = groups.contains(m.full_name());
            self.message(&m, group);
        }
        for e in file.enums() {
            self.edge(id, e.full_name(), "declares", Some(e.name()));
            self.enumeration(&e);
        }
        for s in file.services() {
            self.edge(id, s.full_name(), "declares", Some(s.name()));
            self.service(&s);
        }
        for x in file.extensions() {
            self.extension(id, &x);
        }
    }

    /// A message; a group's body (`group`) takes no comment: the group
    /// field has it, and emit writes it once, before the group.
    fn message(&mut self, m: &MessageDescriptor, group: bool) {
        let id = m.full_name();
        self.vertex(id, "message");
        if !group {
            self.comment(id, m.path());
        }
        self.options(
            id,
            m.descriptor_proto().options.is_some().then(|| m.options()),
            &["map_entry"],
        );
        let order: Vec<String> = m
            .descriptor_proto()
            .field
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        let mut required = Vec::new();
        let mut oneofs_seen = HashSet::new();
        for f in m.fields() {
            let oneof = f.containing_oneof().filter(|o| !o.is_synthetic());
            let parent = match &oneof {
                Some(o) => {
                    if oneofs_seen.insert(o.full_name().to_owned()) {
                        self.vertex(o.full_name(), "oneof");
                        self.comment(o.full_name(), o.path());
                        self.edge(id, o.full_name(), "oneof", Some(o.name()));
                        self.options(
                            o.full_name(),
                            o.oneof_descriptor_proto()
                                .options
                                .is_some()
                                .then(|| o.options()),
                            &[],
                        );
                    }
                    o.full_name().to_owned()
                }
                None => id.to_owned(),
            };
            if f.cardinality() == Cardinality::Required {
                required.push(f.name().to_owned());
            }
            self.field(&parent, &f, oneof.is_some());
        }
        self.json_list(id, "order", &order);
        if !required.is_empty() {
            self.b = self.b.required(id, required);
        }
        let proto = m.descriptor_proto();
        let mut reserved: Vec<String> = m
            .reserved_ranges()
            .map(|r| range_text(i64::from(r.start), i64::from(r.end) - 1, MAX_FIELD_NUMBER))
            .collect();
        reserved.extend(
            m.reserved_names()
                .map(|n| super::options::quote(n.as_bytes())),
        );
        self.json_list(id, "reserved", &reserved);
        let range_options = if proto.extension_range.is_empty() {
            Vec::new()
        } else {
            self.range_options(m)
        };
        let ranges: Vec<String> = proto
            .extension_range
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut s = range_text(
                    i64::from(r.start()),
                    i64::from(r.end()) - 1,
                    MAX_FIELD_NUMBER,
                );
                if let Some(opts) = range_options.get(i).filter(|o| !o.is_empty()) {
                    // `5 to 5`: protox takes options after a range only.
                    if r.end() - r.start() == 1 {
                        s.push_str(" to ");
                        s.push_str(&r.start().to_string());
                    }
                    s.push_str(" [");
                    s.push_str(&opts.join(", "));
                    s.push(']');
                }
                s
            })
            .collect();
        self.json_list(id, "extension-ranges", &ranges);
        let groups = group_bodies(
            m.fields()
                .map(|f| (f.is_group(), f.kind()))
                .chain(m.child_extensions().map(|x| (x.is_group(), x.kind()))),
        );
        for n in m.child_messages() {
            if n.is_map_entry() {
                continue;
            }
            self.edge(id, n.full_name(), "nested", Some(n.name()));
            let group = groups.contains(n.full_name());
            self.message(&n, group);
        }
        for e in m.child_enums() {
            self.edge(id, e.full_name(), "nested", Some(e.name()));
            self.enumeration(&e);
        }
        for x in m.child_extensions() {
            self.extension(id, &x);
        }
    }

    /// A field of `parent` (a message, or a oneof).
    fn field(&mut self, parent: &str, f: &FieldDescriptor, in_oneof: bool) {
        let id = f.full_name();
        self.field_comment(id, f.path(), f.is_group(), &f.kind());
        self.edge(parent, id, "field", Some(f.name()));
        let proto = f.field_descriptor_proto();
        if f.is_map() {
            self.vertex(id, "map");
            if let Some(entry) = f.kind().as_message() {
                let key = format!("{id}.key");
                let value = format!("{id}.value");
                self.typed(&key, &entry.map_entry_key_field().kind());
                self.typed(&value, &entry.map_entry_value_field().kind());
                self.edge(id, &key, "map-key", None);
                self.edge(id, &value, "map-value", None);
            }
        } else {
            self.typed(id, &f.kind());
            let label = match f.cardinality() {
                Cardinality::Repeated => Some("repeated"),
                Cardinality::Required => Some("required"),
                Cardinality::Optional if in_oneof => None,
                Cardinality::Optional => match f.parent_file().syntax() {
                    Syntax::Proto2 => Some("optional"),
                    Syntax::Proto3 => proto.proto3_optional().then_some("optional"),
                },
            };
            if let Some(label) = label {
                self.constraint(id, "label", label);
            }
        }
        let options = proto.options.is_some().then(|| f.options());
        self.field_facts(id, proto, f.is_group(), options);
    }

    /// What fields and extensions share: number, default, json name,
    /// group, packed and options.
    fn field_facts(
        &mut self,
        id: &str,
        proto: &protox::prost_reflect::prost_types::FieldDescriptorProto,
        group: bool,
        options: Option<DynamicMessage>,
    ) {
        self.constraint(id, "field-number", proto.number().to_string());
        if let Some(d) = &proto.default_value {
            self.constraint(id, "default", d.as_str());
        }
        if let Some(j) = &proto.json_name {
            if *j != default_json_name(proto.name()) {
                self.constraint(id, "json-name", j.as_str());
            }
        }
        if group {
            self.constraint(id, "group", "true");
        }
        if let Some(p) = options
            .as_ref()
            .and_then(|o| known(o, "packed"))
            .and_then(|v| v.as_bool())
        {
            self.constraint(id, "packed", p.to_string());
        }
        self.options(id, options, &["packed"]);
    }

    /// A vertex of a field's type: a scalar kind, or a `ref` to a named type.
    fn typed(&mut self, id: &str, kind: &Kind) {
        match kind {
            Kind::Message(m) => {
                self.vertex(id, "ref");
                self.edge(id, m.full_name(), "ref", None);
                self.external_message(m);
            }
            Kind::Enum(e) => {
                self.vertex(id, "ref");
                self.edge(id, e.full_name(), "ref", None);
                self.external_enum(e);
            }
            scalar => self.vertex(id, scalar_name(scalar)),
        }
    }

    /// Declares a message of a file outside the source, once.
    fn external_message(&mut self, m: &MessageDescriptor) {
        let file = m.parent_file();
        if !self.in_source.contains_key(file.name())
            && self.externals.insert(m.full_name().to_owned())
        {
            self.vertex(m.full_name(), "message");
            self.constraint(m.full_name(), "external", file.name());
        }
    }

    fn external_enum(&mut self, e: &EnumDescriptor) {
        let file = e.parent_file();
        if !self.in_source.contains_key(file.name())
            && self.externals.insert(e.full_name().to_owned())
        {
            self.vertex(e.full_name(), "enum");
            self.constraint(e.full_name(), "external", file.name());
        }
    }

    fn extension(&mut self, scope: &str, x: &ExtensionDescriptor) {
        let id = x.full_name();
        self.field_comment(id, x.path(), x.is_group(), &x.kind());
        self.typed(id, &x.kind());
        self.edge(scope, id, "extension", Some(x.name()));
        let extendee = x.containing_message();
        self.external_message(&extendee);
        self.edge(id, extendee.full_name(), "extendee", None);
        let label = match x.cardinality() {
            Cardinality::Repeated => "repeated",
            Cardinality::Required => "required",
            Cardinality::Optional => "optional",
        };
        if x.parent_file().syntax() == Syntax::Proto2
            || label == "repeated"
            || x.field_descriptor_proto().proto3_optional()
        {
            self.constraint(id, "label", label);
        }
        let proto = x.field_descriptor_proto();
        let options = proto.options.is_some().then(|| x.options());
        self.field_facts(id, proto, x.is_group(), options);
    }

    fn enumeration(&mut self, e: &EnumDescriptor) {
        let id = e.full_name();
        self.vertex(id, "enum");
        self.comment(id, e.path());
        self.options(
            id,
            e.enum_descriptor_proto()
                .options
                .is_some()
                .then(|| e.options()),
            &[],
        );
        // Declaration order, as written (`values()` goes by number).
        let order: Vec<String> = e
            .enum_descriptor_proto()
            .value
            .iter()
            .map(|v| v.name().to_owned())
            .collect();
        for v in e.values() {
            let vid = format!("{id}.{}", v.name());
            self.vertex(&vid, "enum-value");
            self.comment(&vid, v.path());
            self.edge(id, &vid, "value", Some(v.name()));
            self.constraint(&vid, "number", v.number().to_string());
            self.options(
                &vid,
                v.enum_value_descriptor_proto()
                    .options
                    .is_some()
                    .then(|| v.options()),
                &[],
            );
        }
        self.json_list(id, "order", &order);
        let mut reserved: Vec<String> = e
            .reserved_ranges()
            .map(|r| {
                range_text(
                    i64::from(*r.start()),
                    i64::from(*r.end()),
                    i64::from(i32::MAX),
                )
            })
            .collect();
        reserved.extend(
            e.reserved_names()
                .map(|n| super::options::quote(n.as_bytes())),
        );
        self.json_list(id, "reserved", &reserved);
    }

    fn service(&mut self, s: &ServiceDescriptor) {
        let id = s.full_name();
        self.vertex(id, "service");
        self.comment(id, s.path());
        self.options(
            id,
            s.service_descriptor_proto()
                .options
                .is_some()
                .then(|| s.options()),
            &[],
        );
        let mut order = Vec::new();
        for m in s.methods() {
            let mid = m.full_name();
            self.vertex(mid, "rpc");
            self.comment(mid, m.path());
            self.edge(id, mid, "rpc", Some(m.name()));
            let (input, output) = (m.input(), m.output());
            self.external_message(&input);
            self.external_message(&output);
            self.edge(mid, input.full_name(), "input", None);
            self.edge(mid, output.full_name(), "output", None);
            if m.is_client_streaming() {
                self.constraint(mid, "client-streaming", "true");
            }
            if m.is_server_streaming() {
                self.constraint(mid, "server-streaming", "true");
            }
            self.options(
                mid,
                m.method_descriptor_proto()
                    .options
                    .is_some()
                    .then(|| m.options()),
                &[],
            );
            order.push(m.name().to_owned());
        }
        self.json_list(id, "order", &order);
    }
}

/// The full names of the messages that are the bodies of the groups among
/// `fields` (whether each is a group, and its type).
fn group_bodies(fields: impl Iterator<Item = (bool, Kind)>) -> HashSet<String> {
    fields
        .filter(|(group, _)| *group)
        .filter_map(|(_, kind)| kind.as_message().map(|m| m.full_name().to_owned()))
        .collect()
}

/// `5`, `9 to 11` or `20 to max` for an inclusive range.
pub(super) fn range_text(start: i64, end: i64, max: i64) -> String {
    if start == end {
        start.to_string()
    } else if end >= max {
        format!("{start} to max")
    } else {
        format!("{start} to {end}")
    }
}

/// The JSON name `protoc` gives a field: underscores dropped, the letter
/// after each one upper-cased.
pub(super) fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The kind (and `.proto` keyword) of a scalar type.
pub(super) fn scalar_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(_) | Kind::Enum(_) => "ref",
    }
}
