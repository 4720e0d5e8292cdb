"""Salesforce record ids: a 3-character key prefix, 12 more characters, a 3-character checksum.

docs/fidelity.md#salesforce-ids: the 18-character form is the 15-character id followed by one
letter per 5-character chunk, whose bits say which of the chunk's characters are upper case.
"""

from __future__ import annotations

import string

_SUFFIX = string.ascii_uppercase + "012345"  # 32 symbols: one per 5-bit pattern
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_ID_CHARS = frozenset(_BASE62)
SHORT = 15
LONG = 18


def checksum(id15: str) -> str:
    """Return the 3-character suffix of the 15-character id ``id15``."""
    suffix = ""
    for start in range(0, SHORT, 5):
        bits = sum(1 << i for i, char in enumerate(id15[start:start + 5]) if "A" <= char <= "Z")
        suffix += _SUFFIX[bits]
    return suffix


def long_id(value: str) -> str:
    """Return ``value`` with its checksum when it has 15 characters, else unchanged (LongSFID)."""
    return value + checksum(value) if len(value) == SHORT else value


def is_id(value: str) -> bool:
    """Return whether ``value`` has the shape of an id: 15 or 18 letters and digits."""
    return len(value) in (SHORT, LONG) and all(char in _ID_CHARS for char in value)


def canonical(value: str) -> str | None:
    """Return the 18-character form of the id ``value``, or None when it is no id.

    An 18-character id whose suffix is not its own checksum is no id.
    """
    if not is_id(value):
        return None
    if len(value) == LONG:
        return value if checksum(value[:SHORT]) == value[SHORT:] else None
    return long_id(value)


def new_id(prefix: str, number: int) -> str:
    """Return the 18-character id number ``number`` of the object with key ``prefix``."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    # "MC" after the prefix marks an id the emulator made (a real org puts its pod there).
    body = f"{prefix}MC{digits.rjust(SHORT - len(prefix) - 2, '0')}"
    return long_id(body)
