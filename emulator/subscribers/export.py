"""``mcemu export``'s subscribers and lists: ``subscribers.json`` and ``lists.json``.

Written in the fixture files' format, one record a line, ``\\n`` line ends and a final newline,
so exporting a store seeded from an export gives the same bytes. Nothing is written when the
store holds neither subscribers nor lists (an export of DEs alone stays as it was).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emulator.subscribers.files import LISTS_JSON, SUBSCRIBERS_JSON


def export_text(records: Sequence[Mapping[str, Any]]) -> str:
    """Return ``records`` as a JSON list, one record a line."""
    if not records:
        return "[]\n"
    lines = [json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
             for record in records]
    return "[\n  " + ",\n  ".join(lines) + "\n]\n"


def write_subscribers(subscribers: Sequence[Mapping[str, Any]],
                      lists: Sequence[Mapping[str, Any]], out: Path) -> list[Path]:
    """Write ``out/subscribers.json`` and ``out/lists.json``; return the files written."""
    if not subscribers and not lists:
        return []
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, records in ((LISTS_JSON, lists), (SUBSCRIBERS_JSON, subscribers)):
        target = out / name
        handle, temp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write(export_text(records))
            os.replace(temp, target)  # whole or not at all
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
