"""Fixture directories and DE files: the shipped defaults, overrides, CSV rows, precise errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.errors import FixtureError
from emulator.fixtures.discovery import (
    default_fixtures_dir,
    load_data_extension_file,
    load_fixture_dirs,
)
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

USERS_FIELDS = [
    {"name": "Id", "type": "Text", "length": 10, "primaryKey": True},
    {"name": "Name", "type": "Text", "length": 20, "nullable": False},
    {"name": "Age", "type": "Number"},
]


def make_dir(root: Path, name: str) -> Path:
    directory = root / name
    (directory / "data_extensions").mkdir(parents=True)
    return directory


def put_de(directory: Path, key: str, doc: dict[str, Any] | None = None, **extra: Any) -> Path:
    """Write ``data_extensions/<key>.json`` (a Users-like DE unless ``doc`` is given)."""
    body = doc if doc is not None else {"key": key, "fields": USERS_FIELDS, **extra}
    path = directory / "data_extensions" / f"{key}.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


# --- The shipped defaults --------------------------------------------------------------------


def test_the_default_fixtures_dir_is_the_repository_fixtures() -> None:
    assert (default_fixtures_dir() / "data_extensions" / "AppCredentials.json").is_file()


def test_the_shipped_data_extensions_load() -> None:
    loaded = {d.schema.key: d for d in load_fixture_dirs([])}
    assert sorted(loaded) == ["AppCredentials", "CustomAppException", "HTTPProperties"]

    credentials = loaded["AppCredentials"]
    assert [(f.name, f.length, f.primary_key, f.nullable) for f in credentials.schema.fields] == [
        ("client_id", 100, True, False),
        ("client_secret", 100, False, False),
        ("signing_secret", 256, False, False),
    ]
    assert credentials.rows == ({
        "client_id": "demo-client",
        "client_secret": "demo-secret",
        "signing_secret": "demo-signing-secret-change-me-0123456789",
    },)

    http = loaded["HTTPProperties"].schema
    assert http.field_names == (
        "Browser", "ClientIP", "HasSSL", "IsSSL", "Method", "QueryString", "ReferrerURL",
        "RequestURL", "UserAgent",
    )
    assert {(f.type, f.length, f.primary_key) for f in http.fields} == {("Text", 4000, False)}
    assert http.retention is not None and http.retention.max_rows == 100_000
    assert loaded["HTTPProperties"].rows == ()

    errors = loaded["CustomAppException"]
    assert [(f.name, f.length) for f in errors.schema.fields] == [
        ("Message", 4000), ("Description", 4000), ("InnerException", 4000), ("FunctionName", 100),
    ]
    assert errors.schema.primary_keys == () and errors.rows == ()


def test_the_shipped_data_extensions_seed_a_store() -> None:
    with Store() as store:
        store.replace_all(load_fixture_dirs([]))
        assert store.count("AppCredentials") == 1


def test_no_default_fixtures_starts_from_the_given_dirs_only(tmp_path: Path) -> None:
    mine = make_dir(tmp_path, "mine")
    put_de(mine, "Users")
    assert [d.schema.key for d in load_fixture_dirs([mine], include_default=False)] == ["Users"]
    assert load_fixture_dirs([], include_default=False) == []


# --- Overrides and duplicates ----------------------------------------------------------------


def test_a_given_de_replaces_the_default_with_the_same_key_whole(tmp_path: Path) -> None:
    mine = make_dir(tmp_path, "mine")
    own = {
        "key": "AppCredentials",
        "fields": [{"name": "client_id", "primaryKey": True}, {"name": "tenant"}],
        "rows": [{"client_id": "mine", "tenant": "t1"}],
    }
    source = put_de(mine, "AppCredentials", own)
    put_de(mine, "Users")
    loaded = load_fixture_dirs([str(mine)])
    assert [d.schema.key for d in loaded] == [
        "AppCredentials", "CustomAppException", "HTTPProperties", "Users",
    ]
    assert loaded[0].schema.field_names == ("client_id", "tenant")
    assert loaded[0].rows == ({"client_id": "mine", "tenant": "t1"},)
    assert loaded[0].source == source


def test_a_de_defined_in_two_given_dirs_names_both_files(tmp_path: Path) -> None:
    first, second = make_dir(tmp_path, "one"), make_dir(tmp_path, "two")
    a, b = put_de(first, "Users"), put_de(second, "Users")
    with pytest.raises(FixtureError) as caught:
        load_fixture_dirs([first, second])
    assert str(a) in str(caught.value) and str(b) in str(caught.value)


def test_a_key_defined_twice_in_one_dir_names_both_files(tmp_path: Path) -> None:
    mine = make_dir(tmp_path, "mine")
    a = put_de(mine, "Users")
    b = put_de(mine, "Users-copy", {"key": "Users", "fields": USERS_FIELDS})
    with pytest.raises(FixtureError) as caught:
        load_fixture_dirs([mine], include_default=False)
    assert str(a) in str(caught.value) and str(b) in str(caught.value)


def test_a_missing_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="fixtures directory not found"):
        load_fixture_dirs([tmp_path / "nowhere"])


def test_a_dir_without_data_extensions_says_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="expected a data_extensions/ folder"):
        load_fixture_dirs([tmp_path])


# --- CSV rows --------------------------------------------------------------------------------


def test_rows_come_from_the_csv_beside_the_json(tmp_path: Path) -> None:
    mine = make_dir(tmp_path, "mine")
    path = put_de(mine, "Users")
    csv_text = 'ID,name,Age\r\nu1,"Smith, Ann",41\r\n\r\nu2,Bob,\r\nu3,"Zoë ""Z""",7\r\n'
    path.with_suffix(".csv").write_bytes(b"\xef\xbb\xbf" + csv_text.encode("utf-8"))
    definition = load_data_extension_file(path)
    assert definition.rows == (
        {"Id": "u1", "Name": "Smith, Ann", "Age": "41"},
        {"Id": "u2", "Name": "Bob", "Age": None},  # an empty cell is null
        {"Id": "u3", "Name": 'Zoë "Z"', "Age": "7"},
    )


