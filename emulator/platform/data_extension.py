"""``DataExtension.Init(key).Rows``: Data Extension access from a page.

fidelity.md "Data Extensions": Init binds by external key and never throws (OFF, RT); Rows.Add
returns the count added (RT); Rows.Retrieve returns at most 2,500 rows, every value a string
(OFF, RT). Store rule violations become the catchable exceptions a page sees.
"""

from __future__ import annotations

from typing import Any

from emulator import assumptions
from emulator.errors import StoreError
from emulator.platform.context import PageContext
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.js import UNDEFINED

RETRIEVE_LIMIT = 2500  # OFF: "Retrieves up to 2500 rows"
RETRIEVE_POSITIONAL = "There was an error retrieving the rows."  # RT (sfmc-facts 3.13)
ADD_NOT_OBJECT = assumptions.DE_ADD_NOT_OBJECT


class DataExtensionFactory:
    """The global ``DataExtension`` object: ``Init`` is its only member used by pages."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Init(self, key: Any) -> DataExtensionObject:  # noqa: N802 (SSJS name)
        # Binding is lazy: a missing key only fails when its rows are touched (RT).
        return DataExtensionObject(clr_text(key), self._context)


class DataExtensionObject:
    """What ``DataExtension.Init`` returns."""

    def __init__(self, key: str, context: PageContext) -> None:
        self.key = key
        self.Rows = Rows(key, context)


class Rows:
    """``DataExtension.Init(key).Rows``."""

    def __init__(self, key: str, context: PageContext) -> None:
        self._key = key
        self._context = context

    def Add(self, rows: Any) -> int:  # noqa: N802 (SSJS name)
        items = rows if isinstance(rows, list) else [rows]
        if not all(isinstance(item, dict) for item in items):
            raise PlatformError(ADD_NOT_OBJECT)
        # ASSUMED "text-clr-value": non-strings are stored as their CLR text, null/undefined empty.
        text_rows = [{name: clr_text(value) for name, value in item.items()} for item in items]
        try:
            stored = self._context.store.add_rows(self._key, text_rows)
        except StoreError as error:
            raise PlatformError(error.message) from None
        self._context.record_rows(self._key, stored)
        return len(stored)

    def Retrieve(self, filter: Any = UNDEFINED, *extra: Any) -> list[dict[str, str]]:  # noqa: N802, A002
        if extra or not (filter is UNDEFINED or filter is None or isinstance(filter, dict)):
            raise PlatformError(RETRIEVE_POSITIONAL)
        criteria = filter if isinstance(filter, dict) else None
        try:
            # The store refuses undefined, null, object and array Values (ASSUMED
            # "filter-value-types") and bounds hostile filters itself.
            found = self._context.store.retrieve(self._key, criteria, limit=RETRIEVE_LIMIT)
        except StoreError as error:
            raise PlatformError(error.message) from None
        # RT: every value comes back as a string; an empty field is "".
        return [{name: "" if value is None else str(value) for name, value in row.items()}
                for row in found]

