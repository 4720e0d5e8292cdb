"""The Data Extension API routes built so far: list by ``$search``, fields, clear data.

Each view checks the bearer token first (docs/fidelity.md#rest-scope); the logic is
``emulator.rest.customobjects``'s (docs/fidelity.md#rest-customobjects).
"""

from __future__ import annotations

from flask import Response, request

from emulator.rest import customobjects
from emulator.runtime import get_emulator
from emulator.store.store import Store
from emulator.web.rest import json_response, rest
from emulator.web.rest.auth import require_token
from emulator.web.rest.openapi import REST_ROUTES, SCHEMAS, RestRoute

READ, WRITE = "data_extensions_read", "data_extensions_write"
BASE = "/data/v1/customobjects"
#: The ``object_id`` path parameter of every route by ObjectID, in the OpenAPI document.
OBJECT_ID = ("object_id", "path", "The Data Extension's ObjectID (a GUID; a key is refused)")


def object_table(scope: str, object_id: str) -> tuple[Store, str]:
    """Check the token for ``scope``; return the store and the table of DE ``object_id``."""
    grant = require_token(scope)
    store = get_emulator().store
    return store, customobjects.table_for(store, grant.mid, object_id)


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
    return json_response(customobjects.search(get_emulator().store, grant.mid, _arg("search"),
                                              page, page_size))


@rest.get(f"{BASE}/<object_id>/fields")
def customobject_fields(object_id: str) -> Response:
    return json_response(customobjects.fields(*object_table(READ, object_id)))


@rest.post(f"{BASE}/<object_id>/cleardata")
def customobject_clear(object_id: str) -> Response:
    customobjects.clear(*object_table(WRITE, object_id))
    return Response(b"", status=200)


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
              {200: "CustomObjectFields", 400: "Error", 404: "Error"}, READ, (OBJECT_ID,),
              operation_id="customobject_fields"),
    RestRoute("POST", f"{BASE}/{{object_id}}/cleardata", "Remove every row of a Data "
              "Extension; an empty answer", {200: "Empty", 400: "Error", 404: "Error"}, WRITE,
              (OBJECT_ID,), operation_id="customobject_clear"),
])
