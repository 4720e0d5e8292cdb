"""AMPscript Data Extension reads: Lookup, LookupRows, Row, Field, RowCount
(docs/fidelity.md#ampscript-lookup).

The DE is found by its *name* (OFF, RT), matching is case-insensitive (the store compares Text
that way), and values come back typed; an empty cell is a database null, for which ``IsNull`` is
true (docs/fidelity.md#ampscript-utility).
"""

from __future__ import annotations

from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.dataext import (
    DE_NAME_MISSING,
    NoSuchDataExtension,
    find_by_name,
    typed_cell,
    where_filter,
)
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import DB_NULL, Row, Rowset
from emulator.errors import StoreError
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError
from emulator.store.schema import DataExtensionSchema

LOOKUP_ROWS_LIMIT = 2000  # OFF, RT: LookupRows returns at most 2,000 rows


def schema_named(run: Runtime, name: Any) -> DataExtensionSchema:
    """Return the schema of the DE named ``name``; abort when there is none."""
    try:
        return find_by_name(run.ctx.store, clr_text(name))
    except NoSuchDataExtension:
        raise AmpscriptError(DE_NAME_MISSING) from None


def query_rows(run: Runtime, schema: DataExtensionSchema, pairs: tuple[Any, ...],
               limit: int | None) -> list[dict[str, Any]]:
    """Return the stored rows matching every (column, value) pair, at most ``limit``."""
    criteria = where_filter([(clr_text(pairs[i]), clr_text(pairs[i + 1]))
                             for i in range(0, len(pairs), 2)])
    store = run.ctx.store
    if store is None:  # find_by_name never finds a DE without a store
        raise AmpscriptError(DE_NAME_MISSING)
    try:
        return store.retrieve(schema.key, criteria, limit=limit)
    except StoreError as error:
        raise AmpscriptError(error.message) from None


def typed_value(schema: DataExtensionSchema, name: str, stored: Any) -> Any:
    """Return a stored cell as AMPscript reads it: typed, a database null when empty."""
    field = schema.field(name)
    value = None if field is None else typed_cell(field, stored)
    return DB_NULL if value is None else value


@ampscript_function("Lookup", args=(4, None), pairs_after=2, tag="OFF, RT")
def lookup(run: Runtime, de_name: Any, column: Any, *pairs: Any) -> Any:
    """Return ``column`` of the first row matching every (column, value) pair; null if none."""
    schema = schema_named(run, de_name)
    field = schema.field(clr_text(column))
    if field is None:
        raise AmpscriptError(assumptions.DE_UNKNOWN_FIELD.format(field=clr_text(column),
                                                                 key=schema.name))
    found = query_rows(run, schema, pairs, limit=1)
    if not found:
        return DB_NULL  # SF Labs: no match is a null: renders empty, IsNull true
    return typed_value(schema, field.name, found[0][field.name])


@ampscript_function("LookupRows", args=(3, None), pairs_after=1, tag="OFF, RT")
def lookup_rows(run: Runtime, de_name: Any, *pairs: Any) -> Rowset:
    """Return every row matching all pairs (at most 2,000), in the DE's order; empty if none."""
    schema = schema_named(run, de_name)
    return rowset_of(schema, query_rows(run, schema, pairs, limit=LOOKUP_ROWS_LIMIT))


def rowset_of(schema: DataExtensionSchema, rows: list[dict[str, Any]]) -> Rowset:
    """Return stored rows as a rowset of typed values."""
    return Rowset([Row((name, typed_value(schema, name, text)) for name, text in stored.items())
                   for stored in rows])


@ampscript_function("Row", args=2, tag="RT")
def row(run: Runtime, rows: Any, index: Any) -> Row:
    """Return the 1-based ``index``-th row; 0 or past the end aborts (RT)."""
    rowset = arg.rowset(rows, arg.Param("Row", "Rowset", 1))
    position = arg.integer(index, arg.Param("Row", "Index", 2))
    if not 1 <= position <= len(rowset):
        raise arg.Param("Row", "Index", 2).error(index)
    return rowset.rows[position - 1]


@ampscript_function("Field", args=(2, 3), tag="RT")
def field(run: Runtime, value: Any, column: Any, raise_if_missing: Any = True) -> Any:
    """Return a field by name (any case) or 1-based ordinal; a missing one aborts unless 0 (RT)."""
    which = arg.row(value, arg.Param("Field", "Row", 1))
    if isinstance(column, (int, float)) and not isinstance(column, bool):
        found, result = which.at(arg.integer(column, arg.Param("Field", "Name", 2)))
    else:
        found, result = which.find(clr_text(column))
    if found:
        return result
    if arg.flag(raise_if_missing):
        raise arg.Param("Field", "Name", 2).error(column)
    return ""


@ampscript_function("RowCount", args=1, tag="RT")
def row_count(run: Runtime, rows: Any) -> int:
    """Return how many rows a rowset holds (0 when empty)."""
    return len(arg.rowset(rows, arg.Param("RowCount", "Rowset", 1)))
