"""``business_units.json`` in fixtures directories, and the units the Data Extensions name.

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order;
the units of every file form one tree. A MID used twice, no or two enterprises (units without a
parent), a parent no unit has, a loop of parents, two default units, or a Data Extension of a
unit no file declares is a problem naming the file and the entry; every problem is listed at
once and nothing is loaded. A seed checks its target the same way once seeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problem, Problems
from emulator.fixtures.records import fixture_folders, read_records
from emulator.store.store import Store
from emulator.units.model import UNITS_TABLE, check_unit
from emulator.units.registry import SINGLE, from_records, split_table

BUSINESS_UNITS_JSON = "business_units.json"


def load_unit_dirs(dirs: Iterable[str | Path], include_default: bool = True,
                   data_extensions: Iterable[str] = ()) -> tuple[dict[str, Any], ...]:
    """Return the units of every fixtures directory given (none: one default unit).

    ``data_extensions`` are the store tables the fixtures define: each ``<MID>/<key>`` must
    name a declared unit other than the default one. Raise FixtureProblems listing every problem.
    """
    problems = Problems()
    units: dict[int, tuple[dict[str, Any], str, str]] = {}
    for folder in fixture_folders(dirs, include_default):
        path = folder / BUSINESS_UNITS_JSON
        if not path.is_file():
            continue
        for record, where in read_records(path, problems, check_unit, "business-unit"):
            if record["mid"] in units:
                _, other, other_where = units[record["mid"]]
                problems.add(Problem(f"MID {record['mid']} is used twice: also in {other}, "
                                     f"{other_where}", "duplicate-unit", file=str(path),
                                     where=where))
                continue
            units[record["mid"]] = (record, str(path), where)
    if units:
        _check_tree(units, problems)
    records = tuple(record for record, _, _ in units.values())
    problems.raise_if_any()
    _check_tables(records, data_extensions, problems)
    problems.raise_if_any()
    return records


def check_store_units(store: Store) -> None:
    """Raise FixtureProblems when ``store`` (a seed's target, seeded) has units that do not
    form one tree, or a Data Extension or an owned object of a unit it does not declare."""
    problems = Problems()
    records = tuple(store.records(UNITS_TABLE)) if store.has_records(UNITS_TABLE) else ()
    if records:
        _check_tree({r["mid"]: (r, f"the target's {BUSINESS_UNITS_JSON} and the seeded one",
                                f"business unit {r['mid']}") for r in records}, problems)
    problems.raise_if_any()
    _check_tables(records, store.keys(), problems)
    _check_owners(records, store, problems)
    problems.raise_if_any()


def _check_owners(records: tuple[dict[str, Any], ...], store: Store, problems: Problems) -> None:
    from emulator.units.owner_files import UNIT_OBJECTS_JSON, owner_problem
    from emulator.units.owners import OWNERS_TABLE

    if not store.has_records(OWNERS_TABLE):
        return
    units = from_records(records) if records else SINGLE
    for owned in store.records(OWNERS_TABLE):
        said = owner_problem(owned, units)
        if said is not None:
            problems.add(Problem(said, "unknown-unit", where=UNIT_OBJECTS_JSON))


def _check_tree(units: dict[int, tuple[dict[str, Any], str, str]], problems: Problems) -> None:
    roots = [(r, f, w) for r, f, w in units.values() if r["parent"] is None]
    if len(roots) != 1:
        record, file, where = (roots[1] if roots else next(iter(units.values())))
        said = ("no unit has parent null" if not roots else
                f"units {', '.join(str(r['mid']) for r, _, _ in roots)} all have parent null")
        problems.add(Problem(f"exactly one business unit is the enterprise (parent null); {said}",
                             "unit-parent", file=file, where=where))
    defaults = [(r, f, w) for r, f, w in units.values() if r["default"]]
    if len(defaults) > 1:
        _, file, where = defaults[1]
        problems.add(Problem(f"units {', '.join(str(r['mid']) for r, _, _ in defaults)} are all "
                             "marked default; pages run in one unit", "unit-default",
                             file=file, where=where))
    for record, file, where in units.values():
        parent = record["parent"]
        if parent is not None and parent not in units:
            problems.add(Problem(f"parent {parent} is no business unit's MID; declared: "
                                 f"{', '.join(str(m) for m in units)}", "unit-parent",
                                 file=file, where=where))
            continue
        seen = {record["mid"]}
        while parent is not None and parent in units:
            if parent in seen:
                problems.add(Problem(f"unit {record['mid']} is its own ancestor: its parents "
                                     "make a loop", "unit-parent", file=file, where=where))
                break
            seen.add(parent)
            parent = units[parent][0]["parent"]


def _check_tables(records: tuple[dict[str, Any], ...], tables: Iterable[str],
                  problems: Problems) -> None:
    units = from_records(records) if records else SINGLE
    for table in tables:
        mid, key = split_table(table)
        if mid is None:
            continue
        if not units.known(mid):
            problems.add(Problem(
                f"Data Extension {key!r} belongs to MID {mid}, which no {BUSINESS_UNITS_JSON} "
                f"declares; declared: {', '.join(str(m) for m in units.mids())}",
                "unit-data-extension", where=f"Data Extension {table!r}"))
        elif mid == units.default:
            problems.add(Problem(
                f"Data Extension {key!r} gives mid {mid}, the default unit (the one pages run "
                "in): leave mid out for its Data Extensions", "unit-data-extension",
                where=f"Data Extension {table!r}"))
