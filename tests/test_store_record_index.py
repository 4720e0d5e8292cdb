"""Record tables' key index: finds, replaces and removes answer as a scan would, through every
kind of change (rollback, a failed transaction, a reload, a changed value, replaced records)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.errors import StoreError
from emulator.store.store import Store

TABLE = "_people"


def person(key: str, email: str | None = None, **more: Any) -> dict[str, Any]:
    return {"Key": key, "Email": email or f"{key}@example.org", **more}


def scan(store: Store, name: str, value: Any) -> dict[str, Any] | None:
    """The answer find_record must give: the first record holding ``value``, found by a scan."""
    return next((item for item in store.records(TABLE) if item.get(name) == value), None)


@pytest.fixture
def store() -> Store:
    made = Store.open(None)
    made.replace_records(TABLE, [person(f"p{i}") for i in range(50)])
    return made


def test_find_put_and_remove_answer_as_a_scan(store: Store) -> None:
    assert store.find_record(TABLE, "Key", "p7") == person("p7")
    store.put_record(TABLE, "Key", person("p7", "new@example.org"))
    store.put_record(TABLE, "Key", person("p50"))
    assert store.remove_record(TABLE, "Key", "p3") is True
    assert store.remove_record(TABLE, "Key", "p3") is False
    keys = [item["Key"] for item in store.records(TABLE)]
    assert len(keys) == 50 and keys[:4] == ["p0", "p1", "p2", "p4"] and keys[-1] == "p50"
    for key in ("p7", "p50", "p3", "p49", "missing"):
        assert store.find_record(TABLE, "Key", key) == scan(store, "Key", key)
    assert store.find_record(TABLE, "Key", "p7")["Email"] == "new@example.org"


def test_a_found_record_is_a_copy(store: Store) -> None:
    found = store.find_record(TABLE, "Key", "p1")
    assert found is not None
    found["Email"] = "changed"
    assert store.find_record(TABLE, "Key", "p1") == person("p1")


def test_a_changed_value_moves_the_record_in_every_index(store: Store) -> None:
    assert store.find_record(TABLE, "Email", "p5@example.org") == person("p5")
    store.put_record(TABLE, "Key", person("p5", "five@example.org"))
    assert store.find_record(TABLE, "Email", "p5@example.org") is None
    assert store.find_record(TABLE, "Email", "five@example.org") == person(
        "p5", "five@example.org")
    # Put by Email: the record keeps its place and now has another Key.
    store.put_record(TABLE, "Email", {"Key": "five", "Email": "five@example.org"})
    assert store.find_record(TABLE, "Key", "p5") is None
    assert store.find_record(TABLE, "Key", "five")["Email"] == "five@example.org"
    assert [item["Key"] for item in store.records(TABLE)][5] == "five"
    assert store.remove_record(TABLE, "Email", "five@example.org") is True
    assert store.find_record(TABLE, "Key", "five") is None


def test_a_rollback_puts_records_and_index_back_together(store: Store) -> None:
    store.find_record(TABLE, "Key", "p0")  # the index exists before the checkpoint
    store.checkpoint()
    store.put_record(TABLE, "Key", person("p1", "changed@example.org"))
    store.put_record(TABLE, "Key", person("added"))
    store.remove_record(TABLE, "Key", "p2")
    store.find_record(TABLE, "Email", "p9@example.org")  # an index made after the checkpoint
    store.put_record(TABLE, "Key", person("p9", "nine@example.org"))
    store.rollback()
    assert store.records(TABLE) == [person(f"p{i}") for i in range(50)]
    assert store.find_record(TABLE, "Key", "p2") == person("p2")
    assert store.find_record(TABLE, "Key", "added") is None
    assert store.find_record(TABLE, "Key", "p1") == person("p1")
    assert store.find_record(TABLE, "Email", "p9@example.org") == person("p9")
    assert store.find_record(TABLE, "Email", "nine@example.org") is None
    # After the rollback the index goes on working: an add is an add, a put replaces.
    store.put_record(TABLE, "Key", person("added"))
    store.put_record(TABLE, "Key", person("p2", "two@example.org"))
    assert len(store.records(TABLE)) == 51
    assert store.find_record(TABLE, "Email", "two@example.org") == person("p2",
                                                                           "two@example.org")


def test_an_index_first_built_after_the_checkpoint_is_rolled_back_too() -> None:
    store = Store.open(None)
    store.replace_records(TABLE, [person("a")])
    store.checkpoint()
    store.put_record(TABLE, "Key", person("b"))  # builds the index with b in the table
    store.rollback()
    assert store.find_record(TABLE, "Key", "b") is None
    store.put_record(TABLE, "Key", person("b", "bee@example.org"))
    assert store.records(TABLE) == [person("a"), person("b", "bee@example.org")]


def test_a_failed_transaction_leaves_records_and_index_as_they_were(store: Store) -> None:
    store.find_record(TABLE, "Key", "p0")
    with pytest.raises(RuntimeError), store.transaction():
        store.put_record(TABLE, "Key", person("inside"))
        store.remove_record(TABLE, "Key", "p4")
        assert store.find_record(TABLE, "Key", "inside") == person("inside")
        raise RuntimeError("undo it")
    assert store.find_record(TABLE, "Key", "inside") is None
    assert store.find_record(TABLE, "Key", "p4") == person("p4")
    store.put_record(TABLE, "Key", person("p4", "four@example.org"))
    assert len(store.records(TABLE)) == 50


def test_replaced_records_are_found_and_old_ones_are_not(store: Store) -> None:
    store.find_record(TABLE, "Key", "p0")
    store.replace_records(TABLE, [person("q1"), person("q2")])
    assert store.find_record(TABLE, "Key", "p0") is None
    assert store.find_record(TABLE, "Key", "q2") == person("q2")
    store.put_record(TABLE, "Key", person("q1", "one@example.org"))
    assert store.records(TABLE) == [person("q1", "one@example.org"), person("q2")]


def test_a_reset_replaces_the_index_with_the_records(store: Store) -> None:
    store.find_record(TABLE, "Key", "p0")
    store.replace_all([], {TABLE: [person("r1")]})
    assert store.find_record(TABLE, "Key", "p0") is None
    assert store.find_record(TABLE, "Key", "r1") == person("r1")


def test_a_reloaded_db_file_finds_replaces_and_removes_by_key(tmp_path: Path) -> None:
    path = tmp_path / "mcemu.json"
    with Store.open(path) as first:
        first.replace_records(TABLE, [person(f"p{i}") for i in range(20)])
        first.find_record(TABLE, "Key", "p0")
        first.put_record(TABLE, "Key", person("p3", "three@example.org"))
        first.put_record(TABLE, "Key", person("p20"))
        first.remove_record(TABLE, "Key", "p0")
    with Store.open(path) as second:
        assert second.find_record(TABLE, "Key", "p3") == person("p3", "three@example.org")
        assert second.find_record(TABLE, "Key", "p0") is None
        second.put_record(TABLE, "Key", person("p20", "twenty@example.org"))  # not an add
        second.put_record(TABLE, "Key", person("p21"))
        assert second.remove_record(TABLE, "Key", "p1") is True
    with Store.open(path) as third:
        keys = [item["Key"] for item in third.records(TABLE)]
        assert keys == [f"p{i}" for i in range(2, 22)]
        assert third.find_record(TABLE, "Key", "p20")["Email"] == "twenty@example.org"


def test_a_value_held_twice_finds_the_first_then_the_next(store: Store) -> None:
    store.replace_records(TABLE, [person("a", "x@example.org"), person("b", "same@example.org"),
                                  person("c", "same@example.org")])
    assert store.find_record(TABLE, "Email", "same@example.org")["Key"] == "b"
    store.put_record(TABLE, "Email", person("b2", "same@example.org"))  # replaces b, in place
    assert [item["Key"] for item in store.records(TABLE)] == ["a", "b2", "c"]
    assert store.remove_record(TABLE, "Email", "same@example.org") is True
    assert store.find_record(TABLE, "Email", "same@example.org")["Key"] == "c"
    store.put_record(TABLE, "Key", person("a", "same@example.org"))  # a now holds it too
    assert store.find_record(TABLE, "Email", "same@example.org")["Key"] == "a"


def test_missing_fields_and_values_that_cannot_be_keys_are_found_as_a_scan_finds_them(
        store: Store) -> None:
    store.replace_records(TABLE, [{"Key": "k1", "Lists": [1, 2]}, {"Key": "k2"},
                                  {"Key": "k3", "Lists": {"a": 1}}])
    assert store.find_record(TABLE, "Lists", [1, 2]) == {"Key": "k1", "Lists": [1, 2]}
    assert store.find_record(TABLE, "Lists", None) == {"Key": "k2"}
    assert store.find_record(TABLE, "Lists", {"a": 1})["Key"] == "k3"
    assert store.find_record(TABLE, "Key", ["k1"]) is None  # a list is no key's value
    store.put_record(TABLE, "Key", {"Key": "k2", "Lists": [3]})
    assert store.find_record(TABLE, "Lists", [3]) == {"Key": "k2", "Lists": [3]}
    store.put_record(TABLE, "Key", {"Key": "k4", "Tags": ["t"]})  # indexed by Key, a list
    assert store.find_record(TABLE, "Tags", ["t"])["Key"] == "k4"
    assert store.remove_record(TABLE, "Lists", [1, 2]) is True
    assert [item["Key"] for item in store.records(TABLE)] == ["k2", "k3", "k4"]


@pytest.mark.parametrize("table", ["people", "_meta", "_schemas", "_created:Orders"])
def test_a_name_that_is_no_record_table_is_refused(store: Store, table: str) -> None:
    for call in (lambda: store.find_record(table, "Key", "p1"),
                 lambda: store.put_record(table, "Key", person("p1")),
                 lambda: store.remove_record(table, "Key", "p1")):
        with pytest.raises(StoreError, match="is not a record table"):
            call()
