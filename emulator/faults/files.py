"""``faults.json`` in a fixtures directory: a list of faults, each with ``add``'s fields.

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order;
every file's faults are kept (faults have no key to collide on). A bad file stops the start with
every problem listed, each naming the file, the entry and its line, as a bad DE file does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from emulator.faults.registry import FaultRegistry
from emulator.faults.rules import FaultRefused
from emulator.fixtures.problems import JsonRowLocator, Problem, Problems, read_json_file
from emulator.fixtures.records import fixture_folders
from emulator.store.schema import describe_json_type

FAULTS_FILE = "faults.json"


def load_fault_dirs(registry: FaultRegistry, dirs: Iterable[str | Path],
                    include_default: bool = True) -> None:
    """Add the faults of every fixtures directory's ``faults.json`` to ``registry``.

    Raise FixtureProblems naming the file and entry of each fault refused; none is added then.
    """
    folders = fixture_folders(dirs, include_default)
    problems = Problems()
    found: list[tuple[Path, int, dict[str, object], JsonRowLocator]] = []
    for folder in folders:
        path = folder / FAULTS_FILE
        if path.is_file():
            found += _read_file(path, problems)
    # Every entry is checked before any is kept.
    trial = FaultRegistry(registry.check_path, registry.check_package)
    for path, index, fields, locator in found:
        try:
            trial.add_fields(fields, str(path))
        except FaultRefused as refused:
            line, column, _ = locator.locate(index)
            problems.add(Problem(refused.message, "bad-fault", file=str(path), line=line,
                                 column=column, where=f"fault [{index}]"))
    problems.raise_if_any()
    for path, _, fields, _ in found:
        registry.add_fields(fields, str(path))


def _read_file(path: Path, problems: Problems
               ) -> list[tuple[Path, int, dict[str, object], JsonRowLocator]]:
    read = read_json_file(path, problems)
    if read is None:
        return []
    text, document = read
    if not isinstance(document, list):
        problems.add(Problem(f'{FAULTS_FILE} holds a list of faults, e.g. [{{"path": "/token", '
                             f'"status": 503, "times": 2}}], not {describe_json_type(document)}',
                             "bad-fault", file=str(path)))
        return []
    locator = JsonRowLocator(lambda: text, [])
    entries = []
    for index, entry in enumerate(document):
        if not isinstance(entry, dict):
            line, column, _ = locator.locate(index)
            problems.add(Problem(f"a fault is a JSON object with add()'s fields, not "
                                 f"{describe_json_type(entry)}", "bad-fault", file=str(path),
                                 line=line, column=column, where=f"fault [{index}]"))
            continue
        entries.append((path, index, entry, locator))
    return entries
