"""What a business unit record is, and the checks a ``business_units.json`` entry passes.

A unit record (docs/fidelity.md#business-units)::

    {"mid": 200000002, "name": "Brand A", "parent": 100000001, "default": true}

``parent`` is null for the one enterprise unit; ``default`` marks the unit pages run in (at most
one unit; none marked: the enterprise, ASSUMED "page-unit").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.fixtures.records import RecordRefused, optional_text
from emulator.store.schema import describe_json_type

UNITS_TABLE = "_business_units"
MAX_MID = 2**31 - 1
MAX_NAME_LENGTH = 200
UNIT_FIELDS = ("mid", "name", "parent", "default")


def check_mid(value: Any, name: str = "mid") -> int:
    """Return ``value`` as a MID (a whole number 1..2**31-1), or raise RecordRefused."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MID:
        shown = "missing" if value is None else repr(value)
        raise RecordRefused(f"{name} is a whole number from 1 to {MAX_MID} (a MID), not {shown}",
                            name)
    return value


def check_unit(raw: Any) -> dict[str, Any]:
    """Return ``raw`` as a unit record, or raise RecordRefused saying what is wrong.

    Whether the parent exists, and that there is one enterprise, are checked with every unit
    (files.py).
    """
    if not isinstance(raw, Mapping):
        raise RecordRefused(f"a business unit is a JSON object with mid, name and parent, not "
                            f"{describe_json_type(raw)}")
    unknown = [str(name) for name in raw if name not in UNIT_FIELDS]
    if unknown:
        raise RecordRefused(f"a business unit has no {', '.join(map(repr, unknown))}; its fields "
                            f"are {', '.join(UNIT_FIELDS)}", unknown[0])
    mid = check_mid(raw.get("mid"))
    name = optional_text(raw, "name", MAX_NAME_LENGTH)
    if name is None or not name.strip():
        raise RecordRefused("name is missing or empty; give each business unit a name", "name")
    if "parent" not in raw:
        raise RecordRefused("parent is missing: the enterprise's MID, or null for the "
                            "enterprise itself", "parent")
    parent = raw["parent"]
    if parent is not None:
        parent = check_mid(parent, "parent")
        if parent == mid:
            raise RecordRefused(f"unit {mid} is its own parent", "parent")
    default = raw.get("default", False)
    if not isinstance(default, bool):
        raise RecordRefused(f"default is true or false, not {describe_json_type(default)}",
                            "default")
    return {"mid": mid, "name": name, "parent": parent, "default": default}
