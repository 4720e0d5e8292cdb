"""Hand a ``requests.PreparedRequest`` to the Flask app and bring back what it answered.

The mock's only way into the emulator: the app's own test client, so the pages, the journal and
the refusals are those of the server (docs/design.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from requests import PreparedRequest

from emulator.testing.routes import Target

#: Headers the transport owns: the test client sets Host from base_url and Content-Length from
#: the body; a chunked body arrives whole, as waitress hands it to the app.
_TRANSPORT_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})

Answer = tuple[int, list[tuple[str, str]], bytes]


def new_client(app: Flask) -> FlaskClient:
    """Return a test client that adds nothing of its own to what the client sent."""
    client = app.test_client(use_cookies=False)  # requests keeps the cookies, not us
    client.environ_base.pop("HTTP_USER_AGENT", None)  # Werkzeug's default User-Agent
    return client


def body_bytes(body: Any) -> bytes:
    """Return the bytes urllib3 would send for ``body`` (text as UTF-8, files and generators
    read to the end)."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        return body_bytes(body.read())
    if isinstance(body, Iterable):
        return b"".join(body_bytes(chunk) for chunk in body)
    raise TypeError(f"cannot send a request body of type {type(body).__name__}")


def forward(client: FlaskClient, request: PreparedRequest, target: Target) -> Answer:
    """Send ``request`` through ``client`` as if it came to ``target``; return status, headers
    and body bytes."""
    headers = [(name, value) for name, value in request.headers.items()
               if name.lower() not in _TRANSPORT_HEADERS]
    response = client.open(target.raw_path, method=request.method or "GET",
                           query_string=target.query, headers=headers,
                           data=body_bytes(request.body), base_url=target.base_url)
    try:
        return response.status_code, list(response.headers.items()), response.get_data()
    finally:
        response.close()