@pytest.mark.parametrize(
    ("csv_text", "problem"),
    [
        ("Id,Nope\r\n", "line 1, column 2: 'Nope' is not a field"),
        ("Id,Name,id\r\n", "column 'Id' appears twice"),
        ("Id,Name\r\nu1,Ann,extra\r\n", "line 2: 3 values for 2 columns"),
        ("Id,Name\r\nu1,Ann\r\nu1,Bob\r\n", "line 3: field 'Id': Violation of PRIMARY KEY"),
        ("Id,Name\r\nu1,\r\n", "line 2: field 'Name'"),
        ("Id,Name\r\nu1," + "x" * 200_000 + "\r\n", "line 2: invalid CSV: field larger"),
    ],
)
def test_csv_problems_name_the_file_and_line(tmp_path: Path, csv_text: str, problem: str) -> None:
    path = put_de(make_dir(tmp_path, "mine"), "Users")
    csv_path = path.with_suffix(".csv")
    csv_path.write_text(csv_text, encoding="utf-8", newline="")
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    assert str(csv_path) in str(caught.value)
    assert problem in str(caught.value)


def test_rows_inline_and_in_csv_is_refused(tmp_path: Path) -> None:
    path = put_de(make_dir(tmp_path, "mine"), "Users", rows=[])
    path.with_suffix(".csv").write_text("Id,Name\n", encoding="utf-8")
    with pytest.raises(FixtureError, match='"rows" list and Users.csv'):
        load_data_extension_file(path)


