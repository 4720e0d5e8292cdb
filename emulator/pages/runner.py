"""Run one page program against one request and turn what it did into a response."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from emulator import assumptions
from emulator.clock import Clock
from emulator.pages import Page
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.clr import utf8
from emulator.script.errors import ScriptError
from emulator.store.store import Store

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


def run_page(page: Page, request: RequestSnapshot, store: Store, clock: Clock) -> PageResult:
    """Run ``page`` for ``request``; an exception escaping the script is an HTTP 500."""
    context = PageContext(request=request, store=store, clock=clock,
                          content_type=page.content_type, page_name=page.name)
    try:
        page.run(PageGlobals(context))
    except ScriptError as ex:
        # OFF/3P: an exception that escapes the page answers HTTP 500; what was written is lost.
        log.warning("%s %s: uncaught %s: %s", request.method, page.name, ex.name, ex.message)
        return PageResult(
            status=500,
            headers=[("Content-Type", f"text/plain; charset={assumptions.RESPONSE_CHARSET}")],
            body=assumptions.UNCAUGHT_EXCEPTION_BODY.encode("utf-8"),
            warnings=context.warnings, rows_written=context.rows_written,
            error=f"uncaught {ex.name}: {ex.message}")
    content_type = f"{context.content_type}; charset={assumptions.RESPONSE_CHARSET}"
    return PageResult(
        status=200,
        headers=[("Content-Type", content_type), *context.headers],
        body=utf8(context.body_text()),
        warnings=context.warnings, rows_written=context.rows_written)
