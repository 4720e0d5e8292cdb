"""Record each request in the journal and the server log, after its response is built."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from flask import Flask, Response, g, request

from emulator.runtime import get_emulator

log = logging.getLogger("emulator.requests")


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_record)


def _start_timer() -> None:
    g.mcemu_started = time.perf_counter()


def _record(response: Response) -> Response:
    if request.path.startswith("/_emulator/"):
        return response  # the journal is about what clients did, not about reading it
    started = g.get("mcemu_started", time.perf_counter())
    duration_ms = (time.perf_counter() - started) * 1000
    result = g.get("mcemu_result")
    snapshot = g.get("mcemu_snapshot")  # what the page read: reused rather than read again
    emulator = get_emulator()
    if snapshot is not None:
        request_body, query_string = snapshot.body, snapshot.query_string
        request_headers = list(snapshot.headers)
    else:  # a refusal: no page ran (and a body refused as too large must not be read)
        request_body = b""
        query_string = request.query_string.decode("utf-8", errors="replace")
        request_headers = list(request.headers.items())
    entry = emulator.journal.record(
        time=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        method=request.method, path=request.path, query_string=query_string,
        page=g.get("mcemu_page"), status=response.status_code, duration_ms=duration_ms,
        request_headers=request_headers, request_body=request_body,
        response_headers=list(response.headers.items()),
        response_body=response.get_data() if not response.is_streamed else b"",
        rows_written=result.rows_written if result else None,
        warnings=result.warnings if result else None,
        error=result.error if result else None)
    if log.isEnabledFor(logging.INFO):  # building the line costs; --quiet skips it
        log.info("%s %s %s %.1fms%s", request.method, request.full_path.rstrip("?"),
                 response.status_code, duration_ms,
                 f" ({len(entry.warnings)} warning(s))" if entry.warnings else "")
    return response
