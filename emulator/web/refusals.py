"""The emulator's own refusals, as JSON a user can act on.

A page's answers come from the page; these come from the emulator around it (a body too large,
a path with no page), so their body says ``emulator_error`` and never looks like a page's.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from emulator.runtime import get_emulator

log = logging.getLogger("emulator.web")


def refusal(status: int, code: str, message: str, **details: object) -> Response:
    """Return a JSON refusal with ``status``."""
    response = jsonify({"emulator_error": code, "message": message, **details})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)


def _too_large(error: RequestEntityTooLarge) -> Response:
    limit = get_emulator().settings.max_body
    size = request.content_length
    given = f"{size} bytes" if size is not None else "larger than that"
    return refusal(413, "body_too_large",
                   f"The request body is {given}; the emulator accepts at most {limit} bytes. "
                   "Raise the limit with --max-body or MCEMU_MAX_BODY.", limit=limit)


def _not_found(error: HTTPException) -> Response:
    if request.path == "/_emulator" or request.path.startswith("/_emulator/"):
        routes = admin_routes()
        return refusal(404, "no_admin_route", f"{request.path} is not an admin route. Routes: "
                       + ", ".join(routes) + ".", routes=routes)
    mounts = {path: page.name for path, page in get_emulator().mounts.items()}
    return refusal(404, "no_page", f"No page is mounted at {request.path}. Mounted pages: "
                   + ", ".join(f"{p} ({n})" for p, n in mounts.items())
                   + ". Mount one with --mount PATH=PAGE.", mounts=mounts)


def _http_error(error: HTTPException) -> Response:
    return refusal(error.code or 500, error.name.lower().replace(" ", "_"),
                   error.description or error.name)


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
