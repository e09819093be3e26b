"""Many writers on one branch at once, each in its own process.

Eight processes each make fifty commits to the same branch of one store.
A commit that loses the race gets ``ConflictError``; the writer rebases its
staged schema onto the new head and tries again. Afterwards the branch's
history must hold exactly the commits that reported success, the schema at
its head every writer's additions, `verify()` must be clean, and the store
must hold no object beyond those commits'.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import Location
from schemas import post_v1

WRITERS = 8
COMMITS_EACH = 50

WRITER = textwrap.dedent(
    """
    import json, sys
    import panproto as pp

    url, name, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    done, retries = [], 0
    with pp.Repository.open(url, name=name) as repo:
        for i in range(count):
            field = f"w{writer}_{i}"
            # Build on a head read once and stage against that same head:
            # another writer may commit in between, and rebase handles it.
            head = repo.head
            schema = (
                repo.schema_at(head)
                .to_builder()
                .vertex(f"post:body.{field}", "string")
                .edge("post:body", f"post:body.{field}", "prop", {"name": field})
                .build()
            )
            repo.add(schema, base=head)
            while True:
                try:
                    done.append(repo.commit(f"writer {writer} commit {i}", f"writer-{writer}"))
                    break
                except pp.ConflictError:
                    retries += 1
                    repo.rebase()
    print(json.dumps({"commits": done, "retries": retries}))
    """
)


def test_eight_processes_commit_to_one_branch_and_no_commit_is_lost(location: Location):
    with location.init() as repo:
        repo.add(post_v1())
        base = repo.commit("base", "setup")

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, location.url, location.name, str(w), str(COMMITS_EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    reported: list[str] = []
    retries = 0
    for w, process in enumerate(writers):
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, f"writer {w} failed:\n{err}"
        result = json.loads(out)
        assert len(result["commits"]) == COMMITS_EACH
        reported += result["commits"]
        retries += result["retries"]

    with location.open() as repo:
        history = [c.id for c in repo.log()]
        assert len(reported) == len(set(reported)) == WRITERS * COMMITS_EACH
        assert history[-1] == base
        assert sorted(history[:-1]) == sorted(reported), "exactly the commits that reported success"
        edges = json.loads(repo.schema_at().to_json())["edges"]
        fields = {e["name"] for e in edges if e.get("name", "").startswith("w")}
        assert fields == {f"w{w}_{i}" for w in range(WRITERS) for i in range(COMMITS_EACH)}
        report = repo.verify()
        assert report.ok, report.problems
        # Nothing else was written: the first commit (schema, commit), then
        # per commit its schema, its migration and itself. Lost races wrote nothing.
        assert report.objects == 2 + 3 * WRITERS * COMMITS_EACH
        # Each writer's commits appear in its own order.
        for w in range(WRITERS):
            mine = [c.message for c in reversed(repo.log()) if c.author == f"writer-{w}"]
            assert mine == [f"writer {w} commit {i}" for i in range(COMMITS_EACH)]
    print(f"{WRITERS * COMMITS_EACH} commits, {retries} conflicts retried through rebase")
