"""Schemas the tests share: three versions of an ATProto post record."""

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
