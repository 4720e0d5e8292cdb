"""Subscribers and lists in the store: two record tables of the ``--db`` file.

``_subscribers`` holds one subscriber record a document, ``_lists`` one list record a document
(model.py gives their shapes). Being store tables, they are saved with the Data Extensions,
checkpointed and rolled back with them, and a reset replaces them in the same change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.store.store import Store
from emulator.subscribers.model import LISTS_TABLE, SUBSCRIBERS_TABLE


class SubscriberNotFound(LookupError):
    """No subscriber has the key asked for."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no subscriber has the key {key!r}; subscribers come from "
                         "subscribers.json or subscribers.csv in a fixtures directory")
        self.key = key
        self.message = str(self)


@dataclass(frozen=True)
class SubscriberData:
    """Subscribers and lists as a whole: what fixtures define, or a store held at one moment."""

    subscribers: tuple[Mapping[str, Any], ...] = ()
    lists: tuple[Mapping[str, Any], ...] = ()

    def tables(self) -> dict[str, Sequence[Mapping[str, Any]]]:
        """Return the record tables that hold this data (for Store.replace_all)."""
        return {SUBSCRIBERS_TABLE: self.subscribers, LISTS_TABLE: self.lists}

    def emptied(self) -> SubscriberData:
        """Return the lists without subscribers (a reset to empty keeps lists, as it keeps DEs)."""
        return SubscriberData((), self.lists)


def read(store: Store) -> SubscriberData:
    """Return a copy of the subscribers and lists ``store`` holds."""
    return SubscriberData(tuple(store.records(SUBSCRIBERS_TABLE)),
                          tuple(store.records(LISTS_TABLE)))


def held(store: Store) -> bool:
    """Return whether ``store`` has subscriber tables (a ``--db`` file written before has not)."""
    return store.has_records(SUBSCRIBERS_TABLE) or store.has_records(LISTS_TABLE)


def put(store: Store, data: SubscriberData) -> None:
    """Make ``data`` the subscribers and lists of ``store``, in one transaction."""
    with store.transaction():
        for table, records in data.tables().items():
            store.replace_records(table, records)


def subscribers(store: Store) -> list[dict[str, Any]]:
    """Return every subscriber record, in the order they were added."""
    return store.records(SUBSCRIBERS_TABLE)


def lists(store: Store) -> list[dict[str, Any]]:
    """Return every list record, in the order they were added."""
    return store.records(LISTS_TABLE)


def find(store: Store, key: str) -> dict[str, Any]:
    """Return the subscriber whose key is ``key`` (exactly); raise SubscriberNotFound."""
    record = store.find_record(SUBSCRIBERS_TABLE, "SubscriberKey", key)
    if record is None:
        raise SubscriberNotFound(key)
    return record


def save_subscriber(store: Store, record: Mapping[str, Any]) -> None:
    """Replace the subscriber with ``record``'s key by ``record``, or add it at the end.

    ``record`` was checked (model.check_subscriber). One record is written, not the table.
    """
    store.put_record(SUBSCRIBERS_TABLE, "SubscriberKey", record)


def remove_subscriber(store: Store, key: str) -> bool:
    """Remove the subscriber ``key``; return whether there was one (one record written)."""
    return store.remove_record(SUBSCRIBERS_TABLE, "SubscriberKey", key)
