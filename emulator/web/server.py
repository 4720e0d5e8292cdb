"""Serve an app on waitress until Ctrl-C or SIGTERM, then close the store cleanly."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

from flask import Flask
from waitress.server import create_server

from emulator.runtime import get_emulator


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by a stop signal, to leave waitress's loop.

    A KeyboardInterrupt, because waitress's loop swallows any other exception raised while it
    dispatches a socket event, and re-raises only these.
    """


def serve(app: Flask, host: str, port: int, *, threads: int = 4,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one) until stopped.

    On Ctrl-C or SIGTERM the listener closes, requests in flight finish, and the store folds its
    journal into the ``--db`` file; further stop signals are ignored until that is done.
    """
    # Bind first, ourselves: a port in use then fails before waitress starts threads or pipes.
    listener = _listen(host, port)
    server = create_server(app, sockets=[listener], threads=threads, ident="mc-emulator")
    url = f"http://{_url_host(host)}:{server.effective_port}"  # type: ignore[union-attr]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _raise_stop)
    try:
        if on_ready is not None:
            on_ready(url)
        server.run()
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        # A second Ctrl-C or SIGTERM while stopping would cut the journal's fold short: ignore.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        try:
            server.close()
            # Let requests in flight finish before the store writes its last state.
            server.task_dispatcher.shutdown(timeout=10)
            get_emulator(app).close()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


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
