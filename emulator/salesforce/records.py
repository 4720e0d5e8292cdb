"""Sales Cloud records in the store: create, update and retrieve, checked against the object.

Two record tables hold the org: :data:`OBJECTS_TABLE` the objects (shipped ones and those the
fixtures declare), :data:`RECORDS_TABLE` every record as ``{"Id", "object", "values"}`` (the
values with ``Id`` first). Both are saved, checkpointed, rolled back and reset with the rest of
the store. A refused write changes nothing (docs/fidelity.md#salesforce-functions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from emulator.salesforce import ids
from emulator.salesforce.objects import SHIPPED, FieldRefused, SalesforceObject
from emulator.store.store import Store

OBJECTS_TABLE = "_salesforce_objects"
RECORDS_TABLE = "_salesforce_records"
#: RetrieveSalesforceObjects' comparison operators (docs/fidelity.md#salesforce-functions).
OPERATORS = ("=", "!=", "<", "<=", ">", ">=")


class SalesforceRefused(ValueError):
    """A Sales Cloud call the org refuses: unknown object or field, missing value, bad id."""


def object_records(objects: Iterable[SalesforceObject]) -> list[dict[str, Any]]:
    """Return ``objects`` as the records of :data:`OBJECTS_TABLE`."""
    return [found.to_json() for found in objects]


def objects(store: Store) -> dict[str, SalesforceObject]:
    """Return every object of the org by its name folded (the shipped ones when none is held)."""
    held = store.records(OBJECTS_TABLE) if store.has_records(OBJECTS_TABLE) else []
    found = [SalesforceObject.from_json(doc) for doc in held] or list(SHIPPED.values())
    return {item.name.casefold(): item for item in found}


def find_object(store: Store, name: str) -> SalesforceObject:
    """Return the object ``name`` (any case), or raise SalesforceRefused naming those there are."""
    known = objects(store)
    found = known.get(name.strip().casefold())
    if found is None:
        raise SalesforceRefused(f"the org has no object {name[:80]!r}; it has "
                                f"{', '.join(o.name for o in known.values())}")
    return found


def records(store: Store, object_name: str | None = None) -> list[dict[str, Any]]:
    """Return the values of every record (of ``object_name`` only, when given), oldest first."""
    return [item["values"] for item in store.records(RECORDS_TABLE)
            if object_name is None or item["object"] == object_name]


def records_by_object(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Return the values of every record by object name, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    for item in store.records(RECORDS_TABLE):
        found.setdefault(item["object"], []).append(item["values"])
    return found


def check_values(found: SalesforceObject, pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Return the field values of ``pairs`` by field name, or raise SalesforceRefused."""
    values: dict[str, Any] = {}
    for name, value in pairs:
        field = found.field(name)
        if field is None:
            if name.strip().casefold() == "id":
                raise SalesforceRefused(f"{found.name}.Id is set by the org, never written")
            raise SalesforceRefused(f"{found.name} has no field {name[:80]!r}; its fields are "
                                    f"{found.field_names()}")
        try:
            values[field.name] = field.check(value)
        except FieldRefused as refused:
            raise SalesforceRefused(f"{found.name}.{refused}") from None
    return values


def create(store: Store, object_name: str, pairs: Sequence[tuple[str, Any]]) -> str:
    """Add a record of ``object_name`` with ``pairs`` (field, value); return its 18-char Id."""
    found = find_object(store, object_name)
    values = check_values(found, pairs)
    missing = [name for name in found.required() if values.get(name) is None]
    if missing:
        raise SalesforceRefused(f"a {found.name} needs {', '.join(found.required())}; missing: "
                                f"{', '.join(missing)}")
    with store.transaction():
        held = store.records(RECORDS_TABLE)
        _check_references(found, values, held)
        record_id = next_id(found, held)
        held.append({"Id": record_id, "object": found.name, "values": {
            "Id": record_id, **{f.name: values.get(f.name) for f in found.fields}}})
        store.replace_records(RECORDS_TABLE, held)
    return record_id


