"""Serve a page file: run its program in a worker and answer like a Python page.

The page's ``run`` hands the program to the worker pool and answers host calls on the real
:class:`PageGlobals`, so :func:`emulator.pages.runner.run_page` does the rest as for a Python
port (500 on an uncaught exception, redirects, warnings). A syntax error answers 500 with its
line; a page past its time limit 408; one past its memory limit 500; one that finds every
worker busy 503 (:mod:`emulator.ssjs.admission`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import assumptions
from emulator.ampscript import links
from emulator.ampscript.interpreter import Interpreter
from emulator.ampscript.keys import KeyStore
from emulator.clock import Clock
from emulator.journal import WarningLog
from emulator.pages import Page
from emulator.pages.runner import AmpscriptAbort, PageResult, error_body, run_page
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.budget import DEFAULT_MEMORY_LIMIT
from emulator.script.errors import AmpscriptError, ScriptError
from emulator.sends.outbox import Outbox
from emulator.ssjs.admission import Admission, PoolBusy
from emulator.ssjs.flow import PageFlow
from emulator.ssjs.host import HostDispatcher
from emulator.ssjs.pagefile import PageFile
from emulator.ssjs.syntax import SsjsSyntaxError
from emulator.ssjs.workers import DEFAULT_SIZE, PageTimeout, WorkerLost, WorkerPool
from emulator.store.store import Store

log = logging.getLogger("emulator.page")
DEFAULT_TIMEOUT = 10.0  # seconds
_FRAME_LINE = re.compile(r"\(<input>:(\d+)")  # QuickJS stack frames: "at f (<input>:5:25)"
_SYNTAX_LINE = re.compile(r", line (\d+):")


class SsjsRunner:
    """What every SSJS page of an app shares: the worker pool, its admission and the limit."""

    def __init__(self, pool: WorkerPool | None = None, timeout: float = DEFAULT_TIMEOUT,
                 workers: int = DEFAULT_SIZE) -> None:
        self.pool = pool
        self.timeout = timeout
        self.admission = Admission(workers)  # as many run at once as the pool has workers
        #: The paths of the pages that have ids, by id (set by the --pages folder).
        self.page_paths: Callable[[], Mapping[int, str]] = dict

    def execute(self, file: PageFile, g: PageGlobals) -> None:
        """Run ``file``'s program against ``g``; re-raise what escaped the script.

        A page without script blocks runs its AMPscript here, without a worker; an AMPscript
        failure nothing caught is an :class:`AmpscriptAbort` (HTTP 422).
        """
        with links.serving(links.PageLinks(g.context.request.url, self.page_paths)):
            self._execute(file, g)

    def _execute(self, file: PageFile, g: PageGlobals) -> None:
        where = str(file.path)
        try:
            program = file.program()
        except AmpscriptError as error:  # the page's AMPscript does not compile
            raise AmpscriptAbort(error, where) from None
        compiled = program.compiled
        assert compiled is not None
        ctx = g.context.ampscript()
        if compiled.script is None:
            try:
                text = Interpreter(ctx).run(compiled.ampscript)
            except AmpscriptError as error:
                raise AmpscriptAbort(error, where) from None
            g.context.write(text)
            return
        if self.pool is None:
            raise WorkerLost("the SSJS worker pool is not started")
        dispatcher = HostDispatcher(g, assumptions.SSJS_OUTPUT_MAX, PageFlow(compiled, ctx))
        job = {"segments": [{"kind": "js", "text": compiled.script, "line": 1}]}
        with self.admission.slot():
            result = self.pool.run(job, dispatcher.handle, self.timeout, g.context.budget)
        if dispatcher.redirect is not None:
            raise dispatcher.redirect
        error = result.get("error")
        if error:
            log.info("%s: %s", file.path.name, error.get("detail"))
            failed = dispatcher.ampscript_error
            if failed is not None and error.get("message") == failed.message:
                raise AmpscriptAbort(failed, where)  # the page's AMPscript, uncaught
            raise _Uncaught(error["name"], error["message"], where,
                            script_line(error.get("detail") or "", compiled.blocks))


class _Uncaught(ScriptError):
    def __init__(self, name: str, message: str, page_file: str, page_line: int | None) -> None:
        super().__init__(message)
        self.name = name
        self.page_file = page_file  # emulator.pages.runner.error_place reads these two
        self.page_line = page_line


def script_line(detail: str, blocks: tuple[tuple[int, int], ...]) -> int | None:
    """Return the page file's line where an error arose, from the engine's stack text.

    Prelude frames share the engine's file name, so the innermost frame whose line falls in
    one of the page's script blocks (first and last file line) is the page's; the page's
    program keeps every block on its file lines.
    """
    for match in _FRAME_LINE.finditer(detail):
        line = int(match.group(1))
        if any(first <= line <= last for first, last in blocks):
            return line
    return None


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
                  keys: KeyStore | None = None, warning_log: WarningLog | None = None,
                  debug: bool = False, time_limit: float | None = None,
                  memory_limit: int = DEFAULT_MEMORY_LIMIT,
                  attributes: Mapping[str, Any] | None = None,
                  outbox: Outbox | None = None, outbound: Any = None) -> PageResult:
    """Run ``page`` like :func:`run_page`, answering the SSJS runner's own failures too.

    ``time_limit`` defaults to the page's runner's.
    """
    text = f"text/plain; charset={assumptions.RESPONSE_CHARSET}"
    where = str(page.file.path) if isinstance(page, SsjsPage) and page.file else None
    try:
        if time_limit is None:
            runner = page.runner if isinstance(page, SsjsPage) else None
            time_limit = runner.timeout if runner is not None else DEFAULT_TIMEOUT
        return run_page(page, request, store, clock, keys, warning_log, debug,
                        time_limit=time_limit, memory_limit=memory_limit,
                        attributes=attributes, outbox=outbox, outbound=outbound)
    except SsjsSyntaxError as error:
        log.error("%s %s: %s", request.method, page.name, error)
        found = _SYNTAX_LINE.search(str(error))
        # The message already names the file and line: the body stays as it always was.
        return PageResult(500, [("Content-Type", text)], f"500 - {error}".encode(),
                          error=str(error), error_file=where,
                          error_line=int(found.group(1)) if found else None)
    except PageTimeout as error:
        log.error("%s %s: killed: %s", request.method, page.name, error)
        return PageResult(assumptions.SSJS_TIMEOUT_STATUS, [("Content-Type", text)],
                          error_body(assumptions.SSJS_TIMEOUT_BODY, str(error), where, None,
                                     debug),
                          error=str(error), error_file=where)
    except PoolBusy as error:
        log.warning("%s %s: %s", request.method, page.name, error)
        # docs/fidelity.md#ssjs-busy
        return PageResult(assumptions.SSJS_BUSY_STATUS,
                          [("Content-Type", text),
                           ("Retry-After", str(assumptions.SSJS_BUSY_RETRY_AFTER))],
                          error_body(assumptions.SSJS_BUSY_BODY, str(error), where, None, debug),
                          error=str(error), error_file=where)
    except WorkerLost as error:
        log.error("%s %s: %s", request.method, page.name, error)
        return PageResult(500, [("Content-Type", text)],
                          error_body(assumptions.UNCAUGHT_EXCEPTION_BODY, str(error), where,
                                     None, debug),
                          error=str(error), error_file=where)
