"""What an automation and a query definition are, and ``automations.json`` in fixtures dirs.

``automations.json`` holds a JSON list of automations, each with the query definitions it runs
(docs/fidelity.md#automation-record)::

    [{"CustomerKey": "nightly", "Name": "Nightly import", "Status": "Scheduled",
      "RunSeconds": 300,
      "Queries": [{"CustomerKey": "dedupe", "Name": "Dedupe", "QueryText": "SELECT ...",
                   "Target": "Contacts", "TargetUpdateType": "Overwrite"}]}]

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order;
a CustomerKey used twice (an automation's, or a query's across every automation) or a bad entry
is a problem naming the file and the entry; every problem is listed at once, nothing is loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator import assumptions
from emulator.fixtures.problems import Problem, Problems
from emulator.fixtures.records import RecordRefused, fixture_folders, optional_text, read_records
from emulator.store.schema import describe_json_type

AUTOMATIONS_JSON = "automations.json"
AUTOMATIONS_TABLE = "_automations"
QUERIES_TABLE = "_query_definitions"
RUNS_TABLE = "_automation_runs"
AUTOMATION_FIELDS = ("CustomerKey", "Name", "Description", "Status", "RunSeconds", "Queries")
QUERY_FIELDS = ("CustomerKey", "Name", "Description", "QueryText", "Target",
                "TargetUpdateType")
#: docs/fidelity.md#query-definition: how a query writes its target (SOAP's enumeration).
UPDATE_TYPES = ("Overwrite", "Append", "Update")
MAX_KEY_LENGTH = 254
MAX_TEXT_LENGTH = 4000
MAX_QUERY_LENGTH = 1_000_000
MAX_RUN_SECONDS = 86_400
_AUTOMATION_IDS = uuid.UUID("3c9e52b4-6d17-4f0a-b8e1-2a7f5d000000")
_QUERY_IDS = uuid.UUID("3c9e52b4-6d17-4f0a-b8e1-2a7f5d000001")


def automation_object_id(key: str) -> str:
    """Return the ObjectID of the automation ``key`` (stable: a UUID5 of the key)."""
    return str(uuid.uuid5(_AUTOMATION_IDS, key))


def query_object_id(key: str) -> str:
    """Return the ObjectID of the query definition ``key`` (stable: a UUID5 of the key)."""
    return str(uuid.uuid5(_QUERY_IDS, key))


def check_automation(raw: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return ``raw`` as an automation record and its query records, or raise RecordRefused."""
    if not isinstance(raw, Mapping):
        raise RecordRefused(f"an automation is a JSON object with CustomerKey, not "
                            f"{describe_json_type(raw)}")
    _known(raw, AUTOMATION_FIELDS, "an automation")
    key = _key(raw)
    status = raw.get("Status", assumptions.AUTOMATION_DEFAULT_STATUS)
    if status not in assumptions.AUTOMATION_FIXTURE_STATUSES:
        raise RecordRefused(f"Status {status!r} is not one of "
                            f"{', '.join(assumptions.AUTOMATION_FIXTURE_STATUSES)} (Running "
                            "comes from a run, never from the file)", "Status")
    seconds = raw.get("RunSeconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int) \
            or not 0 <= seconds <= MAX_RUN_SECONDS:
        raise RecordRefused(f"RunSeconds is a whole number of seconds from 0 to "
                            f"{MAX_RUN_SECONDS}, not {seconds!r}", "RunSeconds")
    queries_raw = raw.get("Queries", [])
    if not isinstance(queries_raw, list):
        raise RecordRefused(f"Queries is a list of query definitions, not "
                            f"{describe_json_type(queries_raw)}", "Queries")
    queries = []
    for index, query in enumerate(queries_raw):
        try:
            queries.append(check_query(query, key))
        except RecordRefused as refused:
            raise RecordRefused(f"Queries [{index}]: {refused.message}", "Queries") from None
    keys = [query["CustomerKey"] for query in queries]
    if len(set(keys)) != len(keys):
        raise RecordRefused("Queries uses a CustomerKey twice", "Queries")
    record = {"CustomerKey": key, "Name": _text(raw, "Name") or key,
              "Description": _text(raw, "Description") or "", "Status": status,
              "RunSeconds": seconds, "ObjectID": automation_object_id(key), "Queries": keys}
    return record, queries


def check_query(raw: Any, automation: str) -> dict[str, Any]:
    """Return ``raw`` as the record of a query of ``automation``, or raise RecordRefused."""
    if not isinstance(raw, Mapping):
        raise RecordRefused(f"a query definition is a JSON object with CustomerKey, not "
                            f"{describe_json_type(raw)}")
    _known(raw, QUERY_FIELDS, "a query definition")
    key = _key(raw)
    update = raw.get("TargetUpdateType", "Overwrite")
    if update not in UPDATE_TYPES:
        raise RecordRefused(f"TargetUpdateType {update!r} is not one of "
                            f"{', '.join(UPDATE_TYPES)}", "TargetUpdateType")
    return {"CustomerKey": key, "Name": _text(raw, "Name") or key,
            "Description": _text(raw, "Description") or "",
            "QueryText": _text(raw, "QueryText", MAX_QUERY_LENGTH) or "",
            "Target": _text(raw, "Target", MAX_KEY_LENGTH) or "",
            "TargetUpdateType": update, "ObjectID": query_object_id(key),
            "Automation": automation}


def load_automation_dirs(dirs: Iterable[str | Path], include_default: bool = True
                         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the automations and query definitions of every fixtures directory given.

    Raise FixtureProblems listing every problem; nothing is loaded then.
    """
    problems = Problems()
    automations: dict[str, str] = {}
    queries: dict[str, str] = {}
    found: list[dict[str, Any]] = []
    found_queries: list[dict[str, Any]] = []
    for folder in fixture_folders(dirs, include_default):
        path = folder / AUTOMATIONS_JSON
        if not path.is_file():
            continue
        for (record, its_queries), where in read_records(path, problems, check_automation,
                                                         "automation"):
            here = f"{path}, {where}"
            used = [f"automation {record['CustomerKey']!r} (also at "
                    f"{automations[record['CustomerKey']]})"
                    ] if record["CustomerKey"] in automations else []
            used += [f"query definition {q['CustomerKey']!r} (also at "
                     f"{queries[q['CustomerKey']]})"
                     for q in its_queries if q["CustomerKey"] in queries]
            if used:
                problems.add(Problem(f"CustomerKey used twice: {'; '.join(used)}",
                                     "duplicate-automation", file=str(path), where=where))
                continue
            automations[record["CustomerKey"]] = here
            queries.update((q["CustomerKey"], here) for q in its_queries)
            found.append(record)
            found_queries.extend(its_queries)
    problems.raise_if_any()
    return found, found_queries


def tables(loaded: tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]
           ) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record tables that hold ``loaded`` and no run (for Store.replace_all)."""
    automations, queries = loaded
    return {AUTOMATIONS_TABLE: automations, QUERIES_TABLE: queries, RUNS_TABLE: []}


def _known(raw: Mapping[str, Any], names: tuple[str, ...], what: str) -> None:
    unknown = [str(name) for name in raw if name not in names]
    if unknown:
        raise RecordRefused(f"{what} has no {', '.join(map(repr, unknown))}; its fields are "
                            f"{', '.join(names)}", unknown[0])


def _key(raw: Mapping[str, Any]) -> str:
    key = _text(raw, "CustomerKey", MAX_KEY_LENGTH)
    if key is None or not key.strip():
        raise RecordRefused("CustomerKey is missing or empty; give each one a key",
                            "CustomerKey")
    return key


def _text(raw: Mapping[str, Any], name: str, limit: int = MAX_TEXT_LENGTH) -> str | None:
    return optional_text(raw, name, limit)
