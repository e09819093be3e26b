//! Reading SDL into a schema of the `graphql` protocol.
//!
//! Every file is parsed once with `apollo-parser`; a file with a syntax
//! error stops the parse there. A first pass over the definitions records
//! every named type (its kind, whether it is defined or only extended) and
//! every directive definition, so that refs resolve whatever the order of
//! files and definitions; a second pass declares the vertices, edges and
//! constraints (see the module doc of `graphql` for the scheme).

use std::sync::Arc;

use apollo_parser::Parser;
use apollo_parser::cst::{self, CstNode};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::syntax::{Decl, comments_before, name_text, start};
use super::text::push_string;
use super::{BUILTIN_SCALARS, DEFAULT_REASON, SCHEMA_ID};
use crate::formats::{FormatError, FormatOptions, Location, Source, SourceFile};
use crate::model::{Schema, SchemaBuilder, builtin_protocol};

/// A named type as the first pass finds it.
#[derive(Debug, Clone, Copy)]
struct Named {
    kind: &'static str,
    /// Whether some file defines it (not only `extend`s it).
    defined: bool,
}

/// Where a typed member sits, for the rule on which types it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// A field of an object or interface: an output type.
    Output,
    /// An argument or input field: an input type.
    Input,
}

/// The parse of one source: the builder and what the passes share.
struct Reader<'s> {
    builder: SchemaBuilder,
    files: &'s [SourceFile],
    /// Whether the source has several files (then `file` vertices).
    multi: bool,
    /// The file being read.
    file: usize,
    types: HashMap<String, Named>,
    directive_defs: HashSet<String>,
    /// Member vertex ids declared so far, to refuse a member twice.
    members: HashSet<String>,
    /// Per type: member names in order, directive text, description.
    order: HashMap<String, Vec<String>>,
    directives: HashMap<String, String>,
    /// Per extension-only type: the files that extend it (declared once each).
    extended_in: HashSet<(usize, String)>,
    /// The schema block: whether some file defines it (first pass),
    /// whether its vertex is declared, its operations in order.
    schema_defined: bool,
    schema_seen: bool,
    operations: Vec<String>,
    /// Per type, its members every value has (see [`Self::require`]).
    required: HashMap<String, Vec<String>>,
    /// Whether refs to types defined nowhere are kept (as `external`).
    external_refs: bool,
    externals: HashSet<String>,
}

type Result<T> = std::result::Result<T, FormatError>;

/// Parses `.graphql` files.
pub(crate) fn parse(source: &Source, options: &FormatOptions) -> Result<Schema> {
    let protocol = builtin_protocol("graphql").map_err(|e| FormatError::Io {
        path: source.origin().to_owned(),
        message: e.to_string(),
    })?;
    let files = source.files();
    let mut trees = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        if is_blank(&file.text) {
            // A file of comments only (or one whose extensions emit merged
            // into their types): no definitions, which apollo-parser refuses.
            continue;
        }
        let tree = Parser::new(&file.text).parse();
        if let Some(error) = tree.errors().min_by_key(|e| e.index()) {
            let found = if error.is_eof() {
                "the end of the file".to_owned()
            } else {
                format!("{:?}", error.data())
            };
            return Err(FormatError::Syntax {
                at: Location::at_offset(&file.path, &file.text, error.index()),
                message: format!("{} (found {found})", error.message()),
            });
        }
        trees.push((i, tree.document()));
    }
    let mut reader = Reader {
        builder: Schema::builder(Arc::clone(&protocol)),
        files,
        multi: files.len() > 1,
        file: 0,
        types: HashMap::default(),
        directive_defs: HashSet::default(),
        members: HashSet::default(),
        order: HashMap::default(),
        directives: HashMap::default(),
        extended_in: HashSet::default(),
        schema_defined: false,
        schema_seen: false,
        operations: Vec::new(),
        required: HashMap::default(),
        external_refs: options.external_refs,
        externals: HashSet::default(),
    };
    for (i, doc) in &trees {
        reader.file = *i;
        reader.collect(doc)?;
    }
    if reader.multi {
        for file in files {
            reader.builder = reader.builder.vertex(file.path.clone(), "file", None);
        }
    }
    for (i, doc) in &trees {
        reader.file = *i;
        for def in doc.definitions() {
            reader.definition(&def)?;
        }
    }
    let builder = reader.finish()?;
    // The syntax trees go before the schema is assembled, which holds every
    // declaration twice over for a while: a large SDL's peak is lower.
    drop(trees);
    Ok(builder.into_schema()?)
}

