"""What every benchmark of scripts/bench.py shares: the request, the one timer, servers to load
and to watch."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

#: The demo client's RequestToken body, as a client app sends it.
TOKEN_BODY = json.dumps({"operation": "RequestToken", "grant_type": "client_credentials",
                         "client_id": "demo-client", "client_secret": "demo-secret"}).encode()
#: An HTTPProperties row like the token page's own, to pre-fill a store.
LOG_ROW = {"Browser": "{}", "ClientIP": "127.0.0.1", "HasSSL": "False", "IsSSL": "False",
           "Method": "POST", "QueryString": "", "ReferrerURL": "",
           "RequestURL": "http://127.0.0.1/token", "UserAgent": "bench"}
#: The mcemu command of the interpreter running the benchmarks.
MCEMU = str(Path(sys.executable).with_name("mcemu"))


def median_time(call: Callable[[], object], runs: int, warmup: int = 0) -> float:
    """Return the median wall time of ``call`` in seconds over ``runs`` calls after ``warmup``."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def median_us(call: Callable[[], object], count: int) -> float:
    """Return the median of ``count`` calls in microseconds, after a short warm-up."""
    return median_time(call, count, warmup=min(20, count)) * 1e6


def free_port() -> int:
    """Return a loopback port free right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(argv: list[str], port: int, *, stderr: IO[bytes] | int = subprocess.DEVNULL,
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it accepts connections on ``port``.

    ``stderr`` receives its log (discarded by default); ``env`` replaces its environment.
    """
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return process
            except OSError:
                time.sleep(0.1)
    except BaseException:  # Ctrl-C while it starts: it must not outlive the benchmark
        stop_server(process)
        raise
    stop_server(process)
    raise RuntimeError(f"{argv[0]} did not start listening on port {port}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Ask a server process to stop (SIGTERM); kill it if it has not within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def start_mcemu(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``mcemu serve --quiet`` on a free port with ``args``; return it and its base URL."""
    port = free_port()
    process = start_server([MCEMU, "serve", "--quiet", "--port", str(port), *args], port)
    return process, f"http://127.0.0.1:{port}"


def process_memory(pid: int) -> dict[str, int]:
    """Return process ``pid``'s ``VmRSS`` (now) and ``VmHWM`` (peak) in bytes (Linux /proc)."""
    figures = {"VmRSS": 0, "VmHWM": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in figures:
                figures[name] = int(value.split()[0]) * 1024  # the kernel says kB
    except (OSError, ValueError):
        pass  # the process is gone: nothing to count
    return figures


def descendants(pid: int) -> list[int]:
    """Return the ids of ``pid``'s child processes and theirs (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # ended while we looked
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return found


def raise_open_files(needed: int) -> int:
    """Raise this process's soft limit of open files to at least ``needed`` (up to the hard
    limit); return the soft limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft
