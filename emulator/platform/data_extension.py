"""``DataExtension.Init(key).Rows``: Data Extension access from a page.

docs/fidelity.md#de-init: Init binds by external key and never throws (OFF, RT); Rows.Add
returns the count added (RT); Rows.Retrieve returns at most 2,500 rows, every value a string
(OFF, RT); Rows.Lookup returns typed values, dates as ISO text, null when nothing matches (RT);
Rows.Update and Rows.Remove return counts, 0 when nothing matches (RT). Store rule violations
become the catchable exceptions a page sees.
"""

from __future__ import annotations

from typing import Any

from emulator import assumptions
from emulator.ampscript.dataext import parse_order, sort_rows, where_filter
from emulator.errors import StoreError
from emulator.platform.calls import arity, padded
from emulator.platform.context import PageContext
from emulator.platform.core_objects import retrieve_data_extensions
from emulator.platform.de_values import limit_of, row_texts, text_row, typed_row, where_pairs
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.js import is_nullish
from emulator.script.undefined import UNDEFINED
from emulator.units.visibility import page_key

RETRIEVE_LIMIT = 2500  # OFF: "Retrieves up to 2500 rows"
# docs/fidelity.md#retrieve-positional
RETRIEVE_POSITIONAL = "There was an error retrieving the rows."
ADD_NOT_OBJECT = assumptions.DE_ADD_NOT_OBJECT


class DataExtensionFactory:
    """The global ``DataExtension`` object: ``Init`` and ``Retrieve``."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Init(self, key: Any) -> DataExtensionObject:
        # Binding is lazy: a missing key only fails when its rows are touched (RT). The key is
        # the page unit's, or a shared DE's (docs/fidelity.md#business-units).
        text = clr_text(key)
        return DataExtensionObject(text, self._context, page_key(self._context.store, text))

    def Retrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Return the DE definitions matching a filter (docs/fidelity.md#core-de-retrieve)."""
        return retrieve_data_extensions(self._context, *args)


class DataExtensionObject:
    """What ``DataExtension.Init`` returns."""

    def __init__(self, key: str, context: PageContext, table: str | None = None) -> None:
        self.key = key
        self.Rows = Rows(key if table is None else table, context)


class Rows:
    """``DataExtension.Init(key).Rows``."""

    def __init__(self, key: str, context: PageContext) -> None:
        self._key = key
        self._context = context

    def Add(self, rows: Any) -> int:
        items = rows if isinstance(rows, list) else [rows]
        if not all(isinstance(item, dict) for item in items):
            raise PlatformError(ADD_NOT_OBJECT)
        text_rows = [row_texts(item) for item in items]
        try:
            stored = self._context.store.add_rows(self._key, text_rows)
        except StoreError as error:
            raise PlatformError(error.message) from None
        self._context.record_rows(self._key, stored)
        return len(stored)

    def Retrieve(self, filter: Any = UNDEFINED, *extra: Any) -> list[dict[str, str]]:
        if extra or not (filter is UNDEFINED or filter is None or isinstance(filter, dict)):
            raise PlatformError(RETRIEVE_POSITIONAL)
        criteria = filter if isinstance(filter, dict) else None
        try:
            # The store refuses undefined, null, object and array Values (ASSUMED
            # "filter-value-types") and bounds hostile filters itself.
            schema = self._context.store.schema(self._key)
            found = self._context.store.retrieve(self._key, criteria, limit=RETRIEVE_LIMIT)
        except StoreError as error:
            raise PlatformError(error.message) from None
        # RT: every value comes back as a string ("42", "True", "1/15/2024 12:00:00 AM"); an
        # empty field is "".
        return [text_row(schema, row) for row in found]

    def Lookup(self, *args: Any) -> list[dict[str, Any]] | None:
        """Return the rows matching every (field, value) pair, typed; null when none
        (docs/fidelity.md#rows-lookup-typed).

        ``limit`` may be numeric text (RT); ``orderBy`` is a field, optionally ``DESC``
        (ASSUMED "rows-lookup").
        """
        arity(args, 2, 4)
        fields, values, limit, order_by = padded(args, 4, UNDEFINED)
        most = limit_of(limit, assumptions.ROWS_LOOKUP_DEFAULT_LIMIT)
        ordered = not is_nullish(order_by)
        try:
            schema = self._context.store.schema(self._key)
            criteria = where_filter(where_pairs("Rows.Lookup", fields, values))
            # Sorting needs every match; without an order the store stops at the limit.
            found = self._context.store.retrieve(self._key, criteria,
                                                 limit=None if ordered else most)
            if ordered:
                found = sort_rows(schema, found, parse_order(schema, clr_text(order_by)))[:most]
        except StoreError as error:
            raise PlatformError(error.message) from None
        except ValueError as error:
            raise PlatformError(str(error)) from None
        if not found:
            return None  # RT: no match is null, not []
        return [typed_row(schema, row) for row in found]

    def Update(self, *args: Any) -> int:
        """Set ``values`` on the rows matching every pair; return how many, 0 if none.

        See docs/fidelity.md#rows-update-remove.
        """
        arity(args, 3, 3)
        values, fields, where_values = args
        if not isinstance(values, dict):
            raise PlatformError(assumptions.DE_ADD_NOT_OBJECT)
        criteria = where_filter(where_pairs("Rows.Update", fields, where_values))
        try:
            updated = self._context.store.update_rows(self._key, criteria, row_texts(values))
        except StoreError as error:
            raise PlatformError(error.message) from None
        self._context.record_rows(self._key, updated)
        return len(updated)

    def Remove(self, *args: Any) -> int:
        """Delete the rows matching every pair; return how many.

        See docs/fidelity.md#rows-update-remove.
        """
        arity(args, 2, 2)
        criteria = where_filter(where_pairs("Rows.Remove", *args))
        try:
            return self._context.store.delete_rows(self._key, criteria)
        except StoreError as error:
            raise PlatformError(error.message) from None

