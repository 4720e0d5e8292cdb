"""``mcemu export``'s folders and triggered send definitions, in their fixture files' format.

One record a line, as subscribers.json is written, so exporting a store seeded from an export
gives the same bytes; a file is written only when there is something to put in it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.folders.files import FOLDERS_JSON
from emulator.folders.model import FOLDER_FIELDS
from emulator.subscribers.export import export_text


def folder_entries(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the folders of ``records`` that folders.json gave or pages made, as its entries."""
    return [{name: record[name] for name in FOLDER_FIELDS if name in record}
            for record in records if record.get("IsEditable")]


def write_records(out: Path, name: str, records: Sequence[Mapping[str, Any]]) -> Path | None:
    """Write ``records`` to ``out/name`` whole or not at all; None when there are none."""
    if not records:
        return None
    out.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(export_text(records))
        os.replace(temp, out / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return out / name


def write_folders(folders: Sequence[Mapping[str, Any]], out: Path) -> Path | None:
    """Write ``out/folders.json`` from folder records (the default tree is left out)."""
    return write_records(out, FOLDERS_JSON, folder_entries(folders))
