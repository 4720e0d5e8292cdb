"""The shipped JSON Schema of the DE file format agrees with the loader on a table of documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import emulator.schemas
from emulator.errors import FixtureError
from emulator.fixtures.discovery import default_fixtures_dir, load_data_extension_file
from emulator.schemas import DATA_EXTENSION_SCHEMA, SCHEMAS, schema

F = {"name": "A"}
GOOD: list[dict[str, Any]] = [
    {"key": "Users", "fields": [F]},
    {"key": "Users", "name": "People", "fields": [F], "rows": []},
    {"key": "Users", "fields": [F], "rows": None},
    {"key": "Users", "fields": [{"name": "Id", "type": "text", "primaryKey": True,
                                 "nullable": False, "length": 10}]},
    {"key": "Orders", "fields": [{"name": "Total", "type": "Decimal", "precision": 10,
                                  "scale": 2, "defaultValue": 0}]},
    {"key": "Orders", "fields": [{"name": "Paid", "type": "BOOLEAN", "defaultValue": False},
                                 {"name": "Note", "length": None, "precision": None}]},
    {"key": "Log", "fields": [F], "retention": {"maxRows": 100000}},
    {"key": "Log", "fields": [F], "retention": {"maxAgeDays": 30}},
    {"key": "Log", "fields": [F], "retention": None},
    {"key": "Users", "fields": [F], "rows": [{"A": "x"}, {"A": 1}, {"a": True}, {"A": None}]},
    {"key": " x", "fields": [F]},
]
BAD: list[dict[str, Any] | list[Any]] = [
    [],
    {"fields": [F]},
    {"key": "", "fields": [F]},
    {"key": "   ", "fields": [F]},
    {"key": 7, "fields": [F]},
    {"key": "_Users", "fields": [F]},
    {"key": "Users", "name": "", "fields": [F]},
    {"key": "Users", "name": None, "fields": [F]},
    {"key": "Users"},
    {"key": "Users", "fields": []},
    {"key": "Users", "fields": {"A": {}}},
    {"key": "Users", "fields": ["A"]},
    {"key": "Users", "fields": [{"type": "Text"}]},
    {"key": "Users", "fields": [{"name": "A", "type": "Integer"}]},
    {"key": "Users", "fields": [{"name": "A", "type": None}]},
    {"key": "Users", "fields": [{"name": "A", "length": 0}]},
    {"key": "Users", "fields": [{"name": "A", "length": "10"}]},
    {"key": "Users", "fields": [{"name": "A", "length": True}]},
    {"key": "Users", "fields": [{"name": "A", "nullable": "no"}]},
    {"key": "Users", "fields": [{"name": "A", "primaryKey": None}]},
    {"key": "Users", "fields": [{"name": "A", "primaryKey": True, "nullable": True}]},
    {"key": "Users", "fields": [{"name": "A", "precision": 5}]},
    {"key": "Users", "fields": [{"name": "A", "type": "Text", "scale": 0}]},
    {"key": "Users", "fields": [{"name": "A", "scale": -1, "type": "Decimal"}]},
    {"key": "Users", "fields": [{"name": "A", "defaultValue": {}}]},
    {"key": "Users", "fields": [{"name": "A", "defaultValue": [1]}]},
    {"key": "Users", "fields": [{"name": "A", "primarykey": True}]},
    {"key": "Users", "Fields": [F], "fields": [F]},
    {"key": "Users", "fields": [F], "retention": {"maxRows": 0}},
    {"key": "Users", "fields": [F], "retention": {"maxRows": True}},
    {"key": "Users", "fields": [F], "retention": {"keep": 3}},
    {"key": "Users", "fields": [F], "retention": {}},
    {"key": "Users", "fields": [F], "retention": {"maxRows": 1, "maxAgeDays": 2}},
    {"key": "Users", "fields": [F], "retention": 100},
    {"key": "Users", "fields": [F], "rows": {"A": "x"}},
    {"key": "Users", "fields": [F], "rows": ["x"]},
    {"key": "Users", "fields": [F], "rows": [{"A": {"nested": 1}}]},
    {"key": "Users", "fields": [F], "rows": [{"A": [1]}]},
]
#: What the loader refuses and JSON Schema cannot say (the schema's description lists them).
LOADER_ONLY: list[dict[str, Any]] = [
    {"key": "Users", "fields": [F, {"name": "a"}]},
    {"key": "Users", "fields": [{"name": "A", "type": "Decimal", "precision": 2, "scale": 3}]},
    {"key": "Users", "fields": [{"name": "A", "length": 2, "defaultValue": "abc"}]},
    {"key": "Users", "fields": [{"name": "A", "length": 10.0}]},
    {"key": "Users", "fields": [F], "rows": [{"B": "x"}]},
    {"key": "Users", "fields": [{"name": "A", "nullable": False}], "rows": [{"A": None}]},
]


def loader_accepts(tmp_path: Path, doc: Any) -> bool:
    path = tmp_path / "Doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        load_data_extension_file(path)
    except FixtureError:
        return False
    return True


def schema_accepts(doc: Any) -> bool:
    return jsonschema.Draft202012Validator(schema(DATA_EXTENSION_SCHEMA)).is_valid(doc)


def test_the_schema_ships_in_the_package_and_is_valid_json_schema() -> None:
    document = schema(DATA_EXTENSION_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"].endswith("/2020-12/schema")


@pytest.mark.parametrize("doc", GOOD, ids=lambda d: json.dumps(d)[:60])
def test_good_documents_pass_both(tmp_path: Path, doc: dict[str, Any]) -> None:
    assert schema_accepts(doc)
    assert loader_accepts(tmp_path, doc)


@pytest.mark.parametrize("doc", BAD, ids=lambda d: json.dumps(d)[:60])
def test_bad_documents_fail_both(tmp_path: Path, doc: Any) -> None:
    assert not schema_accepts(doc)
    assert not loader_accepts(tmp_path, doc)


@pytest.mark.parametrize("doc", LOADER_ONLY, ids=lambda d: json.dumps(d)[:60])
def test_the_loader_is_stricter_where_json_schema_cannot_say(tmp_path: Path,
                                                            doc: dict[str, Any]) -> None:
    assert schema_accepts(doc)
    assert not loader_accepts(tmp_path, doc)


def test_the_shipped_fixtures_follow_the_schema() -> None:
    for path in sorted((default_fixtures_dir() / "data_extensions").glob("*.json")):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")),
                            schema(DATA_EXTENSION_SCHEMA))


def test_every_named_schema_loads_and_an_unknown_name_is_refused() -> None:
    shipped = Path(emulator.schemas.__file__).parent.glob("*.schema.json")
    assert sorted(SCHEMAS) == sorted(path.name for path in shipped)
    for name in SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(schema(name))
    with pytest.raises(ValueError, match=r"no shipped JSON Schema 'orders\.schema\.json'; the "
                                         r"schemas are data-extension\.schema\.json, "):
        schema("orders.schema.json")
