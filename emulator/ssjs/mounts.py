"""``--pages DIR``: every page file in a folder, served at ``/<file name without extension>``.

The folder is read again whenever it changes, so a page file added while the server runs is
served without a restart, and a removed one answers 404. At start, a name problem is refused
before any worker starts: a path the built-in pages or ``--mount`` serve, anything under
``/_emulator/``, two files with one name, a name with other characters. A file that arrives
later with such a problem is left out (the first file of a name keeps it), logged once and
listed in the 404 answer.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.errors import ConfigError
from emulator.pages import Page
from emulator.ssjs.pagefile import MarkerError, file_page_id
from emulator.ssjs.runner import SsjsPage, SsjsRunner, make_page
from emulator.ssjs.workers import WorkerPool

log = logging.getLogger("emulator.pages")
_NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z")
RESERVED = "_emulator"


class PageDirectory:
    """The page files of one folder, found by name on each request.

    The listing is cached until the folder's modification time changes (or a name is not in
    it); a page is built, and its file parsed, once per file modification (path, mtime_ns,
    size), never per request.
    """

    def __init__(self, folder: Path, fixed: Mapping[str, Page], runner: SsjsRunner) -> None:
        self.folder = folder
        self.fixed = dict(fixed)  # the built-in and --mount pages: they win over a file
        self.runner = runner
        #: Called with the mount table (fixed pages, then the files) whenever it changes.
        self.on_change: Callable[[dict[str, Page]], None] | None = None
        self.ignored: dict[str, str] = {}  # file name -> why it is not served
        self._lock = threading.Lock()
        self._folder_stamp: int | None = None
        self._index: dict[str, Path] = {}  # page name -> its file
        self._ids: dict[int, str] = {}  # page id (first-line marker) -> the page's path
        runner.page_paths = self.page_paths
        self._pages: dict[Path, tuple[tuple[int, int], SsjsPage]] = {}

    def scan_at_start(self) -> None:
        """Read the folder; raise ConfigError for any name problem (nothing is served then)."""
        if not self.folder.is_dir():
            raise ConfigError(f"--pages {self.folder}: no such directory")
        self._rescan(strict=True)

    def find(self, name: str) -> SsjsPage | None:
        """Return the page served at ``/name`` now, or None."""
        if not _NAME.match(name) or name.lower() == RESERVED:
            return None
        for attempt in range(2):
            # Read the folder again if it changed, and once on a miss: a file made within the
            # folder time stamp's grain of the last read would otherwise stay unseen.
            if attempt or self._changed():
                self._rescan()
            file = self._index.get(name)
            if file is None:
                continue
            try:
                return self._page(file)
            except FileNotFoundError:
                continue  # removed since the folder was read
        return None

    def mounts(self) -> dict[str, Page]:
        """Return the mount table as the folder is now: fixed pages, then the files."""
        if self._changed():
            self._rescan()
        return self._table()

    def _changed(self) -> bool:
        try:
            return os.stat(self.folder).st_mtime_ns != self._folder_stamp
        except FileNotFoundError:
            return self._folder_stamp is not None

    def _page(self, path: Path) -> SsjsPage:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._pages.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        page = make_page(path, self.runner)  # parses the file: its content type may change
        self._pages[path] = (stamp, page)
        return page

    def _rescan(self, strict: bool = False) -> None:
        with self._lock:
            try:
                stamp: int | None = os.stat(self.folder).st_mtime_ns
                entries = sorted(self.folder.iterdir())
            except FileNotFoundError:
                stamp, entries = None, []
            index: dict[str, Path] = {}
            ids: dict[int, str] = {}
            ignored: dict[str, str] = {}
            for path in entries:
                if path.name.startswith(".") or path.name.endswith("~") or not path.is_file():
                    continue  # editor and system files are not pages
                problem = self._problem(path, index)
                page_id = None
                if problem is None:
                    page_id, problem = _page_id(path, ids, index)
                if problem is not None:
                    if strict:
                        raise ConfigError(f"--pages {path}: {problem}")
                    ignored[path.name] = problem
                    continue
                index[path.stem] = path
                if page_id is not None:
                    ids[page_id] = f"/{path.stem}"
            for name, why in ignored.items():
                if self.ignored.get(name) != why:
                    log.warning("--pages %s: not served: %s", self.folder / name, why)
            changed = index != self._index
            self._index, self.ignored, self._folder_stamp = index, ignored, stamp
            self._ids = ids
            self._pages = {path: page for path, page in self._pages.items()
                           if index.get(path.stem) == path}
        if changed and self.on_change is not None:
            self.on_change(self._table())

    def page_paths(self) -> dict[int, str]:
        """Return the path of every page that has an id, by id (CloudPagesURL reads it)."""
        if self._changed():
            self._rescan()
        return self._ids

    def _problem(self, path: Path, index: dict[str, Path]) -> str | None:
        name = path.stem
        if not _NAME.match(name):
            return "a page name may hold only letters, digits, '.', '_' and '-'"
        mount = f"/{name}"
        if name.lower() == RESERVED:
            return "/_emulator/ belongs to the emulator"
        if mount in self.fixed:
            return f"{mount} already serves the page {self.fixed[mount].name!r}; rename the file"
        if name in index:
            return f"{mount} is also served by {index[name]}"
        return None

    def _table(self) -> dict[str, Page]:
        table = dict(self.fixed)
        for name, file in self._index.items():
            try:
                table[f"/{name}"] = self._page(file)
            except FileNotFoundError:
                continue
        return table


def _page_id(path: Path, ids: dict[int, str],
             index: dict[str, Path]) -> tuple[int | None, str | None]:
    """Return the file's page id and, when it cannot have it, why."""
    try:
        page_id = file_page_id(path)
    except MarkerError as error:
        return None, f"first-line marker: {error}"
    except OSError as error:
        return None, f"cannot be read: {error}"
    if page_id is not None and page_id in ids:
        other = index[ids[page_id][1:]]
        return None, f"page id {page_id} is also given to {other}; each page needs its own id"
    return page_id, None


def open_pages(settings: Any, fixed: Mapping[str, Page]) -> PageDirectory:
    """Read ``settings.pages`` (a ConfigError on a name problem); no worker runs yet."""
    directory = PageDirectory(Path(settings.pages), fixed,
                              SsjsRunner(timeout=settings.ssjs_timeout,
                                         workers=settings.ssjs_workers))
    directory.scan_at_start()
    return directory


def start_pool(emulator: Any, directory: PageDirectory) -> None:
    """Start the worker pool the folder's pages run in, even for an empty folder."""
    emulator.ssjs_pool = WorkerPool(emulator.settings.ssjs_workers,
                                    allow_json=emulator.settings.ssjs_allow_json)
    directory.runner.pool = emulator.ssjs_pool
