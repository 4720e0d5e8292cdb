"""Data Extension schemas: fields, primary keys, retention, and their JSON form.

The JSON form is the DE file format of docs/design.md, without ``rows``.
:meth:`DataExtensionSchema.from_json` is the one gate every schema passes, whether it comes from a
fixture file, the admin API or the ``_schemas`` table of a ``--db`` file, so its errors name the
source, the Data Extension and exactly what is wrong: every mistake at once, not the first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, NamedTuple

from emulator import assumptions
from emulator.errors import FixtureError
from emulator.script.clr import clr_text
from emulator.script.js import utf16_length

#: SFMC's field types, keyed by their case-folded spelling so ``"text"`` is read as ``"Text"``.
FIELD_TYPES = {
    name.casefold(): name
    for name in ("Text", "Number", "Decimal", "Boolean", "Date", "EmailAddress", "Phone", "Locale")
}
#: Types whose values are free text: compared case-insensitively, limited by ``length``.
TEXT_TYPES = frozenset({"Text", "EmailAddress", "Phone", "Locale"})

_FIELD_KEYS = (
    "name", "type", "length", "primaryKey", "nullable", "precision", "scale", "defaultValue",
)
_SCHEMA_KEYS = ("key", "name", "fields", "retention")
_RETENTION_KEYS = ("maxRows", "maxAgeDays")



@dataclass(frozen=True)
class Field:
    """One column of a Data Extension."""

    name: str
    type: str = "Text"
    length: int | None = None
    primary_key: bool = False
    nullable: bool = True
    precision: int | None = None
    scale: int | None = None
    default_value: str | None = None
    #: The most UTF-16 code units a value may hold: ``length`` for text types, else None.
    text_limit: int | None = dataclass_field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.type == "Text" and self.length is None:
            # ASSUMED "text-length": a Text field without a length holds 4000 characters.
            object.__setattr__(self, "length", assumptions.TEXT_DEFAULT_LENGTH)
        object.__setattr__(self, "text_limit", self.length if self.is_text else None)

    @property
    def is_text(self) -> bool:
        """Return whether values of this field are free text."""
        return self.type in TEXT_TYPES

    def to_json(self) -> dict[str, Any]:
        """Return the field as it is written in a DE file (defaults left out)."""
        doc: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.length is not None:
            doc["length"] = self.length
        if self.primary_key:
            doc["primaryKey"] = True
        if self.nullable != (not self.primary_key):
            doc["nullable"] = self.nullable
        if self.precision is not None:
            doc["precision"] = self.precision
        if self.scale is not None:
            doc["scale"] = self.scale
        if self.default_value is not None:
            doc["defaultValue"] = self.default_value
        return doc


@dataclass(frozen=True)
class Retention:
    """How many rows, or how old, a Data Extension keeps (exactly one limit is set)."""

    max_rows: int | None = None
    max_age_days: int | None = None

    def to_json(self) -> dict[str, int]:
        """Return the retention as it is written in a DE file."""
        if self.max_rows is not None:
            return {"maxRows": self.max_rows}
        return {"maxAgeDays": self.max_age_days or 0}


@dataclass(frozen=True)
class DataExtensionSchema:
    """The definition of a Data Extension: external key, name, fields, retention."""

    key: str
    name: str
    fields: tuple[Field, ...]
    retention: Retention | None = None
    _by_name: dict[str, Field] = dataclass_field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    # Derived once: every row written and every lookup reads them (a schema never changes).
    _primary_keys: tuple[Field, ...] = dataclass_field(
        init=False, repr=False, compare=False, hash=False, default=()
    )
    _field_names: tuple[str, ...] = dataclass_field(
        init=False, repr=False, compare=False, hash=False, default=()
    )
    #: Compiled Rows.Retrieve filters by their frozen form (filters.compile_filter's cache).
    compiled_filters: dict[Any, Any] = dataclass_field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        # Field names are case-insensitive on the platform (docs/fidelity.md#case-insensitive-text).
        object.__setattr__(self, "_by_name", {f.name.casefold(): f for f in self.fields})
        object.__setattr__(self, "_primary_keys", tuple(f for f in self.fields if f.primary_key))
        object.__setattr__(self, "_field_names", tuple(f.name for f in self.fields))

    def field(self, name: str) -> Field | None:
        """Return the field called ``name`` (any case), or None."""
        return self._by_name.get(name.casefold())

    @property
    def primary_keys(self) -> tuple[Field, ...]:
        """Return the primary-key fields, in schema order."""
        return self._primary_keys

    @property
    def field_names(self) -> tuple[str, ...]:
        """Return the field names as the schema spells them."""
        return self._field_names

    def to_json(self) -> dict[str, Any]:
        """Return the schema in the DE file format, without rows."""
        doc: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "fields": [f.to_json() for f in self.fields],
        }
        if self.retention is not None:
            doc["retention"] = self.retention.to_json()
        return doc

    @classmethod
    def from_json(cls, doc: Any, source: str) -> DataExtensionSchema:
        """Build a schema from its DE file form; raise SchemaRefused listing every mistake.

        Its message names ``source`` and the Data Extension on each line; its ``mistakes`` say
        where each one is in ``doc``, so a fixture's problems can name their line and column.
        """
        return _SchemaReader(source).read(doc)


class SchemaMistake(NamedTuple):
    """One thing wrong with a schema document, and where: ``path`` leads to it in the document.

    ``path`` is e.g. ``("fields", 2, "type")`` (``()``: the document itself); ``field`` names the
    field it is in, when that field has a name; ``at_key``: the key is wrong, not its value.
    """

    message: str
    path: tuple[str | int, ...] = ()
    field: str | None = None
    at_key: bool = False


class SchemaRefused(FixtureError):
    """A schema document was refused: ``mistakes`` lists every one, ``key`` the DE (if known).

    The message has one line a mistake: ``SOURCE: Data Extension 'KEY': MISTAKE``.
    """

    def __init__(self, source: str, key: str | None, mistakes: Sequence[SchemaMistake]) -> None:
        self.source = source
        self.key = key
        self.mistakes = tuple(mistakes)
        where = source if key is None else f"{source}: Data Extension {key!r}"
        super().__init__("\n".join(f"{where}: {mistake.message}" for mistake in self.mistakes))


class _SchemaReader:
    """Validate one schema document, noting every mistake (and where it is) before refusing it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.key: str | None = None
        self.mistakes: list[SchemaMistake] = []

    def note(self, message: str, *path: str | int, field: str | None = None,
             at_key: bool = False) -> None:
        self.mistakes.append(SchemaMistake(message, path, field, at_key))

    def refused(self) -> SchemaRefused:
        return SchemaRefused(self.source, self.key, self.mistakes)

    def read(self, doc: Any) -> DataExtensionSchema:
        if not isinstance(doc, dict):
            self.note(f"a Data Extension must be a JSON object, not {describe_json_type(doc)}")
            raise self.refused()
        key = doc.get("key")
        if not isinstance(key, str) or not key.strip():
            self.note('"key" (the external key) must be a non-empty string', "key")
        else:
            self.key = key
            if key.startswith("_"):
                self.note('"key" must not start with "_": the store keeps metadata under those',
                          "key")
        self.reject_unknown(doc, _SCHEMA_KEYS, "the Data Extension", ())
        name = doc.get("name", key)
        if "name" in doc and (not isinstance(name, str) or not name.strip()):
            self.note('"name" must be a non-empty string (it defaults to the key)', "name")
        raw_fields = doc.get("fields")
        fields: list[Field | None] = []
        if not isinstance(raw_fields, list) or not raw_fields:
            self.note('"fields" must be a non-empty list of field objects', "fields")
        else:
            fields = [self.read_field(index, raw) for index, raw in enumerate(raw_fields)]
            self.reject_same_names(raw_fields)
        retention = self.read_retention(doc.get("retention"))
        if self.mistakes:
            raise self.refused()
        return DataExtensionSchema(key=key, name=name,
                                   fields=tuple(f for f in fields if f is not None),
                                   retention=retention)

    def reject_unknown(self, doc: dict[str, Any], allowed: tuple[str, ...], what: str,
                       at: tuple[str | int, ...], field: str | None = None) -> None:
        for unknown in (k for k in doc if k not in allowed):
            self.note(f"unknown key {unknown!r} in {what}; allowed keys: {', '.join(allowed)}",
                      *at, unknown, field=field, at_key=True)

    def reject_same_names(self, raw_fields: list[Any]) -> None:
        seen: dict[str, str] = {}
        for index, raw in enumerate(raw_fields):
            name = raw.get("name") if isinstance(raw, dict) else None
            if not isinstance(name, str) or not name.strip():
                continue  # noted by read_field
            folded = name.casefold()
            if folded in seen:
                self.note(f"fields {seen[folded]!r} and {name!r} have the same name "
                          "(field names are case-insensitive)", "fields", index, "name",
                          field=name)
            else:
                seen[folded] = name

    def read_field(self, index: int, raw: Any) -> Field | None:
        """Return the field at ``fields[index]``; None (with its mistakes noted) when it is bad."""
        at: tuple[str | int, ...] = ("fields", index)
        if not isinstance(raw, dict):
            self.note(f"fields[{index}] must be an object, not {describe_json_type(raw)}", *at)
            return None
        before = len(self.mistakes)
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            what = f"field {name!r}"
        else:
            what, name = f"fields[{index}]", None
            self.note(f'{what}: "name" must be a non-empty string', *at, "name")
        self.reject_unknown(raw, _FIELD_KEYS, what, at, name)
        raw_type = raw.get("type", "Text")  # SFMC's own default field type
        type_name = FIELD_TYPES.get(raw_type.casefold()) if isinstance(raw_type, str) else None
        if type_name is None:
            self.note(f"{what}: type {raw_type!r} is not one of {', '.join(FIELD_TYPES.values())}",
                      *at, "type", field=name)
        primary_key = self.read_bool(raw, "primaryKey", False, what, at, name)
        nullable = self.read_bool(raw, "nullable", not primary_key, what, at, name)
        if primary_key and nullable:
            self.note(f"{what}: a primary key field cannot be nullable", *at, "nullable",
                      field=name)
        length = self.read_count(raw, "length", what, at, name, minimum=1)  # Field fills Text's
        precision = self.read_count(raw, "precision", what, at, name, minimum=1)
        scale = self.read_count(raw, "scale", what, at, name, minimum=0)
        if (precision is not None or scale is not None) and type_name not in ("Decimal", None):
            self.note(f"{what}: precision and scale apply to Decimal fields only",
                      *at, "precision" if precision is not None else "scale", field=name)
        if precision is not None and scale is not None and scale > precision:
            self.note(f"{what}: scale {scale} is larger than precision {precision}",
                      *at, "scale", field=name)
        default = raw.get("defaultValue")
        if isinstance(default, (dict, list)):
            self.note(f"{what}: defaultValue must be a string, number or boolean",
                      *at, "defaultValue", field=name)
            default = None
        if name is None or type_name is None:
            return None
        field = Field(
            name=name, type=type_name, length=length, primary_key=primary_key,
            nullable=nullable, precision=precision, scale=scale,
            default_value=None if default is None else clr_text(default),
        )
        if field.default_value is not None and field.is_text and field.length is not None:
            if utf16_length(field.default_value) > field.length:
                self.note(f"{what}: defaultValue is longer than the field's length",
                          *at, "defaultValue", field=name)
        return field if len(self.mistakes) == before else None

    def read_bool(self, raw: dict[str, Any], key: str, default: bool, what: str,
                  at: tuple[str | int, ...], name: str | None) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.note(f"{what}: {key} must be true or false, not {value!r}", *at, key, field=name)
            return default
        return value

    def read_count(self, raw: dict[str, Any], key: str, what: str, at: tuple[str | int, ...],
                   name: str | None, *, minimum: int) -> int | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.note(f"{what}: {key} must be an integer >= {minimum}, not {value!r}",
                      *at, key, field=name)
            return None
        return value

    def read_retention(self, raw: Any) -> Retention | None:
        if raw is None:
            return None
        shape = '{"maxRows": N} or {"maxAgeDays": D}'
        if not isinstance(raw, dict) or len(raw) != 1:
            self.note(f'"retention" must be {shape}', "retention")
            return None
        (name, value), = raw.items()
        if name not in _RETENTION_KEYS:
            self.note(f'unknown retention {name!r}; "retention" must be {shape}',
                      "retention", name, at_key=True)
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.note(f"retention {name} must be a positive integer, not {value!r}",
                      "retention", name)
            return None
        if name == "maxRows":
            return Retention(max_rows=value)
        return Retention(max_age_days=value)


