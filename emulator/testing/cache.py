"""The pytest plugin's apps: built once per configuration and process, rolled back per test.

Building an app reads and checks the fixture files, compiles the URL map and seeds the store;
that is done once per distinct configuration (the kind of fixture, the marker's paths, pages
and settings, and the ``MCEMU_*`` variables) in each pytest process, so once per worker under
``pytest-xdist``. The app is checkpointed when built (:meth:`emulator.runtime.Emulator.checkpoint`)
and rolled back after each test that used it, at the cost of what the test changed. The
:data:`KEEP` most recently used configurations stay open; an older one is closed when a new
one is built, and all are closed at the end of the session. The app object itself is shared:
a test that changes ``app.config`` changes it for the tests after it.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from emulator.runtime import Emulator

T = TypeVar("T")

#: Configurations kept open at once; the least recently used is closed past this.
KEEP = 8


@dataclass
class Entry(Generic[T]):
    """One built configuration: what the fixture hands out, its state and how to close it."""

    value: T
    emulator: Emulator
    close: Callable[[], None]
    users: int = 0  # tests using it now: never closed to make room while used


def config_key(kind: str, config: Mapping[str, Any]) -> str:
    """Return the text that names one configuration of ``kind``: equal text, same app."""
    environ = {name: value for name, value in os.environ.items()
               if name.upper().startswith("MCEMU_")}  # create_app reads them too
    return json.dumps([kind, config, environ], sort_keys=True, default=repr)


class SessionApps:
    """Apps (or mocks, or live servers) by configuration, the :data:`KEEP` most recent open."""

    def __init__(self, keep: int = KEEP) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, not {keep}")
        self.keep = keep
        self._entries: OrderedDict[str, Entry[Any]] = OrderedDict()
        self.built = 0  # how many configurations were built, for tests and the benchmark

    def get(self, key: str, build: Callable[[], Entry[T]]) -> Entry[T]:
        """Return the entry of ``key``, built (and checkpointed) on first use."""
        entry = self._entries.get(key)
        if entry is None:
            self._make_room()
            entry = build()
            try:
                entry.emulator.checkpoint()
            except BaseException:
                entry.close()
                raise
            self._entries[key] = entry
            self.built += 1
        self._entries.move_to_end(key)
        entry.users += 1
        return entry

    def _make_room(self) -> None:
        """Close the least recently used entries that no test is using, down to keep - 1."""
        idle = [key for key, entry in self._entries.items() if not entry.users]
        for key in idle[:max(0, len(self._entries) - self.keep + 1)]:
            self.discard(key)

    def release(self, key: str) -> None:
        """End a test's use of ``key``: put its state back as built; an entry that cannot be is
        closed and dropped.

        A later test then builds it afresh rather than seeing what this one left.
        """
        entry = self._entries.get(key)
        if entry is None:
            return
        entry.users -= 1
        try:
            entry.emulator.rollback()
        except BaseException:
            self.discard(key)
            raise

    def discard(self, key: str) -> None:
        """Close the entry of ``key`` and forget it."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            entry.close()

    def close(self) -> None:
        """Close every entry (the end of the session); raise the first error after trying all."""
        errors: list[BaseException] = []
        while self._entries:
            _, entry = self._entries.popitem(last=False)
            try:
                entry.close()
            except Exception as error:  # close the others all the same
                errors.append(error)
        if errors:
            raise errors[0]

    def __len__(self) -> int:
        return len(self._entries)
