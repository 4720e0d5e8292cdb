"""AMPscript Data Extension writes: InsertData, UpdateData, UpsertData, DeleteData and their
``...DE`` twins (docs/fidelity.md#ampscript-de-writes).

They find the DE by name like Lookup, write through the one store with its validation (a
duplicate primary key, an unknown column or a bad value aborts the page, RT), record each row
written for the request journal, and return the number of rows affected. The ``...DE`` forms
are meant for email sends; on a CloudPage they write the same and return empty text (RT for
InsertDE; ASSUMED "de-forms-on-pages" for the others).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.dataext import where_filter
from emulator.ampscript.functions.data import schema_named
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.errors import StoreError
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

T = TypeVar("T")
Pairs = list[tuple[str, str]]


def _pairs(values: tuple[Any, ...]) -> Pairs:
    """Return (column, value text) pairs; a date is stored in its AMPscript text."""
    return [(clr_text(values[i]), clr_text(values[i + 1])) for i in range(0, len(values), 2)]


def _target(run: Runtime, de_name: Any) -> tuple[Store, DataExtensionSchema]:
    schema = schema_named(run, de_name)
    store = run.ctx.store
    assert store is not None  # schema_named found the DE in it
    run.ctx.budget.check()  # a write is page work: past the deadline it does not start
    return store, schema


def _store_call(call: Callable[[], T]) -> T:
    try:
        return call()
    except StoreError as error:
        raise AmpscriptError(error.message) from None


def _record(run: Runtime, schema: DataExtensionSchema, rows: list[dict[str, Any]]) -> None:
    if rows:  # a write that matched nothing leaves no trace in the journal
        run.ctx.record_rows(schema.key, rows)


def _split(function: str, count: Any, pairs: tuple[Any, ...]) -> tuple[Pairs, Pairs]:
    """Split UpdateData/UpsertData pairs into (search pairs, value pairs) by ``count``."""
    searches = arg.integer(count, arg.Param(function, "SearchCount", 2))
    given = len(pairs) // 2
    if not 1 <= searches < given:
        raise AmpscriptError(assumptions.AMPSCRIPT_SEARCH_COUNT.format(
            name=function, count=arg.shown(count), pairs=given))
    every = _pairs(pairs)
    return every[:searches], every[searches:]


def _insert(run: Runtime, de_name: Any, pairs: tuple[Any, ...]) -> int:
    store, schema = _target(run, de_name)
    stored = _store_call(lambda: store.add_rows(schema.key, [dict(_pairs(pairs))]))
    _record(run, schema, stored)
    return len(stored)


def _update(run: Runtime, function: str, de_name: Any, count: Any,
            pairs: tuple[Any, ...]) -> int:
    searches, values = _split(function, count, pairs)
    store, schema = _target(run, de_name)
    updated = _store_call(
        lambda: store.update_rows(schema.key, where_filter(searches), dict(values)))
    _record(run, schema, updated)
    return len(updated)


def _upsert(run: Runtime, function: str, de_name: Any, count: Any,
            pairs: tuple[Any, ...]) -> int:
    searches, values = _split(function, count, pairs)
    store, schema = _target(run, de_name)
    written = _store_call(
        lambda: store.update_rows(schema.key, where_filter(searches), dict(values)))
    if not written:  # OFF: no row matches the search pairs: one row of both is added
        written = _store_call(lambda: store.add_rows(schema.key, [{**dict(searches),
                                                                   **dict(values)}]))
    _record(run, schema, written)
    return len(written)


def _delete(run: Runtime, de_name: Any, pairs: tuple[Any, ...]) -> int:
    store, schema = _target(run, de_name)
    return _store_call(lambda: store.delete_rows(schema.key, where_filter(_pairs(pairs))))


@ampscript_function("InsertData", args=(3, None), pairs_after=1, tag="OFF, RT")
def insert_data(run: Runtime, de_name: Any, *pairs: Any) -> int:
    """Add one row of (column, value) pairs; return 1 (a duplicate primary key aborts, RT)."""
    return _insert(run, de_name, pairs)


@ampscript_function("UpdateData", args=(6, None), pairs_after=2, tag="OFF, RT")
def update_data(run: Runtime, de_name: Any, count: Any, *pairs: Any) -> int:
    """Set the value pairs on rows matching the first ``count`` pairs; return how many (RT)."""
    return _update(run, "UpdateData", de_name, count, pairs)


@ampscript_function("UpsertData", args=(6, None), pairs_after=2, tag="OFF, RT")
def upsert_data(run: Runtime, de_name: Any, count: Any, *pairs: Any) -> int:
    """Update the rows matching the search pairs, or add one row of all pairs; return the count."""
    return _upsert(run, "UpsertData", de_name, count, pairs)


@ampscript_function("DeleteData", args=(3, None), pairs_after=1, tag="OFF, RT")
def delete_data(run: Runtime, de_name: Any, *pairs: Any) -> int:
    """Delete the rows matching every pair; return how many (0 when none, RT)."""
    return _delete(run, de_name, pairs)


@ampscript_function("InsertDE", args=(3, None), pairs_after=1, tag="RT")
def insert_de(run: Runtime, de_name: Any, *pairs: Any) -> str:
    """Add a row like InsertData; return empty text (RT on a CloudPage)."""
    _insert(run, de_name, pairs)
    return ""


@ampscript_function("UpdateDE", args=(6, None), pairs_after=2, tag="OFF; on pages ASSUMED")
def update_de(run: Runtime, de_name: Any, count: Any, *pairs: Any) -> str:
    """Update like UpdateData; return empty text."""
    _update(run, "UpdateDE", de_name, count, pairs)
    return ""


@ampscript_function("UpsertDE", args=(6, None), pairs_after=2, tag="OFF; on pages ASSUMED")
def upsert_de(run: Runtime, de_name: Any, count: Any, *pairs: Any) -> str:
    """Upsert like UpsertData; return empty text."""
    _upsert(run, "UpsertDE", de_name, count, pairs)
    return ""


@ampscript_function("DeleteDE", args=(3, None), pairs_after=1, tag="OFF; on pages ASSUMED")
def delete_de(run: Runtime, de_name: Any, *pairs: Any) -> str:
    """Delete like DeleteData; return empty text."""
    _delete(run, de_name, pairs)
    return ""
