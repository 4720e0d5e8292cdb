"""The Data Extension API's reads and clear (no HTTP here): list by ``$search``, fields, clear.

docs/fidelity.md#rest-customobjects: ``{id}`` is the DE's ObjectID; anything that is not a GUID
answers 400 "Id is invalid", a GUID no visible DE has 404 errorcode 30003.
"""

from __future__ import annotations

import re
from typing import Any

from emulator import assumptions
from emulator.objects.dataextensions import object_id
from emulator.rest import rowsets
from emulator.rest.errors import RestError, rest_error
from emulator.store.schema import Field
from emulator.store.store import Store
from emulator.units.registry import units_of
from emulator.units.visibility import visible_tables

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
#: Items a list page holds when ``$pageSize`` is not given, and at most.
LIST_PAGE_SIZE = 25
LIST_MAX_PAGE_SIZE = 500


def table_for(store: Store, mid: int, given: str) -> str:
    """Return the table of the DE whose ObjectID is ``given``; raise the 400 or the 404."""
    if not _GUID.fullmatch(given.strip()):
        raise rest_error(400, 10000, assumptions.REST_CO_ID_INVALID)
    table = rowsets.table_for_id(store, mid, given)
    if table is None:
        raise rowsets.missing_id(given)
    return table


def search(store: Store, mid: int, text: str | None, page: int, page_size: int
           ) -> dict[str, Any]:
    """Return a page of the DEs whose name or key holds ``text`` (any case)."""
    if text is None or not text.strip():
        raise rest_error(400, 10002, assumptions.REST_CO_SEARCH_REQUIRED)
    wanted = text.strip().casefold()
    units = units_of(store)
    found = []
    for table in visible_tables(store, units, mid) if units.known(mid) else ():
        schema = store.schema(table)
        key = rowsets.key_of(table)
        if wanted in schema.name.casefold() or wanted in key.casefold():
            found.append((table, schema.name, key))
    start = (page - 1) * page_size
    items = [{"id": object_id(table), "name": name, "key": key, "rowCount": store.count(table)}
             for table, name, key in found[start:start + page_size]]
    links: dict[str, str] = {"self": f"/v1/customobjects?$search={text}&$page={page}"}
    if start + page_size < len(found):
        links["next"] = f"/v1/customobjects?$search={text}&$page={page + 1}"
    return {"count": len(found), "page": page, "pageSize": page_size, "links": links,
            "items": items}


def fields(store: Store, table: str) -> dict[str, Any]:
    """Return ``{id, fields: [...]}`` in the DE's column order."""
    schema = store.schema(table)
    return {"id": object_id(table),
            "fields": [_field(field, ordinal) for ordinal, field in enumerate(schema.fields)]}


def _field(field: Field, ordinal: int) -> dict[str, Any]:
    return {"name": field.name, "type": field.type,
            "length": field.precision if field.type == "Decimal" else field.length,
            "scale": field.scale if field.type == "Decimal" else None,
            "isNullable": field.nullable, "isPrimaryKey": field.primary_key,
            "ordinal": ordinal}


def clear(store: Store, table: str) -> int:
    """Remove every row of ``table``; return how many went."""
    return store.delete_rows(table, None)


def whole(name: str, given: str | None, default: int, most: int) -> int:
    """Return a paging parameter as a whole number from 1 to ``most``; raise the 400."""
    if given is None:
        return default
    text = given.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        raise _bad_whole(name, most, given)
    return int(text)


def _bad_whole(name: str, most: int, given: str) -> RestError:
    return rest_error(400, 10005, assumptions.REST_BAD_WHOLE.format(name=name, most=most,
                                                                    value=given[:40]))
