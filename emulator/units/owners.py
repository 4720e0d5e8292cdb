"""Which business unit an object other than a Data Extension belongs to (its ``Client.ID``).

docs/fidelity.md#unit-objects: folders, subscribers, lists, triggered send definitions,
automations, query definitions and events read from fixtures belong to the unit pages run in
(ASSUMED "unit-objects"); an object a page creates after ``setClientId`` belongs to the unit it
acted as. Only those are written down, in the ``_unit_objects`` record table (so a checkpoint,
a rollback and a reset cover them with the rest of the store); a store with one unit never has
the table.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.store.store import Store
from emulator.units.registry import units_of

OWNERS_TABLE = "_unit_objects"


def owner_of(store: Store, kind: str) -> Callable[[object], int]:
    """Return what gives the MID of the ``kind`` object named ``identity`` (its key)."""
    default = units_of(store).default
    if not store.has_records(OWNERS_TABLE):
        return lambda identity: default
    owned = {record["object"]: record["mid"] for record in store.records(OWNERS_TABLE)
             if record["kind"] == kind}
    return lambda identity: owned.get(str(identity), default)


def record_owner(store: Store, kind: str, identity: object, mid: int) -> None:
    """Note that the ``kind`` object ``identity`` belongs to ``mid`` (the page unit: forget it)."""
    held = store.has_records(OWNERS_TABLE)
    if mid == units_of(store).default and not held:
        return
    with store.transaction():
        records = [r for r in (store.records(OWNERS_TABLE) if held else [])
                   if not (r["kind"] == kind and r["object"] == str(identity))]
        if mid != units_of(store).default:
            records.append({"kind": kind, "object": str(identity), "mid": mid})
        store.replace_records(OWNERS_TABLE, records)
