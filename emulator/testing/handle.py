"""What a test holds while a mock runs: the emulator state behind it, and its URLs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import Flask

from emulator.clock import Clock
from emulator.config import parse_frozen_time
from emulator.journal import JournalEntry
from emulator.reset import DEFAULT_TARGET, reset
from emulator.runtime import Emulator, get_emulator
from emulator.store.rows import StoredRow
from emulator.store.store import Store
from emulator.testing.errors import NotStartedError
from emulator.testing.routes import Routes

APP_CREDENTIALS = "AppCredentials"


class MockHandle:
    """One run of a ``mock_marketing_cloud``: seed and read its Data Extensions, freeze its
    clock, read its journal, reset it. Usable until the mock stops.
    """

    def __init__(self, app: Flask, routes: Routes) -> None:
        self._app = app
        self._routes = routes
        self._stopped = False

    # --- what is served --------------------------------------------------------------------

    @property
    def app(self) -> Flask:
        """The Flask app that answers this mock's requests."""
        self._require_running()
        return self._app

    @property
    def emulator(self) -> Emulator:
        return get_emulator(self.app)

    @property
    def store(self) -> Store:
        return self.emulator.store

    @property
    def clock(self) -> Clock:
        return self.emulator.clock

    @property
    def urls(self) -> list[str]:
        """Every URL this mock answers with a page."""
        return self._routes.urls(self.emulator.mounts)

    def url_for(self, path: str) -> str:
        """Return the full URL at which this mock serves ``path`` (``/token``, ``/x?a=1``)."""
        return self._routes.url_for(path, self.emulator.mounts)

    # --- data --------------------------------------------------------------------------------

    def seed(self, de_key: str, rows: Sequence[Mapping[str, Any]]) -> list[StoredRow]:
        """Add ``rows`` to the Data Extension ``de_key``, all or nothing; return them as stored."""
        return self.store.add_rows(de_key, rows)

    add_rows = seed

    def rows(self, de_key: str) -> list[StoredRow]:
        """Return every row of ``de_key``, in insertion order."""
        return self.store.rows(de_key)

    def add_app(self, client_id: str, client_secret: str, signing_secret: str) -> StoredRow:
        """Add an AppCredentials row, so the token page knows ``client_id``."""
        return self.seed(APP_CREDENTIALS, [{"client_id": client_id,
                                            "client_secret": client_secret,
                                            "signing_secret": signing_secret}])[0]

    def journal(self) -> list[JournalEntry]:
        """Return the requests the pages answered, newest first."""
        return self.emulator.journal.entries()

    def freeze(self, moment: datetime | str | None) -> None:
        """Stop the page clock at ``moment`` (ISO 8601 text, or naive = UTC); None restarts it."""
        if isinstance(moment, str):
            moment = parse_frozen_time("freeze", moment)
        self.clock.freeze(moment)

    def reset(self, to: str = DEFAULT_TARGET, *, journal: bool = False) -> None:
        """Reset the Data Extensions as ``mcemu reset`` does; ``journal=True`` clears it too.

        ``to`` is ``"start"`` (the default: the state the mock started with, its fixtures),
        ``"fixtures"`` (the same here: a mock's store is never a ``--db`` file) or ``"empty"``
        (every DE kept, every row removed). The clock is not changed.
        """
        reset(self.emulator, to, journal=journal)

    # --- lifetime ------------------------------------------------------------------------------

    def _stop(self) -> None:
        self._stopped = True

    def _require_running(self) -> None:
        if self._stopped:
            raise NotStartedError("This mock_marketing_cloud handle belongs to a mock that has "
                                  "stopped; its Data Extensions and journal are gone. Use it "
                                  "inside the `with` block or the decorated test.")

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else ", ".join(self.urls)
        return f"<MockHandle {state}>"
