"""Write Data Extension rows as the synchronous hub routes do (no HTTP here).

docs/fidelity.md#rest-hub-rowset: ``POST .../rowset`` takes a JSON array of
``{"keys": {...}, "values": {...}}``, upserts every row or none, and answers the array as sent;
a row the DE refuses makes the aggregate 400 (errorcode 10006) listing each problem in
``additionalErrors``. ``PUT .../rows/{col}:{value}`` upserts one row and answers its keys and
values; ``.../column/{column}/increment`` adds ``step`` to a number column and answers nothing.
Writes go through the store's one write path, so they are kept before the answer leaves.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from emulator import assumptions
from emulator.errors import RowRejected
from emulator.objects.dataextensions import object_id
from emulator.rest.errors import RestError, not_found, rest_error
from emulator.store.rows import RowValidator, normalise, primary_key
from emulator.store.schema import DataExtensionSchema, describe_json_type
from emulator.store.store import Store
from emulator.store.types import NUMBER_MAX, NUMBER_MIN

#: The largest hub rowset body (docs/fidelity.md#rest-hub-limits): refused before it is read.
MAX_BODY_BYTES = 5 * 1024 * 1024

Row = dict[str, Any]


@dataclass
class Written:
    """What a write answers (JSON bytes) and the rows it left stored, for the journal."""

    body: bytes
    rows: list[Row] = field(default_factory=list)


def parse_json(raw: bytes) -> Any:
    """Return the JSON of a request body; raise the 400 errorcode 10004 when it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise rest_error(400, 10004, assumptions.REST_NOT_JSON.format(reason=error)) from None


def _shape(where: str, expected: str, found: Any) -> RestError:
    return rest_error(400, 10000, assumptions.REST_BAD_SHAPE.format(
        where=where, expected=expected, found=describe_json_type(found)))


#: What JSON parses a string, number, boolean or null to: a cell's value.
_CELL_KINDS = frozenset({str, int, float, bool, type(None)})


def _pairs(where: str | int, value: Any, member: str = "") -> dict[str, Any]:
    """Return ``value``, an object of cells; ``where`` and ``member`` name it in an error."""
    if type(value) is dict and _CELL_KINDS.issuperset(map(type, value.values())):
        return value  # the usual object: every value a cell, checked in one pass
    where = f"{_item(where)}.{member}" if member else _item(where)
    if not isinstance(value, dict):
        raise _shape(where, "an object of column: value", value)
    for name, cell in value.items():
        if isinstance(cell, (dict, list)):
            raise _shape(f"{where}.{name}", "a string, number, boolean or null", cell)
    return value


def _keyed_row(schema: DataExtensionSchema, keys: Mapping[str, Any], values: Mapping[str, Any],
               where: str | int, primary: frozenset[str] | None = None) -> Row:
    """Return ``values`` with ``keys``; raise the captured 400 for a key that is not a primary
    key, and ours for a primary key not given (docs/fidelity.md#rest-hub-keys).

    ``where`` names the row in that message (a number: the item of a rowset body).
    """
    if primary is None:
        primary = _primary(schema)
    given = set(map(str.casefold, keys))
    if given != primary:  # the usual body names every key once: one comparison checks it
        for name in keys:
            if name.casefold() not in primary:
                raise rest_error(400, 10000, assumptions.REST_NOT_PRIMARY_KEY.format(
                    name=name.lower()))
        for pk in schema.primary_keys:
            if pk.name.casefold() not in given:
                raise rest_error(400, 10000, assumptions.REST_PRIMARY_KEY_MISSING.format(
                    name=pk.name.lower(), where=_item(where)))
    if primary.isdisjoint(map(str.casefold, values)):  # the usual values: no key among them
        row = dict(values)
    else:
        row = {name: value for name, value in values.items() if name.casefold() not in primary}
    row.update(keys)
    return row


def _item(where: str | int) -> str:
    return where if isinstance(where, str) else f"item {where}"


def _primary(schema: DataExtensionSchema) -> frozenset[str]:
    return frozenset(f.name.casefold() for f in schema.primary_keys)


