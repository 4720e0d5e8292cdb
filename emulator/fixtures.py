"""Load fixture directories: the Data Extensions a store is seeded with (design.md "Fixtures").

A fixtures directory holds ``data_extensions/<ExternalKey>.json`` files in the DE file format,
each with its rows inline (``"rows": [...]``) or in ``<ExternalKey>.csv`` beside it. Every error
names the file, and where it helps the row and the field, so a CI log says what to fix.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.errors import FixtureError, RowRejected
from emulator.script.clr import clr_text
from emulator.script.js import is_number
from emulator.store.rows import RowValidator
from emulator.store.schema import DataExtensionSchema, describe_json_type

DATA_EXTENSIONS_DIR = "data_extensions"


@dataclass(frozen=True)
class DataExtensionDefinition:
    """A Data Extension read from a fixture: its schema, its rows as text, and its file."""

    schema: DataExtensionSchema
    rows: tuple[dict[str, str | None], ...]
    source: Path


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
    defaults = (
        {d.schema.key: d for d in _load_fixture_dir(default_fixtures_dir())}
        if include_default
        else {}
    )
    given: dict[str, DataExtensionDefinition] = {}
    for directory in dirs:
        for definition in _load_fixture_dir(Path(directory)):
            _refuse_twice(given, definition)
            given[definition.schema.key] = definition
    # A given DE takes the default's place whole, schema and rows (design.md "Fixtures").
    merged = [given.pop(key, default) for key, default in defaults.items()]
    return merged + list(given.values())


def load_data_extension_folder(folder: str | Path) -> list[DataExtensionDefinition]:
    """Return the Data Extensions of every ``*.json`` file in ``folder``, by file name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FixtureError(f"{folder}: not a directory of Data Extension files")
    found: dict[str, DataExtensionDefinition] = {}
    for path in sorted(folder.glob("*.json")):
        definition = load_data_extension_file(path)
        _refuse_twice(found, definition)
        found[definition.schema.key] = definition
    for csv_path in sorted(folder.glob("*.csv")):
        if not csv_path.with_suffix(".json").is_file():
            raise FixtureError(
                f"{csv_path}: rows without a schema; put {csv_path.stem}.json beside it"
            )
    return list(found.values())


def load_data_extension_file(path: str | Path) -> DataExtensionDefinition:
    """Return the Data Extension of one ``<Key>.json`` file (rows inline or in ``<Key>.csv``)."""
    path = Path(path)
    document = _read_json(path)
    if not isinstance(document, dict):
        raise FixtureError(
            f"{path}: a Data Extension file must hold a JSON object with key, fields and rows, "
            f"not {describe_json_type(document)}"
        )
    inline_rows = document.pop("rows", None)
    schema = DataExtensionSchema.from_json(document, str(path))
    csv_path = path.with_suffix(".csv")
    if csv_path.is_file():
        if inline_rows is not None:
            raise FixtureError(
                f"{path}: has a \"rows\" list and {csv_path.name} beside it; keep the rows in one"
            )
        rows = _read_csv_rows(csv_path, schema)
    elif inline_rows is None:
        rows = []
    else:
        rows = _json_rows(path, schema, inline_rows)
    _check_rows(schema, rows)
    return DataExtensionDefinition(schema=schema, rows=tuple(row for _, row in rows), source=path)


def _load_fixture_dir(directory: Path) -> list[DataExtensionDefinition]:
    if not directory.is_dir():
        raise FixtureError(f"{directory}: fixtures directory not found")
    data_extensions = directory / DATA_EXTENSIONS_DIR
    if not data_extensions.is_dir():
        raise FixtureError(
            f"{directory}: not a fixtures directory: expected a {DATA_EXTENSIONS_DIR}/ folder "
            f"holding <ExternalKey>.json files"
        )
    return load_data_extension_folder(data_extensions)


def _refuse_twice(
    seen: Mapping[str, DataExtensionDefinition], definition: DataExtensionDefinition
) -> None:
    earlier = seen.get(definition.schema.key)
    if earlier is not None:
        raise FixtureError(
            f"Data Extension {definition.schema.key!r} is defined twice: "
            f"in {earlier.source} and in {definition.source}"
        )


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixtureError(f"{path}: cannot read it ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")  # a BOM is tolerated: spreadsheet tools write one
    except UnicodeDecodeError as error:
        raise FixtureError(
            f"{path}: not UTF-8 text (byte {error.start} is 0x{data[error.start]:02X}); "
            "save the file as UTF-8"
        ) from None


def _read_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FixtureError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise FixtureError(f"{path}: invalid JSON: nested too deeply") from None


Located = tuple[str, dict[str, "str | None"]]  # (where in the file, row as text)


def _json_rows(path: Path, schema: DataExtensionSchema, rows: Any) -> list[Located]:
    if not isinstance(rows, list):
        kind = describe_json_type(rows)
        raise FixtureError(f"{path}: \"rows\" must be a list of objects, not {kind}")
    located: list[Located] = []
    for index, row in enumerate(rows):
        where = f"{path}: rows[{index}]"
        if not isinstance(row, dict):
            raise FixtureError(f"{where}: a row must be an object, not {describe_json_type(row)}")
        located.append((where, _row_text(where, schema, row)))
    return located


def _row_text(where: str, schema: DataExtensionSchema, row: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``row`` with schema spellings and text values (numbers/booleans by CLR text)."""
    converted: dict[str, str | None] = {}
    for name, value in row.items():
        field = schema.field(name)
        if field is None:
            known = ", ".join(schema.field_names)
            raise FixtureError(f"{where}: field {name!r} is not in the schema ({known})")
        if value is not None and not isinstance(value, (str, bool)) and not is_number(value):
            kind = describe_json_type(value)
            raise FixtureError(
                f"{where}: field {name!r} must be a string, number, boolean or null, not {kind}"
            )
        converted[field.name] = None if value is None else clr_text(value)
    return converted


def _read_csv_rows(path: Path, schema: DataExtensionSchema) -> list[Located]:
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    located: list[Located] = []
    try:
        header = next(reader, None)
        if header is None:
            return []  # an empty file: no rows
        columns = _csv_columns(path, schema, header)
        for cells in reader:
            if not cells:
                continue  # a blank line
            where = f"{path}: line {reader.line_num}"
            if len(cells) != len(columns):
                raise FixtureError(
                    f"{where}: {len(cells)} values for {len(columns)} columns of the header"
                )
            # An empty cell is null: CSV has no other way to write one.
            row = {c: (v if v != "" else None) for c, v in zip(columns, cells, strict=True)}
            located.append((where, row))
    except csv.Error as error:
        raise FixtureError(f"{path}: line {reader.line_num}: invalid CSV: {error}") from None
    return located


def _csv_columns(path: Path, schema: DataExtensionSchema, header: list[str]) -> list[str]:
    columns: list[str] = []
    for position, name in enumerate(header, 1):
        field = schema.field(name.strip())
        if field is None:
            known = ", ".join(schema.field_names)
            raise FixtureError(
                f"{path}: line 1, column {position}: {name!r} is not a field of the schema "
                f"({known})"
            )
        if field.name in columns:
            raise FixtureError(f"{path}: line 1: column {field.name!r} appears twice")
        columns.append(field.name)
    return columns


def _check_rows(schema: DataExtensionSchema, rows: list[Located]) -> None:
    """Apply the store's row rules now, so a bad row is reported with its file and position."""
    validator = RowValidator(schema)
    for where, row in rows:
        try:
            validator.check(row)
        except RowRejected as error:
            raise FixtureError(f"{where}: field {error.field!r}: {error.message}") from None
