"""Mount the page programs at their paths: every method reaches the page, OPTIONS excepted.

The built-in and ``--mount`` pages are one rule each; the ``--pages`` folder is one rule that
finds the file on each request. HEAD runs the page and sends no body; OPTIONS is answered by
the emulator (204 with ``Allow``), with CORS headers only when ``--cors ORIGIN`` is set (the
real platform sends none).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.routing import Rule

from emulator.outbound.page import PageOutbound
from emulator.pages import Page
from emulator.pages.runner import PageResult, run_page
from emulator.runtime import Emulator, get_emulator
from emulator.ssjs.runner import SsjsPage, run_ssjs_page
from emulator.subscribers.context import HEADER as SUBSCRIBER_HEADER
from emulator.subscribers.data import SubscriberNotFound, find
from emulator.subscribers.model import attributes_of
from emulator.web import faults, journaling
from emulator.web.snapshot import snapshot_request

ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"


def init_app(app: Flask) -> None:
    emulator = get_emulator(app)
    fixed = emulator.pages.fixed if emulator.pages is not None else emulator.mounts
    for path, page in fixed.items():
        endpoint = f"page:{path}"
        # methods=None: the rule matches every HTTP method, even unusual ones.
        app.url_map.add(Rule(path, endpoint=endpoint, methods=None))
        app.view_functions[endpoint] = _page_view(page, emulator)
    if emulator.pages is not None:
        # One rule for the whole folder, found on each request: a file added later is served.
        # A one-segment converter, the least specific rule of the map: every other rule wins,
        # and paths under /_emulator/ never reach it (their 404 and 405 stay the API's).
        app.url_map.add(Rule("/<name>", endpoint=PAGE_FILES, methods=None))
        app.view_functions[PAGE_FILES] = _page_file_view(emulator)
    if emulator.settings.cors:
        app.after_request(_add_cors_headers)  # CORS is off by default: no cost per request then


PAGE_FILES = "page-files"


def _page_view(page: Page, emulator: Emulator) -> Callable[[], Response]:
    run = run_ssjs_page if isinstance(page, SsjsPage) else run_page

    def serve_page() -> Response:
        return _serve(page, run, emulator)

    serve_page.__name__ = f"serve_{page.name}"
    return serve_page


def _page_file_view(emulator: Emulator) -> Callable[[str], Response]:
    directory = emulator.pages

    def serve_page_file(name: str) -> Response:
        page = directory.find(name)
        if page is None:
            abort(404)
        return _serve(page, run_ssjs_page, emulator)

    return serve_page_file


def _serve(page: Page, run: Callable[..., PageResult], emulator: Emulator) -> Response:
    # The request itself, not Flask's proxy: this path reads it a dozen times per request.
    current = request._get_current_object()  # type: ignore[attr-defined]
    environ = current.environ
    environ[journaling.PAGE_KEY] = page.name
    settings = emulator.settings
    # Taken first: the journal keeps what the client sent, even when a fault answers instead.
    snapshot = environ[journaling.SNAPSHOT_KEY] = snapshot_request(current, settings.max_body)
    fault = emulator.faults.match(current.method, current.path)
    if fault is not None:  # a fault answers instead of the page (or delays it)
        answer = faults.apply(fault, environ)
        if answer is not None:
            return answer
    if current.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ALLOWED_METHODS})
    try:
        attributes = page_subscriber(emulator, current.headers.get(SUBSCRIBER_HEADER))
    except SubscriberNotFound as unknown:  # an emulator error: the platform has no such header
        body = json.dumps({"emulator_error": "unknown_subscriber", "message": str(unknown),
                           "key": unknown.key})
        result = PageResult(400, [("Content-Type", "application/json")], body.encode(),
                            error=str(unknown))
    else:
        # The page's own view of the outbound side: its calls go to its journal entry.
        outbound = environ[journaling.CALLS_KEY] = PageOutbound(emulator.outbound)
        result = run(page, snapshot, emulator.store, emulator.clock, keys=emulator.keys,
                     warning_log=emulator.warning_log, debug=settings.debug,
                     time_limit=settings.ssjs_timeout, memory_limit=settings.page_memory_limit,
                     attributes=attributes, outbox=emulator.outbox, outbound=outbound)
    environ[journaling.RESULT_KEY] = result
    return Response(result.body, status=result.status, headers=result.headers)


def page_subscriber(emulator: Emulator, header: str | None) -> dict[str, Any] | None:
    """Return the attributes of the page's subscriber: the header's, else ``mc.subscriber``'s.

    None without either; raise SubscriberNotFound for a key no subscriber has
    (docs/fidelity.md#subscriber-context).
    """
    key = header if header is not None else emulator.subscriber.key
    if key is None:
        return None
    return attributes_of(find(emulator.store, key))


def _add_cors_headers(response: Response) -> Response:
    origin = get_emulator().settings.cors
    if request.path.startswith("/_emulator/"):
        return response
    asked = request.headers.get("Origin")
    if origin != "*" and asked != origin:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Content-Type, Authorization")
        response.headers["Access-Control-Max-Age"] = "600"
    return response
