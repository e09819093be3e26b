//! What the syntax tree says, read into plain facts for the parser: one
//! type definition or extension whatever its kind ([`Decl`]), where a
//! node starts, the `#` comments before it, a name's text.

use apollo_parser::cst::{self, CstNode};

/// What one type definition or extension says, whatever its kind.
pub(super) struct Decl {
    pub(super) kind: &'static str,
    pub(super) name: Option<cst::Name>,
    pub(super) extension: bool,
    pub(super) description: Option<cst::Description>,
    pub(super) directives: Option<cst::Directives>,
    pub(super) implements: Option<cst::ImplementsInterfaces>,
    pub(super) fields: Option<cst::FieldsDefinition>,
    pub(super) inputs: Option<cst::InputFieldsDefinition>,
    pub(super) members: Option<cst::UnionMemberTypes>,
    pub(super) values: Option<cst::EnumValuesDefinition>,
}

impl Decl {
    fn new(kind: &'static str, extension: bool, name: Option<cst::Name>) -> Self {
        Self {
            kind,
            name,
            extension,
            description: None,
            directives: None,
            implements: None,
            fields: None,
            inputs: None,
            members: None,
            values: None,
        }
    }

    /// The type definition or extension `def` is, if it is one.
    pub(super) fn of(def: &cst::Definition) -> Option<Self> {
        use cst::Definition as D;
        Some(match def {
            D::ObjectTypeDefinition(d) => Self {
                description: d.description(),
                directives: d.directives(),
                implements: d.implements_interfaces(),
                fields: d.fields_definition(),
                ..Self::new("object", false, d.name())
            },
            D::ObjectTypeExtension(d) => Self {
                directives: d.directives(),
                implements: d.implements_interfaces(),
                fields: d.fields_definition(),
                ..Self::new("object", true, d.name())
            },
            D::InterfaceTypeDefinition(d) => Self {
                description: d.description(),
                directives: d.directives(),
                implements: d.implements_interfaces(),
                fields: d.fields_definition(),
                ..Self::new("interface", false, d.name())
            },
            D::InterfaceTypeExtension(d) => Self {
                directives: d.directives(),
                implements: d.implements_interfaces(),
                fields: d.fields_definition(),
                ..Self::new("interface", true, d.name())
            },
            D::InputObjectTypeDefinition(d) => Self {
                description: d.description(),
                directives: d.directives(),
                inputs: d.input_fields_definition(),
                ..Self::new("input", false, d.name())
            },
            D::InputObjectTypeExtension(d) => Self {
                directives: d.directives(),
                inputs: d.input_fields_definition(),
                ..Self::new("input", true, d.name())
            },
            D::UnionTypeDefinition(d) => Self {
                description: d.description(),
                directives: d.directives(),
                members: d.union_member_types(),
                ..Self::new("union", false, d.name())
            },
            D::UnionTypeExtension(d) => Self {
                directives: d.directives(),
                members: d.union_member_types(),
                ..Self::new("union", true, d.name())
            },
            D::EnumTypeDefinition(d) => Self {
                description: d.description(),
                directives: d.directives(),
                values: d.enum_values_definition(),
                ..Self::new("enum", false, d.name())
            },
            D::EnumTypeExtension(d) => Self {
                directives: d.directives(),
                values: d.enum_values_definition(),
                ..Self::new("enum", true, d.name())
            },
            D::ScalarTypeDefinition(d) => Self {
                description: d.description(),
                directives: d.directives(),
                ..Self::new("scalar", false, d.name())
            },
            D::ScalarTypeExtension(d) => Self {
                directives: d.directives(),
                ..Self::new("scalar", true, d.name())
            },
            _ => return None,
        })
    }
}

/// The byte offset where a node starts.
pub(super) fn start(node: &impl CstNode) -> usize {
    usize::from(node.syntax().text_range().start())
}

/// The `#` comments on the lines before `node` (after the previous
/// declaration or member), one line each, less `#` and one space.
pub(super) fn comments_before(node: &cst::SyntaxNode) -> Option<String> {
    use apollo_parser::SyntaxKind as K;
    let mut lines: Vec<&str> = Vec::new();
    let mut texts = Vec::new();
    let mut element = node.prev_sibling_or_token();
    while let Some(e) = element {
        match e.kind() {
            K::COMMENT => {
                if let Some(token) = e.as_token() {
                    texts.push(token.clone());
                }
            }
            K::WHITESPACE | K::COMMA => {}
            _ => break,
        }
        element = e.prev_sibling_or_token();
    }
    if texts.is_empty() {
        return None;
    }
    for token in texts.iter().rev() {
        let text = token.text().trim_end_matches(['\r', '\n']);
        let text = text.strip_prefix('#').unwrap_or(text);
        lines.push(text.strip_prefix(' ').unwrap_or(text));
    }
    Some(lines.join("\n"))
}

/// The text of a name.
pub(super) fn name_text(name: &cst::Name) -> String {
    name.text().as_str().to_owned()
}
