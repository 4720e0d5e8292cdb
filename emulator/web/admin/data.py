"""Admin views of the Data Extensions: list, create, read, delete; rows; seeding.

Views only parse, call and format: creating and adding rows go through
:func:`emulator.fixtures.seeding.seed_store`, so the admin API checks data exactly as
``mcemu seed`` does.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request, url_for

from emulator.fixtures.bodies import definitions_from_body
from emulator.fixtures.documents import definition_from_document, row_text
from emulator.fixtures.problems import JsonRowLocator, Problem, Problems
from emulator.fixtures.seed_body import seed_from_body
from emulator.fixtures.seeding import SEED_MODES, seed_store
from emulator.runtime import get_store
from emulator.script.client_json import JsonRefused, read_json
from emulator.store.rows import normalise, primary_key
from emulator.store.schema import DataExtensionSchema
from emulator.web.admin.messages import (
    BadRequest,
    Conflict,
    body_text,
    choice_arg,
    flag_arg,
    int_arg,
    json_body,
    shown,
)

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
RESERVED_ARGS = ("offset", "limit", "filter")
ROW_MODES = ("upsert", "insert")


def list_data_extensions() -> Response:
    """List every Data Extension with its row count (and its unit's MID, with several units)."""
    from emulator.web.admin.units import mid_of_table

    store = get_store()
    unit = mid_of_table(store)
    return jsonify({"dataExtensions": [{**_summary(store.schema(key)), **unit(key)}
                                       for key in store.keys()]})


def create_data_extension() -> tuple[Response, int, dict[str, str]]:
    """Create a Data Extension from a DE document (schema, optional rows)."""
    store = get_store()
    body = request.get_data(cache=True)
    document = json_body()
    if not isinstance(document, dict):
        raise BadRequest("send one Data Extension document: a JSON object with key, fields "
                         "and (optionally) rows")
    key = document.get("key")
    if isinstance(key, str) and store.has(key):
        raise Conflict(f"A Data Extension with key {key} exists already; delete it first, or "
                       "add rows with POST /_emulator/data-extensions/{key}/rows.")
    (definition,) = definitions_from_body(body)
    seed_store(store, [definition], "insert")
    location = url_for(".get_data_extension", key=definition.schema.key)
    return jsonify(_detail(definition.schema)), 201, {"Location": location}


def get_data_extension(key: str) -> Response:
    """Return a Data Extension's schema and row count."""
    return jsonify(_detail(get_store().schema(key)))


def delete_data_extension(key: str) -> tuple[str, int]:
    """Delete a Data Extension with its rows."""
    get_store().drop(key)
    return "", 204


def list_rows(key: str) -> Response:
    """Return a page of rows (``offset``, ``limit``) that match the filter, and the total."""
    store = get_store()
    schema = store.schema(key)
    offset = int_arg("offset", 0, 0, 10**9)
    limit = int_arg("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    matching = store.retrieve(key, _filter(schema))
    page = matching[offset:offset + limit]
    following = offset + limit < len(matching)
    return jsonify({
        "key": key, "total": len(matching), "offset": offset, "limit": limit, "rows": page,
        "next": url_for(".list_rows", key=key, **{**request.args, "offset": offset + limit})
        if following else None,
    })


def add_rows(key: str) -> Response:
    """Add a row or a list of rows, by upsert (the default) or insert; all or nothing."""
    store = get_store()
    schema = store.schema(key)
    mode = choice_arg("mode", ROW_MODES, "upsert")
    text = body_text()
    rows = json_body()
    if rows is None:
        raise BadRequest("send a row object, or a list of them")
    locator = JsonRowLocator(lambda: text, () if isinstance(rows, list) else None)
    problems = Problems()
    document = {"rows": rows if isinstance(rows, list) else [rows]}
    definition = definition_from_document(document, problems, source="request body",
                                          locator=locator, schema=schema, check_rules=False)
    problems.raise_if_any()
    assert definition is not None
    (outcome,) = seed_store(store, [definition], mode).outcomes
    return jsonify({"key": key, "mode": mode, "added": outcome.added,
                    "updated": outcome.updated, "appended": outcome.appended})


def delete_rows(key: str) -> Response:
    """Delete the rows whose primary keys the body lists (one object, or a list of them)."""
    store = get_store()
    schema = store.schema(key)
    if not schema.primary_keys:
        raise Conflict(f"The Data Extension {key} has no primary key, so its rows cannot be "
                       "deleted by key; replace them with POST /_emulator/seed?mode=replace, "
                       "or reset.")
    given = json_body()
    if given is None:
        example = json.dumps([{f.name: "..." for f in schema.primary_keys}])
        raise BadRequest(f"send the primary-key values of the rows to delete, e.g. {example}")
    wanted = _keys_of(schema, given if isinstance(given, list) else [given])
    with store.transaction():
        rows = store.rows(key)
        kept = [row for row in rows if primary_key(schema, row) not in wanted]
        found = {primary_key(schema, row) for row in rows} & set(wanted)
        if len(kept) != len(rows):
            store.replace_rows(key, kept)
    missing = [value for pk, value in wanted.items() if pk not in found]
    return jsonify({"key": key, "deleted": len(rows) - len(kept), "notFound": missing})


def seed() -> Response:
    """Seed one DE document or a list of them, or ``{dataExtensions, recordFiles}`` with the
    record files of fixtures directories, as ``mcemu seed`` does; all or nothing."""
    mode = choice_arg("mode", SEED_MODES, "upsert")
    dry_run = flag_arg("dryRun")
    definitions, records = seed_from_body(request.get_data(cache=True))
    return jsonify(seed_store(get_store(), definitions, mode, dry_run=dry_run,
                              records=records).to_json())


def _summary(schema: DataExtensionSchema) -> dict[str, Any]:
    return {"key": schema.key, "name": schema.name, "rowCount": get_store().count(schema.key),
            "primaryKey": [f.name for f in schema.primary_keys],
            "href": url_for(".get_data_extension", key=schema.key)}


def _detail(schema: DataExtensionSchema) -> dict[str, Any]:
    return {**schema.to_json(), "rowCount": get_store().count(schema.key),
            "rows": url_for(".list_rows", key=schema.key)}


def _filter(schema: DataExtensionSchema) -> Any:
    """Return the SSJS filter of ``?filter=<JSON>``, or ``?Field=value`` pairs joined by AND."""
    text = request.args.get("filter")
    if text is not None:
        try:
            return read_json(text)
        except JsonRefused as refused:
            raise BadRequest(f"?filter is not JSON the emulator reads ({refused.message}); "
                             'send an SSJS filter, e.g. {"Property": "Id", '
                             '"SimpleOperator": "equals", "Value": "1"}') from None
    parts = []
    for name, value in request.args.items(multi=True):
        if name in RESERVED_ARGS:
            continue
        if schema.field(name) is None:
            raise BadRequest(f"query parameter {shown(name)} is not a field of {schema.key} "
                             f"({', '.join(schema.field_names)}); paging uses "
                             f"{', '.join(RESERVED_ARGS)}")
        parts.append({"Property": name, "SimpleOperator": "equals", "Value": value})
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = {"LeftOperand": combined, "LogicalOperator": "AND", "RightOperand": part}
    return combined


def _keys_of(schema: DataExtensionSchema, given: list[Any]) -> dict[Any, Any]:
    """Return primary key → the object that gave it; every object names exactly the key."""
    names = {f.name for f in schema.primary_keys}
    problems = Problems()
    wanted: dict[Any, Any] = {}
    for index, item in enumerate(given):
        where = f"request body: [{index}]"
        if not isinstance(item, dict):
            problems.add(Problem("expected an object of primary-key values", "row-type",
                                 file=where, data_extension=schema.key))
            continue
        text, wrong = row_text(schema, item)
        if wrong or set(text) != names or any(v is None for v in text.values()):
            problems.add(Problem(f"give exactly the primary key ({', '.join(sorted(names))}), "
                                 "each with a value", "primary-key", file=where,
                                 data_extension=schema.key))
            continue
        wanted[primary_key(schema, normalise(schema, text))] = item
    problems.raise_if_any()
    return wanted