def rowset_rows(schema: DataExtensionSchema, body: Any) -> list[Row]:
    """Return the rows of a hub rowset body; raise RestError 400 for a body of the wrong shape."""
    if not isinstance(body, list):
        raise _shape("the body", "an array of {keys, values} objects", body)
    if not body:
        raise _shape("the body", "a non-empty array of {keys, values} objects", body)
    rows = []
    primary = _primary(schema)
    for index, item in enumerate(body):  # an item's name is only spelled out in an error
        if not isinstance(item, dict):
            raise _shape(_item(index), "an object {keys, values}", item)
        keys = _pairs(index, item["keys"], "keys") if "keys" in item else {}
        values = _pairs(index, item["values"], "values") if "values" in item else {}
        rows.append(_keyed_row(schema, keys, values, index, primary))
    return rows


def upsert(store: Store, table: str, rows: list[Row]) -> list[Row]:
    """Upsert ``rows`` into ``table`` all or nothing; return them as now stored.

    A row the DE refuses makes the aggregate 400 naming every problem of every row
    (docs/fidelity.md#rest-hub-rowset); a key given twice is one row, the later values winning.
    """
    schema = store.schema(table)
    merged = _merged(schema, rows)
    kept: list[Row] = []
    try:
        store.upsert_rows(table, merged, kept)  # all or nothing: a refused row changes nothing
    except RowRejected as first:
        raise _aggregate(store, schema, table, merged, first) from None
    return kept


def _merged(schema: DataExtensionSchema, rows: list[Row]) -> list[Row]:
    if not schema.primary_keys:
        return rows  # without a primary key every row is added (docs/design.md)
    names = [f.name.casefold() for f in schema.primary_keys]
    if len(names) == 1:
        name = names[0]
        given_keys: set[Hashable] = {str(v).casefold() for row in rows
                                     for k, v in row.items() if k.casefold() == name}
    else:
        given_keys = {tuple(sorted((k.casefold(), str(v).casefold()) for k, v in row.items()
                                   if k.casefold() in names)) for row in rows}
    if len(given_keys) == len(rows):
        return rows  # no key written twice, whatever the spelling of its values
    by_key: dict[Hashable, Row] = {}
    unkeyed: list[Row] = []
    for row in rows:
        try:
            given = normalise(schema, row)
        except RowRejected:
            unkeyed.append(row)  # refused below, with every problem named
            continue
        pk = primary_key(schema, given)
        by_key[pk] = {**by_key[pk], **given} if pk in by_key else given
    return [*by_key.values(), *unkeyed]


def _key_filter(schema: DataExtensionSchema, row: Row) -> Any:
    parts = [{"Property": f.name, "SimpleOperator": "equals", "Value": _filter_text(row, f.name)}
             for f in schema.primary_keys]
    where = parts[0]
    for part in parts[1:]:
        where = {"LeftOperand": where, "LogicalOperator": "AND", "RightOperand": part}
    return where


def _filter_text(row: Row, name: str) -> Any:
    return next(v for k, v in row.items() if k.casefold() == name.casefold())


def _aggregate(store: Store, schema: DataExtensionSchema, table: str, rows: list[Row],
               first: RowRejected) -> RestError:
    """Return the 10006 answer listing the problem of each refused row (nothing is kept)."""
    problems: list[dict[str, Any]] = []
    with store.transaction(dry_run=True):
        for row in rows:
            try:
                store.upsert_rows(table, [row])
            except RowRejected:
                validator = RowValidator(schema)
                found = validator.problems(_given(store, schema, table, row))
                for problem in found or [first]:
                    problems.append({"message": f"{problem.field}: {problem.message}",
                                     "errorcode": 10000, "documentation": ""})
    return rest_error(400, 10006, assumptions.REST_SAVE_FAILED.format(id=object_id(table)),
                      additional_errors=problems or [
                          {"message": f"{first.field}: {first.message}", "errorcode": 10000,
                           "documentation": ""}])


