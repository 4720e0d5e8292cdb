"""Read AMPscript arguments as the types a function needs, or fail as the platform does.

A value of the wrong type aborts the call with the platform's "Invalid value specified for
function parameter" text (docs/fidelity.md#ampscript-bad-parameter); inside ``TreatAsContent`` that
is a catchable AmpscriptError. Numbers are never coerced from non-numeric text (RT: ``Add("a", 1)``
aborts).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from emulator.ampscript.dates import parse_date
from emulator.ampscript.jwt import bad_parameter
from emulator.ampscript.registry import Runtime
from emulator.ampscript.values import Row, Rowset
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError
from emulator.script.js import is_number

#: How much of a submitted value an error message repeats (a value may be megabytes long).
SHOWN_VALUE = 100
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_TRUE_FLAGS = ("1", "true")


class Param:
    """Where an argument goes: function name, parameter name and 1-based ordinal."""

    __slots__ = ("function", "name", "ordinal")

    def __init__(self, function: str, name: str, ordinal: int) -> None:
        self.function, self.name, self.ordinal = function, name, ordinal

    def error(self, value: Any) -> AmpscriptError:
        """Return the platform's error for ``value`` given to this parameter."""
        text = shown(value)
        return bad_parameter(self.function, self.name, self.ordinal, text)


def shown(value: Any) -> str:
    """Return ``value`` as an error message may repeat it: its text, cut short."""
    text = clr_text(value)
    return text if len(text) <= SHOWN_VALUE else f"{text[:SHOWN_VALUE]}..."


def text(value: Any) -> str:
    """Return a String-family argument as text: a boolean is swallowed.

    See docs/fidelity.md#ampscript-string-booleans.
    """
    return "" if isinstance(value, bool) else clr_text(value)


def number(value: Any, param: Param, *, grouped: bool = False) -> int | float:
    """Return a numeric argument: a number or numeric text (``grouped``: ``1,234.5`` too)."""
    if is_number(value):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        if _NUMBER.fullmatch(stripped):
            return _parsed(stripped)
        if grouped and _GROUPED.fullmatch(stripped):
            return _parsed(stripped.replace(",", ""))
    raise param.error(value)  # booleans, empty text, dates, null: never coerced (RT)


def _parsed(text: str) -> int | float:
    if re.fullmatch(r"[+-]?[0-9]{1,18}", text):
        return int(text)
    return float(text)


def integer(value: Any, param: Param) -> int:
    """Return a whole-number argument (numeric text allowed; ``1.5`` aborts, RT)."""
    found = number(value, param)
    if isinstance(found, float):
        if not found.is_integer():
            raise param.error(value)
        return int(found)
    return found


def flag(value: Any) -> bool:
    """Return an on/off argument: on for ``1``, ``true``, ``"1"``, ``"true"``; anything else off.

    docs/fidelity.md#urlencode and docs/fidelity.md#dateparse: other values (``2``, junk) are off.
    """
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in _TRUE_FLAGS


def as_date(value: Any, run: Runtime) -> datetime | None:
    """Return ``value`` as a date (a date, or text DateParse reads), or None."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value, run.ctx.now())
        except (ValueError, OverflowError):
            return None
    return None


def date(value: Any, param: Param, run: Runtime) -> datetime:
    """Return a date argument: a date, or text DateParse reads; anything else aborts (RT)."""
    moment = as_date(value, run)
    if moment is None:
        raise param.error(value)
    return moment


def rowset(value: Any, param: Param) -> Rowset:
    """Return a rowset argument (``Row``, ``RowCount``)."""
    if isinstance(value, Rowset):
        return value
    raise param.error(value)


def row(value: Any, param: Param) -> Row:
    """Return a row argument (``Field``)."""
    if isinstance(value, Row):
        return value
    raise param.error(value)


def choice(value: Any, choices: dict[str, Any], param: Param) -> Any:
    """Return the entry of ``choices`` named by ``value``, matched case-insensitively."""
    if isinstance(value, str) and value.strip().lower() in choices:
        return choices[value.strip().lower()]
    raise param.error(value)