def test_a_csv_without_its_json_is_refused(tmp_path: Path) -> None:
    mine = make_dir(tmp_path, "mine")
    (mine / "data_extensions" / "Orphan.csv").write_text("Id\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="put Orphan.json beside it"):
        load_fixture_dirs([mine])


# --- JSON rows -------------------------------------------------------------------------------


def test_json_numbers_and_booleans_become_their_clr_text(tmp_path: Path) -> None:
    fields = [{"name": "Id", "primaryKey": True}, {"name": "Value"}]
    rows = [
        {"Id": 1, "Value": 3.0},
        {"Id": "b", "Value": True},
        {"Id": "c", "Value": 1e21},
        {"id": "d", "VALUE": None},
    ]
    path = put_de(make_dir(tmp_path, "mine"), "Things", {"key": "Things", "fields": fields,
                                                         "rows": rows})
    assert load_data_extension_file(path).rows == (
        {"Id": "1", "Value": "3"},
        {"Id": "b", "Value": "True"},
        {"Id": "c", "Value": "1E+21"},
        {"Id": "d", "Value": None},
    )


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ({"Id": "u1"}, '"rows" must be a list of objects, not an object'),
        (["u1"], "rows[0]: a row must be an object, not a string"),
        ([{"Id": "u1", "Name": "A"}, {"Id": "u2", "Nmae": "B"}],
         "rows[1]: field 'Nmae' is not in the schema (Id, Name, Age)"),
        ([{"Id": "u1", "Name": {"first": "A"}}], "rows[0]: field 'Name' must be a string"),
        ([{"Id": "u1", "Name": ["A"]}], "not an array"),
        ([{"Id": "u1"}], "rows[0]: field 'Name'"),
        ([{"Id": "u1", "Name": "A"}, {"Id": "U1", "Name": "B"}],
         "rows[1]: field 'Id': Violation of PRIMARY KEY"),
        ([{"Id": "u1", "Name": "x" * 21}], "rows[0]: field 'Name'"),
        ([{"Id": "u1" * 6, "Name": "x" * 21}], "rows[0]: field 'Id'"),  # and Name, see below
    ],
)
def test_bad_rows_name_the_file_the_row_and_the_field(
    tmp_path: Path, rows: Any, problem: str
) -> None:
    path = put_de(make_dir(tmp_path, "mine"), "Users", rows=rows)
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_a_row_with_several_bad_fields_names_each(tmp_path: Path) -> None:
    path = put_de(make_dir(tmp_path, "mine"), "Users",
                  rows=[{"Id": "u1" * 6, "Name": "x" * 21, "Age": "1.5"}])
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    message = str(caught.value)
    assert message.startswith(f"3 problems:\n  {path}")
    for field, rule in (("Id", "length"), ("Name", "length"), ("Age", "type")):
        assert f"rows[0]: field '{field}': " in message and f"[{rule}]" in message


