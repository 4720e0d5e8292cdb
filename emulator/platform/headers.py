"""Response headers, cookies and the body charset a page sets through ``Platform.Response``.

Everything a page puts in a header is checked here, so no page can split a response with CR/LF
or send what the HTTP server cannot encode; a refusal is a catchable PlatformError (ASSUMED
"response-headers", "cookie-format"). Every check is one linear regex search.
"""

from __future__ import annotations

import codecs
import functools
import re
from datetime import datetime, timezone
from urllib.parse import quote

from emulator import assumptions
from emulator.clock import CST
from emulator.script.clr import utf8
from emulator.script.errors import PlatformError

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field name
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
_COOKIE_NAME_BAD = re.compile(r"[\x00-\x20\x7f;,=]")
_COOKIE_VALUE_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f;]")
_URL_ESCAPE = re.compile(r"[^\x21-\x7e]")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def header_name(name: str) -> str:
    """Return ``name`` if it is an HTTP field name; raise a PlatformError otherwise."""
    if not _TOKEN.fullmatch(name):
        raise PlatformError(assumptions.RESPONSE_BAD_HEADER.format(
            what=f"name {name[:100]!r}", reason="a name is letters, digits and !#$%&'*+-.^_`|~"))
    return name


def header_value(value: str, what: str = "value") -> str:
    """Return ``value`` if it holds no control character (CR/LF) and fits Latin-1."""
    if _CONTROL.search(value):
        raise PlatformError(assumptions.RESPONSE_BAD_HEADER.format(
            what=what, reason="control characters (CR, LF...) are not allowed"))
    if _BEYOND_LATIN1.search(value):
        raise PlatformError(assumptions.RESPONSE_BAD_HEADER.format(
            what=what, reason="characters beyond U+00FF cannot be sent in a header"))
    return value


def redirect_location(url: str) -> str:
    """Return ``url`` for a Location header: checked, spaces and non-ASCII percent-encoded."""
    if not url:
        raise PlatformError(assumptions.RESPONSE_BAD_HEADER.format(
            what="Location", reason="the redirect URL is empty"))
    if _CONTROL.search(url):
        raise PlatformError(assumptions.RESPONSE_BAD_HEADER.format(
            what="Location", reason="control characters (CR, LF...) are not allowed"))
    return _URL_ESCAPE.sub(lambda char: quote(char.group(), safe=""), url)


def set_cookie(name: str, value: str, expires: datetime | None, secure: bool) -> str:
    """Return the Set-Cookie value: ``name=value; expires=...; path=/; secure``.

    docs/fidelity.md#set-cookie: only Expires and Secure can be given; a CST time is sent as GMT.
    ``path=/`` is what ASP.NET's HttpCookie always writes (ASSUMED "cookie-format").
    """
    if not name or _COOKIE_NAME_BAD.search(name) or _BEYOND_LATIN1.search(name):
        raise PlatformError(assumptions.RESPONSE_BAD_COOKIE.format(
            what=f"name {name[:100]!r}", reason="no whitespace, control characters, ; , or ="))
    if _COOKIE_VALUE_BAD.search(value) or _BEYOND_LATIN1.search(value):
        raise PlatformError(assumptions.RESPONSE_BAD_COOKIE.format(
            what="value", reason="no control characters or ;, and nothing beyond U+00FF"))
    parts = [f"{name}={value}"]
    if expires is not None:
        parts.append(f"expires={cookie_date(expires)}")
    parts.append("path=/")
    if secure:
        parts.append("secure")
    return "; ".join(parts)


def cookie_date(moment: datetime) -> str:
    """Return ``moment`` (naive: CST) in GMT as ``Wed, 01-May-2019 18:12:06 GMT``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CST)
    gmt = moment.astimezone(timezone.utc)
    # Names by hand: strftime's %a/%b follow the process locale.
    # ASP.NET's HttpCookie date form, with dashes.
    return (f"{_WEEKDAYS[gmt.weekday()]}, {gmt.day:02d}-{_MONTHS[gmt.month - 1]}-{gmt.year} "
            f"{gmt:%H:%M:%S} GMT")


#: Codecs Python knows that are no charsets a page could send (they cannot replace characters).
_NOT_CHARSETS = ("idna", "punycode")
#: .NET writes UTF-16/UTF-32 little-endian and without a byte order mark.
_NO_BOM = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}


@functools.lru_cache(maxsize=64)  # every response asks; an unknown name raises, so is not kept
def charset_codec(name: str) -> str:
    """Return the Python codec of a charset name; raise a PlatformError for an unknown one."""
    try:
        codec = codecs.lookup(name.strip()).name
        "a".encode(codec, "replace")  # refuses the codecs that are not charsets (rot13, base64)
    except (LookupError, UnicodeError, TypeError):
        codec = _NOT_CHARSETS[0]
    if codec in _NOT_CHARSETS:
        raise PlatformError(assumptions.RESPONSE_UNKNOWN_CHARSET.format(name=name[:100]))
    return _NO_BOM.get(codec, codec)


def encode_body(text: str, charset: str) -> bytes:
    """Return the body in ``charset``; a missing character is ``?`` (ASSUMED "response-charset")."""
    codec = charset_codec(charset)
    if codec == "utf-8":
        return utf8(text)
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined.encode(codec, "replace")
