"""Answering a token request: the client-credentials grant and the legacy ``requestToken``.

The web layer reads the request into a plain mapping of fields (JSON, a form or HTTP Basic);
these functions check it against the installed packages and issue the token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.rest.errors import RestError, oauth_error
from emulator.rest.packages import Package, find
from emulator.rest.tokens import (
    EXPIRES_IN,
    LEGACY_EXPIRES_IN,
    LEGACY_LIFETIME,
    TokenStore,
)
from emulator.units.model import MAX_MID
from emulator.units.registry import Units

GRANT = "client_credentials"
#: Captured texts (docs/fidelity.md#rest-token-errors).
INVALID_CLIENT = ("Client authentication failed. Make sure that the client ID and client secret "
                  "are valid and that the package is installed and enabled.")
UNSUPPORTED_GRANT = ('Use "authorization_code" or "refresh_token" or "client_credentials" or '
                     '"urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant_type.')


def invalid_request(description: str) -> RestError:
    """Return the emulator's 400 for a token request it cannot read (ASSUMED rest-token-input)."""
    return oauth_error(400, "invalid_request", description)


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or isinstance(value, str):
        return value
    raise invalid_request(f"{name} is a string, not {type(value).__name__}")


def _package(fields: Mapping[str, Any], packages: Sequence[Mapping[str, Any]],
             id_name: str, secret_name: str) -> Package:
    client_id, secret = _text(fields, id_name), _text(fields, secret_name)
    package = find(packages, client_id) if client_id else None
    if package is None or secret != package.client_secret:
        raise oauth_error(401, "invalid_client", INVALID_CLIENT)
    return package


def account_mid(value: Any) -> int | None:
    """Return ``account_id`` (a number or a string of digits) as a MID; None when absent."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MID:
        raise invalid_request(f"account_id is the MID of a business unit: a whole number from 1 "
                              f"to {MAX_MID}, as a number or a string, not {value!r}")
    return value


def granted_scopes(package: Package, requested: str | None) -> list[str]:
    """Return the scopes a token gets, in the package's order (docs/fidelity.md#rest-scope).

    No ``scope``: all of the package's; an empty one: none; else those requested that the
    package has (the others are dropped, not refused).
    """
    if requested is None:
        return list(package.scopes)
    wanted = set(requested.split())
    return [scope for scope in package.scopes if scope in wanted]


def client_credentials(fields: Mapping[str, Any], packages: Sequence[Mapping[str, Any]],
                       units: Units, tokens: TokenStore, now: datetime,
                       rest_url: str, soap_url: str) -> dict[str, Any]:
    """Return the ``/v2/token`` answer (captured key order) or raise its RestError.

    The grant type is checked first, then the client, then ``scope`` and ``account_id``
    (ASSUMED rest-token-checks).
    """
    if fields.get("grant_type") != GRANT:
        raise oauth_error(assumptions.REST_BAD_GRANT_STATUS, "unsupported_grant_type",
                          UNSUPPORTED_GRANT)
    package = _package(fields, packages, "client_id", "client_secret")
    scopes = granted_scopes(package, _text(fields, "scope"))
    mid = account_mid(fields.get("account_id"))
    if mid is None:
        mid = package.default_mid
    elif mid not in package.mids or not units.known(mid):
        raise oauth_error(assumptions.REST_UNKNOWN_MID_STATUS, "invalid_grant",
                          f"account_id {mid} is not a business unit this package may act for; "
                          f"it may act for {', '.join(map(str, package.mids))}")
    token, _ = tokens.issue(package.client_id, mid, scopes, now)
    return {"access_token": token, "token_type": "Bearer", "expires_in": EXPIRES_IN,
            "scope": " ".join(scopes), "soap_instance_url": soap_url,
            "rest_instance_url": rest_url}


def legacy(fields: Mapping[str, Any], packages: Sequence[Mapping[str, Any]],
           tokens: TokenStore, now: datetime, legacy_token: bool = False) -> dict[str, Any]:
    """Return the legacy ``/v1/requestToken`` answer or raise its captured 401.

    ``legacy_token`` (``?legacy=1``): the answer adds ``legacyToken``, a second token of the
    same grant (docs/fidelity.md#rest-legacy-token-form).
    """
    try:
        package = _package(fields, packages, "clientId", "clientSecret")
    except RestError:
        raise RestError(401, {"message": "Unauthorized", "errorcode": 1,
                              "documentation": ""}) from None
    token, _ = tokens.issue(package.client_id, package.default_mid, package.scopes, now,
                            lifetime=LEGACY_LIFETIME)
    answer: dict[str, Any] = {"accessToken": token, "expiresIn": LEGACY_EXPIRES_IN}
    if legacy_token:
        answer["legacyToken"], _ = tokens.issue(package.client_id, package.default_mid,
                                                package.scopes, now, lifetime=LEGACY_LIFETIME)
    return answer
