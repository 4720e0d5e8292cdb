"""``packages.json`` in fixtures directories.

Read from the default fixtures directory, then each ``--fixtures`` directory in order. A client
id used twice, or a MID that is no business unit, is a problem naming the file and the entry;
every problem is listed at once and nothing is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problem, Problems
from emulator.fixtures.records import fixture_folders, read_records
from emulator.rest.packages import PACKAGES_TABLE, check_package
from emulator.units.registry import SINGLE, Units

PACKAGES_JSON = "packages.json"


def load_package_dirs(dirs: Iterable[str | Path], include_default: bool = True,
                      units: Units = SINGLE) -> tuple[dict[str, Any], ...]:
    """Return the packages of every fixtures directory given; raise FixtureProblems."""
    problems = Problems()
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for folder in fixture_folders(dirs, include_default):
        path = folder / PACKAGES_JSON
        if not path.is_file():
            continue
        for record, where in read_records(path, problems, check_package, "package"):
            if record["client_id"] in found:
                problems.add(Problem(f"client_id {record['client_id']!r} is used twice: also in "
                                     f"{found[record['client_id']][1]}", "duplicate-package",
                                     file=str(path), where=where))
                continue
            if record["mids"] is None:
                record["mids"], record["default_mid"] = [units.default], units.default
            unknown = [mid for mid in record["mids"] if not units.known(mid)]
            if unknown:
                problems.add(Problem(
                    f"mids names {', '.join(map(str, unknown))}, which is no business unit; the "
                    f"units are {', '.join(map(str, units.mids()))} (business_units.json)",
                    "unknown-unit", file=str(path), where=where, field="mids"))
                continue
            found[record["client_id"]] = (record, str(path))
    problems.raise_if_any()
    return tuple(record for record, _ in found.values())


def tables(records: Sequence[Mapping[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
    """Return the record table that holds ``records``."""
    return {PACKAGES_TABLE: list(records)}
