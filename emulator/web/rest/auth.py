"""The bearer check every REST route makes first: ``grant = require_token("data_extensions_read")``.

Call it at the top of a view, before reading the key or the body, so that a token without the
scope answers 403 whatever else is wrong (docs/fidelity.md#rest-scope).
"""

from __future__ import annotations

from flask import request

from emulator.rest.errors import insufficient_privileges, not_authorized
from emulator.rest.tokens import TokenGrant
from emulator.runtime import get_emulator
from emulator.web.journaling import CLIENT_KEY
from emulator.web.rest.faults import package_faults


def require_token(scope: str) -> TokenGrant:
    """Return the grant of the request's bearer token, or raise the REST 401/403 RestError.

    Missing ``Authorization``, not ``Bearer <token>``, a token never issued (or cleared by a
    reset) or expired on the emulator's clock: 401 errorcode 0 "Not Authorized"
    (docs/fidelity.md#rest-bearer). A live token without ``scope``: 403 errorcode 20002. The
    grant's ``mid`` is the business unit whose Data Extensions the call sees.
    """
    header = request.headers.get("Authorization", "")
    kind, _, token = header.strip().partition(" ")
    token = token.strip()
    if kind.lower() != "bearer" or not token:
        raise not_authorized()
    emulator = get_emulator()
    grant = emulator.tokens.find(token)
    if grant is None or grant.expired(emulator.clock.now_utc()):
        raise not_authorized()
    request.environ[CLIENT_KEY] = grant.client_id
    package_faults(grant.client_id)  # a fault of the token's package answers instead
    if not grant.allows(scope):
        raise insufficient_privileges()
    return grant
