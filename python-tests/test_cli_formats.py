"""The `panproto` command on native schema files: init --format, add of a
directory, status on the tracked files, check without a repository, and
show --emit."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Location
from test_cli import EXIT_BREAKING, EXIT_ERROR, init_args, run

V1 = {
    "type": "record",
    "name": "User",
    "namespace": "com.acme",
    "fields": [{"name": "id", "type": "string"}, {"name": "email", "type": ["null", "string"], "default": None}],
}
# v2 adds a field with a default (compatible both ways); v3 removes one
# without a default (old readers need it: breaks forward); v4 adds one
# without a default (new readers need it: breaks backward).
V2 = {**V1, "fields": [*V1["fields"], {"name": "age", "type": "int", "default": 0}]}
V3 = {**V1, "fields": V1["fields"][1:]}
V4 = {**V1, "fields": [*V1["fields"], {"name": "age", "type": "int"}]}


def write(path: Path, schema: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return path


def test_check_compares_native_files_without_a_repository(tmp_path: Path):
    versions = (("v1", V1), ("v1b", V1), ("v2", V2), ("v3", V3), ("v4", V4))
    old, same, new, gone, needs = (write(tmp_path / f"{n}.avsc", s) for n, s in versions)
    assert run(tmp_path, "check", str(old), str(same)).returncode == 0
    out = run(tmp_path, "check", str(old), str(new), "--json", "--mode", "FULL")
    data = json.loads(out.stdout)
    assert data["compatible"] is True and data["rules"] == "avro"
    # A field removed without a default: new readers skip it, old ones need it.
    assert run(tmp_path, "check", str(old), str(gone)).returncode == 0
    out = run(tmp_path, "check", str(old), str(gone), "--mode", "FORWARD", check=False)
    assert out.returncode == EXIT_BREAKING, out.stdout + out.stderr
    assert "field removed        record com.acme.User field id" in out.stdout
    assert "judged by the avro rules" in out.stdout
    out = run(tmp_path, "check", str(old), str(needs), check=False)
    assert out.returncode == EXIT_BREAKING and "record com.acme.User field age" in out.stdout


def test_a_file_that_does_not_parse_is_one_located_error_line(tmp_path: Path):
    bad = tmp_path / "bad.avsc"
    bad.write_text('{\n  "type": "record",\n  "name": }', encoding="utf-8")
    out = run(tmp_path, "check", str(bad), str(bad), check=False)
    assert out.returncode == EXIT_ERROR
    assert "bad.avsc:3:11:" in out.stderr and "Traceback" not in out.stderr
    out = run(tmp_path, "check", "nothing-here.avsc", str(bad), check=False)
    assert out.returncode == EXIT_ERROR and "Traceback" not in out.stderr


def test_init_format_add_a_directory_status_and_show_emit(tmp_path: Path, location: Location):
    args = init_args(location)
    out = run(tmp_path, *args, "--format", "avro")
    assert "(avro)" in out.stdout
    schemas = tmp_path / "schemas"
    write(schemas / "user.avsc", V1)
    out = run(tmp_path, "add", "schemas")
    assert "vertex-added" in out.stdout
    run(tmp_path, "commit", "-m", "v1")
    assert "Tracked" not in run(tmp_path, "status").stdout

    write(schemas / "user.avsc", V2)
    status = run(tmp_path, "status").stdout
    assert "Tracked schemas no longer gives HEAD" in status, status
    tracked = json.loads(run(tmp_path, "status", "--json").stdout)["tracked"]
    assert tracked == {"path": "schemas", "state": "modified"}
    run(tmp_path, "add", "schemas")
    assert json.loads(run(tmp_path, "status", "--json").stdout)["tracked"]["state"] == "same"
    run(tmp_path, "commit", "-m", "v2: age")

    emitted = run(tmp_path, "show", "HEAD", "--emit").stdout
    assert json.loads(emitted)["fields"][-1] == {"name": "age", "type": "int", "default": 0}
    first = json.loads(run(tmp_path, "show", "HEAD~1", "--emit", "avro").stdout)
    assert [f["name"] for f in first["fields"]] == ["id", "email"]
    as_json = json.loads(run(tmp_path, "show", "HEAD", "--emit", "--json").stdout)
    assert list(as_json["files"]) == ["schema"]


def test_init_refuses_a_format_that_contradicts_the_protocol(tmp_path: Path, location: Location):
    out = run(tmp_path, *init_args(location), "--format", "avro", "--protocol", "sql", check=False)
    assert out.returncode == EXIT_ERROR and "protocol avro, not sql" in out.stderr
    out = run(tmp_path, *init_args(location), "--format", "cobol", check=False)
    assert out.returncode == EXIT_ERROR and "unknown format 'cobol'" in out.stderr
