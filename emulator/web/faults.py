"""Apply the fault registry to page requests: an answer, a delay, or a dropped connection.

Who can drop a connection depends on the way in, which sets :data:`TRANSPORT_KEY` in the WSGI
environ: the live server (``mcemu serve``, ``LiveServer``) closes the socket, the ``responses``
mock raises ``requests.ConnectionError``; the bare Flask test client sets nothing and cannot
drop, so a drop there raises :class:`DropNotPossible`. The mock also gives the client's read
timeout (:data:`READ_TIMEOUT_KEY`): a delay longer than it waits that long, and the mock raises
``requests.ReadTimeout``, what the client would see. A page that a delay-only fault made late
still runs then, as on a server that does not know its client gave up.

The view (``web/pages.py``) answers with :func:`apply`; what the transport must do instead of
sending that answer is raised from the WSGI call by :class:`FaultInterrupts`, after the journal
recorded the request and its fault.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response

from emulator.errors import EmulatorError
from emulator.faults.registry import Fault
from emulator.web.journaling import FAULT_KEY  # (fault id, what it did), for the journal

#: Set by the ways in that can drop a connection: "mock" or "server".
TRANSPORT_KEY = "mcemu.transport"
#: Set by the mock: the seconds the client waits for an answer (None: for ever).
READ_TIMEOUT_KEY = "mcemu.read_timeout"
_INTERRUPT_KEY = "mcemu.fault.interrupt"
#: The journal's status for a request that got no answer.
NO_ANSWER = 0


class FaultInterrupt(EmulatorError):
    """A fault's way of ending a request that the transport carries out (no answer is sent)."""

    def __init__(self, message: str, fault: Fault) -> None:
        super().__init__(message)
        self.fault = fault


class ConnectionDropped(FaultInterrupt):
    """A fault drops the connection: the server closes it, the mock raises ConnectionError."""

    code = "fault_dropped"


class ClientTimedOut(FaultInterrupt):
    """A fault's delay outlasted the client's read timeout: the mock raises ReadTimeout."""

    code = "fault_timed_out"


class DropNotPossible(FaultInterrupt):
    """A drop asked of the Flask test client, which has no connection to close."""

    code = "fault_cannot_drop"


def init_app(app: Flask) -> None:
    app.wsgi_app = FaultInterrupts(app.wsgi_app)  # type: ignore[method-assign]


def apply(fault: Fault, environ: dict[str, Any]) -> Response | None:
    """Return the fault's answer for this request, or None to serve the page (after a delay)."""
    transport = environ.get(TRANSPORT_KEY)
    where = f"fault {fault.id} on {fault.path}"
    if fault.drop and transport is None:
        environ[FAULT_KEY] = (fault.id, "refused to drop: the Flask test client has no "
                              "connection to close")
        environ[_INTERRUPT_KEY] = DropNotPossible(
            f"{where} drops the connection, which the Flask test client cannot do: use the "
            "mcemu_mock fixture or mock_marketing_cloud (requests raises ConnectionError) or "
            "mcemu_server / LiveServer (the socket closes)", fault)
        return Response(status=NO_ANSWER)
    did = fault.describe()
    if fault.delay:
        timeout = environ.get(READ_TIMEOUT_KEY) if transport == "mock" else None
        if timeout is not None and fault.delay > timeout:
            time.sleep(timeout)
            did += f"; the client's read timeout ({timeout:g} s) passed first"
            environ[_INTERRUPT_KEY] = ClientTimedOut(
                f"{where} delays {fault.delay:g} s, longer than the client's read timeout "
                f"({timeout:g} s)", fault)
        else:
            time.sleep(fault.delay)
    environ[FAULT_KEY] = (fault.id, did)
    if fault.drop and _INTERRUPT_KEY not in environ:
        environ[_INTERRUPT_KEY] = ConnectionDropped(f"{where} dropped the connection", fault)
        return Response(status=NO_ANSWER)
    if fault.status is None:
        return None  # a delay only: the page answers, late
    body, content_type = fault.answer()
    response = Response(body, status=fault.status)
    if content_type is None:
        del response.headers["Content-Type"]
    else:
        response.headers["Content-Type"] = content_type
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


class FaultInterrupts:
    """Raise what a fault asked of the transport, once the app has journaled the request."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        result = self.wsgi_app(environ, start_response)
        interrupt = environ.get(_INTERRUPT_KEY)
        if interrupt is not None:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise interrupt
        return result
