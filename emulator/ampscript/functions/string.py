"""AMPscript string functions (docs/fidelity.md#ampscript-string-functions).

Positions and lengths count UTF-16 code units, and case mapping is .NET's invariant culture: one
character maps to one character (``ß`` stays, ``İ`` lowers to ``i``),
docs/fidelity.md#ampscript-utf16. A boolean argument is swallowed
(docs/fidelity.md#ampscript-string-booleans). Each function is linear in its input: megabytes are
fine.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.js import utf16_length

#: .NET's Char.IsWhiteSpace set, what String.Trim strips (RT: space, tab, CR, LF, NBSP).
WHITESPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_WORD = re.compile(r"[^\s]+")


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
    return "".join(arg.text(value) for value in values)


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
    while (hit := haystack.find(needle, start)) >= 0:
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
    return re.sub(re.escape(sought), lambda _match: new, text, flags=re.IGNORECASE)


@ampscript_function("Uppercase", args=1, tag="RT")
def uppercase(run: Runtime, value: Any) -> str:
    """Return the text upper-cased (invariant culture)."""
    return invariant_upper(arg.text(value))


@ampscript_function("Lowercase", args=1, tag="RT")
def lowercase(run: Runtime, value: Any) -> str:
    """Return the text lower-cased (invariant culture)."""
    return invariant_lower(arg.text(value))


@ampscript_function("ProperCase", args=1, tag="RT")
def proper_case(run: Runtime, value: Any) -> str:
    """Upper-case the first letter of each whitespace-separated word, lower-case the rest (RT)."""
    return _WORD.sub(lambda word: invariant_upper(word[0][0]) + invariant_lower(word[0][1:]),
                     arg.text(value))


@ampscript_function("Trim", args=1, tag="RT")
def trim(run: Runtime, value: Any) -> str:
    """Strip whitespace (NBSP included) from both ends."""
    return arg.text(value).strip(WHITESPACE)
