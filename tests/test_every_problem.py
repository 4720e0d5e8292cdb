"""A row or a schema with several mistakes is refused with every one of them listed.

Fixture loading, ``mcemu seed`` and the admin API report one problem a bad field (its field,
rule and position); the store itself, as a page sees it, still raises the first one only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from tinydb import TinyDB

from emulator.app import create_app
from emulator.cli import main
from emulator.clock import Clock
from emulator.errors import RowRejected
from emulator.fixtures.discovery import load_data_extension_file
from emulator.fixtures.problems import SHOWN_PROBLEMS, FixtureProblems
from emulator.pages import JSON_CODE_RESOURCE
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.runtime import get_emulator
from emulator.script.errors import ScriptError
from emulator.store.rows import RowValidator
from emulator.store.schema import DataExtensionSchema, SchemaRefused
from emulator.store.store import Store

FIELDS = [
    {"name": "Id", "type": "Text", "length": 10, "primaryKey": True},
    {"name": "Name", "type": "Text", "length": 5, "nullable": False},
    {"name": "Age", "type": "Number"},
    {"name": "Email", "type": "EmailAddress"},
]
USERS = {"key": "Users", "fields": FIELDS}
#: Three broken rules, three fields: Id too long, Name missing, Age not a Number.
BAD_ROW = {"Id": "u" * 12, "Age": "old", "Email": "ann@example.com"}
EXPECTED = [("Id", "length"), ("Name", "required"), ("Age", "type")]
#: What a page's Rows.Add sees for BAD_ROW: the first problem, the platform's text, as before.
FIRST_MESSAGE = ("The value for field Id of Data Extension Users is 12 characters long; the "
                 "field holds at most 10.")
#: Three mistakes in three fields: a bad type, a nullable primary key, a repeated name.
BAD_SCHEMA = {"key": "Users", "fields": [
    {"name": "Id", "primaryKey": True, "nullable": True},
    {"name": "Age", "type": "Integer"},
    {"name": "AGE"},
]}
SCHEMA_MESSAGES = ["field 'Id': a primary key field cannot be nullable",
                   "field 'Age': type 'Integer' is not one of",
                   "fields 'Age' and 'AGE' have the same name"]


def schema() -> DataExtensionSchema:
    return DataExtensionSchema.from_json(USERS, "test")


def fields_and_rules(problems: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(problem["field"], problem["rule"]) for problem in problems]


# --- The validator ---------------------------------------------------------------------------


def test_the_validator_lists_every_field_and_check_raises_the_first() -> None:
    found = RowValidator(schema()).problems(BAD_ROW)
    assert [(error.field, error.rule) for error in found] == EXPECTED
    with pytest.raises(RowRejected) as caught:
        RowValidator(schema()).check(BAD_ROW)
    assert (caught.value.field, caught.value.rule, caught.value.message) == (
        "Id", "length", found[0].message)
    assert found[0].message == FIRST_MESSAGE


def test_a_valid_row_has_no_problems_and_claims_its_key() -> None:
    validator = RowValidator(schema())
    assert validator.problems({"Id": "u1", "Name": "Ann"}) == []
    assert [e.rule for e in validator.problems({"Id": "U1", "Name": "Bob"})] == ["duplicate-key"]


def test_unknown_and_untyped_values_are_listed_with_the_others() -> None:
    row = {"Id": "u1", "Nmae": "Ann", "Age": 1.5, "Email": ["a@x"]}
    found = RowValidator(schema()).problems(row)
    assert [(e.field, e.rule) for e in found] == [
        ("Nmae", "unknown-field"), ("Email", "value-type"), ("Name", "required"), ("Age", "type")]


def test_a_refused_row_with_a_sound_key_still_claims_it() -> None:
    validator = RowValidator(schema())
    assert [e.rule for e in validator.problems({"Id": "u1", "Age": "x", "Name": "A"})] == ["type"]
    assert [e.rule for e in validator.problems({"Id": "u1", "Name": "B"})] == ["duplicate-key"]


def test_a_page_sees_the_first_problem_only_as_before() -> None:
    store = Store.open(None)
    try:
        store.create(schema())
        context = PageContext(request=RequestSnapshot.build("POST", "https://x.example/p"),
                              store=store, clock=Clock(), content_type=JSON_CODE_RESOURCE)
        page = PageGlobals(context)
        page.Platform.Load("core", "1")
        with pytest.raises(ScriptError) as caught:
            page.DataExtension.Init("Users").Rows.Add(BAD_ROW)
        assert caught.value.message == FIRST_MESSAGE
        assert store.rows("Users") == []
    finally:
        store.close()


# --- The schema ------------------------------------------------------------------------------


def test_a_schema_with_three_mistakes_lists_three() -> None:
    with pytest.raises(SchemaRefused) as caught:
        DataExtensionSchema.from_json(BAD_SCHEMA, "test")
    mistakes = caught.value.mistakes
    assert len(mistakes) == 3
    for mistake, expected in zip(mistakes, SCHEMA_MESSAGES, strict=True):
        assert expected in mistake.message
    assert [m.field for m in mistakes] == ["Id", "Age", "AGE"]
    assert [m.path for m in mistakes] == [("fields", 0, "nullable"), ("fields", 1, "type"),
                                          ("fields", 2, "name")]
    lines = str(caught.value).splitlines()
    assert len(lines) == 3 and all(line.startswith("test: Data Extension 'Users': ")
                                   for line in lines)


def test_a_schema_file_names_each_mistake_with_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "Users.json"
    path.write_text(json.dumps(BAD_SCHEMA, indent=2), encoding="utf-8")
    with pytest.raises(FixtureProblems) as caught:
        load_data_extension_file(path)
    problems = caught.value.problems
    assert caught.value.total == 3
    assert [(p.field, p.rule, p.data_extension) for p in problems] == [
        ("Id", "schema", "Users"), ("Age", "schema", "Users"), ("AGE", "schema", "Users")]
    lines = path.read_text(encoding="utf-8").splitlines()
    for problem, token in zip(problems, ['"nullable": true', '"type": "Integer"',
                                         '"name": "AGE"'], strict=True):
        assert problem.line is not None and problem.column is not None
        line = lines[problem.line - 1]
        value = token.split(": ")[1]
        assert token in line and line.index(value) + 1 == problem.column


# --- Through the ways fixture data comes in --------------------------------------------------


def write_users(folder: Path, doc: dict[str, Any]) -> Path:
    directory = folder / "data_extensions"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "Users.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_a_fixtures_directory_at_create_app_lists_every_field(tmp_path: Path) -> None:
    path = write_users(tmp_path / "mine", {**USERS, "rows": [{"Id": "u1", "Name": "Ann"},
                                                             BAD_ROW]})
    with pytest.raises(FixtureProblems) as caught:
        create_app({"TESTING": True, "fixtures": [str(tmp_path / "mine")]})
    problems = caught.value.problems
    assert [(p.field, p.rule, p.row, p.file) for p in problems] == [
        (field, rule, 1, str(path)) for field, rule in EXPECTED]
    assert all(p.line is not None for p in problems)
    assert "3 problems:" in str(caught.value)


def test_a_csv_row_with_three_bad_fields_names_its_line(tmp_path: Path) -> None:
    path = write_users(tmp_path / "mine", USERS)
    path.with_suffix(".csv").write_text(
        "Id,Name,Age,Email\nu1,Ann,3,\n" + "u" * 12 + ",,old,ann\n", encoding="utf-8")
    with pytest.raises(FixtureProblems) as caught:
        load_data_extension_file(path)
    problems = caught.value.problems
    assert [(p.field, p.rule, p.line) for p in problems] == [
        ("Id", "length", 3), ("Name", "required", 3), ("Age", "type", 3), ("Email", "type", 3)]


def test_mcemu_seed_lists_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    write_users(tmp_path / "bad", {**USERS, "rows": [BAD_ROW]})
    result = CliRunner().invoke(main, ["seed", str(tmp_path / "bad"), "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "refused, nothing was changed" in result.output
    assert "3 problems:" in result.output
    for field, rule in EXPECTED:
        assert f"rows[0]: field '{field}': " in result.output and f"[{rule}]" in result.output
    if db.exists():
        with TinyDB(db) as tiny:
            assert "Users" not in tiny.tables()


def test_mcemu_seed_lists_every_schema_mistake(tmp_path: Path) -> None:
    write_users(tmp_path / "bad", BAD_SCHEMA)
    result = CliRunner().invoke(main, ["seed", str(tmp_path / "bad"),
                                       "--db", str(tmp_path / "store.json")])
    assert result.exit_code == 1, result.output
    assert "3 problems:" in result.output
    for message in SCHEMA_MESSAGES:
        assert message in result.output


@pytest.fixture
def admin(tmp_path: Path) -> Any:
    app: Flask = create_app({"TESTING": True})
    yield app.test_client()
    get_emulator(app).close()


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("route", ["/_emulator/data-extensions", "/_emulator/seed"])
def test_the_admin_api_lists_every_field_of_a_new_de(admin: Any, route: str) -> None:
    answer = post(admin, route, {**USERS, "rows": [BAD_ROW]})
    assert answer.status_code == 422, answer.json
    assert fields_and_rules(answer.json["problems"]) == EXPECTED
    assert answer.json["total"] == 3
    assert all(p["row"] == 0 and p["line"] for p in answer.json["problems"])


def test_the_admin_api_lists_every_field_of_added_rows(admin: Any) -> None:
    assert post(admin, "/_emulator/data-extensions", USERS).status_code == 201
    answer = post(admin, "/_emulator/data-extensions/Users/rows", [BAD_ROW])
    assert answer.status_code == 422, answer.json
    assert fields_and_rules(answer.json["problems"]) == EXPECTED
    assert admin.get("/_emulator/data-extensions/Users").json["rowCount"] == 0


def test_the_admin_api_lists_every_schema_mistake(admin: Any) -> None:
    answer = post(admin, "/_emulator/data-extensions", BAD_SCHEMA)
    assert answer.status_code == 422, answer.json
    problems = answer.json["problems"]
    assert [(p["field"], p["rule"]) for p in problems] == [
        ("Id", "schema"), ("Age", "schema"), ("AGE", "schema")]
    assert all(p["line"] and p["column"] for p in problems)


def test_the_problem_cap_still_holds(tmp_path: Path) -> None:
    rows = [{"Id": f"u{i}", "Age": "old"} for i in range(SHOWN_PROBLEMS)]
    path = write_users(tmp_path / "mine", {**USERS, "rows": rows})
    with pytest.raises(FixtureProblems) as caught:
        load_data_extension_file(path)
    assert caught.value.total == 2 * SHOWN_PROBLEMS
    assert len(caught.value.problems) == SHOWN_PROBLEMS
    assert f"... and {SHOWN_PROBLEMS} more" in str(caught.value)
