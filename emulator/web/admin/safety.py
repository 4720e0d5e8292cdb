"""Who may use the admin API: a ``before_request`` on the admin blueprint only.

Without ``--admin-token`` the admin API answers loopback clients only, and only when the
``Host`` header is a loopback name (a web page cannot reach it through DNS rebinding). With a
token, every client must present it: ``Authorization: Bearer <token>`` or the ``mcemu_admin``
cookie (the dashboard keeps it in an HttpOnly, SameSite=Strict cookie). A state-changing
request must also send ``Content-Type: application/json`` (a cross-site form cannot) and no
``Origin`` of another site. CloudPage routes are never affected: they belong to the client.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from emulator.runtime import get_emulator
from emulator.web.refusals import refusal

TOKEN_COOKIE = "mcemu_admin"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Admin bodies (a seed of many rows) may be larger than a page's: the larger of this and
#: --max-body.
ADMIN_MAX_BODY = 64 * 1024 * 1024


def init_blueprint(bp: Blueprint) -> None:
    """Guard every route of the admin blueprint ``bp``."""
    bp.before_request(guard)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)


def guard() -> Response | None:
    """Refuse the request (401/403/415) unless this client may use the admin API."""
    settings = get_emulator().settings
    request.max_content_length = max(settings.max_body, ADMIN_MAX_BODY)
    token = settings.admin_token
    if token is not None:
        if not presents_token(token):
            response = refusal(
                401, "admin_token_required",
                "The admin API needs the admin token: send 'Authorization: Bearer <token>' "
                "(the value of --admin-token / MCEMU_ADMIN_TOKEN).")
            response.headers["WWW-Authenticate"] = 'Bearer realm="mc-emulator admin"'
            return response
    else:
        refused = refuse_remote()
        if refused is not None:
            return refused
    if request.method in STATE_CHANGING:
        return refuse_cross_site() or _refuse_content_type()
    return None


def refuse_remote() -> Response | None:
    """Refuse (403) a client that is not this machine, or a Host that is not a loopback name."""
    if not is_loopback_address(request.remote_addr or ""):
        return refusal(403, "admin_loopback_only",
                       f"The admin API answers this machine only; {request.remote_addr} is "
                       "another. Start the emulator with --admin-token to allow remote "
                       "clients that present it.")
    if not is_loopback_host(request.host):
        return refusal(403, "admin_host_refused",
                       f"The admin API answers only requests for a loopback name "
                       f"(localhost, 127.0.0.1, [::1]), not Host {request.host!r} (this "
                       "stops DNS rebinding). Use http://127.0.0.1:<port>/, or start the "
                       "emulator with --admin-token.")
    return None


def is_loopback_address(address: str) -> bool:
    """Return whether ``address`` (an IP, perhaps IPv4-mapped or with a zone) is loopback."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def is_loopback_host(host: str) -> bool:
    """Return whether a ``Host`` header names this machine: localhost, 127.x.x.x or [::1]."""
    try:
        name = urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return False
    if name.rstrip(".") == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    return ip.is_loopback and (ip.version == 4 or f"[{name}]" in host.lower())


def presents_token(token: str) -> bool:
    """Return whether the request carries ``token`` as a bearer token or in the cookie."""
    given = ""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        given = value.strip()
    elif TOKEN_COOKIE in request.cookies:
        given = request.cookies[TOKEN_COOKIE]
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def refuse_cross_site() -> Response | None:
    """Refuse (403) a request whose ``Origin`` is another site."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    own = f"{request.scheme}://{request.host}".lower()
    if origin.lower().rstrip("/") == own:
        return None
    return refusal(403, "admin_cross_site",
                   f"The admin API refuses changes asked by another site (Origin {origin!r}; "
                   f"this emulator is {own}).")


def _refuse_content_type() -> Response | None:
    has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
    if request.method == "DELETE" and not has_body:
        return None
    if request.mimetype == "application/json":
        return None
    given = request.headers.get("Content-Type") or "none"
    return refusal(415, "admin_needs_json",
                   f"Admin requests that change state send JSON: set 'Content-Type: "
                   f"application/json' (got {given}).")


def _too_large(error: RequestEntityTooLarge) -> Response:
    limit = request.max_content_length
    return refusal(413, "body_too_large",
                   f"The admin request body is larger than {limit} bytes. Seed large data into "
                   "the --db file with 'mcemu seed --db FILE' before serving, or send the Data "
                   "Extensions in several requests.", limit=limit)
