"""``--pages DIR``: every page file in a folder, served at ``/<file name without extension>``.

Collisions are refused when the app is built, before any worker starts: a path the built-in
pages or ``--mount`` serve, anything under ``/_emulator/``, two files with one name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from emulator.errors import ConfigError
from emulator.pages import Page
from emulator.ssjs.runner import SsjsPage, SsjsRunner, make_page
from emulator.ssjs.workers import WorkerPool

_NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def scan_pages(directory: str, mounts: dict[str, Page], runner: SsjsRunner) -> dict[str, SsjsPage]:
    """Return path -> page for the files of ``directory``; raise ConfigError on a collision."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"--pages {directory}: no such directory")
    found: dict[str, SsjsPage] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.endswith("~") or not path.is_file():
            continue  # editor and system files are not pages
        name = path.stem
        where = f"--pages {path}"
        if not _NAME.match(name):
            raise ConfigError(f"{where}: a page name may hold only letters, digits, '.', '_' "
                              "and '-'")
        mount = f"/{name}"
        if name == "_emulator" or mount.lower() == "/_emulator":
            raise ConfigError(f"{where}: /_emulator/ belongs to the emulator")
        if mount in mounts:
            raise ConfigError(f"{where}: {mount} already serves the page "
                              f"{mounts[mount].name!r}; rename the file")
        if mount in found:
            raise ConfigError(f"{where}: {mount} is also served by {found[mount].source}")
        found[mount] = make_page(path, runner)
    return found


def mount_pages(settings: Any, mounts: dict[str, Page]) -> None:
    """Add the page files of ``settings.pages`` to ``mounts`` (no worker runs yet)."""
    runner = SsjsRunner(timeout=settings.ssjs_timeout)
    mounts.update(scan_pages(settings.pages, mounts, runner))


def start_pool(emulator: Any) -> None:
    """Start the worker pool the emulator's SSJS pages run in; the emulator closes it."""
    runners = {id(page.runner): page.runner for page in emulator.mounts.values()
               if isinstance(page, SsjsPage) and page.runner is not None}
    if not runners:
        return
    emulator.ssjs_pool = WorkerPool(allow_json=emulator.settings.ssjs_allow_json)
    for runner in runners.values():
        runner.pool = emulator.ssjs_pool
