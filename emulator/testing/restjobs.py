"""``mc.rest_jobs``: when the REST API's async row jobs run, and running the pending ones."""

from __future__ import annotations

from typing import Any

from emulator.runtime import Emulator


class RestJobsHandle:
    """The async row jobs of one emulator: ``mc.rest_jobs.completion = "manual"``, then
    ``mc.rest_jobs.complete()`` once the app under test has polled a Pending status."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    @property
    def completion(self) -> str | float:
        """When new jobs run: ``"immediate"``, ``"manual"`` or seconds on the emulator's clock."""
        return self._emulator.rest_jobs.completion

    @completion.setter
    def completion(self, value: str | float) -> None:
        self._emulator.rest_jobs.set_completion(value)  # ValueError names what is accepted

    def complete(self, request_id: str | None = None) -> list[str]:
        """Run the pending job ``request_id`` (None: all of them); return the ids run.

        Raise KeyError for an id no pending job has."""
        emulator = self._emulator
        return emulator.rest_jobs.complete(emulator.store, emulator.clock.now_utc(), request_id)

    def jobs(self) -> list[dict[str, Any]]:
        """Return every kept job (id, table, mode, rows, status, errors), oldest first."""
        emulator = self._emulator
        emulator.rest_jobs.advance(emulator.store, emulator.clock.now_utc())
        return [job.view() for job in emulator.rest_jobs.jobs()]

    def __repr__(self) -> str:
        return (f"<RestJobsHandle completion={self.completion!r} "
                f"pending={self._emulator.rest_jobs.pending()}>")
