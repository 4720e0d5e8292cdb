#!/usr/bin/env python3
"""Benchmark the token page in-process, as ratios to a baseline measured in the same run.

Baseline: a bare Flask endpoint returning ``{}`` through the same test client (the "bare"
variant of ../shared/reference/perf-baseline.md). Measured: POST /token (success branch) with the
HTTPProperties table pre-filled to several sizes, on the memory store and on a --db file.
Prints median microseconds per request and the ratio to the baseline; asserts nothing.
``--http`` also serves both apps with waitress on 127.0.0.1 and loads them from 16 client
threads (requests sessions), printing requests per second, p50 and p99.

    .venv/bin/python scripts/bench_token.py [--requests 300] [--sizes 0,1000,10000] [--http]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from benchlib import TOKEN_BODY as BODY
from benchlib import median_us
from flask import Flask

from emulator.app import create_app
from emulator.runtime import get_emulator


def bare_app() -> Flask:
    app = Flask("bare")
    app.add_url_rule("/token", "token", lambda: {}, methods=["POST"])
    return app


def prefill(app: Flask, rows: int) -> None:
    store = get_emulator(app).store
    row = {"Browser": "{}", "ClientIP": "127.0.0.1", "HasSSL": "False", "IsSSL": "False",
           "Method": "POST", "QueryString": "", "ReferrerURL": "",
           "RequestURL": "http://localhost/token", "UserAgent": "bench"}
    for start in range(0, rows, 1000):
        store.add_rows("HTTPProperties", [dict(row) for _ in range(min(1000, rows - start))])


def http_load(app: Flask, clients: int, per_client: int) -> tuple[float, float, float]:
    """Serve ``app`` on a free port; return (requests/s, p50 ms, p99 ms) for POST /token."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}/token"

    def client(_: int) -> list[float]:
        times = []
        with requests.Session() as session:
            for _ in range(per_client):
                started = time.perf_counter()
                session.post(url, data=BODY, timeout=30).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        samples = sorted(t for times in pool.map(client, range(clients)) for t in times)
    elapsed = time.perf_counter() - started
    server.close()
    server.task_dispatcher.shutdown(timeout=5)
    return (len(samples) / elapsed, samples[len(samples) // 2],
            samples[int(len(samples) * 0.99) - 1])


def main() -> int:
    logging.disable(logging.WARNING)  # the per-request warnings would drown the figures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sizes", default="0,1000,10000")
    parser.add_argument("--http", action="store_true", help="also load both apps over HTTP")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    bare = bare_app().test_client()
    baseline = median_us(lambda: bare.post("/token", data=BODY), args.requests)
    print(f"baseline (bare Flask endpoint): {baseline:8.0f} us/request  ratio 1.00")
    with tempfile.TemporaryDirectory() as scratch:
        for storage in ("memory", "file"):
            for size in sizes:
                config = {"db": str(Path(scratch) / f"{storage}-{size}.json")} \
                    if storage == "file" else {}
                app = create_app(config)
                prefill(app, size)
                client = app.test_client()
                median = median_us(lambda c=client: c.post("/token", data=BODY),
                                     args.requests)
                get_emulator(app).close()
                print(f"token page, {storage:6} store, {size:>6} log rows: {median:8.0f} "
                      f"us/request  ratio {median / baseline:6.2f}")
    if args.http:
        rps, p50, p99 = http_load(bare_app(), 16, 50)
        print(f"HTTP, 16 clients, bare Flask endpoint: {rps:6.0f} req/s  p50 {p50:5.1f} ms  "
              f"p99 {p99:5.1f} ms  ratio 1.00")
        for storage in ("memory", "file"):
            with tempfile.TemporaryDirectory() as scratch:
                config = {"db": str(Path(scratch) / "http.json")} if storage == "file" else {}
                app = create_app(config)
                token_rps, p50, p99 = http_load(app, 16, 50)
                get_emulator(app).close()
            print(f"HTTP, 16 clients, token page, {storage:6} store: {token_rps:6.0f} req/s  "
                  f"p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  ratio {token_rps / rps:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
