"""Asynchronous Data Extension row jobs (no HTTP here): submit, run, status, results.

docs/fidelity.md#rest-async: ``POST .../rows`` inserts and ``PUT .../rows`` upserts flat
``{"items": [{column: value}]}`` rows; the answer is 202 ``{"requestId"}``; each row is written
or refused on its own when the job runs, and every refused row is one item of the results.
When a job runs is the ``completion`` of :class:`AsyncJobs` (docs/fidelity.md#rest-async-timing):
``immediate`` (before the 202 leaves), a number of seconds on the emulator's clock, or
``manual`` (a test completes it through the admin API or ``mc.rest_jobs``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from emulator import assumptions
from emulator.clock import CST
from emulator.config import parse_async_completion
from emulator.errors import ConfigError, RowRejected, StoreError
from emulator.rest.errors import RestError, rest_error
from emulator.store.schema import describe_json_type
from emulator.store.store import Store

#: The largest async body (docs/fidelity.md#rest-async-limits): refused before it is read.
MAX_BODY_BYTES = assumptions.REST_ASYNC_MAX_BODY
#: Jobs that may wait to run at once; more answer 429 (docs/fidelity.md#rest-async-limits).
MAX_PENDING = assumptions.REST_ASYNC_MAX_PENDING
#: Finished jobs kept for their status and results; the oldest are forgotten first.
JOBS_KEPT = assumptions.REST_ASYNC_JOBS_KEPT
#: Rows a results page holds when ``pageSize`` is not given, and at most.
RESULTS_PAGE_SIZE = 50
RESULTS_MAX_PAGE_SIZE = 2500

Mode = Literal["insert", "upsert"]
Completion = str | float  # "immediate", "manual" or seconds on the emulator's clock
Row = dict[str, Any]


def parse_completion(value: Any) -> Completion:
    """Return a completion: ``immediate``, ``manual`` or seconds above 0; raise ValueError."""
    if value is None or not isinstance(value, (str, int, float)):
        raise ValueError(assumptions.REST_ASYNC_BAD_COMPLETION.format(value=repr(value)[:60]))
    try:
        return parse_async_completion("", value)
    except ConfigError:
        raise ValueError(assumptions.REST_ASYNC_BAD_COMPLETION.format(
            value=repr(value)[:60])) from None


@dataclass
class AsyncJob:
    """One async request: its rows, when it was called, and once run what it left."""

    request_id: str
    mid: int
    table: str
    mode: Mode
    rows: list[Row]
    called_at: datetime
    due_at: datetime | None = None  # a clock-timed job runs once the clock reaches this
    status: str = "Pending"  # Pending, Complete or Error
    picked_up_at: datetime | None = None
    completed_at: datetime | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    written: list[Row] = field(default_factory=list)  # rows as stored, for the journal

    def view(self) -> dict[str, Any]:
        """Return the job as the admin API and the mock handle show it."""
        return {"requestId": self.request_id, "mid": self.mid, "table": self.table,
                "mode": self.mode, "rows": len(self.rows), "status": self.status,
                "errors": len(self.errors), "calledAt": self.called_at.isoformat(),
                "dueAt": self.due_at.isoformat() if self.due_at else None}


class AsyncJobs:
    """The async jobs of the REST API; a checkpointed part of the state (a reset clears it)."""

    def __init__(self, completion: Completion = "immediate") -> None:
        self.default_completion: Completion = completion
        self.completion: Completion = completion
        self._jobs: OrderedDict[str, AsyncJob] = OrderedDict()
        self._saved: tuple[OrderedDict[str, AsyncJob], Completion] = (OrderedDict(), completion)
        self._changed = False

    # --- submitting and running ------------------------------------------------------------------

    def submit(self, store: Store, *, request_id: str, mid: int, table: str, mode: Mode,
               rows: list[Row], now: datetime) -> AsyncJob:
        """Queue a job; run it now when the completion is ``immediate``. Raise the 429 when
        MAX_PENDING jobs wait already."""
        self.advance(store, now)
        if self.completion != "immediate" and self.pending() >= MAX_PENDING:
            raise rest_error(429, 50100, assumptions.REST_ASYNC_TOO_MANY.format(most=MAX_PENDING),
                             retry_after=1)
        job = AsyncJob(request_id.lower(), mid, table, mode, rows, now)
        if isinstance(self.completion, float):
            job.due_at = now + timedelta(seconds=self.completion)
        self._jobs[job.request_id] = job
        self._changed = True
        if self.completion == "immediate":
            run(store, job, now)
        self._forget_old()
        return job

    def advance(self, store: Store, now: datetime) -> int:
        """Run the clock-timed jobs whose time has come, oldest first; return how many."""
        due = [job for job in self._jobs.values()
               if job.status == "Pending" and job.due_at is not None and job.due_at <= now]
        for job in due:
            run(store, job, now)
            self._changed = True
        return len(due)

    def complete(self, store: Store, now: datetime, request_id: str | None = None) -> list[str]:
        """Run the pending job ``request_id`` (None: every pending job); return the ids run.

        Raise KeyError for an id no pending job has."""
        if request_id is None:
            chosen = [job for job in self._jobs.values() if job.status == "Pending"]
        else:
            job = self._jobs.get(request_id.strip().lower())
            if job is None or job.status != "Pending":
                raise KeyError(request_id)
            chosen = [job]
        for job in chosen:
            run(store, job, now)
        self._changed = self._changed or bool(chosen)
        return [job.request_id for job in chosen]

    def find(self, request_id: str, mid: int) -> AsyncJob | None:
        """Return the job ``request_id`` of unit ``mid``, or None."""
        job = self._jobs.get(request_id.strip().lower())
        return job if job is not None and job.mid == mid else None

    def jobs(self) -> list[AsyncJob]:
        """Return every kept job, oldest first."""
        return list(self._jobs.values())

    def pending(self) -> int:
        """Return how many jobs wait to run."""
        return sum(1 for job in self._jobs.values() if job.status == "Pending")

    def set_completion(self, value: Any) -> Completion:
        """Set when new jobs run (``parse_completion``'s values); raise ValueError."""
        self.completion = parse_completion(value)
        self._changed = True
        return self.completion

    def _forget_old(self) -> None:
        while len(self._jobs) > JOBS_KEPT:
            oldest = next((key for key, job in self._jobs.items() if job.status != "Pending"),
                          None)
            if oldest is None:
                return
            del self._jobs[oldest]

    def __len__(self) -> int:
        return len(self._jobs)

    # --- state ---------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every job and go back to the settings' completion (a reset)."""
        self._jobs.clear()
        self.completion = self.default_completion
        self._changed = True

    def checkpoint(self) -> None:
        self._saved = (OrderedDict(self._jobs), self.completion)
        self._changed = False

    def rollback(self) -> None:
        if self._changed:
            # jobs are changed in place when they run: a kept job is copied back as saved
            jobs, self.completion = self._saved
            self._jobs = OrderedDict((key, _copy(job)) for key, job in jobs.items())
            self._saved = (OrderedDict((key, _copy(job)) for key, job in jobs.items()),
                           self.completion)
            self._changed = False


def _copy(job: AsyncJob) -> AsyncJob:
    return AsyncJob(job.request_id, job.mid, job.table, job.mode, job.rows, job.called_at,
                    job.due_at, job.status, job.picked_up_at, job.completed_at,
                    list(job.errors), list(job.written))


def run(store: Store, job: AsyncJob, now: datetime) -> None:
    """Write each row of ``job`` on its own; a refused row becomes one result item."""
    job.picked_up_at = now
    job.errors, job.written = [], []
    if not store.has(job.table):  # dropped since it was queued: nothing runs
        job.errors.append(_item("CustomObjectNotFound",
                                assumptions.REST_ASYNC_DE_GONE.format(table=job.table)))
        job.status, job.completed_at = "Error", now
        return
    with store.transaction():
        for row in job.rows:
            try:
                if job.mode == "insert":
                    job.written.extend(store.add_rows(job.table, [row]))
                else:
                    store.upsert_rows(job.table, [row], job.written)
            except RowRejected as error:
                job.errors.append(_row_error(store, job.table, row, error))
            except StoreError as error:
                job.errors.append(_item("ValidationError", str(error)))
    job.status = "Error" if job.errors and not job.written else "Complete"
    job.completed_at = now


def _row_error(store: Store, table: str, row: Row, error: RowRejected) -> dict[str, Any]:
    if error.rule == "duplicate-key":
        schema = store.schema(table)
        values = ", ".join(str(_cell(row, f.name)) for f in schema.primary_keys)
        return _item("UnexpectedError", assumptions.REST_ASYNC_DUPLICATE.format(
            key=schema.key, values=values))
    return _item("ValidationError", f"{error.field}: {error.message}" if error.field
                 else error.message)


def _cell(row: Mapping[str, Any], name: str) -> Any:
    return next((v for k, v in row.items() if k.casefold() == name.casefold()), "")


def _item(code: str, message: str) -> dict[str, Any]:
    return {"errorCode": code, "message": message, "status": "Error"}


# --- the body and the answers --------------------------------------------------------------------


def body_rows(body: Any, new_id: Callable[[], str]) -> list[Row]:
    """Return the flat rows of ``{"items": [...]}``; raise the 400 with ``resultMessages``."""
    if not isinstance(body, dict):
        raise refusal(new_id(), "InvalidRequest", assumptions.REST_ASYNC_BAD_BODY.format(
            found=describe_json_type(body)))
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise refusal(new_id(), "InvalidRequest", assumptions.REST_ASYNC_NO_ITEMS.format(
            found="no items" if items is None else describe_json_type(items)))
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise refusal(new_id(), "InvalidRequest", assumptions.REST_ASYNC_BAD_ITEM.format(
                index=index, found=describe_json_type(item)))
        for name, cell in item.items():
            if isinstance(cell, (dict, list)):
                raise refusal(new_id(), "InvalidRequest", assumptions.REST_ASYNC_BAD_CELL.format(
                    index=index, name=name[:100], found=describe_json_type(cell)))
        rows.append(dict(item))
    return rows


def refusal(request_id: str, code: str, message: str, *, result_type: str = "Validation",
            status: int = 400) -> RestError:
    """Return the async routes' refusal: ``{requestId, resultMessages: [...]}``."""
    return RestError(status, {"requestId": request_id, "resultMessages": [
        {"resultType": result_type, "resultClass": "Error", "resultCode": code,
         "message": message}]})


def not_resolved(request_id: str, given_id: str, key: str) -> RestError:
    """Return the captured CustomObjectNotFound answer for a DE the unit does not see."""
    return refusal(request_id, "CustomObjectNotFound", assumptions.REST_ASYNC_NOT_RESOLVED.format(
        id=given_id, key=key), result_type="Operational")


def accepted(job: AsyncJob) -> dict[str, Any]:
    """Return the 202 body."""
    return {"requestId": job.request_id, "resultMessages": []}


def _moment(value: datetime | None) -> str | None:
    """Return the platform's status time: CST, no zone, at most 3 digits of fraction."""
    if value is None:
        return None
    local = value.astimezone(CST)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{local.microsecond // 1000:03d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text


def status(job: AsyncJob, status_call_id: str) -> dict[str, Any]:
    """Return the status answer, keys in the documented order."""
    done = job.status != "Pending"
    return {"status": {"callDateTime": _moment(job.called_at),
                       "completionDateTime": _moment(job.completed_at),
                       "hasErrors": bool(job.errors),
                       "pickupDateTime": _moment(job.picked_up_at),
                       "requestStatus": job.status,
                       "resultStatus": ("Error" if job.errors else "OK") if done else None,
                       "requestId": job.request_id},
            "requestId": status_call_id}


def results(job: AsyncJob, page: int, page_size: int) -> dict[str, Any]:
    """Return one page of the refused rows, ``{page, pageSize, count, items}``."""
    start = (page - 1) * page_size
    return {"page": page, "pageSize": page_size, "count": len(job.errors),
            "items": job.errors[start:start + page_size]}


def unknown_request(request_id: str) -> RestError:
    """Return the 404 for a request id no job of the unit has."""
    return rest_error(404, 30003, assumptions.REST_ASYNC_UNKNOWN_ID.format(
        id=request_id[:100]))
