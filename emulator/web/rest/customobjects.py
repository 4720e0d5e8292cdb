"""The Data Extension API routes built so far: list by ``$search``, fields, clear data.

Each view checks the bearer token first (docs/fidelity.md#rest-scope); the logic is
``emulator.rest.customobjects``'s (docs/fidelity.md#rest-customobjects).
"""

from __future__ import annotations

import json

from flask import Response, request

from emulator.rest import customobjects
from emulator.runtime import get_emulator
from emulator.web.rest import rest
from emulator.web.rest.auth import require_token
from emulator.web.rest.openapi import REST_ROUTES, SCHEMAS, RestRoute

READ, WRITE = "data_extensions_read", "data_extensions_write"
JSON = "application/json; charset=utf-8"
BASE = "/data/v1/customobjects"


def _json(body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=200,
                    content_type=JSON)


def _arg(name: str) -> str | None:
    """Return the query parameter ``name`` whatever its case and leading ``$``."""
    wanted = name.lstrip("$").lower()
    return next((value for key, value in request.args.items(multi=True)
                 if key.lstrip("$").lower() == wanted), None)


@rest.get(BASE)
def customobjects_search() -> Response:
    grant = require_token(READ)
    page = customobjects.whole("$page", _arg("page"), 1, 10**9)
    page_size = customobjects.whole("$pageSize", _arg("pagesize"), customobjects.LIST_PAGE_SIZE,
                                    customobjects.LIST_MAX_PAGE_SIZE)
    return _json(customobjects.search(get_emulator().store, grant.mid, _arg("search"), page,
                                      page_size))


@rest.get(f"{BASE}/<object_id>/fields")
def customobject_fields(object_id: str) -> Response:
    grant = require_token(READ)
    store = get_emulator().store
    return _json(customobjects.fields(store, customobjects.table_for(store, grant.mid,
                                                                    object_id)))


@rest.post(f"{BASE}/<object_id>/cleardata")
def customobject_clear(object_id: str) -> Response:
    grant = require_token(WRITE)
    store = get_emulator().store
    customobjects.clear(store, customobjects.table_for(store, grant.mid, object_id))
    return Response(b"", status=200)


_ID = ("object_id", "path", "The Data Extension's ObjectID (a GUID; a key is refused)")
SCHEMAS.update({
    "CustomObjects": {"type": "object", "required": ["count", "page", "pageSize", "items"],
                      "properties": {"count": {"type": "integer"}, "page": {"type": "integer"},
                                     "pageSize": {"type": "integer"},
                                     "links": {"type": "object"},
                                     "items": {"type": "array", "items": {"type": "object"}}}},
    "CustomObjectFields": {"type": "object", "required": ["id", "fields"], "properties": {
        "id": {"type": "string"}, "fields": {"type": "array", "items": {"type": "object"}}}},
})
REST_ROUTES.extend([
    RestRoute("GET", BASE, "Find Data Extensions by name or key ($search is required)",
              {200: "CustomObjects", 400: "Error"}, READ,
              (("$search", "query", "Text to find in names and keys (required)"),
               ("$page", "query", "The page, from 1"),
               ("$pageSize", "query", "Items a page, 1 to 500 (default 25)")),
              operation_id="customobjects_search"),
    RestRoute("GET", f"{BASE}/{{object_id}}/fields", "A Data Extension's fields, in order",
              {200: "CustomObjectFields", 400: "Error", 404: "Error"}, READ, (_ID,),
              operation_id="customobject_fields"),
    RestRoute("POST", f"{BASE}/{{object_id}}/cleardata", "Remove every row of a Data "
              "Extension; an empty answer", {200: "Empty", 400: "Error", 404: "Error"}, WRITE,
              (_ID,), operation_id="customobject_clear"),
])
