"""The stub registry: what answers a page's outbound call, and in which order.

``mc.outbound`` in tests, ``/_emulator/outbound`` over HTTP and ``outbound/*.json`` in a fixtures
directory all reach one :class:`StubRegistry` per emulator app. A stub matches a call by method
(``ANY`` by default), by the exact ``url`` or a ``url_pattern`` the whole URL matches, by
``headers`` (each named header equal, names in any case) and by ``body_contains`` /
``body_pattern`` (searched in the request body).

Faults use the fault registry's words (emulator.faults): ``status``, ``delay``, ``drop``,
``times``, and ``every`` (only every Nth matching call) or ``share`` (that share of them, drawn
from the stub's own generator seeded with its target and share, so a run repeats). A matching
call the stub lets pass goes on to the next stub.

The order: stubs added at run time are asked first, newest first (so a test overrides a
fixture's stub by adding its own); then the files' stubs, in file-name order and in each file's
order. The first stub that matches answers; a stub with ``times`` retires after that many.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import EmulatorError
from emulator.outbound.rules import FIELDS, StubRefused, check_stub

#: The source of a stub added while the emulator runs (``add``, the admin API).
RUNTIME = "runtime"


class StubNotFound(EmulatorError, KeyError):
    """No stub has this id."""

    code = "stub_not_found"


@dataclass(eq=False)
class Stub:
    """One stub: what it matches, what it answers, how often it answered (``hits``)."""

    id: str
    url: str | None = None
    url_pattern: str | None = None
    method: str = "ANY"
    headers: dict[str, str] | None = None
    body_contains: str | None = None
    body_pattern: str | None = None
    status: int = 200
    response_headers: dict[str, str] | None = None
    body: Any = None
    delay: float | None = None
    drop: bool = False
    times: int | None = None
    every: int | None = None
    share: float | None = None
    source: str = RUNTIME  # "runtime", or the file it came from
    hits: int = 0
    seen: int = 0  # matching calls asked about (``every`` and ``share`` answer some of them)
    _url_regex: re.Pattern[str] | None = field(default=None, repr=False)
    _body_regex: re.Pattern[str] | None = field(default=None, repr=False)
    _random: random.Random | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.url_pattern is not None:
            self._url_regex = re.compile(self.url_pattern)
        if self.body_pattern is not None:
            self._body_regex = re.compile(self.body_pattern)
        if self.share is not None:
            self._random = random.Random(f"{self.target()} {self.share!r}")

    def takes(self) -> bool:
        """Count a matching call; return whether ``every``/``share`` let this stub answer it."""
        self.seen += 1
        if self.every is not None and self.seen % self.every:
            return False
        return self._random is None or self._random.random() < (self.share or 0)

    @property
    def active(self) -> bool:
        """Whether it may still answer: it has not used up its ``times``."""
        return self.times is None or self.hits < self.times

    def matches(self, method: str, url: str, headers: Mapping[str, str], body: str) -> bool:
        """Return whether this stub answers the call (``headers`` keyed in lower case)."""
        if self.method != "ANY" and self.method != method:
            return False
        if self.url is not None:
            if self.url != url:
                return False
        elif self._url_regex is not None and not self._url_regex.fullmatch(url):
            return False
        if self.headers:
            for name, wanted in self.headers.items():
                if headers.get(name.lower()) != wanted:
                    return False
        if self.body_contains is not None and self.body_contains not in body:
            return False
        return self._body_regex is None or self._body_regex.search(body) is not None

    def answer(self) -> tuple[bytes, list[tuple[str, str]]]:
        """Return the body bytes and headers the stub answers (a JSON body gets its type)."""
        headers = list((self.response_headers or {}).items())
        named = {name.lower() for name, _ in headers}
        body = self.body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode("utf-8")
            if "content-type" not in named:
                headers.append(("Content-Type", "application/json; charset=utf-8"))
        elif isinstance(body, str):
            data = body.encode("utf-8")
            if "content-type" not in named:
                headers.append(("Content-Type", "text/plain; charset=utf-8"))
        else:
            data = b""
        return data, headers

    def target(self) -> str:
        """Say what the stub matches, e.g. ``GET https://api.example.com/token``."""
        return f"{self.method} {self.url if self.url is not None else '~' + str(self.url_pattern)}"

    def to_json(self) -> dict[str, Any]:
        """Return the stub as the admin API lists it: its fields, source and hits."""
        shown = {name: getattr(self, name) for name in FIELDS}
        return {**shown, "source": self.source, "hits": self.hits, "seen": self.seen,
                "active": self.active}


