"""Field types: the one conversion every value passes on its way into a Data Extension.

:func:`to_stored` turns a given value (text from a page or a CSV file, a JSON number or boolean
from a fixture or the admin API, or a value already stored) into the field's canonical stored
form, or refuses it with the reason the platform would not store it. The stored forms are plain
JSON values, so the ``--db`` file holds them as they are:

========================  ===========================================================
field type                stored form
========================  ===========================================================
Number                    ``int`` (32-bit)
Decimal                   canonical decimal text: ``"3.14"``; with a ``scale``, exactly
                          that many decimals (``"3.10"``), rounded half away from zero
                          as SQL Server's ``decimal(p, s)`` does. Text, not a float, so
                          no binary rounding error creeps in.
Boolean                   ``bool``
Date                      zone-less ISO text with milliseconds: ``"2024-01-15T00:00:00.000"``
                          (the form Rows.Lookup returns, docs/fidelity.md#lookup-dates-iso)
Text, EmailAddress,       ``str`` (an empty string stays empty)
Phone, Locale
any, when empty           ``None`` (a typed field given ``""`` stores null)
========================  ===========================================================

:func:`retrieve_text` renders a stored value the way Rows.Retrieve returns it (every value a
string, docs/fidelity.md#retrieve-text) and :func:`lookup_value` the way the lookups return it
(typed, docs/fidelity.md#lookup-dates-iso).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from emulator.script.clr import clr_datetime, clr_text
from emulator.script.js import is_number
from emulator.store.schema import Field

#: SFMC's Number is a 32-bit whole number (docs/fidelity.md#field-types).
NUMBER_MIN, NUMBER_MAX = -(2**31), 2**31 - 1
#: Longest e-mail address an EmailAddress field holds (docs/fidelity.md#field-types).
EMAIL_MAX_LENGTH = 254
#: The platform's clock zone: CST, UTC-6, no daylight saving (docs/fidelity.md#now-cst).
PLATFORM_ZONE = timezone(timedelta(hours=-6))
_US_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y")
_BOOLEAN_TEXTS = {
    "true": True, "1": True, "yes": True, "y": True,
    "false": False, "0": False, "no": False, "n": False,
}
TYPE_MESSAGE = ("The value {value!r} for field {field} of Data Extension {key} is not a valid "
                "{type}: {reason}.")


class TypeRuleError(ValueError):
    """A value the field's type refuses; the message is the rule broken."""


