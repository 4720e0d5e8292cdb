"""Folders in the store: the ``_folders`` record table of the ``--db`` file.

Being a store table, the folders are saved with the Data Extensions, checkpointed and rolled
back with them, and a reset replaces them in the same change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emulator import assumptions
from emulator.folders.model import FOLDERS_TABLE, default_tree
from emulator.store.store import Store


def folders(store: Store) -> list[dict[str, Any]]:
    """Return every folder record; a store without the table has the default tree."""
    if not store.has_records(FOLDERS_TABLE):
        return default_tree()
    return store.records(FOLDERS_TABLE)


def held(store: Store) -> bool:
    """Return whether ``store`` has a folder table (a ``--db`` file written before has not)."""
    return store.has_records(FOLDERS_TABLE)


def tables(records: Sequence[Mapping[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record table that holds ``records`` (for Store.replace_all)."""
    return {FOLDERS_TABLE: records}


def data_extension_folders(store: Store) -> dict[str, int]:
    """Return the folder ID of each Data Extension a folder names (others: the DE root)."""
    return {key: record["ID"] for record in folders(store) for key in record["DataExtensions"]}


def folder_of(found: Mapping[str, int], key: str) -> int:
    """Return the folder of the Data Extension ``key`` from data_extension_folders' map."""
    return found.get(key, assumptions.DATA_EXTENSIONS_FOLDER_ID)


def add(store: Store, record: Mapping[str, Any]) -> None:
    """Add ``record`` (checked, its ID new) at the end of the folders."""
    with store.transaction():
        records = folders(store)
        records.append(dict(record))
        store.replace_records(FOLDERS_TABLE, records)


def replace(store: Store, records: Sequence[Mapping[str, Any]]) -> None:
    """Make ``records`` (checked) the folders of ``store``."""
    with store.transaction():
        store.replace_records(FOLDERS_TABLE, [dict(record) for record in records])
