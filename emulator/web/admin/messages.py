"""How the admin API reads requests and refuses them: JSON bodies, query values, errors → 4xx.

Every refusal is a JSON body from :func:`refusal` (``emulator_error``, ``message``) with the status
a client can act on: 400 malformed, 404 unknown Data Extension, 409 a key or DE that exists, 413
too large, 415 not JSON, 422 refused data (with ``problems``: file, line, column, DE, field, rule),
507 a change the ``--db`` file could not take (disk full, read-only: nothing was changed).
Bodies are read by :func:`emulator.script.client_json.read_json`, so JSON no part of the
emulator can hold (``NaN``, ``1e400``, 5,000 digits, deep nesting, lone surrogates) is a 400 too.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, request

from emulator.errors import (
    ConfigError,
    DataExtensionNotFound,
    EmulatorError,
    FixtureError,
    InvalidFilter,
    RowRejected,
    StoreWriteFailed,
)
from emulator.fixtures.bodies import decode_body, parse_body
from emulator.fixtures.problems import FixtureProblems, Problems
from emulator.runtime import get_store
from emulator.web.refusals import refusal, store_write_failed

#: rules of problems that mean the request itself is malformed (400), not refused data (422)
MALFORMED_RULES = frozenset({"invalid-json", "not-utf8"})
SHOWN_CHARS = 80  # of a refused query value, quoted back in the message
_WHOLE = re.compile(r"-?[0-9]{1,18}")  # fits a 64-bit integer: no digit limit to meet


class BadRequest(EmulatorError):
    """A request the admin API cannot read (400): a bad query value, a body of the wrong shape."""

    code = "bad_request"


class Conflict(EmulatorError):
    """A request that collides with what exists (409)."""

    code = "conflict"


def init_blueprint(bp: Blueprint) -> None:
    """Turn the emulator's errors raised by admin views into JSON refusals."""
    bp.register_error_handler(EmulatorError, refuse_error)


def refuse_error(error: EmulatorError) -> Response:
    """Return the refusal for ``error``, with the status its kind calls for."""
    if isinstance(error, FixtureProblems):
        return _refuse_problems(error)
    if isinstance(error, StoreWriteFailed):
        return store_write_failed(error)  # 507: the disk, not the request; nothing was changed
    if isinstance(error, DataExtensionNotFound):
        keys = get_store().keys()
        return refusal(404, error.code, f"{error.message} Data Extensions: "
                       f"{', '.join(keys) or 'none'}.", dataExtensions=keys)
    if isinstance(error, RowRejected):
        status = 409 if error.rule == "duplicate-key" else 422
        return refusal(status, error.code, error.message, dataExtension=error.key,
                       field=error.field, rule=error.rule)
    status = 400 if isinstance(error, (BadRequest, InvalidFilter)) else (
        409 if isinstance(error, Conflict) else
        422 if isinstance(error, (FixtureError, ConfigError)) else 409)
    return refusal(status, error.code, error.message)


def _refuse_problems(error: FixtureProblems) -> Response:
    rules = {problem.rule for problem in error.problems}
    status = 400 if rules & MALFORMED_RULES else 409 if rules == {"duplicate-key"} else 422
    return refusal(status, "data_refused", error.message,
                   problems=[problem.to_json() for problem in error.problems],
                   total=error.total)


def json_body(default: Any = None) -> Any:
    """Return the request's JSON body (``default`` when empty); 400 names line and column."""
    body = request.get_data(cache=True)
    if not body.strip():
        return default
    problems = Problems()
    text = decode_body(body, problems)
    value = None if text is None else parse_body(text, problems)
    problems.raise_if_any()
    return value


def body_text() -> str:
    """Return the request body as text (400 when it is not UTF-8)."""
    problems = Problems()
    text = decode_body(request.get_data(cache=True), problems)
    problems.raise_if_any()
    return text or ""


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """Return query value ``name`` as an integer within ``low``..``high`` (400 otherwise)."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    # ASCII digits only, and few: int() would take "1_0", full-width digits or " 5 ", and
    # convert thousands of digits only to say they are out of range.
    if not _WHOLE.fullmatch(text):
        raise BadRequest(f"?{name}={shown(text)}: expected a whole number from {low} to {high}")
    value = int(text)
    if not low <= value <= high:
        raise BadRequest(f"?{name}={value}: expected a number from {low} to {high}")
    return value


def choice_arg(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return query value ``name``, which must be one of ``choices`` (400 otherwise)."""
    value = request.args.get(name) or default
    if value not in choices:
        raise BadRequest(f"?{name}={shown(value)}: expected one of {', '.join(choices)}")
    return value


def flag_arg(name: str) -> bool:
    """Return query flag ``name`` (``true``/``1`` or ``false``/``0``; absent is false)."""
    text = (request.args.get(name) or "false").lower()
    if text not in ("true", "1", "false", "0"):
        raise BadRequest(f"?{name}={shown(text)}: expected true or false")
    return text in ("true", "1")


def shown(value: str) -> str:
    """Return ``value`` quoted for a message, cut to a readable length."""
    cut = value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "..."
    return repr(cut)
