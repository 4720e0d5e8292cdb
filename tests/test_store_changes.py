"""Update, delete, upsert and replace on the store: counts, keys, and all-or-nothing."""

from __future__ import annotations

import pytest

from emulator.errors import InvalidFilter, RowRejected
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

PEOPLE = DataExtensionSchema.from_json({"key": "People", "fields": [
    {"name": "Email", "type": "Text", "length": 50, "primaryKey": True},
    {"name": "Name", "type": "Text", "length": 10, "nullable": False},
    {"name": "City", "type": "Text"}]}, "test")
LOG = DataExtensionSchema.from_json({"key": "Log", "fields": [{"name": "Line"}]}, "test")


def equals(field: str, value: str) -> dict:
    return {"Property": field, "SimpleOperator": "equals", "Value": value}


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    path = tmp_path / "s.json"
    opened = Store.open(None if request.param == "memory" else str(path))
    opened.create(PEOPLE, [{"Email": "a@x", "Name": "Ann", "City": "Oslo"},
                           {"Email": "b@x", "Name": "Bob", "City": "Rome"},
                           {"Email": "c@x", "Name": "Cy", "City": "Oslo"}])
    opened.create(LOG, [{"Line": "one"}])
    yield opened
    final = opened.dump()
    opened.close()
    if request.param == "file":  # what is on disk is what was in memory
        with Store.open(str(path)) as reopened:
            assert reopened.dump() == final


def test_update_sets_fields_on_matching_rows_and_returns_them(store):
    updated = store.update_rows("People", equals("city", "OSLO"), {"city": "Bergen"})
    assert [row["Email"] for row in updated] == ["a@x", "c@x"]
    assert [row["City"] for row in store.rows("People")] == ["Bergen", "Rome", "Bergen"]


def test_update_without_a_match_changes_nothing(store):
    before = store.dump()
    assert store.update_rows("People", equals("Email", "zz@x"), {"City": "X"}) == []
    assert store.dump() == before


@pytest.mark.parametrize(("values", "rule"), [
    ({"Email": "b@x"}, "duplicate-key"),       # a key change onto another row's key
    ({"Name": ""}, "required"),
    ({"Name": "x" * 11}, "length"),
    ({"Shoe": "9"}, "unknown-field"),
])
def test_a_refused_update_changes_nothing(store, values, rule):
    before = store.dump()
    with pytest.raises(RowRejected) as caught:
        store.update_rows("People", equals("Email", "a@x"), values)
    assert caught.value.rule == rule
    assert store.dump() == before


def test_update_may_change_a_key_to_a_free_one(store):
    store.update_rows("People", equals("Email", "a@x"), {"Email": "z@x"})
    store.add_rows("People", [{"Email": "a@x", "Name": "New"}])  # the old key is free again
    with pytest.raises(RowRejected):
        store.add_rows("People", [{"Email": "Z@X", "Name": "Dup"}])


def test_delete_returns_the_count_and_frees_keys(store):
    assert store.delete_rows("People", equals("City", "oslo")) == 2
    assert [row["Email"] for row in store.rows("People")] == ["b@x"]
    assert store.delete_rows("People", equals("City", "oslo")) == 0
    store.add_rows("People", [{"Email": "A@x", "Name": "Back"}])
    assert store.delete_rows("Log", None) == 1 and store.count("Log") == 0


def test_a_bad_filter_changes_nothing(store):
    before = store.dump()
    with pytest.raises(InvalidFilter):
        store.delete_rows("People", equals("Nope", "x"))
    with pytest.raises(InvalidFilter):
        store.update_rows("People", {"Property": "Email"}, {"City": "x"})
    assert store.dump() == before


def test_upsert_updates_by_key_keeps_other_fields_and_adds_the_rest(store):
    added, updated = store.upsert_rows("People", [{"email": "A@X", "Name": "Anna"},
                                                  {"Email": "d@x", "Name": "Dee"}])
    assert (added, updated) == (1, 1)
    # The row keeps the fields not given; the key takes the spelling given, as an UPDATE would.
    assert store.rows("People")[0] == {"Email": "A@X", "Name": "Anna", "City": "Oslo"}
    assert store.rows("People")[-1] == {"Email": "d@x", "Name": "Dee", "City": None}
    again = store.dump()
    assert store.upsert_rows("People", [{"email": "A@X", "Name": "Anna"}]) == (0, 1)
    assert store.dump() == again  # idempotent


def test_upsert_refuses_a_key_given_twice_and_changes_nothing(store):
    before = store.dump()
    with pytest.raises(RowRejected) as caught:
        store.upsert_rows("People", [{"Email": "e@x", "Name": "E"}, {"Email": "E@x", "Name": "F"}])
    assert caught.value.rule == "duplicate-key"
    with pytest.raises(RowRejected):
        store.upsert_rows("People", [{"Email": "a@x", "Name": "x" * 11}])
    assert store.dump() == before


def test_upsert_without_a_primary_key_appends(store):
    assert store.upsert_rows("Log", [{"Line": "one"}, {"Line": "two"}]) == (2, 0)
    assert [row["Line"] for row in store.rows("Log")] == ["one", "one", "two"]


def test_replace_rows_swaps_all_rows_or_none(store):
    assert store.replace_rows("People", [{"Email": "a@x", "Name": "Solo"}]) == 1
    assert store.rows("People") == [{"Email": "a@x", "Name": "Solo", "City": None}]
    before = store.dump()
    with pytest.raises(RowRejected):
        store.replace_rows("People", [{"Email": "q@x", "Name": "Q"}, {"Email": "Q@X", "Name": "R"}])
    assert store.dump() == before
    store.add_rows("People", [{"Email": "b@x", "Name": "Bob"}])  # old keys are gone
