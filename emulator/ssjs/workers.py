"""A pool of pre-started worker processes, each holding a JavaScript engine.

QuickJS cannot limit time while host callables are bound, and forking a threaded server is
unsafe, so pages run in processes started with ``spawn``. Host calls come
back over the worker's pipe and run here, so the store stays in this process. A page past its
time is killed with its worker; a worker whose engine ran out of memory, or died, is replaced.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from emulator.script.budget import PageBudget
from emulator.ssjs.engine import MEMORY_LIMIT
from emulator.ssjs.host import surface
from emulator.ssjs.worker import worker_main

log = logging.getLogger("emulator.ssjs")

DEFAULT_SIZE = 2
#: Seconds a newly spawned worker may take to start (an interpreter, imports, an engine). Not a
#: page's time: on a loaded machine a spawn alone can pass a short page limit.
STARTUP_TIMEOUT = 60.0


class PageTimeout(Exception):
    """The page ran past its time limit; its worker was killed."""


class WorkerLost(Exception):
    """The worker died or exhausted its memory during the page."""


class _Worker:
    def __init__(self, context: Any, options: tuple[Any, ...]) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, *options),
                                       name="mcemu-ssjs", daemon=True)
        self.process.start()
        child.close()
        self.closed = False
        self.ready = False

    def wait_ready(self) -> None:
        """Wait for the worker's ready message; raise WorkerLost when it never comes."""
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT):
            raise WorkerLost(f"the SSJS worker did not start within {STARTUP_TIMEOUT:g} s")
        if self.conn.recv_bytes() != b"W":
            raise WorkerLost("the SSJS worker did not start")
        self.ready = True

    def stop(self) -> None:
        """Ask the worker to exit, then make sure it has."""
        try:
            self.conn.send_bytes(b"S")
        except (OSError, ValueError):
            pass
        self.process.join(timeout=2)
        self.kill()

    def kill(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.process.close()
        self.conn.close()


class WorkerPool:
    """Run page jobs in ``size`` worker processes; thread-safe."""

    def __init__(self, size: int = DEFAULT_SIZE, *, allow_json: bool = False,
                 memory_limit: int = MEMORY_LIMIT) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._options = (surface(), allow_json, memory_limit)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._start()
        atexit.register(self.close)

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                return
            worker = _Worker(self._context, self._options)
            self._all.add(worker)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._start()

    def run(self, job: dict[str, Any], handle: Callable[[bytes], bytes],
            timeout: float, budget: PageBudget | None = None) -> dict[str, Any]:
        """Run ``job`` within ``timeout`` seconds, answering host calls with ``handle``.

        ``budget``, the page run's, gets the same deadline, so the host calls keep to it too.
        """
        deadline = time.monotonic() + timeout
        if budget is not None:
            budget.deadline = deadline
        worker = self._take(deadline)
        keep = False
        try:
            if not worker.ready:  # a fresh worker's start-up does not count as the page's time
                worker.wait_ready()
                deadline = time.monotonic() + timeout
                if budget is not None:
                    budget.deadline = deadline
            worker.conn.send_bytes(b"R" + json.dumps(job).encode("utf-8", "surrogatepass"))
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not worker.conn.poll(remaining):
                    raise PageTimeout(f"the page ran for more than {timeout:g} s")
                message = worker.conn.recv_bytes()
                if message[:1] == b"H":
                    worker.conn.send_bytes(handle(message[1:]))
                    continue
                result = json.loads(message[1:])
                if result.get("outOfMemory"):
                    raise WorkerLost("the page's script ran out of memory")
                keep = True
                return result
        except (EOFError, OSError) as error:
            raise WorkerLost(f"the worker process died: {error}") from None
        finally:
            if keep:
                self._idle.put(worker)
            else:
                self._retire(worker)

    def _take(self, deadline: float) -> _Worker:
        while True:
            if self._closed:
                raise WorkerLost("the SSJS worker pool is closed")
            try:
                return self._idle.get(timeout=max(0.0, min(0.5, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise PageTimeout("no SSJS worker became free in time") from None

    def close(self) -> None:
        """Stop every worker, killing at once one that runs a page; later runs are refused."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        atexit.unregister(self.close)
        idle = set()
        while True:
            try:
                idle.add(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in idle:  # all asked first, so their exits overlap
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send_bytes(b"S")
        for worker in workers:
            if worker in idle:
                worker.stop()
            elif not worker.closed:
                # A page may loop for ever: a stop must not wait for it. Only the signal: the
                # thread running the page sees the pipe end and retires the worker itself.
                with contextlib.suppress(ValueError):  # unless it has just done so
                    worker.process.kill()
