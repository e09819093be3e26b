"""Versioned data on the active backend: add_data, data_at, datasets, migrate_data."""

from __future__ import annotations

import pickle
import re

import pytest

import panproto as pp
from schemas import person, person_v1, person_v2, person_v3, post_v1

HEX64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture
def data_repo(location):
    with location.init("json-schema") as repository:
        yield repository


def history(repo: pp.Repository, n: int) -> tuple[str, str, str]:
    """Commits v1 with ``n`` people (from a generator), then v2 and v3."""
    repo.add(person_v1())
    repo.add_data("people", (person(i) for i in range(n)))
    c1 = repo.commit("v1 with people", "ada")
    repo.add(person_v2())
    c2 = repo.commit("drop age", "ada")
    repo.add(person_v3())
    c3 = repo.commit("rename name", "ada")
    return c1, c2, c3


def test_ten_thousand_records_to_v3_and_back_equal_the_original(data_repo):
    original = [person(i) for i in range(10_000)]
    c1, c2, c3 = history(data_repo, 10_000)
    assert list(data_repo.data_at(c1, "people")) == original

    forward = list(data_repo.migrate_data("people", c1, c3))
    assert len(forward) == 10_000
    assert forward[1] == {"full_name": "person 1", "email": "p1@example.org", "extra": 1.0}
    assert forward == list(data_repo.data_at("HEAD", "people"))  # what the commits carried forward

    back = list(data_repo.migrate_data("people", c3, c1))
    assert back == original
    # Exactly: bytes stay bytes, a whole float stays a float, big ints stay ints.
    assert type(back[0]["extra"]) is bytes and type(back[1]["extra"]) is float
    assert back[2]["extra"] == 2**62 + 2 and type(back[2]["extra"]) is int
    assert list(data_repo.migrate_data("people", c2, c1)) == original


def test_a_bad_record_is_refused_with_its_index_and_path_and_nothing_is_staged(data_repo):
    data_repo.add(person_v1())
    data_repo.commit("v1", "ada")
    records = [person(i) for i in range(10)]
    records[7] = {"name": "x", "age": "old"}
    with pytest.raises(pp.DataValidationError) as caught:
        data_repo.add_data("people", records)
    error = caught.value
    assert (error.dataset, error.index, error.path) == ("people", 7, "person.age")
    assert "record 7" in str(error) and "expected integer" in str(error)
    assert isinstance(error, pp.VcsError)
    again = pickle.loads(pickle.dumps(error))
    assert (again.dataset, again.index, again.path) == ("people", 7, "person.age")
    # Nothing was staged, so there is nothing to commit.
    with pytest.raises(pp.VcsError, match="nothing to commit"):
        data_repo.commit("nothing", "ada")
    # The index counts across batches.
    many = [person(i) for i in range(9000)]
    many[8500] = {"colour": "red"}
    with pytest.raises(pp.DataValidationError) as caught:
        data_repo.add_data("people", iter(many))
    assert (caught.value.index, caught.value.path) == (8500, "person.colour")


def test_records_that_are_not_records_are_refused(data_repo):
    data_repo.add(person_v1())
    with pytest.raises(TypeError):
        data_repo.add_data("people", [{"name": object()}])
    with pytest.raises(TypeError):
        data_repo.add_data("people", 42)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "  ", "a\nb", "tab\there"])
def test_dataset_names_are_checked(data_repo, name):
    data_repo.add(person_v1())
    with pytest.raises(pp.VcsError, match="dataset name"):
        data_repo.add_data(name, [person(0)])


def test_there_must_be_a_schema_and_a_root(data_repo):
    with pytest.raises(pp.VcsError, match="no schema"):
        data_repo.add_data("people", [person(0)])
    two_roots = person_v1().to_builder().vertex("other", "object").build()
    data_repo.add(two_roots)
    with pytest.raises(pp.VcsError, match="root="):
        data_repo.add_data("people", [person(0)])
    assert HEX64.fullmatch(data_repo.add_data("people", [person(0)], root="person"))
    with pytest.raises(pp.DataValidationError) as caught:
        data_repo.add_data("people", [person(0)], root="ghost")
    assert caught.value.path == "ghost"


def test_data_streams_lazily_and_counts(data_repo):
    c1, _, _ = history(data_repo, 9000)
    it = data_repo.data_at(c1, "people")
    assert isinstance(it, pp.DataIterator)
    assert iter(it) is it
    assert it.__length_hint__() == 9000
    first = next(it)
    assert first == person(0)
    assert it.__length_hint__() == 8999
    assert sum(1 for _ in it) == 8999
    with pytest.raises(StopIteration):
        next(it)
    assert data_repo.datasets() == {"people": 9000}
    assert data_repo.datasets(c1) == {"people": 9000}


def test_commits_carry_datasets_and_data_alone_can_be_committed(data_repo):
    c1, _, c3 = history(data_repo, 20)
    log = data_repo.log()
    assert [set(c.datasets) for c in log] == [{"people"}] * 3
    assert log[0].to_dict()["datasets"] == log[0].datasets
    assert all(HEX64.fullmatch(i) for i in log[0].datasets.values())
    assert log[0].datasets["people"] != log[2].datasets["people"]  # carried forward to new schemas

    pets_id = data_repo.add_data("pets", [{"full_name": "Rex"}])
    c4 = data_repo.commit("pets", "ada")
    head = data_repo.log(1)[0]
    assert head.id == c4 and head.schema_id == log[0].schema_id
    assert head.compatibility == "fully-compatible"
    assert head.datasets == {"people": log[0].datasets["people"], "pets": pets_id}
    assert data_repo.datasets() == {"people": 20, "pets": 1}
    assert list(data_repo.data_at("HEAD", "pets")) == [{"full_name": "Rex"}]
    again = pickle.loads(pickle.dumps(head))
    assert again == head and again.datasets == head.datasets
    with pytest.raises(pp.NotFoundError):
        data_repo.data_at(c3, "pets")
    with pytest.raises(pp.NotFoundError):
        data_repo.data_at("HEAD", "nobody")
    with pytest.raises(pp.NotFoundError):
        data_repo.migrate_data("nobody", c1, c3)


