"""Row validation: what a row must satisfy to enter a Data Extension.

One validator serves the store (every write) and the fixture loader (rows checked at load time,
so errors name the file and row). Every value passes :func:`emulator.store.types.to_stored` on
the way in, so a row comes out in its fields' canonical stored forms (types.py).

The store wants the first broken rule (a page sees one error); the fixture loader and the admin
API want every one, so an author fixes a row in one go. :meth:`RowValidator.check` stops at the
first; :meth:`RowValidator.problems` runs it and, only when it fails, checks the row again
collecting every field's problem, so a valid row costs the same either way.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
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


Collected = list[RowRejected]  # every problem of one row, in the order check meets them


def refuse(error: RowRejected, collected: Collected | None) -> None:
    """Raise ``error`` (``collected`` is None), or add it unless its field has a problem already."""
    if collected is None:
        raise error from None
    if all(seen.field != error.field for seen in collected):
        collected.append(error)


def normalise(schema: DataExtensionSchema, row: Mapping[str, Any],
              collected: Collected | None = None) -> StoredRow:
    """Return ``row`` keyed by the schema's field spelling; refuse unknown or repeated fields.

    With ``collected``, a refused field is added there and left out of the row instead.
    """
    key = schema.key
    given: StoredRow = {}
    spelled: dict[str, str] = {}
    for name, value in row.items():
        field = schema.field(name)
        if field is None:
            message = assumptions.DE_UNKNOWN_FIELD.format(field=name, key=key)
            refuse(RowRejected(message, key=key, field=name, rule="unknown-field", value=value),
                   collected)
            continue
        if field.name in given:
            names = f"{spelled[field.name]}, {name}"
            message = DE_FIELD_TWICE.format(field=field.name, key=key, names=names)
            refuse(RowRejected(message, key=key, field=field.name, rule="duplicate-field"),
                   collected)
            continue
        if not accepts(value):
            message = VALUE_NOT_TEXT.format(field=field.name, key=key, type=type(value).__name__)
            refuse(RowRejected(message, key=key, field=field.name, rule="value-type",
                               value=value), collected)
            continue
        given[field.name] = value
        spelled[field.name] = name
    return given


def normalise_all(schema: DataExtensionSchema, rows: Iterable[Mapping[str, Any]]
                  ) -> list[StoredRow]:
    """Return each row as :func:`normalise` does; raise its error for the first refused row.

    A row already in the schema's spelling is returned itself, not copied: read it only.

    Rows naming the same columns the same way (a batch usually does) share one lookup of their
    fields; a row with a name the schema lacks, a field twice or a value of another kind goes
    through :func:`normalise`, which refuses it.
    """
    fields_of: dict[tuple[str, ...], tuple[str, ...] | None] = {}
    given: list[StoredRow] = []
    for row in rows:
        names = tuple(row)
        if names in fields_of:
            fields = fields_of[names]
        else:
            fields = fields_of[names] = _spelling(schema, names)
        values = row.values()
        if fields is None or not _PLAIN_KINDS.issuperset(map(type, values)):
            given.append(normalise(schema, row))
        elif fields == names and type(row) is dict:
            given.append(row)  # spelled as the schema spells it: read, never changed
        else:
            given.append(dict(zip(fields, values, strict=True)))
    return given


#: Kinds of value every field takes to its conversion (others go through ``accepts``).
_PLAIN_KINDS = frozenset({str, int, float, bool, Decimal, datetime, type(None)})


def _spelling(schema: DataExtensionSchema, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """Return the schema's spelling of ``names``; None when one is unknown or a field repeats."""
    found = [schema.field(name) for name in names]
    if any(field is None for field in found):
        return None
    fields = tuple(field.name for field in found if field is not None)
    return fields if len(set(fields)) == len(fields) else None


def primary_key(schema: DataExtensionSchema, row: Mapping[str, Any],
                stored: bool = False) -> Hashable:
    """Return the comparable primary key of a normalised row (None without a primary key).

    The row's values are converted to their stored forms first (``stored``: they are already),
    so a key given as text and the same key as stored coincide.
    """
    fields = schema.primary_keys
    if not fields:
        return None
    # Compared as the column type compares (Text case-insensitively,
    # docs/fidelity.md#case-insensitive-text).
    if len(fields) == 1:  # the usual key: one text column given as text compares case-folded
        field = fields[0]
        value = row.get(field.name)
        if type(value) is str and value and _kept_as_given(field):
            return (value.casefold(),)
    if stored:
        return tuple(comparison_key(f, row.get(f.name)) for f in fields)
    return tuple(comparison_key(f, _stored_or_given(f, row.get(f.name))) for f in fields)