def test_a_schema_with_several_mistakes_names_each(tmp_path: Path) -> None:
    path = tmp_path / "Users.json"
    path.write_text(json.dumps({"key": "Users", "fields": [
        {"name": "A", "length": 0}, {"name": "B", "type": "Integer"}]}), encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    message = str(caught.value)
    assert message.startswith("2 problems:")
    assert "field 'A': length must be an integer >= 1" in message
    assert "field 'B': type 'Integer' is not one of" in message


# --- Malformed files -------------------------------------------------------------------------


def test_malformed_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "Users.json"
    path.write_text('{\n  "key": "Users",\n  "fields": [\n}\n', encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    assert f"{path}: invalid JSON at line 4, column 1" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"key": "Caf\xe9", "fields": []}', "not UTF-8 text (byte 12 is 0xE9)"),
        (b"[1, 2]", "must hold a JSON object"),
        (b'"Users"', "not a string"),
        (b"[" * 100_000, "nested too deeply"),
        (b"", "invalid JSON at line 1, column 1"),
    ],
)
def test_hostile_files_give_a_clean_error(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "Users.json"
    path.write_bytes(content)
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "Users.json"
    text = json.dumps({"key": "Users", "fields": USERS_FIELDS})
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_data_extension_file(path).schema.key == "Users"


def test_a_large_file_loads(tmp_path: Path) -> None:
    rows = [{"Id": f"u{i}", "Name": f"name {i}", "Age": i} for i in range(20_000)]
    path = put_de(make_dir(tmp_path, "mine"), "Users", rows=rows)
    assert len(load_data_extension_file(path).rows) == 20_000


# --- Schemas ---------------------------------------------------------------------------------

F = {"name": "A"}


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"fields": [F]}, '"key" (the external key) must be a non-empty string'),
        ({"key": "", "fields": [F]}, '"key"'),
        ({"key": 7, "fields": [F]}, '"key"'),
        ({"key": "_Users", "fields": [F]}, 'must not start with "_"'),
        ({"key": "Users", "name": "", "fields": [F]}, '"name" must be a non-empty string'),
        ({"key": "Users"}, '"fields" must be a non-empty list'),
        ({"key": "Users", "fields": []}, '"fields" must be a non-empty list'),
        ({"key": "Users", "fields": {"A": {}}}, '"fields" must be a non-empty list'),
        ({"key": "Users", "fields": ["A"]}, "fields[0] must be an object, not a string"),
        ({"key": "Users", "fields": [F, {"type": "Text"}]}, 'fields[1]: "name" must be'),
        ({"key": "Users", "fields": [F, {"name": "a"}]}, "fields 'A' and 'a' have the same name"),
        ({"key": "Users", "fields": [{"name": "A", "type": "Integer"}]},
         "field 'A': type 'Integer' is not one of Text, Number, Decimal, Boolean, Date"),
        ({"key": "Users", "fields": [{"name": "A", "length": 0}]},
         "length must be an integer >= 1"),
        ({"key": "Users", "fields": [{"name": "A", "length": "10"}]}, "length must be an integer"),
        ({"key": "Users", "fields": [{"name": "A", "length": True}]}, "length must be an integer"),
        ({"key": "Users", "fields": [{"name": "A", "nullable": "no"}]},
         "nullable must be true or false"),
        ({"key": "Users", "fields": [{"name": "A", "primaryKey": True, "nullable": True}]},
         "a primary key field cannot be nullable"),
        ({"key": "Users", "fields": [{"name": "A", "precision": 5}]}, "Decimal fields only"),
        ({"key": "Users", "fields": [{"name": "A", "type": "Decimal", "precision": 2, "scale": 3}]},
         "scale 3 is larger than precision 2"),
        ({"key": "Users", "fields": [{"name": "A", "length": 2, "defaultValue": "abc"}]},
         "defaultValue is longer"),
        ({"key": "Users", "fields": [{"name": "A", "defaultValue": {}}]},
         "defaultValue must be a string"),
        ({"key": "Users", "fields": [{"name": "A", "primarykey": True}]},
         "unknown key 'primarykey' in field 'A'"),
        ({"key": "Users", "Fields": [F], "fields": [F]}, "unknown key 'Fields' in the Data Ext"),
        ({"key": "Users", "fields": [F], "retention": {"maxRows": 0}}, "positive integer"),
        ({"key": "Users", "fields": [F], "retention": {"keep": 3}}, "unknown retention 'keep'"),
        ({"key": "Users", "fields": [F], "retention": {"maxRows": 1, "maxAgeDays": 2}},
         '"retention" must be {"maxRows": N} or {"maxAgeDays": D}'),
        ({"key": "Users", "fields": [F], "retention": 100}, '"retention" must be'),
    ],
)
def test_bad_schemas_name_the_file_the_de_and_the_problem(
    tmp_path: Path, doc: dict[str, Any], problem: str
) -> None:
    path = tmp_path / "Users.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        load_data_extension_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert problem in message
    if isinstance(doc.get("key"), str) and doc["key"]:
        assert f"Data Extension '{doc['key']}'" in message


def test_schema_defaults_and_json_round_trip() -> None:
    doc = {
        "key": "Orders",
        "fields": [
            {"name": "Id", "type": "number", "primaryKey": True},
            {"name": "Total", "type": "Decimal", "precision": 10, "scale": 2, "defaultValue": 0},
            {"name": "Note"},
            {"name": "Paid", "type": "Boolean", "nullable": False, "defaultValue": False},
        ],
        "retention": {"maxAgeDays": 30},
    }
    schema = DataExtensionSchema.from_json(doc, "test")
    assert schema.name == "Orders"
    assert [(f.type, f.length, f.nullable) for f in schema.fields] == [
        ("Number", None, False), ("Decimal", None, True), ("Text", 4000, True),
        ("Boolean", None, False),
    ]
    assert [f.default_value for f in schema.fields] == [None, "0", None, "False"]
    assert schema.field("NOTE") is schema.fields[2] and schema.field("nope") is None
    assert schema.primary_keys == (schema.fields[0],)
    assert DataExtensionSchema.from_json(schema.to_json(), "again") == schema
