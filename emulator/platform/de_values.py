"""Argument handling shared by the SSJS Data Extension shims (Rows.*, Platform.Function.*)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.ampscript.dataext import iso_date, typed_cell
from emulator.platform.calls import ARITY_ERROR
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.js import is_nullish, is_number
from emulator.store.schema import DataExtensionSchema
from emulator.store.types import retrieve_text

INVALID_LIMIT = "Invalid row limit {value!r}: give a whole number."


def row_texts(row: dict[str, Any]) -> dict[str, str]:
    """Return a row object with its values as stored text.

    ASSUMED "text-clr-value" / "de-function-values": non-strings are stored as their CLR text,
    null and undefined empty.
    """
    return {name: clr_text(value) for name, value in row.items()}


def as_list(value: Any) -> list[Any]:
    """Return an array argument; one name or value stands for a one-element array."""
    return list(value) if isinstance(value, list) else [value]


def arrays_only(*values: Any) -> None:
    """Refuse scalar forms: DE functions take arrays (docs/fidelity.md#de-functions-arrays)."""
    if not all(isinstance(value, list) for value in values):
        raise PlatformError(ARITY_ERROR)


def as_text(value: Any) -> str:
    """Return a field name or a where value as text (numbers by their CLR text)."""
    return clr_text(value)


def limit_of(value: Any, default: int) -> int:
    """Return a row limit from a number or numeric text (RT); null or below 1: ``default``."""
    if is_nullish(value) or value == "":
        return default
    number: float
    if is_number(value):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise PlatformError(INVALID_LIMIT.format(value=value[:100])) from None
    else:
        raise PlatformError(INVALID_LIMIT.format(value=clr_text(value)[:100]))
    if math.isnan(number) or math.isinf(number) or not number.is_integer():
        raise PlatformError(INVALID_LIMIT.format(value=clr_text(value)[:100]))
    return int(number) if number >= 1 else default


def where_pairs(function: str, columns: Any, values: Any) -> list[tuple[str, str]]:
    """Return (column, value text) pairs of two arrays of the same, non-zero length."""
    names, given = as_list(columns), as_list(values)
    if len(names) != len(given) or not names:
        raise PlatformError(assumptions.DE_FUNCTION_ARRAYS.format(
            function=function, columns=len(names), values=len(given)))
    return [(as_text(name), as_text(value)) for name, value in zip(names, given, strict=True)]


def typed_row(schema: DataExtensionSchema, row: dict[str, Any]) -> dict[str, Any]:
    """Return a stored row as Rows.Lookup gives it: typed values, dates as ISO text.

    See docs/fidelity.md#lookup-dates-iso.
    """
    typed: dict[str, Any] = {}
    for name, stored in row.items():
        field = schema.field(name)
        value = stored if field is None else typed_cell(field, stored)
        typed[name] = iso_date(value) if isinstance(value, datetime) else value
    return typed


def text_row(schema: DataExtensionSchema, row: dict[str, Any]) -> dict[str, str]:
    """Return a stored row as Rows.Retrieve gives it: every value a string.

    See docs/fidelity.md#retrieve-text.
    """
    return {name: retrieve_text(schema.field(name), value) for name, value in row.items()}