def _stored_or_given(field: Field, value: Any) -> Any:
    try:
        return to_stored(field, value)
    except ValueError:
        return value  # refused elsewhere; here it only equals itself


def _kept_as_given(field: Field) -> bool:
    """Return whether ``field`` stores any non-empty text as given (types.to_stored).

    Every text type but EmailAddress, whose text is checked against the address rule.
    """
    return field.is_text and field.type != "EmailAddress"


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
        self._plan = [(f, f.name, f.nullable, f.default_value, _kept_as_given(f), f.text_limit)
                      for f in schema.fields]

    def check(self, row: Mapping[str, Any], normalised: bool = False,
              over: Mapping[str, Any] | None = None, pk: Hashable = None) -> StoredRow:
        """Return ``row`` as it would be stored; raise RowRejected naming the first broken rule.

        ``normalised``: the row is already keyed by the schema's spelling (:func:`normalise`),
        so it is not checked for unknown or repeated fields again. ``over``: a stored row that
        ``row`` updates; the fields ``row`` does not give keep its values, which were checked
        when they were stored. ``pk``: the row's :func:`primary_key`, when the caller has it
        and the row gives every key field a value (no default can change it).
        """
        stored = self._fields(row, normalised=normalised, over=over)
        self.keys.append(self._claim_key(stored, pk=pk))
        return stored

    def problems(self, row: Mapping[str, Any]) -> list[RowRejected]:
        """Check ``row`` as :meth:`check` does; return every rule it breaks (empty: it passed).

        One problem a field, in the order ``check`` meets them, so the first is the error
        ``check`` raises. A refused row whose key fields are sound still claims its key, so a
        later row repeating it is reported too.
        """
        try:
            self.check(row)
        except RowRejected:
            pass  # the common case passed above at check's cost; now find every problem
        else:
            return []
        collected: Collected = []
        stored = self._fields(row, collected)
        if not {f.name for f in self.schema.primary_keys} & {p.field for p in collected}:
            self._claim_key(stored, collected)
        return collected

    def _fields(self, row: Mapping[str, Any], collected: Collected | None = None,
                normalised: bool = False, over: Mapping[str, Any] | None = None
                ) -> StoredRow:
        key = self.schema.key
        given = row if normalised else normalise(self.schema, row, collected)
        stored: StoredRow = {}
        for field, name, nullable, default, kept, limit in self._plan:
            if over is not None and name not in given and name in over:
                stored[name] = over[name]
                continue
            value = given.get(name)
            # The usual cell: ASCII text within its limit, stored as given (no rule can refuse).
            if kept and type(value) is str and value and (
                    limit is None or (len(value) <= limit and value.isascii())):
                stored[name] = value
                continue
            if value is None or value == "":
                if default is not None and (value is None or not nullable):
                    value = default
                if not nullable and (value is None or value == ""):
                    message = assumptions.DE_REQUIRED_FIELD.format(field=name, key=key)
                    refuse(RowRejected(message, key=key, field=name, rule="required",
                                       value=value), collected)
            if value is not None:
                try:
                    value = to_stored(field, value)
                except ValueError as problem:
                    message = TYPE_MESSAGE.format(value=clr_text(value)[:100], field=name,
                                                  key=key, type=field.type, reason=problem)
                    refuse(RowRejected(message, key=key, field=name, rule="type", value=value),
                           collected)
                    stored[name] = value  # only when collecting: the value as given
                    continue
                # A Text(n) column is nvarchar(n): its length counts UTF-16 code units.
                if field.text_limit is not None and value is not None:
                    length = utf16_length(value)
                    if length > field.text_limit:
                        message = assumptions.DE_VALUE_TOO_LONG.format(
                            field=name, key=key, length=length, limit=field.text_limit)
                        refuse(RowRejected(message, key=key, field=name, rule="length",
                                           value=value), collected)
            stored[name] = value
        return stored

    def _claim_key(self, stored: StoredRow, collected: Collected | None = None,
                   pk: Hashable = None) -> Hashable:
        fields = self.schema.primary_keys
        if pk is None:
            pk = primary_key(self.schema, stored, stored=True)
        if pk is None:
            return None  # no primary key: the DE is append-only (docs/design.md)
        if pk in self._taken or pk in self._seen:
            names = ", ".join(f.name for f in fields)
            values = ", ".join(str(stored[f.name]) for f in fields)
            key = self.schema.key
            message = assumptions.DE_DUPLICATE_KEY.format(key=key, field=names, value=values)
            refuse(RowRejected(message, key=key, field=names, rule="duplicate-key",
                               value=values), collected)
            return pk
        self._seen.add(pk)
        return pk
