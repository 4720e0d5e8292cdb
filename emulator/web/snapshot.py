"""Turn a Flask request into the plain :class:`RequestSnapshot` the platform reads."""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Request
from werkzeug.formparser import parse_form_data

from emulator.platform.request import RequestSnapshot

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def snapshot_request(request: Request) -> RequestSnapshot:
    """Read the whole body (Werkzeug enforces the size limit) and copy what pages may read."""
    body = request.get_data(cache=True)
    headers = tuple((name, value) for name, value in request.headers.items())
    query_string = request.query_string.decode("utf-8", errors="replace")
    return RequestSnapshot(
        method=request.method,
        url=_request_url(request, query_string),
        query_string=query_string,
        headers=headers,
        body=body,
        client_ip=request.remote_addr or "",
        is_ssl=request.scheme == "https",
        form=_form_fields(request, body),
    )


def _request_url(request: Request, query_string: str) -> str:
    """Return the URL the client asked for: scheme, host, path as sent, and the raw query.

    Built from the WSGI environ directly: Werkzeug's ``request.url`` converts to an IRI and
    costs more than the rest of the snapshot together, on every request.
    """
    environ = request.environ
    # PATH_INFO holds the path's bytes decoded as Latin-1 (PEP 3333); quote them back.
    path = quote((environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
                 .encode("latin-1", errors="replace"), safe="/:@!$&'()*+,;=~")
    url = f"{request.scheme}://{request.host}{path}"
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
