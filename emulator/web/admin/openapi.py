"""The OpenAPI 3.1 document of the admin API, built from the route table in admin.py.

The request schemas reuse the shipped JSON Schema of the DE file format, so the API, the fixture
files and ``mcemu seed`` describe one format.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator import __version__
from emulator.clock import MAX_ADVANCE
from emulator.reset import DEFAULT_TARGET, RESET_TARGETS
from emulator.schemas import DATA_EXTENSION_SCHEMA, FAULTS_SCHEMA, OUTBOUND_SCHEMA, schema

_VALUE = {"type": ["string", "number", "boolean", "null"]}
_ROW = {"type": "object", "additionalProperties": _VALUE}
_REF = "#/components/schemas/"


def _schemas() -> dict[str, Any]:
    de = schema(DATA_EXTENSION_SCHEMA)
    de.pop("$schema", None)
    de.pop("$id", None)
    # In the components, the file format's internal "#/$defs/..." references point here.
    defs = de.pop("$defs", {})
    de["properties"]["fields"]["items"] = {"$ref": f"{_REF}Field"}
    return {
        "DataExtension": de,
        "Field": defs["field"],
        "Seed": {"oneOf": [
            {"$ref": f"{_REF}DataExtension"},
            {"type": "array", "items": {"$ref": f"{_REF}DataExtension"}},
            {"type": "object", "additionalProperties": False,
             "description": "Data Extensions and the record files of fixtures directories "
             "(subscribers, lists, folders, triggered sends, automations, business units, ...), "
             "read as mcemu seed reads them on disk.",
             "properties": {
                 "dataExtensions": {"type": "array",
                                    "items": {"$ref": f"{_REF}DataExtension"}},
                 "recordFiles": {
                     "type": "array", "maxItems": 32,
                     "description": "One object a fixtures directory: file name (e.g. "
                     "subscribers.json, lists.json, events/SentEvent.json) -> the file's JSON, "
                     "or its text (subscribers.csv).",
                     "items": {"type": "object", "additionalProperties": {}}}}}]},
        "Rows": {"oneOf": [_ROW, {"type": "array", "items": _ROW}]},
        "Keys": {"description": "Objects giving the primary-key values of the rows to delete.",
                 "oneOf": [_ROW, {"type": "array", "items": _ROW}]},
        "Reset": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "to": {"enum": list(RESET_TARGETS), "default": DEFAULT_TARGET,
                       "description": "start: the Data Extensions as the emulator started (the "
                       "fixtures plus what its --db file held); fixtures: the fixture DEs only, "
                       "those created since dropped; empty: every DE kept, every row removed."},
                "journal": {"type": "boolean", "default": False,
                            "description": "true: clear the request journal too (a reset keeps "
                            "it otherwise). The clock is never changed."},
            },
        },
        "Clock": {
            "description": "Exactly one key: freeze at an instant, advance by seconds (a running "
                           "clock is frozen at now + seconds), or unfreeze.",
            "oneOf": [
                _one_key("freeze", {"type": "string", "description": "An ISO 8601 time; "
                                    "without a zone it is UTC."}),
                _one_key("advance", {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE,
                                     "description": "Seconds to move forward."}),
                _one_key("unfreeze", {"const": True}),
            ],
        },
        "RestJobs": {"type": "object", "required": ["completion"], "properties": {
            "completion": {"oneOf": [{"enum": ["immediate", "manual"]},
                                     {"type": "number", "minimum": 0, "maximum": 86400}]}}},
        "RestJobsComplete": {"type": "object", "properties": {"requestId": {"type": "string"}}},
        "Fault": schema(FAULTS_SCHEMA)["$defs"]["fault"],
        "Stub": schema(OUTBOUND_SCHEMA)["$defs"]["stub"],
        "JournalEntry": _journal_entry(),
        "PageOutboundCall": _PAGE_CALL,
        "Refusal": {
            "type": "object", "required": ["emulator_error", "message"],
            "properties": {
                "emulator_error": {"type": "string", "description": "A stable code."},
                "message": {"type": "string", "description": "What is wrong, what to do."},
                "problems": {"type": "array", "items": {"$ref": f"{_REF}Problem"}},
                "total": {"type": "integer", "description": "Problems found (some may not be "
                          "listed)."},
            },
        },
        "Problem": {
            "type": "object",
            "properties": {name: {"type": kind} for name, kind in (
                ("message", "string"), ("rule", "string"), ("file", ["string", "null"]),
                ("dataExtension", ["string", "null"]), ("line", ["integer", "null"]),
                ("column", ["integer", "null"]), ("row", ["integer", "null"]),
                ("field", ["string", "null"]), ("text", "string"))},
        },
    }


def _one_key(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": [name], "additionalProperties": False,
            "properties": {name: schema}}


_PAIRS = {"type": "array", "items": {"type": "array", "prefixItems": [{"type": "string"},
                                                                      {"type": "string"}]}}
_PAGE_CALL = {
    "description": "One outbound HTTP call a page made, as its journal entry keeps it: bodies "
                   "cut at 2 KiB, each side's headers at 2 KiB.",
    "type": "object",
    "properties": {
        "door": {"type": "string", "description": "The function that made it, e.g. HTTP.Get."},
        "method": {"type": "string"}, "url": {"type": "string"},
        "request_headers": _PAIRS, "request_body": {"type": "string"},
        "status": {"type": ["integer", "null"], "description": "null: no answer (see error)."},
        "response_headers": _PAIRS, "response_body": {"type": "string"},
        "error": {"type": ["string", "null"], "description": "Why the call got no answer."},
        "stub": {"type": ["string", "null"], "description": "The id of the stub that answered."},
        "via": {"enum": ["stub", "responses", "network", None],
                "description": "Who answered: a stub, a test's own responses registration, "
                               "or a host named by --allow-outbound."},
        "duration_ms": {"type": "number"},
    },
}


def _journal_entry() -> dict[str, Any]:
    return {
        "description": "One entry of GET /_emulator/journal (the fields most read; every entry "
                       "has them all).",
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "time": {"type": "string"},
            "method": {"type": "string"}, "path": {"type": "string"},
            "status": {"type": "integer"}, "page": {"type": ["string", "null"]},
            "rows_written": {"type": "array", "items": {"type": "object"}},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "calls": {"type": "array", "items": {"$ref": f"{_REF}PageOutboundCall"},
                      "description": "The page's outbound HTTP calls, the first 20; a warning "
                                     "counts those not kept."},
        },
    }


def document(routes: Iterable[Any]) -> dict[str, Any]:
    """Return the OpenAPI document of ``routes`` (admin.Operation entries)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "operationId": route.view.__name__,
            "summary": route.summary,
            "responses": {str(status): _response(status, text)
                          for status, text in sorted(route.responses.items())},
        }
        if route.params:
            operation["parameters"] = [
                {"name": p.name, "in": p.where, "required": p.where == "path",
                 "description": p.description, "schema": dict(p.schema)} for p in route.params]
        if route.body is not None:
            operation["requestBody"] = {
                "required": route.body not in ("Reset",),
                "content": {"application/json": {"schema": {"$ref": f"{_REF}{route.body}"}}}}
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mc-emulator admin API",
            "version": __version__,
            "description": (
                "Inspect and change the emulator's state. Loopback clients only, unless the "
                "emulator runs with --admin-token (then send 'Authorization: Bearer <token>'). "
                "Requests that change state send 'Content-Type: application/json' and no "
                "Origin of another site. Errors are JSON refusals."),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
        "paths": paths,
    }


def _response(status: int, text: str) -> dict[str, Any]:
    if status == 204:
        return {"description": text}
    schema = {"$ref": f"{_REF}Refusal"} if status >= 400 else {"type": "object"}
    return {"description": text, "content": {"application/json": {"schema": schema}}}
