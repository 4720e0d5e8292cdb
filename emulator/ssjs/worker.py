"""The worker process: holds an engine, runs one page at a time, forwards host calls.

Messages on the pipe are bytes with a one-letter kind: the server sends ``R`` + job JSON (run)
or ``S`` (stop); the worker sends ``W`` once its first engine is built (ready), ``H`` + request
JSON (a host call, answered by the raw reply JSON) and ``D`` + result JSON (done). Only this
module and :mod:`engine` load in the worker.
"""

from __future__ import annotations

import json
import signal
from multiprocessing.connection import Connection
from typing import Any

from emulator.ssjs.engine import Engine, ScriptFailure

LOST = json.dumps({"e": {"name": "Error", "message": "The emulator went away.",
                         "description": "The emulator went away."}})


def worker_main(conn: Connection, surface: dict[str, Any], allow_json: bool,
                memory_limit: int) -> None:
    """Serve page runs on ``conn`` until told to stop or the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group; the server stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def host(request: str) -> str:
        # Never raise into QuickJS (it cannot take a host exception): a broken pipe is an error
        # reply.
        try:
            conn.send_bytes(b"H" + request.encode("utf-8", "surrogatepass"))
            return conn.recv_bytes().decode("utf-8", "surrogatepass")
        except BaseException:
            return LOST

    def fresh() -> Engine:
        return Engine(host, surface, allow_json=allow_json, memory_limit=memory_limit)

    engine = fresh()  # built before the first job arrives: a warm worker only runs the page
    try:
        conn.send_bytes(b"W")  # start-up is over: from now on the pool times pages, not us
    except (OSError, ValueError):
        return
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if message[:1] != b"R":
            return
        result = run_job(engine, json.loads(message[1:]))
        try:
            conn.send_bytes(b"D" + json.dumps(result).encode("utf-8", "surrogatepass"))
        except (OSError, ValueError):
            return
        if result.get("outOfMemory"):
            return  # the runtime is spent: the server replaces this worker
        engine = fresh()


def run_job(engine: Engine, job: dict[str, Any]) -> dict[str, Any]:
    """Run a page's segments in order in one engine; report how it ended."""
    try:
        for segment in job["segments"]:
            if segment["kind"] == "js":
                engine.run(segment["text"], segment["line"])
            else:
                engine.emit(segment["kind"], segment["text"])
    except ScriptFailure as failure:
        return {"error": {"name": failure.name, "message": failure.message,
                          "detail": failure.detail}, "outOfMemory": failure.out_of_memory}
    return {}
