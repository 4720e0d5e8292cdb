"""Run one page program against one request and turn what it did into a response."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import TracebackType
from typing import Any

from emulator import assumptions
from emulator.ampscript.keys import KeyStore
from emulator.clock import Clock
from emulator.journal import WarningLog
from emulator.pages import Page
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.output import PageRedirect
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import ScriptError
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


def run_page(page: Page, request: RequestSnapshot, store: Store, clock: Clock,
             keys: KeyStore | None = None, warning_log: WarningLog | None = None,
             debug: bool = False) -> PageResult:
    """Run ``page`` for ``request``; an exception escaping the script is an HTTP 500.

    ``keys`` is the key store GetJWTByKeyName reads (none when not given); ``warning_log`` is
    the app's server-log side of the page's warnings (plain logging when not given). The error,
    its file and line are recorded whatever ``debug`` is; ``debug`` also puts them in the 500
    body, which is otherwise the platform's.
    """
    context = PageContext(request=request, store=store, clock=clock,
                          content_type=page.content_type, page_name=page.name,
                          keys=keys if keys is not None else KeyStore(),
                          warning_log=warning_log)
    try:
        page.run(PageGlobals(context))
    except PageRedirect as redirect:
        return _redirect(context, redirect)
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
