"""What a folder record is, the default tree, and the checks a ``folders.json`` entry passes.

A folder record (docs/fidelity.md#folder-record)::

    {"ID": 2001, "Name": "Campaigns", "CustomerKey": "campaigns", "ParentID": 1001,
     "ContentType": "dataextension", "Description": "", "AllowChildren": true,
     "IsEditable": true, "ObjectID": "...", "DataExtensions": ["Orders"]}

``DataExtensions`` names the Data Extensions the folder holds; a DE no folder names sits in the
"Data Extensions" root (ASSUMED "object-ids").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from emulator import assumptions
from emulator.fixtures.records import RecordRefused, check_record, optional_text
from emulator.store.schema import describe_json_type

FOLDERS_TABLE = "_folders"
MAX_ID = 2**31 - 1
MAX_TEXT_LENGTH = 4000
MAX_KEY_LENGTH = 254
FOLDER_FIELDS = ("ID", "Name", "CustomerKey", "ParentID", "ContentType", "Description",
                 "AllowChildren", "DataExtensions")
_OBJECT_IDS = uuid.UUID("5e1c7d2a-0f43-4b8e-9a16-7c2d3f000000")


def object_id(folder_id: int) -> str:
    """Return the ObjectID of the folder ``folder_id`` (stable: a UUID5 of its id)."""
    return str(uuid.uuid5(_OBJECT_IDS, str(folder_id)))


def default_tree() -> list[dict[str, Any]]:
    """Return the folder records every store starts with (ASSUMED "object-ids")."""
    return [{"ID": folder["ID"], "Name": folder["Name"], "CustomerKey": folder["CustomerKey"],
             "ParentID": folder["ParentID"], "ContentType": folder["ContentType"],
             "Description": "", "AllowChildren": True, "IsEditable": False,
             "ObjectID": folder["ObjectID"], "DataExtensions": []}
            for folder in assumptions.DEFAULT_FOLDERS]


def check_folder(raw: Any) -> dict[str, Any]:
    """Return ``raw`` as a folder record, or raise RecordRefused saying what is wrong.

    The parent's existence and the ContentType a parent passes on are checked with the whole
    tree (files.py); a missing ContentType is left None until then.
    """
    raw = check_record(raw, "a folder", FOLDER_FIELDS,
                       "a folder is a JSON object with ID and Name")
    folder_id = _whole(raw.get("ID"), "ID", 1)
    parent = raw.get("ParentID", assumptions.DATA_EXTENSIONS_FOLDER_ID)
    parent = _whole(parent, "ParentID", 0)
    name = _text(raw, "Name", MAX_TEXT_LENGTH)
    if name is None or not name.strip():
        raise RecordRefused("Name is missing or empty; give each folder a name", "Name")
    key = _text(raw, "CustomerKey", MAX_KEY_LENGTH)
    content_type = _text(raw, "ContentType", MAX_KEY_LENGTH)
    allow = raw.get("AllowChildren", True)
    if not isinstance(allow, bool):
        raise RecordRefused(f"AllowChildren is true or false, not {describe_json_type(allow)}",
                            "AllowChildren")
    keys = raw.get("DataExtensions", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise RecordRefused('DataExtensions is a list of Data Extension keys, e.g. ["Orders"]',
                            "DataExtensions")
    if len(set(keys)) != len(keys):
        raise RecordRefused("DataExtensions names a Data Extension twice", "DataExtensions")
    return {"ID": folder_id, "Name": name,
            "CustomerKey": key if key is not None else object_id(folder_id),
            "ParentID": parent, "ContentType": content_type,
            "Description": _text(raw, "Description", MAX_TEXT_LENGTH) or "",
            "AllowChildren": allow, "IsEditable": True, "ObjectID": object_id(folder_id),
            "DataExtensions": list(keys)}


def _whole(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_ID:
        shown = "missing" if value is None else repr(value)
        raise RecordRefused(f"{name} is a whole number from {low} to {MAX_ID}, not {shown}", name)
    return value


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str | None:
    return optional_text(raw, name, limit)
