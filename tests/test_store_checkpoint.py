"""Store checkpoints: a rollback undoes every kind of change, at the cost of what changed."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from emulator.errors import StoreError
from emulator.fixtures.documents import DataExtensionDefinition
from emulator.fixtures.problems import FixtureProblems
from emulator.fixtures.seeding import seed_store
from emulator.store.persistence import EphemeralStorage
from emulator.store.store import Store
from tests.test_full_disk import CHANGES, LOG, PEOPLE, Definition, add_after, by_email, prepare


class Recording(EphemeralStorage):
    """A memory store's persistence that remembers the last document it was handed."""

    def __init__(self) -> None:
        self.last: Any = None

    def write(self, document: Mapping[str, Any]) -> None:
        self.last = json.loads(json.dumps(document))  # document ids and all, as a file keeps them


def recorded(store: Store) -> Any:
    storage = store._storage
    assert isinstance(storage, Recording)
    return storage.last


def failing_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.add_rows("People", [{"Email": "t@x"}])
        store.drop("Recent")
        raise RuntimeError("refused halfway")


def transaction(store: Store) -> None:
    with store.transaction():
        store.add_rows("People", [{"Email": "t@x"}])
        store.update_rows("People", by_email("1@x"), {"Name": "In a transaction"})
        store.create(LOG, [{"Line": "t"}])
        store.drop("Recent")


def dry_run(store: Store) -> None:
    with store.transaction(dry_run=True):
        store.add_rows("People", [{"Email": "d@x"}])


def seeding(store: Store) -> None:
    seed_store(store, [DataExtensionDefinition(PEOPLE, ({"Email": "s@x", "Name": "S"},), "p"),
                       DataExtensionDefinition(LOG, ({"Line": "s"},), "l")], "upsert")


def refused_seeding(store: Store) -> None:
    with pytest.raises(FixtureProblems):
        seed_store(store, [DataExtensionDefinition(PEOPLE, ({"Email": "b@x"}, {"Email": "0@x"}),
                                                   "p")], "insert")


def several(store: Store) -> None:
    for change in CHANGES.values():
        change(store)


EVERY_CHANGE: dict[str, Callable[[Store], Any]] = {
    **CHANGES,
    "a transaction": transaction,
    "a transaction that raises": failing_transaction,
    "a dry run": dry_run,
    "seeding": seeding,
    "a refused seeding": refused_seeding,
    "every change in a row": several,
}
UNCHANGED = {"a transaction that raises", "a dry run", "a refused seeding"}


def prepared() -> Store:
    store = Store(Recording())
    prepare(store)
    return store


@pytest.mark.parametrize("change", list(EVERY_CHANGE))
def test_a_rollback_undoes_every_kind_of_change_and_the_next_ids_are_a_fresh_stores(
        change: str) -> None:
    reference = prepared()
    add_after(reference)
    store = prepared()
    store.checkpoint()
    before = store.dump()
    for _ in range(2):  # the checkpoint stays: a second test after the first starts the same
        EVERY_CHANGE[change](store)
        assert (store.dump() == before) == (change in UNCHANGED)
        store.rollback()
        assert store.dump() == before  # rows, schemas and order as at the checkpoint
    add_after(store)
    # document ids, creation times, the schemas table: as if the changes never happened
    assert recorded(store) == recorded(reference)


def test_a_reset_inside_a_test_is_rolled_back_to_the_checkpoint_not_to_the_reset() -> None:
    store = prepared()
    store.checkpoint()
    before = store.dump()
    store.replace_all([Definition(LOG, [{"Line": "reset"}])])
    store.add_rows("Log", [{"Line": "after the reset"}])
    store.rollback()
    assert store.dump() == before
    assert store.count("People") == 3 and not store.has("Log")


def test_a_new_checkpoint_moves_the_mark() -> None:
    store = prepared()
    store.checkpoint()
    store.add_rows("People", [{"Email": "kept@x"}])
    store.checkpoint()
    marked = store.dump()
    store.delete_rows("People", None)
    store.rollback()
    assert store.dump() == marked
    assert [row["Email"] for row in store.rows("People")] == ["0@x", "1@x", "2@x", "kept@x"]


def test_without_a_checkpoint_changes_are_not_kept_and_rollback_is_refused() -> None:
    store = prepared()
    with pytest.raises(StoreError, match=r"rollback\(\) without a checkpoint"):
        store.rollback()
    assert store.count("People") == 3


def test_a_file_store_refuses_a_checkpoint(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db.json") as store:
        with pytest.raises(StoreError, match=r"checkpoint\(\) needs a memory store.*db\.json"):
            store.checkpoint()
        with pytest.raises(StoreError, match="without a checkpoint"):
            store.rollback()


def test_no_checkpoint_or_rollback_inside_a_transaction() -> None:
    store = prepared()
    store.checkpoint()
    with store.transaction():
        store.add_rows("People", [{"Email": "t@x"}])
        with pytest.raises(StoreError, match="inside a transaction"):
            store.rollback()
        with pytest.raises(StoreError, match="inside a transaction"):
            store.checkpoint()
    assert store.count("People") == 4
    store.rollback()
    assert store.count("People") == 3


def test_a_closed_store_refuses_both() -> None:
    store = prepared()
    store.close()
    for call in (store.checkpoint, store.rollback):
        with pytest.raises(StoreError, match="closed"):
            call()
