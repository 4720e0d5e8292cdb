"""How AMPscript compares values and reads them as booleans and loop counters.

The comparison rules are docs/fidelity.md#ampscript-compare: null first, then booleans, dates,
numbers and finally text, each step deciding when it applies. A condition's value reads as a
boolean by docs/fidelity.md#ampscript-truth; a FOR bound as a whole number by
docs/fidelity.md#ampscript-for.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator.ampscript.dates import parse_date
from emulator.ampscript.values import DbNull
from emulator.script.clr import clr_text

_INT32 = range(-(2**31), 2**31)
_INT64 = range(-(2**63), 2**63)
# .NET's integer parsing: surrounding white space and one leading sign.
_INTEGER = re.compile(r"\s*([+-]?\d+)\s*")
# .NET's decimal parsing (NumberStyles.Number): also group commas and one decimal point.
_DECIMAL = re.compile(r"\s*([+-]?)(\d[\d,]*)?(?:\.(\d*))?\s*")
_EQUAL_TOKENS = frozenset(("==", "<=", ">="))


def is_null(value: Any) -> bool:
    """Return whether ``value`` is AMPscript's null: unset, ``VAR``'d, or a null cell."""
    return value is None or isinstance(value, DbNull)


def compare(op: str, left: Any, right: Any, today: datetime) -> bool:
    """Return ``left op right`` for one of ``== != < <= > >=``.

    ``today`` completes a date text that holds a time alone.
    """
    if is_null(left) or is_null(right):
        # Null equals only null; against anything else only <, > and != hold.
        both = is_null(left) and is_null(right)
        return both if op in _EQUAL_TOKENS else not both
    if isinstance(left, bool) or isinstance(right, bool):
        same = loose_boolean(left) == loose_boolean(right)
        return same if op in _EQUAL_TOKENS else not same
    if isinstance(left, datetime) or isinstance(right, datetime):
        return _ordered(op, _loose_date(left, today), _loose_date(right, today))
    if _number_like(left) or _number_like(right):
        return _ordered(op, _loose_decimal(left), _loose_decimal(right))
    left_text, right_text = clr_text(left).lower(), clr_text(right).lower()
    if op == "==":
        return left_text == right_text
    if op == "!=":
        return left_text != right_text
    return _ordered(op, _order_key(left_text), _order_key(right_text))


def _ordered(op: str, left: Any, right: Any) -> bool:
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "==":
        return bool(left == right)
    return bool(left != right)


def _order_key(text: str) -> str:
    """Return the text that orders like the platform's culture comparison, approximately.

    See docs/fidelity.md#ampscript-string-order: case, accents and ligatures are ignored.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def loose_boolean(value: Any) -> bool:
    """Return the boolean a value stands for beside a boolean: unreadable values are false."""
    read = truth(value)
    return bool(read)


def truth(value: Any) -> bool | None:
    """Return ``value`` as a condition: None when it is no boolean at all.

    Null is false; a boolean is itself; a whole number (or its text) is true only when it is 1;
    the text ``true``/``false`` (any case, trimmed) is that boolean.
    """
    if is_null(value):
        return False
    if isinstance(value, bool):
        return value
    number = _whole(value)
    if number is not None and number in _INT32:
        return number == 1
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
    return None


def whole_number(value: Any) -> int | None:
    """Return ``value`` as a 64-bit whole number (a FOR bound or counter), or None."""
    number = _whole(value)
    return number if number is not None and number in _INT64 else None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value == int(value) else None
    if isinstance(value, str) and len(value) < 64:
        match = _INTEGER.fullmatch(value)
        return int(match.group(1)) if match else None
    return None


def _number_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and _text_decimal(value) is not None


def _loose_decimal(value: Any) -> Decimal:
    """Return ``value`` as a decimal; a value that is not a number counts as 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    if isinstance(value, str):
        found = _text_decimal(value)
        if found is not None:
            return found
    return Decimal(0)


def _text_decimal(text: str) -> Decimal | None:
    if len(text) > 400:  # no number is this long; keeps the parse cheap on huge texts
        return None
    match = _DECIMAL.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        return None
    sign, digits, fraction = match.groups()
    try:
        return Decimal(f"{sign}{(digits or '0').replace(',', '')}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def _loose_date(value: Any, today: datetime) -> datetime:
    """Return ``value`` as a date; a value that is not one counts as the first possible date."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return parse_date(value, today)
        except (ValueError, OverflowError):
            pass
    return datetime.min
