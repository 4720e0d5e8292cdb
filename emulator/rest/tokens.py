"""Access tokens the REST API issues: what a token grants, and the tokens issued so far.

A token is an opaque string (docs/fidelity.md#rest-token-shape); what it grants is a
:class:`TokenGrant`. Issued tokens are state: a test's rollback and every reset clear the ones
issued since (docs/design.md, the reset table).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: How long a v2 token lives on the emulator's clock (docs/fidelity.md#rest-token-lifetime).
TOKEN_LIFETIME = timedelta(minutes=20)
#: What the v2 token answer says in ``expires_in`` (every captured answer says 1079).
EXPIRES_IN = 1079
#: Legacy ``/v1/requestToken`` tokens live one hour and say so in ``expiresIn``.
LEGACY_LIFETIME = timedelta(hours=1)
LEGACY_EXPIRES_IN = 3600
#: Tokens kept at most: a client asking for a token per call (or a frozen clock, under which
#: none expires) cannot grow the emulator without end; the oldest is forgotten first.
MAX_TOKENS = 100_000


@dataclass(frozen=True)
class TokenGrant:
    """What a bearer token allows: the package (client id), the unit (MID), scopes, expiry.

    ``expires_at`` is a UTC time on the emulator's clock; ``scopes`` are the granted scope
    names (``data_extensions_read``, ...).
    """

    client_id: str
    mid: int
    scopes: frozenset[str]
    expires_at: datetime

    def allows(self, scope: str) -> bool:
        """Say whether the token carries ``scope``."""
        return scope in self.scopes

    def expired(self, now: datetime) -> bool:
        """Say whether the token has expired at ``now`` (UTC): it is dead from ``expires_at`` on."""
        return now >= self.expires_at


class TokenStore:
    """The tokens issued so far, by their text; a checkpointed part of the emulator's state."""

    def __init__(self) -> None:
        # Ordered by issue: the oldest leaves first in O(1) (deleting a plain dict's first
        # key again and again makes each next lookup walk the holes left before it).
        self._grants: OrderedDict[str, TokenGrant] = OrderedDict()
        self._saved: OrderedDict[str, TokenGrant] = OrderedDict()
        self._changed = False  # since the checkpoint: a rollback with nothing issued is free

    def issue(self, client_id: str, mid: int, scopes: Iterable[str], now: datetime,
              lifetime: timedelta = TOKEN_LIFETIME) -> tuple[str, TokenGrant]:
        """Return a new token and its grant, valid from ``now`` (UTC) for ``lifetime``."""
        token = secrets.token_urlsafe(48)  # 64 characters, opaque like the platform's
        grant = TokenGrant(client_id, mid, frozenset(scopes), now + lifetime)
        while len(self._grants) >= MAX_TOKENS:
            self._grants.popitem(last=False)  # the oldest
        self._grants[token] = grant
        self._changed = True
        return token, grant

    def find(self, token: str) -> TokenGrant | None:
        """Return the grant of ``token``, or None when it was never issued (or was cleared)."""
        return self._grants.get(token)

    def __len__(self) -> int:
        return len(self._grants)

    def clear(self) -> None:
        """Forget every token (a reset)."""
        self._grants.clear()
        self._changed = True

    def checkpoint(self) -> None:
        self._saved = OrderedDict(self._grants)
        self._changed = False

    def rollback(self) -> None:
        if self._changed:
            self._grants = OrderedDict(self._saved)
            self._changed = False