impl Reader<'_> {
    fn path(&self) -> &str {
        self.files.get(self.file).map_or("", |f| f.path.as_str())
    }

    fn text(&self) -> &str {
        self.files.get(self.file).map_or("", |f| f.text.as_str())
    }

    fn at(&self, offset: usize) -> Location {
        Location::at_offset(self.path(), self.text(), offset)
    }

    fn invalid(&self, offset: usize, message: String) -> FormatError {
        FormatError::Invalid {
            at: self.at(offset),
            message,
        }
    }

    /// A name that the syntax requires (apollo-parser reports a missing
    /// one as an error, so this only guards against a tree it repaired).
    fn name_of(&self, name: Option<cst::Name>, node: &impl CstNode) -> Result<(String, usize)> {
        match name {
            Some(n) => Ok((name_text(&n), start(&n))),
            None => Err(FormatError::Syntax {
                at: self.at(start(node)),
                message: "expected a name".to_owned(),
            }),
        }
    }

    /// The kind of named type `name` (used at byte `at`), or `None` for a
    /// type no file defines, kept as an `external` vertex when the options
    /// allow it.
    fn resolve(&mut self, name: &str, at: usize) -> Result<Option<&'static str>> {
        if let Some(t) = self.types.get(name) {
            return Ok(Some(t.kind));
        }
        if !self.external_refs {
            return Err(FormatError::UnresolvedRef {
                at: self.at(at),
                reference: name.to_owned(),
            });
        }
        if self.externals.insert(name.to_owned()) {
            self.builder = self.builder.vertex(name, "external", None);
        }
        Ok(None)
    }

    /// The first pass: every named type and directive definition.
    fn collect(&mut self, doc: &cst::Document) -> Result<()> {
        for def in doc.definitions() {
            if let cst::Definition::SchemaDefinition(d) = &def {
                if self.schema_defined {
                    return Err(self.invalid(start(d), "the schema is defined twice".to_owned()));
                }
                self.schema_defined = true;
                continue;
            }
            if let cst::Definition::DirectiveDefinition(d) = &def {
                let (name, at) = self.name_of(d.name(), d)?;
                if !self.directive_defs.insert(name.clone()) {
                    return Err(self.invalid(at, format!("directive @{name} is defined twice")));
                }
                continue;
            }
            let Some(decl) = Decl::of(&def) else { continue };
            let (name, at) = self.name_of(decl.name.clone(), &def)?;
            let seen = self.types.get(&name).copied();
            match seen {
                None => {
                    self.types.insert(
                        name,
                        Named {
                            kind: decl.kind,
                            defined: !decl.extension,
                        },
                    );
                }
                Some(seen) if seen.kind != decl.kind => {
                    let what = if decl.extension { "extends" } else { "defines" };
                    return Err(self.invalid(
                        at,
                        format!(
                            "this {what} {name} as {}, but it is {} elsewhere",
                            article(decl.kind),
                            article(seen.kind)
                        ),
                    ));
                }
                Some(seen) if !decl.extension && seen.defined => {
                    return Err(self.invalid(at, format!("type {name} is defined twice")));
                }
                Some(_) => {
                    if let Some(seen) = self.types.get_mut(&name) {
                        seen.defined |= !decl.extension;
                    }
                }
            }
        }
        Ok(())
    }

    fn comment(&mut self, id: &str, node: &cst::SyntaxNode) {
        if let Some(text) = comments_before(node) {
            self.builder = self.builder.constraint(id, "comment", text);
        }
    }

    /// The second pass, one definition.
    fn definition(&mut self, def: &cst::Definition) -> Result<()> {
        use cst::Definition as D;
        match def {
            D::OperationDefinition(_) | D::FragmentDefinition(_) => Err(FormatError::Unsupported {
                at: self.at(start(def)),
                construct: format!("an executable definition ({})", def.kind()),
                reason: "a schema file holds type system definitions only; \
                             keep operations and fragments in their own documents"
                    .to_owned(),
            }),
            D::DirectiveDefinition(d) => self.directive_definition(d),
            D::SchemaDefinition(d) => {
                self.comment(SCHEMA_ID, d.syntax());
                self.schema_block(
                    false,
                    d.description(),
                    d.directives(),
                    d.root_operation_type_definitions(),
                )
            }
            D::SchemaExtension(d) => self.schema_block(
                true,
                None,
                d.directives(),
                d.root_operation_type_definitions(),
            ),
            _ => match Decl::of(def) {
                Some(decl) => self.named_type(&decl, def),
                None => Ok(()),
            },
        }
    }

    fn directive_definition(&mut self, d: &cst::DirectiveDefinition) -> Result<()> {
        let (name, _) = self.name_of(d.name(), d)?;
        let id = format!("@{name}");
        self.builder = self.builder.vertex(id.clone(), "directive", None);
        self.comment(&id, d.syntax());
        if self.multi {
            self.builder = self
                .builder
                .edge(self.path().to_owned(), id.clone(), "declares", None);
        }
        self.describe(&id, d.description());
        if d.repeatable_token().is_some() {
            self.builder = self.builder.constraint(id.clone(), "repeatable", "true");
        }
        let locations: Vec<String> = d
            .directive_locations()
            .into_iter()
            .flat_map(|l| l.directive_locations())
            .filter_map(|l| l.text().map(|t| t.as_str().to_owned()))
            .collect();
        self.builder = self
            .builder
            .constraint(id.clone(), "locations", locations.join(" | "));
        self.arguments(&id, d.arguments_definition())
    }

    fn schema_block(
        &mut self,
        extension: bool,
        description: Option<cst::Description>,
        directives: Option<cst::Directives>,
        operations: cst::CstChildren<cst::RootOperationTypeDefinition>,
    ) -> Result<()> {
        if !self.schema_seen {
            self.schema_seen = true;
            self.builder = self.builder.vertex(SCHEMA_ID, "schema", None);
        }
        if self.multi {
            let kind = if extension { "extends" } else { "declares" };
            let key = (self.file, SCHEMA_ID.to_owned());
            // An extension of a schema block defined in some file merges
            // into it; one of a block defined nowhere is this file's.
            if !extension || !self.schema_defined && self.extended_in.insert(key) {
                self.builder = self
                    .builder
                    .edge(self.path().to_owned(), SCHEMA_ID, kind, None);
            }
        }
        self.describe(SCHEMA_ID, description);
        self.add_directives(SCHEMA_ID, directives, false);
        for op in operations {
            let name = match op.operation_type() {
                Some(t) if t.query_token().is_some() => "query",
                Some(t) if t.mutation_token().is_some() => "mutation",
                Some(t) if t.subscription_token().is_some() => "subscription",
                _ => {
                    return Err(FormatError::Syntax {
                        at: self.at(start(&op)),
                        message: "expected query, mutation or subscription".to_owned(),
                    });
                }
            };
            let Some(named) = op.named_type() else {
                return Err(FormatError::Syntax {
                    at: self.at(start(&op)),
                    message: "expected a type name".to_owned(),
                });
            };
            let (target, at) = self.name_of(named.name(), &named)?;
            match self.resolve(&target, at)? {
                Some("object") | None => {}
                Some(kind) => {
                    return Err(self.invalid(
                        at,
                        format!(
                            "the {name} root type must be an object type, and {target} is {}",
                            article(kind)
                        ),
                    ));
                }
            }
            if self.operations.iter().any(|o| o == name) {
                return Err(self.invalid(at, format!("the {name} root type is given twice")));
            }
            self.operations.push(name.to_owned());
            self.builder = self
                .builder
                .edge(SCHEMA_ID, target, "operation", Some(name.to_owned()));
        }
        Ok(())
    }

    fn named_type(&mut self, decl: &Decl, node: &cst::Definition) -> Result<()> {
        let (name, _) = self.name_of(decl.name.clone(), node)?;
        let only_extended = self.types.get(&name).is_some_and(|t| !t.defined);
        if !self.order.contains_key(&name) {
            // The first mention of the type (its definition, or an extension
            // in an earlier file) declares its vertex.
            self.builder = self.builder.vertex(name.clone(), decl.kind, None);
            self.order.insert(name.clone(), Vec::new());
            if only_extended {
                self.builder = self.builder.constraint(name.clone(), "extension", "true");
            }
        }
        if self.multi {
            if !decl.extension {
                self.builder =
                    self.builder
                        .edge(self.path().to_owned(), name.clone(), "declares", None);
            } else if only_extended && self.extended_in.insert((self.file, name.clone())) {
                self.builder =
                    self.builder
                        .edge(self.path().to_owned(), name.clone(), "extends", None);
            }
        }
        self.describe(&name, decl.description.clone());
        self.add_directives(&name, decl.directives.clone(), false);
        if !decl.extension {
            self.comment(&name, node.syntax());
        }
        let tag = decl.extension && self.multi;
        if let Some(implements) = &decl.implements {
            for named in implements.named_types() {
                let (iface, at) = self.name_of(named.name(), &named)?;
                match self.resolve(&iface, at)? {
                    Some("interface") | None => {}
                    Some(kind) => {
                        return Err(self.invalid(
                            at,
                            format!(
                                "{name} implements {iface}, which is {}, not an interface",
                                article(kind)
                            ),
                        ));
                    }
                }
                self.builder = self.builder.edge(name.clone(), iface, "implements", None);
            }
        }
        if let Some(fields) = &decl.fields {
            for field in fields.field_definitions() {
                let id = self.member(&name, field.name(), &field, "field", tag)?;
                self.comment(&id, field.syntax());
                if self.typed(&id, field.ty(), Position::Output, &field)? {
                    self.require(&name, &id);
                }
                self.describe(&id, field.description());
                self.add_directives(&id, field.directives(), true);
                self.arguments(&id, field.arguments_definition())?;
            }
        }
        if let Some(inputs) = &decl.inputs {
            for input in inputs.input_value_definitions() {
                let id = self.member(&name, input.name(), &input, "input-field", tag)?;
                self.comment(&id, input.syntax());
                if self.input_value(&id, &input)? {
                    self.require(&name, &id);
                }
            }
        }
        if let Some(members) = &decl.members {
            for named in members.named_types() {
                let (member, at) = self.name_of(named.name(), &named)?;
                match self.resolve(&member, at)? {
                    Some("object") | None => {}
                    Some(kind) => {
                        return Err(self.invalid(
                            at,
                            format!(
                                "union {name} lists {member}, which is {}, not an object type",
                                article(kind)
                            ),
                        ));
                    }
                }
                let order = self.order.entry(name.clone()).or_default();
                if order.contains(&member) {
                    return Err(self.invalid(at, format!("union {name} lists {member} twice")));
                }
                order.push(member.clone());
                self.builder = self.builder.edge(name.clone(), member, "member", None);
            }
        }
        if let Some(values) = &decl.values {
            for value in values.enum_value_definitions() {
                let id = self.member(
                    &name,
                    value.enum_value().and_then(|v| v.name()),
                    &value,
                    "value",
                    tag,
                )?;
                self.comment(&id, value.syntax());
                self.describe(&id, value.description());
                self.add_directives(&id, value.directives(), true);
            }
        }
        Ok(())
    }

    /// Declares member `name` of `parent` (vertex `parent.name`, an edge
    /// of `kind`); its kind is set by [`Self::typed`] (or is
    /// `enum-value`). `tag`: an extension's member in a multi-file schema,
    /// reached from its file by an `extends` edge.
    fn member(
        &mut self,
        parent: &str,
        name: Option<cst::Name>,
        node: &impl CstNode,
        kind: &str,
        tag: bool,
    ) -> Result<String> {
        let (name, at) = self.name_of(name, node)?;
        let mut id = String::with_capacity(parent.len() + name.len() + 1);
        id.push_str(parent);
        id.push('.');
        id.push_str(&name);
        if !self.members.insert(id.clone()) {
            return Err(self.invalid(at, format!("{parent} has two members named {name}")));
        }
        if kind == "value" {
            self.builder = self.builder.vertex(id.clone(), "enum-value", None);
        }
        self.builder = self
            .builder
            .edge(parent, id.clone(), kind, Some(name.clone()));
        if tag {
            self.builder = self
                .builder
                .edge(self.path().to_owned(), id.clone(), "extends", None);
        }
        match self.order.get_mut(parent) {
            Some(order) => order.push(name),
            None => {
                self.order.insert(parent.to_owned(), vec![name]);
            }
        }
        Ok(id)
    }

    /// Marks member `id` of `parent` as present in every value of the type:
    /// a non-null field of an object or interface (a response always has
    /// it), a non-null input field without a default (a request must give it).
    fn require(&mut self, parent: &str, id: &str) {
        let name = id.get(parent.len() + 1..).unwrap_or("").to_owned();
        match self.required.get_mut(parent) {
            Some(names) => names.push(name),
            None => {
                self.required.insert(parent.to_owned(), vec![name]);
            }
        }
    }

    /// An argument or input field: its type, default, description, directives.
    /// Returns whether it is required: non-null without a default.
    fn input_value(&mut self, id: &str, input: &cst::InputValueDefinition) -> Result<bool> {
        let non_null = self.typed(id, input.ty(), Position::Input, input)?;
        let default = input.default_value();
        let required = non_null && default.is_none();
        if let Some(default) = default {
            let mut text = String::new();
            match default.value() {
                Some(v) => self.value(&mut text, &v)?,
                None => {
                    return Err(FormatError::Syntax {
                        at: self.at(start(&default)),
                        message: "expected a default value after =".to_owned(),
                    });
                }
            }
            self.builder = self.builder.constraint(id, "default", text);
        }
        self.describe(id, input.description());
        self.add_directives(id, input.directives(), true);
        Ok(required)
    }

    /// The arguments of a field or directive definition, `owner(name:)`.
    fn arguments(&mut self, owner: &str, args: Option<cst::ArgumentsDefinition>) -> Result<()> {
        let Some(args) = args else { return Ok(()) };
        let mut order = Vec::new();
        for arg in args.input_value_definitions() {
            let (name, at) = self.name_of(arg.name(), &arg)?;
            let mut id = String::with_capacity(owner.len() + name.len() + 3);
            id.push_str(owner);
            id.push('(');
            id.push_str(&name);
            id.push_str(":)");
            if !self.members.insert(id.clone()) {
                return Err(self.invalid(at, format!("{owner} has two arguments named {name}")));
            }
            self.builder = self
                .builder
                .edge(owner, id.clone(), "argument", Some(name.clone()));
            self.comment(&id, arg.syntax());
            self.input_value(&id, &arg)?;
            order.push(name);
        }
        if !order.is_empty() {
            self.builder = self.builder.constraint(owner, "order", json_names(&order));
        }
        Ok(())
    }

    /// Declares vertex `id` with the kind of type `ty`: a built-in scalar,
    /// `ref` (with an edge to the named type) or `list` (with an `of` edge
    /// to the item, `id[]`); `!` is a `non-null` constraint.
    fn typed(
        &mut self,
        id: &str,
        ty: Option<cst::Type>,
        position: Position,
        node: &impl CstNode,
    ) -> Result<bool> {
        let Some(ty) = ty else {
            return Err(FormatError::Syntax {
                at: self.at(start(node)),
                message: "expected a type".to_owned(),
            });
        };
        let (inner, non_null) = match ty {
            cst::Type::NonNullType(t) => match (t.named_type(), t.list_type()) {
                (Some(n), _) => (cst::Type::NamedType(n), true),
                (None, Some(l)) => (cst::Type::ListType(l), true),
                (None, None) => {
                    return Err(FormatError::Syntax {
                        at: self.at(start(&t)),
                        message: "expected a type before !".to_owned(),
                    });
                }
            },
            other => (other, false),
        };
        if non_null {
            self.builder = self.builder.constraint(id, "non-null", "true");
        }
        match inner {
            cst::Type::NamedType(n) => {
                let (name, at) = self.name_of(n.name(), &n)?;
                if let Some(builtin) = BUILTIN_SCALARS.iter().find(|s| **s == name) {
                    self.builder = self.builder.vertex(id, *builtin, None);
                    return Ok(non_null);
                }
                let target = self.resolve(&name, at)?.unwrap_or("external");
                let fits = match position {
                    Position::Output => target != "input",
                    Position::Input => matches!(target, "input" | "enum" | "scalar" | "external"),
                };
                if !fits {
                    let (what, wanted) = match position {
                        Position::Output => ("a field", "an output type"),
                        Position::Input => ("an argument or input field", "an input type"),
                    };
                    return Err(self.invalid(
                        at,
                        format!(
                            "{what} must have {wanted}, and {name} is {}",
                            article(target)
                        ),
                    ));
                }
                self.builder = self
                    .builder
                    .vertex(id, "ref", None)
                    .edge(id, name, "ref", None);
                Ok(non_null)
            }
            cst::Type::ListType(l) => {
                let mut item = String::with_capacity(id.len() + 2);
                item.push_str(id);
                item.push_str("[]");
                self.builder =
                    self.builder
                        .vertex(id, "list", None)
                        .edge(id, item.clone(), "of", None);
                self.typed(&item, l.ty(), position, &l)?;
                Ok(non_null)
            }
            cst::Type::NonNullType(t) => Err(FormatError::Syntax {
                at: self.at(start(&t)),
                message: "expected a type, found !!".to_owned(),
            }),
        }
    }

    fn describe(&mut self, id: &str, description: Option<cst::Description>) {
        if let Some(text) = description.and_then(|d| d.string_value()) {
            self.builder = self
                .builder
                .constraint(id, "description", String::from(&text));
        }
    }

    /// Records the directive uses of `id` (appended to those an earlier
    /// extension gave); a member's `@deprecated` is its own constraint.
    fn add_directives(&mut self, id: &str, directives: Option<cst::Directives>, member: bool) {
        let Some(directives) = directives else { return };
        let mut text = self.directives.remove(id).unwrap_or_default();
        let mut deprecated = None;
        for d in directives.directives() {
            let name = d.name().map(|n| name_text(&n)).unwrap_or_default();
            if member && deprecated.is_none() && name == "deprecated" {
                if let Some(reason) = deprecation_reason(&d) {
                    deprecated = Some(reason);
                    continue;
                }
            }
            if !text.is_empty() {
                text.push(' ');
            }
            // Directive arguments are constant values; one that is not
            // (a variable) is kept as written.
            if self.directive(&mut text, &d, &name).is_err() {
                text.push_str(d.syntax().to_string().trim());
            }
        }
        if let Some(reason) = deprecated {
            self.builder = self.builder.constraint(id, "deprecated", reason);
        }
        if !text.is_empty() {
            self.directives.insert(id.to_owned(), text);
        }
    }

    /// Appends one directive use in normal form: `@name(arg: value, ...)`.
    fn directive(&self, out: &mut String, d: &cst::Directive, name: &str) -> Result<()> {
        out.push('@');
        out.push_str(name);
        if let Some(args) = d.arguments() {
            let mut first = true;
            for arg in args.arguments() {
                out.push_str(if first { "(" } else { ", " });
                first = false;
                if let Some(n) = arg.name() {
                    out.push_str(n.text().as_str());
                }
                out.push_str(": ");
                if let Some(v) = arg.value() {
                    self.value(out, &v)?;
                }
            }
            if !first {
                out.push(')');
            }
        }
        Ok(())
    }

    /// Appends a constant value in normal form (strings re-escaped, one
    /// space after `:` and `,`).
    fn value(&self, out: &mut String, v: &cst::Value) -> Result<()> {
        use cst::Value as V;
        match v {
            V::Variable(var) => {
                return Err(self.invalid(
                    start(var),
                    "a variable cannot appear in a schema's constant value".to_owned(),
                ));
            }
            V::StringValue(s) => push_string(out, &String::from(s)),
            V::FloatValue(f) => push_token(out, f.float_token()),
            V::IntValue(i) => push_token(out, i.int_token()),
            V::BooleanValue(b) => {
                out.push_str(if b.true_token().is_some() {
                    "true"
                } else {
                    "false"
                });
            }
            V::NullValue(_) => out.push_str("null"),
            V::EnumValue(e) => {
                if let Some(n) = e.name() {
                    out.push_str(n.text().as_str());
                }
            }
            V::ListValue(l) => {
                out.push('[');
                for (i, item) in l.values().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.value(out, &item)?;
                }
                out.push(']');
            }
            V::ObjectValue(o) => {
                out.push('{');
                for (i, field) in o.object_fields().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if let Some(n) = field.name() {
                        out.push_str(n.text().as_str());
                    }
                    out.push_str(": ");
                    if let Some(v) = field.value() {
                        self.value(out, &v)?;
                    }
                }
                out.push('}');
            }
        }
        Ok(())
    }

    /// Declares what the passes gathered per type: order, directives, the
    /// schema's root operation order; checks file names against ids.
    /// The builder with every declaration, the last ones (orders,
    /// required inputs, directives) added.
    fn finish(mut self) -> Result<SchemaBuilder> {
        for (id, names) in &self.order {
            let kind = self.types.get(id).map_or("", |t| t.kind);
            // A union's members and an enum's values are ordered, and so are
            // fields: printed schemas and introspection keep their order.
            if !names.is_empty() && kind != "scalar" {
                self.builder = self.builder.constraint(id, "order", json_names(names));
            }
        }
        for (id, names) in std::mem::take(&mut self.required) {
            self.builder = self.builder.required(id, names);
        }
        for (id, text) in std::mem::take(&mut self.directives) {
            self.builder = self.builder.constraint(id, "directive", text);
        }
        if self.schema_seen {
            if !self.schema_defined {
                self.builder = self.builder.constraint(SCHEMA_ID, "extension", "true");
            }
            if !self.operations.is_empty() {
                self.builder =
                    self.builder
                        .constraint(SCHEMA_ID, "order", json_names(&self.operations));
            }
        }
        if self.multi {
            for file in self.files {
                if self.members.contains(&file.path) {
                    return Err(FormatError::Unsupported {
                        at: Location::new(&file.path, 1, 1),
                        construct: format!("the file name {:?}", file.path),
                        reason: "it is also the id of a member of this schema; rename the file"
                            .to_owned(),
                    });
                }
            }
        }
        Ok(self.builder)
    }
}

