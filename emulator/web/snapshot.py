"""Turn a Flask request into the plain :class:`RequestSnapshot` the platform reads."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from emulator.platform.request import RequestSnapshot

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LENGTH_DIGITS = 18  # a longer Content-Length is hostile or absurd: Werkzeug's rules answer it


def snapshot_request(request: Request, max_body: int | None) -> RequestSnapshot:
    """Read the whole body (at most ``max_body`` bytes) and copy what pages may read.

    Every request to a page passes here, so values come from the WSGI environ where Werkzeug's
    properties would only reread it (headers, method, client address, scheme).
    """
    body = read_body(request, max_body)
    environ = request.environ
    query_string = request.query_string.decode("utf-8", errors="replace")
    return RequestSnapshot(
        method=request.method,
        url=_request_url(request, query_string),
        query_string=query_string,
        headers=environ_headers(environ),
        body=body,
        client_ip=environ.get("REMOTE_ADDR") or "",
        is_ssl=environ.get("wsgi.url_scheme") == "https",
        form=_form_fields(request, body),
    )


def read_body(request: Request, max_body: int | None) -> bytes:
    """Return the request body; a declared length over ``max_body`` is a 413 before any read.

    A body with a plain Content-Length (nearly every request) is read from the WSGI stream in
    one call; any other (chunked, or a length Werkzeug would reinterpret) goes through
    Werkzeug's stream, which applies the app's MAX_CONTENT_LENGTH to it.
    """
    environ = request.environ
    declared = environ.get("CONTENT_LENGTH")
    if (not declared or len(declared) > _LENGTH_DIGITS or not declared.isascii()
            or not declared.isdigit() or "HTTP_TRANSFER_ENCODING" in environ):
        return request.get_data(cache=True)
    length = int(declared)
    if max_body is not None and length > max_body:
        raise RequestEntityTooLarge()
    body = environ["wsgi.input"].read(length) if length else b""
    if len(body) < length:
        raise ClientDisconnected()  # as Werkzeug's stream answers a body cut short: 400
    return body


def environ_headers(environ: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return the request headers in the environ's order, named as Werkzeug's ``headers`` names
    them (``HTTP_USER_AGENT`` is ``User-Agent``; Content-Type and -Length only when set)."""
    headers = []
    for key, value in environ.items():
        name = _HEADER_NAMES.get(key)
        if name is None:
            if not key.startswith("HTTP_") or key in _CGI_TWINS:
                if key in _CGI_HEADERS and value:
                    headers.append((_CGI_HEADERS[key], value))
                continue
            name = key[5:].replace("_", "-").title()
            if len(_HEADER_NAMES) < _HEADER_NAMES_LIMIT:  # bounded: clients choose header names
                _HEADER_NAMES[key] = name
        headers.append((name, value))
    return tuple(headers)


# The environ spells Content-Type and Content-Length without HTTP_ (PEP 3333); a client's own
# HTTP_CONTENT_TYPE would be a second copy, which Werkzeug's headers leave out too.
_CGI_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}
_CGI_TWINS = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})
_HEADER_NAMES: dict[str, str] = {}
_HEADER_NAMES_LIMIT = 1024


def _request_url(request: Request, query_string: str) -> str:
    """Return the URL the client asked for: scheme, host, path as sent, and the raw query.

    Built from the WSGI environ directly: Werkzeug's ``request.url`` converts to an IRI and
    costs more than the rest of the snapshot together, on every request.
    """
    environ = request.environ
    # PATH_INFO holds the path's bytes decoded as Latin-1 (PEP 3333); quote them back.
    path = quote((environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
                 .encode("latin-1", errors="replace"), safe="/:@!$&'()*+,;=~")
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{request.host}{path}"
    return f"{url}?{query_string}" if query_string else url


def _form_fields(request: Request, body: bytes) -> tuple[tuple[str, str], ...]:
    if request.mimetype not in _FORM_TYPES or not body:
        return ()
    # The body was read already; parse a copy of it so GetPostData still sees the raw bytes.
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    # The body is already bounded by --max-body; Werkzeug's own part limit would refuse a
    # large form with a misleading "too large" answer, so it is lifted here.
    _, form, files = parse_form_data(environ, max_content_length=len(body), max_form_parts=None)
    fields = [(name, value) for name, value in form.items(multi=True)]
    fields.extend((name, storage.filename or "") for name, storage in files.items(multi=True))
    return tuple(fields)
