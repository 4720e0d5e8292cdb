"""The fault registry: what a page's requests get instead of the page, and when.

``mc.faults`` in tests, ``/_emulator/faults`` over HTTP and ``faults.json`` in a fixtures
directory all reach one :class:`FaultRegistry` per emulator app. A fault covers one path, every
HTTP method, and fires on:

- every matching request, or only ``every`` Nth one (the Nth, 2Nth, ...), or a ``share`` of them;
- until it has fired ``times`` times, when given: then it retires (listed, never fires again).

A fault on a REST route may name a route's form (``/hub/v1/dataevents/key:{key}/rowset``) and a
``package`` (a client id): then only calls made with that package's tokens count, and without a
path every REST call of that package does (emulator/faults/paths.py).

When several faults cover a path, the oldest active one is asked first; the first that fires
answers, and the faults after it do not count that request.

The seed rule: a ``share`` fault draws from its own random generator, seeded with its path and
share, so the same fault fires on the same requests in every run, whatever ran before it.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from emulator.errors import EmulatorError
from emulator.faults.paths import path_pattern
from emulator.faults.rules import FIELDS, PathCheck, check_fault

#: The source of a fault added while the emulator runs (``add``, the admin API).
RUNTIME = "runtime"


class FaultNotFound(EmulatorError, KeyError):
    """No fault has this id."""

    code = "fault_not_found"


@dataclass(eq=False)
class Fault:
    """One fault: what it answers (or that it drops or delays), which requests, its counters.

    ``seen`` counts the matching requests it was asked about, ``fired`` those it answered.
    """

    id: int
    path: str | None
    package: str | None = None
    status: int | None = None
    body: Any = None
    errorcode: int | None = None
    retry_after: int | None = None
    delay: float | None = None
    drop: bool = False
    times: int | None = None
    every: int | None = None
    share: float | None = None
    source: str = RUNTIME  # "runtime", or the faults.json file it came from
    seen: int = 0
    fired: int = 0
    _random: random.Random | None = field(default=None, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def covers(self, path: str) -> bool:
        """Say whether the fault's path (or route form) covers the request path ``path``."""
        if self.path is None:
            return True
        if self._pattern is not None:
            return self._pattern.fullmatch(path) is not None
        return self.path == path

    @property
    def active(self) -> bool:
        """Whether it may still fire: it has not used up its ``times``."""
        return self.times is None or self.fired < self.times

    def describe(self) -> str:
        """Say what the fault does to a request, e.g. ``503 with Retry-After 5 after 2 s``."""
        wait = f" after {self.delay:g} s" if self.delay else ""
        if self.drop:
            return f"dropped the connection{wait}"
        if self.status is None:
            return f"delayed the page {self.delay:g} s"
        retry = f" with Retry-After {self.retry_after}" if self.retry_after is not None else ""
        return f"answered {self.status}{retry}{wait}"

    def answer(self) -> tuple[bytes, str | None]:
        """Return the body and Content-Type of the fault's answer (None: no body)."""
        body = self.body
        if self.errorcode is not None:  # the platform's REST error shape
            message = body if body is not None else _reason(self.status)
            body = {"message": message, "errorcode": self.errorcode, "documentation": ""}
        if isinstance(body, (dict, list)):
            return json.dumps(body).encode("utf-8"), "application/json"
        if isinstance(body, str):
            return body.encode("utf-8"), "text/plain; charset=utf-8"
        return b"", None

    def to_json(self) -> dict[str, Any]:
        """Return the fault as the admin API lists it: its fields, source and counters."""
        shown = {name: getattr(self, name) for name in FIELDS}
        return {"id": self.id, **shown, "source": self.source, "seen": self.seen,
                "fired": self.fired, "active": self.active, "does": self.describe()}


