"""Which paths a fault may cover: those a page serves now; the REST prefixes are reserved."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: The platform's REST routes, which the REST layer will serve on the same port.
REST_PREFIXES = ("/v1/requestToken", "/data/", "/hub/", "/messaging/", "/Service.asmx")
REST_SUFFIXES = ("/v2/token",)
SHOWN_PATHS = 20


def page_path_check(mounts: Callable[[], Mapping[str, Any]]) -> Callable[[str], str | None]:
    """Return a check that says why no page serves a path (``mounts()``: path -> page now)."""

    def check(path: str) -> str | None:
        if path.startswith(REST_PREFIXES) or path.endswith(REST_SUFFIXES):
            return (f"path {path!r} belongs to the platform's REST API, which the emulator does "
                    "not serve yet; fault a page's path instead")
        served = mounts()
        if path in served:
            return None
        listed = sorted(served)
        shown = ", ".join(listed[:SHOWN_PATHS]) + (" ..." if len(listed) > SHOWN_PATHS else "")
        return (f"no page is served at {path!r}, so a fault there would never fire; pages are "
                f"served at: {shown or 'nothing'}")

    return check
