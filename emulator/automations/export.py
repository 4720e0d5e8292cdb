"""``mcemu export``'s ``automations.json``: the automations and their queries, never the runs.

The entries are the fixture file's format (emulator/automations/records.py), one a line, so a
store seeded from an export exports the same bytes. Runs are what pages did, not fixtures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.automations.records import AUTOMATION_FIELDS, AUTOMATIONS_JSON, QUERY_FIELDS
from emulator.folders.export import write_records


def automation_entries(automations: Sequence[Mapping[str, Any]],
                       queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the automation records as automations.json entries, each with its queries."""
    by_key = {query["CustomerKey"]: query for query in queries}
    entries = []
    for record in automations:
        entry = {name: record[name] for name in AUTOMATION_FIELDS if name != "Queries"}
        entry["Queries"] = [{name: by_key[key][name] for name in QUERY_FIELDS}
                            for key in record["Queries"] if key in by_key]
        entries.append(entry)
    return entries


def write_automations(entries: Sequence[Mapping[str, Any]], out: Path) -> Path | None:
    """Write ``out/automations.json`` from entries; None (nothing written) when there are none."""
    return write_records(out, AUTOMATIONS_JSON, entries)
