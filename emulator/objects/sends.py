"""``TriggeredSendDefinition`` and ``TriggeredSend``: sends captured, never sent.

docs/fidelity.md#object-triggered-send: ``createItem("TriggeredSend", {TriggeredSendDefinition:
{CustomerKey}, Subscribers: [{EmailAddress, SubscriberKey, Attributes: [{Name, Value}]}]})``
sends the definition's e-mail to each subscriber (3P); only an Active definition sends (OFF).
The emulator records one message a subscriber in the outbox of the page's session
(docs/fidelity.md#outbox); ``SentEvent`` (emulator/objects/events.py) retrieves those messages.
An update of a definition sets its ``TriggeredSendStatus`` and texts
(docs/fidelity.md#triggered-send-update): how the Core library's Start, Pause and Publish move it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator import assumptions
from emulator.fixtures.records import RecordRefused
from emulator.objects.errors import RequestRefused
from emulator.objects.model import REGISTRY, ItemResult, ObjectSession, ObjectType, Property, Row
from emulator.sends import definitions
from emulator.sends.outbox import Outbox
from emulator.store.store import Store
from emulator.subscribers.model import is_email
from emulator.units.owners import owner_of

NOT_CAPTURED = "Sends are not captured here: a TriggeredSend needs a page run's outbox."


class TriggeredSendDefinitionType(ObjectType):
    """``TriggeredSendDefinition``: retrieve, and update by CustomerKey (``Status`` is not a
    property, RT)."""

    name = "TriggeredSendDefinition"
    properties = (
        Property("CustomerKey"), Property("Name"), Property("TriggeredSendStatus"),
        Property("Description"), Property("EmailSubject"), Property("FromName"),
        Property("FromAddress"), Property("ObjectID"), Property("Client.ID", "Number"),
    )
    updatable = True
    unit_owned = True

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        if verb == "update" and not isinstance(item.get("CustomerKey"), str):
            raise RequestRefused(verb, "a TriggeredSendDefinition is named by its CustomerKey "
                                       "(text)")

    def update(self, store: Store, item: Mapping[str, Any],
               options: Mapping[str, Any]) -> ItemResult:
        """Change the definition's status or texts; other properties fail the item."""
        key = item["CustomerKey"]
        found = definitions.find(store, key)
        if found is None:
            return ItemResult(False, assumptions.SEND_NO_DEFINITION.format(key=key))
        changed = {name: value for name, value in item.items() if name != "CustomerKey"}
        fixed = [name for name in changed if name not in definitions.DEFINITION_FIELDS]
        if fixed:
            return ItemResult(False, assumptions.SEND_DEFINITION_FIXED.format(
                names=", ".join(fixed), fields=", ".join(definitions.DEFINITION_FIELDS[1:])))
        try:
            record = definitions.check_definition({**found, **changed})
        except RecordRefused as refused:
            return ItemResult(False, refused.message)
        definitions.save(store, record)
        return ItemResult(True, assumptions.SEND_DEFINITION_UPDATED, dict(item))

    def rows(self, store: Store) -> Iterable[Row]:
        owner = owner_of(store, self.name)
        for record in definitions.definitions(store):
            yield {**record, "ObjectID": definitions.object_id(record["CustomerKey"]),
                   "Client.ID": owner(record["CustomerKey"])}


class TriggeredSendType(ObjectType):
    """``TriggeredSend``: create only; each create puts its messages in the outbox."""

    name = "TriggeredSend"
    properties = (Property("TriggeredSendDefinition.CustomerKey", retrievable=False),
                  Property("Subscribers", retrievable=False))
    creatable = True

    def __init__(self, outbox: Outbox | None = None, mid: int | None = None) -> None:
        self.outbox = outbox
        #: the unit a send acts as when not the pages' (after setClientId): its messages note
        #: it as ``mid`` and their SentEvents carry it as Client.ID (docs/fidelity.md#unit-objects)
        self.mid = mid

    def bound(self, session: ObjectSession) -> ObjectType:
        unit = session.unit
        acting = unit.acting if unit is not None and unit.acting != unit.units.default else None
        return TriggeredSendType(session.outbox, acting)

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        definition = item.get("TriggeredSendDefinition")
        if not isinstance(definition, Mapping):
            raise RequestRefused(verb, "TriggeredSendDefinition is an object such as "
                                       "{CustomerKey: \"welcome\"}")
        subscribers = item.get("Subscribers")
        if subscribers is not None and not (
                isinstance(subscribers, list)
                and all(isinstance(s, Mapping) for s in subscribers)):
            raise RequestRefused(verb, "Subscribers is an array of {EmailAddress, "
                                       "SubscriberKey, Attributes: [{Name, Value}]}")
        for subscriber in subscribers or []:
            attributes = subscriber.get("Attributes")
            if attributes is not None and not (
                    isinstance(attributes, list)
                    and all(isinstance(a, Mapping) and "Name" in a for a in attributes)):
                raise RequestRefused(verb, "a subscriber's Attributes is an array of "
                                           "{Name, Value}")

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        key = item["TriggeredSendDefinition"].get("CustomerKey")
        definition = definitions.find(store, key) if isinstance(key, str) else None
        if definition is None:
            return ItemResult(False, assumptions.SEND_NO_DEFINITION.format(key=key))
        if definition["TriggeredSendStatus"] != "Active":
            return ItemResult(False, assumptions.SEND_NOT_ACTIVE.format(
                key=key, status=definition["TriggeredSendStatus"]))
        subscribers = item.get("Subscribers") or []
        if not subscribers:
            return ItemResult(False, assumptions.SEND_NO_SUBSCRIBERS)
        messages = []
        for subscriber in subscribers:
            address = subscriber.get("EmailAddress")
            if not isinstance(address, str) or not is_email(address):
                # the subscriber-level error of a send (docs/fidelity.md#object-subscriber)
                return ItemResult(False, "InvalidEmailAddress")
            subscriber_key = subscriber.get("SubscriberKey", address)
            messages.append({
                "definitionKey": key, "definitionObjectID": definitions.object_id(key),
                "subscriberKey": str(subscriber_key), "emailAddress": address,
                "attributes": {str(a["Name"]): a.get("Value")
                               for a in subscriber.get("Attributes") or []},
                **({"mid": self.mid} if self.mid is not None else {})})
        if self.outbox is None:
            return ItemResult(False, NOT_CAPTURED)
        self.outbox.record(messages)
        return ItemResult(True, assumptions.SEND_CREATED)


REGISTRY.register(TriggeredSendDefinitionType())
REGISTRY.register(TriggeredSendType())
