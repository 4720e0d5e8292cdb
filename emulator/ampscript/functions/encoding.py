"""AMPscript encoding, hashing and ids: Base64Encode/Decode, MD5, SHA1, SHA256, SHA512, GUID,
URLEncode (docs/fidelity.md#base64, docs/fidelity.md#hashes, docs/fidelity.md#urlencode).

Text becomes bytes through a charset argument (default UTF-8, RT); names are case-insensitive and
only the names in :data:`CHARSETS` are known: ``UTF8`` (no dash), ``banana`` or ``""`` abort (RT).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.script.clr import clr_text

#: Charset names → Python codecs. RT-tested: UTF-8, UTF-16 (little-endian), UTF-16BE, UTF-32,
#: ASCII, ISO-8859-1; the others are ASSUMED ("ampscript-charsets").
CHARSETS = {
    "utf-8": "utf-8", "utf-16": "utf-16-le", "utf-16be": "utf-16-be", "utf-32": "utf-32-le",
    "ascii": "ascii", "iso-8859-1": "latin-1", "us-ascii": "ascii", "windows-1252": "cp1252",
}
_SINGLE_BYTE = ("ascii", "latin-1", "cp1252")
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le")  # more than a byte for an ASCII character
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BASE64_SPACE = re.compile(r"[ \t\r\n]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
#: What .NET's HttpUtility.UrlEncode changes: all but letters, digits and -_.!*()
_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-_.!*()]")


def charset(value: Any, param: arg.Param) -> str:
    """Return the Python codec of a charset argument."""
    return arg.choice(value, CHARSETS, param)


def encode(text: str, codec: str) -> bytes:
    """Return ``text`` in ``codec`` as .NET encodes it: unmappable characters become ``?``.

    .NET works on UTF-16 units, so an emoji is two ``?`` in ASCII; a lone surrogate is U+FFFD.
    """
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if codec in _SINGLE_BYTE:
        joined = _ASTRAL.sub("??", joined)
        return joined.encode(codec, "replace")
    return joined.encode(codec)


@ampscript_function("Base64Encode", args=(1, 2), tag="RT")
def base64_encode(run: Runtime, value: Any, encoding: Any = "UTF-8") -> str:
    """Return standard, padded Base64 of the text's bytes in ``encoding``."""
    codec = charset(encoding, arg.Param("Base64Encode", "Encoding", 2))
    text = clr_text(value)
    budget = run.ctx.budget
    # docs/fidelity.md#page-budget: the bytes (up to 4 a character), then 4/3 of them as text
    budget.fits(len(text) * (1 if text.isascii() and codec not in _WIDE else 4))
    data = encode(text, codec)
    budget.fits(len(data) * 4 // 3 + 4)
    return base64.b64encode(data).decode("ascii")


@ampscript_function("Base64Decode", args=(1, 3), tag="RT")
def base64_decode(run: Runtime, value: Any, encoding: Any = "UTF-8",
                  abort_on_failure: Any = True) -> str:
    """Decode strict Base64 (padding required, RT) and read the bytes in ``encoding``.

    The third argument is accepted and has no effect on a CloudPage (RT); whitespace inside
    the text is skipped, as .NET's Convert.FromBase64String does (ASSUMED "base64-whitespace").
    """
    codec = charset(encoding, arg.Param("Base64Decode", "Encoding", 2))
    text = _BASE64_SPACE.sub("", clr_text(value))
    if len(text) % 4 or not _BASE64.fullmatch(text):
        raise arg.Param("Base64Decode", "String", 1).error(value)  # RT: malformed input aborts
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise arg.Param("Base64Decode", "String", 1).error(value) from None
    return data.decode(codec, "replace")


def _hash(name: str, digest: Callable[..., Any]) -> None:
    def implementation(run: Runtime, value: Any, encoding: Any = "UTF-8") -> str:
        codec = charset(encoding, arg.Param(name, "Charset", 2))
        return digest(encode(clr_text(value), codec)).hexdigest()

    implementation.__doc__ = f"Return the lower-case hex {name} digest of the text's bytes."
    ampscript_function(name, args=(1, 2), tag="RT")(implementation)


_hash("MD5", hashlib.md5)
_hash("SHA1", hashlib.sha1)
_hash("SHA256", hashlib.sha256)
_hash("SHA512", hashlib.sha512)


@ampscript_function("GUID", args=0, tag="RT")
def guid(run: Runtime) -> str:
    """Return a new lower-case GUID from the page's clock/ID provider (frozen in tests)."""
    return run.ctx.clock.new_guid().lower()


@ampscript_function("URLEncode", args=(1, 3), tag="RT; URL test ASSUMED")
def url_encode(run: Runtime, value: Any, all_chars: Any = False, all_strings: Any = False) -> str:
    """Encode the query of a URL: spaces only by default, every reserved character on request.

    RT: only the part after ``?`` of a URL changes; text that is no URL is left alone unless
    ``encodeAllStrings``; ``encodeAllChars`` writes lower-case hex and ``+`` for a space.
    ASSUMED "urlencode-url": a URL is text that starts with a scheme (``https://``).
    """
    text = clr_text(value)
    if _URL.match(text):
        head, mark, query = text.partition("?")
        if not mark:
            return text
        head += mark
    elif arg.flag(all_strings):
        head, query = "", text
    else:
        return text
    # docs/fidelity.md#page-budget: a character becomes up to 3 (%20), or 12 (%f0%9f%98%80)
    run.ctx.budget.fits(len(text) * (3 if text.isascii() else 12))
    if not arg.flag(all_chars):
        return head + query.replace(" ", "%20")
    step = run.ctx.budget.pacer()

    def encode_char(match: re.Match[str]) -> str:
        step()
        return _encode_char(match)

    return head + _URL_UNSAFE.sub(encode_char, query)


def _encode_char(match: re.Match[str]) -> str:
    char = match.group()
    if char == " ":
        return "+"
    return "".join(f"%{byte:02x}" for byte in encode(char, "utf-8"))
