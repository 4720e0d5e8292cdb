"""Errors of the test integration: misuse of a mock or live server, and URLs not emulated."""

from __future__ import annotations

from typing import Any

from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout

from emulator.errors import EmulatorError, NotEmulatedError


class MockError(EmulatorError):
    """Root of the errors ``emulator.testing`` raises."""

    code = "mock_error"


class NotStartedError(MockError, RuntimeError):
    """A mock or live server was used or stopped without being started."""

    code = "not_started"


class AlreadyStartedError(MockError, RuntimeError):
    """A mock or live server was started again while it runs."""

    code = "already_started"


class MockOrderError(MockError, RuntimeError):
    """Another ``responses`` mock was started after ours and took our URLs, or outlived ours."""

    code = "mock_order"


class URLNotEmulated(MockError, NotEmulatedError, RequestsConnectionError):
    """A Marketing Cloud URL that no page of the mock serves.

    A ``requests`` ConnectionError, so a client handles it as it handles a host it cannot reach;
    it is raised instead of letting the request reach the real network.
    """

    code = "not_emulated"

    def __init__(self, message: str, *, request: Any = None, url: str = "",
                 served: list[str] | None = None) -> None:
        MockError.__init__(self, message)
        self.request = request
        self.response = None
        self.url = url
        self.served = list(served or [])


class FaultDropped(MockError, RequestsConnectionError):
    """A fault dropped the connection: the ``requests.ConnectionError`` a client would get."""

    code = "fault_dropped"

    def __init__(self, message: str, *, request: Any = None) -> None:
        MockError.__init__(self, message)
        self.request = request
        self.response = None


class FaultTimedOut(MockError, ReadTimeout):
    """A fault's delay outlasted the client's read timeout: the ``requests.ReadTimeout`` it
    would get."""

    code = "fault_timed_out"

    def __init__(self, message: str, *, request: Any = None) -> None:
        MockError.__init__(self, message)
        self.request = request
        self.response = None


__all__ = ["AlreadyStartedError", "FaultDropped", "FaultTimedOut", "MockError",
           "MockOrderError", "NotEmulatedError", "NotStartedError", "URLNotEmulated"]
