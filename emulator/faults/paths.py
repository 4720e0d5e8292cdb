"""Which paths a fault may cover: those a page serves now, and the REST API's routes.

A REST path is a request path (``/hub/v1/dataevents/key:Orders/rowset``) or a route's form with
``{name}`` parts, each standing for any text without a slash
(``/hub/v1/dataevents/key:{key}/rowset``); ``/v2/token`` covers every path ending in it, as the
token route does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from emulator.rest.paths import TOKEN_SUFFIX, reserved

SOAP_PATH = "/Service.asmx"
SHOWN_PATHS = 20
_PART = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BRACES = re.compile(r"[{}]")


def is_rest_path(path: str) -> bool:
    """Say whether ``path`` is under the REST API's paths (docs/fidelity.md#rest-reserved)."""
    return reserved(path)


def path_pattern(path: str) -> re.Pattern[str] | None:
    """Return the pattern a fault's REST ``path`` matches request paths with (None: exactly)."""
    if path == TOKEN_SUFFIX:
        return re.compile(r"(?s).*" + re.escape(TOKEN_SUFFIX))
    if "{" not in path:
        return None
    pieces = _PART.split(path)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(piece) if index % 2 == 0 else "[^/]+"
                              for index, piece in enumerate(pieces)))


def page_path_check(mounts: Callable[[], Mapping[str, Any]]) -> Callable[[str], str | None]:
    """Return a check that says why neither a page nor a REST route serves a path
    (``mounts()``: path -> page now)."""

    def check(path: str) -> str | None:
        if is_rest_path(path):
            return _rest_problem(path)
        served = mounts()
        if path in served:
            return None
        listed = sorted(served)
        shown = ", ".join(listed[:SHOWN_PATHS]) + (" ..." if len(listed) > SHOWN_PATHS else "")
        return (f"no page is served at {path!r}, so a fault there would never fire; pages are "
                f"served at: {shown or 'nothing'}")

    return check


def _rest_problem(path: str) -> str | None:
    if path.lower() == SOAP_PATH.lower():
        return (f"path {path!r} is the SOAP API, which the emulator does not emulate; fault a "
                "REST route instead, e.g. '/data/v1/customobjectdata/key/{key}/rowset'")
    if _BRACES.search(_PART.sub("", path)):
        return (f"path {path!r}: a REST route's variable part is written {{name}} (letters, "
                "digits and _), e.g. '/hub/v1/dataevents/key:{key}/rowset'")
    return None


def package_check(packages: Callable[[], Sequence[Mapping[str, Any]]]
                  ) -> Callable[[str], str | None]:
    """Return a check that says why no installed package has a client id
    (``packages()``: the package records now)."""

    def check(client_id: str) -> str | None:
        known = sorted(str(record.get("client_id")) for record in packages())
        if client_id in known:
            return None
        shown = ", ".join(known[:SHOWN_PATHS]) + (" ..." if len(known) > SHOWN_PATHS else "")
        return (f"package={client_id!r}: no installed package has this client id, so the fault "
                f"would never fire; the client ids are: {shown or 'none'}")

    return check
