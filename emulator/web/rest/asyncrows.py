"""The asynchronous Data Extension row routes: submit (202 ``requestId``), status, results.

Each view checks the bearer token first (docs/fidelity.md#rest-scope); the job itself is
``emulator.rest.asyncjobs``'s, on the same store and row checks as the hub routes.
"""

from __future__ import annotations

from flask import Response, request

from emulator import assumptions
from emulator.pages.runner import PageResult
from emulator.rest import asyncjobs, rowsets
from emulator.rest.errors import rest_error
from emulator.rest.tokens import TokenGrant
from emulator.runtime import get_emulator
from emulator.web.journaling import RESULT_KEY
from emulator.web.rest import json_response, rest
from emulator.web.rest.auth import require_token
from emulator.web.rest.bodies import json_body
from emulator.web.rest.openapi import REST_ROUTES, SCHEMAS, RestRoute

WRITE = "data_extensions_write"
BASE = "/data/v1/async"


def _body() -> object:
    """Return the request's JSON; a body over the limit is refused before it is read."""
    return json_body(asyncjobs.MAX_BODY_BYTES)


def _submit(grant: TokenGrant, mode: asyncjobs.Mode, *, key: str = "",
            object_id: str = "") -> Response:
    emulator = get_emulator()
    store, clock = emulator.store, emulator.clock
    body = _body()
    table = (rowsets.table_for_key(store, grant.mid, key) if key
             else rowsets.table_for_id(store, grant.mid, object_id))
    if table is None:
        raise asyncjobs.not_resolved(clock.new_guid(), object_id, key)
    rows = asyncjobs.body_rows(body, clock.new_guid)
    job = emulator.rest_jobs.submit(store, request_id=clock.new_guid(), mid=grant.mid,
                                    table=table, mode=mode, rows=rows, now=clock.now_utc())
    if job.written:  # ran before the answer: journaled as a page's writes are
        de_key = rowsets.key_of(table)
        request.environ[RESULT_KEY] = PageResult(
            202, [], b"", rows_written=[{"dataExtension": de_key, "row": row}
                                        for row in job.written])
    return json_response(asyncjobs.accepted(job), 202)


# One view a mode, at the DE's key and at its ObjectID (the endpoints keep both names).
@rest.post(f"{BASE}/dataextensions/key:<key>/rows", endpoint="async_insert_by_key")
@rest.post(f"{BASE}/dataextensions/<object_id>/rows", endpoint="async_insert_by_id")
def async_insert(key: str = "", object_id: str = "") -> Response:
    return _submit(require_token(WRITE), "insert", key=key, object_id=object_id)


@rest.put(f"{BASE}/dataextensions/key:<key>/rows", endpoint="async_upsert_by_key")
@rest.put(f"{BASE}/dataextensions/<object_id>/rows", endpoint="async_upsert_by_id")
def async_upsert(key: str = "", object_id: str = "") -> Response:
    return _submit(require_token(WRITE), "upsert", key=key, object_id=object_id)


def _job(grant: TokenGrant, request_id: str) -> asyncjobs.AsyncJob:
    emulator = get_emulator()
    emulator.rest_jobs.advance(emulator.store, emulator.clock.now_utc())
    job = emulator.rest_jobs.find(request_id, grant.mid)
    if job is None:
        raise asyncjobs.unknown_request(request_id)
    return job


@rest.get(f"{BASE}/<request_id>/status")
def async_status(request_id: str) -> Response:
    grant = require_token(WRITE)  # the scope the request was made with
    job = _job(grant, request_id)
    return json_response(asyncjobs.status(job, get_emulator().clock.new_guid()))


@rest.get(f"{BASE}/<request_id>/results")
def async_results(request_id: str) -> Response:
    grant = require_token(WRITE)
    page = _whole("page", 1, 10**9)
    page_size = _whole("pageSize", asyncjobs.RESULTS_PAGE_SIZE, asyncjobs.RESULTS_MAX_PAGE_SIZE)
    job = _job(grant, request_id)
    return json_response(asyncjobs.results(job, page, page_size))


