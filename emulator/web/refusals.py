"""The emulator's own refusals, as JSON a user can act on.

A page's answers come from the page; these come from the emulator around it (a body too large,
a path with no page), so their body says ``emulator_error`` and never looks like a page's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from emulator.errors import StoreWriteFailed
from emulator.runtime import get_emulator

log = logging.getLogger("emulator.web")
_OWN_NOT_FOUND = "mcemu_not_found"  # app.extensions: (prefix, answer) pairs


def answer_not_found_under(app: Flask, prefix: str,
                           answer: Callable[[HTTPException], Any]) -> None:
    """Let ``answer`` reply to a path under ``prefix`` that no rule matches."""
    app.extensions.setdefault(_OWN_NOT_FOUND, []).append((prefix, answer))


def refusal(status: int, code: str, message: str, **details: object) -> Response:
    """Return a JSON refusal with ``status``."""
    response = jsonify({"emulator_error": code, "message": message, **details})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StoreWriteFailed, store_write_failed)
    app.register_error_handler(Exception, _internal_error)


def _too_large(error: RequestEntityTooLarge) -> Response:
    limit = get_emulator().settings.max_body
    size = request.content_length
    given = f"{size} bytes" if size is not None else "larger than that"
    return refusal(413, "body_too_large",
                   f"The request body is {given}; the emulator accepts at most {limit} bytes. "
                   "Raise the limit with --max-body or MCEMU_MAX_BODY.", limit=limit)


def _not_found(error: HTTPException) -> Any:
    path = request.path
    for prefix, answer in current_app.extensions.get(_OWN_NOT_FOUND, ()):
        if path == prefix or path.startswith(prefix + "/"):
            return answer(error)  # the dashboard's own HTML page, for instance
    if path == "/_emulator" or path.startswith("/_emulator/"):
        routes = admin_routes()
        return refusal(404, "no_admin_route", f"{path} is not an admin route. Routes: "
                       + ", ".join(routes) + ".", routes=routes)
    emulator = get_emulator()
    pages = emulator.pages
    # The folder as it is now: a file added or removed since the last request counts.
    served = pages.mounts() if pages is not None else emulator.mounts
    mounts = {mount: page.name for mount, page in served.items()}
    details: dict[str, object] = {"mounts": mounts}
    hint = "Mount one with --mount PATH=PAGE."
    if pages is not None:
        hint = f"Mount one with --mount PATH=PAGE, or add a page file to {pages.folder}."
        if pages.ignored:
            details["ignored_page_files"] = dict(pages.ignored)
    return refusal(404, "no_page", f"No page is mounted at {path}. Mounted pages: "
                   + ", ".join(f"{p} ({n})" for p, n in mounts.items()) + f". {hint}",
                   **details)


def _http_error(error: HTTPException) -> Response:
    return refusal(error.code or 500, error.name.lower().replace(" ", "_"),
                   error.description or error.name)


def store_write_failed(error: StoreWriteFailed) -> Response:
    """Refuse a request whose change the ``--db`` file could not take (507; nothing was kept).

    Not a bug and not a platform answer: the disk is full or the file read-only. The store
    undid the change, so the client may retry once there is room; reads keep working.
    """
    log.error("%s %s: %s", request.method, request.path, error.message)
    return refusal(error.status, error.code, error.message)


def _internal_error(error: Exception) -> Response:
    # A bug in the emulator, not a platform behaviour: say so instead of a plausible answer.
    log.exception("emulator error while serving %s %s", request.method, request.path)
    return refusal(500, "emulator_bug", f"The emulator failed: {type(error).__name__}: {error}. "
                   "This is a bug in mc-emulator, not platform behaviour.")


def admin_routes() -> list[str]:
    """Return the admin API's routes as ``METHOD /path/{param}``, read from the app's URL map."""
    routes = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes += [f"{method} {path}" for method in sorted(rule.methods or ())
                       if method not in ("HEAD", "OPTIONS")]
    return routes
