""".NET date formatting, as Format and FormatDate apply it (docs/fidelity.md#formatdate).

Custom tokens ``d M y h H m s f F t z``, ``:`` and ``/`` separators, quoted literals and ``\\``
escapes; the standard one-letter formats ``d D f F g G M m O o R r s t T u U Y y``. A platform
date carries no zone: ``r``/``o``/``u`` write it as held, ``U`` converts CST to UTC (RT: +6 h),
``z`` writes CST's offset.
"""

from __future__ import annotations

import re
from datetime import datetime

from emulator.ampscript.cultures import EN_US, Culture
from emulator.ampscript.dates import UTC_OFFSET
from emulator.ampscript.numformat import FormatError

_TOKEN = re.compile(r"d+|M+|y+|h+|H+|m+|s+|f+|F+|t+|z+|g+|K|'[^']*'?|\"[^\"]*\"?|\\.?|%|.",
                    re.DOTALL)
_INVARIANT_STANDARD = {
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff", "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss", "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
}


def standard_pattern(letter: str, culture: Culture) -> tuple[str, bool] | None:
    """Return (custom pattern, invariant names) of a standard format letter, or None."""
    if letter in _INVARIANT_STANDARD:
        return _INVARIANT_STANDARD[letter], True
    patterns = {
        "d": culture.short_date, "D": culture.long_date,
        "f": f"{culture.long_date} {culture.short_time}",
        "F": f"{culture.long_date} {culture.long_time}",
        "g": f"{culture.short_date} {culture.short_time}",
        "G": f"{culture.short_date} {culture.long_time}",
        "M": culture.month_day, "m": culture.month_day,
        "t": culture.short_time, "T": culture.long_time,
        "U": f"{culture.long_date} {culture.long_time}",
        "Y": culture.year_month, "y": culture.year_month,
    }
    found = patterns.get(letter)
    return None if found is None else (found, False)


def format_date(moment: datetime, pattern: str, culture: Culture) -> str:
    """Return ``moment`` formatted with the .NET ``pattern``; raise FormatError when unusable."""
    if len(pattern) == 1:
        standard = standard_pattern(pattern, culture)
        if standard is None:
            raise FormatError(f"{pattern!r} is not a standard date format")
        custom, invariant = standard
        if pattern == "U":
            moment = moment + UTC_OFFSET  # RT: U converts the CST time to UTC
        return _custom(moment, custom, EN_US if invariant else culture)
    return _custom(moment, pattern, culture)


def _custom(moment: datetime, pattern: str, culture: Culture) -> str:
    out: list[str] = []
    for token in _TOKEN.findall(pattern):
        out.append(_token(moment, token, culture))
    return "".join(out)


def _token(moment: datetime, token: str, culture: Culture) -> str:
    head, size = token[0], len(token)
    if head in "'\"":
        return token[1:-1] if size > 1 and token[-1] == head else token[1:]
    if head == "\\":
        return token[1:]
    if head == "%":
        return ""
    if head == "d":
        if size <= 2:
            return f"{moment.day:0{size}d}"
        names = culture.days_abbr if size == 3 else culture.days
        return names[(moment.weekday() + 1) % 7]
    if head == "M":
        if size <= 2:
            return f"{moment.month:0{size}d}"
        return (culture.months_abbr if size == 3 else culture.months)[moment.month - 1]
    if head == "y":
        if size <= 2:
            return f"{moment.year % 100:0{size}d}"
        return f"{moment.year:0{size}d}"
    if head in "hH":
        hour = moment.hour if head == "H" else (moment.hour % 12 or 12)
        return f"{hour:0{min(size, 2)}d}"
    if head == "m":
        return f"{moment.minute:0{min(size, 2)}d}"
    if head == "s":
        return f"{moment.second:0{min(size, 2)}d}"
    if head in "fF":
        if size > 7:
            raise FormatError("more than 7 fraction digits")
        digits = f"{moment.microsecond:06d}0"[:size]
        return digits if head == "f" else digits.rstrip("0")
    if head == "t":
        half = culture.am if moment.hour < 12 else culture.pm
        return half[:1] if size == 1 else half
    if head == "z":
        return {1: "-6", 2: "-06"}.get(size, "-06:00")  # CST, the platform's clock
    if head == "g":
        return "A.D."
    if head == "K":
        return ""
    if head == ":":
        return ":"
    if head == "/":
        return next(char for char in culture.short_date if char not in "dMy")
    return token
