"""Verification helpers: the requests an emulator answered, and assertions about them.

Read from the request journal, which keeps the last ``--journal-size`` requests (500 unless set):
a test that sends more than that sees only the newest. Paths are matched whole and exactly
(``/token`` is not ``/token/``), without a query string: ``assert_called("/x?a=1")`` is refused,
check ``call.query`` in ``calls`` instead.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.journal import JournalEntry
from emulator.testing.errors import MockError

#: Calls listed in a failed assertion's message, the newest ones.
SHOWN_CALLS = 20
SHOWN_BODY = 200  # characters of a JSON body quoted in a message
_METHOD = re.compile(r"[A-Za-z][A-Za-z-]{0,31}")


class CallFilterError(MockError, ValueError):
    """A verification helper got a value it cannot use: the test is wrong, not the client.

    A path no page serves, a path with a query string, ``times`` that is not a whole number
    from 1, a method that is not an HTTP method name.
    """

    code = "bad_call_filter"


@dataclass(frozen=True)
class Call:
    """One request the emulator answered, as the journal kept it."""

    id: int  # the journal entry's id, as on the dashboard and in GET /_emulator/journal
    method: str
    path: str
    query: str  # the query string as sent, without "?"; "" when none
    status: int
    body: str  # the request body as text (cut at the journal's 64 KiB bound)
    json: Any  # the body parsed as JSON; None when empty or not JSON
    rows_written: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    fault: Any = None  # the fault that answered instead of the page, if any

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> Call:
        """Build a call from a journal entry."""
        return cls(id=entry.id, method=entry.method, path=entry.path, query=entry.query_string,
                   status=entry.status, body=entry.request_body,
                   json=_parsed(entry.request_body), rows_written=tuple(entry.rows_written),
                   warnings=tuple(entry.warnings), fault=getattr(entry, "fault", None))

    def __str__(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} → {self.status}"


def calls_from(entries: Sequence[JournalEntry]) -> list[Call]:
    """Return the calls of journal ``entries`` (newest first, as the journal gives them),
    oldest first.
    """
    return [Call.from_entry(entry) for entry in reversed(entries)]


def _parsed(body: str) -> Any:
    if not body.strip():
        return None
    try:
        return jsonlib.loads(body)
    except ValueError:
        return None


# --- checking the arguments -------------------------------------------------------------------

def check_path(path: Any, served: Collection[str], called: Collection[str]) -> str:
    """Return ``path`` if a page serves it (or a call went to it); raise CallFilterError."""
    if not isinstance(path, str):
        raise CallFilterError(f"the path is text such as '/token', not {path!r} "
                              f"({type(path).__name__})")
    if "://" in path:
        suggestion = "/" + path.split("://", 1)[1].partition("/")[2]
        raise CallFilterError(f"give the path, not the URL: {suggestion.partition('?')[0]!r} "
                              f"rather than {path!r}")
    if not path.startswith("/"):
        raise CallFilterError(f"a path starts with '/': {'/' + path!r}, not {path!r}")
    if "?" in path or "#" in path:
        raise CallFilterError(
            f"{path!r}: paths are matched without a query string; give "
            f"{re.split(r'[?#]', path, maxsplit=1)[0]!r} and check call.query in calls")
    if path not in served and path not in called:
        listed = ", ".join(sorted(served)) or "none"
        raise CallFilterError(f"no page is served at {path!r}, so no call can reach it; "
                              f"served paths: {listed}")
    return path


def check_method(method: Any) -> str | None:
    """Return ``method`` in upper case (None stays None); raise CallFilterError if not a name."""
    if method is None:
        return None
    if not isinstance(method, str) or not _METHOD.fullmatch(method):
        raise CallFilterError(f"method is an HTTP method name such as 'POST' or None (any), "
                              f"not {method!r}")
    return method.upper()


def check_times(times: Any) -> int | None:
    """Return ``times`` if None or a whole number from 1; raise CallFilterError otherwise."""
    if times is None:
        return None
    if isinstance(times, bool) or not isinstance(times, int):
        raise CallFilterError(f"times is a whole number from 1, or None for 'at least once'; "
                              f"not {times!r} ({type(times).__name__})")
    if times == 0:
        raise CallFilterError("times=0 is not accepted: use assert_not_called(path) to check "
                              "that a path was not called")
    if times < 0:
        raise CallFilterError(f"times is a whole number from 1, not {times}")
    return times


def check_json(value: Any) -> Any:
    """Return ``value`` if it is JSON data (dict, list, text, number, bool); raise otherwise."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CallFilterError(f"json= keys are text, as in JSON; not {key!r}")
            check_json(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_json(item)
    elif value is not None and not isinstance(value, (str, int, float)):
        raise CallFilterError(f"json= is compared with the parsed request body, so it holds "
                              f"JSON data (dict, list, str, number, bool, None); not "
                              f"{type(value).__name__} {value!r}")
    return value


# --- assertions ---------------------------------------------------------------------------------

def assert_called(calls: Sequence[Call], path: str, method: str | None, times: int | None,
                  json: Any, *, full_at: int | None) -> list[Call]:
    """Return the calls matching; raise AssertionError naming what was called instead.

    ``full_at`` is the journal's size when it is full (older calls forgotten), else None.
    """
    on_path = [call for call in calls if call.path == path]
    with_method = [call for call in on_path if method is None or call.method == method]
    matching = [call for call in with_method if json is None or same_json(call.json, json)]
    count = len(matching)
    if (count == times) if times is not None else count > 0:
        return matching
    wanted = f"{method or 'a request to'} {path}"
    if json is not None:
        wanted += f" with the JSON body {_shown(json)}"
    expected = f"exactly {_times(times)}" if times is not None else "at least once"
    lines = [f"Expected {wanted} to be called {expected}; it was called {_times(count)}."]
    if on_path and method is not None and not with_method:
        methods = sorted({call.method for call in on_path})
        lines.append(f"{path} was called {_times(len(on_path))}, but with "
                     f"{', '.join(methods)}, not {method}.")
    elif with_method and json is not None and count < len(with_method):
        others = [call for call in with_method if call not in matching]
        lines.append(f"{len(others)} other {method or 'request'}(s) to {path} had another "
                     f"body; the newest: {_body(others[-1])}.")
        if isinstance(json, str):
            lines.append("json= is compared with the parsed body: pass a dict or list, not "
                         "JSON text.")
    lines.extend(_listing(calls, full_at))
    raise AssertionError("\n".join(lines))


def assert_not_called(calls: Sequence[Call], path: str, *, full_at: int | None) -> None:
    """Raise AssertionError, listing the calls, if any call went to ``path``."""
    on_path = [call for call in calls if call.path == path]
    if not on_path:
        return
    lines = [f"Expected no request to {path}; it was called {_times(len(on_path))}."]
    lines.extend(_listing(calls, full_at))
    raise AssertionError("\n".join(lines))


def same_json(left: Any, right: Any) -> bool:
    """Return whether two JSON values are equal as JSON: ``true`` is not ``1``, keys exact."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(map(same_json, left, right))
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    return type(left) is type(right) and left == right


def _times(count: int | None) -> str:
    return "once" if count == 1 else f"{count} times"


def _shown(value: Any) -> str:
    text = jsonlib.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(
        value, str) else repr(value)
    return text if len(text) <= SHOWN_BODY else text[:SHOWN_BODY] + "…"


def _body(call: Call) -> str:
    if call.json is not None:
        return _shown(call.json)
    if not call.body:
        return "an empty body"
    return f"a body that is not JSON: {_shown(call.body)}"


def _listing(calls: Sequence[Call], full_at: int | None) -> list[str]:
    """Return the lines that list the calls, oldest first, the newest SHOWN_CALLS only."""
    if not calls:
        lines = ["No request was answered."]
    else:
        lines = ["Calls (oldest first, newest last):"]
        hidden = len(calls) - SHOWN_CALLS
        if hidden > 0:
            lines.append(f"  … {hidden} earlier call(s) not shown")
        lines.extend(f"  {call}" for call in calls[-SHOWN_CALLS:])
    if full_at is not None:
        lines.append(f"The journal keeps the last {full_at} requests and is full: older calls "
                     "are not counted (raise --journal-size / journal_size to keep more).")
    return lines