def _text_of(value: Any) -> str:
    """Return a given non-text value as text: numbers and booleans by their CLR text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    return clr_text(value)


def _number(field: Field, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        whole = value
    else:
        number = parse_number(_text_of(value))
        if number != number.to_integral_value():
            raise TypeRuleError("a Number holds whole numbers only")
        whole = int(number)
    if not NUMBER_MIN <= whole <= NUMBER_MAX:
        raise TypeRuleError(f"a Number lies between {NUMBER_MIN} and {NUMBER_MAX}")
    return whole


def _decimal(field: Field, value: Any) -> str:
    number = value if isinstance(value, Decimal) else parse_number(_text_of(value))
    if field.scale is not None:
        # ASSUMED: like SQL Server's decimal(p, s), extra decimals are rounded half away from
        # zero and fewer are padded, so the stored text always has `scale` decimals.
        number = number.quantize(Decimal(1).scaleb(-field.scale), rounding=ROUND_HALF_UP)
    else:
        number = number.normalize()
        if number.as_tuple().exponent > 0:  # type: ignore[operator]
            number = number.quantize(Decimal(1))
    if field.precision is not None:
        scale = field.scale or 0
        whole_digits = len(str(abs(int(number)))) if int(number) else 0
        if whole_digits > field.precision - scale:
            # ASSUMED: like SQL Server's decimal(p, s), too many whole digits is an overflow.
            raise TypeRuleError(f"Decimal({field.precision},{scale}) holds at most "
                                f"{field.precision - scale} digits before the decimal point")
    if number == 0:
        number = abs(number)  # no "-0.00"
    return format(number, "f")


def _boolean(field: Field, value: Any) -> bool:
    return value if isinstance(value, bool) else parse_boolean(_text_of(value))


def _date(field: Field, value: Any) -> str:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = parse_date(value)
    else:
        raise TypeRuleError(f"{_text_of(value)!r} is not a date (ISO 8601 or "
                            "M/D/YYYY h:mm:ss AM)")
    if moment.tzinfo is not None:
        moment = parse_date(moment.isoformat())  # to the platform's clock, without zone
    # ASSUMED: kept to the millisecond (sub-millisecond digits are dropped).
    return moment.isoformat(timespec="milliseconds")


def _email(field: Field, value: Any) -> str:
    text = _text_of(value)
    local, at, domain = text.strip().rpartition("@")
    # ASSUMED: the platform's exact e-mail grammar is unpublished; one "@" between two parts,
    # no spaces, is the rule applied.
    if not at or not local or not domain or "@" in local or any(c.isspace() for c in text.strip()):
        raise TypeRuleError("an e-mail address is local-part@domain")
    if len(text) > EMAIL_MAX_LENGTH:
        raise TypeRuleError(f"an e-mail address has at most {EMAIL_MAX_LENGTH} characters")
    return text


_CONVERTERS: dict[str, Callable[[Field, Any], Any]] = {
    "Number": _number,
    "Decimal": _decimal,
    "Boolean": _boolean,
    "Date": _date,
    "EmailAddress": _email,
}


def to_stored(field: Field, value: Any) -> Any:
    """Return ``value`` in ``field``'s stored form; raise ValueError naming the rule broken.

    Text fields keep text as it is and store numbers and booleans by their CLR text; an empty
    value of a typed field is null. Converting a stored value again gives it back unchanged.
    """
    if value is None:
        return None
    convert = _CONVERTERS.get(field.type)
    if convert is None:
        return _text_of(value)
    if value == "" and isinstance(value, str):
        return "" if field.is_text else None
    return convert(field, value)


def accepts(value: Any) -> bool:
    """Return whether ``value`` is of a kind the store converts: text, number, boolean or null."""
    return value is None or isinstance(value, (str, bool, Decimal, datetime)) or is_number(value)


def retrieve_text(field: Field | None, value: Any) -> str:
    """Return a stored value as Rows.Retrieve gives it (docs/fidelity.md#retrieve-text): always a
    string.

    ``42``, ``True``/``False``, dates ``1/15/2024 12:00:00 AM`` (to the second, rounded), a
    Decimal as its text, null as ``""``.
    """
    if value is None:
        return ""
    if field is not None and field.type == "Date" and isinstance(value, str):
        try:
            moment = parse_date(value)
        except ValueError:
            return value
        moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
        return clr_datetime(moment)
    return clr_text(value)


def lookup_value(field: Field, value: Any) -> Any:
    """Return a stored value as the lookups give it: int/float, bool, datetime, text; None empty.

    A value its type cannot read (not possible for rows the store converted) comes back as it
    is (ASSUMED "typed-cell-fallback").
    """
    if value is None or value == "":
        return None
    try:
        if field.type == "Number":
            return value if isinstance(value, int) else _number(field, value)
        if field.type == "Decimal":
            number = parse_number(_text_of(value))
            return int(number) if number == number.to_integral_value() else float(number)
        if field.type == "Boolean":
            return _boolean(field, value)
        if field.type == "Date":
            return value if isinstance(value, datetime) else parse_date(_text_of(value))
    except ValueError:
        return value
    return value


# --- values as filters and keys compare them -----------------------------------------------


def parse_number(text: str) -> Decimal:
    """Return ``text`` as an exact decimal number; raise ValueError when it is not one."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return number


def parse_date(text: str) -> datetime:
    """Return ``text`` (ISO 8601 or ``M/D/YYYY h:mm:ss AM``) as a zone-less platform time."""
    stripped = text.strip()
    iso = stripped[:-1] + "+00:00" if stripped.endswith(("Z", "z")) else stripped
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        for pattern in _US_DATE_FORMATS:
            try:
                moment = datetime.strptime(stripped, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"{text!r} is not a date (ISO 8601 or M/D/YYYY h:mm:ss AM)") from None
    if moment.tzinfo is not None:
        # Stored dates carry no zone; an explicit zone is converted to the platform's clock.
        moment = moment.astimezone(PLATFORM_ZONE).replace(tzinfo=None)
    return moment


def parse_boolean(text: str) -> bool:
    """Return ``text`` as a boolean (``True``/``False``, ``1``/``0``, ``Y``/``N``...)."""
    try:
        return _BOOLEAN_TEXTS[text.strip().casefold()]
    except KeyError:
        raise ValueError(f"{text!r} is not a boolean (true/false, 1/0, yes/no)") from None


_PARSERS: dict[str, Callable[[str], Any]] = {
    "Number": parse_number,
    "Decimal": parse_number,
    "Date": parse_date,
    "Boolean": parse_boolean,
}


def typed_value(field: Field, text: str) -> Any:
    """Return ``text`` as ``field`` compares it: case-folded text or a parsed value."""
    parser = _PARSERS.get(field.type)  # the text types (schema.TEXT_TYPES) have no parser
    return text.casefold() if parser is None else parser(text)


def cell_value(field: Field, value: Any) -> Any:
    """Return a cell (stored form, or text) as ``field`` compares it; raise ValueError.

    Stored forms (store/types.py) are read directly: a Number's int and a Boolean's bool as they
    are, a Date's ISO text by ``fromisoformat``; text is parsed by the field's type.
    """
    if isinstance(value, str):
        if field.type == "Date":
            try:
                moment = datetime.fromisoformat(value)  # the stored form: no zone
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is None:
                return moment
        return typed_value(field, value)
    if isinstance(value, bool):
        if field.type == "Boolean":
            return value
    elif isinstance(value, (int, Decimal)) and field.type in ("Number", "Decimal"):
        return value
    elif isinstance(value, datetime) and field.type == "Date":
        return value
    return typed_value(field, clr_text(value))


def comparison_key(field: Field, value: Any) -> Any:
    """Return a hashable key under which equal values of ``field`` coincide (None when empty)."""
    if value is None or value == "":
        return None
    try:
        return cell_value(field, value)
    except ValueError:
        # Only a value the store refused can get here; it only equals itself.
        return ("text", clr_text(value))


def cell_text(field: Field, value: Any) -> str:
    """Return a stored cell as the text ``like`` matches: the Rows.Retrieve rendering."""
    if isinstance(value, str) and field.type != "Date":
        return value
    return retrieve_text(field, value)
