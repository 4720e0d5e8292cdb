"""AMPscript rowsets beyond LookupRows: the case-sensitive and ordered lookups, rowsets built
from text, and DataExtensionRowCount (docs/fidelity.md#ampscript-rowsets).

Every lookup returns at most the platform's 2,000 rows (OFF, RT); the ``CS`` forms match text
with its case (RT), the others ignore it as the store does.
"""

from __future__ import annotations

from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.dataext import parse_order, sort_rows
from emulator.ampscript.functions.data import (
    LOOKUP_ROWS_LIMIT,
    query_rows,
    rowset_of,
    schema_named,
)
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import Row, Rowset
from emulator.errors import StoreError
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError
from emulator.store.schema import DataExtensionSchema

StoredRow = dict[str, Any]


def _with_case(schema: DataExtensionSchema, rows: list[StoredRow],
               pairs: tuple[Any, ...]) -> list[StoredRow]:
    """Keep the rows whose text cells equal each pair's value with its case (RT: LookupRowsCS)."""
    exact = []
    for index in range(0, len(pairs), 2):
        field = schema.field(clr_text(pairs[index]))
        if field is not None and field.is_text:
            exact.append((field.name, clr_text(pairs[index + 1])))
    if not exact:
        return rows
    return [row for row in rows if all(row.get(name) == value for name, value in exact)]


def _lookup(run: Runtime, de_name: Any, pairs: tuple[Any, ...], *, case_sensitive: bool,
            count: int = LOOKUP_ROWS_LIMIT, order: str | None = None) -> Rowset:
    schema = schema_named(run, de_name)
    ordered_or_exact = case_sensitive or order is not None
    # The store matches text ignoring case; the CS forms and ordering need every match first.
    rows = query_rows(run, schema, pairs, limit=None if ordered_or_exact else count)
    if case_sensitive:
        rows = _with_case(schema, rows, pairs)
    if order is not None:
        try:
            rows = sort_rows(schema, rows, parse_order(schema, order))
        except ValueError as error:
            raise AmpscriptError(assumptions.AMPSCRIPT_BAD_ORDER.format(
                order=arg.shown(order), problem=error)) from None
    return rowset_of(schema, rows[:count])


@ampscript_function("LookupRowsCS", args=(3, None), pairs_after=1, tag="RT")
def lookup_rows_cs(run: Runtime, de_name: Any, *pairs: Any) -> Rowset:
    """Return the rows matching every pair with text compared case-sensitively (at most 2,000)."""
    return _lookup(run, de_name, pairs, case_sensitive=True)


def _count(value: Any, function: str) -> int:
    """Return the row count: below 1 means 2,000 (OFF, RT); above 2,000 is cut to it (ASSUMED)."""
    wanted = arg.integer(value, arg.Param(function, "ReturnCount", 2))
    return LOOKUP_ROWS_LIMIT if wanted < 1 else min(wanted, LOOKUP_ROWS_LIMIT)


def _order(value: Any, function: str) -> str:
    if isinstance(value, bool) or not clr_text(value).strip():
        raise arg.Param(function, "OrderBy", 3).error(value)
    return clr_text(value)


@ampscript_function("LookupOrderedRows", args=(5, None), pairs_after=3, tag="OFF, RT")
def lookup_ordered_rows(run: Runtime, de_name: Any, count: Any, order: Any, *pairs: Any,
                        ) -> Rowset:
    """Return the first ``count`` matches sorted by ``"Col ASC|DESC[, ...]"``."""
    return _lookup(run, de_name, pairs, case_sensitive=False,
                   count=_count(count, "LookupOrderedRows"),
                   order=_order(order, "LookupOrderedRows"))


@ampscript_function("LookupOrderedRowsCS", args=(5, None), pairs_after=3, tag="OFF, RT")
def lookup_ordered_rows_cs(run: Runtime, de_name: Any, count: Any, order: Any, *pairs: Any,
                           ) -> Rowset:
    """Return LookupOrderedRows' rows with text matched case-sensitively."""
    return _lookup(run, de_name, pairs, case_sensitive=True,
                   count=_count(count, "LookupOrderedRowsCS"),
                   order=_order(order, "LookupOrderedRowsCS"))


@ampscript_function("DataExtensionRowCount", args=1, tag="OFF")
def data_extension_row_count(run: Runtime, de_name: Any) -> int:
    """Return how many rows the DE named ``de_name`` holds."""
    schema = schema_named(run, de_name)
    store = run.ctx.store
    assert store is not None  # schema_named found the DE in it
    try:
        return store.count(schema.key)
    except StoreError as error:  # dropped since it was found
        raise AmpscriptError(error.message) from None


#: The one column of a rowset built from text: ASSUMED "rowset-from-string" (the platform's
#: name is unpublished; Field(row, 1) reads it as on the platform).
STRING_COLUMN = "Value"


@ampscript_function("BuildRowsetFromString", args=2, tag="3P; empty parts ASSUMED")
def build_rowset_from_string(run: Runtime, value: Any, delimiter: Any) -> Rowset:
    """Split text at ``delimiter`` into a one-column rowset, one row a part (3P).

    ASSUMED "rowset-from-string": parts are kept as .NET's Split keeps them (empty ones too, so
    ``""`` is one empty row); an empty delimiter gives the whole text as one row.
    """
    text, separator = arg.text(value), arg.text(delimiter)
    parts = text.split(separator) if separator else [text]
    run.ctx.budget.fits(len(parts) * 200)  # a Row and its tuple per part, beside the text
    return Rowset([Row(((STRING_COLUMN, part),)) for part in parts])
