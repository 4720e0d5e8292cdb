"""The synchronous Data Extension row routes: rowset reads and the hub writes.

Each view checks the bearer token first (its scope before the key or the body,
docs/fidelity.md#rest-scope), finds the DE the token's unit sees, and hands the rest to
``emulator.rest.rowsets`` / ``emulator.rest.hub``. Rows a write kept are journaled as a page's
writes are.
"""

from __future__ import annotations

from flask import Response, request

from emulator.pages.runner import PageResult
from emulator.rest import hub, rowsets
from emulator.rest.tokens import TokenGrant
from emulator.runtime import get_emulator
from emulator.web.journaling import RESULT_KEY
from emulator.web.rest import json_response, rest
from emulator.web.rest.auth import require_token
from emulator.web.rest.bodies import json_body
from emulator.web.rest.openapi import REST_ROUTES, SCHEMAS, RestRoute

READ, WRITE = "data_extensions_read", "data_extensions_write"


def _table(scope: str, key: str, object_id: str) -> tuple[TokenGrant, str]:
    """Check the token for ``scope``; return it and the table of the DE at ``key`` or id."""
    grant = require_token(scope)
    store = get_emulator().store
    if key:
        table = rowsets.table_for_key(store, grant.mid, key)
        if table is None:
            raise rowsets.missing_key(key)
    else:
        table = rowsets.table_for_id(store, grant.mid, object_id)
        if table is None:
            raise rowsets.missing_id(object_id)
    return grant, table


# --- reads ---------------------------------------------------------------------------------------


def _read(grant: TokenGrant, table: str) -> Response:
    emulator = get_emulator()
    query = rowsets.parse_query(request.args.items(multi=True))
    body = rowsets.read(emulator.store, emulator.rowset_tokens, mid=grant.mid, table=table,
                        query=query, new_token=emulator.clock.new_guid,
                        now=emulator.clock.now_utc())
    return json_response(body)


# Each route stands at the DE's key and at its ObjectID: one view, both endpoint names.
@rest.get("/data/v1/customobjectdata/key/<key>/rowset", endpoint="rowset_by_key")
@rest.get("/data/v1/customobjectdata/<object_id>/rowset", endpoint="rowset_by_id")
def rowset(key: str = "", object_id: str = "") -> Response:
    return _read(*_table(READ, key, object_id))


@rest.get("/data/v1/customobjectdata/token/<token>/rowset")
def rowset_by_token(token: str) -> Response:
    grant = require_token(READ)
    emulator = get_emulator()
    body = rowsets.read_token(emulator.store, emulator.rowset_tokens, mid=grant.mid,
                              token=token, pairs=list(request.args.items(multi=True)),
                              now=emulator.clock.now_utc())
    return json_response(body)


# --- writes --------------------------------------------------------------------------------------


def _body() -> object:
    """Return the request's JSON; a body over the limit is refused before it is read."""
    return json_body(hub.MAX_BODY_BYTES)


def _written(table: str, written: hub.Written) -> Response:
    key = rowsets.key_of(table)
    request.environ[RESULT_KEY] = PageResult(
        200, [], b"", rows_written=[{"dataExtension": key, "row": row} for row in written.rows])
    if not written.body:
        return Response(b"", status=200)
    return json_response(written.body)


def _post_rowset(table: str) -> Response:
    store = get_emulator().store
    body = _body()
    rows = hub.rowset_rows(store.schema(table), body)
    stored = hub.upsert(store, table, rows)
    return _written(table, hub.Written(hub.echo(body), stored))


@rest.post("/hub/v1/dataevents/key:<key>/rowset", endpoint="hub_rowset_by_key")
@rest.post("/hub/v1/dataevents/<object_id>/rowset", endpoint="hub_rowset_by_id")
def hub_rowset(key: str = "", object_id: str = "") -> Response:
    _, table = _table(WRITE, key, object_id)
    return _post_rowset(table)


@rest.put("/hub/v1/dataevents/key:<key>/rows/<row>", endpoint="hub_row_by_key")
@rest.put("/hub/v1/dataevents/<object_id>/rows/<row>", endpoint="hub_row_by_id")
def hub_row(row: str, key: str = "", object_id: str = "") -> Response:
    _, table = _table(WRITE, key, object_id)
    return _written(table, hub.put_row(get_emulator().store, table, row, _body()))


@rest.put("/hub/v1/dataevents/key:<key>/rows/<row>/column/<column>/increment",
          endpoint="increment_by_key")
@rest.put("/hub/v1/dataevents/<object_id>/rows/<row>/column/<column>/increment",
          endpoint="increment_by_id")
def increment(row: str, column: str, key: str = "", object_id: str = "") -> Response:
    _, table = _table(WRITE, key, object_id)
    return _written(table, hub.increment(get_emulator().store, table, row, column,
                                         request.args.get("step")))


# --- the routes in GET /_emulator/rest-openapi.json ----------------------------------------------

