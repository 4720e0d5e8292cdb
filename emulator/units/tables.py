"""How a store table names a business unit's Data Extension: ``<MID>/<key>``.

Nothing here imports the rest of the emulator, so the fixture readers can ask it too.
"""

from __future__ import annotations

import re

_UNIT_TABLE = re.compile(r"([0-9]{1,10})/(.+)", re.DOTALL)


def split_table(table: str) -> tuple[int | None, str]:
    """Return (MID, key) of a ``<MID>/<key>`` table name; (None, table) for a bare one."""
    found = _UNIT_TABLE.fullmatch(table)
    if found is None:
        return None, table
    return int(found.group(1)), found.group(2)


def unit_shaped(key: str) -> str | None:
    """Return why ``key`` may not be a Data Extension's key (it reads as a unit's table), or
    None when it may."""
    mid, rest = split_table(key)
    if mid is None:
        return None
    return (f"the key {key!r} reads as business unit {mid}'s table of the Data Extension "
            f"{rest!r} (<MID>/<key>), so a Data Extension's key may not be digits, a slash "
            f"and more: rename it, or write \"key\": {rest!r} with \"mid\": {mid} to put "
            f"it in business unit {mid} (declared in business_units.json)")
