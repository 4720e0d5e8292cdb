"""The ``Platform.Function`` Data Extension functions.

docs/fidelity.md#de-functions-by-name: Lookup, LookupRows, LookupOrderedRows, InsertData,
UpdateData, UpsertData and DeleteData find the DE by its *name* (an external key that is no name
throws "A Data Extension of this name does not exist.", RT); the writing functions take arrays only
(a scalar form throws the arity error, RT) and return counts; LookupRows returns at most 2,000 rows
and null when nothing matches (RT).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from emulator import assumptions
from emulator.ampscript.dataext import (
    DE_NAME_MISSING,
    NoSuchDataExtension,
    find_by_name,
    parse_order,
    sort_rows,
    typed_cell,
    where_filter,
)
from emulator.errors import StoreError
from emulator.platform.calls import arity
from emulator.platform.context import PageContext
from emulator.platform.de_values import arrays_only, limit_of, typed_row, where_pairs
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.store.schema import DataExtensionSchema

T = TypeVar("T")
LOOKUP_ROWS_LIMIT = 2000  # OFF, RT: LookupRows returns at most 2,000 rows


class DataExtensionFunctions:
    """The DE members of ``Platform.Function``; the class using it sets ``_context``."""

    _context: PageContext

    def Lookup(self, *args: Any) -> Any:
        """Return ``returnColumn`` of the first match, typed (a date is a date); null if none.

        On the platform an empty field is a CLR null that throws when compared; here it is plain
        null (docs/fidelity.md#lookuprows-values).
        """
        arity(args, 4, 4)
        name, column, where_columns, where_values = args
        schema = self._schema(name)
        field = schema.field(clr_text(column))
        if field is None:
            raise PlatformError(_unknown_field(schema, column))
        found = self._retrieve(schema, "Lookup", where_columns, where_values, limit=1)
        return typed_cell(field, found[0][field.name]) if found else None

    def LookupRows(self, *args: Any) -> list[dict[str, Any]] | None:
        """Return up to 2,000 matching rows, typed like Rows.Lookup; null when none.

        See docs/fidelity.md#de-functions-by-name.
        """
        arity(args, 3, 3)
        name, where_columns, where_values = args
        schema = self._schema(name)
        rows = self._retrieve(schema, "LookupRows", where_columns, where_values,
                              limit=LOOKUP_ROWS_LIMIT)
        return _typed_rows(schema, rows)

    def LookupOrderedRows(self, *args: Any) -> list[dict[str, Any]] | None:
        """Return the first ``count`` matches sorted by ``"Col ASC|DESC"``; null when none."""
        arity(args, 5, 5)
        name, count, order, where_columns, where_values = args
        schema = self._schema(name)
        rows = self._retrieve(schema, "LookupOrderedRows", where_columns, where_values,
                              limit=None)
        try:
            rows = sort_rows(schema, rows, parse_order(schema, clr_text(order)))
        except ValueError as error:
            raise PlatformError(str(error)) from None
        # ASSUMED "lookuprows-values": a count below 1 means 2,000, as in AMPscript (RT).
        return _typed_rows(schema, rows[:limit_of(count, LOOKUP_ROWS_LIMIT)])

    def InsertData(self, *args: Any) -> int:
        """Add one row from column and value arrays; return 1.

        See docs/fidelity.md#de-functions-by-name.
        """
        arity(args, 3, 3)
        name, columns, values = args
        arrays_only(columns, values)
        schema = self._schema(name)
        row = dict(where_pairs("InsertData", columns, values))
        stored = self._store_call(lambda: self._context.store.add_rows(schema.key, [row]))
        self._context.record_rows(schema.key, stored)
        return len(stored)

    def UpdateData(self, *args: Any) -> int:
        """Set columns on the rows matching the where arrays; return how many.

        See docs/fidelity.md#de-functions-by-name.
        """
        arity(args, 5, 5)
        name, where_columns, where_values, columns, values = args
        arrays_only(where_columns, where_values, columns, values)
        schema = self._schema(name)
        criteria = where_filter(where_pairs("UpdateData", where_columns, where_values))
        changes = dict(where_pairs("UpdateData", columns, values))
        updated = self._store_call(
            lambda: self._context.store.update_rows(schema.key, criteria, changes))
        self._context.record_rows(schema.key, updated)
        return len(updated)

    def UpsertData(self, *args: Any) -> int:
        """Update the rows matching the where arrays, or add one row of both; return the count."""
        arity(args, 5, 5)
        name, where_columns, where_values, columns, values = args
        arrays_only(where_columns, where_values, columns, values)
        schema = self._schema(name)
        where = where_pairs("UpsertData", where_columns, where_values)
        changes = dict(where_pairs("UpsertData", columns, values))
        store = self._context.store
        updated = self._store_call(
            lambda: store.update_rows(schema.key, where_filter(where), changes))
        if not updated:
            updated = self._store_call(lambda: store.add_rows(schema.key, [{**dict(where),
                                                                             **changes}]))
        self._context.record_rows(schema.key, updated)
        return len(updated)

    def DeleteData(self, *args: Any) -> int:
        """Delete the rows matching the where arrays; return how many.

        See docs/fidelity.md#de-functions-by-name.
        """
        arity(args, 3, 3)
        name, where_columns, where_values = args
        arrays_only(where_columns, where_values)
        schema = self._schema(name)
        criteria = where_filter(where_pairs("DeleteData", where_columns, where_values))
        return self._store_call(lambda: self._context.store.delete_rows(schema.key, criteria))

    # --- helpers ---------------------------------------------------------------------------------

    def _schema(self, name: Any) -> DataExtensionSchema:
        try:
            return find_by_name(self._context.store, clr_text(name))
        except NoSuchDataExtension:
            raise PlatformError(DE_NAME_MISSING) from None

    def _retrieve(self, schema: DataExtensionSchema, function: str, columns: Any, values: Any,
                  limit: int | None) -> list[dict[str, Any]]:
        criteria = where_filter(where_pairs(function, columns, values))
        return self._store_call(
            lambda: self._context.store.retrieve(schema.key, criteria, limit=limit))

    @staticmethod
    def _store_call(call: Callable[[], T]) -> T:
        try:
            return call()
        except StoreError as error:
            raise PlatformError(error.message) from None


def _unknown_field(schema: DataExtensionSchema, column: Any) -> str:
    return assumptions.DE_UNKNOWN_FIELD.format(field=clr_text(column), key=schema.key)


def _typed_rows(schema: DataExtensionSchema,
                rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    if not rows:
        return None  # no match is null, not [] (docs/fidelity.md#de-functions-by-name)
    # ASSUMED "lookuprows-values": typed like Rows.Lookup, no _CustomObjectKey/_CreatedDate.
    return [typed_row(schema, row) for row in rows]
