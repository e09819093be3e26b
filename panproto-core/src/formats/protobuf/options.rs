//! Options as `.proto` text: an interpreted options message (known fields
//! and extensions) printed as `name = value` entries, and the string
//! escapes that option values and defaults share.

use std::fmt::Write;

use protox::prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MapKey, Value};

/// The `name = value` entries of an options message, known fields first
/// (in field-number order) then extensions; `skip` names the known fields
/// kept by a sort of their own.
pub(super) fn entries(options: &DynamicMessage, skip: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (field, value) in options.fields() {
        if skip.contains(&field.name()) {
            continue;
        }
        push_entries(&mut out, field.name(), &field.kind(), value);
    }
    let mut extensions: Vec<_> = options.extensions().collect();
    extensions.sort_by(|a, b| a.0.full_name().cmp(b.0.full_name()));
    for (ext, value) in extensions {
        let name = format!("(.{})", ext.full_name());
        push_entries(&mut out, &name, &ext.kind(), value);
    }
    out
}

/// The value of a known field of an options message, if set.
pub(super) fn known<'a>(options: &'a DynamicMessage, name: &str) -> Option<&'a Value> {
    options
        .fields()
        .find(|(field, _)| field.name() == name)
        .map(|(_, value)| value)
}

fn push_entries(out: &mut Vec<String>, name: &str, kind: &Kind, value: &Value) {
    match value {
        Value::List(items) => {
            for item in items {
                out.push(format!("{name} = {}", scalar_or_aggregate(kind, item)));
            }
        }
        _ => out.push(format!("{name} = {}", scalar_or_aggregate(kind, value))),
    }
}

fn scalar_or_aggregate(kind: &Kind, value: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, kind, value);
    s
}

/// Writes one (non-list) value: a scalar literal, an enum value's name, or
/// a message as a text-format aggregate `{ ... }`.
fn write_value(out: &mut String, kind: &Kind, value: &Value) {
    match value {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::I32(n) => {
            let _ = write!(out, "{n}");
        }
        Value::I64(n) => {
            let _ = write!(out, "{n}");
        }
        Value::U32(n) => {
            let _ = write!(out, "{n}");
        }
        Value::U64(n) => {
            let _ = write!(out, "{n}");
        }
        Value::F32(x) => out.push_str(&option_float(f64::from(*x), x.to_string())),
        Value::F64(x) => out.push_str(&option_float(*x, x.to_string())),
        Value::String(s) => quote_into(out, s.as_bytes()),
        Value::Bytes(b) => quote_into(out, b),
        Value::EnumNumber(n) => match kind.as_enum().and_then(|e| e.get_value(*n)) {
            Some(v) => out.push_str(v.name()),
            None => {
                let _ = write!(out, "{n}");
            }
        },
        Value::Message(m) => write_aggregate(out, m),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, kind, item);
            }
            out.push(']');
        }
        Value::Map(map) => {
            // Only inside an aggregate (handled there); written as a list
            // of entries for completeness.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by_key(|(k, _)| map_key_text(k));
            out.push('[');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{{ key: {} value: ", map_key_text(k));
                let value_kind = map_value_kind(kind);
                write_value(out, &value_kind, v);
                out.push_str(" }");
            }
            out.push(']');
        }
    }
}

/// A float as `protoc` reads it back: `inf`, `-inf`, `nan`, or a decimal
/// that always carries a `.` or an exponent (`protoc` takes a bare
/// `70000000000000000000000` for an integer, out of range).
pub(super) fn float(x: f64, shortest: String) -> String {
    if x.is_nan() {
        "nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else if shortest.contains(['.', 'e', 'E']) {
        shortest
    } else if shortest.len() > 15 {
        format!("{x:e}")
    } else {
        format!("{shortest}.0")
    }
}

/// A float option value: as [`float`], but the infinities are `1e999`
/// and `-1e999`, since protox refuses `inf` there (and protoc 3.21
/// `-inf`); both read those back as infinite. (NaN stays `nan`, which
/// protoc takes and no literal can replace.)
fn option_float(x: f64, shortest: String) -> String {
    if x.is_infinite() {
        if x > 0.0 { "1e999" } else { "-1e999" }.to_owned()
    } else {
        float(x, shortest)
    }
}

fn map_key_text(key: &MapKey) -> String {
    match key {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => quote(s.as_bytes()),
    }
}

fn map_value_kind(kind: &Kind) -> Kind {
    kind.as_message()
        .map(|entry| entry.map_entry_value_field().kind())
        .unwrap_or(Kind::String)
}

/// A message value in text format: `{ a: 1 b { c: "x" } [pkg.ext]: 2 }`.
fn write_aggregate(out: &mut String, message: &DynamicMessage) {
    out.push('{');
    for (field, value) in message.fields() {
        write_text_field(out, &text_name(&field), &field.kind(), value);
    }
    let mut extensions: Vec<_> = message.extensions().collect();
    extensions.sort_by(|a, b| a.0.full_name().cmp(b.0.full_name()));
    for (ext, value) in extensions {
        write_text_field(out, &format!("[{}]", ext.full_name()), &ext.kind(), value);
    }
    out.push_str(" }");
}

/// A field's name in text format: a group's is its type's name.
fn text_name(field: &FieldDescriptor) -> String {
    if field.is_group() {
        if let Some(m) = field.kind().as_message() {
            return m.name().to_owned();
        }
    }
    field.name().to_owned()
}

fn write_text_field(out: &mut String, name: &str, kind: &Kind, value: &Value) {
    match value {
        Value::List(items) => {
            for item in items {
                write_text_field(out, name, kind, item);
            }
        }
        Value::Map(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by_key(|(k, _)| map_key_text(k));
            let value_kind = map_value_kind(kind);
            for (k, v) in entries {
                let _ = write!(out, " {name} {{ key: {} value: ", map_key_text(k));
                write_value(out, &value_kind, v);
                out.push_str(" }");
            }
        }
        Value::Message(m) => {
            let _ = write!(out, " {name} ");
            write_aggregate(out, m);
        }
        _ => {
            let _ = write!(out, " {name}: ");
            write_value(out, kind, value);
        }
    }
}

/// `bytes` as a double-quoted `.proto` string literal.
pub(super) fn quote(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    quote_into(&mut s, bytes);
    s
}

fn quote_into(out: &mut String, bytes: &[u8]) {
    out.push('"');
    escape_into(out, bytes);
    out.push('"');
}

/// C-escapes `bytes` as `protoc` writes a bytes default: printable ASCII
/// as is, `\n` `\r` `\t` `\"` `\'` `\\`, anything else as three octal
/// digits (so the text is ASCII whatever the bytes are).
fn escape_into(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{:03o}", b);
            }
        }
    }
}
