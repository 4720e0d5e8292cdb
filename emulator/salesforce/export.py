"""``mcemu export``'s ``salesforce/<Object>.json``: each object with records, or of its own.

Each file holds the object's prefix, its fields and its records (one a line), the format
``salesforce/<Object>.json`` seeds from, so exporting an org seeded from an export gives the
same bytes. A shipped object with no record and its shipped fields is not written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.salesforce.files import SALESFORCE_DIR
from emulator.salesforce.objects import SHIPPED, SalesforceObject


def salesforce_entries(objects: Sequence[Mapping[str, Any]],
                       records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the files to write by object name: ``{"prefix", "fields", "records"}``."""
    entries = {}
    for document in objects:
        found = SalesforceObject.from_json(document)
        held = [item["values"] for item in records if item["object"] == found.name]
        shipped = SHIPPED.get(found.name)
        if held or shipped is None or shipped != found:
            entries[found.name] = {"prefix": found.prefix,
                                   "fields": [f.to_json() for f in found.fields],
                                   "records": [{k: v for k, v in values.items() if v is not None}
                                               for values in held]}
    return entries


def render(entry: Mapping[str, Any]) -> str:
    """Return one object file: a key a line, one field and one record a line."""
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    def items(values: Sequence[Any]) -> str:
        return "[]" if not values else "[\n" + ",\n".join(f"    {dumps(v)}" for v in values) \
            + "\n  ]"

    return (f'{{\n  "prefix": {dumps(entry["prefix"])},\n  "fields": {items(entry["fields"])},'
            f'\n  "records": {items(entry["records"])}\n}}\n')


def write_salesforce(entries: Mapping[str, Mapping[str, Any]], out: Path) -> list[Path]:
    """Write ``out/salesforce/<Object>.json`` for each entry, each file whole or not at all."""
    written = []
    folder = out / SALESFORCE_DIR
    for name, entry in entries.items():
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write(render(entry))
            os.replace(temp, folder / f"{name}.json")
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(folder / f"{name}.json")
    return written
