"""``Platform.Request``: the incoming HTTP request as an SSJS page sees it.

The web layer copies each request into a :class:`RequestSnapshot` of plain values; a page reads it
through :class:`PlatformRequest`, whose members carry the SSJS names and follow the Platform.Request
rules of docs/fidelity.md.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from emulator import assumptions
from emulator.platform import browser
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.js import is_nullish, is_number
from emulator.script.undefined import UNDEFINED

Pairs = tuple[tuple[str, str], ...]

UNKNOWN_ENCODING = assumptions.GETPOSTDATA_UNKNOWN_ENCODING
UNKNOWN_CODE_PAGE = ("{number} is not a supported code page number; give 0 (the default, "
                     "Windows-1252), a .NET code page such as 65001 (UTF-8) or 1252, or an "
                     "encoding name such as 'utf-8'.")


def _windows_1252_table() -> str:
    # docs/fidelity.md#cp1252-undefined-bytes: the five bytes Windows-1252 leaves undefined
    # decode to the C1 control of the same number, as Windows and WHATWG do; Python's codec raises.
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_WINDOWS_1252 = _windows_1252_table()


def decode_windows_1252(body: bytes) -> str:
    """Decode ``body`` as Windows-1252, every byte to one character."""
    return codecs.charmap_decode(body, "strict", _WINDOWS_1252)[0]


def _as_pairs(items: Iterable[tuple[str, str]] | Mapping[str, str]) -> Pairs:
    if isinstance(items, Mapping):
        items = items.items()
    return tuple((str(name), str(value)) for name, value in items)


@dataclass(frozen=True)
class RequestSnapshot:
    """The plain values of one HTTP request, filled in by the web layer."""

    method: str
    url: str
    query_string: str
    headers: Pairs
    body: bytes
    client_ip: str
    is_ssl: bool
    form: Pairs = ()

    @classmethod
    def build(cls, method: str, url: str,
              headers: Iterable[tuple[str, str]] | Mapping[str, str] = (),
              body: bytes = b"", client_ip: str = "127.0.0.1",
              form: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> RequestSnapshot:
        """Return a snapshot with query string and SSL flag taken from ``url``, verb upper-cased."""
        parts = urlsplit(url)
        return cls(method=method.upper(), url=url, query_string=parts.query,
                   headers=_as_pairs(headers), body=body, client_ip=client_ip,
                   is_ssl=parts.scheme.lower() == "https", form=_as_pairs(form))


def parse_query(query_string: str) -> Pairs:
    """Split a raw query string into decoded (name, value) pairs, in order."""
    pairs = []
    for piece in query_string.split("&"):
        if not piece:
            continue
        # ASSUMED (ASP.NET's rule): a piece without "=" has no name, so no name finds it.
        name, has_value, value = piece.partition("=")
        if not has_value:
            continue
        # docs/fidelity.md#request-lookups: "+" and %20 are spaces, escapes decoded once, as UTF-8.
        pairs.append((unquote_plus(name, errors="replace"), unquote_plus(value, errors="replace")))
    return tuple(pairs)


def parse_cookies(headers: Iterable[str]) -> Pairs:
    """Split Cookie header values (``a=1; b="2"``) into (name, value) pairs, in order."""
    pairs = []
    for header in headers:
        for piece in header.split(";"):
            name, _, value = piece.strip().partition("=")
            name, value = name.strip(), value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            if name or value:
                pairs.append((name, value))
    return tuple(pairs)


def lookup(pairs: Pairs, name: Any) -> str | None:
    """Return the values of ``name`` joined with "," (names case-insensitive), or None."""
    if is_nullish(name):
        return None  # a null or undefined name finds nothing (docs/fidelity.md#request-lookups)
    wanted = (name if isinstance(name, str) else clr_text(name)).casefold()
    values = [value for key, value in pairs if key.casefold() == wanted]
    return ",".join(values) if values else None


class PlatformRequest:
    """The ``Platform.Request`` object of one page execution."""

    def __init__(self, snapshot: RequestSnapshot) -> None:
        self._snapshot = snapshot
        self._query = parse_query(snapshot.query_string)
        self._post_data_read = False
        self._browser: browser.Browser | None = None
        self._headers: dict[str, str] | None = None  # by case-folded name, built on first read

    # --- properties ----------------------------------------------------------------------------
    @property
    def Method(self) -> str:
        """Return the HTTP verb."""
        return self._snapshot.method

    @property
    def ClientIP(self) -> str:
        """Return the client's IP address."""
        return self._snapshot.client_ip

    @property
    def QueryString(self) -> str:
        """Return the raw query string with its leading ``?``, or ``""`` when there is none."""
        query = self._snapshot.query_string
        return f"?{query}" if query else ""

    @property
    def RequestURL(self) -> str:
        """Return the full request URL, query included."""
        return self._snapshot.url

    @property
    def HasSSL(self) -> bool:
        """Return whether the request came over HTTPS (false behind plain HTTP)."""
        return self._snapshot.is_ssl

    @property
    def IsSSL(self) -> bool:
        """Return whether the request came over HTTPS."""
        return self._snapshot.is_ssl

    @property
    def ReferrerURL(self) -> str | None:
        """Return the Referer header, or None when absent (official docs)."""
        return self.GetRequestHeader("Referer")

    @property
    def UserAgent(self) -> str | None:
        """Return the User-Agent header, or None when absent (official docs)."""
        return self.GetRequestHeader("User-Agent")

    @property
    def Browser(self) -> browser.Browser:
        """Return the browser description parsed from the User-Agent."""
        if self._browser is None:
            self._browser = browser.parse_user_agent(self.UserAgent)
        return self._browser

    # --- methods -------------------------------------------------------------------------------
    def GetPostData(self, encoding: Any = None) -> str:
        """Return the body, decoded as Windows-1252 unless ``encoding`` names another charset.

        A number is a .NET code page, 0 the default (docs/fidelity.md#getpostdata-code-page).

        docs/fidelity.md#getpostdata-once: only the first call returns the body; later calls, and a
        GET, give "".
        """
        if self._snapshot.method.upper() == "GET" or self._post_data_read:
            return ""
        decode = _decoder(encoding)
        self._post_data_read = True
        return decode(self._snapshot.body)

    def GetQueryStringParameter(self, name: Any) -> str | None:
        """Return the decoded query parameter ``name``, or None when absent."""
        return lookup(self._query, name)

    def GetFormField(self, name: Any) -> str | None:
        """Return the posted form field ``name`` (never a query parameter), or None."""
        return lookup(self._snapshot.form, name)

    def GetRequestHeader(self, name: Any) -> str | None:
        """Return the request header ``name``, or None when absent.

        Repeated headers are joined with "," and names compare case-insensitively, as
        :func:`lookup` does; a page reads several headers, so they are indexed once.
        """
        if is_nullish(name):
            return None  # a null or undefined name finds nothing (docs/fidelity.md#request-lookups)
        if self._headers is None:
            grouped: dict[str, list[str]] = {}
            for key, value in self._snapshot.headers:
                grouped.setdefault(key.casefold(), []).append(value)
            self._headers = {key: ",".join(values) for key, values in grouped.items()}
        return self._headers.get((name if isinstance(name, str) else clr_text(name)).casefold())

    def GetCookieValue(self, name: Any) -> str | None:
        """Return the value of the cookie ``name``, or None when absent."""
        cookie_headers = [value for key, value in self._snapshot.headers
                          if key.lower() == "cookie"]
        return lookup(parse_cookies(cookie_headers), name)

    # --- JavaScript access ----------------------------------------------------------------------
    def js_get(self, name: str) -> Any:
        """Return the member ``name`` as a page script reads it, or ``undefined``."""
        if name in _MEMBERS:
            return getattr(self, name)
        return UNDEFINED

    def __repr__(self) -> str:
        return f"<Platform.Request {self._snapshot.method} {self._snapshot.url}>"


