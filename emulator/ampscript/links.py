"""Links between pages: the URL ``CloudPagesURL(id, name, value, ...)`` gives and its ``qs``.

The ``qs`` value is opaque, as the platform's is (docs/fidelity.md#cloudpagesurl-qs): the
base64url of the URL-encoded pairs followed by an HMAC-SHA256 with a secret made when the
process starts, so a link only this emulator made, unchanged, carries parameters.
:func:`decode_qs` reads it back for every reader of the request's parameters.

The page runner says which pages have ids, and where the request came from, with
:func:`serving` around a page run: the functions read it from a context variable, as one page
request runs on one thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

_SECRET = secrets.token_bytes(32)
_MAC_BYTES = 16
#: A qs longer than this is not read (a page link holds a few parameters, not megabytes).
QS_MAX = 64 * 1024
Pairs = tuple[tuple[str, str], ...]


def encode_qs(pairs: Sequence[tuple[str, str]]) -> str:
    """Return the opaque ``qs`` value that carries ``pairs``."""
    payload = urlencode(list(pairs)).encode("utf-8", "surrogatepass")
    mac = hmac.new(_SECRET, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(payload + mac).decode("ascii").rstrip("=")


def decode_qs(value: str) -> Pairs | None:
    """Return the pairs a ``qs`` value made by :func:`encode_qs` carries, or None.

    None for anything else: not base64url, too long, changed, or made by another process.
    """
    if len(value) > QS_MAX:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) < _MAC_BYTES:
        return None
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    expected = hmac.new(_SECRET, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        return None
    text = payload.decode("utf-8", "replace")
    return tuple(parse_qsl(text, keep_blank_values=True))


def query_pairs(pairs: Pairs) -> Pairs:
    """Return URL ``pairs`` with each valid ``qs`` replaced by the pairs it carries."""
    if not any(name.lower() == "qs" for name, _ in pairs):
        return pairs
    found: list[tuple[str, str]] = []
    for name, value in pairs:
        carried = decode_qs(value) if name.lower() == "qs" else None
        if carried is None:
            found.append((name, value))
        else:
            found.extend(carried)
    return tuple(found)


@dataclass(frozen=True)
class PageLinks:
    """What a page run needs to make links: its request's URL and the page paths by id."""

    url: str
    paths: Callable[[], Mapping[int, str]]

    def link(self, page_id: int, pairs: Sequence[tuple[str, str]]) -> str | None:
        """Return the URL of page ``page_id`` carrying ``pairs``, or None for an unknown id."""
        path = self.paths().get(page_id)
        if path is None:
            return None
        parts = urlsplit(self.url)
        base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        return f"{base}{path}?qs={encode_qs(pairs)}"


_CURRENT: ContextVar[PageLinks | None] = ContextVar("page_links", default=None)


def current() -> PageLinks | None:
    """Return the links of the page run on this thread, or None outside one."""
    return _CURRENT.get()


@contextmanager
def serving(links: PageLinks) -> Iterator[None]:
    """Make ``links`` the current page run's for the ``with`` block."""
    token = _CURRENT.set(links)
    try:
        yield
    finally:
        _CURRENT.reset(token)
