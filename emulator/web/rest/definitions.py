"""The Data Extension API's create and its routes by ObjectID: get, patch, delete.

Each view checks the bearer token first (docs/fidelity.md#rest-scope); the logic is
``emulator.rest.definitions``'s (docs/fidelity.md#rest-customobjects-create,
#rest-customobjects-object).
"""

from __future__ import annotations

from flask import Response

from emulator.rest import definitions
from emulator.runtime import get_emulator
from emulator.web.rest import json_response, rest
from emulator.web.rest.auth import require_token
from emulator.web.rest.bodies import json_body
from emulator.web.rest.customobjects import BASE, OBJECT_ID, READ, WRITE, object_table
from emulator.web.rest.openapi import REST_ROUTES, SCHEMAS, RestRoute


@rest.post(BASE)
def customobject_create() -> Response:
    grant = require_token(WRITE)
    emulator = get_emulator()
    body = json_body(definitions.MAX_BODY_BYTES)
    return json_response(definitions.create(emulator.store, grant.mid, body,
                                            emulator.clock.new_guid().upper()), 201)


@rest.get(f"{BASE}/<object_id>")
def customobject_get(object_id: str) -> Response:
    return json_response(definitions.get(*object_table(READ, object_id)))


@rest.patch(f"{BASE}/<object_id>")
def customobject_patch(object_id: str) -> Response:
    store, table = object_table(WRITE, object_id)
    return json_response(definitions.patch(store, table,
                                           json_body(definitions.MAX_BODY_BYTES)))


@rest.delete(f"{BASE}/<object_id>")
def customobject_delete(object_id: str) -> Response:
    definitions.delete(*object_table(WRITE, object_id))
    return Response(b"", status=200)


_FLAGS = {flag: {"type": "boolean"} for flag in definitions.FIELD_FLAGS}
SCHEMAS.update({
    "CustomObjectField": {
        "type": "object", "required": ["name", "type", "ordinal", *definitions.FIELD_FLAGS],
        "properties": {"name": {"type": "string"},
                       "type": {"enum": list(definitions.FIELD_TYPES)},
                       "length": {"type": ["integer", "null"]},
                       "scale": {"type": ["integer", "null"]},
                       "ordinal": {"type": "integer"}, "isPrimaryKey": {"type": "boolean"},
                       "defaultValue": {"type": ["string", "number", "null"]},
                       "description": {"type": "string"}, **_FLAGS}},
    "CustomObjectCreate": {
        "type": "object", "required": ["name", "categoryId", "fields"],
        "properties": {"name": {"type": "string"}, "key": {"type": "string"},
                       "description": {"type": "string"},
                       "categoryId": {"type": ["integer", "string"]},
                       "isSendable": {"const": False}, "isTestable": {"const": False},
                       "fields": {"type": "array", "minItems": 1, "items": {
                           "$ref": "#/components/schemas/CustomObjectField"}}}},
    "CustomObjectPatch": {
        "type": "object", "minProperties": 1,
        "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                       "categoryId": {"type": ["integer", "string"]},
                       "isSendable": {"const": False}, "isTestable": {"const": False}}},
    "CustomObject": {
        "type": "object",
        "required": ["id", "key", "name", "description", "categoryId", "isSendable",
                     "isTestable", "rowCount", "fieldCount", "fields"],
        "properties": {"id": {"type": "string"}, "key": {"type": "string"},
                       "name": {"type": "string"}, "description": {"type": "string"},
                       "categoryId": {"type": "integer"}, "isSendable": {"type": "boolean"},
                       "isTestable": {"type": "boolean"}, "rowCount": {"type": "integer"},
                       "fieldCount": {"type": "integer"},
                       "fields": {"type": "array", "items": {
                           "$ref": "#/components/schemas/CustomObjectField"}}}},
})
REST_ROUTES.extend([
    RestRoute("POST", BASE, "Create a Data Extension in a folder (categoryId) with complete "
              "field objects", {201: "CustomObject", 400: "Error", 409: "Error", 413: "Error"},
              WRITE, body="CustomObjectCreate", operation_id="customobject_create"),
    RestRoute("GET", f"{BASE}/{{object_id}}", "A Data Extension with its fields, by ObjectID",
              {200: "CustomObject", 400: "Error", 404: "Error"}, READ, (OBJECT_ID,),
              operation_id="customobject_get"),
    RestRoute("PATCH", f"{BASE}/{{object_id}}", "Rename a Data Extension or move it to "
              "another folder", {200: "CustomObject", 400: "Error", 404: "Error",
                                 413: "Error"}, WRITE, (OBJECT_ID,), body="CustomObjectPatch",
              operation_id="customobject_patch"),
    RestRoute("DELETE", f"{BASE}/{{object_id}}", "Delete a Data Extension with its rows; an "
              "empty answer", {200: "Empty", 400: "Error", 404: "Error"}, WRITE, (OBJECT_ID,),
              operation_id="customobject_delete"),
])