def describe_json_type(value: Any) -> str:
    """Name a decoded JSON value's type the way a fixture author would."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def schema_differences(target: DataExtensionSchema, given: DataExtensionSchema) -> list[str]:
    """Return how ``given`` differs from the ``target`` schema (empty when they agree)."""
    differences = []
    if given.name != target.name:
        differences.append(f"name {given.name!r} (target: {target.name!r})")
    theirs = {f.name.casefold(): f for f in target.fields}
    ours = {f.name.casefold(): f for f in given.fields}
    differences += [f"field {f.name!r} is missing" for f in target.fields
                    if f.name.casefold() not in ours]
    differences += [f"field {f.name!r} is not in the target" for f in given.fields
                    if f.name.casefold() not in theirs]
    for field in given.fields:
        other = theirs.get(field.name.casefold())
        if other is not None:
            differences += _field_differences(other, field)
    same_set = [f.name.casefold() for f in given.fields if f.name.casefold() in theirs]
    if not differences and same_set != [f.name.casefold() for f in target.fields]:
        order = ", ".join(target.field_names)
        differences.append(f"the fields are in another order (target: {order})")
    if given.retention != target.retention:
        def show(schema: DataExtensionSchema) -> str:
            return json.dumps(schema.retention.to_json()) if schema.retention else "none"
        differences.append(f"retention {show(given)} (target: {show(target)})")
    return differences


_FIELD_ATTRIBUTES = (("name", "name"), ("type", "type"), ("length", "length"),
                     ("primary_key", "primaryKey"), ("nullable", "nullable"),
                     ("precision", "precision"), ("scale", "scale"),
                     ("default_value", "defaultValue"))


def _field_differences(target: Field, given: Field) -> list[str]:
    return [f"field {target.name!r}: {label} {getattr(given, attr)!r} "
            f"(target: {getattr(target, attr)!r})"
            for attr, label in _FIELD_ATTRIBUTES if getattr(given, attr) != getattr(target, attr)]
