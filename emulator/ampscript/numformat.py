""".NET Framework number formatting, as FormatNumber and Format apply it
(docs/fidelity.md#formatnumber).

Standard formats ``C D E F G N P R X`` (letter case-insensitive, optional precision) and custom
patterns (``0 # . , % ;`` sections, quoted literals, ``\\`` escapes). Rounding is half away from
zero on the 15 significant digits .NET Framework formats from, so ``1.005`` with ``N2`` gives
``1.01`` and ``123.445`` gives ``123.45`` (RT). An unknown standard letter echoes the pattern (RT).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from emulator import assumptions
from emulator.ampscript.cultures import Culture
from emulator.script.errors import FeatureNotEmulated

_STANDARD = re.compile(r"([A-Za-z])([0-9]{0,2})")
#: Digits Decimal keeps: a double has at most 309 integer digits, a format at most 99 decimals.
_PRECISION = 500
_DEFAULT_DIGITS = {"F": 2, "N": 2, "P": 2, "E": 6}


class FormatError(ValueError):
    """The pattern cannot format this value (.NET's FormatException)."""


def format_number(value: int | float, pattern: str, culture: Culture) -> str:
    """Return ``value`` formatted with the .NET ``pattern`` in ``culture``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("\u221e" if value > 0 else "-\u221e")
    with localcontext() as context:
        context.prec = _PRECISION
        standard = _STANDARD.fullmatch(pattern)
        if standard is not None:
            letter, digits = standard.group(1), standard.group(2)
            precision = int(digits) if digits else None
            return _standard(value, letter, precision, culture, pattern)
        return _custom(value, pattern, culture)


def decimal_of(value: int | float) -> Decimal:
    """Return the exact decimal .NET Framework formats from: 15 significant digits."""
    return Decimal(format(float(value), ".15G"))


def _rounded(number: Decimal, places: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _digits(number: Decimal, places: int, culture: Culture, grouped: bool) -> str:
    """Return ``|number|`` with ``places`` decimals, grouped by threes when ``grouped``."""
    text = f"{abs(_rounded(number, places)):f}"
    whole, _, fraction = text.partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", culture.group)
    return whole + (culture.decimal + fraction if places > 0 else "")


def _signed(number: Decimal, places: int, body: str, positive: str, negative: str) -> str:
    is_negative = number < 0 and _rounded(number, places) != 0
    return (negative if is_negative else positive).replace("n", body, 1)


def _standard(value: int | float, letter: str, precision: int | None, culture: Culture,
              pattern: str) -> str:
    kind = letter.upper()
    if kind in ("D", "X"):
        return _integer(value, letter, precision or 0)
    number = decimal_of(value)
    if kind == "C":
        places = culture.currency_digits if precision is None else precision
        body = _digits(number, places, culture, grouped=True)
        return _signed(number, places, body, culture.currency_positive,
                       culture.currency_negative).replace("$", culture.currency)
    if kind in ("F", "N"):
        places = _DEFAULT_DIGITS[kind] if precision is None else precision
        return _signed(number, places, _digits(number, places, culture, kind == "N"), "n", "-n")
    if kind == "P":
        places = _DEFAULT_DIGITS[kind] if precision is None else precision
        scaled = number * 100
        body = _digits(scaled, places, culture, grouped=True)
        return _signed(scaled, places, body, culture.percent_positive, culture.percent_negative)
    if kind == "E":
        return _exponent(number, _DEFAULT_DIGITS["E"] if precision is None else precision,
                         letter, culture)
    if kind == "G":
        return _general(float(value), precision or 15, letter, culture)
    if kind == "R":
        exact = format(float(value), ".15G")
        text = exact if float(exact) == float(value) else format(float(value), ".17G")
        return text.replace(".", culture.decimal)
    return pattern  # RT: an unknown pattern is echoed


def _integer(value: int | float, letter: str, width: int) -> str:
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 2**63:
            raise FormatError(f"{letter} formats whole numbers (64-bit) only")
        value = int(value)
    if letter.upper() == "D":
        return ("-" if value < 0 else "") + str(abs(value)).zfill(width)
    masked = value if value >= 0 else value & (0xFFFFFFFF if value >= -(2**31) else 2**64 - 1)
    return format(masked, "X" if letter == "X" else "x").zfill(width)


def _exponent(number: Decimal, places: int, letter: str, culture: Culture) -> str:
    if number == 0:
        mantissa, exponent = Decimal(0), 0
    else:
        exponent = number.adjusted()
        mantissa = _rounded(number.scaleb(-exponent), places)
        if abs(mantissa) >= 10:  # 9.9999995 rounds up to 10.000000
            exponent += 1
            mantissa = _rounded(number.scaleb(-exponent), places)
    body = _digits(mantissa, places, culture, grouped=False)
    sign = "-" if mantissa < 0 else ""
    return f"{sign}{body}{letter}{'-' if exponent < 0 else '+'}{abs(exponent):03d}"


def _general(value: float, precision: int, letter: str, culture: Culture) -> str:
    text = format(value, f".{precision}G")
    if value == 0:
        text = "0"
    if "E" in text:
        mantissa, exponent = text.split("E")
        text = f"{mantissa}{'E' if letter == 'G' else 'e'}{exponent[0]}{exponent[1:].zfill(2)}"
    return text.replace(".", culture.decimal)


# --- custom patterns ------------------------------------------------------------------------------

def _sections(pattern: str) -> list[list[tuple[str, str]]]:
    """Split ``pattern`` into sections of (kind, text) tokens: digit, point, group, literal..."""
    sections: list[list[tuple[str, str]]] = [[]]
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in "'\"":
            end = pattern.find(char, index + 1)
            end = len(pattern) if end < 0 else end
            sections[-1].append(("literal", pattern[index + 1:end]))
            index = end + 1
            continue
        if char == "\\":
            sections[-1].append(("literal", pattern[index + 1:index + 2]))
            index += 2
            continue
        if char == ";":
            sections.append([])
        elif char in "0#":
            sections[-1].append(("digit", char))
        elif char == ".":
            sections[-1].append(("point", char))
        elif char == ",":
            sections[-1].append(("comma", char))
        elif char in "%\u2030":
            sections[-1].append(("percent", char))
        elif char in "Ee" and re.match(r"[Ee][+-]?0", pattern[index:index + 3]):
            raise FeatureNotEmulated(assumptions.AMPSCRIPT_FEATURE_NOT_EMULATED.format(
                what="A custom number pattern with an exponent (E0)"))
        else:
            sections[-1].append(("literal", char))
        index += 1
    return sections


def _custom(value: int | float, pattern: str, culture: Culture) -> str:
    sections = _sections(pattern)
    number = decimal_of(value)
    tokens, sign = sections[0], "-" if number < 0 else ""
    if number < 0 and len(sections) > 1 and sections[1]:
        tokens, sign = sections[1], ""  # the negative section writes its own sign
    elif number == 0 and len(sections) > 2 and sections[2]:
        tokens, sign = sections[2], ""
    return _render(abs(number), tokens, sign, culture)


def _render(number: Decimal, tokens: list[tuple[str, str]], sign: str, culture: Culture) -> str:
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "point"), len(tokens))
    whole_tokens, fraction_tokens = tokens[:point], tokens[point + 1:]
    whole_digits = [text for kind, text in whole_tokens if kind == "digit"]
    fraction_digits = [text for kind, text in fraction_tokens if kind == "digit"]
    for kind, text in tokens:
        if kind == "percent":
            number *= 100 if text == "%" else 1000
    # Commas right before the point (or the end) divide by 1000 each; others group.
    scale = 0
    for kind, _ in reversed(whole_tokens):
        if kind != "comma":
            break
        scale += 1
    number /= Decimal(1000) ** scale
    last_digit = max((i for i, (kind, _) in enumerate(whole_tokens) if kind == "digit"),
                     default=-1)
    grouped = any(kind == "comma" for kind, _ in whole_tokens[:last_digit])
    places = len(fraction_digits)
    keep = max((i + 1 for i, text in enumerate(fraction_digits) if text == "0"), default=0)
    rounded = _rounded(number, places)
    if rounded == 0:
        sign = ""
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.rstrip("0").ljust(keep, "0")
    minimum = len(whole_digits) - next(
        (i for i, text in enumerate(whole_digits) if text == "0"), len(whole_digits))
    whole = whole.lstrip("0").rjust(minimum, "0")
    if grouped and whole:
        whole = f"{int(whole):,}".replace(",", culture.group)
    out = [sign]
    out.extend(_whole_part(whole, whole_tokens, len(whole_digits), grouped))
    if fraction:
        out.append(culture.decimal)
    fraction_index = 0
    for kind, text in fraction_tokens:
        if kind == "digit":
            if fraction_index < len(fraction):
                out.append(fraction[fraction_index])
            fraction_index += 1
        elif kind in ("literal", "percent"):
            out.append(text)
    return "".join(out)


def _whole_part(whole: str, tokens: list[tuple[str, str]], places: int,
                grouped: bool) -> list[str]:
    """Place the integer digits right-aligned on the placeholders, literals between them.

    ``00-00`` with 5 gives ``00-05``; the first placeholder takes every extra leading digit.
    Grouped digits go out whole at the first placeholder.
    """
    out: list[str] = []
    index = 0
    for kind, text in tokens:
        if kind in ("literal", "percent"):
            out.append(text)
        elif kind == "digit":
            if grouped:
                out.append(whole if index == 0 else "")
            elif index == 0:
                out.append(whole[:max(len(whole) - places + 1, 0)])
            else:
                position = len(whole) - places + index
                out.append(whole[position] if position >= 0 else "")
            index += 1
    return out
