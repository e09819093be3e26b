"""Native schema files: parse, emit, fields, the readers per format, errors.

The formats' own round trips and reference-tool checks over the whole
corpus are in the engine's tests (``panproto-core/tests/formats``); these
check the Python surface on real corpus files.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import panproto as pp
from conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus"
AVRO = CORPUS / "avro"

USER = """{
  "type": "record", "name": "User", "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "home", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}]}},
    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []}
  ]
}"""


def test_list_formats_names_every_format_and_each_has_its_reader():
    formats = pp.list_formats()
    assert "avro" in formats
    assert formats == sorted(set(formats), key=formats.index)  # no repeats
    for name in formats:
        reader = "from_" + name.replace("-", "_")
        assert callable(getattr(pp.Schema, reader)), reader


def test_a_file_path_a_pathlike_and_text_give_one_schema():
    path = AVRO / "weather.avsc"
    by_str = pp.parse(str(path))
    by_path = pp.parse(path, "avro")
    by_text = pp.parse(path.read_text(), "avro", name="weather.avsc")
    assert by_str == by_path == by_text
    assert by_str.protocol == "avro"
    assert pp.Schema.from_avro(path) == by_str


def test_the_protocol_picks_the_format_and_must_match_it():
    schema = pp.parse(USER, protocol="avro", name="user.avsc")
    assert schema.protocol == "avro"
    with pytest.raises(ValueError, match="makes schemas of protocol"):
        pp.parse(USER, "avro", protocol="sql")
    with pytest.raises(ValueError, match="no native format"):
        pp.define_protocol({"name": "fmtless", "object_kinds": ["thing"], "edge_rules": {}})
        pp.parse(USER, protocol="fmtless")


def test_fields_list_each_member_with_its_type():
    schema = pp.Schema.from_avro(USER, name="user.avsc")
    fields = {(f.parent, f.name): f for f in schema.fields()}
    assert fields["com.acme.User", "id"].type == "string"
    # A field of a named type names it, not a copy of it.
    assert fields["com.acme.User", "home"].type == "com.acme.Address"
    assert fields["com.acme.User", "tags"].type == "array"
    assert fields["com.acme.Address", "city"].vertex == "com.acme.Address.city"
    assert repr(fields["com.acme.User", "id"]) == "Field(parent='com.acme.User', name='id', type='string')"


def test_emit_gives_text_that_parses_back_to_the_same_schema():
    schema = pp.parse(AVRO / "interop.avsc")
    text = schema.emit()
    assert isinstance(text, str)
    assert pp.parse(text, "avro", name="interop.avsc") == schema
    assert schema.emit("avro") == text
    # A schema pickles, and the copy emits the same.
    assert pickle.loads(pickle.dumps(schema)).emit() == text


def test_a_directory_is_one_schema_and_emits_one_text_per_file(tmp_path: Path):
    (tmp_path / "address.avsc").write_text(
        '{"type": "record", "name": "Address", "namespace": "a", "fields": [{"name": "city", "type": "string"}]}'
    )
    (tmp_path / "user.avsc").write_text(
        '{"type": "record", "name": "a.User", "fields": [{"name": "home", "type": "Address"}]}'
    )
    (tmp_path / "README.md").write_text("not a schema")
    schema = pp.parse(tmp_path)
    files = schema.emit()
    assert isinstance(files, dict)
    assert sorted(files) == ["address.avsc", "user.avsc"]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert pp.parse(tmp_path) == schema


def test_a_syntax_error_says_file_line_and_column():
    with pytest.raises(pp.ParseError) as caught:
        pp.parse('{\n  "type": "record",\n  "name": }', "avro", name="bad.avsc")
    e = caught.value
    assert (e.file, e.line, e.column, e.kind) == ("bad.avsc", 3, 11, "syntax")
    assert str(e).startswith("bad.avsc:3:11: ")
    assert isinstance(e, pp.PanprotoError)
    again = pickle.loads(pickle.dumps(e))
    assert (again.file, again.line, again.column) == ("bad.avsc", 3, 11)


def test_an_unresolved_ref_names_the_ref_and_the_file():
    text = '{"type": "record", "name": "R", "fields": [\n{"name": "x", "type": "Nowhere"}]}'
    with pytest.raises(pp.ParseError, match="Nowhere") as caught:
        pp.parse(text, "avro", name="r.avsc")
    assert (caught.value.kind, caught.value.file, caught.value.line) == ("unresolved-ref", "r.avsc", 2)


def test_an_input_of_no_known_format_says_what_to_pass():
    with pytest.raises(pp.ParseError, match="pass format=") as caught:
        pp.parse("CREATE SOMETHING nobody knows")
    assert caught.value.kind == "undetected"
    assert caught.value.line is None


def test_bad_arguments_are_python_errors():
    with pytest.raises(FileNotFoundError):
        pp.parse("/no/such/dir/schema.avsc")
    with pytest.raises(ValueError, match="unknown format"):
        pp.parse(USER, "cobol")
    with pytest.raises(TypeError, match="argument 'source'"):
        pp.parse(42)  # type: ignore[arg-type]
    sql = pp.protocol("sql").schema().vertex("t", "table").build()
    with pytest.raises(ValueError, match="cannot be written as avro"):
        sql.emit("avro")
    hand_built = pp.protocol("avro").schema().vertex("R", "record").build()
    with pytest.raises(ValueError, match="no file vertex"):
        hand_built.emit()


# ---------------------------------------------------------------- each format through Python

POST = CORPUS / "atproto" / "app.bsky.feed.post.json"


def test_from_lexicon_as_the_seed_sdk_reads_it():
    protocol = pp.protocol("atproto")
    text = POST.read_text()
    schema = pp.Schema.from_lexicon(protocol, text)
    assert schema == pp.Schema.from_lexicon("atproto", json.loads(text)) == pp.Schema.from_atproto(POST)
    names = {field.name: field.type for field in schema.fields()}
    assert names["text"] == "string" and "createdAt" in names
    with pytest.raises(ValueError, match='not "sql"'):
        pp.Schema.from_lexicon("sql", text)


def test_a_lexicon_in_another_file_name_is_the_same_schema(tmp_path: Path):
    copy = tmp_path / "renamed.json"
    copy.write_text(POST.read_text())
    assert pp.parse(copy) == pp.parse(POST)


def test_sql_takes_a_dialect_and_writes_it_back():
    schema = pp.Schema.from_sql(CORPUS / "sql" / "Chinook_Sqlite.sql")
    assert schema.protocol == "sql"
    tables = {f.parent for f in schema.fields()}
    assert {"Album", "Artist", "Track"} <= tables
    text = schema.emit()
    assert isinstance(text, str) and "CREATE TABLE" in text
    assert pp.parse(text, "sql") == schema
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        pp.parse("CREATE TABLE t (a int);", "sql", dialect="cobol")
    pg = pp.parse("CREATE TABLE t (a int NOT NULL);", "sql", dialect="postgresql")
    assert pg.emit(dialect="postgresql") == pg.emit()


def test_graphql_fragments_need_external_refs():
    fragment = "type Query { me: User }"
    with pytest.raises(pp.ParseError, match="User") as caught:
        pp.parse(fragment, "graphql")
    assert caught.value.kind == "unresolved-ref"
    schema = pp.Schema.from_graphql(fragment, external_refs=True)
    assert pp.parse(fragment, "graphql", external_refs=True) == schema
    starwars = pp.parse(CORPUS / "graphql" / "gqlgen_examples_starwars_schema.graphql")
    assert starwars.protocol == "graphql"
    assert pp.parse(starwars.emit(), "graphql") == starwars


def test_protobuf_and_json_schema_through_python(tmp_path: Path):
    proto = 'syntax = "proto3";\npackage shop;\nmessage Item {\n  string name = 1;\n  repeated int64 ids = 2;\n}\n'
    schema = pp.Schema.from_protobuf(proto, name="item.proto")
    fields = {f.name: f for f in schema.fields() if f.parent == "shop.Item"}
    assert set(fields) == {"name", "ids"}
    assert pp.parse(schema.emit(), "protobuf") == schema
    bom = CORPUS / "jsonschema" / "cyclonedx_bom-1.6.schema.json"
    js = pp.Schema.from_json_schema(bom)
    assert js.protocol == "json-schema"
    assert pp.parse(js.emit(), "json-schema") == js
    with pytest.raises(pp.ParseError) as caught:
        pp.parse('syntax = "proto3";\nmessage A {\n  int32 x = 1\n}\n', "protobuf", name="bad.proto")
    assert (caught.value.file, caught.value.line, caught.value.kind) == ("bad.proto", 4, "syntax")