/// Whether `text` holds only what GraphQL ignores: white space, commas,
/// comments, a byte order mark.
fn is_blank(text: &str) -> bool {
    let mut comment = false;
    text.chars().all(|c| match c {
        '\n' | '\r' => {
            comment = false;
            true
        }
        _ if comment => true,
        '#' => {
            comment = true;
            true
        }
        c => matches!(c, ' ' | '\t' | ',' | '\u{feff}'),
    })
}

/// The reason of a `@deprecated` use whose only argument, if any, is a
/// string `reason` (the default reason when it has none).
fn deprecation_reason(d: &cst::Directive) -> Option<String> {
    let Some(args) = d.arguments() else {
        return Some(DEFAULT_REASON.to_owned());
    };
    let mut args = args.arguments();
    let (Some(arg), None) = (args.next(), args.next()) else {
        return None;
    };
    match (arg.name(), arg.value()) {
        (Some(n), Some(cst::Value::StringValue(s))) if n.text().as_str() == "reason" => {
            Some(String::from(&s))
        }
        _ => None,
    }
}

fn push_token(out: &mut String, token: Option<apollo_parser::SyntaxToken>) {
    if let Some(t) = token {
        out.push_str(t.text());
    }
}

/// `names` as a JSON array of strings.
fn json_names(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_default()
}

/// A kind with its article, for messages.
fn article(kind: &str) -> String {
    match kind {
        "object" => "an object type".to_owned(),
        "interface" => "an interface".to_owned(),
        "input" => "an input type".to_owned(),
        "enum" => "an enum".to_owned(),
        other => format!("a {other}"),
    }
}
