"""AMPscript page functions: RequestParameter, QueryParameter, HTTPRequestHeader, Redirect,
RedirectTo and TreatAsContent.

They read the page's request through ``run.ctx.page``
(docs/fidelity.md#ampscript-request-parameter); outside a page run (no request) parameters and
headers read empty and a redirect aborts.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

from emulator import assumptions
from emulator.ampscript.interpreter import render
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field name
#: How deep TreatAsContent calls of this thread are nested now (a page runs on one thread).
_DEPTH: ContextVar[int] = ContextVar("treatascontent_depth", default=0)


@ampscript_function("RequestParameter", args=1, tag="RT; form before URL ASSUMED")
def request_parameter(run: Runtime, name: Any) -> str:
    """Return the form field or URL parameter ``name`` (any case), or empty text when absent."""
    page = run.ctx.page
    found = None if page is None else page.parameter(clr_text(name))
    return "" if found is None else found


@ampscript_function("QueryParameter", args=1, tag="RT; form before URL ASSUMED")
def query_parameter(run: Runtime, name: Any) -> str:
    """Return what RequestParameter returns: the documentation and the runtime test agree."""
    return request_parameter(run, name)


@ampscript_function("HTTPRequestHeader", args=1, tag="OFF; any header ASSUMED")
def http_request_header(run: Runtime, name: Any) -> str:
    """Return the request header ``name`` (any case), or empty text when it was not sent."""
    text = clr_text(name)
    if not _HEADER_NAME.fullmatch(text):
        raise AmpscriptError(assumptions.AMPSCRIPT_BAD_HEADER_NAME.format(name=_shown(text)))
    page = run.ctx.page
    found = None if page is None else page.header(text)
    return "" if found is None else found


@ampscript_function("Redirect", args=1, tag="RT; checks ASSUMED")
def redirect(run: Runtime, url: Any) -> None:
    """End the page with a 302 to ``url``: what was rendered is dropped, nothing after runs."""
    page = run.ctx.page
    if page is None:
        raise AmpscriptError(assumptions.AMPSCRIPT_NO_PAGE.format(function="Redirect"))
    page.redirect(clr_text(url))


@ampscript_function("RedirectTo", args=1, tag="RT")
def redirect_to(run: Runtime, url: Any) -> str:
    """Return ``url`` unchanged: on a page it only marks a link for click tracking (RT)."""
    return clr_text(url)


@ampscript_function("TreatAsContent", args=1, tag="RT")
def treat_as_content(run: Runtime, content: Any) -> str:
    """Render ``content`` as AMPscript sharing the page's variables; return what it wrote."""
    depth = _DEPTH.get()
    if depth >= assumptions.TREATASCONTENT_MAX_DEPTH:
        raise AmpscriptError(assumptions.AMPSCRIPT_TREATASCONTENT_DEPTH.format(
            limit=assumptions.TREATASCONTENT_MAX_DEPTH))
    token = _DEPTH.set(depth + 1)
    try:
        return render(clr_text(content), run.ctx)
    finally:
        _DEPTH.reset(token)


def _shown(text: str) -> str:
    """Return a name as an error message shows it: quoted, control characters escaped, cut."""
    return repr(text if len(text) <= 60 else text[:57] + "...")
