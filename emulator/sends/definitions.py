"""Triggered send definitions: ``triggered_sends.json`` in fixtures directories, a store table.

A definition record (docs/fidelity.md#triggered-send-definition)::

    {"CustomerKey": "welcome", "Name": "Welcome", "TriggeredSendStatus": "Active",
     "Description": "", "EmailSubject": "Hello", "FromName": "", "FromAddress": ""}

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order;
a CustomerKey defined twice or a bad entry is a problem naming the file and the entry, every
problem is listed at once and nothing is loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problems
from emulator.fixtures.records import DefinedOnce, RecordRefused, fixture_folders
from emulator.fixtures.records import read_records as read_entries
from emulator.store.schema import describe_json_type
from emulator.store.store import Store

TRIGGERED_SENDS_JSON = "triggered_sends.json"
DEFINITIONS_TABLE = "_triggered_sends"
#: docs/fidelity.md#triggered-send-definition: the statuses a definition reads back (RT).
STATUSES = ("New", "Active", "Inactive")
DEFAULT_STATUS = "Active"
DEFINITION_FIELDS = ("CustomerKey", "Name", "TriggeredSendStatus", "Description",
                     "EmailSubject", "FromName", "FromAddress")
MAX_KEY_LENGTH = 254
MAX_TEXT_LENGTH = 4000
_OBJECT_IDS = uuid.UUID("7a0c4f1e-93d2-4b65-8e27-1d5b6c000000")


def object_id(key: str) -> str:
    """Return the ObjectID of the definition ``key`` (stable: a UUID5 of the key)."""
    return str(uuid.uuid5(_OBJECT_IDS, key))


def check_definition(raw: Any) -> dict[str, Any]:
    """Return ``raw`` as a definition record, or raise RecordRefused saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise RecordRefused("a triggered send definition is a JSON object with CustomerKey, not "
                            f"{describe_json_type(raw)}")
    unknown = [str(name) for name in raw if name not in DEFINITION_FIELDS]
    if unknown:
        raise RecordRefused(f"a triggered send definition has no "
                            f"{', '.join(map(repr, unknown))}; its fields are "
                            f"{', '.join(DEFINITION_FIELDS)}", unknown[0])
    record: dict[str, Any] = {}
    for name in DEFINITION_FIELDS:
        value = raw.get(name)
        limit = MAX_KEY_LENGTH if name == "CustomerKey" else MAX_TEXT_LENGTH
        if value is not None and not isinstance(value, str):
            raise RecordRefused(f"{name} is text, not {describe_json_type(value)}", name)
        if value is not None and len(value) > limit:
            raise RecordRefused(f"{name} has at most {limit} characters, not {len(value)}", name)
        record[name] = value if value is not None else ""
    if not record["CustomerKey"].strip():
        raise RecordRefused("CustomerKey is missing or empty; give each definition a key",
                            "CustomerKey")
    record["Name"] = record["Name"] or record["CustomerKey"]
    status = raw.get("TriggeredSendStatus", DEFAULT_STATUS)
    if status not in STATUSES:
        raise RecordRefused(f"TriggeredSendStatus {status!r} is not one of "
                            f"{', '.join(STATUSES)}", "TriggeredSendStatus")
    record["TriggeredSendStatus"] = status
    return record


def load_definition_dirs(dirs: Iterable[str | Path], include_default: bool = True
                         ) -> tuple[dict[str, Any], ...]:
    """Return the definitions of every fixtures directory given (and the default's).

    Raise FixtureProblems listing every problem; nothing is loaded then.
    """
    folders = fixture_folders(dirs, include_default)
    problems = Problems()
    found = DefinedOnce(problems, "CustomerKey", "duplicate-triggered-send")
    for folder in folders:
        path = folder / TRIGGERED_SENDS_JSON
        if not path.is_file():
            continue
        for record, where in read_entries(path, problems, check_definition,
                                          "triggered send definition"):
            found.add(record["CustomerKey"], record, path, where)
    problems.raise_if_any()
    return found.records()


def definitions(store: Store) -> list[dict[str, Any]]:
    """Return every definition record, in the order they were added."""
    return store.records(DEFINITIONS_TABLE)


def find(store: Store, key: str) -> dict[str, Any] | None:
    """Return the definition whose CustomerKey is ``key``, or None."""
    return store.find_record(DEFINITIONS_TABLE, "CustomerKey", key)


def save(store: Store, record: Mapping[str, Any]) -> None:
    """Replace the definition with ``record``'s CustomerKey by ``record`` (checked)."""
    with store.transaction():
        records = definitions(store)
        store.replace_records(DEFINITIONS_TABLE, [
            dict(record) if item["CustomerKey"] == record["CustomerKey"] else item
            for item in records])


def tables(records: Sequence[Mapping[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record table that holds ``records`` (for Store.replace_all)."""
    return {DEFINITIONS_TABLE: records}
