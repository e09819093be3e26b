"""Schemas the tests share: three versions of an ATProto post record, and of a
JSON-Schema person (with a record maker) for the data tests."""

from __future__ import annotations

import panproto as pp


def post_v1() -> pp.Schema:
    """The record of SPEC §4: a post with a text body."""
    return (
        pp.protocol("atproto")
        .schema()
        .vertex("post", "record", {"nsid": "app.bsky.feed.post"})
        .vertex("post:body", "object")
        .vertex("post:body.text", "string")
        .edge("post", "post:body", "record-schema")
        .edge("post:body", "post:body.text", "prop", {"name": "text"})
        .constraint("post:body.text", "maxLength", "3000")
        .required("post:body", ["text"])
        .build()
    )


def post_v2() -> pp.Schema:
    """v1 plus a creation date."""
    return (
        post_v1()
        .to_builder()
        .vertex("post:body.createdAt", "string")
        .edge("post:body", "post:body.createdAt", "prop", {"name": "createdAt"})
        .constraint("post:body.createdAt", "format", "datetime")
        .build()
    )


def post_v3() -> pp.Schema:
    """v2 with a longer text limit."""
    return post_v2().to_builder().constraint("post:body.text", "maxLength", "5000").build()


def post_v4() -> pp.Schema:
    """v3 with createdAt required: a breaking change."""
    return post_v3().to_builder().required("post:body", ["text", "createdAt"]).build()


def blog_v1() -> pp.Schema:
    """A post whose body has text, tags (an array of strings) and meta
    (lang, views): what the migration tests move records out of."""
    return (
        pp.protocol("atproto")
        .schema()
        .vertex("post", "record", {"nsid": "app.bsky.feed.post"})
        .vertex("body", "object")
        .vertex("text", "string")
        .vertex("tags", "array")
        .vertex("tag", "string")
        .vertex("meta", "object")
        .vertex("lang", "string")
        .vertex("views", "integer")
        .edge("post", "body", "record-schema")
        .edge("body", "text", "prop", {"name": "text"})
        .edge("body", "tags", "prop", {"name": "tags"})
        .edge("tags", "tag", "items")
        .edge("body", "meta", "prop", {"name": "meta"})
        .edge("meta", "lang", "prop", {"name": "lang"})
        .edge("meta", "views", "prop", {"name": "views"})
        .constraint("text", "maxLength", "3000")
        .required("body", ["text"])
        .build()
    )


def blog_v2() -> pp.Schema:
    """blog_v1 with text renamed to content, meta dropped (lang hoisted onto
    the body) and views dropped."""
    return (
        pp.protocol("atproto")
        .schema()
        .vertex("post", "record", {"nsid": "app.bsky.feed.post"})
        .vertex("body", "object")
        .vertex("content", "string")
        .vertex("tags", "array")
        .vertex("tag", "string")
        .vertex("lang", "string")
        .edge("post", "body", "record-schema")
        .edge("body", "content", "prop", {"name": "content"})
        .edge("body", "tags", "prop", {"name": "tags"})
        .edge("tags", "tag", "items")
        .edge("body", "lang", "prop", {"name": "lang"})
        .build()
    )


def blog_v3() -> pp.Schema:
    """blog_v2 reduced to its content, under the key "body"."""
    return (
        pp.protocol("atproto")
        .schema()
        .vertex("post", "record")
        .vertex("body", "object")
        .vertex("content", "string")
        .edge("post", "body", "record-schema")
        .edge("body", "content", "prop", {"name": "body"})
        .build()
    )


def v1_to_v2() -> pp.CompiledMigration:
    """blog_v1 -> blog_v2: text becomes content, lang is hoisted, meta and views dropped."""
    return (
        pp.migration(blog_v1(), blog_v2())
        .map("post", "post")
        .map("body", "body")
        .map("text", "content")
        .map("tags", "tags")
        .map("tag", "tag")
        .map("lang", "lang")
        .compile()
    )


def blog_record() -> dict[str, object]:
    """A blog_v1 record (with a key the schema does not know)."""
    return {"text": "hello", "tags": ["a", "b"], "meta": {"lang": "en", "views": 3}, "extra": True}


def person_v1() -> pp.Schema:
    """A person with name, age, email, and ``extra`` (a union of no variants: any value)."""
    return (
        pp.protocol("json-schema")
        .schema()
        .vertex("person", "object")
        .vertex("name", "string")
        .vertex("age", "integer")
        .vertex("email", "string")
        .vertex("extra", "union")
        .edge("person", "name", "prop", {"name": "name"})
        .edge("person", "age", "prop", {"name": "age"})
        .edge("person", "email", "prop", {"name": "email"})
        .edge("person", "extra", "prop", {"name": "extra"})
        .build()
    )


def person_v2() -> pp.Schema:
    """v1 without ``age`` (breaking)."""
    return (
        pp.protocol("json-schema")
        .schema()
        .vertex("person", "object")
        .vertex("name", "string")
        .vertex("email", "string")
        .vertex("extra", "union")
        .edge("person", "name", "prop", {"name": "name"})
        .edge("person", "email", "prop", {"name": "email"})
        .edge("person", "extra", "prop", {"name": "extra"})
        .build()
    )


def person_v3() -> pp.Schema:
    """v2 with ``name`` renamed to ``full_name`` (breaking)."""
    return (
        pp.protocol("json-schema")
        .schema()
        .vertex("person", "object")
        .vertex("full_name", "string")
        .vertex("email", "string")
        .vertex("extra", "union")
        .edge("person", "full_name", "prop", {"name": "full_name"})
        .edge("person", "email", "prop", {"name": "email"})
        .edge("person", "extra", "prop", {"name": "extra"})
        .build()
    )


def person(i: int) -> dict[str, object]:
    """Record ``i`` of v1, with values JSON would not keep apart."""
    extra: object = [b"\x00\xff" + bytes([i % 256]), float(i), 2**62 + i, [None, True, "é"]][i % 4]
    record: dict[str, object] = {"name": f"person {i}", "age": i % 90, "extra": extra}
    if i % 3:
        record["email"] = f"p{i}@example.org"
    return record
