"""``unit_objects.json``: which business unit owns a folder, list or subscriber a page created.

``mcemu export`` writes the ``_unit_objects`` table (emulator/units/owners.py) as this file, so
objects made after ``setClientId`` come back as their unit's when the export is seeded or
started from. One entry (docs/fidelity.md#unit-objects)::

    {"kind": "DataFolder", "object": "F-b", "mid": 200}

``object`` is the object's key (``CustomerKey``; a subscriber's ``SubscriberKey``). Objects of
the unit pages run in have no entry, so ``mid`` may not be that unit's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problem, Problems
from emulator.fixtures.records import RecordRefused, check_record, fixture_folders, read_records
from emulator.units.model import check_mid
from emulator.units.owners import OWNERS_TABLE
from emulator.units.registry import Units

UNIT_OBJECTS_JSON = "unit_objects.json"
#: The object types a page can create in another unit (the creatable unit-owned ones).
OWNED_KINDS = ("DataFolder", "List", "Subscriber")
OWNER_FIELDS = ("kind", "object", "mid")
MAX_KEY_LENGTH = 254


def check_owner(raw: Any) -> dict[str, Any]:
    """Return ``raw`` as an ownership record, or raise RecordRefused saying what is wrong."""
    check_record(raw, "a unit object", OWNER_FIELDS,
                 "a unit object is a JSON object with kind, object and mid")
    kind = raw.get("kind")
    if kind not in OWNED_KINDS:
        shown = "missing" if kind is None else repr(kind)
        raise RecordRefused(f"kind is one of {', '.join(OWNED_KINDS)}, not {shown}", "kind")
    key = raw.get("object")
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        shown = ("missing" if key is None else f"{len(key)} characters"
                 if isinstance(key, str) and key.strip() else repr(key))
        raise RecordRefused(f"object is the {kind}'s key: text of 1 to {MAX_KEY_LENGTH} "
                            f"characters, not {shown}", "object")
    return {"kind": kind, "object": key, "mid": check_mid(raw.get("mid"))}


def load_owner_dirs(dirs: Iterable[str | Path], include_default: bool = True,
                    units: Units | None = None) -> tuple[dict[str, Any], ...]:
    """Return the ownership records of every fixtures directory given.

    With ``units``, each ``mid`` must be one of them other than the default; without (a seed
    whose directories declare no units) the seeded store is checked instead
    (files.check_store_units). Raise FixtureProblems listing every problem.
    """
    problems = Problems()
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for folder in fixture_folders(dirs, include_default):
        path = folder / UNIT_OBJECTS_JSON
        if not path.is_file():
            continue
        for record, where in read_records(path, problems, check_owner, "unit-object"):
            said = owner_problem(record, units) if units is not None else None
            if said is not None:
                problems.add(Problem(said, "unknown-unit", file=str(path), where=where,
                                     field="mid"))
                continue
            found[(record["kind"], record["object"])] = record  # a later file's wins
    problems.raise_if_any()
    return tuple(found.values())


def owner_problem(record: Mapping[str, Any], units: Units) -> str | None:
    """Return why ``record``'s mid cannot own an object among ``units``, or None."""
    mid = record["mid"]
    if not units.known(mid):
        return (f"{record['kind']} {record['object']!r} belongs to MID {mid}, which no "
                f"business_units.json declares; declared: "
                f"{', '.join(str(m) for m in units.mids())}")
    if mid == units.default:
        return (f"{record['kind']} {record['object']!r} gives mid {mid}, the unit pages run "
                "in: its objects need no entry, leave it out")
    return None


def tables(records: Sequence[Mapping[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record table that holds ``records``; none for none (a store of one unit)."""
    return {OWNERS_TABLE: records} if records else {}
