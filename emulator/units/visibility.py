"""Which Data Extensions a page sees: its unit's, the shared ones, and ``ENT.`` the enterprise's.

docs/fidelity.md#business-units: a DE in a shared folder (Shared Items, Shared Data Extensions:
a folder whose ContentType is a shared one) is visible to every unit, any other only to its own.
Pages run in the default unit, whose DEs keep bare table names, so a store with one unit answers
exactly as before: nothing here reads more than the store's keys then.
"""

from __future__ import annotations

from collections.abc import Iterator

from emulator.folders.data import folders
from emulator.store.store import Store
from emulator.units.registry import Units, split_table, units_of

#: Folder ContentTypes of the enterprise's shared DEs (captured names).
SHARED_CONTENT_TYPES = frozenset({"shared_data", "shared_dataextension",
                                  "shared_salesforcedataextension",
                                  "synchronizeddataextension"})
#: AMPscript's prefix for a DE of the enterprise (docs/fidelity.md#ampscript-ent-prefix).
ENT_PREFIX = "ent."


def shared_tables(store: Store) -> set[str]:
    """Return the tables of the DEs that sit in a shared folder."""
    return {key for record in folders(store)
            if str(record.get("ContentType") or "").lower() in SHARED_CONTENT_TYPES
            for key in record.get("DataExtensions", ())}


def enterprise_name(name: str) -> str | None:
    """Return the DE name after an ``ENT.`` prefix (any case), or None without one."""
    if name[:len(ENT_PREFIX)].casefold() == ENT_PREFIX and len(name) > len(ENT_PREFIX):
        return name[len(ENT_PREFIX):]
    return None


def visible_tables(store: Store, units: Units | None = None, mid: int | None = None
                   ) -> Iterator[str]:
    """Yield the tables unit ``mid`` (default: the page's) sees: its own, then shared ones."""
    units = units or units_of(store)
    mid = units.default if mid is None else mid
    shared: set[str] | None = None
    later = []
    for table in store.keys():
        if units.mid_of(table) == mid:
            yield table
        else:
            later.append(table)
    for table in later:
        if shared is None:
            shared = shared_tables(store)
        if table in shared:
            yield table


def page_tables(store: Store, name: str) -> tuple[Iterator[str], str]:
    """Return the tables a page's name lookup searches, and the name to find in them.

    ``ENT.Name`` searches the enterprise's DEs; any other name the page unit's and the shared
    ones. Without another unit in the store every table is the page unit's.
    """
    keys = store.keys()
    if not any("/" in key for key in keys):
        inner = enterprise_name(name)
        if inner is not None and not _has_name(store, keys, name):
            return iter(keys), inner  # one unit: it is the enterprise
        return iter(keys), name
    units = units_of(store)
    inner = enterprise_name(name)
    if inner is not None:
        return visible_tables(store, units, units.enterprise), inner
    return visible_tables(store, units), name


def _has_name(store: Store, keys: list[str], name: str) -> bool:
    folded = name.casefold()
    return any(store.schema(key).name.casefold() == folded for key in keys if store.has(key))


def page_key(store: Store, key: str) -> str:
    """Return the table ``DataExtension.Init(key)`` binds: the page unit's DE ``key``, else a
    shared DE of another unit with that key; ``key`` itself when none (the bind fails later,
    as Init does). A ``<MID>/<key>`` spelling is a key like any other: no DE of the page's unit
    has it, so it binds nothing, shared or not."""
    keys = store.keys()
    if not any("/" in k for k in keys):
        return key
    units = units_of(store)
    if split_table(key)[0] is not None:
        return units.unreachable(key)  # "300/Orders" names no DE of the page's unit
    if key in keys:
        return key
    shared = shared_tables(store)
    for mid in units.mids():
        table = units.table(mid, key)
        if table in shared:
            return table
    return key
