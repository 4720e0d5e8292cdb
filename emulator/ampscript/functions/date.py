"""AMPscript date functions: Now, DateAdd, DateDiff, DateParse (docs/fidelity.md#now-cst).

Every time read goes through the page's clock (docs/design.md): ``Now()`` is CST,
UTC-6 all year, and one instant for the whole render (docs/fidelity.md#now-per-page).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript import dates
from emulator.ampscript.registry import Runtime, ampscript_function

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
