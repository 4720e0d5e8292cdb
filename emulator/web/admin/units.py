"""Admin view of the business units (MIDs), and which unit a Data Extension's table belongs to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify

from emulator.rest.packages import PACKAGES_TABLE
from emulator.runtime import get_store
from emulator.store.store import Store
from emulator.units.registry import split_table, units_of


def unit_summaries(store: Store) -> list[dict[str, Any]]:
    """Return each unit with its parent, whether pages run in it, and what it holds."""
    units = units_of(store)
    counts: dict[int, int] = {}
    for table in store.keys():
        mid = units.mid_of(table)
        counts[mid] = counts.get(mid, 0) + 1
    packages = store.records(PACKAGES_TABLE) if store.has_records(PACKAGES_TABLE) else []
    return [{"mid": unit["mid"], "name": unit["name"], "parent": unit["parent"],
             "default": unit["mid"] == units.default,
             "enterprise": unit["mid"] == units.enterprise,
             "dataExtensions": counts.get(unit["mid"], 0),
             "packages": [p["client_id"] for p in packages if unit["mid"] in p["mids"]]}
            for unit in units.records]


def mid_of_table(store: Store) -> Callable[[str], dict[str, Any]]:
    """Return a function giving a DE table's ``{"mid": ..., "key": ...}`` when the store has
    more than one unit, and nothing to add (``{}``) when it has one."""
    units = units_of(store)
    if not units.several:
        return lambda table: {}
    return lambda table: {"mid": units.mid_of(table), "externalKey": split_table(table)[1]}


def list_business_units() -> Response:
    """Return the business units, the default (where pages run) and the enterprise."""
    store = get_store()
    units = units_of(store)
    return jsonify({"businessUnits": unit_summaries(store), "default": units.default,
                    "enterprise": units.enterprise})
