"""What a test holds: the emulator state behind a way in (``EmulatorHandle``), and for the mock
its URLs too (``MockHandle``).
"""

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
from emulator.subscribers.data import find
from emulator.testing import calls as checks
from emulator.testing.calls import Call
from emulator.testing.errors import NotStartedError
from emulator.testing.outbound import OutboundHandle
from emulator.testing.restjobs import RestJobsHandle
from emulator.testing.routes import Routes

APP_CREDENTIALS = "AppCredentials"


class EmulatorHandle:
    """The state behind one emulator app, for any way in (test client, mock, live server): seed
    and read its Data Extensions, set its clock, read and assert on its calls, reset it.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app

    # --- what is served --------------------------------------------------------------------

    @property
    def app(self) -> Flask:
        """The Flask app behind this handle."""
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
        """The page clock: ``freeze(moment)``, ``advance(seconds)``, ``now_utc()``."""
        return self.emulator.clock

    @property
    def faults(self) -> Any:
        """The fault registry: ``faults.add("/token", status=503, times=2)``."""
        return self.emulator.faults

    @property
    def rest_jobs(self) -> RestJobsHandle:
        """The REST API's async row jobs: ``rest_jobs.completion = "manual"``, then
        ``rest_jobs.complete()``."""
        return RestJobsHandle(self.emulator)

    @property
    def outbound(self) -> OutboundHandle:
        """Stubs for the pages' outbound HTTP calls, and the calls made:
        ``outbound.add("https://api.example.com/token", body={"access_token": "t"})``."""
        return OutboundHandle(self.emulator.outbound)

    @property
    def outbox(self) -> list[dict[str, Any]]:
        """What pages sent (TriggeredSend), oldest first: captured, never delivered.

        Each message: ``id``, ``definitionKey``, ``subscriberKey``, ``emailAddress``,
        ``attributes``, ``time`` (the emulator clock's, ISO 8601). A copy: changing it changes
        nothing; a reset or the next test's rollback empties the outbox.
        """
        return self.emulator.outbox.messages()

    @property
    def paths(self) -> list[str]:
        """Every path a page is served at now (a ``--pages`` folder read again)."""
        emulator = self.emulator
        mounts = emulator.pages.mounts() if emulator.pages is not None else emulator.mounts
        return sorted(mounts)

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

    def subscriber(self, key: str | None) -> None:
        """Run the next page requests for the subscriber ``key``, until changed (None: clear).

        Personalization strings and ``AttributeValue`` then read that subscriber's attributes;
        a request's ``X-Mcemu-Subscriber`` header wins. A test's rollback clears it. Raise
        SubscriberNotFound for a key no subscriber has, TypeError for a key that is no text.
        """
        if key is not None:
            if not isinstance(key, str):
                raise TypeError(f"a subscriber key is text (or None to clear), not "
                                f"{type(key).__name__}")
            find(self.store, key)
        self.emulator.subscriber.key = key

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

        ``to`` is ``"start"`` (the default: the state the app started with, its fixtures),
        ``"fixtures"`` (the same here: a test's store is never a ``--db`` file) or ``"empty"``
        (every DE kept, every row removed). The clock is not changed.
        """
        reset(self.emulator, to, journal=journal)

    # --- verification ------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request the emulator answered, oldest first (admin API requests are not kept).

        Read from the request journal, which keeps the last ``--journal-size`` requests (500
        unless ``journal_size`` is set): older ones are gone.
        """
        return checks.calls_from(self.emulator.journal.entries())

    def assert_called(self, path: str, method: str | None = None, times: int | None = None,
                      json: Any = None) -> list[Call]:
        """Assert ``path`` was called at least once (exactly ``times`` if given); return the calls.

        ``method`` (any case) and ``json`` (the parsed request body, compared as JSON) narrow
        the match. The AssertionError lists what was called instead. A path no page serves, a
        path with a query string, ``times`` 0 (use :meth:`assert_not_called`) or not a whole
        number from 1 raise :class:`~emulator.testing.calls.CallFilterError`.
        """
        method = checks.check_method(method)
        times = checks.check_times(times)
        json = checks.check_json(json)
        calls = self.calls
        path = checks.check_path(path, self.paths, {call.path for call in calls})
        return checks.assert_called(calls, path, method, times, json, full_at=self._full_at())

    def assert_not_called(self, path: str) -> None:
        """Assert no request went to ``path`` (any method); the AssertionError lists the calls."""
        calls = self.calls
        path = checks.check_path(path, self.paths, {call.path for call in calls})
        checks.assert_not_called(calls, path, full_at=self._full_at())

    def _full_at(self) -> int | None:
        emulator = self.emulator
        size = emulator.settings.journal_size
        return size if len(emulator.journal) >= size else None

    # --- lifetime ------------------------------------------------------------------------------

    def _require_running(self) -> None:
        """Raise if the handle can no longer be used; the base is usable as long as its app."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {', '.join(self.paths)}>"


class MockHandle(EmulatorHandle):
    """One run of a ``mock_marketing_cloud``: everything :class:`EmulatorHandle` does, and the
    URLs the mock answers. Usable until the mock stops.
    """

    def __init__(self, app: Flask, routes: Routes) -> None:
        super().__init__(app)
        self._routes = routes
        self._stopped = False

    @property
    def urls(self) -> list[str]:
        """Every URL this mock answers with a page."""
        return self._routes.urls(self.emulator.mounts)

    def url_for(self, path: str) -> str:
        """Return the full URL at which this mock serves ``path`` (``/token``, ``/x?a=1``)."""
        return self._routes.url_for(path, self.emulator.mounts)

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
