"""Each automation as the admin API and the dashboard show it: status now, queries, runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from emulator.automations import runs
from emulator.store.store import Store


def summaries(store: Store, now: datetime) -> list[dict[str, Any]]:
    """Return every automation with ``currentStatus``, its queries and its runs, oldest first.

    Each run gains its ``Status`` at ``now`` (``Running`` until its end, then ``Complete``).
    """
    queries = {query["CustomerKey"]: query for query in runs.queries(store)}
    held = runs.runs(store)

    def runs_of(object_type: str, key: str) -> list[dict[str, Any]]:
        return [_at(run, now) for run in held
                if run["ObjectType"] == object_type and run["CustomerKey"] == key]

    found = []
    for record in runs.automations(store):
        own = runs_of("Automation", record["CustomerKey"])
        its_queries = [{**queries[key], "runs": runs_of("QueryDefinition", key)}
                       for key in record["Queries"] if key in queries]
        found.append({**record, "currentStatus": runs.status(record, own[-1] if own else None,
                                                             now),
                      "Queries": its_queries, "runs": own})
    return found


def _at(run: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {**run, "Status": runs.run_status(run, now)}
