"""The JSON Schemas of salesforce/<Object>.json and content sidecars agree with the loaders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emulator.content.blocks import load_content_dirs
from emulator.fixtures.problems import FixtureProblems
from emulator.salesforce.files import load_salesforce_dirs
from emulator.schemas import CONTENT_BLOCK_SCHEMA, SALESFORCE_OBJECT_SCHEMA, schema

OBJECT_GOOD: list[dict[str, Any]] = [
    {},
    {"records": [{"LastName": "Ng", "Company": "A"}]},
    {"fields": [{"name": "Score__c", "type": "number"}, {"name": "Note", "length": 10}]},
    {"records": [{"Id": "00Q6F00001APnym", "LastName": "Ng", "Company": "A"}]},
]
OBJECT_BAD: list[Any] = [
    [],
    {"colour": 1},
    {"prefix": "0Q"},
    {"fields": [{"type": "number"}]},
    {"fields": [{"name": "Id"}]},
    {"fields": [{"name": "A", "type": "money"}]},
    {"fields": [{"name": "A", "required": "yes"}]},
    {"fields": [{"name": "A", "length": 0}]},
    {"records": [{"Id": "short", "LastName": "Ng", "Company": "A"}]},
]
BLOCK_GOOD: list[dict[str, Any]] = [
    {"key": "a", "name": "A", "id": 1},
    {"key": "a", "name": "A", "id": 2147483647, "folder": "Content Builder\\Shared"},
]
BLOCK_BAD: list[Any] = [
    [],
    {"name": "A", "id": 1},
    {"key": "a", "id": 1},
    {"key": "a", "name": "A"},
    {"key": "", "name": "A", "id": 1},
    {"key": "a", "name": "A\\B", "id": 1},
    {"key": "a", "name": "A", "id": 0},
    {"key": "a", "name": "A", "id": "1"},
    {"key": "a", "name": "A", "id": 1, "folder": 3},
    {"key": "a", "name": "A", "id": 1, "colour": "red"},
]


def lead_loads(tmp_path: Path, document: Any) -> bool:
    (tmp_path / "salesforce").mkdir(exist_ok=True)
    (tmp_path / "salesforce" / "Lead.json").write_text(json.dumps(document))
    try:
        load_salesforce_dirs([tmp_path], include_default=False)
    except FixtureProblems:
        return False
    return True


def block_loads(tmp_path: Path, document: Any) -> bool:
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "a.json").write_text(json.dumps(document))
    (tmp_path / "content" / "a.html").write_text("<p>A</p>")
    try:
        load_content_dirs([tmp_path], include_default=False)
    except FixtureProblems:
        return False
    return True


def valid(schema: dict[str, Any], document: Any) -> bool:
    return not list(jsonschema.Draft202012Validator(schema).iter_errors(document))


@pytest.mark.parametrize("document", OBJECT_GOOD)
def test_good_object_files_pass_both(tmp_path: Path, document: dict[str, Any]) -> None:
    assert valid(schema(SALESFORCE_OBJECT_SCHEMA), document)
    assert lead_loads(tmp_path, document)


@pytest.mark.parametrize("document", OBJECT_BAD)
def test_bad_object_files_fail_both(tmp_path: Path, document: Any) -> None:
    assert not valid(schema(SALESFORCE_OBJECT_SCHEMA), document)
    assert not lead_loads(tmp_path, document)


@pytest.mark.parametrize("document", BLOCK_GOOD)
def test_good_sidecars_pass_both(tmp_path: Path, document: dict[str, Any]) -> None:
    assert valid(schema(CONTENT_BLOCK_SCHEMA), document)
    assert block_loads(tmp_path, document)


@pytest.mark.parametrize("document", BLOCK_BAD)
def test_bad_sidecars_fail_both(tmp_path: Path, document: Any) -> None:
    assert not valid(schema(CONTENT_BLOCK_SCHEMA), document)
    assert not block_loads(tmp_path, document)


def test_the_schemas_are_valid_json_schemas() -> None:
    for document in (schema(SALESFORCE_OBJECT_SCHEMA), schema(CONTENT_BLOCK_SCHEMA)):
        jsonschema.Draft202012Validator.check_schema(document)
