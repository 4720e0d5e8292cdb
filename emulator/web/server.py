"""Serve an app on waitress until Ctrl-C or SIGTERM, then close the store cleanly.

Sized for a test server rather than a public site: up to ``--connection-limit`` connections
(idle keep-alive clients do not lock others out), idle ones closed after ``--idle-timeout``,
threads enough that the built-in pages and the admin API answer while every SSJS worker is busy
(:mod:`emulator.ssjs.admission`), a body over its route's limit refused as soon as its headers
say so (or a chunked one once it passes), and a stop that ends within ``--drain-timeout``.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server
from waitress.task import WSGITask
from waitress.utilities import RequestEntityTooLarge

from emulator.config import Settings
from emulator.runtime import Emulator, get_emulator
from emulator.web.admin.safety import ADMIN_MAX_BODY
from emulator.web.faults import TRANSPORT_KEY, ConnectionDropped
from emulator.web.memory import return_large_blocks_to_the_os

log = logging.getLogger("emulator.server")

#: Threads for everything but SSJS pages (built-in pages, REST routes, admin API, dashboard);
#: the SSJS admission's capacity is added on top, so those never wait behind a slow page.
BASE_THREADS = 4
#: Descriptors kept apart from connections: the store and its journal, the SSJS workers' pipes,
#: the log, spooled bodies.
RESERVED_FILES = 64
#: waitress counts its listener and its wake-up pipe against its connection limit.
_NOT_CLIENTS = 2
_LOOP_STEP = 0.05  # seconds: how often the drain looks at what is left
#: Seconds a thread may hold the GIL while another waits for it (Python's default: 0.005). A
#: request thread back from a system call (a log line, a socket write) waits up to this long,
#: often while holding something others need; under load on POST /token a millisecond gave
#: 13 % more requests per second than the default (scripts/bench.py http).
SWITCH_INTERVAL = 0.001


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by a stop signal, to leave waitress's loop.

    A KeyboardInterrupt, because waitress's loop swallows any other exception raised while it
    dispatches a socket event, and re-raises only these.
    """


def serve(app: Flask, host: str, port: int, *, threads: int | None = None,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one) until stopped.

    On Ctrl-C or SIGTERM the listener closes and idle connections with it; requests in flight
    get until ``--drain-timeout`` to be answered; then SSJS workers still running are killed and
    the store folds its journal into the ``--db`` file. Further stop signals are ignored
    meanwhile.
    """
    emulator = get_emulator(app)
    return_large_blocks_to_the_os()  # a request's large bodies do not stay resident after it
    sys.setswitchinterval(SWITCH_INTERVAL)  # the process is the server's alone
    # Bind first, ourselves: a port in use then fails before waitress starts threads or pipes.
    listener = _listen(host, port)
    options = server_options(emulator, connection_limit=fit_connection_limit(
        emulator.settings.connection_limit))
    if threads is not None:
        options["threads"] = threads
    server = create_server(app, sockets=[listener], **options)
    server.channel_class = channel_class(emulator.settings)  # type: ignore[union-attr]
    url = f"http://{_url_host(host)}:{server.effective_port}"  # type: ignore[union-attr]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _raise_stop)
    try:
        if on_ready is not None:
            on_ready(url)
        # Not server.run(): on a stop it waits for the threads with the loop halted, so the
        # answers of requests in flight would never be sent.
        wasyncore.loop(timeout=server.adj.asyncore_loop_timeout,  # type: ignore[union-attr]
                       map=server._map, use_poll=True)  # type: ignore[union-attr]
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        # A second Ctrl-C or SIGTERM while stopping would cut the journal's fold short: ignore.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        try:
            deadline = time.monotonic() + emulator.settings.drain_timeout
            _drain(server, deadline)
            server.task_dispatcher.shutdown(  # type: ignore[union-attr]
                timeout=max(0.0, deadline - time.monotonic()))
            emulator.close()  # kills SSJS workers still running a page, then folds the store
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def server_options(emulator: Emulator, *, connection_limit: int | None = None) -> dict[str, Any]:
    """Return waitress's adjustments for ``emulator``'s settings."""
    settings = emulator.settings
    pages = emulator.pages
    ssjs_threads = pages.runner.admission.capacity if pages is not None else 0
    return {
        "threads": BASE_THREADS + ssjs_threads,
        "ident": "mc-emulator",
        "connection_limit": (connection_limit or settings.connection_limit) + _NOT_CLIENTS,
        "channel_timeout": settings.idle_timeout,
        "cleanup_interval": 1,  # idle connections are looked for every second, not every 30
        # select() cannot watch a descriptor past 1023: hundreds of connections need poll()
        "asyncore_use_poll": True,
        # a backstop: the channel's parser refuses a body over its own route's limit first
        "max_request_body_size": _admin_limit(settings) + 1,
    }


def channel_class(settings: Settings) -> type[HTTPChannel]:
    """Return waitress's channel class, its parser holding the body limits of ``settings``."""

    class Parser(_LimitedParser):
        page_limit = settings.max_body
        admin_limit = _admin_limit(settings)

    class Channel(HTTPChannel):
        parser_class = Parser
        task_class = _DroppingTask

    return Channel


