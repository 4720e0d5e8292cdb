"""Field type rules: which text a Number, Decimal, Boolean, Date or EmailAddress field accepts.

Values are still stored as the text given (Retrieve renders them unchanged); these rules only
refuse text the platform would not store in a column of that type, with an error naming the
Data Extension, the field, the value and the rule broken.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.store.filters import parse_boolean, parse_date, parse_number
from emulator.store.schema import Field

#: SFMC's Number is a 32-bit whole number (OFF: "Data Extension Data Types").
NUMBER_MIN, NUMBER_MAX = -(2**31), 2**31 - 1
#: Longest e-mail address an EmailAddress field holds (OFF: 254 characters).
EMAIL_MAX_LENGTH = 254
TYPE_MESSAGE = ("The value {value!r} for field {field} of Data Extension {key} is not a valid "
                "{type}: {reason}.")


def _number(field: Field, text: str) -> str | None:
    number = parse_number(text)
    if number != number.to_integral_value():
        return "a Number holds whole numbers only"
    if not NUMBER_MIN <= number <= NUMBER_MAX:
        return f"a Number lies between {NUMBER_MIN} and {NUMBER_MAX}"
    return None


def _decimal(field: Field, text: str) -> str | None:
    number = parse_number(text)
    if field.precision is None:
        return None
    scale = field.scale or 0
    whole_digits = len(str(abs(int(number)))) if int(number) else 0
    if whole_digits > field.precision - scale:
        # ASSUMED: like SQL Server's decimal(p, s), too many whole digits is an overflow error;
        # extra decimals are kept as given (SQL would round them).
        return (f"Decimal({field.precision},{scale}) holds at most "
                f"{field.precision - scale} digits before the decimal point")
    return None


def _boolean(field: Field, text: str) -> str | None:
    parse_boolean(text)
    return None


def _date(field: Field, text: str) -> str | None:
    parse_date(text)
    return None


def _email(field: Field, text: str) -> str | None:
    local, at, domain = text.strip().rpartition("@")
    # ASSUMED: the platform's exact e-mail grammar is unpublished; one "@" between two parts,
    # no spaces, is the rule applied.
    if not at or not local or not domain or "@" in local or any(c.isspace() for c in text.strip()):
        return "an e-mail address is local-part@domain"
    if len(text) > EMAIL_MAX_LENGTH:
        return f"an e-mail address has at most {EMAIL_MAX_LENGTH} characters"
    return None


_RULES: dict[str, Callable[[Field, str], str | None]] = {
    "Number": _number,
    "Decimal": _decimal,
    "Boolean": _boolean,
    "Date": _date,
    "EmailAddress": _email,
}


def type_problem(field: Field, text: str) -> str | None:
    """Return why ``text`` cannot go into ``field``, or None when it can (empty always can)."""
    rule = _RULES.get(field.type)
    if rule is None or text == "":
        return None
    try:
        return rule(field, text)
    except ValueError as error:
        return str(error)
