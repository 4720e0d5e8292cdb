"""The business units of a store and how a Data Extension's table names its unit.

Tables of the default unit (the one pages run in) keep the bare external key; another unit's
table is ``<MID>/<key>`` (docs/fidelity.md#business-units). Without a ``business_units.json``
there is one unit, :data:`emulator.assumptions.DEFAULT_MID`, and nothing is named differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.store.store import Store
from emulator.units.model import UNITS_TABLE
from emulator.units.tables import split_table


@dataclass(frozen=True)
class Units:
    """The units of one store: records with ``mid``, ``name``, ``parent``, ``default``."""

    records: tuple[Mapping[str, Any], ...]

    @property
    def enterprise(self) -> int:
        """Return the MID of the unit without a parent."""
        return next(r["mid"] for r in self.records if r["parent"] is None)

    @property
    def default(self) -> int:
        """Return the MID pages run in: the unit marked default, else the enterprise."""
        marked = [r["mid"] for r in self.records if r.get("default")]
        return marked[0] if marked else self.enterprise

    @property
    def several(self) -> bool:
        return len(self.records) > 1

    def mids(self) -> list[int]:
        return [r["mid"] for r in self.records]

    def parent(self, mid: int) -> int | None:
        return next((r["parent"] for r in self.records if r["mid"] == mid), None)

    def known(self, mid: int) -> bool:
        return any(r["mid"] == mid for r in self.records)

    def reaches(self, executing: int, target: int) -> bool:
        """Return whether a page of ``executing`` may act as ``target``: itself or a unit
        beneath it (docs/fidelity.md#wsproxy-client-id)."""
        seen: set[int] = set()
        current: int | None = target
        while current is not None and current not in seen:
            if current == executing:
                return True
            seen.add(current)
            current = self.parent(current)
        return False

    def reachable(self, executing: int) -> list[int]:
        """Return every MID ``executing`` may act as, itself first."""
        return [executing, *(m for m in self.mids()
                             if m != executing and self.reaches(executing, m))]

    def table(self, mid: int, key: str) -> str:
        """Return the store table of the DE ``key`` of unit ``mid``."""
        return key if mid == self.default else f"{mid}/{key}"

    def unreachable(self, key: str) -> str:
        """Return a table no store holds for a page's ``<MID>/<key>`` spelling: the page unit's
        DEs keep bare keys, so such a name never reaches another unit's DE."""
        return f"{self.default}/{key}"

    def mid_of(self, table: str) -> int:
        """Return the MID of the unit a store table belongs to."""
        mid, _ = split_table(table) if self.several else (None, table)
        return self.default if mid is None else mid


SINGLE = Units(({"mid": assumptions.DEFAULT_MID, "name": "Business unit", "parent": None,
                 "default": True},))


def from_records(records: Sequence[Mapping[str, Any]]) -> Units:
    """Return the units of ``records`` (checked); none: the one default unit."""
    return Units(tuple(records)) if records else SINGLE


def units_of(store: Store) -> Units:
    """Return the units ``store`` holds (the one default unit when it has no unit table)."""
    if not store.has_records(UNITS_TABLE):
        return SINGLE
    return from_records(store.records(UNITS_TABLE))


def tables(records: Sequence[Mapping[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record table that holds ``records``; none for no units (the store as before)."""
    return {UNITS_TABLE: records} if records else {}
