"""The CLR text rendering: one rule for every place a non-string value becomes text.

docs/fidelity.md#clr-rendering: ``Write``, a Text field, an AMPscript argument and a signing key all
render values the way .NET Framework's ``ToString()`` does.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.script.js import is_number
from emulator.script.undefined import UNDEFINED

ARRAY_TEXT = "System.Collections.ArrayList"  # RT: Write([]) prints this


def clr_text(value: Any) -> str:
    """Return the text .NET gives ``value`` (booleans ``True``, numbers 15 digits, null empty)."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if is_number(value):
        return clr_number(value)
    if isinstance(value, datetime):
        return clr_datetime(value)
    if isinstance(value, list):
        return ARRAY_TEXT
    if isinstance(value, dict):
        return assumptions.CLR_OBJECT_TEXT
    render = getattr(value, "clr_text", None)
    if render is not None:
        return render()
    return str(value)


def clr_number(number: float) -> str:
    """Return .NET Framework ``Double.ToString()``: 15 significant digits, ``E+NN`` exponents."""
    number = float(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"  # .NET Framework prints negative zero as "0"
    return format(number, ".15G")


def clr_datetime(moment: datetime) -> str:
    """Return .NET ``DateTime.ToString()`` in en-US: ``M/D/YYYY h:mm:ss AM``
    (docs/fidelity.md#clr-dates).

    The wall-clock time is written as held; a platform date carries no zone (CST by convention).
    """
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return (f"{moment.month}/{moment.day}/{moment.year} "
            f"{hour}:{moment.minute:02d}:{moment.second:02d} {half}")


def utf8(text: str) -> bytes:
    """Return the UTF-8 bytes .NET gives ``text``: lone surrogates become U+FFFD (ASSUMED)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Python strings may hold surrogates (split pairs, JSON "\ud83d"); .NET's UTF8Encoding
        # joins valid pairs and replaces lone halves with U+FFFD instead of failing.
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return joined.encode("utf-8")
