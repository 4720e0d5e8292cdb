"""The dashboard under ``/_emulator/ui/``: a small Flask app of HTML pages beside the emulator.

It is mounted in front of the emulator's WSGI app rather than registered as a blueprint, so the
admin API's route table (and its OpenAPI document) stays the API's alone, and dashboard errors
answer as HTML pages instead of the API's JSON. It shares the emulator's state object, and the
admin API's loopback, token, Host and Origin rules guard it (safety.py).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WsgiResponse

from emulator.runtime import EXTENSION_KEY, get_emulator
from emulator.web.admin import safety
from emulator.web.ui import tokens, views

ADMIN_PREFIX = "/_emulator"
PREFIX = f"{ADMIN_PREFIX}/ui"
PARENT_KEY = "mcemu_parent"  # the emulator app, for the token form's in-process /token call
#: Pages anyone may load before presenting the admin token: the login form and its styles.
OPEN_ENDPOINTS = frozenset({"login", "static"})
SECURITY_HEADERS = {
    # No inline script or style anywhere: a value that escaped escaping still could not run.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
GET, BOTH = ("GET",), ("GET", "POST")

#: path, endpoint, view, methods: the dashboard's pages as a table.
ROUTES: tuple[tuple[str, str, Callable[..., Any], tuple[str, ...]], ...] = (
    ("/", "data_extensions", views.data_extensions, GET),
    ("/data-extensions/<path:key>", "rows", views.rows, GET),
    ("/journal", "journal", views.journal, GET),
    ("/journal/rows", "journal_rows", views.journal_rows, GET),
    ("/journal/<int:entry_id>", "request_detail", views.request_detail, GET),
    ("/exceptions", "exceptions", views.exceptions, GET),
    ("/token", "token", tokens.token_form, BOTH),
    ("/jwt", "jwt", tokens.jwt_form, BOTH),
    ("/reset", "reset", views.reset_form, BOTH),
    ("/ping", "ping", views.ping, GET),
)


def init_app(app: Flask) -> None:
    """Build the dashboard app and mount it at ``/_emulator/ui/`` in front of ``app``."""
    dashboard = Flask(__name__, static_folder="static", static_url_path="/static",
                      template_folder="templates")
    dashboard.config["TESTING"] = app.config.get("TESTING", False)
    dashboard.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # forms only: a token, some claims
    dashboard.extensions[EXTENSION_KEY] = get_emulator(app)
    dashboard.extensions[PARENT_KEY] = app
    for path, endpoint, view, methods in ROUTES:
        dashboard.add_url_rule(path, endpoint=endpoint, view_func=view, methods=list(methods))
    dashboard.add_url_rule("/login", endpoint="login", view_func=login, methods=list(BOTH))
    dashboard.add_template_filter(_pretty, "pretty")
    dashboard.before_request(guard)
    dashboard.after_request(_secure)
    dashboard.register_error_handler(HTTPException, _error_page)
    app.wsgi_app = _Mount(app.wsgi_app, dashboard)  # type: ignore[method-assign]


class _Mount:
    """Send ``/_emulator/ui/...`` to the dashboard, redirect ``/_emulator/`` there, pass the rest.

    Only the two exact paths redirect: every other unknown admin path keeps the API's JSON 404.
    """

    def __init__(self, emulator_wsgi: Callable[..., Iterable[bytes]], dashboard: Flask) -> None:
        self.emulator_wsgi = emulator_wsgi
        self.dashboard = dashboard

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path in (ADMIN_PREFIX, ADMIN_PREFIX + "/"):
            target = environ.get("SCRIPT_NAME", "") + PREFIX + "/"
            return WsgiResponse(status=302, headers={"Location": target})(environ, start_response)
        if path == PREFIX or path.startswith(PREFIX + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX
            environ["PATH_INFO"] = path[len(PREFIX):]
            return self.dashboard(environ, start_response)
        return self.emulator_wsgi(environ, start_response)


def guard() -> Response | str | tuple[str, int] | None:
    """Apply the admin API's rules; ask for the admin token once; refuse cross-site forms."""
    token = get_emulator().settings.admin_token
    if token is not None:
        if not safety.presents_token(token) and request.endpoint not in OPEN_ENDPOINTS:
            return _login_page(status=401)
    else:
        refused = safety.refuse_remote()
        if refused is not None:
            return refused
    if request.method in safety.STATE_CHANGING:
        return _refuse_foreign_form()
    return None


def login() -> Response | tuple[str, int]:
    """Take the admin token once and keep it in the HttpOnly, SameSite=Strict cookie."""
    token = get_emulator().settings.admin_token
    if request.method == "GET" or token is None:
        return redirect(url_for("data_extensions"))  # nothing to ask for without a token
    given = request.form.get("token", "")
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return _login_page(status=401, wrong=True)
    response = redirect(_local_next(request.form.get("next", "")), code=303)
    response.set_cookie(safety.TOKEN_COOKIE, token, path=ADMIN_PREFIX + "/", httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


def _login_page(status: int, wrong: bool = False) -> tuple[str, int]:
    wanted = request.full_path.rstrip("?") if request.method == "GET" else "/"
    return render_template("ui/login.html", next=request.script_root + wanted,
                           wrong=wrong), status


def _local_next(target: str) -> str:
    """Return ``target`` if it is a dashboard path on this server, else the dashboard's home."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(PREFIX + "/"):
        return url_for("data_extensions")
    return target


def _refuse_foreign_form() -> Response | tuple[str, int] | None:
    """Refuse a form sent from another site: Origin, else Referer, must be this server.

    A browser sends Origin with every POST form; Referer covers old clients. With neither we
    cannot tell where the form came from, so we refuse (SameSite cookies alone do not cover the
    no-token, loopback-only mode).
    """
    own = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("Origin")
    referer = request.headers.get("Referer")
    if origin is not None:
        same = origin.lower().rstrip("/") == own
    elif referer is not None:
        same = referer.lower().startswith(own + "/")
    else:
        same = False
    if same:
        return None
    shown = origin or referer or "none given"
    return render_template("ui/error.html", status=403, title="Refused: not from this dashboard",
                           message=f"The dashboard only accepts forms sent from its own pages "
                           f"({own}); this one came from {shown}."), 403


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _pretty(value: Any) -> str:
    """Return ``value`` as indented JSON text, for autoescaping like any other text."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def _error_page(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    return render_template("ui/error.html", status=status, title=f"{status} {error.name}",
                           message=error.description or error.name), status
