//! Schemas, records and repositories the engine's tests share.

use std::sync::Arc;

use panproto_core::vcs::memory::MemoryStore;
use panproto_core::{Edge, Map, ObjectId, Protocol, Repository, Schema, Value, builtin_protocol};

/// The built-in ATProto protocol.
pub fn atproto() -> Arc<Protocol> {
    builtin_protocol("atproto").unwrap()
}

/// The built-in JSON Schema protocol.
pub fn js() -> Arc<Protocol> {
    builtin_protocol("json-schema").unwrap()
}

/// The README's ATProto post: `post` -> `post:body` with a required
/// `text` of at most 3000 characters.
pub fn post() -> Schema {
    Schema::builder(atproto())
        .vertex("post", "record", Some("app.bsky.feed.post".into()))
        .vertex("post:body", "object", None)
        .vertex("post:body.text", "string", None)
        .edge("post", "post:body", "record-schema", None)
        .edge("post:body", "post:body.text", "prop", Some("text".into()))
        .constraint("post:body.text", "maxLength", "3000")
        .required("post:body", vec!["text".into()])
        .build()
        .unwrap()
}

/// A JSON Schema object `root` with string properties `props` (vertex
/// `root.NAME` each) and `maxLength` limits on some of them.
pub fn props(props: &[&str], limits: &[(&str, &str)]) -> Schema {
    let mut b = Schema::builder(js()).vertex("root", "object", None);
    for p in props {
        b = b.vertex(format!("root.{p}"), "string", None).edge(
            "root",
            format!("root.{p}"),
            "prop",
            Some((*p).into()),
        );
    }
    for (p, n) in limits {
        b = b.constraint(format!("root.{p}"), "maxLength", *n);
    }
    b.build().unwrap()
}

/// An edge value.
pub fn edge(src: &str, tgt: &str, kind: &str, name: Option<&str>) -> Edge {
    Edge {
        src: src.into(),
        tgt: tgt.into(),
        kind: kind.into(),
        name: name.map(Into::into),
    }
}

/// An object record from its fields.
pub fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map>(),
    )
}

/// A new in-memory repository.
pub fn memory_repo(name: &str, protocol: Arc<Protocol>) -> Repository<MemoryStore> {
    Repository::init(MemoryStore::new(name), protocol).unwrap()
}

/// Stages `schema` (if given) and commits it at time `t` by `tester`.
pub fn commit_at(
    repo: &mut Repository<MemoryStore>,
    schema: Option<Schema>,
    msg: &str,
    t: i64,
) -> ObjectId {
    if let Some(s) = schema {
        repo.add(s).unwrap();
    }
    repo.commit(msg, "tester", Some(t)).unwrap()
}