def test_a_commit_whose_carried_records_stop_fitting_is_refused(data_repo):
    data_repo.add(person_v1())
    data_repo.add_data("people", [person(i) for i in range(10)])
    c1 = data_repo.commit("v1", "ada")
    strict = person_v1().to_builder().required("person", ["email"]).build()
    data_repo.add(strict)
    with pytest.raises(pp.DataValidationError) as caught:
        data_repo.commit("require email", "ada")
    assert (caught.value.dataset, caught.value.index, caught.value.path) == ("people", 0, "person")
    assert "email" in str(caught.value)
    assert data_repo.head == c1  # nothing written
    fixed = [{"name": f"p{i}", "email": "a@b"} for i in range(10)]
    data_repo.add_data("people", fixed)
    data_repo.commit("require email", "ada")
    assert list(data_repo.data_at("HEAD", "people")) == fixed


def test_same_records_same_id(data_repo):
    data_repo.add(person_v1())
    data_repo.commit("v1", "ada")
    a = data_repo.add_data("people", [person(i) for i in range(50)])
    reordered = [dict(reversed(list(person(i).items()))) for i in range(50)]
    assert data_repo.add_data("people", reordered) == a
    assert data_repo.add_data("people", [person(i) for i in range(1, 51)]) != a


def test_going_back_without_complements_inverts_or_raises(data_repo):
    c1, c2, _ = history(data_repo, 5)
    data_repo.add_data("people", [{"full_name": f"new {i}"} for i in range(3)])
    c4 = data_repo.commit("restaged", "ada")
    # The rename has an inverse ...
    assert list(data_repo.migrate_data("people", c4, c2)) == [{"name": f"new {i}"} for i in range(3)]
    # ... the removal of age does not, and no complements were kept.
    with pytest.raises(pp.VcsError, match="complements") as caught:
        data_repo.migrate_data("people", c4, c1)
    assert not isinstance(caught.value, pp.NotFoundError)


def test_migrating_across_branches_goes_through_the_common_ancestor(data_repo):
    c1, _, c3 = history(data_repo, 10)
    data_repo.create_branch("side", c1)
    data_repo.checkout("side")
    nick = person_v1().to_builder().vertex("nick", "string").edge("person", "nick", "prop", {"name": "nick"})
    data_repo.add(nick.build())
    side = data_repo.commit("nick", "ada")
    assert list(data_repo.migrate_data("people", c3, side)) == [person(i) for i in range(10)]


def test_staged_data_blocks_checkout_and_belongs_to_one_client(location):
    with location.init("json-schema") as one, location.open() as two:
        one.add(person_v1())
        one.commit("v1", "ada")
        one.add_data("people", [person(0)])
        with pytest.raises(pp.VcsError, match="staged"):
            one.checkout("HEAD")
        assert one.status().staged_data == {"people": 1}
        assert two.status().staged_data == {}
        two.add_data("other", [person(1)])
        two.commit("other", "bob")  # one's staged data is not in two's commit
        assert two.datasets() == {"other": 1}
        with pytest.raises(pp.ConflictError):
            one.commit("people", "ada")  # the branch moved since add_data
        assert one.datasets() == {"other": 1}
        assert one.rebase()["kind"] == "rebased"  # data alone rebases onto the new head
        one.commit("people", "ada")
        assert one.datasets() == {"other": 1, "people": 1}


def test_iterating_after_close_raises(data_repo):
    history(data_repo, 5000)
    it = data_repo.data_at("HEAD", "people")
    next(it)
    list(pp.Repository.data_at(data_repo, "HEAD", "people"))
    data_repo.close()
    rest = [next(it) for _ in range(4095)]  # the first chunk was already read
    assert len(rest) == 4095
    with pytest.raises(pp.VcsError, match="closed"):
        next(it)


def test_add_data_and_migrate_data_report_progress(location):
    """``progress(done, total)`` after each batch staged and each chunk read."""
    with location.init() as repo:
        repo.add(post_v1())
        repo.commit("v1", "alice")
        records = [{"text": f"post {i}"} for i in range(10_000)]
        staged: list[tuple[int, int | None]] = []
        repo.add_data("posts", records, progress=lambda done, total: staged.append((done, total)))
        assert staged[-1] == (10_000, 10_000)
        assert [d for d, _ in staged] == sorted(d for d, _ in staged)
        unsized: list[tuple[int, int | None]] = []
        repo.add_data("more", iter(records[:10]), progress=lambda done, total: unsized.append((done, total)))
        assert unsized == [(10, None)]
        head = repo.commit("posts", "alice")
        read: list[tuple[int, int]] = []
        moved = list(repo.migrate_data("posts", head, head, progress=lambda done, total: read.append((done, total))))
        assert len(moved) == 10_000
        assert read[-1] == (10_000, 10_000)


def test_verify_reports_progress_in_bytes(location):
    with location.init() as repo:
        repo.add(post_v1())
        repo.commit("v1", "alice")
        repo.add_data("posts", [{"text": f"post {i}"} for i in range(5_000)])
        repo.commit("posts", "alice")
        seen: list[tuple[int, int]] = []
        report = repo.verify(progress=lambda done, total: seen.append((done, total)))
        assert report.ok
        done, total = seen[-1]
        assert done == total > 0
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)
        with pytest.raises(ZeroDivisionError):
            repo.verify(progress=lambda done, total: 1 / 0)
