"""Event records: ``events/<Type>.json`` in fixtures directories, the store table ``_events``.

An event record (docs/fidelity.md#event-records)::

    {"EventType": "Click", "SubscriberKey": "ann", "EventDate": "2024-01-02T10:00:00",
     "SendID": 7, "TriggeredSendDefinitionObjectID": "", "ListID": 0, "BatchID": 0,
     "URL": "https://example.org/offer", "BounceCategory": ""}

The file's name gives the type (``events/ClickEvent.json`` holds click events); ``URL`` belongs
to clicks, ``BounceCategory`` to bounces. Every problem of every file is listed at once and
nothing is loaded then. The table is saved, rolled back and reset with the other record tables
(seed it with :func:`tables`, export it with :func:`write_events`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from emulator import assumptions
from emulator.fixtures.problems import Problem, Problems
from emulator.fixtures.records import RecordRefused, fixture_folders, optional_text, read_records
from emulator.store.schema import describe_json_type
from emulator.store.store import Store

EVENTS_DIR = "events"
EVENTS_TABLE = "_events"
#: The object type of each event kind, and the kind of each file name (``ClickEvent.json``).
EVENT_TYPES = {"SentEvent": "Sent", "OpenEvent": "Open", "ClickEvent": "Click",
               "BounceEvent": "Bounce", "UnsubEvent": "Unsub"}
COMMON_FIELDS = ("SubscriberKey", "EventDate", "SendID", "TriggeredSendDefinitionObjectID",
                 "ListID", "BatchID")
#: Fields only one kind carries.
KIND_FIELDS = {"Click": ("URL",), "Bounce": ("BounceCategory",)}
NUMBER_FIELDS = ("SendID", "ListID", "BatchID")
MAX_ID = 2**31 - 1
MAX_KEY_LENGTH = 254
MAX_TEXT_LENGTH = 4000


def fields_of(kind: str) -> tuple[str, ...]:
    """Return the fields an event of ``kind`` (``Click``) carries, EventType aside."""
    return (*COMMON_FIELDS, *KIND_FIELDS.get(kind, ()))


def check_event(raw: Any, kind: str) -> dict[str, Any]:
    """Return ``raw`` as an event record of ``kind``; raise RecordRefused saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise RecordRefused("an event is a JSON object with SubscriberKey and EventDate, not "
                            f"{describe_json_type(raw)}")
    allowed = fields_of(kind)
    unknown = [str(name) for name in raw if name not in allowed]
    if unknown:
        raise RecordRefused(f"a {kind} event has no {', '.join(map(repr, unknown))}; its "
                            f"fields are {', '.join(allowed)}", unknown[0])
    key = optional_text(raw, "SubscriberKey", MAX_KEY_LENGTH)
    if key is None or not key.strip():
        raise RecordRefused("SubscriberKey is missing or empty; give each event the subscriber "
                            "it happened to", "SubscriberKey")
    record: dict[str, Any] = {"EventType": kind, "SubscriberKey": key,
                              "EventDate": _date(raw.get("EventDate"))}
    for name in NUMBER_FIELDS:
        record[name] = _whole(raw.get(name, 0), name)
    record["TriggeredSendDefinitionObjectID"] = optional_text(
        raw, "TriggeredSendDefinitionObjectID", MAX_KEY_LENGTH) or ""
    for name in KIND_FIELDS.get(kind, ()):
        record[name] = optional_text(raw, name, MAX_TEXT_LENGTH) or ""
    return record


def _date(value: Any) -> str:
    """Return an ISO date and time as the store keeps it (no zone: the platform's CST)."""
    if not isinstance(value, str) or not value.strip():
        raise RecordRefused("EventDate is missing or not text; give an ISO date and time such "
                            f"as \"2024-01-02T10:00:00\", not {describe_json_type(value)}",
                            "EventDate")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordRefused(f"EventDate {value!r} is not an ISO date and time such as "
                            "\"2024-01-02T10:00:00\"", "EventDate") from None
    return moment.replace(tzinfo=None).isoformat()


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise RecordRefused(f"{name} is a whole number from 0 to {MAX_ID}, not "
                            f"{value!r}", name)
    return value


def load_event_dirs(dirs: Iterable[str | Path], include_default: bool = True
                    ) -> tuple[dict[str, Any], ...]:
    """Return the events of every fixtures directory given (and the default's), in file order.

    Raise FixtureProblems listing every problem; nothing is loaded then.
    """
    problems = Problems()
    found: list[dict[str, Any]] = []
    for folder in fixture_folders(dirs, include_default):
        directory = folder / EVENTS_DIR
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix != ".json":
                continue
            kind = EVENT_TYPES.get(path.stem)
            if kind is None:
                problems.add(Problem(f"{path.name} names no event type; the files are "
                                     f"{', '.join(f'{t}.json' for t in EVENT_TYPES)}",
                                     "unknown-event-file", file=str(path)))
                continue
            found.extend(record for record, _ in read_records(
                path, problems, lambda raw, kind=kind: check_event(raw, kind), "event"))
    problems.raise_if_any()
    return tuple(found)


def events(store: Store, kind: str | None = None) -> list[dict[str, Any]]:
    """Return the event records (of one ``kind`` such as ``Unsub``), oldest first."""
    records = store.records(EVENTS_TABLE) if store.has_records(EVENTS_TABLE) else []
    return records if kind is None else [r for r in records if r["EventType"] == kind]


def add_event(store: Store, record: Mapping[str, Any]) -> None:
    """Add one checked event record; past the limit the oldest go (ASSUMED "event-records")."""
    with store.transaction():
        records = events(store)
        records.append(dict(record))
        del records[:max(0, len(records) - assumptions.EVENTS_LIMIT)]
        store.replace_records(EVENTS_TABLE, records)


def tables(records: Sequence[Mapping[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record table that holds ``records`` (for Store.replace_all)."""
    return {EVENTS_TABLE: records}


def write_events(records: Sequence[Mapping[str, Any]], out: Path) -> list[Path]:
    """Write ``records`` as ``out/events/<Type>.json`` files, as fixtures hold them.

    Return the files written (none for no events), so the export reads back as it was.
    """
    written = []
    for type_name, kind in EVENT_TYPES.items():
        chosen = [{name: r[name] for name in fields_of(kind)} for r in records
                  if r["EventType"] == kind]
        if not chosen:
            continue
        path = out / EVENTS_DIR / f"{type_name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(chosen, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
