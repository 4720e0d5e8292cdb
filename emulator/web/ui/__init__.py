"""The dashboard under ``/_emulator/ui/``: HTML pages, a blueprint of the emulator app.

It shares the emulator's state, and the admin API's loopback, token, Host and Origin rules
guard it (safety.py). Its errors answer as HTML pages, not the API's JSON: its own error
handlers cover its views, and the app's 404 handler sends unknown paths under its prefix here.
Its routes are not admin endpoints, so the API's route table and OpenAPI document stay the
API's alone.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from emulator.runtime import get_emulator
from emulator.web import refusals
from emulator.web.admin import safety
from emulator.web.ui import accounts, restjobs, salesforce, tokens, views

ADMIN_PREFIX = "/_emulator"
PREFIX = f"{ADMIN_PREFIX}/ui"
NAME = "ui"
#: Pages anyone may load before presenting the admin token: the login form and its styles.
OPEN_ENDPOINTS = frozenset({f"{NAME}.login", f"{NAME}.static"})
FORM_MAX_BODY = 1024 * 1024  # dashboard forms carry a token and some claims, never more
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
ROOT = "dashboard-root"  # the endpoint of /_emulator and /_emulator/: a redirect here

#: path, endpoint, view, methods: the dashboard's pages as a table.
ROUTES: tuple[tuple[str, str, Callable[..., Any], tuple[str, ...]], ...] = (
    ("/", "data_extensions", views.data_extensions, GET),
    ("/data-extensions/<path:key>", "rows", views.rows, GET),
    ("/journal", "journal", views.journal, GET),
    ("/journal/rows", "journal_rows", views.journal_rows, GET),
    ("/journal/<int:entry_id>", "request_detail", views.request_detail, GET),
    ("/exceptions", "exceptions", views.exceptions, GET),
    ("/faults", "faults", views.faults, GET),
    ("/subscribers", "subscribers", views.subscribers, GET),
    ("/outbox", "outbox", views.outbox, GET),
    ("/automations", "automations", views.automations, GET),
    ("/salesforce", "salesforce", salesforce.salesforce, GET),
    ("/packages", "packages", accounts.packages, GET),
    ("/business-units", "business_units", accounts.business_units, GET),
    ("/rest-jobs", "rest_jobs", restjobs.rest_jobs, GET),
    ("/token", "token", tokens.token_form, BOTH),
    ("/jwt", "jwt", tokens.jwt_form, BOTH),
    ("/reset", "reset", views.reset_form, BOTH),
    ("/ping", "ping", views.ping, GET),
)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(value: Any) -> Any:
    """Return ``value``, a text's lone surrogates replaced by U+FFFD (Jinja's ``finalize``)."""
    if isinstance(value, str) and not value.isascii() and _LONE_SURROGATE.search(value):
        cleaned = _LONE_SURROGATE.sub("\ufffd", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned  # a macro's HTML
    return value


def init_app(app: Flask) -> None:
    """Register the dashboard at ``/_emulator/ui/`` and its redirects from ``/_emulator/``."""
    dashboard = Blueprint(NAME, __name__, url_prefix=PREFIX, static_folder="static",
                          static_url_path="/static", template_folder="templates")
    for path, endpoint, view, methods in ROUTES:
        dashboard.add_url_rule(path, endpoint=endpoint, view_func=view, methods=list(methods))
    dashboard.add_url_rule("/login", endpoint="login", view_func=login, methods=list(BOTH))
    dashboard.add_app_template_filter(_pretty, "pretty")
    dashboard.before_request(guard)
    dashboard.after_request(_secure)
    # By code as well: the app's 404 and 413 handlers are by code, which Flask tries first.
    for handled in (HTTPException, 404, 413):
        dashboard.register_error_handler(handled, error_page)
    app.register_blueprint(dashboard)
    # A row or a journal text may hold a lone surrogate (JavaScript strings can), which no UTF-8
    # page can carry: every value a template prints shows U+FFFD in its place.
    app.jinja_env.finalize = _printable
    # An unknown path under the prefix matches no rule, so no blueprint handler sees it.
    refusals.answer_not_found_under(app, PREFIX, error_page)
    # /_emulator and /_emulator/ only (one rule: no slash redirect), every method: other
    # unknown admin paths keep the API's JSON 404.
    app.url_map.add(Rule(ADMIN_PREFIX + "/", endpoint=ROOT, methods=None,
                              strict_slashes=False))
    app.view_functions[ROOT] = _to_dashboard


def _to_dashboard() -> Response:
    return redirect(url_for(f"{NAME}.data_extensions"))


def guard() -> Response | str | tuple[str, int] | None:
    """Apply the admin API's rules; ask for the admin token once; refuse cross-site forms."""
    # The app's limit is --max-body, for pages; a dashboard form needs far less.
    request.max_content_length = FORM_MAX_BODY
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
        return redirect(url_for(".data_extensions"))  # nothing to ask for without a token
    given = request.form.get("token", "")
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return _login_page(status=401, wrong=True)
    response = redirect(_local_next(request.form.get("next", "")), code=303)
    response.set_cookie(safety.TOKEN_COOKIE, token, path=ADMIN_PREFIX + "/", httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


def _login_page(status: int, wrong: bool = False) -> tuple[str, int]:
    wanted = request.full_path.rstrip("?") if request.method == "GET" else PREFIX + "/"
    return render_template("ui/login.html", next=request.script_root + wanted,
                           wrong=wrong), status


def _local_next(target: str) -> str:
    """Return ``target`` if it is a dashboard path on this server, else the dashboard's home."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(PREFIX + "/"):
        return url_for(".data_extensions")
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


def error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """Answer an HTTP error under the dashboard's prefix as its HTML page."""
    status = error.code or 500
    return render_template("ui/error.html", status=status, title=f"{status} {error.name}",
                           message=error.description or error.name), status, SECURITY_HEADERS
