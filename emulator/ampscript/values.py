"""AMPscript values beyond the JavaScript ones: database nulls, rows and rowsets.

Strings, numbers, booleans and ``None`` are shared with SSJS; dates are ``datetime`` (naive, CST
wall-clock time, rendered ``M/D/YYYY h:mm:ss AM`` by ``clr_text``, docs/fidelity.md#clr-dates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from emulator import assumptions


class DbNull:
    """A null read from a Data Extension: renders empty; ``IsNull`` is true only for it.

    See docs/fidelity.md#ampscript-utility.
    """

    _instance: DbNull | None = None

    def __new__(cls) -> DbNull:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "DBNull"

    def clr_text(self) -> str:
        return ""


DB_NULL = DbNull()


class Row:
    """One row of a rowset: fields in schema order; names match case-insensitively.

    See docs/fidelity.md#ampscript-lookup.
    """

    def __init__(self, fields: Iterable[tuple[str, Any]]) -> None:
        self.fields: tuple[tuple[str, Any], ...] = tuple(fields)
        self._by_name = {name.casefold(): value for name, value in reversed(self.fields)}

    def find(self, name: str) -> tuple[bool, Any]:
        """Return (found, value) of the field ``name``, in any case."""
        folded = name.casefold()
        return folded in self._by_name, self._by_name.get(folded)

    def at(self, ordinal: int) -> tuple[bool, Any]:
        """Return (found, value) of the field at the 1-based ``ordinal``."""
        if 1 <= ordinal <= len(self.fields):
            return True, self.fields[ordinal - 1][1]
        return False, None

    def clr_text(self) -> str:
        return assumptions.AMPSCRIPT_ROWSET_TEXT

    def __repr__(self) -> str:
        return f"Row({dict(self.fields)!r})"


class Rowset:
    """What ``LookupRows`` returns: rows in order, 1-based for ``Row``.

    See docs/fidelity.md#ampscript-lookup.
    """

    def __init__(self, rows: Sequence[Row] = ()) -> None:
        self.rows: tuple[Row, ...] = tuple(rows)

    def __len__(self) -> int:
        return len(self.rows)

    def clr_text(self) -> str:
        return assumptions.AMPSCRIPT_ROWSET_TEXT

    def __repr__(self) -> str:
        return f"Rowset({len(self.rows)} rows)"
