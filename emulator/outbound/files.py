"""``outbound/*.json`` in a fixtures directory: each file a list of stubs, with ``add``'s fields.

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order,
each folder's files in name order. A bad file stops the start with every problem listed, each
naming the file, the stub's line and the field (a bad pattern, an unknown field, an id that
another stub has).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problems
from emulator.fixtures.records import RecordRefused, fixture_folders, read_records
from emulator.outbound.rules import StubRefused
from emulator.outbound.stubs import StubRegistry

OUTBOUND_FOLDER = "outbound"


def load_outbound_dirs(registry: StubRegistry, dirs: Iterable[str | Path],
                       include_default: bool = True) -> None:
    """Add the stubs of every fixtures directory's ``outbound/*.json`` to ``registry``.

    Raise FixtureProblems naming the file, line and field of each stub refused; none is added
    then.
    """
    problems = Problems()
    trial = StubRegistry()  # every stub checked (ids across files too) before any is kept

    def check(path: Path) -> Any:
        def one(entry: Any) -> Any:
            if not isinstance(entry, dict):
                raise RecordRefused("a stub is a JSON object with mc.outbound.add()'s fields, "
                                    'e.g. {"url": "https://api.example.com/token", "body": '
                                    '{"access_token": "t"}}')
            try:
                trial.add_fields(entry, str(path))
            except StubRefused as refused:
                raise RecordRefused(refused.message, refused.field) from None
            return entry
        return one

    found: list[tuple[Path, Any]] = []
    for folder in fixture_folders(dirs, include_default):
        stubs = folder / OUTBOUND_FOLDER
        if not stubs.is_dir():
            continue
        for path in sorted(stubs.glob("*.json")):
            found += [(path, entry) for entry, _ in read_records(path, problems, check(path),
                                                                  "stub")]
    problems.raise_if_any()
    for path, entry in found:
        registry.add_fields(entry, str(path))
