"""``mcemu export``: Data Extensions to files in the fixtures-directory layout.

``DIR/data_extensions/<Key>.json`` holds the schema and, in JSON format, the rows (one a line);
in CSV format the rows go to ``<Key>.csv`` beside it (header = field names, an empty cell is
null). The output is deterministic (schema key order, rows in store order, ``\\n`` line ends,
a final newline), so exporting a store seeded from an export gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from emulator.errors import StoreError
from emulator.fixtures import DATA_EXTENSIONS_DIR

FORMATS = ("json", "csv")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]*")


@dataclass
class ExportReport:
    """What an export wrote, and how many empty strings CSV could only write as null."""

    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    empty_as_null: int = 0


def select(dump: Mapping[str, Mapping[str, Any]], keys: Sequence[str]) -> list[Mapping[str, Any]]:
    """Return the DE documents named by ``keys`` (all, in store order, when none are named)."""
    if not keys:
        return list(dump.values())
    unknown = [key for key in keys if key not in dump]
    if unknown:
        raise StoreError(f"no Data Extension {', '.join(map(repr, unknown))}; the store has: "
                         f"{', '.join(dump) or 'none'}")
    return [dump[key] for key in dict.fromkeys(keys)]


def write_export(documents: Sequence[Mapping[str, Any]], out: Path,
                 format: str = "json") -> ExportReport:
    """Write ``documents`` (DE file format, with rows) under ``out/data_extensions/``."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {format!r}")
    folder = out / DATA_EXTENSIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    report = ExportReport()
    for document in documents:
        stem = file_stem(str(document["key"]))
        schema = {name: value for name, value in document.items() if name != "rows"}
        rows = list(document.get("rows", []))
        json_path, csv_path = folder / f"{stem}.json", folder / f"{stem}.csv"
        if format == "json":
            _write(json_path, render_json(schema, rows))
            csv_path.unlink(missing_ok=True)  # rows in both places would not seed back
            report.files.append(json_path)
        else:
            _write(json_path, render_json(schema, None))
            text, empties = render_csv(schema, rows)
            _write(csv_path, text)
            report.empty_as_null += empties
            report.files += [json_path, csv_path]
        report.rows[str(document["key"])] = len(rows)
    return report


def file_stem(key: str) -> str:
    """Return a file name for ``key``: the key itself when safe, else percent-encoded.

    The key inside the file wins over the file's name when it is seeded back.
    """
    if _PLAIN_NAME.fullmatch(key) and not key.endswith((".", " ")):
        return key
    return quote(key, safe=" ._-")


def render_json(schema: Mapping[str, Any], rows: Sequence[Mapping[str, Any]] | None) -> str:
    """Return a DE file: the schema's keys in order, one field and one row a line."""
    lines = ["{"]
    items = [(name, value) for name, value in schema.items()]
    if rows is not None:
        items.append(("rows", rows))
    for position, (name, value) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        if isinstance(value, list):
            lines.append(f"  {_dumps(name)}: {_list(value)}{comma}")
        else:
            lines.append(f"  {_dumps(name)}: {_dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_csv(schema: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> tuple[str, int]:
    """Return the rows as CSV (header = field names) and how many empty strings became null."""
    names = [f["name"] for f in schema["fields"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    empties = 0
    for row in rows:
        values = [row.get(name) for name in names]
        empties += sum(1 for value in values if value == "")
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue(), empties


def _list(values: Sequence[Any]) -> str:
    if not values:
        return "[]"
    inner = ",\n".join(f"    {_dumps(value)}" for value in values)
    return f"[\n{inner}\n  ]"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")
