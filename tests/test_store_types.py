"""Field type rules on write: each refused value names the DE, field, value and rule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.clock import Clock
from emulator.errors import RowRejected
from emulator.pages import JSON_CODE_RESOURCE
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import PlatformError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

TYPED = DataExtensionSchema.from_json({"key": "Typed", "fields": [
    {"name": "N", "type": "Number"},
    {"name": "D", "type": "Decimal", "precision": 5, "scale": 2},
    {"name": "B", "type": "Boolean"},
    {"name": "When", "type": "Date"},
    {"name": "Mail", "type": "EmailAddress"},
    {"name": "Tel", "type": "Phone"},
]}, "test")


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(None if request.param == "memory" else tmp_path / "t.json")
    opened.create(TYPED)
    yield opened
    opened.close()


@pytest.mark.parametrize(("field", "value", "stored"), [
    ("N", "42", 42), ("N", "-2147483648", -(2**31)), ("N", "2147483647", 2**31 - 1),
    ("N", " 7 ", 7), ("N", "3.0", 3),
    ("D", "123.45", "123.45"), ("D", "999.994", "999.99"), ("D", "-0.5", "-0.50"),
    ("D", "0.005", "0.01"), ("D", "-0.001", "0.00"),
    ("B", "True", True), ("B", "false", False), ("B", "1", True), ("B", "0", False),
    ("When", "2024-01-15", "2024-01-15T00:00:00.000"),
    ("When", "1/15/2024 12:00:00 AM", "2024-01-15T00:00:00.000"),
    ("When", "2024-01-15T10:00:00Z", "2024-01-15T04:00:00.000"),  # to the platform's CST
    ("Mail", "ann@example.com", "ann@example.com"), ("Tel", "anything at all", "anything at all"),
    ("N", "", None), ("Mail", None, None),
])
def test_values_of_the_right_type_are_stored_typed(store: Store, field: str, value: str | None,
                                                   stored: object) -> None:
    kept = store.add_rows("Typed", [{field: value}])[0][field]
    assert kept == stored and type(kept) is type(stored)


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("N", "abc", "is not a number"),
    ("N", "1.5", "whole numbers only"),
    ("N", "2147483648", "between -2147483648 and 2147483647"),
    ("N", "NaN", "not a finite number"),
    ("D", "1234.5", "at most 3 digits before the decimal point"),
    ("D", "999.995", "at most 3 digits before the decimal point"),  # rounds to 1000.00
    ("D", "1,5", "is not a number"),
    ("B", "maybe", "is not a boolean"),
    ("When", "yesterday", "is not a date"),
    ("When", "2024-02-30", "is not a date"),
    ("Mail", "no-at-sign", "local-part@domain"),
    ("Mail", "two@@example.com", "local-part@domain"),
    ("Mail", "a b@example.com", "local-part@domain"),
    ("Mail", "x@" + "d" * 260, "at most 254 characters"),
])
def test_a_value_of_the_wrong_type_is_refused_precisely(store: Store, field: str, value: str,
                                                        reason: str) -> None:
    with pytest.raises(RowRejected) as caught:
        store.add_rows("Typed", [{"N": "1"}, {field: value}])
    error = caught.value
    assert (error.key, error.field, error.rule, error.value) == ("Typed", field, "type", value)
    assert f"for field {field} of Data Extension Typed is not a valid" in error.message
    assert reason in error.message
    assert store.count("Typed") == 0  # all or nothing


def test_updates_and_defaults_are_checked_too(store: Store) -> None:
    store.add_rows("Typed", [{"N": "1"}])
    with pytest.raises(RowRejected, match="not a valid Number"):
        store.update_rows("Typed", None, {"N": "one"})
    with pytest.raises(RowRejected, match="not a valid Boolean"):
        store.upsert_rows("Typed", [{"B": "sure"}])
    bad_default = DataExtensionSchema.from_json({"key": "Bad", "fields": [
        {"name": "N", "type": "Number", "defaultValue": "many"}]}, "test")
    with pytest.raises(RowRejected, match="'many' for field N of Data Extension Bad"):
        store.create(bad_default, [{}])
    assert store.rows("Typed")[0]["N"] == 1


def test_a_page_catches_a_type_violation_as_a_platform_error(store: Store) -> None:
    context = PageContext(request=RequestSnapshot.build("POST", "https://x.example/p"),
                          store=store, clock=Clock(), content_type=JSON_CODE_RESOURCE)
    page = PageGlobals(context)
    page.Platform.Load("core", "1")
    rows = page.DataExtension.Init("Typed").Rows
    with pytest.raises(PlatformError, match="not a valid Number"):
        rows.Add({"N": "ten"})
    assert rows.Add({"N": 10}) == 1  # a JavaScript number goes in by its text
