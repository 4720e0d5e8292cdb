"""``Automation`` and ``QueryDefinition``: retrieve, and perform ``start`` that records a run.

docs/fidelity.md#automation-perform: ``performItem(type, {CustomerKey | ObjectID}, action)``
with the action in any case (RT); a QueryDefinition perform answers "QueryDefinition perform
called successfully" with a ``Task`` (RT), an Automation start "Performed Activity" with the
automation as ``Object`` (CAP). What a start records and how the status moves:
docs/fidelity.md#automation-runs (ASSUMED "automation-runs").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.automations import runs
from emulator.objects.model import REGISTRY, ItemResult, ObjectSession, ObjectType, Property, Row
from emulator.store.store import Store
from emulator.units.owners import owner_of

START = "start"


class _Performing(ObjectType):
    """A type whose objects a perform ``start`` finds by CustomerKey or ObjectID."""

    performable = True
    unit_owned = True
    #: the type's name in the text of an action it cannot perform (RT: QueryDefinition's is
    #: InteractionDefinition)
    action_type = ""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self.now = now

    def bound(self, session: ObjectSession) -> ObjectType:
        return type(self)(session.time)

    def clock(self) -> datetime:
        """Return the time of the session the type is bound to."""
        assert self.now is not None, "perform and retrieve use a bound type"
        return self.now()

    def records(self, store: Store) -> list[dict[str, Any]]:
        return []

    def perform(self, store: Store, item: Mapping[str, Any], action: str) -> ItemResult:
        if action.casefold() != START:
            return ItemResult(False, assumptions.PERFORM_BAD_ACTION.format(
                action=action, type=self.action_type or self.name))
        key = item.get("CustomerKey", item.get("ObjectID"))
        if not isinstance(key, str) or not key:
            return ItemResult(False, assumptions.AUTOMATION_NO_KEY.format(type=self.name))
        target = runs.find(self.records(store), item)
        if target is None:
            return ItemResult(False, assumptions.AUTOMATION_NOT_FOUND.format(type=self.name,
                                                                             key=key))
        return self.start(store, target)

    def start(self, store: Store, target: Mapping[str, Any]) -> ItemResult:
        raise NotImplementedError


class AutomationType(_Performing):
    """``Automation``: its status (``Running`` during a run) and its latest run."""

    name = "Automation"
    properties = (
        Property("CustomerKey"), Property("Name"), Property("Description"),
        Property("ObjectID"), Property("Status"), Property("IsActive", "Boolean"),
        Property("LastRunTime"), Property("LastRunStatus"), Property("Client.ID", "Number"),
    )

    def records(self, store: Store) -> list[dict[str, Any]]:
        return runs.automations(store)

    def rows(self, store: Store) -> Iterable[Row]:
        now = self.clock()
        latest = runs.latest_runs(store, self.name)
        owner = owner_of(store, self.name)
        for record in self.records(store):
            run = latest.get(record["CustomerKey"])
            yield {"CustomerKey": record["CustomerKey"], "Name": record["Name"],
                   "Description": record["Description"], "ObjectID": record["ObjectID"],
                   "Status": runs.status(record, run, now),
                   "IsActive": record["Status"] != "Inactive",
                   "LastRunTime": run["StartTime"] if run else "",
                   "LastRunStatus": runs.run_status(run, now) if run else "",
                   "Client.ID": owner(record["CustomerKey"])}

    def start(self, store: Store, target: Mapping[str, Any]) -> ItemResult:
        run, message = runs.start_automation(store, target, self.clock())
        shown = {"ObjectID": target["ObjectID"], "CustomerKey": target["CustomerKey"],
                 "Name": target["Name"], "Description": target["Description"],
                 "IsActive": target["Status"] != "Inactive"}
        return ItemResult(run is not None, message, shown)


class QueryDefinitionType(_Performing):
    """``QueryDefinition``: the queries of automations.json; a start records a run only."""

    name = "QueryDefinition"
    action_type = "InteractionDefinition"
    properties = (
        Property("CustomerKey"), Property("Name"), Property("Description"),
        Property("ObjectID"), Property("QueryText"), Property("TargetType"),
        Property("DataExtensionTarget.CustomerKey"), Property("DataExtensionTarget.Name"),
        Property("TargetUpdateType"), Property("LastRunTime"),
        Property("Client.ID", "Number"),
    )

    def records(self, store: Store) -> list[dict[str, Any]]:
        return runs.queries(store)

    def rows(self, store: Store) -> Iterable[Row]:
        latest = runs.latest_runs(store, self.name)
        owner = owner_of(store, self.name)
        for record in self.records(store):
            run = latest.get(record["CustomerKey"])
            yield {"CustomerKey": record["CustomerKey"], "Name": record["Name"],
                   "Description": record["Description"], "ObjectID": record["ObjectID"],
                   "QueryText": record["QueryText"], "TargetType": "DE",
                   "DataExtensionTarget.CustomerKey": record["Target"],
                   "DataExtensionTarget.Name": record["Target"],
                   "TargetUpdateType": record["TargetUpdateType"],
                   "LastRunTime": run["StartTime"] if run else "",
                   "Client.ID": owner(record["CustomerKey"])}

    def start(self, store: Store, target: Mapping[str, Any]) -> ItemResult:
        run = runs.perform_query(store, target, self.clock())
        task = {"StatusCode": "OK", "StatusMessage": "OK", "ID": str(run["RunID"]),
                "TblAsyncID": run["RunID"], "InteractionObjectID": target["ObjectID"]}
        shown = {"ObjectID": target["ObjectID"], "CustomerKey": target["CustomerKey"],
                 "Name": target["Name"]}
        return ItemResult(True, assumptions.QUERY_PERFORMED, shown, extra={"Task": task})


REGISTRY.register(AutomationType())
REGISTRY.register(QueryDefinitionType())
