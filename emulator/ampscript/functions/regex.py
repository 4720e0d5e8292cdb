"""``RegExMatch``: a .NET regular expression, run by Python's ``re`` (docs/fidelity.md#regexmatch).

The platform runs .NET regexes; the emulator translates the .NET-only spellings it knows
(``(?<name>...)``, ``(?'name'...)``, ``\\k<name>``) and runs the rest on ``re``. Differences that
remain (ASSUMED "regex-dialect"): .NET's variable-length lookbehind, ``RightToLeft``,
``ExplicitCapture`` and character-class subtraction ``[a-z-[aeiou]]`` are not emulated (a
pattern using them fails to compile or raises "not emulated"); ``re`` has no match timeout, so a
pattern with catastrophic backtracking runs as long as it backtracks, where the real page would
end in a timeout. The emulator's own patterns never backtrack on user text.
"""

from __future__ import annotations

import re
from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text
from emulator.script.errors import FeatureNotEmulated

#: RegExMatch options (names case-insensitive, RT) → Python flags; None: not emulated.
OPTIONS: dict[str, int | None] = {
    "none": 0,
    "ignorecase": re.IGNORECASE,
    "multiline": re.MULTILINE,
    "singleline": re.DOTALL,
    "ignorepatternwhitespace": re.VERBOSE,
    "cultureinvariant": 0,
    "compiled": 0,
    "ecmascript": re.ASCII,
    "explicitcapture": None,
    "righttoleft": None,
}
# (?<name> but not the lookbehinds (?<= and (?<!; (?'name'; \k<name> and \k'name'.
_NET_GROUP = re.compile(r"\(\?<(?![=!])([A-Za-z_][A-Za-z0-9_]*)>|\(\?'([A-Za-z_][A-Za-z0-9_]*)'")
_NET_BACKREF = re.compile(r"\\k<([A-Za-z_][A-Za-z0-9_]*)>|\\k'([A-Za-z_][A-Za-z0-9_]*)'")


def translate(pattern: str) -> str:
    """Return ``pattern`` with .NET named-group spellings turned into Python's."""
    pattern = _NET_GROUP.sub(lambda m: f"(?P<{m.group(1) or m.group(2)}>", pattern)
    return _NET_BACKREF.sub(lambda m: f"(?P={m.group(1) or m.group(2)})", pattern)


@ampscript_function("RegExMatch", args=(3, None), tag="RT; dialect ASSUMED")
def regex_match(run: Runtime, value: Any, pattern: Any, group: Any, *options: Any) -> str:
    """Return a group of the first match of ``pattern`` in ``value``; ``""`` when none."""
    flags = 0
    for ordinal, option in enumerate(options, 4):
        name = option.strip().lower() if isinstance(option, str) else None
        if name not in OPTIONS:
            raise arg.Param("RegExMatch", "Option", ordinal).error(option)  # RT: aborts
        flag = OPTIONS[name]
        if flag is None:
            raise FeatureNotEmulated(assumptions.AMPSCRIPT_FEATURE_NOT_EMULATED.format(
                what=f"The RegExMatch option {option}"))
        flags |= flag
    source = clr_text(pattern)
    if len(source) > assumptions.REGEX_MAX_PATTERN:
        raise arg.Param("RegExMatch", "Pattern", 2).error(source)
    if has_class_subtraction(source):
        raise FeatureNotEmulated(assumptions.AMPSCRIPT_FEATURE_NOT_EMULATED.format(
            what="Character-class subtraction ([a-z-[aeiou]])"))
    try:
        compiled = re.compile(translate(source), flags)
    except (re.error, RecursionError, OverflowError) as error:
        raise arg.Param("RegExMatch", "Pattern", 2).error(f"{source} ({error})") from None
    text = arg.text(value)
    match = compiled.search(text)
    if match is None:
        return ""
    return _group(match, group)


def _group(match: re.Match[str], group: Any) -> str:
    """Return group ``group`` (a number, numeric text or a name); ``""`` when it is missing."""
    key: int | str
    if isinstance(group, bool):
        raise arg.Param("RegExMatch", "Group", 3).error(group)
    if isinstance(group, (int, float)) or (isinstance(group, str) and group.strip().isdigit()):
        key = arg.integer(group, arg.Param("RegExMatch", "Group", 3))
    else:
        key = arg.text(group)
    try:
        found = match.group(key)
    except IndexError:  # no such group number or name
        return ""  # RT: a missing group gives ""
    return found or ""


def has_class_subtraction(pattern: str) -> bool:
    """Return whether ``pattern`` uses .NET's ``[a-z-[aeiou]]`` (one linear scan)."""
    in_class = escaped = False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif not in_class and char == "[":
            in_class = True
        elif in_class and char == "]":
            in_class = False
        elif in_class and char == "-" and pattern.startswith("[", index + 1):
            return True
    return False
