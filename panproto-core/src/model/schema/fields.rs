//! A schema's fields, as a user reads them: each named member of each
//! declaration, with its type.

use std::collections::HashMap;

use crate::model::protocol::EdgeRole;
use crate::model::schema::Schema;

/// One field: a named property edge of the schema, and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The vertex the field belongs to (a message, a table, a record).
    pub parent: String,
    /// The field's name.
    pub name: String,
    /// The field's own vertex (the edge's target).
    pub vertex: String,
    /// Its type: the named type it refers to (the vertex its `ref` vertex,
    /// or a wrapper edge, leads to), else its vertex's kind (`string`,
    /// `array`, ...).
    pub type_name: String,
}

impl Schema {
    /// Every field of the schema, by parent then name: the named edges
    /// whose role is a property (a column, a message field, an object key).
    pub fn fields(&self) -> Vec<Field> {
        let protocol = self.protocol();
        // What a member's vertex stands for: the vertex a wrapper edge
        // leads to, or for a `ref` vertex (the formats' name for a use of
        // a named type) the vertex its edge names.
        let is_ref = |id: &str| self.vertices().get(id).is_some_and(|v| v.kind == "ref");
        let mut wraps: HashMap<&str, &str> = HashMap::new();
        for e in self.edges() {
            if protocol.edge_role(&e.kind) == EdgeRole::Wrapper || is_ref(&e.src) {
                wraps.entry(e.src.as_str()).or_insert(e.tgt.as_str());
            }
        }
        let mut fields: Vec<Field> = self
            .edges()
            .iter()
            .filter(|e| protocol.edge_role(&e.kind) == EdgeRole::Property)
            .filter_map(|e| {
                let name = e.name.as_ref()?;
                let type_name = match wraps.get(e.tgt.as_str()) {
                    Some(wrapped) => (*wrapped).to_owned(),
                    None => self.vertices().get(&e.tgt)?.kind.clone(),
                };
                Some(Field {
                    parent: e.src.clone(),
                    name: name.clone(),
                    vertex: e.tgt.clone(),
                    type_name,
                })
            })
            .collect();
        fields.sort_by(|a, b| (&a.parent, &a.name).cmp(&(&b.parent, &b.name)));
        fields
    }
}