def _given(store: Store, schema: DataExtensionSchema, table: str, row: Row) -> Row:
    """Return ``row`` over the stored row it would update (so only its own problems show)."""
    if not schema.primary_keys:
        return row
    try:
        found = store.retrieve(table, _key_filter(schema, row), limit=1)
    except Exception:  # a key value its column refuses: the row alone shows the problem
        return row
    if not found:
        return row
    given = {name.casefold() for name in row}
    return {**{k: v for k, v in found[0].items() if k.casefold() not in given}, **row}


#: Compact JSON as json.dumps writes it; a parsed body cannot refer to itself, so the encoder
#: does not look for cycles.
_ECHO = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def echo(body: Any) -> bytes:
    """Return a JSON body as sent: same members, order, casing and types."""
    return _ECHO.encode(body).encode("utf-8")


# --- one row by its key in the path ------------------------------------------------------------


def path_keys(schema: DataExtensionSchema, text: str) -> dict[str, str]:
    """Return the ``{col}:{value}`` pairs of a row path, commas between several
    (docs/fidelity.md#rest-hub-path-keys)."""
    keys: dict[str, str] = {}
    for part in text.split(","):
        name, colon, value = part.partition(":")
        if not colon or not name.strip():
            raise rest_error(400, 10000, assumptions.REST_BAD_PATH_KEY.format(part=part[:100]))
        if any(seen.casefold() == name.strip().casefold() for seen in keys):
            raise rest_error(400, 10000, assumptions.REST_PATH_KEY_TWICE.format(
                name=name.strip()[:100]))
        keys[name.strip()] = value
    return keys


def put_row(store: Store, table: str, path: str, body: Any) -> Written:
    """Upsert the row the path names with the body's ``values``; answer ``{keys, values}``."""
    schema = store.schema(table)
    keys = path_keys(schema, path)
    if not isinstance(body, dict):
        raise _shape("the body", "an object {values}", body)
    values = _pairs("values", body.get("values", {}))
    row = _keyed_row(schema, keys, values, "the path")
    rows = upsert(store, table, [row])
    answer = {"keys": keys, "values": values}
    return Written(echo(answer), rows)


def increment(store: Store, table: str, path: str, column: str, step_text: str | None
              ) -> Written:
    """Add ``step`` (default 1) to ``column`` of the row the path names; answer nothing."""
    schema = store.schema(table)
    keys = _keyed_row(schema, path_keys(schema, path), {}, "the path")
    field_ = schema.field(column)
    if field_ is None or field_.primary_key or field_.type not in ("Number", "Decimal"):
        raise rest_error(400, 10001, assumptions.REST_INCREMENT_COLUMN.format(
            column=column[:100]))
    step = _step(step_text)
    with store.transaction():
        try:
            found = store.retrieve(table, _key_filter(schema, keys), limit=1)
        except Exception:
            found = []
        if not found:
            raise not_found(assumptions.REST_ROW_MISSING.format(
                keys=", ".join(f"{k}:{v}" for k, v in keys.items())[:200]))
        current = found[0].get(field_.name)
        total = (Decimal(str(current)) if current not in (None, "") else Decimal(0)) + step
        if field_.type == "Number" and not NUMBER_MIN <= total <= NUMBER_MAX:
            raise rest_error(400, 10005, assumptions.REST_INCREMENT_RANGE.format(
                column=field_.name, low=NUMBER_MIN, high=NUMBER_MAX))
        kept: list[Row] = []
        try:
            store.upsert_rows(table, [{**keys, field_.name: format(total, "f")}], kept)
        except RowRejected as error:
            raise rest_error(400, 10000, error.message) from None
    return Written(b"", kept)


def _step(text: str | None) -> Decimal:
    if text is None:
        return Decimal(1)
    stripped = text.strip()
    body = stripped[1:] if stripped[:1] in "+-" else stripped
    if not body.isascii() or not body.isdigit() or len(body) > 10:
        raise rest_error(400, 10005, assumptions.REST_BAD_STEP.format(value=text[:40]))
    return Decimal(stripped)
