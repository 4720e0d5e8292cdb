"""Serve a page file: run its program in a worker and answer like a Python page.

The page's ``run`` hands the program to the worker pool and answers host calls on the real
:class:`PageGlobals`, so :func:`emulator.pages.runner.run_page` does the rest as for a Python
port (500 on an uncaught exception, redirects, warnings). A syntax error answers 500 with its
line; a page past its time limit 408; one past its memory limit 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from emulator import assumptions
from emulator.ampscript.keys import KeyStore
from emulator.clock import Clock
from emulator.journal import WarningLog
from emulator.pages import Page
from emulator.pages.runner import PageResult, run_page
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import ScriptError
from emulator.ssjs.host import HostDispatcher
from emulator.ssjs.pagefile import PageFile
from emulator.ssjs.syntax import SsjsSyntaxError
from emulator.ssjs.workers import PageTimeout, WorkerLost, WorkerPool
from emulator.store.store import Store

log = logging.getLogger("emulator.page")
DEFAULT_TIMEOUT = 10.0  # seconds (issue 9)


class SsjsRunner:
    """What every SSJS page of an app shares: the worker pool and the time limit."""

    def __init__(self, pool: WorkerPool | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.pool = pool
        self.timeout = timeout

    def execute(self, file: PageFile, g: PageGlobals) -> None:
        """Run ``file``'s program against ``g``; re-raise what escaped the script."""
        if self.pool is None:
            raise WorkerLost("the SSJS worker pool is not started")
        program = file.program()
        dispatcher = HostDispatcher(g, assumptions.SSJS_OUTPUT_MAX)
        result = self.pool.run({"segments": list(program.segments)}, dispatcher.handle,
                               self.timeout)
        if dispatcher.redirect is not None:
            raise dispatcher.redirect
        error = result.get("error")
        if error:
            log.info("%s: %s", file.path.name, error.get("detail"))
            raise _Uncaught(error["name"], error["message"])


class _Uncaught(ScriptError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class SsjsPage(Page):
    """A page served from an SSJS page file."""

    file: PageFile | None = None
    runner: SsjsRunner | None = None

    def source_text(self) -> str:
        """Return the page file's text."""
        assert self.file is not None
        return self.file.path.read_text(encoding="utf-8")


def make_page(path: Path, runner: SsjsRunner, name: str | None = None,
              content_type: str | None = None) -> SsjsPage:
    """Return the page that serves the file at ``path`` with ``runner``."""
    file = PageFile(path, content_type)
    return SsjsPage(name or path.stem, lambda g: runner.execute(file, g), file.content_type(),
                    path.name, f"SSJS page file {path}", file=file, runner=runner)


def run_ssjs_page(page: Page, request: RequestSnapshot, store: Store, clock: Clock,
                  keys: KeyStore | None = None,
                  warning_log: WarningLog | None = None) -> PageResult:
    """Run ``page`` like :func:`run_page`, answering the SSJS runner's own failures too."""
    text = f"text/plain; charset={assumptions.RESPONSE_CHARSET}"
    try:
        return run_page(page, request, store, clock, keys, warning_log)
    except SsjsSyntaxError as error:
        log.error("%s %s: %s", request.method, page.name, error)
        return PageResult(500, [("Content-Type", text)], f"500 - {error}".encode(),
                          error=str(error))
    except PageTimeout as error:
        log.error("%s %s: killed: %s", request.method, page.name, error)
        return PageResult(assumptions.SSJS_TIMEOUT_STATUS, [("Content-Type", text)],
                          assumptions.SSJS_TIMEOUT_BODY.encode(), error=str(error))
    except WorkerLost as error:
        log.error("%s %s: %s", request.method, page.name, error)
        return PageResult(500, [("Content-Type", text)],
                          assumptions.UNCAUGHT_EXCEPTION_BODY.encode(), error=str(error))
