"""Run one page program against one request and turn what it did into a response."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from html import escape
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


def run_page(page: Page, request: RequestSnapshot, store: Store, clock: Clock,
             keys: KeyStore | None = None, warning_log: WarningLog | None = None) -> PageResult:
    """Run ``page`` for ``request``; an exception escaping the script is an HTTP 500.

    ``keys`` is the key store GetJWTByKeyName reads (none when not given); ``warning_log`` is
    the app's server-log side of the page's warnings (plain logging when not given).
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
        return PageResult(
            status=500,
            headers=[("Content-Type", f"text/plain; charset={assumptions.RESPONSE_CHARSET}")],
            body=assumptions.UNCAUGHT_EXCEPTION_BODY.encode("utf-8"),
            warnings=context.warnings, rows_written=context.rows_written,
            error=f"uncaught {ex.name}: {ex.message}")
    # Issue 7: a token the page answered without an exp claim is said so (never changes it).
    for warning in issued_token_warnings(context.body_text()):
        context.warn(warning)
    return PageResult(
        status=200,
        headers=context.response_headers(),
        body=context.body_bytes(),
        warnings=context.warnings, rows_written=context.rows_written)


def _redirect(context: PageContext, redirect: PageRedirect) -> PageResult:
    """Answer a Platform.Response.Redirect: 302 (301 permanent), output discarded (RT 2.21).

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