_MEMBERS = frozenset({
    "Method", "ClientIP", "QueryString", "RequestURL", "HasSSL", "IsSSL", "ReferrerURL",
    "UserAgent", "Browser", "GetPostData", "GetQueryStringParameter", "GetFormField",
    "GetRequestHeader", "GetCookieValue",
})


def _decoder(encoding: Any) -> Callable[[bytes], str]:
    """Return the function that decodes a body in ``encoding`` (Windows-1252 by default)."""
    if is_nullish(encoding):
        return decode_windows_1252
    if is_number(encoding):
        return _code_page_decoder(encoding)
    name = (encoding if isinstance(encoding, str) else clr_text(encoding)).strip()
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise PlatformError(UNKNOWN_ENCODING.format(name=name)) from None
    if codec.name == "cp1252":
        return decode_windows_1252
    try:
        # One byte, because decoding b"" skips the check that refuses base64, zlib and the like:
        # codecs to Python, not charsets to .NET (idna, which cannot replace, goes the same way).
        b"a".decode(codec.name, errors="replace")
    except (LookupError, UnicodeError):
        raise PlatformError(UNKNOWN_ENCODING.format(name=name)) from None
    return lambda body: body.decode(codec.name, errors="replace")


#: .NET code pages whose Python codec is not ``cp<number>``.
_CODE_PAGES = {0: "cp1252", 1200: "utf-16-le", 1201: "utf-16-be", 12000: "utf-32-le",
               12001: "utf-32-be", 20127: "ascii", 65000: "utf-7", 65001: "utf-8",
               **{28590 + n: f"iso8859-{n}" for n in range(1, 10)}, 28605: "iso8859-15"}


def _code_page_decoder(number: Any) -> Callable[[bytes], str]:
    """Return the decoder of .NET code page ``number`` (0: the default, Windows-1252)."""
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= 65535:
        raise PlatformError(UNKNOWN_CODE_PAGE.format(number=clr_text(number)))
    page = int(number) or assumptions.GETPOSTDATA_DEFAULT_CODE_PAGE
    name = _CODE_PAGES.get(page, f"cp{page}")
    try:
        codec = codecs.lookup(name).name
        b"a".decode(codec, errors="replace")
    except (LookupError, UnicodeError):
        raise PlatformError(UNKNOWN_CODE_PAGE.format(number=clr_text(number))) from None
    if codec == "cp1252":
        return decode_windows_1252
    return lambda body: body.decode(codec, errors="replace")
