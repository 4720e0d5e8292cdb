"""What a Sales Cloud object is: its name, key prefix and fields, and how a value is checked.

The shipped objects (:data:`SHIPPED`) are Lead, Contact, Account, Campaign, CampaignMember and
Task with the fields pages commonly write (docs/fidelity.md#salesforce-objects); a fixture file
``salesforce/<Object>.json`` adds fields to one of them or declares an object of its own.
Field names match in any case, as the Salesforce API's do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from emulator.salesforce import ids

#: Field types: text (with a length), number, boolean, date, datetime and reference (an id).
TYPES = ("text", "number", "boolean", "date", "datetime", "reference")
DEFAULT_LENGTH = 255
MAX_LENGTH = 131_072  # a long text area's limit
OBJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
PREFIX = re.compile(r"[0-9A-Za-z]{3}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_TRUE = ("true", "1")
_FALSE = ("false", "0")


class FieldRefused(ValueError):
    """A value does not fit its field: the message says what was wrong and what is accepted."""


@dataclass(frozen=True)
class SalesforceField:
    """One field of an object: name, type, whether a record needs it, and a text's length."""

    name: str
    type: str = "text"
    required: bool = False
    length: int = DEFAULT_LENGTH

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.required:
            document["required"] = True
        if self.type == "text" and self.length != DEFAULT_LENGTH:
            document["length"] = self.length
        return document

    def check(self, value: Any) -> Any:
        """Return ``value`` as the field stores it (None: empty), or raise FieldRefused."""
        if value is None or value == "":
            return None
        if self.type == "number":
            return _number(self.name, value)
        if self.type == "boolean":
            return _boolean(self.name, value)
        text = value if isinstance(value, str) else _text(value)
        if self.type == "text":
            if len(text) > self.length:
                raise FieldRefused(f"{self.name} holds at most {self.length} characters, not "
                                   f"{len(text)}")
            return text
        if self.type == "reference":
            found = ids.canonical(text.strip())
            if found is None:
                raise FieldRefused(f"{self.name} is a record id (15 or 18 letters and digits), "
                                   f"not {text[:40]!r}")
            return found
        return _when(self.name, text, self.type)


@dataclass(frozen=True)
class SalesforceObject:
    """A Sales Cloud object: its API name, 3-character key prefix and fields (Id not listed)."""

    name: str
    prefix: str
    fields: tuple[SalesforceField, ...]

    def field(self, name: str) -> SalesforceField | None:
        """Return the field ``name`` (any case), or None."""
        folded = name.strip().casefold()
        return next((f for f in self.fields if f.name.casefold() == folded), None)

    def field_names(self) -> str:
        return ", ".join(["Id", *(f.name for f in self.fields)])

    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "prefix": self.prefix,
                "fields": [f.to_json() for f in self.fields]}

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> SalesforceObject:
        return cls(document["name"], document["prefix"], tuple(
            SalesforceField(f["name"], f.get("type", "text"), bool(f.get("required")),
                            f.get("length", DEFAULT_LENGTH)) for f in document["fields"]))

    def with_fields(self, fields: Iterable[SalesforceField]) -> SalesforceObject:
        """Return this object with ``fields`` added, or replacing those of the same name."""
        merged = {f.name.casefold(): f for f in self.fields}
        for found in fields:
            merged[found.name.casefold()] = found
        return SalesforceObject(self.name, self.prefix, tuple(merged.values()))


def _object(name: str, prefix: str, required: Sequence[str], fields: Sequence[str]
            ) -> SalesforceObject:
    """Return a shipped object: ``Name:type`` entries, text when no type is given."""
    made = []
    for entry in [*required, *fields]:
        field_name, _, kind = entry.partition(":")
        made.append(SalesforceField(field_name, kind or "text", entry in required))
    return SalesforceObject(name, prefix, tuple(made))


#: docs/fidelity.md#salesforce-objects: the objects every org has, by name.
SHIPPED: dict[str, SalesforceObject] = {o.name: o for o in (
    _object("Lead", "00Q", ("LastName", "Company"),
            ("FirstName", "Email", "Phone", "Title", "Status", "LeadSource", "Description",
             "HasOptedOutOfEmail:boolean")),
    _object("Contact", "003", ("LastName",),
            ("FirstName", "Email", "Phone", "Title", "AccountId:reference", "LeadSource",
             "Description", "HasOptedOutOfEmail:boolean", "Birthdate:date")),
    _object("Account", "001", ("Name",),
            ("Phone", "Website", "Industry", "Type", "BillingCity", "BillingCountry",
             "Description", "NumberOfEmployees:number")),
    _object("Campaign", "701", ("Name",),
            ("Status", "Type", "IsActive:boolean", "StartDate:date", "EndDate:date",
             "Description")),
    _object("CampaignMember", "00v", ("CampaignId:reference",),
            ("LeadId:reference", "ContactId:reference", "Status")),
    _object("Task", "00T", (),
            ("Subject", "Status", "Priority", "WhoId:reference", "WhatId:reference",
             "ActivityDate:date", "Description")),
)}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _number(name: str, value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not _NUMBER.fullmatch(text):
        raise FieldRefused(f"{name} is a number, not {_text(value)[:40]!r}")
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise FieldRefused(f"{name} is true or false (or 1 or 0), not {_text(value)[:40]!r}")


def _when(name: str, text: str, kind: str) -> str:
    try:
        found = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        example = "2024-05-02" if kind == "date" else "2024-05-02T09:30:00Z"
        raise FieldRefused(f"{name} is a {kind} like {example}, not {text[:40]!r}") from None
    return found.date().isoformat() if kind == "date" else found.isoformat()
