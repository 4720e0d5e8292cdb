"""Upserts take short cuts for the usual row (ASCII text within its limit, a one-text-field key,
the schema's own spelling, a key that stays); each edge of a short cut answers what the full
check answers."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest

from emulator.errors import RowRejected
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store


def _store() -> Store:
    schema = DataExtensionSchema.from_json({"key": "People", "fields": [
        {"name": "Id", "type": "Text", "length": 10, "primaryKey": True},
        {"name": "Name", "type": "Text", "length": 4, "nullable": False},
        {"name": "Email", "type": "EmailAddress"},
        {"name": "Age", "type": "Number"},
        {"name": "Note", "type": "Text", "defaultValue": "none"}]}, "test")
    store = Store.open(None)
    store.create(schema, [{"Id": "a1", "Name": "Ann", "Age": 30}])
    return store


def _one(store: Store, key: str) -> dict[str, Any]:
    found = store.retrieve("People", {"Property": "Id", "SimpleOperator": "equals",
                                      "Value": key})
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("name, rule", [
    ("abcd", None),  # exactly the limit, ASCII
    ("abcde", "length"),  # one over
    ("éééé", None),  # four UTF-16 units
    ("😀😀😀", "length"),  # three characters, six UTF-16 units
    ("", "required"),  # empty: not the short cut, the required rule
])
def test_text_at_its_limit_is_measured_in_utf16_units(name: str, rule: str | None) -> None:
    store = _store()
    if rule is None:
        assert store.upsert_rows("People", [{"Id": "b2", "Name": name}]) == (1, 0)
        assert _one(store, "b2")["Name"] == name
    else:
        with pytest.raises(RowRejected) as caught:
            store.upsert_rows("People", [{"Id": "b2", "Name": name}])
        assert caught.value.rule == rule


def test_an_email_field_is_still_checked() -> None:
    store = _store()
    with pytest.raises(RowRejected) as caught:
        store.upsert_rows("People", [{"Id": "b2", "Name": "Bo", "Email": "not-an-address"}])
    assert caught.value.rule == "type" and caught.value.field == "Email"


def test_a_key_in_another_case_updates_the_same_row_and_keeps_what_it_does_not_give() -> None:
    store = _store()
    kept: list[dict[str, Any]] = []
    assert store.upsert_rows("People", [{"ID": "A1", "name": "Al"}], kept) == (0, 1)
    assert kept == [{"Id": "A1", "Name": "Al", "Email": None, "Age": 30, "Note": "none"}]
    assert _one(store, "a1") == kept[0]
    assert store.count("People") == 1


@pytest.mark.parametrize("row, rule", [
    ({"Id": "b2", "Name": "Bo", "Nope": 1}, "unknown-field"),
    ({"Id": "b2", "Name": "Bo", "name": "Bo"}, "duplicate-field"),
    ({"Id": "b2", "Name": ["Bo"]}, "value-type"),
    ({"Id": "b2", "Name": "Bo", "Age": object()}, "value-type"),
])
def test_a_row_the_batch_lookup_cannot_take_is_refused_with_its_rule(row: dict[str, Any],
                                                                       rule: str) -> None:
    store = _store()
    good = {"Id": "c3", "Name": "Cy"}
    with pytest.raises(RowRejected) as caught:
        store.upsert_rows("People", [good, row])
    assert caught.value.rule == rule
    assert store.count("People") == 1  # all or nothing


def test_a_number_of_another_int_kind_is_taken() -> None:
    class Level(IntEnum):
        HIGH = 3

    store = _store()
    assert store.upsert_rows("People", [{"Id": "d4", "Name": "Di", "Age": Level.HIGH}]) == (1, 0)
    assert _one(store, "d4")["Age"] == 3


def test_an_empty_key_gets_no_short_cut() -> None:
    store = _store()
    with pytest.raises(RowRejected) as caught:
        store.upsert_rows("People", [{"Id": "", "Name": "Ed"}])
    assert caught.value.field == "Id"


def test_a_rolled_back_update_keeps_the_row_findable_by_its_key() -> None:
    store = _store()
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_rows("People", [{"Id": "a1", "Name": "Zed"}, {"Id": "e5", "Name": "Eve"}])
        assert _one(store, "A1")["Name"] == "Zed"
        raise RuntimeError("undo")
    assert _one(store, "a1")["Name"] == "Ann"
    assert store.retrieve("People", {"Property": "Id", "SimpleOperator": "equals",
                                     "Value": "e5"}) == []
    assert store.upsert_rows("People", [{"Id": "a1", "Name": "Amy"}]) == (0, 1)
    assert _one(store, "a1")["Name"] == "Amy"


def test_the_given_rows_are_not_changed() -> None:
    store = _store()
    rows = [{"Id": "a1", "Name": "Al"}, {"Id": "f6", "Name": "Fay"}]
    copies = [dict(row) for row in rows]
    kept: list[dict[str, Any]] = []
    store.upsert_rows("People", rows, kept)
    assert rows == copies
    kept[0]["Name"] = "changed"
    assert _one(store, "a1")["Name"] == "Al"  # kept holds copies
