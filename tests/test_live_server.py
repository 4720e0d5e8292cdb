"""LiveServer.stop when the process has already broken its wake-up pipe."""

from __future__ import annotations

import os
import socket

import pytest
import requests

from emulator.testing import LiveServer


def test_stop_closes_the_listener_even_when_the_wake_up_pipe_is_gone() -> None:
    server = LiveServer().start()
    assert requests.get(server.url_for("/_emulator/health"), timeout=5).status_code == 200
    port = server.port
    # What a double close elsewhere in the process does to waitress's trigger: its write end
    # names a descriptor that is no longer open.
    dead_read, dead_write = os.pipe()
    os.close(dead_read)
    os.close(dead_write)
    server._server.trigger.trigger = dead_write
    server.stop()  # must not raise EBADF over the caller's own error
    assert not server.started
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