class _DroppingTask(WSGITask):
    """Serve a request; when a fault drops it, close the connection with nothing sent."""

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[TRANSPORT_KEY] = "server"  # this way in can drop a connection (web/faults.py)
        return environ

    def service(self) -> None:
        try:
            super().service()
        except ConnectionDropped:
            # Raised before the status line was written: waitress closes the socket unanswered.
            self.close_on_finish = True


def fit_connection_limit(wanted: int) -> int:
    """Raise the open-files limit to its ceiling; return ``wanted``, lowered to fit it."""
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to raise, nothing known to fit
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else wanted + RESERVED_FILES
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as error:  # macOS caps it below an unlimited hard limit
            log.info("could not raise the open-files limit to %s: %s", target, error)
    if soft != resource.RLIM_INFINITY and wanted > soft - RESERVED_FILES:
        fitted = max(1, soft - RESERVED_FILES)
        log.warning("--connection-limit %d lowered to %d: the process may open %d files "
                    "(ulimit -n)", wanted, fitted, soft)
        return fitted
    return wanted


def _admin_limit(settings: Settings) -> int:
    return max(settings.max_body, ADMIN_MAX_BODY)  # web/admin/safety.py guard()


class BodyTooLarge(RequestEntityTooLarge):
    """A body over its route's limit, answered with the emulator's JSON refusal."""

    def __init__(self, limit: int, size: int | None, admin: bool) -> None:
        super().__init__(f"exceeds the limit of {limit} bytes")
        self.limit, self.size, self.admin = limit, size, admin

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        if self.admin:  # the same words as web/admin/safety.py's refusal
            message = (f"The admin request body is larger than {self.limit} bytes. Seed large "
                       "data into the --db file with 'mcemu seed --db FILE' before serving, or "
                       "send the Data Extensions in several requests.")
        else:  # and as web/refusals.py's
            given = f"{self.size} bytes" if self.size is not None else "larger than that"
            message = (f"The request body is {given}; the emulator accepts at most {self.limit} "
                       "bytes. Raise the limit with --max-body or MCEMU_MAX_BODY.")
        body = json.dumps({"emulator_error": "body_too_large", "message": message,
                           "limit": self.limit}).encode()
        return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body


class _LimitedParser(HTTPRequestParser):
    """Refuse a body over its route's limit before reading it, or a chunked one once it passes.

    waitress reads a whole body before the app runs, so the app's own limit (Flask's
    MAX_CONTENT_LENGTH) would answer only after a large upload was spooled to disk. Such a
    request is never journaled: the app never sees it.
    """

    page_limit: int
    admin_limit: int

    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        error = self.error
        if not self.headers_finished or isinstance(error, BodyTooLarge):
            return consumed
        if error is not None and not isinstance(error, RequestEntityTooLarge):
            return consumed  # another error (a bad request line, a bad chunk): waitress's
        path = getattr(self, "path", "")  # unset for a blank request
        admin = path == "/_emulator" or path.startswith("/_emulator/")
        limit = self.admin_limit if admin else self.page_limit
        size = len(self.body_rcv) if self.chunked and self.body_rcv is not None else None
        if error is not None or (size if size is not None else self.content_length) > limit:
            self.error = BodyTooLarge(limit, None if self.chunked else self.content_length,
                                      admin)
            self.completed = True
            # waitress would otherwise send "100 Continue" and have the client send it all
            self.expect_continue = False
        return consumed


def _drain(server: Any, deadline: float) -> None:
    """Answer the requests in flight until ``deadline``; take no new connection or request."""
    wasyncore.dispatcher.close(server)  # the listener only: tasks still wake the loop
    dispatcher = server.task_dispatcher
    while True:
        channels = [item for item in server._map.values() if isinstance(item, HTTPChannel)]
        for channel in channels:
            if not channel.requests:  # idle, or its answer is queued: send it, then close
                channel.close_when_flushed = True
        busy = channels or dispatcher.queue or dispatcher.active_count
        if not busy or time.monotonic() >= deadline:
            if busy:
                log.warning("stopping with %d request(s) unanswered after --drain-timeout",
                            len([c for c in channels if c.requests]))
            return
        wasyncore.loop(timeout=_LOOP_STEP, map=server._map, use_poll=True, count=1)


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(1024)
    except OSError:
        listener.close()
        raise
    return listener


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
