"""``Write`` and ``Platform.Response``: the page's response buffer, headers and redirects.

``Write(s)`` appends with no separator; non-strings in their CLR text; ``null``/``undefined``
write nothing (docs/fidelity.md#write-appends). Platform.Response (docs/fidelity.md#redirect and the
rules around it): ContentType/CharacterSet assignable, unreadable (RT); SetResponseHeader
returns null (OFF, RT); Redirect answers 302/301 and stops the page (RT); SetCookie takes only
Expires and Secure (OFF, 3P); no status setter (3P).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator import assumptions
from emulator.ampscript.dates import parse_date
from emulator.platform import headers
from emulator.platform.calls import arity, padded
from emulator.platform.context import PageContext
from emulator.platform.redirect import PageRedirect
from emulator.script.clr import clr_text
from emulator.script.errors import FeatureNotEmulated, PlatformError
from emulator.script.js import is_nullish, is_number
from emulator.script.undefined import UNDEFINED

__all__ = ["PageRedirect", "PlatformResponse", "Writer"]

#: Reading ContentType or CharacterSet throws this (docs/fidelity.md#response-content-type).
WRITE_ONLY = "Object reference not set to an instance of an object."
NOT_EMULATED = "Platform.Response.{name} is not emulated by mc-emulator."


class Writer:
    """The global ``Write`` function, available after ``Platform.Load``."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def __call__(self, value: Any = UNDEFINED, *ignored: Any) -> Any:
        # Extra arguments are ignored, zero arguments write nothing
        # (docs/fidelity.md#write-appends).
        self._context.write(clr_text(value))
        return UNDEFINED


class PlatformResponse:
    """``Platform.Response``: the body, the headers, cookies and redirects of the page."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Write(self, value: Any = UNDEFINED, *ignored: Any) -> None:
        self._context.write(clr_text(value))
        return None

    @property
    def ContentType(self) -> Any:
        raise PlatformError(WRITE_ONLY)

    @ContentType.setter
    def ContentType(self, value: Any) -> None:
        self._set_content_type(clr_text(value))

    @property
    def CharacterSet(self) -> Any:
        raise PlatformError(WRITE_ONLY)

    @CharacterSet.setter
    def CharacterSet(self, value: Any) -> None:
        name = headers.header_value(clr_text(value).strip(), "charset")
        headers.charset_codec(name)  # an unknown charset throws now, not at the end
        self._context.charset = name

    def SetResponseHeader(self, *args: Any) -> None:
        arity(args, 2, 2)
        name = headers.header_name(clr_text(args[0]))
        value = headers.header_value(clr_text(args[1]))
        if name.lower() == "content-type":
            self._set_content_type(value)  # one Content-Type, whichever way it is set
        else:
            self._context.set_header(name, value)
        return None  # RT: returns null

    def Redirect(self, *args: Any) -> None:
        arity(args, 1, 2)
        url, permanent = padded(args, 2, False)
        location = headers.redirect_location("" if is_nullish(url) else clr_text(url))
        raise PageRedirect(location, 301 if _is_true(permanent) else 302)

    def SetCookie(self, *args: Any) -> None:
        arity(args, 2, 4)
        name, value, expires, https_only = padded(args, 4, UNDEFINED)
        today = self._context.clock.now_cst().replace(tzinfo=None)
        header = headers.set_cookie(clr_text(name), clr_text(value), _expiry(expires, today),
                                    _is_true(https_only))
        self._context.set_header("Set-Cookie", header)
        return None  # OFF: returns null

    def RemoveCookie(self, *args: Any) -> None:
        raise FeatureNotEmulated(NOT_EMULATED.format(name="RemoveCookie"))

    def RemoveResponseHeader(self, *args: Any) -> None:
        raise FeatureNotEmulated(NOT_EMULATED.format(name="RemoveResponseHeader"))

    def _set_content_type(self, text: str) -> None:
        media, _, parameters = headers.header_value(text.strip(), "content type").partition(";")
        if not media.strip():
            raise PlatformError(assumptions.RESPONSE_BAD_HEADER.format(
                what="Content-Type", reason="the content type is empty"))
        for parameter in parameters.split(";"):
            key, _, charset = parameter.partition("=")
            if key.strip().lower() == "charset" and charset.strip():
                self.CharacterSet = charset.strip().strip('"')
        self._context.content_type = media.strip()


def _is_true(value: Any) -> bool:
    """Return a boolean argument: ``true``, a non-zero number or the text ``"true"``."""
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    return isinstance(value, str) and value.strip().lower() == "true"


def _expiry(value: Any, today: datetime) -> datetime | None:
    """Return a cookie's expiry: null for a session cookie, a date, or date text (CST)."""
    if is_nullish(value):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value, today)
        except (ValueError, OverflowError):
            pass
    raise PlatformError(assumptions.RESPONSE_BAD_COOKIE.format(
        what=f"expiry {clr_text(value)[:100]!r}", reason='give a date such as "5/1/2019 12:12:06"'))
