"""Mount the page programs at their paths: every method reaches the page, OPTIONS excepted.

design.md "Pages and mounts": HEAD runs the page and sends no body; OPTIONS is answered by the
emulator (204 with ``Allow``), with CORS headers only when ``--cors ORIGIN`` is set (the real
platform sends none).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.routing import Rule

from emulator.pages import Page
from emulator.pages.runner import run_page
from emulator.runtime import Emulator, get_emulator
from emulator.ssjs.runner import SsjsPage, run_ssjs_page
from emulator.web import journaling
from emulator.web.snapshot import snapshot_request

ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"


def init_app(app: Flask) -> None:
    for path, page in get_emulator(app).mounts.items():
        endpoint = f"page:{path}"
        # methods=None: the rule matches every HTTP method, even unusual ones.
        app.url_map.add(Rule(path, endpoint=endpoint, methods=None))
        app.view_functions[endpoint] = _page_view(page, get_emulator(app))
    if get_emulator(app).settings.cors:
        app.after_request(_add_cors_headers)  # CORS is off by default: no cost per request then


def _page_view(page: Page, emulator: Emulator) -> Callable[[], Response]:
    run = run_ssjs_page if isinstance(page, SsjsPage) else run_page  # --pages files

    def serve_page() -> Response:
        # The request itself, not Flask's proxy: this path reads it a dozen times per request.
        current = request._get_current_object()  # type: ignore[attr-defined]
        environ = current.environ
        environ[journaling.PAGE_KEY] = page.name
        if current.method == "OPTIONS":
            return Response(status=204, headers={"Allow": ALLOWED_METHODS})
        snapshot = environ[journaling.SNAPSHOT_KEY] = snapshot_request(
            current, emulator.settings.max_body)
        result = run(page, snapshot, emulator.store, emulator.clock, keys=emulator.keys,
                     warning_log=emulator.warning_log)
        environ[journaling.RESULT_KEY] = result
        return Response(result.body, status=result.status, headers=result.headers)

    serve_page.__name__ = f"serve_{page.name}"
    return serve_page


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
