"""Store.transaction: one save for many changes; an exception or a dry run undoes them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.errors import RowRejected, StoreError
from emulator.fixtures.discovery import load_fixture_dirs
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

USERS = DataExtensionSchema.from_json(
    {"key": "Users", "fields": [{"name": "Id", "primaryKey": True}, {"name": "Name"}]}, "test")


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "db.json" if request.param == "file" else None)
    opened.replace_all(load_fixture_dirs([]))
    opened.create(USERS, [{"Id": "u1", "Name": "Ann"}])
    yield opened
    opened.close()


def test_changes_in_a_transaction_are_saved_once(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    with Store.open(path) as store:
        store.create(USERS)
        before = path.stat().st_mtime_ns, path.read_bytes()
        with store.transaction():
            store.add_rows("Users", [{"Id": "u1"}])
            store.upsert_rows("Users", [{"Id": "u2"}])
            assert (path.stat().st_mtime_ns, path.read_bytes()) == before  # nothing saved yet
        assert b'"u2"' in path.read_bytes()


def test_an_exception_undoes_every_change(store: Store) -> None:
    before = store.dump()
    with pytest.raises(RowRejected):
        with store.transaction():
            store.add_rows("Users", [{"Id": "u2", "Name": "Bob"}])
            store.update_rows("Users", None, {"Name": "Changed"})
            store.drop("HTTPProperties")
            store.create(DataExtensionSchema.from_json({"key": "New", "fields": [{"name": "A"}]},
                                                       "t"))
            store.add_rows("Users", [{"Id": "U1"}])  # a key that exists: refused
    assert store.dump() == before
    store.add_rows("Users", [{"Id": "u2"}])  # the key index was restored too
    with pytest.raises(RowRejected):
        store.add_rows("Users", [{"Id": "u1"}])


def test_a_dry_run_undoes_every_change(store: Store) -> None:
    before = store.dump()
    with store.transaction(dry_run=True):
        store.replace_rows("Users", [])
        assert store.count("Users") == 0
    assert store.dump() == before


def test_a_nested_transaction_joins_the_outer_one(store: Store) -> None:
    before = store.dump()
    with pytest.raises(KeyError):
        with store.transaction():
            with store.transaction():
                store.add_rows("Users", [{"Id": "u2"}])
            raise KeyError("undo")
    assert store.dump() == before
    with store.transaction(), pytest.raises(StoreError, match="dry run cannot be nested"):
        with store.transaction(dry_run=True):
            pass


def test_the_file_is_byte_identical_after_an_undone_transaction(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    with Store.open(path) as store:
        store.create(USERS, [{"Id": "u1"}])
    before = path.read_bytes()
    with Store.open(path) as store:
        with pytest.raises(RowRejected), store.transaction():
            store.add_rows("Users", [{"Id": "u2"}])
            store.add_rows("Users", [{"Id": "u2"}])
    assert path.read_bytes() == before
