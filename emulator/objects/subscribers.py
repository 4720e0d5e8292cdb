"""``Subscriber``, ``List`` and ``ListSubscriber`` on the store's subscriber tables.

docs/fidelity.md#object-subscriber: a subscriber retrieves as ``SubscriberKey``,
``EmailAddress``, ``Status`` (RT); creates from ``{EmailAddress, SubscriberKey, Status, Lists:
[{ID, Status}], Attributes: [{Name, Value}]}``, an invalid address failing the item with
``InvalidEmailAddress`` (RT); deletes by ``SubscriberKey``, a missing one failing with "The
subscriber was not found." and ErrorCode 12001 (RT). ``List`` and ``ListSubscriber`` are
retrieve only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator import assumptions
from emulator.fixtures.records import RecordRefused
from emulator.objects.errors import RequestRefused
from emulator.objects.model import REGISTRY, ItemResult, ObjectType, Property, Row
from emulator.store.store import Store
from emulator.subscribers import data
from emulator.subscribers.model import check_list, check_subscriber, is_email
from emulator.units.owners import owner_of

#: docs/fidelity.md#object-subscriber (RT)
INVALID_EMAIL = "InvalidEmailAddress"
NOT_FOUND = "The subscriber was not found."
NOT_FOUND_CODE = 12001


class SubscriberType(ObjectType):
    """``Subscriber``: retrieve, create, update, delete."""

    name = "Subscriber"
    properties = (Property("ID", "Number"), Property("SubscriberKey"),
                  Property("EmailAddress"), Property("Status"), Property("Client.ID", "Number"))
    creatable = updatable = deletable = True
    unit_owned, owner_key = True, "SubscriberKey"

    def rows(self, store: Store) -> Iterable[Row]:
        owner = owner_of(store, self.name)
        for number, record in enumerate(data.subscribers(store), 1):
            yield {"ID": number, "SubscriberKey": record["SubscriberKey"],
                   "EmailAddress": record["EmailAddress"], "Status": record["Status"],
                   "Client.ID": owner(record["SubscriberKey"])}

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        attributes = item.get("Attributes")
        if attributes is not None and not (
                isinstance(attributes, list)
                and all(isinstance(a, Mapping) and "Name" in a for a in attributes)):
            raise RequestRefused(verb, "Attributes is an array of {Name, Value}")
        lists = item.get("Lists")
        if lists is not None and not (
                isinstance(lists, list) and all(isinstance(m, Mapping) for m in lists)):
            raise RequestRefused(verb, "Lists is an array of {ID, Status}")

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        if not is_email(str(item.get("EmailAddress", ""))):
            return ItemResult(False, INVALID_EMAIL)
        key = item.get("SubscriberKey")
        if isinstance(key, str) and _find(store, key) is not None:
            return ItemResult(False, assumptions.OBJECT_SUBSCRIBER_EXISTS)
        return self._save(store, None, item, assumptions.OBJECT_SUBSCRIBER_CREATED)

    def update(self, store: Store, item: Mapping[str, Any],
               options: Mapping[str, Any]) -> ItemResult:
        key = item.get("SubscriberKey")
        current = _find(store, key) if isinstance(key, str) else None
        if current is None:
            return ItemResult(False, NOT_FOUND, error_code=NOT_FOUND_CODE)
        if "EmailAddress" in item and not is_email(str(item["EmailAddress"])):
            return ItemResult(False, INVALID_EMAIL)
        return self._save(store, current, item, assumptions.OBJECT_SUBSCRIBER_UPDATED)

    def delete(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        key = item.get("SubscriberKey")
        if not isinstance(key, str) or not data.remove_subscriber(store, key):
            return ItemResult(False, NOT_FOUND, error_code=NOT_FOUND_CODE)
        return ItemResult(True, assumptions.OBJECT_SUBSCRIBER_DELETED)

    def _save(self, store: Store, current: Mapping[str, Any] | None, item: Mapping[str, Any],
              message: str) -> ItemResult:
        merged: dict[str, Any] = dict(current or {})
        for name in ("SubscriberKey", "EmailAddress", "Status"):
            if name in item:
                merged[name] = item[name]
        attributes = dict(merged.get("Attributes", {}))
        for pair in item.get("Attributes") or []:
            attributes[str(pair["Name"])] = pair.get("Value")
        merged["Attributes"] = attributes
        memberships = {m["ID"]: dict(m) for m in merged.get("Lists", [])}
        for given in item.get("Lists") or []:
            memberships[given.get("ID")] = {"ID": given.get("ID"),
                                            "Status": given.get("Status", "Active")}
        merged["Lists"] = list(memberships.values())
        known = {entry["ID"] for entry in data.lists(store)}
        try:
            record = check_subscriber(merged, known.__contains__)
        except RecordRefused as refused:
            return ItemResult(False, refused.message)
        data.save_subscriber(store, record)
        return ItemResult(True, message, {k: v for k, v in item.items()})


class ListType(ObjectType):
    """``List``: retrieve, create, and delete by CustomerKey with the list's memberships
    (docs/fidelity.md#core-list-folder-writes)."""

    name = "List"
    properties = (Property("ID", "Number"), Property("ListName"), Property("CustomerKey"),
                  Property("Type"), Property("ListClassification"), Property("Description"),
                  Property("Client.ID", "Number"))
    creatable = deletable = True
    unit_owned = True

    def rows(self, store: Store) -> Iterable[Row]:
        owner = owner_of(store, self.name)
        for record in data.lists(store):
            yield {**record, "Client.ID": owner(record["CustomerKey"])}

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        held = data.read(store)
        new_id = max((record["ID"] for record in held.lists), default=0) + 1
        try:
            record = check_list({**item, "ID": new_id})
        except RecordRefused as refused:
            return ItemResult(False, refused.message)
        if any(other["CustomerKey"] == record["CustomerKey"] for other in held.lists):
            return ItemResult(False, assumptions.OBJECT_LIST_KEY_USED.format(
                key=record["CustomerKey"]))
        data.put(store, data.SubscriberData(held.subscribers, (*held.lists, record)))
        return ItemResult(True, assumptions.OBJECT_LIST_CREATED, {**item, "ID": new_id})

    def delete(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        held = data.read(store)
        key = item.get("CustomerKey")
        found = next((record for record in held.lists if record["CustomerKey"] == key), None)
        if found is None:
            return ItemResult(False, assumptions.OBJECT_LIST_NOT_FOUND.format(key=key))
        subscribers = tuple(
            {**record, "Lists": [m for m in record["Lists"] if m["ID"] != found["ID"]]}
            for record in held.subscribers)
        data.put(store, data.SubscriberData(
            subscribers, tuple(record for record in held.lists if record is not found)))
        return ItemResult(True, assumptions.OBJECT_LIST_DELETED)


class ListSubscriberType(ObjectType):
    """``ListSubscriber``: one row per list membership (retrieve only)."""

    name = "ListSubscriber"
    properties = (Property("ListID", "Number"), Property("SubscriberKey"), Property("Status"),
                  Property("Client.ID", "Number"))
    unit_owned = True

    def rows(self, store: Store) -> Iterable[Row]:
        owner = owner_of(store, SubscriberType.name)  # a membership is its subscriber's
        for record in data.subscribers(store):
            for membership in record["Lists"]:
                yield {"ListID": membership["ID"], "SubscriberKey": record["SubscriberKey"],
                       "Status": membership["Status"],
                       "Client.ID": owner(record["SubscriberKey"])}


def _find(store: Store, key: str) -> dict[str, Any] | None:
    try:
        return data.find(store, key)
    except data.SubscriberNotFound:
        return None


REGISTRY.register(SubscriberType())
REGISTRY.register(ListType())
REGISTRY.register(ListSubscriberType())
