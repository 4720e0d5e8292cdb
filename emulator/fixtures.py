"""Load fixture directories: the Data Extensions a store is seeded with (design.md "Fixtures").

A fixtures directory holds ``data_extensions/<ExternalKey>.json`` files in the DE file format,
each with its rows inline (``"rows": [...]``) or in ``<ExternalKey>.csv`` beside it. The key in
the file wins over the file's name (so any key can live in a file). Loading goes on after a bad
row or file, and every problem is reported at once, each with its file, line (and column for
JSON), Data Extension, field and rule, so a CI log says everything there is to fix.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.errors import FixtureError, RowRejected
from emulator.problems import (
    CsvRowLocator,
    JsonRowLocator,
    Problem,
    Problems,
    RowLocator,
)
from emulator.script.clr import clr_text
from emulator.script.js import is_number
from emulator.store.rows import RowValidator
from emulator.store.schema import DataExtensionSchema, describe_json_type

__all__ = [
    "DATA_EXTENSIONS_DIR", "DataExtensionDefinition", "add_once", "check_rules",
    "default_fixtures_dir", "definition_from_document", "find_data_extension_files",
    "load_data_extension_file", "load_data_extension_folder", "load_fixture_dirs",
    "read_data_extension_file", "row_text",
]

DATA_EXTENSIONS_DIR = "data_extensions"
PROGRESS_STEP = 2000  # rows checked between two progress reports
Progress = Callable[[int], None]  # told how much more is done, in the caller's units


@dataclass(frozen=True)
class DataExtensionDefinition:
    """A Data Extension read from a fixture: its schema, its rows as text, and its file.

    ``rows_source`` is the file the rows came from (the CSV file, or ``source``), and
    ``locator`` finds a row in it again, for problems found after loading.
    """

    schema: DataExtensionSchema
    rows: tuple[dict[str, str | None], ...]
    source: Path | str
    rows_source: str | None = field(default=None, compare=False, repr=False)
    locator: RowLocator | None = field(default=None, compare=False, repr=False)


def default_fixtures_dir() -> Path:
    """Return the shipped fixtures: the wheel's packaged copy, else the repository's."""
    packaged = Path(__file__).resolve().parent / "_default_fixtures"
    if packaged.is_dir():
        return packaged  # pyproject force-includes the repository's fixtures/ here in a wheel
    return Path(__file__).resolve().parent.parent / "fixtures"


def load_fixture_dirs(
    dirs: Iterable[str | Path], include_default: bool = True
) -> list[DataExtensionDefinition]:
    """Return the Data Extensions of ``dirs``, over the defaults; a given DE replaces a default."""
    problems = Problems()
    defaults = (
        {d.schema.key: d for d in _load_fixture_dir(default_fixtures_dir(), problems)}
        if include_default
        else {}
    )
    given: dict[str, DataExtensionDefinition] = {}
    for directory in dirs:
        for definition in _load_fixture_dir(Path(directory), problems):
            add_once(given, definition, problems)
    problems.raise_if_any()
    # A given DE takes the default's place whole, schema and rows (design.md "Fixtures").
    merged = [given.pop(key, default) for key, default in defaults.items()]
    return merged + list(given.values())


def load_data_extension_folder(folder: str | Path) -> list[DataExtensionDefinition]:
    """Return the Data Extensions of every ``*.json`` file in ``folder``, by file name order."""
    problems = Problems()
    found = _load_folder(Path(folder), problems)
    problems.raise_if_any()
    return found


def load_data_extension_file(
    path: str | Path, progress: Progress | None = None
) -> DataExtensionDefinition:
    """Return the Data Extension of one ``<Key>.json`` file (rows inline or in ``<Key>.csv``)."""
    problems = Problems()
    definition = read_data_extension_file(Path(path), problems, progress)
    problems.raise_if_any()
    assert definition is not None  # no problem means a definition
    return definition


def find_data_extension_files(path: Path, problems: Problems) -> list[Path]:
    """Return the DE files ``path`` names: a fixtures dir, a folder of DE files or one file."""
    if path.is_file():
        if path.suffix.lower() == ".csv" and path.with_suffix(".json").is_file():
            return [path.with_suffix(".json")]  # the rows' schema brings them along
        if path.suffix.lower() != ".json":
            problems.add(Problem("not a Data Extension file: expected <ExternalKey>.json",
                                 "no-fixtures", file=str(path)))
            return []
        return [path]
    if not path.is_dir():
        problems.add(Problem("no such file or directory", "no-fixtures", file=str(path)))
        return []
    folder = path / DATA_EXTENSIONS_DIR if (path / DATA_EXTENSIONS_DIR).is_dir() else path
    files = sorted(folder.glob("*.json"))
    _refuse_orphan_csv(folder, problems)
    if not files and not problems:
        problems.add(Problem(
            f"no fixtures here: expected {DATA_EXTENSIONS_DIR}/<ExternalKey>.json files "
            "(a fixtures directory), <ExternalKey>.json files (a folder of DE files) or one "
            "DE file", "no-fixtures", file=str(path)))
    return files


def add_once(seen: dict[str, DataExtensionDefinition], definition: DataExtensionDefinition,
             problems: Problems) -> None:
    """Add ``definition`` to ``seen`` unless its key is there already (a problem naming both)."""
    earlier = seen.get(definition.schema.key)
    if earlier is None:
        seen[definition.schema.key] = definition
        return
    problems.add(Problem(
        f"Data Extension {definition.schema.key!r} is defined twice: in {earlier.source} and in "
        f"{definition.source}", "duplicate-data-extension", file=str(definition.source)))


# --- One file ------------------------------------------------------------------------------------


def read_data_extension_file(path: Path, problems: Problems, progress: Progress | None = None,
                             check_rules: bool = True) -> DataExtensionDefinition | None:
    """Read one DE file, adding what is wrong with it to ``problems``; None when unusable."""
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        problems.add(Problem(f"invalid JSON at line {error.lineno}, column {error.colno}: "
                             f"{error.msg}", "invalid-json", file=str(path)))
        return None
    except RecursionError:
        problems.add(Problem("invalid JSON: nested too deeply", "invalid-json", file=str(path)))
        return None
    if not isinstance(document, dict):
        problems.add(Problem(
            "a Data Extension file must hold a JSON object with key, fields and rows, "
            f"not {describe_json_type(document)}", "document-type", file=str(path)))
        return None
    locator = JsonRowLocator(lambda: _read_text(path, Problems()) or "", ("rows",))
    share = None if progress is None else _FileShare(progress, path)
    try:
        return definition_from_document(document, problems, source=path, locator=locator,
                                        csv_path=path.with_suffix(".csv"), progress=share,
                                        check_rules=check_rules)
    finally:
        if share is not None:
            share.finish()


RowProgress = Callable[[int, int], None]  # told (rows checked since, rows in all)


def definition_from_document(
    document: Mapping[str, Any], problems: Problems, *, source: Path | str,
    locator: RowLocator | None, csv_path: Path | None = None,
    progress: RowProgress | None = None, schema: DataExtensionSchema | None = None,
    check_rules: bool = True,
) -> DataExtensionDefinition | None:
    """Check a decoded DE document (schema and rows, or rows for ``schema``); None when bad.

    ``check_rules=False`` leaves the row rules (required, length, keys) to the store, which
    checks them anyway, when a refusal can come back here for :func:`check_rules`.
    """
    file = str(source)
    body = dict(document)
    inline_rows = body.pop("rows", None)
    if schema is None:
        try:
            schema = DataExtensionSchema.from_json(body, file)
        except FixtureError as error:
            message = error.message.removeprefix(f"{file}: ")
            problems.add(Problem(message, "schema", file=file))
            return None
    report = _FileReport(problems, file, schema.key, locator)
    given: list[dict[str, Any] | None] = []
    if csv_path is not None and csv_path.is_file():
        if inline_rows is not None:
            report.add(f'has a "rows" list and {csv_path.name} beside it; keep the rows in one',
                       "rows-twice")
            return None
        report = _FileReport(problems, str(csv_path), schema.key, None)
        given, lines = _read_csv_rows(csv_path, schema, report)
        report.locator = CsvRowLocator(lines)
    elif inline_rows is not None:
        given = _json_rows(schema, inline_rows, report)
    if check_rules or report.count:  # a refused file lists the rule problems too
        _check_rules(schema, given, report, progress)
    elif progress is not None:
        progress(len(given), len(given))
    if report.count:
        return None
    return DataExtensionDefinition(schema=schema, rows=tuple(given),  # type: ignore[arg-type]
                                   source=source, rows_source=report.file,
                                   locator=report.locator)


def check_rules(definition: DataExtensionDefinition, problems: Problems) -> None:
    """Add a problem for each row of ``definition`` that breaks a rule of the store."""
    report = _FileReport(problems, definition.rows_source or str(definition.source),
                         definition.schema.key, definition.locator)
    _check_rules(definition.schema, list(definition.rows), report, None)


def row_text(schema: DataExtensionSchema,
             row: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, str, bool]]]:
    """Return ``row`` with schema spellings and text values (numbers/booleans by CLR text).

    The second item lists ``(field, message, rule, at_key)`` for each value that cannot be
    stored; such fields are left out of the row.
    """
    converted: dict[str, str | None] = {}
    wrong: list[tuple[str, str, str, bool]] = []
    for name, value in row.items():
        found = schema.field(name)
        if found is None:
            known = ", ".join(schema.field_names)
            wrong.append((name, f"field {name!r} is not in the schema ({known})",
                          "unknown-field", True))
        elif found.name in converted:
            wrong.append((name, f"field {found.name!r} is given twice (as {name!r} too)",
                          "duplicate-field", True))
        elif value is not None and not isinstance(value, (str, bool)) and not is_number(value):
            kind = describe_json_type(value)
            wrong.append((name, f"field {name!r} must be a string, number, boolean or null, "
                          f"not {kind}", "value-type", False))
        else:
            converted[found.name] = value if value is None or type(value) is str else (
                clr_text(value))
    return converted, wrong


class _FileShare:
    """Report a file's share of a progress bar in bytes, as its rows are checked."""

    def __init__(self, progress: Progress, path: Path) -> None:
        self.progress = progress
        self.size = sum(p.stat().st_size for p in (path, path.with_suffix(".csv")) if p.is_file())
        self.done = 0
        self.sent = 0

    def __call__(self, rows: int, total: int) -> None:
        self.done += rows
        self._send(self.size * self.done // max(total, 1))

    def finish(self) -> None:
        self._send(self.size)

    def _send(self, upto: int) -> None:
        upto = min(upto, self.size)
        if upto > self.sent:
            self.progress(upto - self.sent)
            self.sent = upto


class _FileReport:
    """Add problems of one Data Extension's rows, naming its file and key."""

    def __init__(self, problems: Problems, file: str, key: str,
                 locator: RowLocator | None) -> None:
        self.problems = problems
        self.file = file
        self.key = key
        self.locator = locator
        self.count = 0

    def add(self, message: str, rule: str, *, row: int | None = None, field: str | None = None,
            at_key: bool = False, line: int | None = None, column: int | None = None,
            locate_field: str | None = None) -> None:
        self.count += 1
        problem = Problem(message, rule, file=self.file, data_extension=self.key, row=row,
                          field=field, line=line, column=column)
        self.problems.add(problem, self.locator, locate_field=locate_field, at_key=at_key)


def _json_rows(schema: DataExtensionSchema, rows: Any,
               report: _FileReport) -> list[dict[str, Any] | None]:
    """Return the rows as text under the schema's spellings (None for a refused row)."""
    if not isinstance(rows, list):
        kind = describe_json_type(rows)
        report.add(f'"rows" must be a list of objects, not {kind}', "rows-type")
        return []
    exact = {f.name for f in schema.fields}
    given: list[dict[str, Any] | None] = []
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            report.add(f"a row must be an object, not {describe_json_type(raw)}", "row-type",
                       row=index)
            given.append(None)
        elif raw.keys() <= exact and all(type(v) is str or v is None for v in raw.values()):
            given.append(raw)  # already text under the schema's spellings: the common case
        else:
            converted, wrong = row_text(schema, raw)
            for name, message, rule, at_key in wrong:
                report.add(message, rule, row=index, field=name, at_key=at_key)
            given.append(None if wrong else converted)
    return given


def _check_rules(schema: DataExtensionSchema, rows: list[dict[str, Any] | None],
                 report: _FileReport, progress: RowProgress | None) -> None:
    """Apply the store's row rules now, so a bad row is reported with its file and position."""
    validator = RowValidator(schema)
    first_key = schema.primary_keys[0].name if schema.primary_keys else None
    for index, row in enumerate(rows):
        if progress is not None and index and index % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP, len(rows))
        if row is None:
            continue  # its problems are reported already
        try:
            validator.check(row)
        except RowRejected as error:
            locate = first_key if error.rule == "duplicate-key" else error.field
            report.add(f"field {error.field!r}: {error.message}", error.rule, row=index,
                       field=error.field, locate_field=locate)
    if progress is not None and rows:
        progress(len(rows) % PROGRESS_STEP or PROGRESS_STEP, len(rows))


