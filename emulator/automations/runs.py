"""Automations in the store, and what starting one (or performing a query) records.

docs/fidelity.md#automation-runs: a start records a run with the emulator clock's time; no
activity executes and a query's SQL never runs (the run says so). The automation reads
``Running`` until its ``RunSeconds`` have passed on the emulator clock, then its own status
again; :data:`emulator.assumptions.AUTOMATION_START` names what a start does in each status.
Runs are a store table: saved, checkpointed, rolled back and reset with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from emulator import assumptions
from emulator.automations.records import AUTOMATIONS_TABLE, QUERIES_TABLE, RUNS_TABLE
from emulator.store.store import Store

RUNNING = "Running"
COMPLETE = "Complete"
NOT_EXECUTED = "Recorded only: mc-emulator runs no activity and never executes a query's SQL."


def automations(store: Store) -> list[dict[str, Any]]:
    """Return every automation record, in the order they were added."""
    return store.records(AUTOMATIONS_TABLE)


def queries(store: Store) -> list[dict[str, Any]]:
    """Return every query definition record, in the order they were added."""
    return store.records(QUERIES_TABLE)


def runs(store: Store) -> list[dict[str, Any]]:
    """Return every recorded run, oldest first."""
    return store.records(RUNS_TABLE)


def run_status(run: Mapping[str, Any], now: datetime) -> str:
    """Return ``Running`` while the clock is before the run's end, else ``Complete``."""
    return RUNNING if now < datetime.fromisoformat(run["EndTime"]) else COMPLETE


def latest_runs(store: Store, object_type: str) -> dict[str, dict[str, Any]]:
    """Return the newest run of each object of ``object_type`` by CustomerKey."""
    return {run["CustomerKey"]: run for run in runs(store) if run["ObjectType"] == object_type}


def status(automation: Mapping[str, Any], latest: Mapping[str, Any] | None,
           now: datetime) -> str:
    """Return the automation's status now: ``Running`` during a run, else its own."""
    if latest is not None and run_status(latest, now) == RUNNING:
        return RUNNING
    return str(automation["Status"])


def find(records: list[dict[str, Any]], item: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the record ``item`` names by CustomerKey or ObjectID (docs: either), or None."""
    for name in ("CustomerKey", "ObjectID"):
        value = item.get(name)
        if isinstance(value, str) and value:
            return next((r for r in records if r[name] == value), None)
    return None


def start_automation(store: Store, automation: Mapping[str, Any], now: datetime
                     ) -> tuple[dict[str, Any] | None, str]:
    """Record a run of ``automation`` if its status lets it start; return (run, message)."""
    with store.transaction():
        current = status(automation, latest_runs(store, "Automation").get(
            automation["CustomerKey"]), now)
        outcome = assumptions.AUTOMATION_START.get(current)
        if outcome != RUNNING:
            return None, assumptions.AUTOMATION_CANNOT_START.format(
                key=automation["CustomerKey"], status=current)
        run = _record(store, "Automation", automation, now, automation["RunSeconds"],
                      {"Queries": list(automation["Queries"])})
    return run, assumptions.AUTOMATION_STARTED


def perform_query(store: Store, query: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Record a run of the query definition ``query`` (its SQL is not executed)."""
    with store.transaction():
        return _record(store, "QueryDefinition", query, now, 0,
                       {"QueryText": query["QueryText"], "Target": query["Target"]})


def _record(store: Store, object_type: str, target: Mapping[str, Any], now: datetime,
            seconds: int, extra: Mapping[str, Any]) -> dict[str, Any]:
    held = runs(store)
    run = {"RunID": max((r["RunID"] for r in held), default=0) + 1, "ObjectType": object_type,
           "CustomerKey": target["CustomerKey"], "ObjectID": target["ObjectID"],
           "StartTime": now.isoformat(), "EndTime": (now + timedelta(seconds=seconds)).isoformat(),
           **extra, "Note": NOT_EXECUTED}
    held.append(run)
    del held[:-assumptions.AUTOMATION_RUN_LIMIT]  # the oldest go, as the outbox's do
    store.replace_records(RUNS_TABLE, held)
    return run
