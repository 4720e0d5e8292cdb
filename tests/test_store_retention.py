"""Retention: ``maxRows`` keeps the newest rows, ``maxAgeDays`` drops rows older than the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tinydb

from emulator.store.retention import CREATED_PREFIX
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

DAY = 86400.0


def schema(retention: dict | None, key: str = "Log") -> DataExtensionSchema:
    doc = {"key": key, "fields": [{"name": "Id", "primaryKey": True}, {"name": "Note"}]}
    if retention is not None:
        doc["retention"] = retention
    return DataExtensionSchema.from_json(doc, "test")


def ids(store: Store, key: str = "Log") -> list[str]:
    return [row["Id"] for row in store.rows(key)]


def tables_in(path: Path) -> set[str]:
    """Return the table names of the --db file ``path``, as plain TinyDB reads them."""
    with tinydb.TinyDB(path) as db:
        return db.tables()


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(None if request.param == "memory" else tmp_path / "r.json")
    clock = [1_000_000.0]
    opened.now = lambda: clock[0]
    opened.clock = clock  # type: ignore[attr-defined]
    yield opened
    opened.close()


def test_without_retention_nothing_is_dropped(store: Store) -> None:
    store.create(schema(None), [{"Id": str(i)} for i in range(50)])
    store.add_rows("Log", [{"Id": "x"}])
    assert store.count("Log") == 51


def test_without_retention_no_creation_times_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    with Store.open(path) as store:
        store.create(schema(None), [{"Id": str(i)} for i in range(50)])
        store.add_rows("Log", [{"Id": "x"}])
    assert "Log" in tables_in(path)
    assert not any(name.startswith(CREATED_PREFIX) for name in tables_in(path))


def test_max_rows_keeps_the_newest(store: Store) -> None:
    store.create(schema({"maxRows": 3}), [{"Id": str(i)} for i in range(5)])
    assert ids(store) == ["2", "3", "4"]
    store.add_rows("Log", [{"Id": "5"}, {"Id": "6"}])
    assert ids(store) == ["4", "5", "6"]
    store.upsert_rows("Log", [{"Id": "5", "Note": "kept"}, {"Id": "7"}])
    assert ids(store) == ["5", "6", "7"]
    store.add_rows("Log", [{"Id": "4"}])  # a dropped row's key is free again
    assert ids(store) == ["6", "7", "4"]


def test_max_age_days_drops_rows_older_than_the_limit(store: Store) -> None:
    store.create(schema({"maxAgeDays": 2}), [{"Id": "old"}])
    store.clock[0] += 1 * DAY
    store.add_rows("Log", [{"Id": "middle"}])
    store.clock[0] += 1.5 * DAY
    store.add_rows("Log", [{"Id": "new"}])  # "old" is 2.5 days old now
    assert ids(store) == ["middle", "new"]
    store.update_rows("Log", None, {"Note": "edited"})  # an edit keeps the creation time
    store.clock[0] += 1 * DAY
    store.add_rows("Log", [{"Id": "newest"}])
    assert ids(store) == ["new", "newest"]


def test_creation_times_stay_out_of_rows(store: Store) -> None:
    store.create(schema({"maxAgeDays": 1}), [{"Id": "a"}, {"Id": "b"}])
    assert store.rows("Log") == [{"Id": "a", "Note": None}, {"Id": "b", "Note": None}]
    assert store.dump()["Log"]["rows"] == [{"Id": "a", "Note": None}, {"Id": "b", "Note": None}]


def test_creation_times_follow_deletes_and_drops_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "follow.json"
    with Store.open(path) as store:
        store.create(schema({"maxAgeDays": 1}), [{"Id": "a"}, {"Id": "b"}])
        store.delete_rows("Log", {"Property": "Id", "SimpleOperator": "equals", "Value": "a"})
    with tinydb.TinyDB(path) as db:
        assert [row.doc_id for row in db.table(CREATED_PREFIX + "Log").all()] == [2]
    with Store.open(path) as store:
        store.drop("Log")
    assert CREATED_PREFIX + "Log" not in tables_in(path)


def test_retention_applies_to_a_reset(store: Store) -> None:
    class Definition:
        def __init__(self, schema: DataExtensionSchema, rows: list) -> None:
            self.schema, self.rows = schema, rows

    store.replace_all([Definition(schema({"maxRows": 2}), [{"Id": str(i)} for i in range(4)])])
    assert ids(store) == ["2", "3"]


def test_creation_times_are_kept_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    with Store.open(path) as store:
        store.now = lambda: 5 * DAY
        store.create(schema({"maxAgeDays": 1}), [{"Id": "a"}])
    with tinydb.TinyDB(path) as db:
        assert db.table(CREATED_PREFIX + "Log").all() == [{"t": 5 * DAY}]
    with Store.open(path) as again:
        again.now = lambda: 6.5 * DAY
        again.add_rows("Log", [{"Id": "b"}])
        assert ids(again) == ["b"]
