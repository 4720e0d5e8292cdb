"""The REST API's error bodies: one builder, the captured key order kept per case.

Raise what :func:`rest_error` returns from any REST view (or from ``require_token``); the
``rest`` blueprint's handler answers it as JSON with its status and headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emulator.errors import EmulatorError

#: The documentation link the platform's 401 and 429 bodies carry (docs/fidelity.md#rest-errors).
ERROR_HANDLING_URL = ("https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/"
                      "error-handling.htm")


class RestError(EmulatorError):
    """A REST answer other than success: ``status``, a JSON ``body`` (keys in order), headers."""

    code = "rest_error"

    def __init__(self, status: int, body: Mapping[str, Any],
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(str(body.get("message") or body.get("error_description") or status))
        self.status = status
        self.body = dict(body)
        self.headers = dict(headers or {})


def rest_error(status: int, errorcode: int, message: str, documentation: str = "", *,
               documentation_first: bool = False,
               additional_errors: Sequence[Mapping[str, Any]] | None = None,
               retry_after: int | None = None,
               headers: Mapping[str, str] | None = None) -> RestError:
    """Return a RestError with the body ``{message, errorcode, documentation}``.

    The platform's general order is ``message, errorcode, documentation`` (then
    ``additionalErrors`` for the aggregate 10006); ``documentation_first`` gives the captured
    401 order ``documentation, errorcode, message``; ``retry_after`` adds ``retryAfter`` after
    ``errorcode`` (the 429 body) and the ``Retry-After`` header.
    """
    extra_headers = dict(headers or {})
    if documentation_first:
        body: dict[str, Any] = {"documentation": documentation, "errorcode": errorcode,
                                "message": message}
    else:
        body = {"message": message, "errorcode": errorcode}
        if retry_after is not None:
            body["retryAfter"] = retry_after
        body["documentation"] = documentation
    if retry_after is not None:
        extra_headers.setdefault("Retry-After", str(retry_after))
    if additional_errors is not None:
        body["additionalErrors"] = [dict(item) for item in additional_errors]
    return RestError(status, body, extra_headers)


def not_authorized() -> RestError:
    """Return the captured 401 for a missing, malformed, unknown or expired bearer token."""
    return rest_error(401, 0, "Not Authorized", ERROR_HANDLING_URL, documentation_first=True)


def insufficient_privileges() -> RestError:
    """Return the 403 for a token without the route's scope (docs/fidelity.md#rest-scope)."""
    return rest_error(403, 20002, "Insufficient Privileges to complete this action.")


def not_found(message: str = "Not Found") -> RestError:
    """Return the 404 errorcode 30003 (object or route not found) in the REST shape."""
    return rest_error(404, 30003, message)


def oauth_error(status: int, error: str, description: str) -> RestError:
    """Return a token route's error: the OAuth trio ``error, error_description, error_uri``."""
    return RestError(status, {"error": error, "error_description": description,
                              "error_uri": "https://developer.salesforce.com/docs"})