def _check_references(found: SalesforceObject, values: Mapping[str, Any],
                      held: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a reference field naming a record the org does not hold."""
    wanted = {name: value for name, value in values.items() if value is not None
              and (field := found.field(name)) is not None and field.type == "reference"}
    if not wanted:
        return
    there = {item["values"]["Id"] for item in held}
    for name, value in wanted.items():
        if value not in there:
            raise SalesforceRefused(f"{found.name}.{name}: no record has the Id {value}")


def next_id(found: SalesforceObject, held: Sequence[Mapping[str, Any]]) -> str:
    """Return the next free id of ``found`` (a counter of its records, past any id taken)."""
    taken = {item["values"]["Id"] for item in held}
    number = sum(1 for item in held if item["object"] == found.name) + 1
    while ids.new_id(found.prefix, number) in taken:
        number += 1
    return ids.new_id(found.prefix, number)


def update(store: Store, object_name: str, record_id: str,
           pairs: Sequence[tuple[str, Any]]) -> None:
    """Set ``pairs`` on the record ``record_id`` (15 or 18 characters) of ``object_name``."""
    found = find_object(store, object_name)
    wanted = ids.canonical(record_id.strip())
    if wanted is None:
        raise SalesforceRefused(f"{record_id[:40]!r} is no record id: an id has 15 or 18 letters "
                                "and digits")
    values = check_values(found, pairs)
    emptied = [name for name in found.required() if name in values and values[name] is None]
    if emptied:
        raise SalesforceRefused(f"a {found.name} needs {', '.join(emptied)}: it cannot be "
                                "emptied")
    with store.transaction():
        held = store.records(RECORDS_TABLE)
        target = next((item for item in held if item["object"] == found.name
                       and item["values"]["Id"] == wanted), None)
        if target is None:
            raise SalesforceRefused(f"no {found.name} has the Id {record_id.strip()!r}")
        _check_references(found, values, held)
        target["values"].update(values)
        store.replace_records(RECORDS_TABLE, held)


def retrieve(store: Store, object_name: str, names: Sequence[str],
             conditions: Sequence[tuple[str, str, Any]]) -> list[dict[str, Any]]:
    """Return ``names`` of each record of ``object_name`` meeting every condition (ANDed)."""
    found = find_object(store, object_name)
    fields = [_field_name(found, name) for name in names]
    tests = []
    for name, operator, value in conditions:
        field_name = _field_name(found, name)
        if operator.strip() not in OPERATORS:
            raise SalesforceRefused(f"{operator[:20]!r} is no operator; use one of "
                                    f"{' '.join(OPERATORS)}")
        tests.append((field_name, operator.strip(), _condition_value(found, field_name, value)))
    return [{name: values.get(name) for name in fields} for values in records(store, found.name)
            if all(_meets(values.get(name), operator, value) for name, operator, value in tests)]


def _field_name(found: SalesforceObject, name: str) -> str:
    if name.strip().casefold() == "id":
        return "Id"
    field = found.field(name)
    if field is None:
        raise SalesforceRefused(f"{found.name} has no field {name[:80]!r}; its fields are "
                                f"{found.field_names()}")
    return field.name


def _condition_value(found: SalesforceObject, name: str, value: Any) -> Any:
    if name == "Id":
        text = str(value).strip()
        return ids.canonical(text) or text
    field = found.field(name)
    assert field is not None
    try:
        return field.check(value)
    except FieldRefused as refused:
        raise SalesforceRefused(f"{found.name}.{refused}") from None


def _meets(held: Any, operator: str, wanted: Any) -> bool:
    """Compare as the org does: text in any case, numbers as numbers, null equal to empty."""
    if isinstance(held, str) and isinstance(wanted, str):
        held, wanted = held.casefold(), wanted.casefold()
    if operator == "=":
        return bool(held == wanted)
    if operator == "!=":
        return bool(held != wanted)
    if held is None or wanted is None or type(held) is not type(wanted) and not (
            isinstance(held, int | float) and isinstance(wanted, int | float)):
        return False
    if operator == "<":
        return bool(held < wanted)
    if operator == "<=":
        return bool(held <= wanted)
    if operator == ">":
        return bool(held > wanted)
    return bool(held >= wanted)
