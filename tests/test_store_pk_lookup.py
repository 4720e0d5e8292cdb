"""An equals filter on a one-field primary key is answered from the index: always the rows a
full scan finds (the same filter wrapped in an AND is scanned), whatever form the value takes."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

CASES: dict[str, tuple[list[Any], list[Any]]] = {
    # type: (stored keys, values to look up)
    "Text": (["Ada", "bob", "Çelik", "x y"], ["ada", "ADA", "BOB", "çelik", "x y", "x", "", 5]),
    "EmailAddress": (["a@x.io", "B@y.io"], ["A@X.IO", "b@y.io", "c@z.io"]),
    "Number": ([1, 20, 300], [1, "1", "01", 20.0, "20", 3, "300", -1, "nope", True]),
    "Decimal": (["1.5", "2.25"], ["1.50", 1.5, "2.250", 2.25, "3"]),
    "Date": (["2024-01-15", "2024-02-01T10:30:00"],
             ["1/15/2024", "2024-01-15", "2024-01-15T00:00:00", "2/1/2024 10:30 AM",
              "2024-02-01", "junk"]),
    "Boolean": ([True], [True, "true", "True", 1, "1", False, "false"]),
}


def _store(kind: str, keys: list[Any]) -> Store:
    field: dict[str, Any] = {"name": "Key", "type": kind, "primaryKey": True}
    if kind == "Decimal":
        field.update(precision=18, scale=3)
    schema = DataExtensionSchema.from_json(
        {"key": "Things", "fields": [field, {"name": "N"}]}, "test")
    store = Store.open(None)
    store.create(schema, [{"Key": key, "N": str(number)} for number, key in enumerate(keys)])
    return store


@pytest.mark.parametrize("kind", list(CASES))
def test_the_index_finds_what_a_scan_finds(kind: str) -> None:
    keys, lookups = CASES[kind]
    store = _store(kind, keys)
    for value in lookups:
        wanted = {"Property": "Key", "SimpleOperator": "equals", "Value": value}
        scanned = {"LeftOperand": wanted, "LogicalOperator": "AND", "RightOperand": wanted}
        try:
            expected = store.retrieve("Things", scanned)
        except Exception as error:  # a value the filter refuses is refused the same way
            with pytest.raises(type(error)):
                store.retrieve("Things", wanted)
            continue
        assert store.retrieve("Things", wanted) == expected, value


def test_the_index_follows_changes_and_limits() -> None:
    store = _store("Text", ["Ada", "Bob"])
    by_key = {"Property": "Key", "SimpleOperator": "EQUALS", "Value": "bob"}
    assert store.retrieve("Things", by_key) == [{"Key": "Bob", "N": "1"}]
    assert store.retrieve("Things", by_key, limit=0) == []
    store.update_rows("Things", by_key, {"N": "9"})
    assert store.retrieve("Things", by_key) == [{"Key": "Bob", "N": "9"}]
    store.delete_rows("Things", by_key)
    assert store.retrieve("Things", by_key) == []
    store.upsert_rows("Things", [{"Key": "BOB", "N": "2"}])
    assert store.retrieve("Things", by_key) == [{"Key": "BOB", "N": "2"}]
