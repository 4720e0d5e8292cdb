"""Data Extension queries shared by AMPscript (Lookup, LookupRows) and SSJS (Rows.Lookup,
Platform.Function.Lookup...): find a DE by name, build a where filter, read typed cells, order rows.

The store keeps every value in its field's stored form (store/types.py); these helpers give the
typed values the platform returns (docs/fidelity.md#lookup-dates-iso) and build the ANDed ``equals``
filters the store compiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.errors import DataExtensionNotFound
from emulator.store.schema import DataExtensionSchema, Field
from emulator.store.store import Store
from emulator.store.types import comparison_key, lookup_value
from emulator.units.visibility import page_tables

StoredRow = dict[str, Any]  # values in their stored forms (store/types.py)

#: The Platform.Function DE functions find DEs by name (docs/fidelity.md#de-functions-by-name); a
#: key that is not a name throws this. AMPscript's Lookup family uses the same text (ASSUMED
#: "de-name-missing").
DE_NAME_MISSING = "A Data Extension of this name does not exist."


class NoSuchDataExtension(LookupError):
    """No Data Extension has the name asked for."""


def find_by_name(store: Store | None, name: str) -> DataExtensionSchema:
    """Return the schema of the DE *named* ``name`` (by name, not by key:
    docs/fidelity.md#de-functions-by-name).

    Names match case-insensitively (ASSUMED "de-name-case"); the first DE created wins when two
    share a name. The page's business unit decides which DEs it sees, and ``ENT.Name`` reads
    the enterprise's (docs/fidelity.md#business-units).
    """
    if store is not None:
        tables, name = page_tables(store, name)
        folded = name.casefold()
        for key in tables:
            try:
                schema = store.schema(key)
            except DataExtensionNotFound:  # dropped by another request since keys()
                continue
            if schema.name.casefold() == folded:
                return schema
    raise NoSuchDataExtension(name)


def where_filter(pairs: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    """Return the ANDed ``equals`` filter of (field, value text) pairs; None for no pairs.

    The tree is balanced, so many pairs stay far below the store's nesting bound.
    """
    parts: list[dict[str, Any]] = [
        {"Property": name, "SimpleOperator": "equals", "Value": value} for name, value in pairs]
    if not parts:
        return None
    while len(parts) > 1:
        joined = [{"LeftOperand": parts[i], "LogicalOperator": "AND", "RightOperand": parts[i + 1]}
                  for i in range(0, len(parts) - 1, 2)]
        if len(parts) % 2:
            joined.append(parts[-1])
        parts = joined
    return parts[0]


def typed_cell(field: Field, value: Any) -> Any:
    """Return a stored cell as its type: int/float, bool, datetime, text; None when empty."""
    return lookup_value(field, value)


def iso_date(moment: datetime) -> str:
    """Return a date as Rows.Lookup gives it: ``2024-01-15T00:00:00.000``.

    See docs/fidelity.md#lookup-dates-iso.
    """
    return moment.isoformat(timespec="milliseconds")


def sort_rows(schema: DataExtensionSchema, rows: list[StoredRow],
              order: Sequence[tuple[Field, bool]]) -> list[StoredRow]:
    """Return ``rows`` ordered by (field, descending) keys; empty cells sort first ascending.

    ASSUMED "order-nulls": SQL Server's rule, NULL before any value in ascending order.
    """
    ordered = list(rows)
    for field, descending in reversed(order):
        ordered.sort(key=lambda row, f=field: _sort_key(f, row.get(f.name)), reverse=descending)
    return ordered


def _sort_key(field: Field, value: Any) -> tuple[int, Any]:
    key = comparison_key(field, value)
    if key is None:
        return (0, "")
    if isinstance(key, tuple):  # text the field's type cannot read: after typed values
        return (2, key[1])
    return (1, key)


def parse_order(schema: DataExtensionSchema, text: str) -> list[tuple[Field, bool]]:
    """Read ``"Col ASC, Col2 DESC"`` into (field, descending) pairs; raise ValueError."""
    order: list[tuple[Field, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise ValueError(f"{text!r} is not an order (\"Column ASC|DESC[, ...]\")")
        field = schema.field(words[0])
        if field is None:
            raise ValueError(assumptions.DE_UNKNOWN_FIELD.format(field=words[0], key=schema.key))
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if direction not in ("ASC", "DESC"):
            raise ValueError(f"{words[1]!r} is not ASC or DESC")
        order.append((field, direction == "DESC"))
    return order
