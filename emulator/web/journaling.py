"""Record each request in the journal and the server log, after its response is built."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

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
    emulator = get_emulator()
    try:
        request_body = request.get_data(cache=True) if result is not None else b""
    except HTTPException:  # the body that was refused as too large, or a client that left
        request_body = b""
    entry = emulator.journal.record(
        time=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        method=request.method, path=request.path,
        query_string=request.query_string.decode("utf-8", errors="replace"),
        page=g.get("mcemu_page"), status=response.status_code, duration_ms=duration_ms,
        request_headers=list(request.headers.items()), request_body=request_body,
        response_headers=list(response.headers.items()),
        response_body=response.get_data() if not response.is_streamed else b"",
        rows_written=result.rows_written if result else None,
        warnings=result.warnings if result else None,
        error=result.error if result else None)
    log.info("%s %s %s %.1fms%s", request.method, request.full_path.rstrip("?"),
             response.status_code, duration_ms,
             f" ({len(entry.warnings)} warning(s))" if entry.warnings else "")
    return response