def _whole(name: str, default: int, most: int) -> int:
    """Return the query parameter ``name`` (any case) as a whole number from 1 to ``most``."""
    given = next((value for key, value in request.args.items(multi=True)
                  if key.lstrip("$").lower() == name.lower()), None)
    if given is None:
        return default
    text = given.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        raise rest_error(400, 10005, assumptions.REST_BAD_WHOLE.format(
            name=name, most=most, value=given[:40]))
    return int(text)


# --- the routes in GET /_emulator/rest-openapi.json ----------------------------------------------

_KEY = ("key", "path", "The Data Extension's external key (CustomerKey)")
_ID = ("object_id", "path", "The Data Extension's ObjectID")
_REQUEST = ("request_id", "path", "The requestId a submit answered")
_SUBMIT = {202: "AsyncAccepted", 400: "AsyncRefusal", 404: "Error", 413: "Error", 429: "Error"}
SCHEMAS.update({
    "AsyncRows": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "minItems": 1,
                  "items": {"type": "object", "description": "column: value"}}}},
    "AsyncAccepted": {"type": "object", "required": ["requestId"], "properties": {
        "requestId": {"type": "string"}, "resultMessages": {"type": "array"}}},
    "AsyncRefusal": {"type": "object", "required": ["requestId", "resultMessages"],
                     "properties": {"requestId": {"type": "string"},
                                    "resultMessages": {"type": "array", "items": {
                                        "type": "object", "properties": {
                                            "resultType": {"type": "string"},
                                            "resultClass": {"type": "string"},
                                            "resultCode": {"type": "string"},
                                            "message": {"type": "string"}}}}}},
    "AsyncStatus": {"type": "object", "required": ["status", "requestId"], "properties": {
        "requestId": {"type": "string"},
        "status": {"type": "object", "properties": {
            "callDateTime": {"type": "string"},
            "completionDateTime": {"type": ["string", "null"]},
            "hasErrors": {"type": "boolean"},
            "pickupDateTime": {"type": ["string", "null"]},
            "requestStatus": {"enum": ["Pending", "Complete", "Error"]},
            "resultStatus": {"type": ["string", "null"]},
            "requestId": {"type": "string"}}}}},
    "AsyncResults": {"type": "object", "required": ["page", "pageSize", "count", "items"],
                     "properties": {"page": {"type": "integer"},
                                    "pageSize": {"type": "integer"},
                                    "count": {"type": "integer"},
                                    "items": {"type": "array", "items": {"type": "object"}}}},
})
REST_ROUTES.extend([
    RestRoute("POST", f"{BASE}/dataextensions/key:{{key}}/rows", "Insert rows asynchronously "
              "(202 requestId; at most 5.9 MB)", _SUBMIT, WRITE, (_KEY,), body="AsyncRows",
              operation_id="async_insert_by_key"),
    RestRoute("PUT", f"{BASE}/dataextensions/key:{{key}}/rows", "Upsert rows asynchronously",
              _SUBMIT, WRITE, (_KEY,), body="AsyncRows", operation_id="async_upsert_by_key"),
    RestRoute("POST", f"{BASE}/dataextensions/{{object_id}}/rows", "Insert rows asynchronously, by "
              "the DE's ObjectID", _SUBMIT, WRITE, (_ID,), body="AsyncRows",
              operation_id="async_insert_by_id"),
    RestRoute("PUT", f"{BASE}/dataextensions/{{object_id}}/rows", "Upsert rows "
              "asynchronously, by the DE's ObjectID", _SUBMIT, WRITE, (_ID,), body="AsyncRows",
              operation_id="async_upsert_by_id"),
    RestRoute("GET", f"{BASE}/{{request_id}}/status", "The status of an async request: "
              "Pending, Complete or Error", {200: "AsyncStatus", 404: "Error"}, WRITE,
              (_REQUEST,), operation_id="async_status"),
    RestRoute("GET", f"{BASE}/{{request_id}}/results", "The rows an async request refused, "
              "a page at a time", {200: "AsyncResults", 400: "Error", 404: "Error"}, WRITE,
              (_REQUEST, ("page", "query", "The page, from 1"),
               ("pageSize", "query", "Items a page, 1 to 2500 (default 50)")),
              operation_id="async_results"),
])
