"""What a fault on a REST route answers: the platform's throttling and error bodies.

A fault's ``status`` and ``errorcode`` pick the body (docs/fidelity.md#rest-throttling): 429
alone is the captured rate limit (errorcode 50100, ``retryAfter`` and ``Retry-After``), errorcode
50200 the block, 503 errorcode 50300 with ``Retry-After``; any other status answers the REST
error shape with the assumed errorcode (docs/fidelity.md#rest-fault-answers). A fault's ``body``
text is the message; a dict or list body is sent as it is.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from emulator import assumptions
from emulator.rest.errors import ERROR_HANDLING_URL, RestError, rest_error

RATE_LIMITED = 50100
BLOCKED = 50200
UNAVAILABLE = 50300
#: The captured Retry-After of a 429, in seconds: what a fault without ``retry_after`` sends.
CAPTURED_RETRY_AFTER = 5
_MESSAGES = {RATE_LIMITED: "Rate limit exceeded",
             BLOCKED: "Your requests are temporarily blocked.",
             UNAVAILABLE: assumptions.REST_FAULT_UNAVAILABLE_MESSAGE}
_DEFAULT_CODES = {429: RATE_LIMITED, 503: UNAVAILABLE}


def fault_error(status: int, errorcode: int | None, body: Any,
                retry_after: int | None) -> RestError:
    """Return the RestError a REST route answers for a fault with these fields."""
    if isinstance(body, (dict, list)):
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return _AsGiven(status, body, headers)
    code = errorcode if errorcode is not None else _DEFAULT_CODES.get(
        status, assumptions.REST_FAULT_ERRORCODE)
    message = body if body is not None else _MESSAGES.get(code) or _phrase(status)
    throttling = code in _MESSAGES
    documentation = ERROR_HANDLING_URL if throttling else ""
    if code in (RATE_LIMITED, UNAVAILABLE) and retry_after is None:
        retry_after = CAPTURED_RETRY_AFTER
    if code == RATE_LIMITED:  # the captured body carries retryAfter too
        return rest_error(status, code, message, documentation, retry_after=retry_after)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return rest_error(status, code, message, documentation, headers=headers)


class _AsGiven(RestError):
    """A fault's own JSON body (a dict or a list), sent as given."""

    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        super().__init__(status, {}, headers)
        self.body = body  # type: ignore[assignment]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
