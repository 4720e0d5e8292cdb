"""A live emulator server for tests: waitress on 127.0.0.1 in a background thread.

For clients the ``responses`` mock cannot reach (``httpx``, ``urllib``, another language): they
talk real HTTP to :attr:`LiveServer.url`. ``emulator.web.server.serve`` owns the process's
signals and runs until one arrives; this one is stopped by the test that started it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from waitress.server import create_server

from emulator.app import create_app
from emulator.runtime import Emulator, get_emulator
from emulator.store.store import Store
from emulator.testing.errors import AlreadyStartedError, NotStartedError
from emulator.testing.handle import EmulatorHandle
from emulator.web.server import channel_class, server_options

STOP_TIMEOUT = 10.0  # seconds for requests in flight to finish


class LiveServer:
    """Serve a fresh emulator app (memory store unless ``db`` is given) on a free port."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, threads: int = 4) -> None:
        self.config = dict(config or {})
        self.host = host
        self.port = port
        self.threads = threads
        self._app: Flask | None = None
        self._server: Any = None
        self._socket_map: dict[int, Any] = {}
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> LiveServer:
        """Build the app, listen, and serve from a daemon thread; return self."""
        if self._app is not None:
            raise AlreadyStartedError("This LiveServer is already serving at " + self.url)
        app = create_app({"db": None, **self.config})
        try:
            self._socket_map = {}
            # mcemu serve's options and channel: the same body limits, and faults that drop.
            options = {**server_options(get_emulator(app)), "threads": self.threads}
            self._server = create_server(app, map=self._socket_map, host=self.host,
                                         port=self.port, **options)
            self._server.channel_class = channel_class(get_emulator(app).settings)
        except BaseException:
            get_emulator(app).close()
            raise
        self._app = app
        self.port = int(self._server.effective_port)  # waitress reports it as text
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{self.port}"
        self._thread = threading.Thread(target=self._server.run, name=f"mcemu-live-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection, wait for the workers, close the store."""
        if self._app is None:
            raise NotStartedError("stop() called on a LiveServer that is not started.")
        server, thread, app = self._server, self._thread, self._app
        self._app = self._server = self._thread = None
        try:
            # Workers first: a worker still finishing a request would otherwise close its channel
            # while the loop closes it too, and a double close can hit a reused descriptor (seen
            # as EBADF in a later server's trigger).
            server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT)
            # waitress's loop is not thread-safe: close its sockets from inside it, through its
            # trigger; the loop ends when its socket map is empty.
            close_all = self._close_sockets(server)
            try:
                server.trigger.pull_trigger(close_all)
            except OSError:
                # The trigger's descriptor is gone (closed twice by someone else in this process,
                # then reused): the loop cannot be woken and has stopped on the same error, so
                # close from here rather than hide whatever the caller was reporting. The dead
                # descriptor leaves waitress's list so its close reaches the pipe's other end.
                trigger = server.trigger
                trigger._fds = [fd for fd in trigger._fds if fd != trigger.trigger]
                close_all()
            if thread is not None:
                thread.join(STOP_TIMEOUT)
        finally:
            get_emulator(app).close()

    def wait_idle(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Wait until no request is queued or being answered; return False after ``timeout``.

        The pytest plugin calls it before rolling the state back after a test, so a request
        still in flight cannot write into the next test's state.
        """
        dispatcher = self._server.task_dispatcher if self._server is not None else None
        if dispatcher is None:
            return True
        deadline = time.monotonic() + timeout
        while True:
            with dispatcher.lock:
                if not dispatcher.active_count and not dispatcher.queue:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.0005)

    def _close_sockets(self, server: Any) -> Any:
        socket_map = self._socket_map

        def close_all() -> None:
            for channel in list(socket_map.values()):
                if channel is not server and channel is not server.trigger:
                    with contextlib.suppress(OSError):
                        channel.handle_close()
            with contextlib.suppress(OSError):
                server.close()  # the listener, then the trigger

        return close_all

    @property
    def started(self) -> bool:
        return self._app is not None

    @property
    def app(self) -> Flask:
        if self._app is None:
            raise NotStartedError("This LiveServer is not started.")
        return self._app

    @property
    def emulator(self) -> Emulator:
        return get_emulator(self.app)

    @property
    def store(self) -> Store:
        return self.emulator.store

    @property
    def handle(self) -> EmulatorHandle:
        """The state behind this server: ``seed``, ``rows``, ``calls``, ``assert_called``..."""
        return EmulatorHandle(self.app)

    def url_for(self, path: str) -> str:
        """Return the full URL of ``path`` on this server."""
        return self.url + (path if path.startswith("/") else "/" + path)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LiveServer {self.url or 'not started'}>"