class StubRegistry:
    """The stubs of one emulator app; thread-safe. ``mc.outbound`` in tests holds one."""

    def __init__(self) -> None:
        self._runtime: list[Stub] = []  # oldest first; asked newest first
        self._files: list[Stub] = []
        self._fixture: list[tuple[dict[str, Any], str]] = []  # fields, file
        self._next_id = 1
        self._lock = threading.Lock()
        self._saved: tuple[list[Stub], list[Stub], list[tuple[Stub, int, int, Any]], int] | None \
            = None

    def add(self, url: str | None = None, *, url_pattern: str | None = None,
            method: str | None = None, headers: Mapping[str, str] | None = None,
            body_contains: str | None = None, body_pattern: str | None = None,
            status: int | None = None, response_headers: Mapping[str, str] | None = None,
            body: Any = None, delay: float | None = None, drop: bool = False,
            times: int | None = None, every: int | None = None, share: float | None = None,
            id: str | None = None) -> Stub:
        """Add a stub and return it (its ``id`` removes it).

        Match by ``url`` (exact) or ``url_pattern`` (a regular expression the whole URL
        matches), ``method`` (default ANY), ``headers`` (each equal) and ``body_contains`` /
        ``body_pattern``; answer ``status`` (default 200) with ``response_headers`` and
        ``body`` (text, or a dict/list sent as JSON), after ``delay`` seconds; ``drop=True``
        fails the call as an unreachable host does. ``times``: the next N matching calls only;
        ``every``: every Nth matching call only; ``share``: that share of them, reproducibly
        (the calls it lets pass go on to the next stub).
        Raise StubRefused (a ValueError) naming a bad field and what it takes.
        """
        fields = {"id": id, "method": method, "url": url, "url_pattern": url_pattern,
                  "headers": headers, "body_contains": body_contains,
                  "body_pattern": body_pattern, "status": status,
                  "response_headers": response_headers, "body": body, "delay": delay,
                  "drop": drop, "times": times, "every": every, "share": share}
        return self.add_fields(fields)

    def add_fields(self, fields: Mapping[str, Any], source: str = RUNTIME) -> Stub:
        """Add a stub given as a mapping of ``add``'s fields (a JSON body, a file's entry)."""
        checked = check_stub(fields)
        with self._lock:
            stub = self._build(checked, source)
            (self._runtime if source == RUNTIME else self._files).append(stub)
            if source != RUNTIME:
                self._fixture.append(({**checked, "id": stub.id}, source))
        return stub

    def _build(self, checked: Mapping[str, Any], source: str) -> Stub:
        wanted = checked.get("id")
        taken = {stub.id for stub in (*self._runtime, *self._files)}
        if wanted is None:
            while f"stub-{self._next_id}" in taken:
                self._next_id += 1
            wanted = f"stub-{self._next_id}"
            self._next_id += 1
        elif wanted in taken:
            raise StubRefused(f"id={wanted!r}: a stub has this id already; give another id, or "
                              "remove that stub first", "id")
        return Stub(**{**checked, "id": wanted}, source=source)

    def remove(self, id: str) -> Stub:
        """Remove the stub with this ``id`` and return it; raise StubNotFound naming the ids."""
        with self._lock:
            for stubs in (self._runtime, self._files):
                for index, stub in enumerate(stubs):
                    if stub.id == id:
                        return stubs.pop(index)
            ids = ", ".join(stub.id for stub in (*self._runtime, *self._files)) or "none"
        raise StubNotFound(f"no stub has id {id!r}; the stubs are: {ids}")

    def clear(self) -> int:
        """Remove the stubs added at run time (the files' stay); return how many."""
        with self._lock:
            removed = len(self._runtime)
            self._runtime = []
        return removed

    def list(self) -> list[Stub]:
        """Return every stub in the order they are asked, retired ones included."""
        with self._lock:
            return [*reversed(self._runtime), *self._files]

    def match(self, method: str, url: str, headers: Mapping[str, str], body: str) -> Stub | None:
        """Return the first active stub that matches the call, its hit counted; None: none."""
        with self._lock:
            for stub in (*reversed(self._runtime), *self._files):
                if stub.active and stub.matches(method, url, headers, body) and stub.takes():
                    stub.hits += 1
                    return stub
        return None

    def count(self, url: str | None = None, method: str | None = None) -> int:
        """Return the hits of the stubs that match ``url`` and ``method`` (None: any)."""
        return sum(stub.hits for stub in self.list()
                   if (url is None or stub.url == url)
                   and (method is None or stub.method == method.upper()))

    # --- isolation and reset ---------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Remember the stubs and their hits, for :meth:`rollback`."""
        with self._lock:
            every = [*self._runtime, *self._files]
            self._saved = (list(self._runtime), list(self._files),
                           [(stub, stub.hits, stub.seen,
                             stub._random.getstate() if stub._random else None)
                            for stub in every], self._next_id)

    def rollback(self) -> None:
        """Go back to the last checkpoint (which stays): stubs and hits as they were."""
        with self._lock:
            if self._saved is None:
                raise EmulatorError("StubRegistry.rollback() needs a checkpoint() first")
            runtime, files, hits, next_id = self._saved
            for stub, count, seen, state in hits:
                stub.hits, stub.seen = count, seen
                if state is not None and stub._random is not None:
                    stub._random.setstate(state)
            self._runtime, self._files, self._next_id = list(runtime), list(files), next_id

    def reset(self) -> None:
        """Clear the stubs added at run time; the files' stay, hits at zero."""
        with self._lock:
            self._runtime = []
            self._files = [Stub(**fields, source=source) for fields, source in self._fixture]

    def __len__(self) -> int:
        with self._lock:
            return len(self._runtime) + len(self._files)

    def __iter__(self) -> Iterator[Stub]:
        return iter(self.list())
