"""Which URLs a mock answers: the pages it was given, and every Marketing Cloud-looking host.

Pure URL logic (no Flask, no ``requests``), so the pytest plugin can turn a ``pages`` argument
into mounts without importing anything heavy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from emulator.config import Mount
from emulator.errors import ConfigError

#: Hosts under these domains belong to Marketing Cloud: an unserved URL there is "not emulated",
#: never sent to the real network.
MARKETING_CLOUD_DOMAINS = ("marketingcloudapis.com", "sfmc-content.com", "exacttargetapis.com",
                           "exacttarget.com")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: The host a mock serves when it is given no ``pages``.
DEFAULT_HOST = "https://mcemu.pub.sfmc-content.com"

Pages = str | Mapping[str, str] | None


def normalise_host(host: str) -> str:
    """Return ``host`` as ``requests`` sends it: lower case, IDNA-encoded."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def is_marketing_cloud_host(host: str) -> bool:
    """Return whether ``host`` lies under one of :data:`MARKETING_CLOUD_DOMAINS`."""
    return any(host == domain or host.endswith("." + domain)
               for domain in MARKETING_CLOUD_DOMAINS)


@dataclass(frozen=True)
class Target:
    """A request URL, split the way routing needs it."""

    scheme: str
    host: str
    port: int  # always given: the scheme's default when the URL names none
    path: str  # decoded, as the server's PATH_INFO
    raw_path: str
    query: str

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        return cls(scheme, normalise_host(parts.hostname or ""), port,
                   unquote(parts.path) or "/", parts.path or "/", parts.query)

    @property
    def base_url(self) -> str:
        """Return scheme and host, with the port only when it is not the scheme's default."""
        shown = f"[{self.host}]" if ":" in self.host else self.host
        if DEFAULT_PORTS.get(self.scheme) != self.port:
            shown += f":{self.port}"
        return f"{self.scheme}://{shown}"

    @property
    def url(self) -> str:
        return self.base_url + self.raw_path + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class Origin:
    """Where a client sends its requests: a host, with a scheme and port when they were given."""

    scheme: str | None  # None: http and https alike
    host: str
    port: int | None  # None: the default port of the request's scheme

    def accepts(self, target: Target) -> bool:
        if self.scheme is not None and self.scheme != target.scheme:
            return False
        port = self.port if self.port is not None else DEFAULT_PORTS.get(target.scheme)
        return self.host == target.host and port == target.port

    def url(self, path: str) -> str:
        """Return the URL of ``path`` here (https when the origin names no scheme)."""
        scheme = self.scheme or "https"
        port = self.port if self.port is not None else DEFAULT_PORTS[scheme]
        return Target(scheme, self.host, port, path, path, "").url


@dataclass(frozen=True)
class Route:
    """A page at a URL, or (``path`` None) every mounted page of a host, each at its path."""

    origin: Origin
    path: str | None
    page: str | None


def _parse_origin(text: str, what: str) -> tuple[Origin, str]:
    """Split a URL, or a host given alone, into its origin and path."""
    given = text.strip()
    parts = urlsplit(given if "://" in given else "//" + given)
    scheme = parts.scheme.lower() or None
    if scheme is not None and scheme not in DEFAULT_PORTS:
        raise ConfigError(f"{what} {text!r}: the scheme must be http or https")
    if not parts.hostname:
        raise ConfigError(f"{what} {text!r}: expected a URL such as "
                          "https://cloud.example.com/jwt-issuer, or a host")
    if parts.query or parts.fragment:
        raise ConfigError(f"{what} {text!r}: a page URL has no query string or fragment")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{what} {text!r}: the port is not a number from 0 to 65535") from None
    if scheme is not None and port == DEFAULT_PORTS[scheme]:
        port = None  # https://host:443 is https://host
    return Origin(scheme, normalise_host(parts.hostname), port), parts.path


class Routes:
    """The URLs one mock answers, parsed from its ``pages`` argument."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)

    @classmethod
    def from_pages(cls, pages: Pages) -> Routes:
        """Parse a host given alone (every mounted page, by path) or a mapping of URL -> page."""
        if pages is None:
            pages = DEFAULT_HOST
        if isinstance(pages, str):
            origin, path = _parse_origin(pages, "pages")
            if path not in ("", "/"):
                raise ConfigError(
                    f"pages {pages!r}: a host given alone serves every mounted page by its path; "
                    f"to serve a page at {path}, give a mapping such as {{{pages!r}: 'token'}}")
            return cls([Route(origin, None, None)])
        if not isinstance(pages, Mapping):
            raise ConfigError(f"pages: expected a host or a mapping of URL -> page name, "
                              f"not {type(pages).__name__}")
        routes: dict[tuple[Origin, str], Route] = {}
        by_path: dict[str, tuple[str, str]] = {}
        for url, page in pages.items():
            if not isinstance(url, str) or not isinstance(page, str):
                raise ConfigError(f"pages: expected URL -> page name strings, got {url!r}: "
                                  f"{page!r}")
            origin, path = _parse_origin(url, "pages")
            mount = Mount.parse(f"{unquote(path) or '/'}={page}")
            earlier = by_path.setdefault(mount.path, (url, page))
            if earlier[1] != page:
                raise ConfigError(f"pages: {earlier[0]!r} serves {earlier[1]!r} and {url!r} "
                                  f"serves {page!r} at the same path; one mock serves one page "
                                  "per path")
            routes[(origin, mount.path)] = Route(origin, mount.path, page)
        return cls(routes.values())

    def mounts(self) -> list[str]:
        """Return the ``PATH=PAGE`` mounts an app needs to serve these routes."""
        return sorted({f"{r.path}={r.page}" for r in self.routes if r.path is not None})

    def resolve(self, target: Target, mounted: Iterable[str]) -> str | None:
        """Return the app path that serves ``target``, or None."""
        mounted = set(mounted)
        for route in self.routes:
            if route.origin.accepts(target) and target.path == (route.path or target.path) \
                    and target.path in mounted:
                return target.path
        return None

    def claims(self, target: Target) -> bool:
        """Return whether ``target`` is on a Marketing Cloud host or on a host given in pages."""
        return is_marketing_cloud_host(target.host) or any(
            route.origin.host == target.host for route in self.routes)

    def urls(self, mounted: Iterable[str]) -> list[str]:
        """Return every URL these routes serve, given the app's mounted paths."""
        mounted = list(mounted)
        found: list[str] = []
        for route in self.routes:
            paths = mounted if route.path is None else [route.path]
            found.extend(route.origin.url(path) for path in paths)
        return found

    def url_for(self, path: str, mounted: Iterable[str]) -> str:
        """Return the full URL at which these routes serve ``path`` (a query may follow)."""
        bare, sep, query = path.partition("?")
        mounted = list(mounted)
        for route in self.routes:
            if bare == route.path or (route.path is None and bare in mounted):
                return route.origin.url(bare) + sep + query
        raise LookupError(f"no page is served at {bare}; served: "
                          + (", ".join(self.urls(mounted)) or "nothing"))
