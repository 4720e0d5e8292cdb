"""Admin view of the REST API's async row jobs: list them, choose when they run, complete them.

``POST /_emulator/rest-jobs`` with ``{"completion": "manual"}`` holds new jobs Pending until
``POST /_emulator/rest-jobs/complete`` runs them (``{"requestId": ...}`` for one), so a client's
status polling can be tested (docs/fidelity.md#rest-async-timing).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from emulator.rest.asyncjobs import AsyncJobs
from emulator.runtime import get_emulator
from emulator.web.admin import messages

USAGE = ('send {"completion": "immediate"}, {"completion": "manual"} or {"completion": '
         'SECONDS} (0 to 86400, on the emulator\'s clock)')


def describe(jobs: AsyncJobs) -> dict[str, Any]:
    """Return when jobs run and every kept job, oldest first."""
    return {"completion": jobs.completion, "pending": jobs.pending(),
            "jobs": [job.view() for job in jobs.jobs()]}


def list_jobs() -> Response:
    """Return the completion and the kept jobs (clock-timed ones that are due run first)."""
    emulator = get_emulator()
    emulator.rest_jobs.advance(emulator.store, emulator.clock.now_utc())
    return jsonify(describe(emulator.rest_jobs))


def set_completion() -> Response:
    """Set when new async jobs run; answer the jobs as :func:`list_jobs` does."""
    body = messages.json_body(default=None)
    if not isinstance(body, dict) or set(body) != {"completion"}:
        found = ", ".join(map(messages.shown, sorted(body))) if isinstance(body, dict) else None
        raise messages.BadRequest(f"a rest-jobs body is a JSON object with the one key "
                                  f"completion{f', not {found}' if found else ''}; {USAGE}")
    emulator = get_emulator()
    try:
        emulator.rest_jobs.set_completion(body["completion"])
    except ValueError as error:
        raise messages.BadRequest(f"{error} {USAGE}") from None
    return jsonify(describe(emulator.rest_jobs))


def complete_jobs() -> Response:
    """Run every pending job, or the one ``{"requestId": ...}`` names; answer the ids run."""
    body = messages.json_body(default={})
    usage = 'send {} to run every pending job, or {"requestId": "<id>"} for one'
    if not isinstance(body, dict) or set(body) - {"requestId"}:
        raise messages.BadRequest(f"a complete body is a JSON object; {usage}")
    request_id = body.get("requestId")
    if request_id is not None and not isinstance(request_id, str):
        raise messages.BadRequest(f"requestId is a string; {usage}")
    emulator = get_emulator()
    try:
        done = emulator.rest_jobs.complete(emulator.store, emulator.clock.now_utc(), request_id)
    except KeyError:
        pending = [job.request_id for job in emulator.rest_jobs.jobs() if job.status == "Pending"]
        raise messages.Conflict(f"no pending async job has the requestId "
                                f"{messages.shown(str(request_id))}; pending: "
                                f"{', '.join(pending[:20]) or 'none'}") from None
    return jsonify({"completed": done})
