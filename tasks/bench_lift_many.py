"""The Python benchmarks, run by ``cargo tasks bench`` in each backend's venv.

Lifts records of 13 fields (12 scalars and one nested object of 3) with
``CompiledMigration.lift_many``, from and to Python dicts, and, in the same
run, the same transformation written as a plain Python dict comprehension.
Then the same for a lens: the 5-step chain of the Rust lens benchmark
(rename, hoist, wrap, convert, remove) by ``Lens.get_many``, beside a dict
comprehension doing the same. Prints one JSON object per line, like
``panproto-bench``.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import panproto as pp

N = 200_000


def schema(renamed: bool) -> pp.Schema:
    """The record schema; the target renames ``f0`` to ``title`` and drops ``f11``."""
    b = (
        pp.protocol("json-schema")
        .schema()
        .vertex("root", "object")
        .vertex("nest", "object")
    )
    b = b.edge("root", "nest", "prop", {"name": "nest"})
    for i in range(12):
        if renamed and i == 11:
            continue
        kind = "integer" if i % 3 == 2 else "string"
        name = "title" if renamed and i == 0 else f"f{i}"
        b = b.vertex(f"f{i}", kind).edge("root", f"f{i}", "prop", {"name": name})
    for j in range(3):
        b = b.vertex(f"n{j}", "integer").edge(
            "nest", f"n{j}", "prop", {"name": f"n{j}"}
        )
    return b.build()


def record(i: int) -> dict[str, Any]:
    return {
        "f0": f"record number {i}",
        "f1": "alpha",
        "f2": i,
        "f3": "gamma",
        "f4": "delta",
        "f5": i * 2,
        "f6": "zeta",
        "f7": "eta",
        "f8": i * 3,
        "f9": "iota",
        "f10": "kappa",
        "f11": i * 4,
        "nest": {"n0": i, "n1": i + 1, "n2": i + 2},
    }


KEPT = ("f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10")


def by_hand(r: dict[str, Any]) -> dict[str, Any]:
    """The same migration as a dict comprehension: rename f0, drop f11, copy the rest."""
    out = {k: r[k] for k in KEPT if k in r}
    out["title"] = r["f0"]
    out["nest"] = {k: v for k, v in r["nest"].items()}
    return out


def emit(bench: str, value: float, unit: str, target: str) -> None:
    line = {
        "backend": pp.__backend__,
        "bench": bench,
        "value": round(value, 3),
        "unit": unit,
        "target": target,
    }
    print(json.dumps(line), flush=True)


def main() -> None:
    src, tgt = schema(False), schema(True)
    migration = pp.migration(src, tgt)
    for v in [
        "root",
        "nest",
        *(f"f{i}" for i in range(11)),
        *(f"n{j}" for j in range(3)),
    ]:
        migration = migration.map(v, v)
    m = migration.compile()
    records = [record(i) for i in range(N)]
    assert list(m.lift_many(records[:3])) == [by_hand(r) for r in records[:3]]

    rates, hand = [], []
    for _ in range(3):
        t = time.perf_counter()
        lifted = list(m.lift_many(records))
        rates.append(N / (time.perf_counter() - t))
        t = time.perf_counter()
        by_comprehension = [by_hand(r) for r in records]
        hand.append(N / (time.perf_counter() - t))
        assert len(lifted) == len(by_comprehension) == N
    emit(
        "py_lift_many_13_fields",
        statistics.median(rates),
        "records/s",
        ">= 300,000 (dicts in, dicts out)",
    )
    emit(
        "py_dict_comprehension_13_fields",
        statistics.median(hand),
        "records/s",
        "info (same transformation in plain Python)",
    )


STATUS = {"draft": "pending", "published": "live", "archived": "gone"}


def lens_record(i: int) -> dict[str, Any]:
    """The Rust lens benchmark's record: 13 fields, one an object of two."""
    return {
        "id": i,
        "name": f"item {i}",
        "status": ("draft", "published", "archived")[i % 3],
        "tag": "x",
        "legacy": i % 7 == 0,
        "score": i / 3,
        "count": i % 100,
        "lang": "en",
        "created": 1_700_000_000 + i,
        "updated": 1_700_000_500 + i,
        "flags": [1, 2],
        "note": "",
        "meta": {"author": f"a{i % 50}", "rev": 3},
    }


def lens_by_hand(r: dict[str, Any]) -> dict[str, Any]:
    """The chain's view as a dict comprehension (no complement kept)."""
    out = {
        k: v
        for k, v in r.items()
        if k not in ("name", "meta", "tag", "status", "legacy")
    }
    out["title"] = r["name"]
    meta = dict(r["meta"])
    out["author"] = meta.pop("author")
    out["meta"] = meta
    out["tag"] = [r["tag"]]
    out["status"] = STATUS.get(r["status"], r["status"])
    return out


def lens_main() -> None:
    chain = (
        pp.rename("name", "title")
        .compose(pp.hoist("meta", "author"))
        .compose(pp.wrap("tag"))
        .compose(pp.convert("status", STATUS))
        .compose(pp.remove("legacy", "boolean", False))
    )
    lens = chain.fuse().compile()
    records = [lens_record(i) for i in range(N)]
    assert [v for v, _ in lens.get_many(records[:3])] == [
        lens_by_hand(r) for r in records[:3]
    ]

    rates, hand = [], []
    for _ in range(3):
        t = time.perf_counter()
        got = list(lens.get_many(records))
        rates.append(N / (time.perf_counter() - t))
        t = time.perf_counter()
        by_comprehension = [lens_by_hand(r) for r in records]
        hand.append(N / (time.perf_counter() - t))
        assert len(got) == len(by_comprehension) == N
    emit(
        "py_lens_get_many_5_steps",
        statistics.median(rates),
        "records/s",
        ">= 300,000 (dicts in, views and complements out)",
    )
    emit(
        "py_lens_dict_comprehension_5_steps",
        statistics.median(hand),
        "records/s",
        "info (the view alone, in plain Python)",
    )


if __name__ == "__main__":
    main()
    lens_main()
