"""CloudPage programs: Python ports of SSJS pages, each with its SSJS source beside it.

:data:`PAGES` is the registry the web layer mounts from; :data:`BUILTIN_MOUNTS` are mounted
whatever fixtures or options are given (docs/design.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from emulator.errors import ConfigError
from emulator.platform.globals import PageGlobals

JSON_CODE_RESOURCE = "application/json"
LANDING_PAGE = "text/html"


@dataclass(frozen=True)
class Page:
    """A CloudPage program and how it is served."""

    name: str
    run: Callable[[PageGlobals], None]
    content_type: str
    source: str
    description: str

    def source_text(self) -> str:
        """Return the page's SSJS source, shipped inside the package."""
        return resources.files("emulator.pages").joinpath("sources", self.source).read_text(
            encoding="utf-8")


def _registry() -> dict[str, Page]:
    from emulator.pages.api import api_page
    from emulator.pages.hardened import hardened_page
    from emulator.pages.token import token_page

    return {
        "token": Page("token", token_page, JSON_CODE_RESOURCE, "token.ssjs",
                      "the seed article's JWT token page, flaws included"),
        "api": Page("api", api_page, JSON_CODE_RESOURCE, "api.ssjs",
                    "a protected page: verifies the Bearer token by recomputing its signature"),
        "hardened": Page("hardened", hardened_page, JSON_CODE_RESOURCE, "hardened.ssjs",
                         "the token page with its flaws fixed: errors, claims, expiry"),
    }


def pages() -> dict[str, Page]:
    """Return every page program by name (``get_page`` looks pages up here: tests add theirs)."""
    return _registry()


BUILTIN_MOUNTS: dict[str, str] = {"/token": "token", "/api": "api",
                                   "/token/hardened": "hardened"}


def get_page(name: str) -> Page:
    """Return the page called ``name``, or raise a ConfigError listing the pages there are."""
    registry = pages()
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise ConfigError(f"no page called {name!r}; pages: {known}") from None
