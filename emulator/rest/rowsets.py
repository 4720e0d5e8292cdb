"""Read Data Extension rows as the REST rowset route answers them (no HTTP here).

docs/fidelity.md#rest-rowset-envelope: ``links, requestToken, tokenExpireDateUtc,
customObjectId, customObjectKey, pageSize, page, count, top`` then ``items`` — no ``items`` key
at all when the page holds no row; ``count`` is the total of matching rows; each item is
``{"keys": {...}, "values": {...}}`` with lower-cased column names, the primary-key columns in
``keys`` and the others in ``values``, every value a string (docs/fidelity.md#rest-rowset-values).
Links are relative to ``/data`` and name the continuation token.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import islice
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from emulator import assumptions
from emulator.objects.dataextensions import object_id
from emulator.rest.errors import RestError, not_found, rest_error
from emulator.rest.rowfilter import FilterSyntaxError, compile_rest_filter
from emulator.script.clr import clr_text
from emulator.store.schema import DataExtensionSchema, Field
from emulator.store.store import Store
from emulator.store.types import comparison_key, retrieve_text
from emulator.units.registry import split_table, units_of
from emulator.units.visibility import visible_tables

#: Rows a page holds at most, and when ``$pageSize`` is not given
#: (docs/fidelity.md#rest-rowset-page-size).
MAX_PAGE_SIZE = assumptions.REST_ROWSET_MAX_PAGE_SIZE
DEFAULT_PAGE_SIZE = assumptions.REST_ROWSET_DEFAULT_PAGE_SIZE
#: How long a continuation token answers (docs/fidelity.md#rest-rowset-token).
TOKEN_LIFETIME = timedelta(minutes=assumptions.REST_ROWSET_TOKEN_MINUTES)
#: Continuation tokens kept; past it the oldest go (a client paging forever cannot grow it).
TOKENS_KEPT = 1000
_PARAMETERS = ("$page", "$pagesize", "$filter", "$orderby", "$fields")


# --- which Data Extension a key or an id names ---------------------------------------------------


def table_for_key(store: Store, mid: int, key: str) -> str | None:
    """Return the store table the DE ``key`` names for a token of unit ``mid``, or None.

    docs/fidelity.md#rest-de-visibility: the unit's own DE first, then a DE of another unit
    that sits in a shared folder; nothing for a unit the store does not know.
    """
    units = units_of(store)
    if not units.known(mid):
        return None
    own = units.table(mid, key)
    if store.has(own):
        return own
    if not units.several:
        return None
    for table in visible_tables(store, units, mid):
        if split_table(table)[1] == key:
            return table
    return None


def table_for_id(store: Store, mid: int, object_id_text: str) -> str | None:
    """Return the store table whose DE has the ObjectID ``object_id_text`` (any case), or None."""
    units = units_of(store)
    if not units.known(mid):
        return None
    wanted = object_id_text.strip().lower()
    for table in visible_tables(store, units, mid):
        if object_id(table) == wanted:
            return table
    return None


def key_of(table: str) -> str:
    """Return the DE's external key (a unit's table is ``<MID>/<key>``)."""
    return split_table(table)[1]


def missing_key(key: str) -> RestError:
    """Return the 404 for a key no visible DE has (docs/fidelity.md#rest-de-not-found)."""
    return not_found(assumptions.REST_DE_KEY_MISSING.format(key=key))


def missing_id(given: str) -> RestError:
    """Return the 404 for an id no visible DE has (docs/fidelity.md#rest-de-not-found)."""
    return not_found(assumptions.REST_DE_ID_MISSING.format(id=given))


# --- the query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowsetQuery:
    """What a rowset request asks: page, page size, and the filter, order and fields as given."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    filter: str | None = None
    order_by: str | None = None
    fields: str | None = None


def parse_query(pairs: Iterable[tuple[str, str]]) -> RowsetQuery:
    """Return the query of the request's parameters; names in any case; raise RestError 400.

    Other parameters are ignored (docs/fidelity.md#rest-rowset-parameters).
    """
    given: dict[str, str] = {}
    for name, value in pairs:
        folded = name.lower()
        if folded in _PARAMETERS:
            given[folded] = value  # the last one wins, as a query string's usually does
    page = _whole(given, "$page", 1)
    size = _whole(given, "$pagesize", DEFAULT_PAGE_SIZE)
    # docs/fidelity.md#rest-rowset-page-size: more than the most is the most.
    return RowsetQuery(page=page, page_size=min(size, MAX_PAGE_SIZE),
                       filter=given.get("$filter"), order_by=given.get("$orderby"),
                       fields=given.get("$fields"))


def _whole(given: Mapping[str, str], name: str, default: int) -> int:
    text = given.get(name)
    if text is None:
        return default
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or int(stripped) < 1:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise rest_error(400, 10005, assumptions.REST_BAD_WHOLE.format(name=name, value=shown,
                                                                       most=MAX_PAGE_SIZE))
    return int(stripped)


# --- continuation tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class Continuation:
    """What a continuation token stands for: the unit, the table and the query (any page)."""

    mid: int
    table: str
    query: RowsetQuery
    expires_at: datetime  # UTC, on the emulator's clock


class RowsetTokens:
    """Continuation tokens handed out by rowset reads; a checkpointed part of the state."""

    def __init__(self) -> None:
        self._tokens: OrderedDict[str, Continuation] = OrderedDict()
        self._saved: OrderedDict[str, Continuation] = OrderedDict()
        self._changed = False

    def issue(self, token: str, continuation: Continuation) -> None:
        """Keep ``token`` for ``continuation``, dropping the oldest past TOKENS_KEPT."""
        self._tokens[token] = continuation
        self._changed = True
        while len(self._tokens) > TOKENS_KEPT:
            self._tokens.popitem(last=False)

    def find(self, token: str, mid: int, now: datetime) -> Continuation | None:
        """Return the live continuation of ``token`` for unit ``mid``, or None."""
        found = self._tokens.get(token.strip().lower())
        if found is None or found.mid != mid or now >= found.expires_at:
            return None
        return found

    def __len__(self) -> int:
        return len(self._tokens)

    def clear(self) -> None:
        """Forget every token (a reset)."""
        self._tokens.clear()
        self._changed = True

    def checkpoint(self) -> None:
        self._saved = OrderedDict(self._tokens)
        self._changed = False

    def rollback(self) -> None:
        if self._changed:
            self._tokens = OrderedDict(self._saved)
            self._changed = False


# --- the answer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str  # as the schema spells it
    label: str  # lower-cased: how the rowset names it
    render: Callable[[list[Any]], list[str]]  # a page's cells of this column, written


def _renderer(field: Field) -> Callable[[list[Any]], list[str]]:
    """Return how a column's stored cells are written (docs/fidelity.md#rest-rowset-values).

    Column by column, in comprehensions: a page is thousands of cells.
    """
    if field.type == "Date":
        def dates(cells: list[Any]) -> list[str]:
            seen: dict[Any, str] = {}  # a column repeats its dates; each is written once
            out = []
            for cell in cells:
                text = seen.get(cell)
                if text is None:
                    text = seen[cell] = retrieve_text(field, cell)
                out.append(text)
            return out

        return dates
    if field.type == "Boolean":
        return lambda cells: ["" if c is None else ("True" if c else "False") for c in cells]
    if field.type == "Number":
        return lambda cells: ["" if c is None else str(c) for c in cells]
    return lambda cells: ["" if c is None else c if c.__class__ is str else clr_text(c)
                          for c in cells]


def _columns(schema: DataExtensionSchema, fields: str | None) -> tuple[list[_Column],
                                                                       list[_Column]]:
    """Return the key columns and the value columns a page writes (``$fields`` picks values)."""
    chosen: set[str] | None = None
    if fields is not None:
        chosen = set()
        for name in (part.strip() for part in fields.split(",")):
            field = schema.field(name) if name else None
            if field is None:
                raise _bad_column("$fields", name, schema)
            chosen.add(field.name)
    keys, values = [], []
    for field in schema.fields:
        column = _Column(field.name, field.name.lower(), _renderer(field))
        if field.primary_key:
            keys.append(column)  # docs/fidelity.md#rest-rowset-fields: keys always come
        elif chosen is None or field.name in chosen:
            values.append(column)
    return keys, values


def _bad_column(parameter: str, name: str, schema: DataExtensionSchema) -> RestError:
    known = ", ".join(schema.field_names)
    return rest_error(400, 10005, assumptions.REST_UNKNOWN_COLUMN.format(
        parameter=parameter, name=name[:100], key=schema.key, known=known))


def _ordering(schema: DataExtensionSchema, order_by: str) -> list[tuple[Field, bool]]:
    """Return (field, descending) for each part of ``$orderBy`` (``Col [asc|desc]``, commas)."""
    ordering = []
    for part in order_by.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise rest_error(400, 10005, assumptions.REST_BAD_ORDER.format(value=part[:100]))
        field = schema.field(words[0])
        if field is None:
            raise _bad_column("$orderBy", words[0], schema)
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise rest_error(400, 10005, assumptions.REST_BAD_ORDER.format(value=part[:100]))
        ordering.append((field, direction == "desc"))
    return ordering


def _sorted(rows: list[Mapping[str, Any]], ordering: list[tuple[Field, bool]]
            ) -> list[Mapping[str, Any]]:
    # Stable sorts, last key first; empty cells come first ascending (as SQL Server sorts NULL).
    for field, descending in reversed(ordering):
        name = field.name

        def sort_key(row: Mapping[str, Any], field: Field = field, name: str = name) -> Any:
            key = comparison_key(field, row.get(name))
            return (0, "") if key is None else (1, key)

        rows.sort(key=sort_key, reverse=descending)
    return rows


def select(store: Store, table: str, query: RowsetQuery
           ) -> tuple[list[Mapping[str, Any]], int]:
    """Return the stored rows of the query's page and the count of matching rows."""
    schema = store.schema(table)
    predicate = None
    if query.filter is not None:
        try:
            predicate = compile_rest_filter(schema, query.filter)
        except FilterSyntaxError as error:
            raise rest_error(400, 10003, error.message) from None
    ordering = _ordering(schema, query.order_by) if query.order_by is not None else None
    start = (query.page - 1) * query.page_size
    if ordering is None:
        return store.scan(table, predicate, start, query.page_size)
    matching, count = store.scan(table, predicate)
    return list(islice(_sorted(matching, ordering), start, start + query.page_size)), count


def rowset(store: Store, table: str, query: RowsetQuery, token: str, expires_at: datetime
           ) -> bytes:
    """Return the JSON body of one rowset page (docs/fidelity.md#rest-rowset-envelope)."""
    schema = store.schema(table)
    keys, values = _columns(schema, query.fields)
    rows, count = select(store, table, query)
    base = f"/v1/customobjectdata/token/{token}/rowset?$page="
    links = {"self": f"{base}{query.page}"}
    if query.page > 1:
        links["previous"] = f"{base}{query.page - 1}"  # docs/fidelity.md#rest-rowset-token
    if query.page * query.page_size < count:
        links["next"] = f"{base}{query.page + 1}"
    body: dict[str, Any] = {
        "links": links, "requestToken": token,
        "tokenExpireDateUtc": expires_at.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{expires_at.microsecond // 1000:03d}",
        "customObjectId": object_id(table), "customObjectKey": key_of(table),
        "pageSize": query.page_size, "page": query.page, "count": count, "top": 0,
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if rows:  # no items key at all for a page without rows
        text = f'{text[:-1]},"items":[{_items_json(rows, keys, values)}]}}'
    return text.encode("utf-8")


def _items_json(rows: list[Mapping[str, Any]], keys: list[_Column], values: list[_Column]
                ) -> str:
    """Return the page's items as JSON text, built column by column.

    Each column's cells are rendered and encoded in one pass; an item is then one ``%`` of a
    template holding the encoded labels: a page of thousands of cells costs a few passes of
    C-level string work, not a dict per item.
    """
    def members(columns: list[_Column]) -> str:
        return ",".join(encode_basestring(c.label).replace("%", "%%") + ":%s" for c in columns)

    template = '{"keys":{' + members(keys) + '},"values":{' + members(values) + "}}"
    columns = [list(map(encode_basestring, column.render([row.get(column.name) for row in rows])))
               for column in (*keys, *values)]
    if not columns:
        return ",".join([template] * len(rows))
    return ",".join([template % cells for cells in zip(*columns, strict=True)])


def read(store: Store, tokens: RowsetTokens, *, mid: int, table: str, query: RowsetQuery,
         new_token: Callable[[], str], now: datetime) -> bytes:
    """Answer a rowset read by key or id: a new continuation token for this query."""
    token = new_token().lower()
    expires_at = now + TOKEN_LIFETIME
    body = rowset(store, table, query, token, expires_at)  # refused queries keep no token
    tokens.issue(token, Continuation(mid, table, replace(query, page=1), expires_at))
    return body


def read_token(store: Store, tokens: RowsetTokens, *, mid: int, token: str,
               pairs: Iterable[tuple[str, str]], now: datetime) -> bytes:
    """Answer the continuation route: the token's query at the requested ``$page``."""
    found = tokens.find(token, mid, now)
    if found is None or not store.has(found.table):
        raise not_found(assumptions.REST_ROWSET_TOKEN_MISSING.format(token=token[:100]))
    query = replace(found.query, page=parse_query(pairs).page)  # only $page is read here
    return rowset(store, found.table, query, token.strip().lower(), found.expires_at)
