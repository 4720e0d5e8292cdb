"""The business-unit context of one object-model call: who runs, as whom, over which units.

docs/fidelity.md#wsproxy-client-id: a page runs in the default unit; ``setClientId`` makes a
unit beneath it (or itself) the one its calls act as, and a unit above or beside it is denied;
``QueryAllAccounts`` widens a retrieve to every unit it may act as.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.store.store import Store
from emulator.units.registry import Units, split_table, units_of
from emulator.units.visibility import shared_tables


@dataclass
class UnitScope:
    """One call's units: the executing and acting MIDs, and the MIDs a retrieve covers."""

    store: Store
    units: Units
    executing: int
    acting: int
    mids: tuple[int, ...]
    _shared: set[str] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, store: Store, client_id: int | None = None, query_all: bool = False
           ) -> UnitScope:
        units = units_of(store)
        executing = units.default
        acting = executing if client_id is None else client_id
        mids = tuple(units.reachable(acting)) if query_all else (acting,)
        return cls(store, units, executing, acting, mids)

    def denied(self) -> bool:
        """Return whether the acting unit is out of the executing unit's reach."""
        return not self.units.reaches(self.executing, self.acting)

    def shared(self) -> set[str]:
        if self._shared is None:
            self._shared = shared_tables(self.store) if self.units.several else set()
        return self._shared

    def table(self, key: str) -> str:
        """Return the table of the DE ``key`` as the acting unit names it (its own, else a
        shared one of that key; its own name when there is none)."""
        if not self.units.several:
            return key
        if split_table(key)[0] is not None:
            return self.units.unreachable(key)  # a key, not a way into another unit's DE
        own = self.units.table(self.acting, key)
        if self.store.has(own):
            return own
        shared = self.shared()
        for mid in self.units.mids():
            table = self.units.table(mid, key)
            if table in shared:
                return table
        return own

    def sees(self, table: str) -> bool:
        """Return whether a retrieve in this scope lists the DE of ``table``."""
        return (not self.units.several or self.units.mid_of(table) in self.mids
                or table in self.shared())

    def client_id(self, table: str) -> int:
        """Return the MID of the unit that owns ``table`` (``Client.ID``)."""
        return self.units.mid_of(table)

    def key(self, table: str) -> str:
        """Return the external key of the DE stored in ``table``."""
        return split_table(table)[1] if self.units.several else table
