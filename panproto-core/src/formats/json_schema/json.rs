//! JSON that keeps the order of object keys: `serde_json`'s own `Value`
//! sorts them unless its `preserve_order` feature is on, and that feature
//! is crate-wide (it would reorder the JSON every other module writes).
//! Parsed with `serde_json` all the same, through this type's
//! `Deserialize`.

use std::fmt::{self, Write as _};

use rustc_hash::FxHashMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

/// A JSON value whose objects keep their keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    /// Members in order (a key repeated in the text is an error).
    Object(Vec<(String, Json)>),
}

/// Lookups in an object's members.
pub(super) trait Members {
    /// The value of member `key`.
    fn member(&self, key: &str) -> Option<&Json>;
    /// Whether there is a member `key`.
    fn has(&self, key: &str) -> bool {
        self.member(key).is_some()
    }
}

impl Members for [(String, Json)] {
    fn member(&self, key: &str) -> Option<&Json> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl Json {
    pub(super) fn is_array(&self) -> bool {
        matches!(self, Self::Array(_))
    }

    /// The member `key` of an object.
    pub(super) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Self::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The value at a JSON pointer (RFC 6901).
    pub(super) fn pointer(&self, pointer: &str) -> Option<&Json> {
        let mut at = self;
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            at = match at {
                Self::Object(_) => at.get(&segment)?,
                Self::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }

    /// Indented text (two spaces), as `serde_json::to_string_pretty` writes.
    pub(super) fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(0));
        out
    }

    /// Writes the value: compact when `indent` is `None`.
    fn write(&self, out: &mut String, indent: Option<usize>) {
        let newline = |out: &mut String, level: usize| {
            out.push('\n');
            for _ in 0..level {
                out.push_str("  ");
            }
        };
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Self::String(s) => write_string(out, s),
            Self::Array(items) if items.is_empty() => out.push_str("[]"),
            Self::Object(members) if members.is_empty() => out.push_str("{}"),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(level) = indent {
                        newline(out, level + 1);
                    }
                    item.write(out, indent.map(|l| l + 1));
                }
                if let Some(level) = indent {
                    newline(out, level);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(level) = indent {
                        newline(out, level + 1);
                    }
                    write_string(out, key);
                    out.push_str(if indent.is_some() { ": " } else { ":" });
                    value.write(out, indent.map(|l| l + 1));
                }
                if let Some(level) = indent {
                    newline(out, level);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON string literal, escaped as `serde_json` escapes it.
fn write_string(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

/// Compact text, keys in order.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, None);
        f.write_str(&out)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members: Vec<(String, Json)> = Vec::new();
        // Key → place, once an object is long enough for a scan to cost.
        let mut places: Option<FxHashMap<String, usize>> = None;
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            if members.len() == 16 && places.is_none() {
                places = Some(
                    members
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect(),
                );
            }
            let seen = match &places {
                Some(p) => p.get(&key).copied(),
                None => members.iter().position(|(k, _)| *k == key),
            };
            if seen.is_some() {
                // Readers disagree on which of the two counts (most keep
                // the last): refused rather than one dropped in silence.
                return Err(de::Error::custom(format!(
                    "the key {key:?} appears twice in one object"
                )));
            }
            if let Some(p) = &mut places {
                p.insert(key.clone(), members.len());
            }
            members.push((key, value));
        }
        Ok(Json::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn keeps_order_and_writes_as_serde_json() {
        let text = r#"{"b": 3, "a": [true, null, 2.5, "x\"y"], "c": {}, "e": []}"#;
        let json: Json = serde_json::from_str(text).unwrap();
        assert_eq!(
            json.to_string(),
            r#"{"b":3,"a":[true,null,2.5,"x\"y"],"c":{},"e":[]}"#
        );
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let sorted: Json = serde_json::from_str(&value.to_string()).unwrap();
        assert_eq!(
            sorted.pretty(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(json.pointer("/a/3").and_then(Json::as_str), Some("x\"y"));
        let twice = serde_json::from_str::<Json>(r#"{"b": 1, "b": 2}"#).unwrap_err();
        assert!(twice.to_string().contains("appears twice"), "{twice}");
        // Past 16 members, keys are looked up by hash.
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i},")).collect();
        let json: Json = serde_json::from_str(&format!("{{{many} \"z\": 0}}")).unwrap();
        assert_eq!(json.as_object().map(<[_]>::len), Some(41));
        assert_eq!(
            json.get("k23").map(ToString::to_string).as_deref(),
            Some("23")
        );
        let again = format!("{{{many} \"k30\": 0}}");
        assert!(serde_json::from_str::<Json>(&again).is_err());
    }
}
