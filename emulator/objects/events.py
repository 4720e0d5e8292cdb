"""The tracking event types: ``SentEvent``, ``OpenEvent``, ``ClickEvent``, ``BounceEvent`` and
``UnsubEvent``, retrieve only.

docs/fidelity.md#object-events: each type answers the events of its kind from the store's
``_events`` table (seeded from ``events/<Type>.json``, emulator/events/records.py); a
``SentEvent`` retrieve adds one event per message of the page's outbox, and an ``UnsubEvent``
retrieve the events a ``LogUnsubEvent`` execute logged. Filters and paging are the object
model's, as for every other type.
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator.events import records
from emulator.objects.model import REGISTRY, ObjectSession, ObjectType, Property, Row
from emulator.sends.outbox import Outbox
from emulator.store.store import Store
from emulator.units.registry import units_of

COMMON = (
    Property("SendID", "Number"), Property("SubscriberKey"), Property("EventDate", "Date"),
    Property("EventType"), Property("TriggeredSendDefinitionObjectID"),
    Property("ListID", "Number"), Property("BatchID", "Number"), Property("Client.ID", "Number"),
)


class EventType(ObjectType):
    """One event kind: its records in the store, read only."""

    kind = ""
    unit_owned = True

    def rows(self, store: Store) -> Iterable[Row]:
        mid = units_of(store).default  # events belong to the unit pages run in (ASSUMED)
        for record in records.events(store, self.kind):
            yield {**record, "Client.ID": mid}


class SentEventType(EventType):
    """``SentEvent``: the seeded sent events, then one per message of the page's outbox."""

    name, kind, properties = "SentEvent", "Sent", COMMON

    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox

    def bound(self, session: ObjectSession) -> ObjectType:
        return SentEventType(session.outbox)

    def rows(self, store: Store) -> Iterable[Row]:
        yield from super().rows(store)
        mid = units_of(store).default
        for message in self.outbox.messages() if self.outbox is not None else ():
            yield {"SendID": message["id"], "SubscriberKey": message["subscriberKey"],
                   "EventDate": message["time"], "EventType": "Sent",
                   "TriggeredSendDefinitionObjectID": message["definitionObjectID"],
                   "ListID": 0, "BatchID": 0, "Client.ID": message.get("mid", mid)}


class OpenEventType(EventType):
    name, kind, properties = "OpenEvent", "Open", COMMON


class ClickEventType(EventType):
    name, kind, properties = "ClickEvent", "Click", (*COMMON, Property("URL"))


class BounceEventType(EventType):
    name, kind, properties = "BounceEvent", "Bounce", (*COMMON, Property("BounceCategory"))


class UnsubEventType(EventType):
    name, kind, properties = "UnsubEvent", "Unsub", COMMON


for _type in (SentEventType(), OpenEventType(), ClickEventType(), BounceEventType(),
              UnsubEventType()):
    REGISTRY.register(_type)
