"""AMPscript string functions (docs/fidelity.md#ampscript-string-functions).

Positions and lengths count UTF-16 code units, and case mapping is .NET's invariant culture: one
character maps to one character (``ß`` stays, ``İ`` lowers to ``i``),
docs/fidelity.md#ampscript-utf16. A boolean argument is swallowed
(docs/fidelity.md#ampscript-string-booleans). Each function is linear in its input: megabytes are
fine, up to the page's budget (docs/fidelity.md#page-budget): a function whose result can
outgrow its inputs (Concat, Replace) measures the result before building it, and one that loops
in Python over its input looks at the deadline as it goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.budget import char_width, joined_bytes
from emulator.script.js import utf16_length

#: .NET's Char.IsWhiteSpace set, what String.Trim strips (RT: space, tab, CR, LF, NBSP).
WHITESPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_WORD = re.compile(r"[^\s]+")
CHUNK = 64 * 1024  # characters (or occurrences) between two looks at the page's deadline


def invariant_upper(text: str) -> str:
    """Return ``text`` upper-cased one character to one (``ß`` stays ``ß``)."""
    upper = text.upper()
    if len(upper) == len(text):
        return upper  # no character expanded, so each mapped to exactly one
    return "".join(mapped if len(mapped := char.upper()) == 1 else char for char in text)


def invariant_lower(text: str) -> str:
    """Return ``text`` lower-cased one character to one (no final sigma, ``İ`` → ``i``)."""
    if "\u03a3" not in text:
        lower = text.lower()
        if len(lower) == len(text):
            return lower
    return "".join(_lower_char(char) for char in text)


def _lower_char(char: str) -> str:
    if char == "\u03a3":
        return "\u03c3"
    if char == "\u0130":
        return "i"
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def utf16_units(text: str) -> bytes:
    """Return ``text`` as UTF-16-LE bytes, two per code unit (lone surrogates kept)."""
    return text.encode("utf-16-le", "surrogatepass")


def from_units(units: bytes) -> str:
    return units.decode("utf-16-le", "surrogatepass")


@ampscript_function("Concat", args=(1, None), tag="RT")
def concat(run: Runtime, *values: Any) -> str:
    """Join the arguments' texts without separator."""
    texts = [arg.text(value) for value in values]
    run.ctx.budget.fits(joined_bytes(texts))  # Concat(@s, @s) doubles: measured, not built
    return "".join(texts)


@ampscript_function("Length", args=1, tag="RT")
def length(run: Runtime, value: Any) -> int:
    """Return the length in UTF-16 code units (an emoji counts 2)."""
    return utf16_length(arg.text(value))


@ampscript_function("Substring", args=(2, 3), tag="RT")
def substring(run: Runtime, value: Any, start: Any, count: Any = None) -> str:
    """Return ``count`` units from the 1-based ``start`` (start below 1 reads as 1, RT)."""
    first = max(arg.integer(start, arg.Param("Substring", "Start", 2)), 1)
    size = None if count is None else arg.integer(count, arg.Param("Substring", "Length", 3))
    if size is not None and size < 0:
        raise arg.Param("Substring", "Length", 3).error(count)
    text = arg.text(value)
    if utf16_length(text) == len(text):  # no surrogate pairs: code units are characters
        end = None if size is None else first - 1 + size
        return text[first - 1:end]
    units = utf16_units(text)
    end_unit = len(units) if size is None else min(len(units), 2 * (first - 1 + size))
    return from_units(units[2 * (first - 1):end_unit])


@ampscript_function("IndexOf", args=(2, 3), tag="RT")
def index_of(run: Runtime, value: Any, sought: Any, occurrence: Any = 1) -> int:
    """Return the 1-based position of an occurrence of ``sought``, case-insensitively; 0 if none.

    RT: occurrences do not overlap; 0 means the first, a negative number the last.
    """
    which = arg.integer(occurrence, arg.Param("IndexOf", "Occurrence", 3))
    haystack, needle = invariant_lower(arg.text(value)), invariant_lower(arg.text(sought))
    if not haystack or not needle:
        return 0
    wanted = 1 if which == 0 else which
    found, position, start = 0, -1, 0
    check = run.ctx.budget.check
    while (hit := haystack.find(needle, start)) >= 0:
        if not found % CHUNK:
            check()
        found += 1
        position = hit
        if found == wanted:
            break
        start = hit + len(needle)
    if wanted > 0 and found < wanted:
        return 0
    return utf16_length(haystack[:position]) + 1


