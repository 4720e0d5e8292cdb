"""AMPscript date functions: Now, DateAdd, DateDiff, DateParse (docs/fidelity.md#now-cst).

Every time read goes through the page's clock (docs/design.md): ``Now()`` is CST,
UTC-6 all year, and one instant for the whole render (docs/fidelity.md#now-per-page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript import dates
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.clock import CST

_UNITS = {unit.lower(): unit for unit in dates.UNITS}


@ampscript_function("Now", args=(0, 1), tag="RT")
def now(run: Runtime, send_time: Any = None) -> datetime:
    """Return the render's instant in CST; the argument is accepted and ignored on a page (RT)."""
    return run.ctx.now()


@ampscript_function("DateAdd", args=3, tag="RT")
def date_add(run: Runtime, value: Any, amount: Any, unit: Any) -> datetime:
    """Add whole ``amount`` units (Y, M, D, H, MI) to a date; month ends clamp (RT)."""
    moment = arg.date(value, arg.Param("DateAdd", "Date", 1), run)
    count = arg.integer(amount, arg.Param("DateAdd", "Amount", 2))
    which = arg.choice(unit, _UNITS, arg.Param("DateAdd", "Unit", 3))
    try:
        return dates.add(moment, count, which)
    except (OverflowError, ValueError):
        raise arg.Param("DateAdd", "Amount", 2).error(amount) from None


@ampscript_function("DateDiff", args=3, tag="RT")
def date_diff(run: Runtime, start: Any, end: Any, unit: Any) -> int:
    """Return the unit boundaries crossed from ``start`` to ``end`` (negative when earlier, RT)."""
    first = arg.date(start, arg.Param("DateDiff", "Date1", 1), run)
    second = arg.date(end, arg.Param("DateDiff", "Date2", 2), run)
    return dates.diff(first, second, arg.choice(unit, _UNITS, arg.Param("DateDiff", "Unit", 3)))


@ampscript_function("DateParse", args=(1, 2), tag="RT")
def date_parse(run: Runtime, value: Any, use_utc: Any = False) -> datetime:
    """Read text as a date (US month first, zones converted to CST); ``useUtc`` adds 6 h (RT)."""
    if not isinstance(value, (str, datetime)):
        raise arg.Param("DateParse", "Date", 1).error(value)  # RT: numbers abort
    moment = arg.date(value, arg.Param("DateParse", "Date", 1), run)
    return moment + dates.UTC_OFFSET if arg.flag(use_utc) else moment


@ampscript_function("StringToDate", args=(1, 2), tag="RT")
def string_to_date(run: Runtime, value: Any, use_utc: Any = False) -> datetime:
    """Read text as a date exactly as DateParse does (RT: a duplicate of it)."""
    if not isinstance(value, (str, datetime)):
        raise arg.Param("StringToDate", "Date", 1).error(value)
    moment = arg.date(value, arg.Param("StringToDate", "Date", 1), run)
    return moment + dates.UTC_OFFSET if arg.flag(use_utc) else moment


def _hour12(moment: datetime) -> str:
    return str(moment.hour % 12 or 12)  # RT: 19:35 gives 7, midnight 12


#: DatePart's parts, any case (RT): month and day two digits, hour on the 12-hour clock.
_PARTS: dict[str, Callable[[datetime], str]] = {
    "y": lambda moment: f"{moment.year:04d}",
    "year": lambda moment: f"{moment.year:04d}",
    "m": lambda moment: f"{moment.month:02d}",
    "month": lambda moment: f"{moment.month:02d}",
    "monthname": lambda moment: dates.MONTH_NAMES[moment.month - 1],
    "d": lambda moment: f"{moment.day:02d}",
    "day": lambda moment: f"{moment.day:02d}",
    "h": _hour12,
    "hour": _hour12,
    "mi": lambda moment: str(moment.minute),
    "minute": lambda moment: str(moment.minute),
}


@ampscript_function("DatePart", args=2, tag="RT")
def date_part(run: Runtime, value: Any, part: Any) -> str:
    """Return one part of a date as text: Y, M, D, H, MI, year ... minute, monthName (RT)."""
    moment = arg.date(value, arg.Param("DatePart", "Date", 1), run)
    return arg.choice(part, _PARTS, arg.Param("DatePart", "DatePart", 2))(moment)


@ampscript_function("SystemDateToLocalDate", args=1, tag="OFF; zone ASSUMED")
def system_date_to_local_date(run: Runtime, value: Any) -> datetime:
    """Return a system date (CST, UTC-6 all year) as the account's local time.

    docs/fidelity.md#local-time: the account's zone is the ``time_zone`` setting.
    """
    moment = arg.date(value, arg.Param("SystemDateToLocalDate", "SystemTime", 1), run)
    return _convert(moment, CST, run.ctx.clock.local_zone,
                    arg.Param("SystemDateToLocalDate", "SystemTime", 1), value)


@ampscript_function("LocalDateToSystemDate", args=1, tag="OFF; zone ASSUMED")
def local_date_to_system_date(run: Runtime, value: Any) -> datetime:
    """Return the account's local time as the system date (CST, UTC-6 all year)."""
    moment = arg.date(value, arg.Param("LocalDateToSystemDate", "TimeToConvert", 1), run)
    return _convert(moment, run.ctx.clock.local_zone, CST,
                    arg.Param("LocalDateToSystemDate", "TimeToConvert", 1), value)


def _convert(moment: datetime, source: tzinfo, target: tzinfo, param: arg.Param,
             given: Any) -> datetime:
    try:
        return moment.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)
    except (OverflowError, ValueError):  # year 1 or 9999 moved past the calendar
        raise param.error(given) from None
