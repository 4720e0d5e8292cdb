"""AMPscript formatting: FormatNumber, Format and FormatDate (docs/fidelity.md#formatnumber)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.cultures import culture
from emulator.ampscript.dateformat import format_date
from emulator.ampscript.numformat import FormatError, format_number
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError, FeatureNotEmulated
from emulator.script.js import is_number

_DAY_RUN = re.compile(r"d+")


def _pattern(value: Any, param: arg.Param) -> str:
    """Return a pattern argument; past FORMAT_MAX_PATTERN characters it aborts.

    ASSUMED "format-pattern-limit": formatting walks the pattern in Python, so a pattern of
    megabytes would outlast the page's time limit (docs/fidelity.md#page-budget).
    """
    text = clr_text(value)
    if len(text) > assumptions.FORMAT_MAX_PATTERN:
        raise param.error(text)
    return text


def _culture_name(value: Any) -> str | None:
    return None if value is None else clr_text(value)


@ampscript_function("FormatNumber", args=(2, 3), tag="RT")
def format_number_function(run: Runtime, value: Any, pattern: Any, locale: Any = None) -> str:
    """Format a number with a .NET numeric pattern in a culture (unknown culture: en-US, RT)."""
    number = arg.number(value, arg.Param("FormatNumber", "Number", 1), grouped=True)
    try:
        return format_number(number, _pattern(pattern, arg.Param("FormatNumber", "Format", 2)),
                             culture(_culture_name(locale)))
    except FormatError:
        raise arg.Param("FormatNumber", "Format", 2).error(pattern) from None


@ampscript_function("Format", args=(2, 4), tag="RT")
def format_function(run: Runtime, value: Any, pattern: Any, data_type: Any = "",
                    locale: Any = None) -> str:
    """Format a number or a date; an unusable pattern echoes the value (RT).

    The third argument may only be ``""`` or ``Date`` (RT: ``Number`` aborts).
    """
    kind = clr_text(data_type).strip().lower()
    if kind not in ("", "date"):
        raise arg.Param("Format", "DataType", 3).error(data_type)
    chosen = culture(_culture_name(locale))
    text = _pattern(pattern, arg.Param("Format", "Format", 2))
    try:
        if kind == "" and not isinstance(value, datetime):
            number = _as_number(value)
            if number is not None:
                return format_number(number, text, chosen)
        moment = arg.as_date(value, run)
        if moment is None:
            return clr_text(value)  # RT: what cannot be formatted is echoed
        return format_date(moment, text, chosen)
    except FormatError:
        return clr_text(value)


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if is_number(value):
        return value
    try:
        return arg.number(value, arg.Param("Format", "Value", 1))
    except AmpscriptError:  # not numeric text: the value may still be a date
        return None


@ampscript_function("FormatDate", args=(1, 4), tag="RT; defaults ASSUMED")
def format_date_function(run: Runtime, value: Any, date_pattern: Any = "",
                         time_pattern: Any = "", locale: Any = None) -> str:
    """Format a date with FormatDate's own token rules; an unreadable date gives ``""`` (RT).

    docs/fidelity.md#formatdate: date and time patterns are separate, tokens case-insensitive —
    ``mm`` is the month in the date pattern and the minutes in the time pattern; ``dddd`` is the
    short day name and ``ddddd`` the long one; a lone ``D`` is the short date.
    """
    moment = arg.as_date(value, run)
    dates = _pattern(date_pattern, arg.Param("FormatDate", "DateFormat", 2))
    times = _pattern(time_pattern, arg.Param("FormatDate", "TimeFormat", 3))
    chosen = culture(_culture_name(locale))
    if moment is None:
        return ""  # RT: unparseable, empty or number dates give "" without aborting
    if not dates and not times:
        dates = assumptions.FORMATDATE_DEFAULT_PATTERN
    parts = []
    for pattern, tokens, parameter, given in (
            (dates, _date_tokens, arg.Param("FormatDate", "DateFormat", 2), date_pattern),
            (times, _time_tokens, arg.Param("FormatDate", "TimeFormat", 3), time_pattern)):
        if pattern:
            try:
                parts.append(format_date(moment, tokens(pattern), chosen))
            except FormatError:
                raise parameter.error(given) from None
    return " ".join(parts)


def _date_tokens(pattern: str) -> str:
    """Map FormatDate's case-insensitive date tokens onto .NET's."""
    if pattern == "D":
        return "d"  # RT: D is the short date here
    if len(pattern) == 1:
        return {"m": "M", "Y": "y"}.get(pattern, pattern)
    mapped = pattern.replace("m", "M").replace("Y", "y").replace("D", "d").replace("S", "s")
    return _DAY_RUN.sub(_day_run, mapped)


def _day_run(run: re.Match[str]) -> str:
    size = len(run.group())
    if size <= 2:
        return run.group()
    if size == 3:
        # RT: "ddd" gives text nobody has explained ("We4ne74a26"); not emulated.
        raise FeatureNotEmulated(assumptions.AMPSCRIPT_FEATURE_NOT_EMULATED.format(
            what="The FormatDate token ddd"))
    return "ddd" if size == 4 else "dddd"  # RT: dddd is "Wed", ddddd "Wednesday"


def _time_tokens(pattern: str) -> str:
    """Map FormatDate's case-insensitive time tokens onto .NET's (hours keep h/H)."""
    if len(pattern) == 1:
        return pattern  # a lone letter is a standard format; h or H alone aborts (RT)
    return pattern.replace("M", "m").replace("S", "s").replace("T", "t")


@ampscript_function("FormatCurrency", args=(2, 4), tag="OFF")
def format_currency(run: Runtime, value: Any, locale: Any, places: Any = 2,
                    symbol: Any = None) -> str:
    """Format a number as the culture's currency with ``places`` decimals (default 2).

    OFF: a given ``symbol`` replaces the culture's; rounding is half away from zero as
    FormatNumber's (RT).
    """
    number = arg.number(value, arg.Param("FormatCurrency", "Number", 1), grouped=True)
    digits = arg.integer(places, arg.Param("FormatCurrency", "DecimalPlaces", 3))
    if not 0 <= digits <= MAX_CURRENCY_PLACES:
        raise arg.Param("FormatCurrency", "DecimalPlaces", 3).error(places)
    chosen = culture(clr_text(locale))
    text = format_number(number, f"C{digits}", chosen)
    return text if symbol is None else text.replace(chosen.currency, clr_text(symbol))


#: .NET's largest precision for a standard format.
MAX_CURRENCY_PLACES = 99
