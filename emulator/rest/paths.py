"""The paths the REST layer owns (docs/fidelity.md#rest-reserved): no page may be served there."""

from __future__ import annotations

#: Paths under these prefixes are the REST API's; ``/v1/requestToken`` and ``/Service.asmx``
#: are single paths; any path ending in ``/v2/token`` is the token route.
RESERVED_PREFIXES = ("/data/", "/hub/", "/messaging/")
RESERVED_PATHS = ("/v1/requestToken", "/Service.asmx")
TOKEN_SUFFIX = "/v2/token"


def reserved(path: str) -> bool:
    """Say whether ``path`` belongs to the REST layer (case-insensitive, like the platform's)."""
    lowered = path.lower()
    return (lowered.endswith(TOKEN_SUFFIX.lower())
            or lowered in (p.lower() for p in RESERVED_PATHS)
            or any(lowered.startswith(p) or lowered == p[:-1] for p in RESERVED_PREFIXES))


def refusal(path: str, what: str) -> str:
    """Return the start-up message refusing ``what`` (a page, a mount) at a reserved ``path``."""
    return (f"{what} {path} is under the platform's REST paths (/data/, /hub/, /messaging/, "
            "/v1/requestToken, /Service.asmx or a path ending in /v2/token), which the emulator's "
            "REST API serves; choose another path")
