"""AMPscript dates: parsing (DateParse and every date argument), DateAdd and DateDiff arithmetic.

Dates are naive ``datetime`` values holding CST wall-clock time, the platform's clock
(docs/fidelity.md#now-cst). Text is read US-first (month/day) as the platform reads it
(docs/fidelity.md#dateparse); every pattern here is anchored and free of nested repetition, and text
longer than any date is refused before a pattern sees it, so hostile input costs nothing.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

from emulator.clock import CST

#: No date text is longer; anything longer is refused without matching.
MAX_DATE_TEXT = 80
#: What DateParse(s, true) adds: the UTC offset of CST (docs/fidelity.md#dateparse).
UTC_OFFSET = timedelta(hours=6)

#: English names only (calendar's names follow the process locale); other languages abort (RT).
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)}
MONTHS.update({name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)})
MONTHS["sept"] = 9
DAYS = {name.lower(): number for number, name in enumerate(DAY_NAMES)}
DAYS.update({name[:3].lower(): number for number, name in enumerate(DAY_NAMES)})

_TIME = (r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,7}))?)?"
         r"\s*(?P<half>[AaPp][Mm])?")
_ZONE = r"\s*(?P<zone>[Zz]|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)?"
_PATTERNS = tuple(re.compile(pattern) for pattern in (
    # 2026-03-04, 2026-03-04 09:05:07, 2026-03-04T09:05:07+02:00
    rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:[Tt ]\s*{_TIME})?{_ZONE}",
    # 3/4/2026, 3/4/2026 9:05 AM (month first: 5/8/2026 is May 8)
    rf"(?P<month>\d{{1,2}})/(?P<day>\d{{1,2}})/(?P<year>\d{{4}})(?:\s+{_TIME})?{_ZONE}",
    # 4 March 2026
    rf"(?P<day>\d{{1,2}})\s+(?P<mname>[A-Za-z]+)\.?,?\s+(?P<year>\d{{4}})(?:\s+{_TIME})?{_ZONE}",
    # March 4, 2026
    rf"(?P<mname>[A-Za-z]+)\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})(?:\s+{_TIME})?{_ZONE}",
    # Wed, 04 Mar 2026 09:05:07 GMT
    rf"(?P<dname>[A-Za-z]+),\s*(?P<day>\d{{1,2}})\s+(?P<mname>[A-Za-z]+)\s+(?P<year>\d{{4}})"
    rf"(?:\s+{_TIME})?{_ZONE}",
    # 1:41 PM (today)
    rf"{_TIME}{_ZONE}",
))


def parse_date(text: str, today: datetime) -> datetime:
    """Return ``text`` as CST wall-clock time; raise ValueError when it is not a date.

    A zone (``Z``, ``GMT``, ``+02:00``) converts to CST; a time alone falls on ``today``.
    """
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_DATE_TEXT:
        raise ValueError(f"{text[:MAX_DATE_TEXT]!r} is not a date")
    for pattern in _PATTERNS:
        match = pattern.fullmatch(stripped)
        if match is not None:
            return _build(match, today)
    raise ValueError(f"{stripped!r} is not a date")


def _build(match: re.Match[str], today: datetime) -> datetime:
    parts = match.groupdict()
    if parts.get("year") is None:
        year, month, day = today.year, today.month, today.day
    else:
        year, day = int(parts["year"]), int(parts["day"])
        month = MONTHS.get(parts["mname"].lower(), 0) if parts.get("mname") else int(parts["month"])
    hour = int(parts["hour"] or 0)
    if parts["half"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {parts['half']}")
        hour = hour % 12 + (12 if parts["half"].lower() == "pm" else 0)
    fraction = (parts["fraction"] or "").ljust(6, "0")[:6]
    moment = datetime(year, month, day, hour, int(parts["minute"] or 0),
                      int(parts["second"] or 0), int(fraction or 0))  # ValueError when invalid
    dname = parts.get("dname")
    if dname is not None and DAYS.get(dname.lower()) != moment.weekday():
        raise ValueError(f"{dname} is not the day of {moment:%Y-%m-%d}")
    zone = parts["zone"]
    if zone is None:
        return moment
    return moment.replace(tzinfo=_zone(zone)).astimezone(CST).replace(tzinfo=None)


def _zone(text: str) -> timezone:
    if text.upper() in ("Z", "GMT", "UTC"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"{text} is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# --- DateAdd / DateDiff (units Y M D H MI, case-insensitive; docs/fidelity.md#dateadd) ---------
UNITS = ("Y", "M", "D", "H", "MI")


def add(moment: datetime, amount: int, unit: str) -> datetime:
    """Return ``moment`` moved by ``amount`` units; months and years clamp to the month's end."""
    if unit in ("Y", "M"):
        months = moment.month - 1 + amount * (12 if unit == "Y" else 1)
        year = moment.year + months // 12
        month = months % 12 + 1
        if not 1 <= year <= 9999:
            raise OverflowError("date out of range")
        day = min(moment.day, calendar.monthrange(year, month)[1])  # RT: 1/31 + 1 M = 2/28
        return moment.replace(year=year, month=month, day=day)
    step = {"D": timedelta(days=1), "H": timedelta(hours=1), "MI": timedelta(minutes=1)}[unit]
    return moment + step * amount


def diff(start: datetime, end: datetime, unit: str) -> int:
    """Return the ``unit`` boundaries crossed from ``start`` to ``end`` (RT: truncate, subtract)."""
    if unit == "Y":
        return end.year - start.year
    if unit == "M":
        return (end.year - start.year) * 12 + end.month - start.month
    if unit == "D":
        return (end.date() - start.date()).days
    size = 3600 if unit == "H" else 60
    return _floor(end, size) - _floor(start, size)


def _floor(moment: datetime, seconds: int) -> int:
    """Return the number of whole ``seconds`` periods since year 1 (truncation, not rounding)."""
    elapsed = moment - datetime(1, 1, 1)
    return (elapsed.days * 86400 + elapsed.seconds) // seconds
