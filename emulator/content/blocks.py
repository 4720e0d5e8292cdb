"""``content/`` in fixtures directories: each block an ``.html`` file and a sidecar ``.json``.

``content/header.html`` holds the block's content (AMPscript inside runs when it is rendered);
``content/header.json`` says what it is (the JSON Schema ``content-block.schema.json``)::

    {"key": "header", "name": "Header", "id": 1001, "folder": "Content Builder\\Shared"}

``folder`` is the backslash chain of folder names (default ``Content Builder``); the block's
name path is the folder, a backslash, and its name (docs/fidelity.md#content-blocks). A key,
id or name path used twice, an unknown field or a file without its pair is refused with file,
line and field; every problem is listed at once and nothing is loaded. Content blocks are
fixture state: the store's table is replaced from the fixtures at every start and reset.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import (
    JsonRowLocator,
    Problem,
    Problems,
    read_json_file,
    read_text,
)
from emulator.fixtures.records import RecordRefused, check_record, fixture_folders

CONTENT_DIR = "content"
CONTENT_TABLE = "_content_blocks"
SIDECAR_FIELDS = ("key", "name", "id", "folder")
DEFAULT_FOLDER = "Content Builder"
MAX_KEY = 200
MAX_NAME = 200
MAX_ID = 2_147_483_647
MAX_BLOCK_BYTES = 5_000_000


def name_path(folder: str, name: str) -> str:
    """Return the block's name path: its folder chain and name joined by backslashes."""
    return f"{folder}\\{name}" if folder else name


def fold_path(path: str) -> str:
    """Return a name path as it is compared: any case, no space around each step."""
    return "\\".join(step.strip().casefold() for step in path.strip().strip("\\").split("\\"))


def check_sidecar(document: Any) -> dict[str, Any]:
    """Return the sidecar ``document`` as a block record (no content yet), or raise
    RecordRefused."""
    document = check_record(document, "a content block", SIDECAR_FIELDS,
                            "a sidecar holds a JSON object (key, name, id, folder)")
    record: dict[str, Any] = {}
    for name, limit in (("key", MAX_KEY), ("name", MAX_NAME)):
        value = document.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise RecordRefused(f"{name} is text of 1 to {limit} characters, not "
                                f"{value if value is None else repr(value)[:60]}", name)
        if "\\" in value and name == "name":
            raise RecordRefused("name holds no backslash: it separates the folders of a name path",
                                name)
        record[name] = value
    block_id = document.get("id")
    if isinstance(block_id, bool) or not isinstance(block_id, int) \
            or not 1 <= block_id <= MAX_ID:
        raise RecordRefused(f"id is a whole number from 1 to {MAX_ID}, not {block_id!r}", "id")
    record["id"] = block_id
    folder = document.get("folder", DEFAULT_FOLDER)
    if not isinstance(folder, str) or not folder.strip("\\ ") or len(folder) > 4000:
        raise RecordRefused(f"folder is a backslash chain of folder names, e.g. "
                            f"'Content Builder\\\\Shared', not {folder!r}", "folder")
    record["folder"] = "\\".join(step.strip() for step in folder.strip("\\").split("\\"))
    record["path"] = name_path(record["folder"], record["name"])
    return record


def load_content_dirs(dirs: Iterable[str | Path], include_default: bool = True
                      ) -> list[dict[str, Any]]:
    """Return the content blocks of every fixtures directory; raise FixtureProblems if bad."""
    problems = Problems()
    blocks: list[dict[str, Any]] = []
    seen: dict[tuple[str, Any], str] = {}
    for folder in fixture_folders(dirs, include_default):
        directory = folder / CONTENT_DIR
        if not directory.is_dir():
            continue
        files = {path.name: path for path in directory.iterdir() if path.is_file()
                 and not path.name.startswith(".")}
        for name, path in sorted(files.items()):
            if path.suffix == ".html" and path.with_suffix(".json").name not in files:
                problems.add(Problem(f"{name} has no sidecar {path.stem}.json (key, name, id, "
                                     "folder)", "content-without-sidecar", file=str(path)))
            if path.suffix != ".json":
                continue
            if path.with_suffix(".html").name not in files:
                problems.add(Problem(f"{name} has no {path.stem}.html beside it: the sidecar "
                                     "describes the block that file holds",
                                     "sidecar-without-content", file=str(path)))
                continue
            record = _read(path, problems)
            if record is None:
                continue
            taken = [(what, value) for what, value in (("key", record["key"].casefold()),
                                                       ("id", record["id"]),
                                                       ("name path", fold_path(record["path"])))
                     if (what, value) in seen]
            if taken:
                problems.add(Problem("; ".join(
                    f"the {what} {record[what if what != 'name path' else 'path']!r} is "
                    f"another block's too ({seen[(what, value)]})" for what, value in taken),
                    "duplicate-content-block", file=str(path),
                    field=taken[0][0] if taken[0][0] != "name path" else "name"))
                continue
            for what, value in (("key", record["key"].casefold()), ("id", record["id"]),
                                ("name path", fold_path(record["path"]))):
                seen[(what, value)] = str(path)
            blocks.append(record)
    problems.raise_if_any()
    return blocks


def _read(path: Path, problems: Problems) -> dict[str, Any] | None:
    read = read_json_file(path, problems)
    if read is None:
        return None
    text, document = read
    try:
        record = check_sidecar(document)
    except RecordRefused as refused:
        line, column = JsonRowLocator(lambda: text, None).locate_in_document(
            [refused.field] if refused.field and isinstance(document, dict)
            and refused.field in document else [])
        problems.add(Problem(refused.message, "bad-content-block", file=str(path), line=line,
                             column=column, field=refused.field))
        return None
    html_path = path.with_suffix(".html")
    if html_path.stat().st_size > MAX_BLOCK_BYTES:
        problems.add(Problem(f"{html_path.name} has more than {MAX_BLOCK_BYTES} bytes",
                             "content-too-large", file=str(html_path)))
        return None
    content = read_text(html_path, problems)
    if content is None:
        return None
    record["content"] = content
    record["file"] = html_path.name
    return record