@ampscript_function("Replace", args=(2, 3), tag="RT")
def replace(run: Runtime, value: Any, find: Any, replacement: Any = "") -> str:
    """Replace every occurrence of ``find``, case-insensitively, in one left-to-right pass."""
    text, sought, new = arg.text(value), arg.text(find), arg.text(replacement)
    if not sought:
        return text
    # re.escape makes the pattern a literal: no user regex, linear time.
    pattern = re.compile(re.escape(sought), re.IGNORECASE)
    if len(new) > len(sought):  # the text grows: by how much is measured before building it
        hits = sum(1 for _ in pattern.finditer(text))
        growth = hits * (len(new) - len(sought))
        run.ctx.budget.fits(char_width(text, new) * (len(text) + growth))
    return pattern.sub(_every(run, lambda _match: new), text)


@ampscript_function("Uppercase", args=1, tag="RT")
def uppercase(run: Runtime, value: Any) -> str:
    """Return the text upper-cased (invariant culture)."""
    return _chunked(run, invariant_upper, arg.text(value))


@ampscript_function("Lowercase", args=1, tag="RT")
def lowercase(run: Runtime, value: Any) -> str:
    """Return the text lower-cased (invariant culture)."""
    return _chunked(run, invariant_lower, arg.text(value))


@ampscript_function("ProperCase", args=1, tag="RT")
def proper_case(run: Runtime, value: Any) -> str:
    """Upper-case the first letter of each whitespace-separated word, lower-case the rest (RT)."""
    return _WORD.sub(_every(run, lambda word: invariant_upper(word[0][0])
                            + invariant_lower(word[0][1:])), arg.text(value))


def _chunked(run: Runtime, convert: Callable[[str], str], text: str) -> str:
    """Return ``convert(text)`` a chunk at a time (it maps character to character)."""
    if len(text) <= CHUNK:
        return convert(text)
    parts = []
    for start in range(0, len(text), CHUNK):
        run.ctx.budget.check()
        parts.append(convert(text[start:start + CHUNK]))
    return "".join(parts)


def _every(run: Runtime, replace: Callable[[re.Match[str]], str],
           ) -> Callable[[re.Match[str]], str]:
    """Return ``replace`` for ``re.sub``, looking at the page's deadline now and then."""
    step = run.ctx.budget.pacer(CHUNK)

    def replacement(match: re.Match[str]) -> str:
        step()
        return replace(match)

    return replacement


@ampscript_function("Trim", args=1, tag="RT")
def trim(run: Runtime, value: Any) -> str:
    """Strip whitespace (NBSP included) from both ends."""
    return arg.text(value).strip(WHITESPACE)


# --- Char, StringToHex, ReplaceList (docs/fidelity.md#ampscript-char) ---------------------------
_UNITS = 0x10000  # RT: Char(65601) is "A": codes wrap to one 16-bit unit


@ampscript_function("Char", args=(1, 2), tag="RT")
def char(run: Runtime, code: Any, count: Any = 1) -> str:
    """Return the UTF-16 unit ``code`` (modulo 65536) repeated ``count`` times (RT)."""
    unit = arg.integer(_no_flag(code, arg.Param("Char", "Code", 1)), arg.Param("Char", "Code", 1))
    times = arg.integer(_no_flag(count, arg.Param("Char", "Count", 2)),
                        arg.Param("Char", "Count", 2))
    if times < 0:
        raise arg.Param("Char", "Count", 2).error(count)  # RT: a negative count aborts
    run.ctx.budget.fits(times * 2)
    return chr(unit % _UNITS) * times


def _no_flag(value: Any, param: arg.Param) -> Any:
    if isinstance(value, bool):
        raise param.error(value)  # RT: Char(true) aborts
    return value


@ampscript_function("StringToHex", args=1, tag="ASSUMED")
def string_to_hex(run: Runtime, value: Any) -> str:
    """Return the UTF-8 bytes of the text as lower-case hex, two digits a byte.

    ASSUMED "stringtohex": the documentation names no encoding or letter case.
    """
    text = arg.text(value)
    run.ctx.budget.fits(len(text) * 8)  # up to 4 bytes a character, 2 digits a byte
    return text.encode("utf-8", "surrogatepass").hex()


@ampscript_function("ReplaceList", args=(3, None), tag="OFF; case ASSUMED")
def replace_list(run: Runtime, value: Any, replacement: Any, *finds: Any) -> str:
    """Replace every occurrence of each ``find``, in turn, by ``replacement``.

    OFF: ReplaceList(source, replacement, find1[, find2 ...]); ASSUMED "replacelist": each find
    ignores case as Replace does (RT for Replace).
    """
    text = arg.text(value)
    for find in finds:
        text = replace(run, text, find, replacement)
    return text
