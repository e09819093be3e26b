"""Every public object pickles and comes back equal (or equivalent)."""

from __future__ import annotations

import pickle

import panproto as pp
from schemas import post_v1, post_v2


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


def test_diff_results_and_dict_forms_are_plain_python():
    changes = pp.diff(post_v1(), post_v2())
    assert roundtrip(changes) == changes
    assert roundtrip(post_v1().data) == post_v1().data
    assert roundtrip(pp.protocol("sql").to_dict()) == pp.protocol("sql").to_dict()


def test_repository_objects_pickle(repo):
    repo.add(post_v1())
    repo.commit("v1", "alice")
    repo.add(post_v2())
    commit = repo.log()[0]
    status = repo.status()
    assert roundtrip(commit) == commit
    assert roundtrip(status).to_dict() == status.to_dict()
    assert roundtrip(repo.protocol) == repo.protocol
    with roundtrip(repo) as again:
        assert again.head == repo.head
