"""Dashboard page of the REST API's state: async row jobs, tokens and message keys."""

from __future__ import annotations

from flask import render_template

from emulator.rest.rowsets import key_of
from emulator.runtime import get_emulator
from emulator.web.admin.restjobs import describe

JOB_ROWS = 500  # the page shows the newest of these; GET /_emulator/rest-jobs lists all


def rest_jobs() -> str:
    """List the async jobs (newest first, due clock-timed ones run first) and the counts."""
    emulator = get_emulator()
    emulator.rest_jobs.advance(emulator.store, emulator.clock.now_utc())
    described = describe(emulator.rest_jobs)
    jobs = [{**job, "key": key_of(job["table"])} for job in described["jobs"][::-1][:JOB_ROWS]]
    return render_template("ui/rest_jobs.html", jobs=jobs, total=len(described["jobs"]),
                           completion=described["completion"], pending=described["pending"],
                           tokens=len(emulator.tokens), message_keys=len(emulator.message_keys))
