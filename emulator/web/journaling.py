"""Record each request in the journal and the server log, after its response is built."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask, Response, request

from emulator.journal import cut
from emulator.runtime import get_emulator
from emulator.web.logfold import LOG_LIMIT

log = logging.getLogger("emulator.requests")
# The logged path is cut here, to leave room for the rest of the line within the log's bound.
_LOGGED_PATH = LOG_LIMIT - 128
_SURE_PATH = _LOGGED_PATH >> 2  # characters that fit _LOGGED_PATH bytes whatever they are


# What _record reads from the WSGI environ: when the request arrived (_Timed), and the page's
# name, request snapshot and result (web/pages.py), and the fault that stood in (web/faults.py).
# The environ, not flask.g: it is one dict lookup away, where every g access passes a context
# proxy.
STARTED_KEY = "mcemu.started"
PAGE_KEY = "mcemu.page"
SNAPSHOT_KEY = "mcemu.snapshot"
RESULT_KEY = "mcemu.result"
FAULT_KEY = "mcemu.fault"  # web/faults.py sets it: (fault id, what it did)
CLIENT_KEY = "mcemu.client_id"  # web/rest/auth.py sets it: the REST token's client id
CALLS_KEY = "mcemu.calls"  # web/pages.py sets it: the page's outbound calls (PageOutbound)


def init_app(app: Flask) -> None:
    app.wsgi_app = _Timed(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(_record)


class _Timed:
    """Note when a request arrived, before Flask builds its context.

    A WSGI wrapper rather than a ``before_request`` hook: the hook costs Flask a coroutine check
    and a ``g`` write on every request, and starts the clock later.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ[STARTED_KEY] = time.perf_counter()
        return self.wsgi_app(environ, start_response)


def _record(response: Response) -> Response:
    # The request itself, not Flask's proxy: read a dozen times here, on every request.
    current = request._get_current_object()  # type: ignore[attr-defined]
    path = current.path
    if path.startswith("/_emulator") and path[10:11] in ("", "/"):
        return response  # the journal is about what clients did, not about reading it
    environ = current.environ
    started = environ.get(STARTED_KEY) or time.perf_counter()
    duration_ms = (time.perf_counter() - started) * 1000
    result = environ.get(RESULT_KEY)
    snapshot = environ.get(SNAPSHOT_KEY)  # what the page read: reused rather than read again
    if snapshot is not None:
        request_body, query_string = snapshot.body, snapshot.query_string
        request_headers: Sequence[tuple[str, str]] = snapshot.headers  # a tuple: kept as is
    else:  # a refusal: no page ran (and a body refused as too large must not be read)
        request_body = b""
        query_string = current.query_string.decode("utf-8", errors="replace")
        request_headers = list(current.headers.items())
    warnings = result.warnings if result else ()
    get_emulator().journal.record(
        at=time.time(), method=current.method, path=path, query_string=query_string,
        page=environ.get(PAGE_KEY), status=response.status_code, duration_ms=duration_ms,
        request_headers=request_headers, request_body=request_body,
        response_headers=list(response.headers.items()),
        response_body=response.get_data() if not response.is_streamed else b"",
        rows_written=result.rows_written if result else None, warnings=warnings,
        error=result.error if result else None,
        error_file=result.error_file if result else None,
        error_line=result.error_line if result else None, fault=environ.get(FAULT_KEY),
        client_id=environ.get(CLIENT_KEY), calls=_calls(environ.get(CALLS_KEY)))
    if log.isEnabledFor(logging.INFO):  # building the line costs; --quiet skips it
        full_path = current.full_path.rstrip("?")
        if len(full_path) > _SURE_PATH:  # a client's 5 MB path is logged cut, with its length
            full_path = cut(full_path, _LOGGED_PATH)
        log.info("%s %s %s %.1fms%s", current.method[:_SURE_PATH], full_path,
                 response.status_code, duration_ms,
                 f" ({len(warnings)} warning(s))" if warnings else "")
    return response


def _calls(page: Any) -> Any:
    """Return the page's outbound calls as the journal keeps them (None: it made none)."""
    return None if page is None else page.record()
