"""Every public object pickles and comes back equal (or equivalent);
a LiftIterator, like any iterator over a live source, does not."""

from __future__ import annotations

import pickle

import pytest

import panproto as pp
from schemas import blog_record, blog_v1, blog_v2, blog_v3, post_v1, post_v2, v1_to_v2


def roundtrip(value):
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def test_schema_builder_pickles_with_its_declarations():
    builder = post_v1().to_builder()
    again = roundtrip(builder)
    assert isinstance(again, pp.SchemaBuilder)
    assert len(again) == len(builder)
    assert again.protocol == builder.protocol
    assert again.build() == builder.build()


def test_schema_pickles_with_its_id():
    schema = post_v2()
    again = roundtrip(schema)
    assert again == schema
    assert again.id == schema.id
    assert again.to_json() == schema.to_json()


def test_panproto_handle_pickles():
    with pp.Panproto.load() as p:
        again = roundtrip(p)
        assert isinstance(again, pp.Panproto)
        assert again.list_protocols() == p.list_protocols()
        again.close()


def test_diff_reports_pickle_and_dict_forms_are_plain_python():
    report = pp.diff(post_v1(), post_v2())
    again = roundtrip(report)
    assert isinstance(again, pp.DiffReport)
    assert again == report and again.to_dict() == report.to_dict()
    assert roundtrip(report.to_dict()) == report.to_dict()
    assert roundtrip(pp.classify(report, "atproto")) == pp.classify(report, "atproto")
    assert roundtrip(post_v1().data) == post_v1().data
    assert roundtrip(pp.protocol("sql").to_dict()) == pp.protocol("sql").to_dict()


def test_repository_objects_pickle(repo):
    repo.add(post_v1())
    repo.commit("v1", "alice")
    repo.add(post_v2())
    repo.commit("v2", "alice")
    repo.add(post_v1())
    commit = repo.log()[0]
    status = repo.status()
    assert roundtrip(commit) == commit
    assert roundtrip(commit).to_dict() == commit.to_dict()
    assert commit.compatibility == "backward-compatible" and commit.migration is not None
    assert roundtrip(status).to_dict() == status.to_dict()
    assert roundtrip(status).compatibility == status.compatibility == "breaking"
    shown = roundtrip(repo.show())
    assert shown["commit"] == commit and shown["diff"] == repo.show()["diff"]
    migration = repo.migration()
    assert migration is not None and roundtrip(migration) == migration
    assert roundtrip(repo.protocol) == repo.protocol
    with roundtrip(repo) as again:
        assert again.head == repo.head


def test_compiled_migrations_pickle_and_keep_working():
    m = v1_to_v2()
    again = roundtrip(m)
    assert isinstance(again, pp.CompiledMigration)
    assert again == m and again.fingerprint == m.fingerprint
    assert (again.source, again.target, again.spec) == (m.source, m.target, m.spec)
    assert again.lift(blog_record()) == m.lift(blog_record())
    view, complement = m.get(blog_record())
    assert again.put(view, complement) == blog_record()  # complements survive the trip


def test_composite_migrations_pickle():
    m2 = pp.migration(blog_v2(), blog_v3()).map("post", "post").map("body", "body").map("content", "content")
    both = pp.compose(v1_to_v2(), m2.compile())
    again = roundtrip(both)
    assert again == both and again.spec is None
    assert again.lift(blog_record()) == both.lift(blog_record()) == {"body": "hello"}


def test_migration_builders_pickle_with_their_mapping():
    builder = (
        pp.migration(blog_v1(), blog_v2())
        .map("post", "post")
        .map("text", "content")
        .map_edge(
            {"src": "body", "tgt": "text", "kind": "prop", "name": "text"},
            {"src": "body", "tgt": "content", "kind": "prop", "name": "content"},
        )
        .resolve("object", "string", {"src": "body", "tgt": "lang", "kind": "prop", "name": "lang"})
    )
    again = roundtrip(builder)
    assert isinstance(again, pp.MigrationBuilder)
    assert again.spec() == builder.spec()
    assert again.check() == builder.check()


def test_existence_reports_pickle():
    report = pp.migration(blog_v1(), blog_v2()).map("post", "post").map("ghost", "body").check()
    again = roundtrip(report)
    assert again == report and again.errors == report.errors
    assert (again.valid, again.compilable) == (False, False)


def test_lift_iterators_do_not_pickle():
    with pytest.raises(TypeError):
        pickle.dumps(v1_to_v2().lift_many([blog_record()]))


def test_migration_errors_pickle_with_their_problems():
    with pytest.raises(pp.MigrationError) as info:
        pp.migration(blog_v1(), blog_v2()).map("post", "post").map("ghost", "body").compile()
    again = roundtrip(info.value)
    assert type(again) is pp.MigrationError
    assert again.errors == info.value.errors and str(again) == str(info.value)
