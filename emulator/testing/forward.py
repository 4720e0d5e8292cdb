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

from emulator.testing.errors import FaultDropped, FaultTimedOut
from emulator.testing.routes import Target
from emulator.web.faults import (
    READ_TIMEOUT_KEY,
    TRANSPORT_KEY,
    ClientTimedOut,
    ConnectionDropped,
)

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


def forward(client: FlaskClient, request: PreparedRequest, target: Target
            ) -> Answer | Exception:
    """Send ``request`` through ``client`` as if it came to ``target``; return status, headers
    and body bytes, or the error ``requests`` would raise when a fault drops the connection or
    outlasts the client's read timeout."""
    headers = [(name, value) for name, value in request.headers.items()
               if name.lower() not in _TRANSPORT_HEADERS]
    # This way in can drop a connection, and knows how long the client waits (web/faults.py).
    transport = {TRANSPORT_KEY: "mock", READ_TIMEOUT_KEY: read_timeout(request)}
    try:
        response = client.open(target.raw_path, method=request.method or "GET",
                               query_string=target.query, headers=headers,
                               data=body_bytes(request.body), base_url=target.base_url,
                               environ_overrides=transport)
    except ConnectionDropped as dropped:
        return FaultDropped(f"Connection aborted: the server closed the connection without an "
                            f"answer ({dropped.message})", request=request)
    except ClientTimedOut as late:
        return FaultTimedOut(f"Read timed out ({late.message})", request=request)
    try:
        return response.status_code, list(response.headers.items()), response.get_data()
    finally:
        response.close()


def read_timeout(request: PreparedRequest) -> float | None:
    """Return the seconds the client waits for an answer (``timeout=`` of ``requests``)."""
    # responses keeps the send() arguments on the request: timeout is a number, a (connect,
    # read) pair or a urllib3 Timeout.
    timeout = getattr(request, "req_kwargs", {}).get("timeout")
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else None
    timeout = getattr(timeout, "read_timeout", timeout)
    return float(timeout) if isinstance(timeout, (int, float)) else None
