"""What a stub may say: each field's rule, checked before a stub is kept.

One check for every way a stub arrives (``mc.outbound.add``, ``POST /_emulator/outbound``,
``outbound/*.json``), so each refuses the same things with the same words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from emulator.errors import EmulatorError

#: The fields of a stub, in the order of ``StubRegistry.add``.
FIELDS = ("id", "method", "url", "url_pattern", "headers", "body_contains", "body_pattern",
          "status", "response_headers", "body", "delay", "drop", "times", "every", "share")
METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_DELAY = 300.0  # seconds, as a fault's
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")


class StubRefused(EmulatorError, ValueError):
    """A stub that cannot be kept: the message names the field, the value and what is accepted."""

    code = "stub_refused"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_stub(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return the stub's fields, each checked (patterns compiled into ``*_regex`` keys).

    Raise StubRefused for the first field that breaks its rule.
    """
    unknown = [name for name in fields if name not in FIELDS]
    if unknown:
        raise StubRefused(f"a stub has no field {unknown[0]!r}; its fields are "
                          f"{', '.join(FIELDS)}", unknown[0])
    value = {name: fields.get(name) for name in FIELDS}
    value["id"] = _id(value["id"])
    value["method"] = _method(value["method"])
    value["url"], value["url_pattern"] = _target(value["url"], value["url_pattern"])
    value["headers"] = _headers("headers", value["headers"])
    value["body_contains"] = _text("body_contains", value["body_contains"])
    _pattern("body_pattern", value["body_pattern"])
    value["status"] = _status(value["status"])
    value["response_headers"] = _headers("response_headers", value["response_headers"])
    value["body"] = _body(value["body"])
    value["delay"] = _delay(value["delay"])
    value["drop"] = _drop(value["drop"], value)
    value["times"] = _times(value["times"])
    value["every"] = _every(value["every"])
    value["share"] = _share(value["share"])
    if value["every"] is not None and value["share"] is not None:
        raise StubRefused("every and share both choose which matching calls the stub answers; "
                          "give one of them", "share")
    return value


def _id(id: Any) -> str | None:
    if id is None:
        return None
    if not isinstance(id, str) or not _ID.fullmatch(id):
        raise StubRefused(f"id={id!r}: expected a name of 1 to 100 letters, digits, '_', '.', "
                          "':' or '-', starting with a letter or digit, e.g. 'token-ok'", "id")
    return id


def _method(method: Any) -> str:
    if method is None:
        return "ANY"
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise StubRefused(f"method={method!r}: expected one of {', '.join(METHODS)} (ANY: every "
                          "method)", "method")
    return method.upper()


def _target(url: Any, pattern: Any) -> tuple[str | None, str | None]:
    if (url is None) == (pattern is None):
        raise StubRefused("a stub matches calls by url (the exact URL, e.g. "
                          "'https://api.example.com/token') or by url_pattern (a regular "
                          "expression the whole URL matches); give exactly one of them",
                          "url" if url is None else "url_pattern")
    if url is not None:
        if not isinstance(url, str) or not url_is_absolute(url):
            raise StubRefused(f"url={url!r}: expected an absolute http or https URL, e.g. "
                              "'https://api.example.com/token'", "url")
        return url, None
    _pattern("url_pattern", pattern)
    return None, pattern


def url_is_absolute(url: str) -> bool:
    """Return whether ``url`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _pattern(name: str, pattern: Any) -> None:
    if pattern is None:
        return
    if not isinstance(pattern, str) or not pattern:
        raise StubRefused(f"{name}={pattern!r}: expected a regular expression as text, e.g. "
                          "'https://api\\.example\\.com/items/\\d+'", name)
    try:
        re.compile(pattern)
    except re.error as error:
        raise StubRefused(f"{name}={pattern!r} is not a valid regular expression: {error}",
                          name) from None


def _headers(name: str, headers: Any) -> dict[str, str] | None:
    if headers is None:
        return None
    if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and k and isinstance(v, str) for k, v in headers.items()):
        raise StubRefused(f"{name} is an object of header names to text values, e.g. "
                          f'{{"Content-Type": "application/json"}}, not {headers!r}', name)
    return dict(headers)


def _text(name: str, text: Any) -> str | None:
    if text is not None and not isinstance(text, str):
        raise StubRefused(f"{name}={text!r}: expected text", name)
    return text


def _status(status: Any) -> int:
    if status is None:
        return 200
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise StubRefused(f"status={status!r}: expected a whole number from 100 to 599 (an HTTP "
                          "status)", "status")
    return status


def _body(body: Any) -> Any:
    if body is None or isinstance(body, (str, dict, list)):
        return body
    raise StubRefused(f"body is text, or an object or list sent as JSON, not "
                      f"{type(body).__name__}", "body")


def _delay(delay: Any) -> float | None:
    if delay is None:
        return None
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or \
            not math.isfinite(delay) or not 0 <= delay <= MAX_DELAY:
        raise StubRefused(f"delay={delay!r}: expected a number of seconds from 0 to "
                          f"{MAX_DELAY:g}", "delay")
    return float(delay)


def _drop(drop: Any, value: Mapping[str, Any]) -> bool:
    if drop is None:
        return False
    if not isinstance(drop, bool):
        raise StubRefused(f"drop is true or false, not {drop!r}", "drop")
    answer = [name for name in ("response_headers", "body") if value[name] is not None]
    if drop and answer:
        raise StubRefused(f"drop closes the connection without an answer, so it takes no "
                          f"{', '.join(answer)}", "drop")
    return drop


def _times(times: Any) -> int | None:
    if times is None:
        return None
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise StubRefused(f"times={times!r}: expected a whole number from 1 up (how many calls "
                          "the stub answers before it retires)", "times")
    return times


def _every(every: Any) -> int | None:
    if every is None:
        return None
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise StubRefused(f"every={every!r}: expected a whole number from 1 up (the stub "
                          "answers every Nth matching call; the others go on to the next stub)",
                          "every")
    return every


def _share(share: Any) -> float | None:
    if share is None:
        return None
    if isinstance(share, bool) or not isinstance(share, (int, float)) or \
            not math.isfinite(share) or not 0 < share <= 1:
        raise StubRefused(f"share={share!r}: expected a number above 0 and at most 1 (the "
                          "share of matching calls the stub answers, e.g. 0.25 for one in "
                          "four)", "share")
    return float(share)
