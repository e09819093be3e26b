//! How two values of one constraint sort compare: tighter, looser, or just different.
//!
//! Shared by `classify` in the evolution layer (is a changed constraint
//! breaking?) and the existence check (does a migration tighten a
//! constraint on data it carries?).

use crate::model::record::enum_values;

/// How a new constraint value relates to an old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tightness {
    /// Same meaning.
    Same,
    /// The new value admits fewer values: existing data may no longer fit.
    Tighter,
    /// The new value admits more values.
    Looser,
    /// Neither contains the other (or the sort is not one we can compare).
    Incomparable,
}

/// Whether larger bound values are looser (`max*`) or tighter (`min*`), for numeric sorts.
fn direction(sort: &str) -> Option<bool> {
    match sort {
        "maxLength" | "maxGraphemes" | "max-length" | "maximum" | "exclusiveMaximum"
        | "maxItems" | "maxProperties" | "maxSize" | "precision" | "scale" | "maxContains" => {
            Some(true)
        }
        "minLength" | "minGraphemes" | "minimum" | "exclusiveMinimum" | "minItems"
        | "minProperties" | "minContains" => Some(false),
        _ => None,
    }
}

/// Compares `old` and `new` values of constraint `sort`.
pub fn compare(sort: &str, old: &str, new: &str) -> Tightness {
    if old == new {
        return Tightness::Same;
    }
    if let Some(larger_is_looser) = direction(sort) {
        if let (Ok(o), Ok(n)) = (old.trim().parse::<f64>(), new.trim().parse::<f64>()) {
            return match (n > o, larger_is_looser) {
                _ if n == o => Tightness::Same,
                (true, true) | (false, false) => Tightness::Looser,
                _ => Tightness::Tighter,
            };
        }
    }
    if matches!(sort, "enum" | "knownValues" | "symbols") {
        let (o, n) = (enum_values(old), enum_values(new));
        return if o == n {
            Tightness::Same
        } else if n.is_superset(&o) {
            Tightness::Looser
        } else if n.is_subset(&o) {
            Tightness::Tighter
        } else {
            Tightness::Incomparable
        };
    }
    Tightness::Incomparable
}

/// Whether adding a constraint of `sort` where there was none can reject existing data.
///
/// Documentation-only sorts (a description, a deprecation mark, a default)
/// restrict nothing, nor do the sorts that keep how a format writes a
/// schema (the order of a record's fields, extra attributes, aliases, a
/// field's sort order): they change no value's validity.
/// Documentation-only sorts (a description, a deprecation mark, a default,
/// a comment; a protobuf file's imports, an external type's file) restrict
/// nothing.
pub fn restricts(sort: &str) -> bool {
    !matches!(
        sort,
        "default"
            | "description"
            | "doc"
            | "deprecated"
            | "directive"
            | "json-name"
            | "knownValues"
            | "index"
            | "aliases"
            | "order"
            | "field-order"
            | "properties"
            | "type-properties"
            // SQL: how a schema is written down, not what data it admits.
            | "column-order"
            | "dialect"
            | "definition"
            | "table-options"
            | "column-options"
            | "primary-key-name"
            | "auto-increment"
            | "columns"
            | "using"
            | "include"
            | "where"
            | "locations"
            | "repeatable"
            | "extension"
            | "comment"
            // Lexicons: the order members are written in, keys kept as
            // written, a permission set's words and grants, a file's
            // revision; `nullable` admits null, it rejects nothing.
            | "annotation"
            | "title"
            | "detail"
            | "permissions"
            | "revision"
            | "nullable"
            // JSON Schema's annotations, and the keywords it does not
            // model (unknown keywords never fail validation).
            | "$comment"
            | "examples"
            | "readOnly"
            | "writeOnly"
            | "contentEncoding"
            | "contentMediaType"
            | "$anchor"
            | "propertyOrder"
            | "keywords"
            | "imports"
            | "external"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_bounds() {
        assert_eq!(compare("maxLength", "3000", "300"), Tightness::Tighter);
        assert_eq!(compare("maxLength", "300", "3000"), Tightness::Looser);
        assert_eq!(compare("minimum", "1", "5"), Tightness::Tighter);
        assert_eq!(compare("minimum", "5", "1"), Tightness::Looser);
        assert_eq!(compare("maximum", "5", "5.0"), Tightness::Same);
    }

    #[test]
    fn enums_and_others() {
        assert_eq!(compare("enum", "a,b", "a,b,c"), Tightness::Looser);
        assert_eq!(compare("enum", r#"["a","b"]"#, "a"), Tightness::Tighter);
        assert_eq!(compare("enum", "a,b", "c"), Tightness::Incomparable);
        assert_eq!(compare("pattern", "^a", "^b"), Tightness::Incomparable);
        assert!(restricts("maxLength"));
        assert!(!restricts("description"));
        assert!(!restricts("column-order"));
        assert!(restricts("not-null"));
        assert!(!restricts("order"));
        assert!(!restricts("nullable"));
        assert!(
            !restricts("title") && !restricts("keywords") && restricts("requiredWithoutProperty")
        );
        assert_eq!(compare("maxContains", "3", "2"), Tightness::Tighter);
        assert!(!restricts("comment"));
    }
}
