"""Values are stored typed (store/types.py) and rendered as the platform renders them.

Stored forms: Number an int, Decimal its canonical text with the field's scale, Boolean a bool,
Date zone-less ISO text to the millisecond, the text types text, empty typed fields null.
Rows.Retrieve renders every value as a string (docs/fidelity.md#retrieve-text); the lookups give
typed values (docs/fidelity.md#lookup-dates-iso); the ``--db`` file holds the stored forms, and an
all-text file of an earlier version still loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tinydb import TinyDB

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.cli import main
from emulator.clock import Clock
from emulator.errors import FixtureError, RowRejected, StoreError
from emulator.fixtures.discovery import load_data_extension_folder
from emulator.pages import JSON_CODE_RESOURCE
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import PlatformError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

SCHEMA = {"key": "Kinds", "name": "Kinds", "fields": [
    {"name": "Id", "type": "Number", "primaryKey": True},
    {"name": "Price", "type": "Decimal", "precision": 8, "scale": 2},
    {"name": "Ratio", "type": "Decimal"},
    {"name": "Ok", "type": "Boolean"},
    {"name": "When", "type": "Date"},
    {"name": "Label", "type": "Text", "length": 50},
    {"name": "Mail", "type": "EmailAddress"},
    {"name": "Tel", "type": "Phone"},
    {"name": "Lang", "type": "Locale"},
]}
GIVEN = {"Id": "7", "Price": "3.1", "Ratio": "0.250", "Ok": "true", "When": "1/15/2024 2:05:09 PM",
         "Label": "Ann", "Mail": "ann@x.example", "Tel": "+1 555 0100", "Lang": "en-US"}
STORED = {"Id": 7, "Price": "3.10", "Ratio": "0.25", "Ok": True,
          "When": "2024-01-15T14:05:09.000", "Label": "Ann", "Mail": "ann@x.example",
          "Tel": "+1 555 0100", "Lang": "en-US"}
EMPTY_GIVEN = {"Id": "8", "Price": "", "Ratio": None, "Ok": "", "When": "", "Label": "",
               "Mail": None, "Tel": None, "Lang": None}
EMPTY_STORED = {"Id": 8, "Price": None, "Ratio": None, "Ok": None, "When": None, "Label": "",
                "Mail": None, "Tel": None, "Lang": None}
RETRIEVED = {"Id": "7", "Price": "3.10", "Ratio": "0.25", "Ok": "True",
             "When": "1/15/2024 2:05:09 PM", "Label": "Ann", "Mail": "ann@x.example",
             "Tel": "+1 555 0100", "Lang": "en-US"}


def kinds() -> DataExtensionSchema:
    return DataExtensionSchema.from_json(SCHEMA, "test")


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(None if request.param == "memory" else tmp_path / "db.json")
    opened.create(kinds(), [GIVEN, EMPTY_GIVEN])
    yield opened
    opened.close()


@pytest.fixture
def page(store: Store) -> PageGlobals:
    context = PageContext(request=RequestSnapshot.build("POST", "https://x.example/p"),
                          store=store, clock=Clock(), content_type=JSON_CODE_RESOURCE)
    globals_ = PageGlobals(context)
    globals_.Platform.Load("core", "1")
    return globals_


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


# --- Stored forms ---------------------------------------------------------------------------------

def test_each_type_is_stored_in_its_canonical_form(store: Store) -> None:
    rows = store.rows("Kinds")
    assert rows == [STORED, EMPTY_STORED]
    assert type(rows[0]["Id"]) is int and type(rows[0]["Ok"]) is bool


def test_the_db_file_holds_typed_json_values(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    with Store.open(path) as store:
        store.create(kinds(), [GIVEN, EMPTY_GIVEN])
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert list(raw["Kinds"].values()) == [STORED, EMPTY_STORED]
    with TinyDB(path) as plain:  # a plain TinyDB opens it as it is
        assert plain.table("Kinds").all()[0]["Id"] == 7
    with Store.open(path) as again:  # and the store reads its own file back unchanged
        assert again.rows("Kinds") == [STORED, EMPTY_STORED]


@pytest.mark.parametrize(("field", "given", "stored"), [
    ("Id", 17, 17), ("Id", 17.0, 17), ("Id", "17.00", 17),
    ("Price", 3.1, "3.10"), ("Price", "2.345", "2.35"), ("Price", "-2.345", "-2.35"),
    ("Price", "1e2", "100.00"), ("Ratio", "1E+3", "1000"), ("Ratio", "-0.0", "0"),
    ("Ok", True, True), ("Ok", "N", False), ("Ok", "YES", True),
    ("When", "2024-01-15T10:00:00.1234", "2024-01-15T10:00:00.123"),
    ("When", "2024-01-15T10:00:00+01:00", "2024-01-15T03:00:00.000"),
    ("When", datetime(2024, 3, 1, 23, 59), "2024-03-01T23:59:00.000"),
    ("Label", 42, "42"), ("Label", True, "True"), ("Label", 0.5, "0.5"),
])
def test_text_numbers_and_booleans_convert_to_the_same_stored_form(
        store: Store, field: str, given: Any, stored: Any) -> None:
    kept = store.add_rows("Kinds", [{"Id": 99, field: given} if field != "Id" else {"Id": given}])
    assert kept[0][field] == stored and type(kept[0][field]) is type(stored)


def test_a_stored_value_converts_to_itself(store: Store) -> None:
    """Updates merge stored rows with changes; the unchanged values must pass unchanged."""
    store.update_rows("Kinds", None, {"Label": "Bea"})
    assert store.rows("Kinds")[0] == {**STORED, "Label": "Bea"}
    store.upsert_rows("Kinds", [{"Id": "7", "Ok": "0"}])
    assert store.rows("Kinds")[0] == {**STORED, "Label": "Bea", "Ok": False}


def test_primary_keys_compare_typed(store: Store) -> None:
    with pytest.raises(RowRejected) as caught:
        store.add_rows("Kinds", [{"Id": "7.0"}])  # the same Number as the stored 7
    assert caught.value.rule == "duplicate-key"
    assert store.upsert_rows("Kinds", [{"Id": 7, "Label": "Cy"}]) == (0, 1)


# --- Rejections -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "given", "reason"), [
    ("Id", "seven", "is not a number"),
    ("Id", 1.5, "whole numbers only"),
    ("Id", True, "is not a number"),
    ("Price", "1234567.5", "at most 6 digits before the decimal point"),
    ("Price", "999999.995", "at most 6 digits before the decimal point"),
    ("Ok", 2, "is not a boolean"),
    ("When", 20240115, "is not a date"),
    ("When", "15/01/2024", "is not a date"),
    ("Mail", "nobody", "local-part@domain"),
])
def test_a_value_the_type_refuses_names_the_de_field_value_and_rule(
        store: Store, field: str, given: Any, reason: str) -> None:
    row = {"Id": 50, field: given} if field != "Id" else {"Id": given}
    with pytest.raises(RowRejected) as caught:
        store.add_rows("Kinds", [row])
    error = caught.value
    assert (error.key, error.field, error.rule, error.value) == ("Kinds", field, "type", given)
    assert f"for field {field} of Data Extension Kinds is not a valid" in error.message
    assert reason in error.message
    assert store.count("Kinds") == 2


def test_objects_and_arrays_are_refused_by_the_store(store: Store) -> None:
    with pytest.raises(RowRejected) as caught:
        store.add_rows("Kinds", [{"Id": 60, "Label": {"a": 1}}])
    assert caught.value.rule == "value-type"
    assert "must be text, a number, a boolean or null, not dict" in caught.value.message


def test_a_page_catches_the_type_error(page: PageGlobals) -> None:
    rows = page.DataExtension.Init("Kinds").Rows
    with pytest.raises(PlatformError, match="'soon' for field When of Data Extension Kinds"):
        rows.Add({"Id": 70, "When": "soon"})
    with pytest.raises(PlatformError, match="not a valid Boolean"):
        page.Platform.Function.InsertData("Kinds", ["Id", "Ok"], [71, "perhaps"])


def test_a_fixture_value_the_type_refuses_names_file_de_field_and_value(tmp_path: Path) -> None:
    folder = tmp_path / "data_extensions"
    folder.mkdir()
    (folder / "Kinds.json").write_text(json.dumps({**SCHEMA, "rows": [
        {"Id": 1}, {"Id": 2, "Price": "lots"}]}), encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        load_data_extension_folder(folder)
    message = str(caught.value)
    assert "Kinds.json" in message and "Kinds" in message and "'Price'" in message
    assert "'lots'" in message and "not a valid Decimal" in message


# --- Rendering ------------------------------------------------------------------------------------

def test_rows_retrieve_renders_every_value_as_the_platform_does(page: PageGlobals) -> None:
    found = page.DataExtension.Init("Kinds").Rows.Retrieve()
    assert found[0] == RETRIEVED
    assert found[1] == {**{name: "" for name in RETRIEVED}, "Id": "8"}  # empty fields are ""
    assert all(type(value) is str for row in found for value in row.values())


@pytest.mark.parametrize(("stored", "rendered"), [
    ("2024-01-15T00:00:00.000", "1/15/2024 12:00:00 AM"),
    ("2024-12-31T12:00:00.000", "12/31/2024 12:00:00 PM"),
    ("2024-12-31T23:59:59.600", "1/1/2025 12:00:00 AM"),  # to the second, rounded
    ("2024-07-04T09:08:07.499", "7/4/2024 9:08:07 AM"),
])
def test_retrieve_renders_dates_in_us_format(store: Store, page: PageGlobals, stored: str,
                                             rendered: str) -> None:
    store.add_rows("Kinds", [{"Id": 80, "When": stored}])
    rows = page.DataExtension.Init("Kinds").Rows
    found = rows.Retrieve({"Property": "Id", "SimpleOperator": "equals", "Value": 80})
    assert found[0]["When"] == rendered and found[0]["Ok"] == ""


def test_rows_lookup_gives_typed_values_and_iso_dates(page: PageGlobals) -> None:
    found = page.DataExtension.Init("Kinds").Rows.Lookup(["Id"], [7])
    assert found == [{"Id": 7, "Price": 3.1, "Ratio": 0.25, "Ok": True,
                      "When": "2024-01-15T14:05:09.000", "Label": "Ann",
                      "Mail": "ann@x.example", "Tel": "+1 555 0100", "Lang": "en-US"}]
    empty = page.DataExtension.Init("Kinds").Rows.Lookup(["Id"], ["8"])[0]
    assert empty["Price"] is None and empty["When"] is None and empty["Label"] is None


def test_platform_function_lookups_are_typed(page: PageGlobals) -> None:
    function = page.Platform.Function
    assert function.Lookup("Kinds", "When", ["Id"], [7]) == datetime(2024, 1, 15, 14, 5, 9)
    assert function.Lookup("Kinds", "Ok", ["Id"], ["7"]) is True
    assert function.Lookup("Kinds", "Id", ["Label"], ["ANN"]) == 7
    assert function.LookupRows("Kinds", ["Ok"], ["True"])[0]["When"] == "2024-01-15T14:05:09.000"


def test_ampscript_lookups_are_typed(store: Store) -> None:
    ctx = AmpscriptContext(Variables(), store=store)
    assert render('%%=Lookup("Kinds","When","Id",7)=%%', ctx) == "1/15/2024 2:05:09 PM"
    assert render('%%=Lookup("Kinds","Ok","Id","7")=%%', ctx) == "True"
    assert render('%%=Add(Lookup("Kinds","Id","Label","ann"),1)=%%', ctx) == "8"


# --- Filters on typed values ----------------------------------------------------------------------

@pytest.mark.parametrize(("filter_", "ids"), [
    ({"Property": "Id", "SimpleOperator": "greaterThan", "Value": "7"}, [8]),
    ({"Property": "Price", "SimpleOperator": "equals", "Value": 3.1}, [7]),
    ({"Property": "Ratio", "SimpleOperator": "lessThan", "Value": "0.3"}, [7]),
    ({"Property": "Ok", "SimpleOperator": "equals", "Value": "1"}, [7]),
    ({"Property": "When", "SimpleOperator": "between",
      "Value": ["2024-01-15", "1/16/2024 12:00:00 AM"]}, [7]),
    ({"Property": "When", "SimpleOperator": "isNull"}, [8]),
    ({"Property": "Id", "SimpleOperator": "IN", "Value": [8, "9"]}, [8]),
    ({"Property": "When", "SimpleOperator": "like", "Value": "2:05"}, [7]),
    ({"Property": "Ok", "SimpleOperator": "like", "Value": "tru"}, [7]),
])
def test_filters_compare_typed_values(store: Store, filter_: dict[str, Any],
                                      ids: list[int]) -> None:
    assert [row["Id"] for row in store.retrieve("Kinds", filter_)] == ids


# --- Files of an earlier version ------------------------------------------------------------------

def test_an_all_text_file_of_an_earlier_version_loads_typed(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    old = {"_meta": {"1": {"format": 1, "generator": "mc-emulator"}},
           "_schemas": {"1": kinds().to_json()},
           "Kinds": {"1": GIVEN, "2": {**EMPTY_GIVEN, "Ok": ""}}}
    path.write_text(json.dumps(old), encoding="utf-8")
    with Store.open(path) as store:
        assert store.rows("Kinds") == [STORED, EMPTY_STORED]
        assert store.upsert_rows("Kinds", [{"Id": 7, "Label": "Zed"}]) == (0, 1)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert list(raw["Kinds"].values()) == [{**STORED, "Label": "Zed"}, EMPTY_STORED]


def test_an_old_file_with_a_value_its_type_refuses_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    old = {"_schemas": {"1": kinds().to_json()}, "Kinds": {"1": {**GIVEN, "Id": "x"}}}
    path.write_text(json.dumps(old), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="table 'Kinds', document 1: .*'x' for field Id"):
        Store.open(path)
    assert path.read_bytes() == before


# --- Fixtures, seed and export round trips --------------------------------------------------------

def test_json_fixture_numbers_and_booleans_are_stored_typed(tmp_path: Path) -> None:
    folder = tmp_path / "data_extensions"
    folder.mkdir()
    (folder / "Kinds.json").write_text(json.dumps({**SCHEMA, "rows": [
        {"Id": 7, "Price": 3.1, "Ratio": "0.250", "Ok": True, "When": "2024-01-15T14:05:09",
         "Label": "Ann", "Mail": "ann@x.example", "Tel": "+1 555 0100", "Lang": "en-US"}]}),
        encoding="utf-8")
    with Store.open(None) as store:
        store.replace_all(load_data_extension_folder(folder))
        assert store.rows("Kinds") == [STORED]


@pytest.mark.parametrize("format_", ["json", "csv"])
def test_typed_rows_export_seed_back_identically_and_export_the_same_bytes(
        tmp_path: Path, format_: str) -> None:
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        # (CSV writes an empty string as null, so the Text field is null here)
        store.create(kinds(), [GIVEN, {**EMPTY_GIVEN, "Label": None},
                               {"Id": -3, "Price": "-0.5", "When": "2024-02-29T23:59:59.999"}])
    first = tmp_path / "first"
    assert run("export", "--db", str(db), "--format", format_, "--out",
               str(first)).exit_code == 0
    copy = tmp_path / "copy.json"
    result = run("seed", str(first), "--db", str(copy))
    assert result.exit_code == 0, result.output
    with Store.open(db) as original, Store.open(copy) as seeded:
        assert seeded.dump() == original.dump()
        assert seeded.rows("Kinds")[2]["When"] == "2024-02-29T23:59:59.999"
    second = tmp_path / "second"
    assert run("export", "--db", str(copy), "--format", format_, "--out",
               str(second)).exit_code == 0
    for path in sorted((first / "data_extensions").iterdir()):
        assert (second / "data_extensions" / path.name).read_bytes() == path.read_bytes()


def test_the_json_export_writes_typed_values(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        store.create(kinds(), [GIVEN])
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--out", str(out)).exit_code == 0
    document = json.loads((out / "data_extensions" / "Kinds.json").read_text(encoding="utf-8"))
    assert document["rows"] == [STORED]


def test_the_csv_export_writes_text_that_parses_back(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        store.create(kinds(), [GIVEN, EMPTY_GIVEN])
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--format", "csv", "--out", str(out)).exit_code == 0
    lines = (out / "data_extensions" / "Kinds.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1] == ("7,3.10,0.25,True,2024-01-15T14:05:09.000,Ann,ann@x.example,"
                        "+1 555 0100,en-US")