# --- Directories and files -----------------------------------------------------------------------


def _load_fixture_dir(directory: Path, problems: Problems) -> list[DataExtensionDefinition]:
    if not directory.is_dir():
        problems.add(Problem("fixtures directory not found", "no-fixtures", file=str(directory)))
        return []
    data_extensions = directory / DATA_EXTENSIONS_DIR
    if not data_extensions.is_dir():
        problems.add(Problem(
            f"not a fixtures directory: expected a {DATA_EXTENSIONS_DIR}/ folder holding "
            "<ExternalKey>.json files", "no-fixtures", file=str(directory)))
        return []
    return _load_folder(data_extensions, problems)


def _load_folder(folder: Path, problems: Problems) -> list[DataExtensionDefinition]:
    if not folder.is_dir():
        problems.add(Problem("not a directory of Data Extension files", "no-fixtures",
                             file=str(folder)))
        return []
    found: dict[str, DataExtensionDefinition] = {}
    for path in sorted(folder.glob("*.json")):
        definition = read_data_extension_file(path, problems)
        if definition is not None:
            add_once(found, definition, problems)
    _refuse_orphan_csv(folder, problems)
    return list(found.values())


def _refuse_orphan_csv(folder: Path, problems: Problems) -> None:
    for csv_path in sorted(folder.glob("*.csv")):
        if not csv_path.with_suffix(".json").is_file():
            problems.add(Problem(f"rows without a schema; put {csv_path.stem}.json beside it",
                                 "orphan-csv", file=str(csv_path)))