class FaultRegistry:
    """The faults of one emulator app; thread-safe. ``mc.faults`` in tests is one of these."""

    def __init__(self, check_path: PathCheck | None = None,
                 check_package: PathCheck | None = None) -> None:
        #: Says why no page serves a path (None: one does); the app sets it to its pages.
        self.check_path = check_path
        #: Says why no installed package has a client id (None: one has); the app sets it.
        self.check_package = check_package
        self._faults: list[Fault] = []
        self._fixture: list[tuple[int, dict[str, Any], str]] = []  # id, fields, file
        self._next_id = 1
        self._lock = threading.Lock()
        self._saved: tuple[list[Fault], list[tuple[Fault, int, int, Any]], int] | None = None

    # --- the user's API --------------------------------------------------------------------------

    def add(self, path: str | None = None, *, package: str | None = None,
            status: int | None = None, body: Any = None, errorcode: int | None = None,
            retry_after: int | None = None, delay: float | None = None, drop: bool = False,
            times: int | None = None, every: int | None = None,
            share: float | None = None) -> Fault:
        """Add a fault on the page at ``path`` and return it (its ``id`` removes it).

        ``status`` (100-599) with ``body`` (text, or a dict/list sent as JSON), ``errorcode``
        (the body becomes ``{"message": body, "errorcode": N, "documentation": ""}``) and
        ``retry_after`` (seconds) answer instead of the page; ``delay`` waits that many seconds
        first (up to 300; alone, the page answers late); ``drop=True`` closes the connection
        without an answer. ``times``: the next N matching requests only; ``every``: every Nth;
        ``share``: that share of them, reproducibly.
        ``package`` (an installed package's client id) limits the fault to REST calls made with
        its tokens (then ``path`` may be omitted: all of them); a REST ``path`` may be a route's
        form with ``{name}`` parts. Raise FaultRefused (a ValueError) naming a bad field and
        what it takes.
        """
        fields = {"path": path, "package": package, "status": status, "body": body,
                  "errorcode": errorcode, "retry_after": retry_after, "delay": delay,
                  "drop": drop, "times": times, "every": every, "share": share}
        return self.add_fields(fields)

    def add_fields(self, fields: Mapping[str, Any], source: str = RUNTIME) -> Fault:
        """Add a fault given as a mapping of ``add``'s fields (a JSON body, a file's entry)."""
        checked = check_fault(fields, self.check_path, self.check_package)
        with self._lock:
            fault = _build(self._next_id, checked, source)
            self._next_id += 1
            self._faults.append(fault)
            if source != RUNTIME:
                self._fixture.append((fault.id, checked, source))
        return fault

    def remove(self, id: int) -> Fault:
        """Remove the fault with this ``id`` and return it (a fixture's fault is back after a
        reset); raise FaultNotFound naming the ids there are."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.id == id:
                    return self._faults.pop(index)
            ids = ", ".join(str(fault.id) for fault in self._faults) or "none"
        raise FaultNotFound(f"no fault has id {id!r}; the faults are: {ids}")

    def clear(self) -> int:
        """Remove the faults added at run time (those of ``faults.json`` stay); return how many."""
        with self._lock:
            kept = [fault for fault in self._faults if fault.source != RUNTIME]
            removed = len(self._faults) - len(kept)
            self._faults = kept
        return removed

    def list(self) -> list[Fault]:
        """Return every fault, oldest first, retired ones included (``active`` is False)."""
        with self._lock:
            return list(self._faults)

    def match(self, method: str, path: str, package: str | None = None) -> Fault | None:
        """Count a request to ``path`` (any ``method``) and return the fault that fires, if any.

        Only the faults of ``package`` are asked: those without one for a page or a REST call
        before its token is known, a client id's once the call's token (or token request) names
        it.
        """
        if not self._faults:  # the usual case, without the lock
            return None
        with self._lock:
            for fault in self._faults:
                if fault.package != package or not fault.active or not fault.covers(path):
                    continue
                fault.seen += 1
                if fault.every is not None and fault.seen % fault.every:
                    continue
                if fault._random is not None and fault._random.random() >= (fault.share or 0):
                    continue
                fault.fired += 1
                return fault
        return None

    # --- isolation and reset ---------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Remember the faults as they are now, counters too; :meth:`rollback` returns to it."""
        with self._lock:
            self._saved = (list(self._faults),
                           [(fault, fault.seen, fault.fired,
                             fault._random.getstate() if fault._random else None)
                            for fault in self._faults], self._next_id)

    def rollback(self) -> None:
        """Go back to the last checkpoint (which stays): faults added since are removed, those
        removed come back, counters and ids are as they were."""
        with self._lock:
            if self._saved is None:
                raise EmulatorError("FaultRegistry.rollback() needs a checkpoint() first")
            faults, counters, next_id = self._saved
            for fault, seen, fired, state in counters:
                fault.seen, fault.fired = seen, fired
                if state is not None and fault._random is not None:
                    fault._random.setstate(state)
            self._faults = list(faults)
            self._next_id = next_id

    def reset(self) -> None:
        """Clear the faults added at run time; those of ``faults.json`` stay, counters at zero."""
        with self._lock:
            self._faults = [_build(id, fields, source) for id, fields, source in self._fixture]

    def __len__(self) -> int:
        return len(self._faults)

    def __iter__(self) -> Iterator[Fault]:
        return iter(self.list())


def _build(id: int, checked: Mapping[str, Any], source: str) -> Fault:
    fault = Fault(id=id, source=source, **checked)
    if fault.path is not None:
        fault._pattern = path_pattern(fault.path)
    if fault.share is not None:
        fault._random = random.Random(f"{fault.path} {fault.share!r}")
    return fault


def _reason(status: int | None) -> str:
    try:
        return HTTPStatus(status or 500).phrase
    except ValueError:
        return "Error"
