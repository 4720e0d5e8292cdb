"""``folders.json`` in fixtures directories: folders added to the default tree.

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order.
An ID or CustomerKey used twice (the default tree's too), a parent no folder has, a parent
that allows no children, a loop of parents, a root without ContentType, or a Data Extension
that no fixture defines or that two folders hold is a problem naming the file and the entry;
every problem is listed at once and nothing is loaded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problem, Problems
from emulator.fixtures.records import fixture_folders
from emulator.fixtures.records import read_records as read_entries
from emulator.folders.model import check_folder, default_tree

FOLDERS_JSON = "folders.json"


def load_folder_dirs(dirs: Iterable[str | Path], include_default: bool = True,
                     data_extensions: Collection[str] | None = None
                     ) -> tuple[dict[str, Any], ...]:
    """Return the default tree, then the folders of every fixtures directory given.

    ``data_extensions`` are the keys a folder may hold (None: any). Raise FixtureProblems
    listing every problem; nothing is loaded then.
    """
    folders = fixture_folders(dirs, include_default)
    problems = Problems()
    tree = {record["ID"]: record for record in default_tree()}
    places = {record["ID"]: "the default tree" for record in tree.values()}
    keys = {record["CustomerKey"]: "the default tree" for record in tree.values()}
    holders: dict[str, str] = {}
    added: list[tuple[dict[str, Any], str, str]] = []
    for folder in folders:
        path = folder / FOLDERS_JSON
        if not path.is_file():
            continue
        for record, where in read_entries(path, problems, check_folder, "folder"):
            here = f"{path}, {where}"
            def refuse(message: str, rule: str, path: Path = path, where: str = where) -> None:
                problems.add(Problem(message, rule, file=str(path), where=where))
            if record["ID"] in places:
                refuse(f"folder ID {record['ID']} is used twice: also in {places[record['ID']]}",
                       "duplicate-folder")
                continue
            if record["CustomerKey"] in keys:
                refuse(f"CustomerKey {record['CustomerKey']!r} is used twice: also in "
                       f"{keys[record['CustomerKey']]}", "duplicate-folder")
                continue
            for key in record["DataExtensions"]:
                if data_extensions is not None and key not in data_extensions:
                    refuse(f"Data Extension {key!r} is in no fixtures directory; a folder holds "
                           "the keys of Data Extensions the fixtures define", "folder-de")
                elif key in holders:
                    refuse(f"Data Extension {key!r} is in two folders: also in {holders[key]}",
                           "folder-de")
                else:
                    holders[key] = here
            tree[record["ID"]] = record
            places[record["ID"]] = keys[record["CustomerKey"]] = here
            added.append((record, str(path), where))
    for record, path, where in added:
        message = _parent_problem(record, tree)
        if message is not None:
            problems.add(Problem(message, "folder-parent", file=path, where=where))
    problems.raise_if_any()
    for record, _, _ in added:
        record["ContentType"] = _content_type(record, tree)
    return tuple(tree.values())


def _parent_problem(record: dict[str, Any], tree: dict[int, dict[str, Any]]) -> str | None:
    """Return what is wrong with ``record``'s place in the tree, or None."""
    parent_id = record["ParentID"]
    if parent_id == 0:
        if record["ContentType"] is None:
            return "a root folder (ParentID 0) needs a ContentType, e.g. \"dataextension\""
        return None
    parent = tree.get(parent_id)
    if parent is None:
        return (f"ParentID {parent_id} is no folder's ID; use 0 for a root, a default folder "
                f"({', '.join(str(i) for i in sorted(tree) if not tree[i]['IsEditable'])}) "
                "or one of folders.json")
    if not parent["AllowChildren"]:
        return f"the parent folder {parent_id} ({parent['Name']!r}) allows no children"
    seen = {record["ID"]}
    while parent_id != 0:
        if parent_id in seen:
            return f"folder {record['ID']} is its own ancestor: its parents make a loop"
        seen.add(parent_id)
        parent_id = tree[parent_id]["ParentID"] if parent_id in tree else 0
    return None


def _content_type(record: dict[str, Any], tree: dict[int, dict[str, Any]]) -> str:
    """Return the folder's ContentType: its own, else the nearest ancestor's."""
    while record["ContentType"] is None:
        record = tree[record["ParentID"]]
    return record["ContentType"]