def _read_text(path: Path, problems: Problems) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.add(Problem(f"cannot read it ({error.strerror or error})", "unreadable",
                             file=str(path)))
        return None
    try:
        return data.decode("utf-8-sig")  # a BOM is tolerated: spreadsheet tools write one
    except UnicodeDecodeError as error:
        problems.add(Problem(
            f"not UTF-8 text (byte {error.start} is 0x{data[error.start]:02X}); save the file "
            "as UTF-8", "not-utf8", file=str(path)))
        return None


def _read_csv_rows(path: Path, schema: DataExtensionSchema,
                   report: _FileReport) -> tuple[list[dict[str, Any] | None], list[int]]:
    """Return the rows of a CSV file (None for a refused line) and the line each starts on."""
    text = _read_text(path, report.problems)
    rows: list[dict[str, Any] | None] = []
    lines: list[int] = []
    if text is None:
        report.count += 1
        return rows, lines
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        if not any(name.strip() for name in header):
            report.add("the file is empty: the first line must name the fields, "
                       f"{', '.join(schema.field_names)}", "csv-header", line=1)
            return rows, lines
        columns = _csv_columns(schema, header, report)
        previous = reader.line_num
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not cells:
                continue  # a blank line
            lines.append(start)
            if len(cells) != len(columns):
                report.add(f"{len(cells)} values for {len(columns)} columns of the header",
                           "csv-columns", line=start)
                rows.append(None)
                continue
            # An empty cell is null: CSV has no other way to write one.
            rows.append({c: (v if v != "" else None)
                         for c, v in zip(columns, cells, strict=True) if c is not None})
    except csv.Error as error:
        report.add(f"invalid CSV: {error}", "csv-syntax", line=reader.line_num)
    return rows, lines


def _csv_columns(schema: DataExtensionSchema, header: list[str],
                 report: _FileReport) -> list[str | None]:
    """Return the field of each column (None for a refused one); every field needs a column."""
    columns: list[str | None] = []
    for position, name in enumerate(header, 1):
        found = schema.field(name.strip())
        if found is None:
            known = ", ".join(schema.field_names)
            report.add(f"{name!r} is not a field of the schema ({known})", "csv-header",
                       line=1, column=position)
            columns.append(None)
        elif found.name in columns:
            report.add(f"column {found.name!r} appears twice", "csv-header", line=1,
                       column=position)
            columns.append(None)
        else:
            columns.append(found.name)
    missing = [f.name for f in schema.fields if f.name not in columns]
    if missing:
        report.add(f"no column for {', '.join(map(repr, missing))}: the header names every "
                   "field (leave a cell empty for null)", "csv-header", line=1)
    return columns
