"""Row validation: what a row must satisfy to enter a Data Extension.

One validator serves the store (every write) and the fixture loader (rows checked at load time,
so errors name the file and row). Every value passes :func:`emulator.store.types.to_stored` on
the way in, so a row comes out in its fields' canonical stored forms (types.py).
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Mapping
from typing import Any

from emulator import assumptions
from emulator.errors import RowRejected
from emulator.script.clr import clr_text
from emulator.script.js import utf16_length
from emulator.store.schema import DataExtensionSchema, Field
from emulator.store.types import TYPE_MESSAGE, accepts, comparison_key, to_stored

#: Store-side text (no page sees it: the platform shim hands the store text only).
VALUE_NOT_TEXT = (
    "The value for field {field} of Data Extension {key} must be text, a number, a boolean or "
    "null, not {type}."
)
DE_FIELD_TWICE = assumptions.DE_FIELD_TWICE

StoredRow = dict[str, Any]  # values in their stored forms (types.py)


def normalise(schema: DataExtensionSchema, row: Mapping[str, Any]) -> StoredRow:
    """Return ``row`` keyed by the schema's field spelling; refuse unknown or repeated fields."""
    key = schema.key
    given: StoredRow = {}
    spelled: dict[str, str] = {}
    for name, value in row.items():
        field = schema.field(name)
        if field is None:
            message = assumptions.DE_UNKNOWN_FIELD.format(field=name, key=key)
            raise RowRejected(message, key=key, field=name, rule="unknown-field", value=value)
        if field.name in given:
            names = f"{spelled[field.name]}, {name}"
            message = DE_FIELD_TWICE.format(field=field.name, key=key, names=names)
            raise RowRejected(message, key=key, field=field.name, rule="duplicate-field")
        if not accepts(value):
            message = VALUE_NOT_TEXT.format(field=field.name, key=key, type=type(value).__name__)
            raise RowRejected(message, key=key, field=field.name, rule="value-type", value=value)
        given[field.name] = value
        spelled[field.name] = name
    return given


def primary_key(schema: DataExtensionSchema, row: Mapping[str, Any],
                stored: bool = False) -> Hashable:
    """Return the comparable primary key of a normalised row (None without a primary key).

    The row's values are converted to their stored forms first (``stored``: they are already),
    so a key given as text and the same key as stored coincide.
    """
    fields = schema.primary_keys
    if not fields:
        return None
    # Compared as the column type compares (Text case-insensitively, sfmc-facts 3.20).
    if stored:
        return tuple(comparison_key(f, row.get(f.name)) for f in fields)
    return tuple(comparison_key(f, _stored_or_given(f, row.get(f.name))) for f in fields)


def _stored_or_given(field: Field, value: Any) -> Any:
    try:
        return to_stored(field, value)
    except ValueError:
        return value  # refused elsewhere; here it only equals itself


class RowValidator:
    """Check rows against a schema and against the primary keys already taken.

    ``check`` returns the row as stored: every schema field, in schema order and spelling, with
    defaults filled. Keys of the rows checked so far are recorded in ``keys`` (None without a
    primary key), so a batch that repeats a key is refused too.
    """

    def __init__(self, schema: DataExtensionSchema, taken: Container[Hashable] = ()) -> None:
        self.schema = schema
        self.keys: list[Hashable] = []
        self._taken = taken
        self._seen: set[Hashable] = set()

    def check(self, row: Mapping[str, Any]) -> StoredRow:
        """Return ``row`` as it would be stored; raise RowRejected naming the broken rule."""
        stored = self._fields(row)
        self.keys.append(self._claim_key(stored))
        return stored

    def _fields(self, row: Mapping[str, Any]) -> StoredRow:
        key = self.schema.key
        given = normalise(self.schema, row)
        stored: StoredRow = {}
        for field in self.schema.fields:
            name, nullable, default = field.name, field.nullable, field.default_value
            value = given.get(name)
            if value is None or value == "":
                if default is not None and (value is None or not nullable):
                    value = default
                if not nullable and (value is None or value == ""):
                    message = assumptions.DE_REQUIRED_FIELD.format(field=name, key=key)
                    raise RowRejected(message, key=key, field=name, rule="required", value=value)
            if value is not None:
                try:
                    value = to_stored(field, value)
                except ValueError as problem:
                    message = TYPE_MESSAGE.format(value=clr_text(value)[:100], field=name,
                                                  key=key, type=field.type, reason=problem)
                    raise RowRejected(message, key=key, field=name, rule="type",
                                      value=value) from None
                # A Text(n) column is nvarchar(n): its length counts UTF-16 code units.
                if field.text_limit is not None and value is not None:
                    length = utf16_length(value)
                    if length > field.text_limit:
                        message = assumptions.DE_VALUE_TOO_LONG.format(
                            field=name, key=key, length=length, limit=field.text_limit)
                        raise RowRejected(
                            message, key=key, field=name, rule="length", value=value)
            stored[name] = value
        return stored

    def _claim_key(self, stored: StoredRow) -> Hashable:
        fields = self.schema.primary_keys
        pk = primary_key(self.schema, stored, stored=True)
        if pk is None:
            return None  # no primary key: the DE is append-only (design.md)
        if pk in self._taken or pk in self._seen:
            names = ", ".join(f.name for f in fields)
            values = ", ".join(str(stored[f.name]) for f in fields)
            key = self.schema.key
            message = assumptions.DE_DUPLICATE_KEY.format(key=key, field=names, value=values)
            raise RowRejected(message, key=key, field=names, rule="duplicate-key", value=values)
        self._seen.add(pk)
        return pk
