"""``RegExMatch``: a .NET regular expression, run by the ``regex`` package
(docs/fidelity.md#regexmatch).

The platform runs .NET regexes; the emulator translates the .NET-only spellings it knows
(``(?<name>...)``, ``(?'name'...)``, ``\\k<name>``) and runs the rest on ``regex``, in its
``re``-compatible dialect; ``re`` decides which patterns compile. Differences that remain
(ASSUMED "regex-dialect"): .NET's variable-length lookbehind, ``RightToLeft``, ``ExplicitCapture``
and character-class subtraction ``[a-z-[aeiou]]`` are not emulated (a pattern using them fails to
compile or raises "not emulated"). A match runs with the GIL
released and a timeout of the page's remaining time: catastrophic backtracking ends the page as
its time limit does (ASSUMED "regex-timeout"), and never stalls the server's other requests.
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any

import regex

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.budget import PageBudget, PageTimeUp
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
#: CPU seconds a match may take on the page's own thread before it moves to a helper thread.
FIRST_TRY = 0.05
#: The same flags in the regex package, whose values differ (ASCII).
_REGEX_FLAGS = {re.IGNORECASE: regex.IGNORECASE, re.MULTILINE: regex.MULTILINE,
                re.DOTALL: regex.DOTALL, re.VERBOSE: regex.VERBOSE, re.ASCII: regex.ASCII}
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
        translated = translate(source)
        # re decides what compiles, as it always has (regex would also take variable-length
        # lookbehind); regex, in its re-compatible dialect, runs the match with a timeout.
        re.compile(translated, flags)
        compiled = regex.compile(translated, _regex_flags(flags) | regex.VERSION0)
    except (re.error, regex.error, RecursionError, OverflowError, ValueError) as error:
        raise arg.Param("RegExMatch", "Pattern", 2).error(f"{source} ({error})") from None
    text = arg.text(value)
    match = search(compiled, text, run.ctx.budget)
    if match is None:
        return ""
    return _group(match, group)


def search(compiled: Any, text: str, budget: PageBudget) -> Any:
    """Return ``compiled.search(text)``, or raise PageTimeUp once the page's deadline passes.

    The match runs without the GIL, so the server's other requests go on. regex's timeout
    counts the process's CPU time, which on a busy machine runs slower than the clock: a
    match that outlasts a short first try runs on a helper thread that the page waits for only
    until its deadline; past it the page ends, and the helper ends by itself within the same
    number of CPU seconds.
    """
    budget.check()
    left = budget.remaining()
    if left == math.inf:  # no page budget: an AMPscript render outside a page run
        return compiled.search(text, concurrent=True)
    try:
        return compiled.search(text, timeout=min(left, FIRST_TRY), concurrent=True)
    except TimeoutError:
        pass
    outcome: dict[str, Any] = {}

    def match() -> None:
        try:
            outcome["match"] = compiled.search(text, timeout=budget.remaining(), concurrent=True)
        except TimeoutError:
            pass
        except BaseException as error:  # handed to the page's thread below
            outcome["error"] = error

    helper = threading.Thread(target=match, name="mcemu-regex", daemon=True)
    helper.start()
    helper.join(budget.remaining())
    if "error" in outcome:
        raise outcome["error"]
    if "match" not in outcome:
        raise PageTimeUp(f"RegExMatch ran past the page's time limit of {budget.time_limit:g} s")
    return outcome["match"]


def _regex_flags(flags: int) -> int:
    return sum(theirs for ours, theirs in _REGEX_FLAGS.items() if flags & ours)


def _group(match: Any, group: Any) -> str:
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