_KEY = ("key", "path", "The Data Extension's external key (CustomerKey)")
_ID = ("object_id", "path", "The Data Extension's ObjectID")
_ROW = ("row", "path", "The primary key as Column:value (several: Col1:v1,Col2:v2)")
_PAGE = (("$page", "query", "The page, from 1"),
         ("$pageSize", "query", "Rows a page, 1 to 2500 (default 2500); names in any case"),
         ("$filter", "query", "e.g. Age gt 26 and Name like 'an'"),
         ("$orderBy", "query", "Column [asc|desc], several separated by commas"),
         ("$fields", "query", "The value columns to answer, separated by commas"))
_COLUMN = ("column", "path", "A Number or Decimal column")
_STEP = ("step", "query", "A whole number, default 1")
_READ_ANSWERS = {200: "Rowset", 400: "Error", 404: "Error"}
_ROW_ANSWERS = {200: "HubRow", 400: "Error", 404: "Error", 413: "Error"}
_INCREMENT_ANSWERS = {200: "Empty", 400: "Error", 404: "Error"}
_WRITE_ANSWERS = {200: "HubRowset", 400: "Error", 404: "Error", 413: "Error"}
SCHEMAS.update({
    "Rowset": {
        "type": "object",
        "required": ["links", "requestToken", "tokenExpireDateUtc", "customObjectId",
                     "customObjectKey", "pageSize", "page", "count", "top"],
        "properties": {
            "links": {"type": "object", "properties": {"self": {"type": "string"},
                                                       "next": {"type": "string"},
                                                       "previous": {"type": "string"}}},
            "requestToken": {"type": "string"}, "tokenExpireDateUtc": {"type": "string"},
            "customObjectId": {"type": "string"}, "customObjectKey": {"type": "string"},
            "pageSize": {"type": "integer"}, "page": {"type": "integer"},
            "count": {"type": "integer"}, "top": {"type": "integer"},
            "items": {"type": "array", "description": "Absent when the page has no row.",
                      "items": {"$ref": "#/components/schemas/HubRow"}}}},
    "HubRow": {"type": "object", "properties": {"keys": {"type": "object"},
                                                "values": {"type": "object"}}},
    "HubRowset": {"type": "array", "items": {"$ref": "#/components/schemas/HubRow"}},
    "HubValues": {"type": "object", "properties": {"values": {"type": "object"}}},
    "Empty": {"description": "An empty body", "type": "string", "maxLength": 0},
})
REST_ROUTES.extend([
    RestRoute("GET", "/data/v1/customobjectdata/key/{key}/rowset", "Read a page of a Data "
              "Extension's rows", _READ_ANSWERS, READ, (_KEY, *_PAGE),
              operation_id="rowset_by_key"),
    RestRoute("GET", "/data/v1/customobjectdata/{object_id}/rowset", "Read a page of a Data "
              "Extension's rows, by its ObjectID", _READ_ANSWERS, READ, (_ID, *_PAGE),
              operation_id="rowset_by_id"),
    RestRoute("GET", "/data/v1/customobjectdata/token/{token}/rowset", "Read another page of "
              "a rowset read (links.next, after /data)", _READ_ANSWERS, READ,
              (("token", "path", "The requestToken of a rowset page"), _PAGE[0]),
              operation_id="rowset_by_token"),
    RestRoute("POST", "/hub/v1/dataevents/key:{key}/rowset", "Upsert rows, all or nothing; "
              "answers the body as sent (at most 5 MiB)", _WRITE_ANSWERS, WRITE, (_KEY,),
              body="HubRowset", operation_id="hub_rowset_by_key"),
    RestRoute("POST", "/hub/v1/dataevents/{object_id}/rowset", "Upsert rows by the DE's ObjectID",
              _WRITE_ANSWERS, WRITE, (_ID,), body="HubRowset", operation_id="hub_rowset_by_id"),
    RestRoute("PUT", "/hub/v1/dataevents/key:{key}/rows/{row}", "Upsert one row; answers "
              "its keys and values", _ROW_ANSWERS, WRITE, (_KEY, _ROW), body="HubValues",
              operation_id="hub_row_by_key"),
    RestRoute("PUT", "/hub/v1/dataevents/{object_id}/rows/{row}", "Upsert one row by the DE's "
              "ObjectID", _ROW_ANSWERS, WRITE, (_ID, _ROW), body="HubValues",
              operation_id="hub_row_by_id"),
    RestRoute("PUT", "/hub/v1/dataevents/key:{key}/rows/{row}/column/{column}/increment",
              "Add step (default 1) to a number column of one row; an empty answer",
              _INCREMENT_ANSWERS, WRITE, (_KEY, _ROW, _COLUMN, _STEP),
              operation_id="increment_by_key"),
    RestRoute("PUT", "/hub/v1/dataevents/{object_id}/rows/{row}/column/{column}/increment",
              "Add step to a number column of one row, by the DE's ObjectID",
              _INCREMENT_ANSWERS, WRITE, (_ID, _ROW, _COLUMN, _STEP),
              operation_id="increment_by_id"),
])
