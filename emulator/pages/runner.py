"""Run one page program against one request and turn what it did into a response."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import TracebackType
from typing import Any

from emulator import assumptions
from emulator.ampscript.keys import KeyStore
from emulator.clock import Clock
from emulator.errors import StoreWriteFailed
from emulator.journal import WarningLog
from emulator.pages import Page
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.output import PageRedirect
from emulator.platform.request import RequestSnapshot
from emulator.script.budget import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    PageBudget,
    PageOutOfMemory,
    PageTimeUp,
)
from emulator.script.errors import AmpscriptError, ScriptError
from emulator.sends.outbox import Outbox
from emulator.store.store import Store
from emulator.tokens import issued_token_warnings

log = logging.getLogger("emulator.page")


@dataclass
class PageResult:
    """What a page run produced: the response and what the journal records beside it."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    warnings: list[str] = field(default_factory=list)
    rows_written: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    error_file: str | None = None  # the page file (or Python port) where ``error`` arose
    error_line: int | None = None


class AmpscriptAbort(Exception):
    """The page's own AMPscript failed and nothing caught it: the page answers 422.

    docs/fidelity.md#ampscript-abort: the output is discarded; the body is the platform's fixed
    notice, the error's function, line and column go to the log and the journal.
    """

    def __init__(self, error: AmpscriptError, page_file: str | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.page_file = page_file

    def text(self) -> str:
        """Return the error as the log and the journal show it: function, line, column."""
        error = self.error
        where = [f"in {error.function}"] if error.function else []
        if error.line is not None:
            where.append(f"at line {error.line}, column {error.column}")
        return f"AMPscript error{' ' if where else ''}{' '.join(where)}: {error.message}"


def run_page(page: Page, request: RequestSnapshot, store: Store, clock: Clock,
             keys: KeyStore | None = None, warning_log: WarningLog | None = None,
             debug: bool = False, time_limit: float = DEFAULT_TIME_LIMIT,
             memory_limit: int = DEFAULT_MEMORY_LIMIT,
             attributes: Mapping[str, Any] | None = None,
             outbox: Outbox | None = None, outbound: Any = None) -> PageResult:
    """Run ``page`` for ``request``; an exception escaping the script is an HTTP 500.

    ``keys`` is the key store GetJWTByKeyName reads (none when not given); ``warning_log`` is
    the app's server-log side of the page's warnings (plain logging when not given). The error,
    its file and line are recorded whatever ``debug`` is; ``debug`` also puts them in the 500
    body, which is otherwise the platform's. ``time_limit`` (seconds) and ``memory_limit``
    (bytes) make the run's budget (docs/fidelity.md#page-budget): past the time it answers 408,
    past the memory 500. ``attributes`` are the page's subscriber's (none: no subscriber);
    ``outbox`` keeps what the page sends (none: a send fails, not captured); ``outbound``
    answers its outbound HTTP calls (none: each fails).
    """
    budget = PageBudget(time_limit, memory_limit)
    watched = PageStore(store)
    context = PageContext(request=request, store=watched, clock=clock,  # type: ignore[arg-type]
                          content_type=page.content_type, page_name=page.name,
                          keys=keys if keys is not None else KeyStore(),
                          warning_log=warning_log, budget=budget, attributes=attributes,
                          outbox=outbox, outbound=outbound)
    try:
        _run_watched(page, context, watched)
    except StoreWriteStop as stop:
        return _not_kept(request, page, context, stop.error)
    except PageRedirect as redirect:
        return _redirect(context, redirect)
    except AmpscriptAbort as abort:
        return _aborted(request, page, context, abort, debug)
    except PageTimeUp as stop:
        return _over_budget(request, page, context, stop, assumptions.SSJS_TIMEOUT_STATUS,
                            assumptions.SSJS_TIMEOUT_BODY, debug)
    except PageOutOfMemory as stop:
        return _over_budget(request, page, context, stop, 500,
                            assumptions.UNCAUGHT_EXCEPTION_BODY, debug)
    except ScriptError as ex:
        # OFF/3P: an exception that escapes the page answers HTTP 500; what was written is lost.
        log.warning("%s %s: uncaught %s: %s", request.method, page.name, ex.name, ex.message)
        text = f"uncaught {ex.name}: {ex.message}"
        file, line = error_place(ex, page)
        return PageResult(
            status=500,
            headers=[("Content-Type", f"text/plain; charset={assumptions.RESPONSE_CHARSET}")],
            body=error_body(assumptions.UNCAUGHT_EXCEPTION_BODY, text, file, line, debug),
            warnings=context.warnings, rows_written=context.rows_written,
            error=text, error_file=file, error_line=line)
    # docs/fidelity.md#seed-warnings: a token the page answered without an exp claim is said so
    # (never changes it).
    for warning in issued_token_warnings(context.body_text()):
        context.warn(warning)
    return PageResult(
        status=200,
        headers=context.response_headers(),
        body=context.body_bytes(),
        warnings=context.warnings, rows_written=context.rows_written)


class StoreWriteStop(BaseException):
    """Stop the page: the store could not keep a change the page made (never a platform error).

    A BaseException, as :class:`PageRedirect` is, so neither an SSJS ``catch`` nor ``except
    Exception`` in a page port can answer 200 over a change that was not kept.
    """

    def __init__(self, error: StoreWriteFailed) -> None:
        super().__init__(error.message)
        self.error = error


#: The Store methods that change data: a page's call to one may be refused by the disk.
_CHANGES = frozenset({"create", "drop", "add_rows", "update_rows", "delete_rows", "upsert_rows",
                      "replace_rows", "replace_all", "replace_records", "put_record",
                      "remove_record"})


class PageStore:
    """The store as one page run sees it: a change the disk refused stops the page.

    Reads pass through; :attr:`failed` keeps the refusal, so a page that went on after it (an
    SSJS page catches the stop signal's JavaScript side) is still answered as not kept.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self.failed: StoreWriteFailed | None = None

    def __getattr__(self, name: str) -> Any:
        member = getattr(self._store, name)
        if name not in _CHANGES:
            return member

        def change(*args: Any, **kwargs: Any) -> Any:
            try:
                return member(*args, **kwargs)
            except StoreWriteFailed as error:
                self.failed = error
                raise StoreWriteStop(error) from None

        return change


def _run_watched(page: Page, context: PageContext, watched: PageStore) -> None:
    """Run ``page``; whatever it did after a change was refused, end with the refusal."""
    try:
        page.run(PageGlobals(context))
    finally:
        if watched.failed is not None:
            raise StoreWriteStop(watched.failed)  # replaces a redirect or the page's own error


def _not_kept(request: RequestSnapshot, page: Page, context: PageContext,
              error: StoreWriteFailed) -> PageResult:
    """Answer the emulator's refusal of a page whose change the ``--db`` file could not take.

    Not the platform's answer: the JSON body says ``emulator_error`` like every refusal of the
    emulator's own (emulator.web.refusals); the rows the page wrote before it were kept.
    """
    log.error("%s %s: %s", request.method, page.name, error.message)
    body = json.dumps({"emulator_error": error.code, "message": error.message})
    return PageResult(status=error.status, headers=[("Content-Type", "application/json")],
                      body=body.encode("utf-8"), warnings=context.warnings,
                      rows_written=context.rows_written, error=error.message)


def _over_budget(request: RequestSnapshot, page: Page, context: PageContext,
                 stop: BaseException, status: int, platform_body: str,
                 debug: bool) -> PageResult:
    """Answer a page that ran out of its budget: 408 for time, 500 for memory.

    docs/fidelity.md#page-budget and docs/fidelity.md#ssjs-timeout-body: what was written is lost.
    """
    text = f"{type(stop).__name__}: {stop}"
    log.error("%s %s: %s", request.method, page.name, text)
    source = getattr(page, "file", None)  # an SSJS page file's; a Python port has none
    file = str(source.path) if source is not None else None
    return PageResult(
        status=status,
        headers=[("Content-Type", f"text/plain; charset={assumptions.RESPONSE_CHARSET}")],
        body=error_body(platform_body, text, file, None, debug),
        warnings=context.warnings, rows_written=context.rows_written,
        error=text, error_file=file)


def _aborted(request: RequestSnapshot, page: Page, context: PageContext, abort: AmpscriptAbort,
             debug: bool) -> PageResult:
    """Answer a page whose AMPscript failed: 422 and the fixed notice, what it wrote discarded."""
    text = abort.text()
    log.warning("%s %s: %s", request.method, page.name, text)
    return PageResult(
        status=assumptions.AMPSCRIPT_ABORT_STATUS,
        headers=[("Content-Type", f"text/plain; charset={assumptions.RESPONSE_CHARSET}")],
        body=error_body(assumptions.AMPSCRIPT_ABORT_BODY, text, abort.page_file,
                        abort.error.line, debug),
        warnings=context.warnings, rows_written=context.rows_written,
        error=text, error_file=abort.page_file, error_line=abort.error.line)


def _redirect(context: PageContext, redirect: PageRedirect) -> PageResult:
    """Answer a Platform.Response.Redirect: 302 (301 permanent), output discarded
    (docs/fidelity.md#redirect).

    The headers and cookies set before the redirect go out with it; the body is ASP.NET's
    "Object moved" page (ASSUMED "redirect-response").
    """
    kept = [(name, value) for name, value in context.headers
            if name.lower() not in ("location", "content-type")]
    body = assumptions.REDIRECT_BODY.format(url=escape(redirect.location, quote=True))
    return PageResult(
        status=redirect.status,
        headers=[("Content-Type", f"text/html; charset={assumptions.RESPONSE_CHARSET}"),
                 ("Location", redirect.location), *kept],
        body=body.encode("utf-8"),
        warnings=context.warnings, rows_written=context.rows_written)


def error_body(platform_body: str, error: str, file: str | None, line: int | None,
               debug: bool) -> bytes:
    """Return the platform's error body; with ``debug``, the error and where it arose too."""
    if not debug:
        return platform_body.encode("utf-8")
    where = f"\n  at {file}" + (f", line {line}" if line is not None else "") if file else ""
    return f"{platform_body}\n\n{error}{where}\n".encode()


def error_place(error: BaseException, page: Page) -> tuple[str | None, int | None]:
    """Return where ``error`` arose, for an error that a Python port raised.

    A page that says where (an SSJS page file's error) is taken at its word; otherwise the
    innermost frame in the port's module, else the innermost frame of all, names the line.
    """
    file = getattr(error, "page_file", None)
    if file is not None:
        return file, getattr(error, "page_line", None)
    code = getattr(page.run, "__code__", None)
    port = code.co_filename if code is not None else None
    frames = list(_frames(error.__traceback__))
    if not frames:
        return None, None
    chosen = next((f for f in reversed(frames) if f.tb_frame.f_code.co_filename == port),
                  frames[-1])
    return _shown_path(chosen.tb_frame.f_code.co_filename), chosen.tb_lineno


def _frames(traceback: TracebackType | None) -> list[TracebackType]:
    found = []
    while traceback is not None:
        found.append(traceback)
        traceback = traceback.tb_next
    return found


def _shown_path(filename: str) -> str:
    """Return ``filename`` from the ``emulator`` package's folder on, when it is inside it."""
    path = Path(filename)
    package = Path(sys.modules["emulator"].__file__ or "").parent
    try:
        return str(Path("emulator") / path.relative_to(package))
    except ValueError:
        return filename
