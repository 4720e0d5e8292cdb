#!/usr/bin/env python3
"""Benchmarks of mc-emulator, as ratios to a baseline measured in the same run; asserts nothing.

    .venv/bin/python scripts/bench.py SUBCOMMAND [options]     (SUBCOMMAND --help for each)

http    throughput of ``POST /token`` over loopback against a bare Flask + PyJWT endpoint
rest-token throughput of ``POST /v2/token`` against the CloudPage ``POST /token``, same server
growth  p50 of ``POST /token`` as the HTTPProperties table grows, against 0 rows
seed    seeding a new --db file against json.load + json.dump of the same data
stop    what a stop under load keeps, against the loss window's bound
page    the token page in-process against a bare Flask endpoint (``--http``: also over HTTP)
mock    a request through the ``responses`` mock against the Flask test client
ssjs    the built-in pages run verbatim from SSJS against their Python ports
hostile what hostile pages and requests do to the server, next to its targets
outbound a page with one stubbed outbound call against the same page without it
tests   N generated pytest tests through each mcemu fixture against bare ``responses`` stubs

Every figure comes from :func:`benchkit.median_time` (the median of N calls after a warm-up),
except ``http``'s, which come from the load generator, ``hostile``'s, which are single
requests timed against their targets, and ``tests``', which are pytest's own test loop.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchkit import (
    LOG_ROW,
    MCEMU,
    TOKEN_BODY,
    descendants,
    free_port,
    median_time,
    median_us,
    process_memory,
    raise_open_files,
    start_mcemu,
    start_server,
    stop_server,
)

JSON = {"Content-Type": "application/json"}

# --- seed ----------------------------------------------------------------------------------------

SEED_HELP = """Seeding N rows into a new --db file, from a JSON DE file and from a CSV one, through
the code ``mcemu seed`` runs (reading, checking every row, one transaction, one save). Baseline: a
plain json.load of the JSON DE file plus a json.dump of the same data to a file. Prints the
baseline, each measurement (the median of --runs) and the ratio."""

FIELDS = ["Id", "Email", "FirstName", "LastName", "City", "Country", "Phone", "Segment", "Note"]


def write_fixtures(folder: Path, rows: int) -> tuple[Path, Path]:
    """Write the same DE as ``json/Contacts.json`` (rows inline) and ``csv/Contacts.{json,csv}``."""
    import csv

    schema = {"key": "Contacts", "name": "Contacts",
              "fields": [{"name": "Id", "type": "Text", "length": 20, "primaryKey": True}]
              + [{"name": name, "type": "Text", "length": 100} for name in FIELDS[1:]]}
    data = [{"Id": f"c{i:07d}", "Email": f"person{i}@example.com", "FirstName": f"First{i}",
             "LastName": f"Last{i}", "City": "Springfield", "Country": "US",
             "Phone": f"+1-555-{i % 10000:04d}", "Segment": f"segment-{i % 7}",
             "Note": "seeded by scripts/bench.py"} for i in range(rows)]
    json_dir, csv_dir = folder / "json", folder / "csv"
    json_dir.mkdir()
    csv_dir.mkdir()
    json_file = json_dir / "Contacts.json"
    json_file.write_text(json.dumps({**schema, "rows": data}), encoding="utf-8")
    (csv_dir / "Contacts.json").write_text(json.dumps(schema), encoding="utf-8")
    with open(csv_dir / "Contacts.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows(data)
    return json_file, csv_dir / "Contacts.json"


def bench_seed(rows: int, runs: int) -> None:
    import itertools

    from emulator.fixtures.seeding import load_seed_paths, seed_db_file

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        json_file, csv_file = write_fixtures(folder, rows)
        run_number = itertools.count()  # each run writes a new file

        def baseline() -> None:
            with open(json_file, encoding="utf-8") as handle:
                data = json.load(handle)
            with open(folder / f"baseline-{next(run_number)}.json", "w",
                      encoding="utf-8") as handle:
                json.dump(data, handle)

        def seed(source: Path, label: str) -> Callable[[], object]:
            return lambda: seed_db_file(folder / f"{label}-{next(run_number)}.json",
                                        load_seed_paths([source]))

        base = median_time(baseline, runs)
        print(f"seeding {rows} rows x {len(FIELDS)} fields into a new --db file, "
              f"median of {runs} runs")
        print(f"  baseline json.load + json.dump: {base:8.3f} s")
        for label, source in (("JSON rows", json_file), ("CSV rows", csv_file)):
            seconds = median_time(seed(source, label.split()[0].lower()), runs)
            print(f"  mcemu seed, {label:9}:      {seconds:8.3f} s   ratio {seconds / base:5.2f}")


# --- http ----------------------------------------------------------------------------------------

HTTP_HELP = """Throughput over loopback. The baseline is a bare Flask endpoint that parses the JSON
body and signs it with PyJWT, on waitress with 4 threads; the emulator is ``mcemu serve``
(waitress, 4 threads) answering POST /token. Both are loaded with the same concurrency in
alternating rounds, by wrk (installed with apt-get when missing and run as root) or else a
multi-process Python client. Prints requests/s, p50, p99, client and server CPU and the
emulator/baseline ratio; a round whose client used more than 80 % of a core is marked
client-bound and left out of the medians."""


def serve_baseline(port: int) -> None:
    """Serve the baseline: parse the JSON body, sign it with PyJWT (HS256)."""
    from flask import Flask, request
    from jwt import api_jws
    from waitress import serve

    app = Flask("baseline")

    @app.post("/token")
    def token() -> dict[str, str]:
        raw = request.get_data(cache=True)
        request.get_json(force=True)
        signed = api_jws.encode(raw, "baseline-signing-key", algorithm="HS256")
        return {"access_token": signed, "token_type": "Bearer"}

    serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)


def process_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) process ``pid`` has used (Linux /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def find_wrk() -> str | None:
    """Return wrk's path, installing it with apt-get when missing and running as root."""
    import os
    import shutil
    import subprocess

    if shutil.which("wrk") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing it with apt-get ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=False)
    return shutil.which("wrk")


def wrk_round(wrk: str, url: str, connections: int, duration: float,
              body: bytes = TOKEN_BODY, headers: Mapping[str, str] | None = None
              ) -> dict[str, float]:
    import re
    import subprocess

    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(f"wrk.method = 'POST'\nwrk.body = {json.dumps(body.decode())}\n"
                     "wrk.headers['Content-Type'] = 'application/json'\n")
        for name, value in (headers or {}).items():
            script.write(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n")
        script.flush()
        out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{max(1, round(duration))}s",
                              "--timeout", "5s", "--latency", "-s", script.name, url],
                             capture_output=True, text=True, check=True).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def percentile(p: str) -> float:
        found = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(found.group(1)) * scale[found.group(2)] if found else float("nan")

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": percentile("50"), "p99": percentile("99"),
            "errors": float(bad.group(1)) if bad else 0.0, "socket_errors": bool(errors)}


def _python_client(url: str, threads: int, until: float, results: Any,
                   body: bytes = TOKEN_BODY, headers: Mapping[str, str] | None = None) -> None:
    """One client process: ``threads`` keep-alive connections posting until ``until``."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def loop() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        while time.monotonic() < until:
            started = time.perf_counter()
            connection.request("POST", parts.path, body, {**JSON, **(headers or {})})
            answer = connection.getresponse()
            answer.read()
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status >= 300:
                with lock:
                    errors[0] += 1
        connection.close()
        with lock:
            samples.extend(mine)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((samples, errors[0]))


def python_round(url: str, connections: int, duration: float,
                 body: bytes = TOKEN_BODY, headers: Mapping[str, str] | None = None
                 ) -> dict[str, float]:
    import multiprocessing

    processes = min(4, connections)
    results: Any = multiprocessing.Queue()
    until = time.monotonic() + duration
    workers = [multiprocessing.Process(target=_python_client, args=(
        url, connections // processes + (i < connections % processes), until, results, body,
        headers))
        for i in range(processes)]
    for worker in workers:
        worker.start()
    gathered = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    samples = sorted(t for part, _ in gathered for t in part)
    return {"rps": len(samples) / duration, "p50": samples[len(samples) // 2],
            "p99": samples[max(0, int(len(samples) * 0.99) - 1)],
            "errors": float(sum(e for _, e in gathered)), "socket_errors": False}


def bench_http(rounds: int, duration: float, connections: int, store: str) -> None:
    wrk = find_wrk()
    client = f"wrk -t2 -c{connections}" if wrk else f"4 Python client processes, {connections} "\
        "connections (wrk not found: expect client-bound rounds)"
    with tempfile.TemporaryDirectory() as scratch:
        ports = {"baseline": free_port(), "emulator": free_port()}
        db = ["--db", str(Path(scratch) / "bench.json")] if store == "file" else []
        servers = {
            "baseline": start_server([sys.executable, __file__, "_baseline",
                                      str(ports["baseline"])], ports["baseline"]),
            "emulator": start_server([MCEMU, "serve", "--quiet", "--port",
                                      str(ports["emulator"]), *db], ports["emulator"]),
        }
        print(f"POST /token over loopback, {client}, {duration:g} s rounds, "
              f"emulator store: {store}")
        results: dict[str, list[dict[str, float]]] = {"baseline": [], "emulator": []}
        try:
            for number in range(1, rounds + 1):
                for name in ("baseline", "emulator") if number % 2 else ("emulator", "baseline"):
                    url = f"http://127.0.0.1:{ports[name]}/token"
                    server_before, client_before = process_cpu(servers[name].pid), children_cpu()
                    started = time.monotonic()
                    figures = (wrk_round(wrk, url, connections, duration) if wrk
                               else python_round(url, connections, duration))
                    elapsed = time.monotonic() - started
                    figures["server_cpu"] = (process_cpu(servers[name].pid)
                                             - server_before) / elapsed
                    figures["client_cpu"] = (children_cpu() - client_before) / elapsed
                    figures["valid"] = figures["client_cpu"] <= 0.8 and not figures["errors"]
                    results[name].append(figures)
                    print(f"  round {number} {name:8}: {figures['rps']:7.0f} req/s  p50 "
                          f"{figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms  server CPU "
                          f"{figures['server_cpu']:4.0%}  client CPU {figures['client_cpu']:4.0%}"
                          f"  non-2xx {figures['errors']:.0f}"
                          + ("" if figures["valid"] else "  INVALID (client-bound or errors)"),
                          flush=True)
        finally:
            for process in servers.values():
                stop_server(process)
    ratios = [e["rps"] / b["rps"] for b, e in zip(results["baseline"], results["emulator"],
                                                   strict=True) if b["valid"] and e["valid"]]
    for name, runs in results.items():
        valid = [r for r in runs if r["valid"]]
        if valid:
            print(f"  {name:8} median of {len(valid)} valid rounds: "
                  f"{statistics.median(r['rps'] for r in valid):7.0f} req/s  p50 "
                  f"{statistics.median(r['p50'] for r in valid):6.1f} ms  p99 "
                  f"{statistics.median(r['p99'] for r in valid):6.1f} ms")
    if ratios:
        print(f"  ratio emulator/baseline (same round): "
              f"{' '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}"
              f" (target >= 0.70)")
    else:
        print("  no valid round pair: no ratio")


# --- rest-token ----------------------------------------------------------------------------------

REST_TOKEN_HELP = """Token requests over loopback to one mcemu serve: POST /v2/token (the REST API,
the demo package's client credentials) against POST /token (the CloudPage) on the same server and
store, in alternating rounds with the http mode's load generator, and a hub rowset POST of 50 rows
(an upsert into AppCredentials, the same rows every time) the same way. Targets: the REST token at
least 0.9x the CloudPage's requests per second, the hub rowset at least 0.5x."""
REST_TOKEN_BODY = json.dumps({"grant_type": "client_credentials",
                              "client_id": "mcemu-demo-client-id",
                              "client_secret": "mcemu-demo-client-secret"}).encode()


def bench_rest_token(rounds: int, duration: float, connections: int, store: str) -> None:
    """Print /v2/token against /token requests per second, round by round, and their ratio."""
    wrk = find_wrk()
    client = f"wrk -t2 -c{connections}" if wrk else f"4 Python client processes, {connections} "\
        "connections (wrk not found: expect client-bound rounds)"
    variants = {"page": ("/token", TOKEN_BODY), "rest": ("/v2/token", REST_TOKEN_BODY),
                "hub": (HUB_PATH, HUB_BODY)}
    with tempfile.TemporaryDirectory() as scratch:
        db = ["--db", str(Path(scratch) / "bench.json")] if store == "file" else []
        server, base = start_mcemu(*db)
        print(f"POST /v2/token and a hub rowset of 50 rows against POST /token, one server, "
              f"{client}, {duration:g} s rounds, store: {store}")
        results: dict[str, list[dict[str, float]]] = {"page": [], "rest": [], "hub": []}
        try:
            bearer = {"Authorization": "Bearer " + _rest_token(base)}
            for number in range(1, rounds + 1):
                order = ("page", "rest", "hub") if number % 2 else ("hub", "rest", "page")
                for name in order:
                    path, body = variants[name]
                    headers = bearer if name == "hub" else None
                    client_before = children_cpu()
                    started = time.monotonic()
                    figures = (wrk_round(wrk, base + path, connections, duration, body, headers)
                               if wrk else python_round(base + path, connections, duration, body,
                                                        headers))
                    elapsed = time.monotonic() - started
                    figures["client_cpu"] = (children_cpu() - client_before) / elapsed
                    figures["valid"] = not figures["errors"]
                    results[name].append(figures)
                    print(f"  round {number} {name:4} {path:10}: {figures['rps']:7.0f} req/s  "
                          f"p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
                          f"non-2xx {figures['errors']:.0f}"
                          + ("" if figures["valid"] else "  INVALID (errors)"), flush=True)
        finally:
            stop_server(server)
    for name, label, target in (("rest", "/v2/token", 0.9), ("hub", "hub rowset", 0.5)):
        ratios = [r["rps"] / p["rps"] for p, r in zip(results["page"], results[name], strict=True)
                  if p["valid"] and r["valid"]]
        if ratios:
            print(f"  ratio {label} / /token (same round): {' '.join(f'{r:.2f}' for r in ratios)}"
                  f"; median {statistics.median(ratios):.2f} (target >= {target:.2f})")
        else:
            print(f"  {label}: no valid round pair, no ratio")


#: A hub rowset of 50 rows, upserted into the shipped AppCredentials DE on every request.
HUB_PATH = "/hub/v1/dataevents/key:AppCredentials/rowset"
HUB_BODY = json.dumps([{"keys": {"client_id": f"bench-{i}"},
                        "values": {"client_secret": "s", "signing_secret": "x" * 32}}
                       for i in range(50)]).encode()


def _rest_token(base: str) -> str:
    """Return an access token of the demo package from the server at ``base``."""
    import urllib.request

    asked = urllib.request.Request(base + "/v2/token", REST_TOKEN_BODY, JSON)
    with urllib.request.urlopen(asked, timeout=10) as answer:
        return json.loads(answer.read())["access_token"]


# --- growth --------------------------------------------------------------------------------------

GROWTH_HELP = """The emulator's p50 for POST /token with 0, 1k, 10k and 50k HTTPProperties rows
already stored, in-process (Flask test client) and over HTTP (one connection), as ratios to the
first size's figure."""

WARMUP = 50  # requests before the timed ones: caches, allocator, connection


def prefill(store: Any, rows: int) -> None:
    """Add ``rows`` HTTPProperties rows to ``store`` in one transaction."""
    with store.transaction():
        for start in range(0, rows, 5000):
            batch = min(5000, rows - start)
            store.add_rows("HTTPProperties", [dict(LOG_ROW) for _ in range(batch)])


def prefilled_db(path: Path, rows: int) -> None:
    """Create a --db file with the default fixtures and ``rows`` more HTTPProperties rows."""
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    app = create_app({"db": str(path)})
    prefill(get_emulator(app).store, rows)
    get_emulator(app).close()


def http_p50(url: str, count: int) -> float:
    """Return the p50 in seconds of ``count`` POST /token over one keep-alive connection."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def post() -> None:
        connection.request("POST", parts.path, TOKEN_BODY, JSON)
        connection.getresponse().read()

    try:
        return median_time(post, count, warmup=WARMUP)
    finally:
        connection.close()


def bench_growth(sizes: list[int], count: int) -> None:
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    logging.disable(logging.WARNING)  # the token page's per-request warnings
    inproc: dict[int, float] = {}
    over_http: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            path = Path(scratch) / f"growth-{size}.json"
            prefilled_db(path, size)
            app = create_app({"db": str(path)})
            client = app.test_client()
            try:
                inproc[size] = median_time(lambda c=client: c.post("/token", data=TOKEN_BODY),
                                           count, warmup=WARMUP) * 1000
            finally:
                get_emulator(app).close()
            server, url = start_mcemu("--db", str(path))
            try:
                over_http[size] = http_p50(f"{url}/token", count) * 1000
            finally:
                stop_server(server)
            print(f"  {size:>6} rows: in-process p50 {inproc[size]:6.2f} ms (x"
                  f"{inproc[size] / inproc[sizes[0]]:.2f})   HTTP 1 connection p50 "
                  f"{over_http[size]:6.2f} ms (x{over_http[size] / over_http[sizes[0]]:.2f})",
                  flush=True)
    print(f"  target: p50 at {sizes[-1]} rows <= 1.3 x p50 at {sizes[0]} rows: in-process "
          f"x{inproc[sizes[-1]] / inproc[sizes[0]]:.2f}, "
          f"HTTP x{over_http[sizes[-1]] / over_http[sizes[0]]:.2f}")


# --- stop ----------------------------------------------------------------------------------------

STOP_HELP = """What a stop under load keeps. ``mcemu serve --db`` is loaded by keep-alive
connections for a few seconds, then stopped by each signal in turn (a fresh file each time); it
prints the requests answered 200, the HTTPProperties rows the file then holds, and the missing
ones against the bound the loss window allows (request rate x --flush-interval). SIGTERM and
SIGINT must lose none; SIGKILL at most the bound."""


def _stop_run(signal_name: str, seconds: float, connections: int,
              flush_interval: float) -> tuple[int, int, float]:
    """Load a fresh ``--db`` server, stop it with ``signal_name``: (answered, kept, rate)."""
    import http.client
    import signal
    import threading

    from emulator.store.store import Store

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "stop.json"
        server, url = start_mcemu("--db", str(path), "--flush-interval", str(flush_interval))
        port = int(url.rsplit(":", 1)[1])
        answered = [0]
        lock = threading.Lock()
        done = threading.Event()

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                while not done.is_set():
                    connection.request("POST", "/token", TOKEN_BODY, JSON)
                    answer = connection.getresponse()
                    answer.read()
                    if answer.status == 200:
                        with lock:
                            answered[0] += 1
            except (OSError, http.client.HTTPException):
                pass  # the server went away: what it answered before is counted
            finally:
                connection.close()

        workers = [threading.Thread(target=client) for _ in range(connections)]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        time.sleep(seconds)
        with lock:
            rate = answered[0] / (time.monotonic() - started)
        server.send_signal(getattr(signal, signal_name))
        server.wait(timeout=120)
        done.set()
        for worker in workers:
            worker.join(timeout=60)
        with Store.open(path) as store:  # the default fixtures seed no HTTPProperties rows
            kept = store.count("HTTPProperties")
        return answered[0], kept, rate


def bench_stop(signals: list[str], seconds: float, connections: int,
               flush_interval: float) -> None:
    print(f"mcemu serve --db under {connections} connections for {seconds:g} s, then a signal "
          f"(--flush-interval {flush_interval:g} s)")
    for name in signals:
        answered, kept, rate = _stop_run(name, seconds, connections, flush_interval)
        missing = max(0, answered - kept)
        bound = 0.0 if name != "SIGKILL" else rate * flush_interval
        verdict = "within" if missing <= bound else "OVER"
        print(f"  {name:7}: answered {answered:6}  kept {kept:6}  missing {missing:5}  at "
              f"{rate:5.0f} req/s; bound {bound:5.0f} (missing/bound "
              f"{missing / bound if bound else float(missing > 0):.2f}): {verdict}", flush=True)


# --- page ----------------------------------------------------------------------------------------

PAGE_HELP = """The token page in-process. Baseline: a bare Flask endpoint returning {} through the
same test client. Measured: POST /token (success branch) with the HTTPProperties table pre-filled
to several sizes, on the memory store and on a --db file. Prints the median microseconds per
request and the ratio to the baseline. --http also serves both apps with waitress on 127.0.0.1
and loads them from 16 client threads (requests sessions), printing requests/s, p50 and p99."""


def bare_app() -> Any:
    from flask import Flask

    app = Flask("bare")
    app.add_url_rule("/token", "token", lambda: {}, methods=["POST"])
    return app


def http_load(app: Any, clients: int, per_client: int) -> tuple[float, float, float]:
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
                session.post(url, data=TOKEN_BODY, timeout=30).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        samples = sorted(t for times in pool.map(client, range(clients)) for t in times)
    elapsed = time.perf_counter() - started
    # Closed from inside the server's loop: closing sockets under a running loop makes it fail.
    server.trigger.pull_trigger(lambda: [d.close() for d in list(server._map.values())])
    thread.join(timeout=5)
    server.task_dispatcher.shutdown(timeout=5)
    return (len(samples) / elapsed, samples[len(samples) // 2],
            samples[max(0, int(len(samples) * 0.99) - 1)])


def bench_page(count: int, sizes: list[int], over_http: bool, per_client: int) -> None:
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    logging.disable(logging.WARNING)  # the per-request warnings would drown the figures
    bare = bare_app().test_client()
    baseline = median_us(lambda: bare.post("/token", data=TOKEN_BODY), count)
    print(f"baseline (bare Flask endpoint): {baseline:8.0f} us/request  ratio 1.00")
    with tempfile.TemporaryDirectory() as scratch:
        for storage in ("memory", "file"):
            for size in sizes:
                config = {"db": str(Path(scratch) / f"{storage}-{size}.json")} \
                    if storage == "file" else {}
                app = create_app(config)
                try:
                    prefill(get_emulator(app).store, size)
                    client = app.test_client()
                    median = median_us(lambda c=client: c.post("/token", data=TOKEN_BODY), count)
                finally:
                    get_emulator(app).close()
                print(f"token page, {storage:6} store, {size:>6} log rows: {median:8.0f} "
                      f"us/request  ratio {median / baseline:6.2f}")
    if over_http:
        rps, p50, p99 = http_load(bare_app(), 16, per_client)
        print(f"HTTP, 16 clients, bare Flask endpoint: {rps:6.0f} req/s  p50 {p50:5.1f} ms  "
              f"p99 {p99:5.1f} ms  ratio 1.00")
        for storage in ("memory", "file"):
            with tempfile.TemporaryDirectory() as scratch:
                config = {"db": str(Path(scratch) / "http.json")} if storage == "file" else {}
                app = create_app(config)
                try:
                    token_rps, p50, p99 = http_load(app, 16, per_client)
                finally:
                    get_emulator(app).close()
            print(f"HTTP, 16 clients, token page, {storage:6} store: {token_rps:6.0f} req/s  "
                  f"p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  ratio {token_rps / rps:.2f}")


# --- mock ----------------------------------------------------------------------------------------

MOCK_HELP = """The mock's overhead per request. Baseline: POST /token (success branch) through the
Flask test client of a fresh app. Measured: the same body through requests.post to a
mock_marketing_cloud URL, which builds a PreparedRequest, goes through ``responses`` and forwards
into the same kind of app; and requests.Session().post, which skips building a session per call.
Prints the median microseconds per request of each and the ratio to the baseline."""


def bench_mock(count: int) -> None:
    import requests

    from emulator.app import create_app
    from emulator.runtime import get_emulator
    from emulator.testing import mock_marketing_cloud

    url = "https://cloud.example.com/token"
    logging.disable(logging.WARNING)  # the page's per-request warnings would drown the figures
    app = create_app({"db": None})
    client = app.test_client()
    try:
        baseline = median_us(lambda: client.post("/token", data=TOKEN_BODY, headers=JSON), count)
    finally:
        get_emulator(app).close()
    with mock_marketing_cloud("cloud.example.com"):
        through_post = median_us(lambda: requests.post(url, data=TOKEN_BODY, headers=JSON), count)
    with mock_marketing_cloud("cloud.example.com"), requests.Session() as session:
        through_session = median_us(lambda: session.post(url, data=TOKEN_BODY, headers=JSON),
                                    count)
    print(f"median of {count} calls, POST /token (success branch), memory store")
    print(f"  Flask test client (baseline)   {baseline:9.1f} us")
    print(f"  requests.post through the mock {through_post:9.1f} us   "
          f"x{through_post / baseline:.2f}  (+{through_post - baseline:.1f} us)")
    print(f"  Session.post through the mock  {through_session:9.1f} us   "
          f"x{through_session / baseline:.2f}  (+{through_session - baseline:.1f} us)")


# --- tests ---------------------------------------------------------------------------------------

TESTS_HELP = """The cost per test of a suite of N tests that each request a token, run by pytest
in a subprocess (-p no:randomly). Baseline: the same N tests, each registering a bare ``responses``
stub and posting to it with requests.post. Measured: mcemu_client (Flask test client),
mcemu_mock (requests.post through the mock) and mcemu_server (requests.post over loopback),
each POST /token, with a fixture DE of each --rows size (0: the default fixtures only). The time
is pytest's test loop (collection and start-up excluded), divided by N; the first test, which
builds the app, is in it. Also the setup plus teardown of mcemu_server per test after the
first (a test that takes the fixture and does nothing). Prints ms per test and the ratio to the
baseline."""

#: The token request every generated test makes, as a client app sends it.
TESTS_BODY = TOKEN_BODY.decode()
TESTS_URL = "https://mcemu.pub.sfmc-content.com/token"
#: variant -> (fixtures it takes, the body of the test)
TESTS_VARIANTS = {
    "baseline": ("", "with responses.RequestsMock() as stub:\n"
                     "        stub.add(responses.POST, URL, json={'access_token': 'x'})\n"
                     "        assert requests.post(URL, data=BODY).status_code == 200"),
    "mcemu_client": ("mcemu_client",
                     "assert mcemu_client.post('/token', data=BODY).status_code == 200"),
    "mcemu_mock": ("mcemu_mock", "assert requests.post(URL, data=BODY).status_code == 200"),
    "mcemu_server": ("mcemu_server", "assert requests.post(mcemu_server.url + '/token', "
                                     "data=BODY, timeout=10).status_code == 200"),
    "mcemu_server setup": ("mcemu_server", "pass"),
}
#: Times the test loop and each test's setup and teardown, into $MCEMU_BENCH_OUT.
TESTS_CONFTEST = '''
import json, os, time
import pytest

TIMES = {"setup": [], "teardown": []}

@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session):
    started = time.perf_counter()
    yield
    TIMES["loop"] = time.perf_counter() - started
    TIMES["tests"] = session.testscollected
    with open(os.environ["MCEMU_BENCH_OUT"], "w") as out:
        json.dump(TIMES, out)

def pytest_runtest_logreport(report):
    if report.when in TIMES:
        TIMES[report.when].append(report.duration)
'''


def write_test_suite(folder: Path, variant: str, count: int, rows: int) -> None:
    """Write a pytest rootdir with ``count`` tests of ``variant`` and a DE of ``rows`` rows."""
    fixtures, body = TESTS_VARIANTS[variant]
    marker = ""
    if rows and variant != "baseline":
        de_dir = folder / "fx" / "data_extensions"
        de_dir.mkdir(parents=True)
        de = {"key": "Contacts", "fields": [{"name": "Id", "type": "Text", "length": 20,
                                             "primaryKey": True},
                                            {"name": "Email", "type": "EmailAddress"}],
              "rows": [{"Id": f"c{i:07d}", "Email": f"person{i}@example.com"}
                       for i in range(rows)]}
        (de_dir / "Contacts.json").write_text(json.dumps(de), encoding="utf-8")
        marker = 'pytestmark = pytest.mark.mcemu_fixtures("fx")\n'
    arguments = ", ".join(["n", *([fixtures] if fixtures else [])])
    (folder / "conftest.py").write_text(TESTS_CONFTEST, encoding="utf-8")
    (folder / "test_generated.py").write_text(
        "import pytest\nimport requests\nimport responses\n\n"
        f"URL = {TESTS_URL!r}\nBODY = {TESTS_BODY!r}\n{marker}\n\n"
        f"@pytest.mark.parametrize('n', range({count}))\n"
        f"def test_token({arguments}):\n    {body}\n", encoding="utf-8")


def run_test_suite(variant: str, count: int, rows: int) -> dict[str, Any]:
    """Run a generated suite in a subprocess; return its loop time and per-test durations."""
    import os
    import subprocess

    with tempfile.TemporaryDirectory(prefix="mcemu-bench-tests-") as temp:
        folder = Path(temp)
        write_test_suite(folder, variant, count, rows)
        out = folder / "times.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
             "-p", "no:xdist", "-x", str(folder)],
            cwd=folder, capture_output=True, text=True, env={**os.environ,
                                                             "MCEMU_BENCH_OUT": str(out)})
        if done.returncode != 0:
            raise SystemExit(f"the generated {variant} suite failed:\n{done.stdout[-3000:]}"
                             f"{done.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def per_test_ms(times: dict[str, Any], count: int) -> tuple[float, float]:
    """Return the loop's ms per test, and per test after the first (its setup taken out)."""
    loop = times["loop"] * 1000
    later = (loop - times["setup"][0] * 1000) / (count - 1) if count > 1 else loop
    return loop / count, later


def bench_tests(count: int, sizes: list[int]) -> None:
    baseline = run_test_suite("baseline", count, 0)
    base_ms, base_later = per_test_ms(baseline, count)
    print(f"{count} tests, each POST /token; pytest's test loop per test: all tests (the first "
          "builds the app) | after the first")
    print(f"  bare responses stub (baseline)         {base_ms:7.2f} ms | {base_later:6.2f} ms")
    for rows in sizes:
        for variant in ("mcemu_client", "mcemu_mock", "mcemu_server"):
            times = run_test_suite(variant, count, rows)
            per_test, later = per_test_ms(times, count)
            print(f"  {variant:13} {rows:6} fixture rows       {per_test:7.2f} ms | "
                  f"{later:6.2f} ms   ratio x{per_test / base_ms:.2f} | x{later / base_later:.2f}"
                  f"   first setup {times['setup'][0] * 1000:.0f} ms")
        times = run_test_suite("mcemu_server setup", count, rows)
        later = [s + t for s, t in zip(times["setup"][1:], times["teardown"][1:], strict=True)]
        mean = statistics.fmean(later) * 1000 if later else float("nan")
        print(f"  mcemu_server setup+teardown per test after the first, {rows:6} fixture rows: "
              f"{mean:6.2f} ms (median {statistics.median(later) * 1000 if later else 0:.2f})  "
              "target: <= 5 ms")
    print("target: mcemu_client and mcemu_mock at most x3 the baseline, flat in fixture rows")


# --- ssjs ----------------------------------------------------------------------------------------

SSJS_HELP = """SSJS pages run verbatim against their Python ports, in-process. For each built-in
page, its reconstructed SSJS source is served from a --pages folder and the same request goes to
the port and to the source through the Flask test client, each app on a fresh memory store.
Prints the median per request (after a warm-up, with the worker pool warm), the overhead of the
SSJS page over the port and their ratio; then the cold figures: building an app with --pages
until its first SSJS answer, and that first request alone."""

#: page -> (method, built-in path, body)
SSJS_CASES = {"token": ("POST", "/token", TOKEN_BODY), "api": ("GET", "/api", b""),
              "hardened": ("POST", "/token/hardened", TOKEN_BODY)}


def _request(app: Any, method: str, path: str, headers: dict[str, str],
             body: bytes) -> Callable[[], object]:
    """Return a call sending one request to ``app`` through one test client."""
    client = app.test_client()
    return lambda: client.open(path, method=method, headers=headers, data=body)


def bench_ssjs(count: int) -> None:
    import shutil

    import emulator.pages
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    logging.disable(logging.WARNING)  # the seed page's warnings would flood the output
    sources = Path(emulator.pages.__file__).parent / "sources"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "pages"
        folder.mkdir()
        for name in SSJS_CASES:  # .json: served as a JSON code resource, like the built-ins
            shutil.copy(sources / f"{name}.ssjs", folder / f"ssjs-{name}.json")
        started = time.perf_counter()
        cold_app = create_app({"pages": str(folder)})
        first = time.perf_counter()
        cold_app.test_client().post("/ssjs-token", data=TOKEN_BODY)
        done = time.perf_counter()
        get_emulator(cold_app).close()
        print(f"cold: app with --pages to first SSJS answer {(done - started) * 1e3:.1f} ms "
              f"(first request alone {(done - first) * 1e3:.1f} ms)")
        print(f"{'page':10} {'port us':>9} {'ssjs us':>9} {'overhead ms':>12} {'ratio':>6}")
        for name, (method, path, body) in SSJS_CASES.items():
            port_app, ssjs_app = create_app(), create_app({"pages": str(folder)})
            try:
                headers: dict[str, str] = {}
                if name == "api":
                    token = port_app.test_client().post("/token", data=TOKEN_BODY)
                    headers = {"Authorization": "Bearer " + token.get_json()["access_token"]}
                port = median_us(_request(port_app, method, path, headers, body), count)
                ssjs = median_us(_request(ssjs_app, method, f"/ssjs-{name}", headers, body),
                                 count)
            finally:
                get_emulator(port_app).close()
                get_emulator(ssjs_app).close()
            print(f"{name:10} {port:9.0f} {ssjs:9.0f} {(ssjs - port) / 1e3:12.2f} "
                  f"{ssjs / port:6.2f}")


# --- ampscript -----------------------------------------------------------------------------------

AMPSCRIPT_HELP = """An AMPscript-only page of typical size (a form of 10 fields, an IF chain, a
LookupRows loop over 100 rows) served from --pages against the in-process POST /token of the same
app: the median of --requests requests each (Flask test client), then again with --big rows in an
unrelated DE. Target: the page at most 10x /token, and flat as the unrelated DE grows. Also
prints how often the page file was compiled (once per modification)."""

AMPSCRIPT_PAGE = """<!-- mcemu: html id=1 -->
%%[
SET @plan = RequestParameter("plan")
IF @plan == "gold" THEN SET @price = 30
ELSEIF @plan == "silver" THEN SET @price = 20
ELSEIF @plan == "bronze" THEN SET @price = 10
ELSE SET @price = 0 ENDIF
SET @rows = LookupRows("Products", "Shelf", "A")
]%%
<form method="post">
%%[ FOR @f = 1 TO 10 DO ]%%<label>Field %%=v(@f)=%%<input name="f%%=v(@f)=%%"
 value="%%=RequestParameter(Concat("f", @f))=%%"></label>
%%[ NEXT @f ]%%
</form>
<p>Plan %%=v(@plan)=%% costs %%=FormatNumber(@price, "C2")=%%</p>
<table>
%%[ FOR @i = 1 TO RowCount(@rows) DO SET @row = Row(@rows, @i) ]%%
<tr><td>%%=Field(@row, "Name")=%%</td><td>%%=Field(@row, "Price")=%%</td></tr>
%%[ NEXT @i ]%%
</table>
"""


def _products(store: Any, key: str, rows: int, shelf: str) -> None:
    from emulator.store.schema import DataExtensionSchema

    schema = DataExtensionSchema.from_json({"key": key, "name": key, "fields": [
        {"name": "Name", "type": "Text", "length": 50},
        {"name": "Shelf", "type": "Text", "length": 10},
        {"name": "Price", "type": "Number"}]}, "bench")
    store.create(schema, [{"Name": f"item {i}", "Shelf": shelf, "Price": i}
                          for i in range(rows)])


def bench_ampscript(count: int, big: int) -> None:
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "pages"
        folder.mkdir()
        (folder / "offer.html").write_text(AMPSCRIPT_PAGE, encoding="utf-8")
        app = create_app({"pages": str(folder)})
        emulator = get_emulator(app)
        try:
            _products(emulator.store, "Products", 100, "A")
            page = _request(app, "GET", "/offer?plan=silver&f3=x", {}, b"")
            token = _request(app, "POST", "/token", {}, TOKEN_BODY)
            answer = app.test_client().get("/offer?plan=silver")
            assert answer.status_code == 200 and answer.data.count(b"<tr>") == 100, answer.data
            print(f"{'unrelated rows':>14} {'page us':>9} {'/token us':>10} {'ratio':>6}")
            for rows in (0, big):
                if rows:
                    _products(emulator.store, "Unrelated", rows, "Z")
                page_us, token_us = median_us(page, count), median_us(token, count)
                print(f"{rows:14,} {page_us:9.0f} {token_us:10.0f} {page_us / token_us:6.2f} "
                      "(target <= 10)")
            found = emulator.pages.find("offer")
            print(f"compiles of the page file: {found.file.compiles} "
                  f"(after {2 * count + 1} requests; target 1)")
        finally:
            emulator.close()


# --- hostile -------------------------------------------------------------------------------------

HOSTILE_HELP = """What hostile requests do to ``mcemu serve`` (on 127.0.0.1, logging every request,
with a temporary --pages folder of hostile page files and the page limit set through
MCEMU_SSJS_TIMEOUT). In one run: [1] the server's RSS before and after --requests POST /token
whose JSON body carries a --payload-byte "secret" field, the bytes it logged meanwhile and the
size of its journal; [2] /token latency while 4 endless SSJS loops and a catastrophic AMPscript
regex run, then while the regex runs alone (a bound on concurrent pages may have refused it),
then while an AMPscript string bomb runs, with each hostile request's status and time; [3] the
time to serve a new client with --idle connections open, and with none; [4] the peak RSS. Each
figure is printed next to its target; nothing is asserted. Every wait has a deadline, and the
server, its workers, threads and sockets are cleaned up even on Ctrl-C."""

MB = 10**6
TOKEN_TARGET = 1.0  # s: /token answers within this while any hostile page runs
GRACE = 1.0  # s: a hostile request ends within the page limit plus this
RSS_TARGET = 400 * MB  # the server's RSS through every attack
SETTLE = 0.3  # s: lets the hostile requests reach their pages before /token is sampled


def hostile_pages(regex_length: int, doublings: int) -> dict[str, str]:
    """Return the hostile page files: name -> SSJS source."""
    # "\%\%" is "%%" in JavaScript: the escape the built-in pages use for AMPscript in a string
    subject = "a" * regex_length + "!"
    # Equal alternatives backtrack 2^n ways in re and in the regex package alike; the classic
    # ^(a+)+$ is one that regex's own safeguards answer at once.
    regex = f'set @m = RegExMatch("{subject}", "^(a|a)+$", 0)'
    load = 'Platform.Load("core", "1");\n'
    return {
        "hostile-loop": '<script runat="server">while (true) {}</script>\n',
        "hostile-regex": f'<script runat="server">\n{load}Platform.Function.TreatAsContent('
                         f"'\\%\\%[ {regex} ]\\%\\%');\nWrite(\"regex done\");\n</script>\n",
        # AMPscript has no loop the emulator runs: SSJS repeats the doubling statement
        "hostile-bomb": f'<script runat="server">\n{load}Variable.SetValue("@s", "xx");\n'
                        f"for (var i = 0; i < {doublings}; i++) {{\n"
                        "  Platform.Function.TreatAsContent('\\%\\%[ set @s = Concat(@s, @s) ]"
                        "\\%\\%');\n}\nWrite(\"bomb done\");\n</script>\n",
    }


@dataclass
class Answer:
    """What one request got: its status (None: none came), its time, the body's size."""

    status: int | None
    seconds: float
    size: int = 0
    error: str = ""
    body: bytes = b""

    def said(self) -> str:
        if self.status is None:
            return f"no answer ({self.error or 'none'}) after {self.seconds:.3f} s"
        return f"{self.status} after {self.seconds:.3f} s"


def fetch(port: int, method: str, path: str, body: bytes | None, timeout: float,
          keep: bool = False) -> Answer:
    """Send one request on a fresh connection; read the whole answer (kept only with ``keep``)."""
    import http.client

    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=max(0.1, timeout))
    try:
        connection.request(method, path, body, JSON if body is not None else {})
        answer = connection.getresponse()
        size, chunks = 0, []
        while chunk := answer.read(1 << 16):
            size += len(chunk)
            if keep:
                chunks.append(chunk)
        return Answer(answer.status, time.perf_counter() - started, size, body=b"".join(chunks))
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, time.perf_counter() - started, error=type(error).__name__)
    finally:
        connection.close()


class MemoryWatch:
    """Sample the RSS of the server and its worker processes until stopped; keep the peaks."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import threading

        self.pid = pid
        self.interval = interval
        self.peak_server = 0
        self.peak_tree = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            server = process_memory(self.pid)["VmRSS"]
            tree = server + sum(process_memory(child)["VmRSS"] for child in descendants(self.pid))
            self.peak_server = max(self.peak_server, server)
            self.peak_tree = max(self.peak_tree, tree)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def secret_body(payload: int) -> bytes:
    """The demo client's RequestToken body plus a ``payload``-byte field named like a secret."""
    body = json.loads(TOKEN_BODY)
    body["large_secret"] = ("secret" * (payload // 6 + 1))[:payload]
    return json.dumps(body).encode()


def _mb(size: float) -> str:
    return f"{size / MB:,.0f} MB"


def _flood(port: int, pid: int, log: Path, count: int, payload: int, deadline: float) -> None:
    """[1] Send ``count`` large-secret token requests; print RSS, log and journal figures."""
    fetch(port, "POST", "/token", TOKEN_BODY, 30)  # warm: the first request's imports
    before, logged = process_memory(pid)["VmRSS"], log.stat().st_size
    body = secret_body(payload)
    ends = time.monotonic() + deadline
    answers = []
    for _ in range(count):
        if time.monotonic() >= ends:
            break
        answers.append(fetch(port, "POST", "/token", body, ends - time.monotonic()))
    after = process_memory(pid)["VmRSS"]
    statuses = statistics_of(answers)
    print(f"[1] {len(answers)} of {count} x POST /token with a {payload:,}-byte \"secret\" field "
          f"({len(body):,}-byte body) in {sum(a.seconds for a in answers):.1f} s; answers: "
          f"{statuses}", flush=True)
    print(f"  server RSS before {_mb(before)}, after {_mb(after)} (target < {_mb(RSS_TARGET)})")
    print(f"  server log meanwhile: {log.stat().st_size - logged:,} bytes")
    total = fetch(port, "GET", "/_emulator/journal?limit=1", None, 60, keep=True)
    entries = json.loads(total.body).get("total", 0) if total.status == 200 else 0
    full = fetch(port, "GET", f"/_emulator/journal?limit={max(1, entries)}", None, 120)
    print(f"  journal: {entries} entries, GET /_emulator/journal?limit={max(1, entries)} "
          f"{full.size:,} bytes ({full.said()})", flush=True)


def statistics_of(answers: list[Answer]) -> str:
    """Say how many answers had each status, e.g. ``200 x78, none x2``."""
    from collections import Counter

    counts = Counter("none" if a.status is None else str(a.status) for a in answers)
    return ", ".join(f"{status} x{number}" for status, number in sorted(counts.items())) or "none"


def _attack(port: int, section: str, label: str, attacks: list[tuple[str, str]], samples: int,
            interval: float, limit: float, deadline: float, threads: list[Any]) -> None:
    """[2] Run ``attacks`` (name, path) at once; sample /token meanwhile; print both."""
    import threading

    ends = time.monotonic() + deadline
    results: dict[int, Answer] = {}

    def attack(number: int, path: str) -> None:
        results[number] = fetch(port, "GET", path, None, deadline)

    for number, (_, path) in enumerate(attacks):
        thread = threading.Thread(target=attack, args=(number, path), daemon=True)
        threads.append(thread)
        thread.start()
    time.sleep(SETTLE)
    timings: list[Answer] = []
    for _ in range(samples):
        if time.monotonic() >= ends:
            break
        started = time.monotonic()
        timings.append(fetch(port, "POST", "/token", TOKEN_BODY,
                             min(10.0, ends - time.monotonic())))
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    for thread in threads[-len(attacks):]:
        thread.join(timeout=max(0.0, ends - time.monotonic()) + 1)
    # A page still running past the deadline holds the server: wait until it answers again,
    # so the next figures measure the next attack, not this one's tail.
    recovered = fetch(port, "POST", "/token", TOKEN_BODY, deadline)
    print(f"[{section}] /token while {label}", flush=True)
    answered = sorted(a.seconds for a in timings if a.status is not None)
    unanswered = len(timings) - len(answered)
    worst = max((a.seconds for a in timings), default=0.0)
    if answered:
        print(f"  /token: {len(timings)} requests every {interval:g} s, answers: "
              f"{statistics_of(timings)}; median of the answered {statistics.median(answered):.3f}"
              f" s, p100 {'> ' if unanswered else ''}{worst:.3f} s (target <= {TOKEN_TARGET:g} s)")
    else:
        print(f"  /token: {len(timings)} requests, none answered within {worst:.1f} s "
              f"(target <= {TOKEN_TARGET:g} s)")
    for number, (name, _) in enumerate(attacks):
        answer = results.get(number)
        said = answer.said() if answer else f"still running at the {deadline:g} s deadline"
        print(f"  {name}: {said} (target <= {limit + GRACE:g} s)")
    print(f"  the next /token once they ended or timed out: {recovered.said()}", flush=True)


def _idle_clients(port: int, idle: int, timeout: float) -> None:
    """[3] Time a new client's POST /token with none, then ``idle`` idle connections open."""
    import socket

    baseline = fetch(port, "POST", "/token", TOKEN_BODY, timeout)
    print("[3] a new client's POST /token on a fresh connection", flush=True)
    print(f"  with {0:>4} idle connections open: {baseline.said()} (baseline)")
    raise_open_files(idle + 256)
    sockets: list[socket.socket] = []
    refused = 0
    try:
        for _ in range(idle):
            try:
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                refused += 1
        time.sleep(0.5)  # lets the server take them in
        loaded = fetch(port, "POST", "/token", TOKEN_BODY, timeout)
    finally:
        for connection in sockets:
            connection.close()
    ratio = (f", x{loaded.seconds / baseline.seconds:.1f} the baseline"
             if loaded.status is not None and baseline.status is not None else "")
    print(f"  with {idle:>4} idle connections open ({len(sockets)} connected, {refused} "
          f"refused): {loaded.said()}{ratio}", flush=True)


def _started(pid: int) -> str | None:
    """Return when process ``pid`` started (clock ticks since boot), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def bench_hostile(page_limit: float, count: int, payload: int, idle: int, samples: int,
                  interval: float, deadline: float, regex_length: int, doublings: int) -> None:
    import os
    import signal

    threads: list[Any] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "pages"
        folder.mkdir()
        for name, source in hostile_pages(regex_length, doublings).items():
            (folder / f"{name}.html").write_text(source, encoding="utf-8")
        log = Path(scratch) / "server.log"
        port = free_port()
        env = {**os.environ, "MCEMU_SSJS_TIMEOUT": f"{page_limit:g}"}
        with open(log, "wb") as log_file:
            server = start_server([MCEMU, "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--pages", str(folder)], port, stderr=log_file, env=env)
        watch: MemoryWatch | None = None
        try:
            watch = MemoryWatch(server.pid)
            print(f"hostile requests against mcemu serve (pid {server.pid}, 127.0.0.1:{port}), "
                  f"page limit {page_limit:g} s (MCEMU_SSJS_TIMEOUT)", flush=True)
            _flood(port, server.pid, log, count, payload, deadline=max(180.0, deadline))
            _attack(port, "2a", "4 endless loops and 1 catastrophic regex run",
                    [(f"endless loop {n}", "/hostile-loop") for n in range(1, 5)]
                    + [(f"catastrophic regex ({regex_length} a's)", "/hostile-regex")],
                    samples, interval, page_limit, deadline, threads)
            # alone too: a bound on concurrent pages may have refused it above
            _attack(port, "2b", "a catastrophic regex runs alone",
                    [(f"catastrophic regex ({regex_length} a's)", "/hostile-regex")],
                    samples, interval, page_limit, deadline, threads)
            _attack(port, "2c", f"a string bomb ({doublings} doublings) runs",
                    [(f"string bomb (to {2 ** (doublings + 1):,} chars)", "/hostile-bomb")],
                    samples, interval, page_limit, deadline, threads)
            _idle_clients(port, idle, timeout=10.0)
            peak = process_memory(server.pid)["VmHWM"]
            watch.stop()
            print("[4] peak RSS over the run", flush=True)
            print(f"  server VmHWM {_mb(peak)} (target < {_mb(RSS_TARGET)}); sampled every "
                  f"{watch.interval:g} s: server {_mb(watch.peak_server)}, server + workers "
                  f"{_mb(watch.peak_tree)}", flush=True)
        finally:
            if watch is not None:
                watch.stop()
            workers = {pid: _started(pid) for pid in descendants(server.pid)}
            stop_server(server)
            for pid, started in workers.items():  # a killed server leaves its workers behind
                if started is not None and _started(pid) == started:  # the same process
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass  # ended meanwhile
            for thread in threads:
                thread.join(timeout=5)


# --- command line --------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    return [int(n) for n in text.split(",")]


def parser() -> argparse.ArgumentParser:
    """Return the command line: one subcommand per benchmark, each with its own --help."""
    top = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = top.add_subparsers(dest="mode", required=True, metavar="SUBCOMMAND")

    def mode(name: str, summary: str, text: str) -> argparse.ArgumentParser:
        return modes.add_parser(name, help=summary, description=text)

    http = mode("http", "/token throughput against the Flask+PyJWT baseline", HTTP_HELP)
    http.add_argument("--rounds", type=int, default=3)
    http.add_argument("--duration", type=float, default=10.0, help="seconds per round")
    http.add_argument("--connections", type=int, default=16)
    http.add_argument("--store", choices=["file", "memory"], default="file",
                      help="the emulator's store: a --db file (default) or memory")
    rest_token = mode("rest-token", "/v2/token and hub rowset throughput against the page /token",
                      REST_TOKEN_HELP)
    rest_token.add_argument("--rounds", type=int, default=3)
    rest_token.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    rest_token.add_argument("--connections", type=int, default=16)
    rest_token.add_argument("--store", choices=["file", "memory"], default="file",
                            help="the server's store: a --db file (default) or memory")
    growth = mode("growth", "p50 as the HTTPProperties table grows", GROWTH_HELP)
    growth.add_argument("--sizes", type=_sizes, default="0,1000,10000,50000",
                        help="comma-separated row counts; the first is the reference")
    growth.add_argument("--requests", type=int, default=500, help="timed requests per size")
    seed = mode("seed", "seeding a --db file against json.load + json.dump", SEED_HELP)
    seed.add_argument("--rows", type=int, default=100_000)
    seed.add_argument("--runs", type=int, default=3)
    stop = mode("stop", "rows kept when a loaded --db server is stopped", STOP_HELP)
    stop.add_argument("--signals", default="SIGKILL,SIGKILL,SIGTERM",
                      help="comma-separated: SIGKILL, SIGTERM, SIGINT")
    stop.add_argument("--seconds", type=float, default=5.0, help="load before the signal")
    stop.add_argument("--connections", type=int, default=16)
    stop.add_argument("--flush-interval", type=float, default=1.0)
    page = mode("page", "the token page in-process against a bare Flask endpoint", PAGE_HELP)
    page.add_argument("--requests", type=int, default=300, help="timed requests per variant")
    page.add_argument("--sizes", type=_sizes, default="0,1000,10000",
                      help="comma-separated HTTPProperties row counts")
    page.add_argument("--http", action="store_true", help="also load both apps over HTTP")
    page.add_argument("--per-client", type=int, default=50,
                      help="requests per client thread with --http")
    mock = mode("mock", "a request through the mock against the Flask test client", MOCK_HELP)
    mock.add_argument("--requests", type=int, default=1000, help="timed calls per variant")
    ssjs = mode("ssjs", "SSJS pages run verbatim against their Python ports", SSJS_HELP)
    ssjs.add_argument("--requests", type=int, default=1000, help="timed requests per page")
    amp = mode("ampscript", "an AMPscript-only page against /token", AMPSCRIPT_HELP)
    amp.add_argument("--requests", type=int, default=1000, help="timed requests per figure")
    amp.add_argument("--big", type=int, default=50_000, help="rows of the unrelated DE")
    wsp = mode("wsproxy", "WSProxy retrieve against Rows.Lookup, and paging", WSPROXY_HELP)
    wsp.add_argument("--sizes", type=int, nargs="+", default=[1000, 50_000], help="DE rows")
    wsp.add_argument("--repeats", type=int, default=200, help="timed calls per figure")
    outbound = mode("outbound", "a page with one stubbed outbound call against one without",
                    OUTBOUND_HELP)
    outbound.add_argument("--requests", type=int, default=1000, help="timed requests per page")
    objects = mode("objects", "subscriber writes and WSProxy paging at scale", OBJECTS_HELP)
    objects.add_argument("--subscribers", type=_sizes, default="1000,50000",
                         help="comma-separated subscriber counts")
    objects.add_argument("--rows", type=_sizes, default="10000,25000,50000",
                         help="comma-separated DE row counts paged through")
    objects.add_argument("--repeats", type=int, default=50, help="timed writes per figure")
    rest_rows = mode("rest-rows", "REST rowset pages and hub rowset writes", REST_ROWS_HELP)
    rest_rows.add_argument("--rows", type=int, default=50_000, help="rows of the DE read")
    rest_rows.add_argument("--repeats", type=int, default=20, help="timed calls per figure")
    hostile = mode("hostile", "what hostile pages and requests do to the server", HOSTILE_HELP)
    hostile.add_argument("--page-limit", type=float, default=2.0,
                         help="the page limit in seconds (MCEMU_SSJS_TIMEOUT)")
    hostile.add_argument("--requests", type=int, default=80, help="large-secret /token requests")
    hostile.add_argument("--payload", type=int, default=5_000_000,
                         help="bytes of the secret field of each")
    hostile.add_argument("--idle", type=int, default=300, help="idle connections to hold open")
    hostile.add_argument("--samples", type=int, default=20,
                         help="/token requests during each attack")
    hostile.add_argument("--interval", type=float, default=0.2,
                         help="seconds between /token samples")
    hostile.add_argument("--deadline", type=float, default=30.0,
                         help="seconds to wait for any hostile request (and each attack)")
    hostile.add_argument("--regex-length", type=int, default=30,
                         help="the a's the catastrophic regex backtracks over")
    hostile.add_argument("--bomb-doublings", type=int, default=29,
                         help="Concat doublings of the string bomb (to 2^(N+1) characters)")
    tests = mode("tests", "N pytest tests per fixture against bare responses stubs", TESTS_HELP)
    tests.add_argument("--tests", type=int, default=1000, help="generated tests per suite")
    tests.add_argument("--rows", type=_sizes, default="0,50000",
                       help="comma-separated row counts of the marker's fixture DE")
    baseline = modes.add_parser("_baseline")  # the http baseline's server process
    baseline.add_argument("port", type=int)
    return top


WSPROXY_HELP = """WSProxy.retrieve of one row of a DE by a primary-key filter against Rows.Lookup
of the same row on the same store (in-process, the platform shims without the SSJS engine), at
each --sizes row count: the median of --repeats calls each. Target: at most 1.5x Rows.Lookup and
flat as the DE grows. Then a retrieve paged through all rows in batches of 2,500: the time per row
returned, which must stay flat (linear in rows, not quadratic)."""


def bench_wsproxy(sizes: list[int], repeats: int) -> None:
    """Print WSProxy retrieve against Rows.Lookup, and paging's time per row, per DE size."""
    from types import SimpleNamespace

    from emulator.objects.catalog import ObjectSession
    from emulator.platform.data_extension import Rows
    from emulator.platform.wsproxy import WSProxy
    from emulator.store.schema import DataExtensionSchema, Field
    from emulator.store.store import Store

    print(f"{'rows':>7} {'wsproxy ms':>11} {'lookup ms':>10} {'ratio':>6} {'page us/row':>12}")
    for size in sizes:
        store = Store.open(None)
        schema = DataExtensionSchema("Big", "Big", (Field("Id", "Number", primary_key=True,
                                                          nullable=False),
                                                    Field("Name", "Text", length=50)))
        store.create(schema, [{"Id": i, "Name": f"n{i}"} for i in range(size)])
        proxy = WSProxy(ObjectSession(store))
        rows = Rows("Big", SimpleNamespace(store=store))  # type: ignore[arg-type]
        wanted = size // 2
        where = {"Property": "Id", "SimpleOperator": "equals", "Value": wanted}

        def retrieve(proxy: Any = proxy, where: Any = where, wanted: int = wanted) -> None:
            found = proxy.retrieve("DataExtensionObject[Big]", ["Id", "Name"], where)
            assert found["Results"][0]["Properties"][0]["Value"] == str(wanted)

        def lookup(rows: Any = rows, wanted: int = wanted) -> None:
            assert rows.Lookup(["Id"], [wanted])[0]["Id"] == wanted

        timed = {name: median_time(action, repeats, warmup=1) * 1000
                 for name, action in (("wsproxy", retrieve), ("lookup", lookup))}
        start = time.perf_counter()
        answer = proxy.retrieve("DataExtensionObject[Big]", ["Id", "Name"])
        seen = len(answer["Results"])
        while answer["HasMoreRows"]:
            answer = proxy.getNextBatch("DataExtensionObject[Big]", answer["RequestID"])
            seen += len(answer["Results"])
        per_row = (time.perf_counter() - start) / seen * 1e6
        assert seen == size
        print(f"{size:>7} {timed['wsproxy']:>11.3f} {timed['lookup']:>10.3f} "
              f"{timed['wsproxy'] / timed['lookup']:>6.2f} {per_row:>12.2f}")


OUTBOUND_HELP = """A page that makes one stubbed outbound call (AMPscript HTTPGet answered by a
stub) against the same page with the answer written in it, in-process through the Flask test
client: the median of --requests requests each, and the ratio (target <= 1.5x)."""


def bench_outbound(count: int) -> None:
    """Print the median request time of a page with one stubbed call and of one without."""
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    url = "https://api.example.com/items"
    pages = {"with.html": f'%%[ set @b = HTTPGet("{url}") ]%%<p>%%=v(@b)=%%</p>',
             "without.html": '%%[ set @b = "items!" ]%%<p>%%=v(@b)=%%</p>'}
    with tempfile.TemporaryDirectory() as folder:
        for name, text in pages.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        app = create_app({"pages": folder, "quiet": True})
        emulator = get_emulator(app)
        try:
            emulator.outbound.stubs.add(url, body="items!")
            client = app.test_client()
            timed = {}
            for name in ("without", "with"):
                def get(name: str = name) -> None:
                    assert client.get(f"/{name}").data == b"<p>items!</p>"
                timed[name] = median_time(get, count, warmup=50) * 1e6
            emulator.outbound.calls.clear()
        finally:
            emulator.close()
    print(f"page without the call {timed['without']:8.1f} us")
    print(f"page with one stubbed call {timed['with']:8.1f} us")
    print(f"ratio {timed['with'] / timed['without']:.2f} (target <= 1.5)")


OBJECTS_HELP = """Object data at scale. Subscribers: a --db file holding N subscribers
(--subscribers), then the median of --repeats single-subscriber writes (an update of one, then
the add of a new one): milliseconds and bytes appended to the file per write, which must not
grow with N (one record written, not the table). Paging: a WSProxy retrieve of every row of a
DE of each --rows size, in batches of 2,500 with continue requests: microseconds per row
returned and the ratio to the first size's, which must stay near 1 (linear, not quadratic)."""


def bench_objects(subscribers: list[int], rows: list[int], repeats: int) -> None:
    """Print a subscriber write's cost per table size, then paging's time per row per DE size."""
    from itertools import count

    from emulator.objects.catalog import ObjectSession
    from emulator.platform.wsproxy import WSProxy
    from emulator.store.schema import DataExtensionSchema, Field
    from emulator.store.store import Store
    from emulator.subscribers import data
    from emulator.subscribers.model import SUBSCRIBERS_TABLE

    def files_size(folder: Path) -> int:
        return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())

    print(f"{'subscribers':>11} {'update ms':>10} {'add ms':>8} {'bytes/write':>12}")
    for size in subscribers:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            store = Store.open(folder / "mcemu.json")
            store.replace_all([], {SUBSCRIBERS_TABLE: [
                {"SubscriberKey": f"s{i}", "EmailAddress": f"s{i}@example.org",
                 "Status": "Active", "Attributes": {"First Name": f"N{i}"}, "Lists": []}
                for i in range(size)]})
            store.flush()
            middle = f"s{size // 2}"
            numbers = count()

            def update(store: Any = store, middle: str = middle, numbers: Any = numbers) -> None:
                data.save_subscriber(store, {
                    "SubscriberKey": middle, "EmailAddress": f"{middle}@example.org",
                    "Status": "Active", "Attributes": {"First Name": f"U{next(numbers)}"},
                    "Lists": []})
                store.flush()

            def add(store: Any = store, numbers: Any = numbers) -> None:
                key = f"new{next(numbers)}"
                data.save_subscriber(store, {"SubscriberKey": key,
                                             "EmailAddress": f"{key}@example.org",
                                             "Status": "Active", "Attributes": {}, "Lists": []})
                store.flush()

            before = files_size(folder)
            updated = median_time(update, repeats) * 1000
            added = median_time(add, repeats) * 1000
            per_write = (files_size(folder) - before) / (2 * repeats)
            store.close()
        print(f"{size:>11} {updated:>10.3f} {added:>8.3f} {per_write:>12.0f}")

    print(f"\n{'rows':>7} {'batches':>8} {'page us/row':>12} {'ratio':>6}")
    first = None
    for size in rows:
        store = Store.open(None)
        schema = DataExtensionSchema("Big", "Big", (Field("Id", "Number", primary_key=True,
                                                          nullable=False),
                                                    Field("Name", "Text", length=50)))
        store.create(schema, [{"Id": i, "Name": f"n{i}"} for i in range(size)])
        proxy = WSProxy(ObjectSession(store))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            answer = proxy.retrieve("DataExtensionObject[Big]", ["Id", "Name"])
            seen, batches = len(answer["Results"]), 1
            while answer["HasMoreRows"]:
                answer = proxy.getNextBatch("DataExtensionObject[Big]", answer["RequestID"])
                seen, batches = seen + len(answer["Results"]), batches + 1
            times.append((time.perf_counter() - start) / seen * 1e6)
            assert seen == size, (seen, size)
        per_row = statistics.median(times)
        first = first or per_row
        print(f"{size:>7} {batches:>8} {per_row:>12.2f} {per_row / first:>6.2f}")
        store.close()


REST_ROWS_HELP = """REST Data Extension rows, in process through the Flask test client (no
sockets). Reads: GET one rowset page of 2,500 rows of a DE of --rows rows, against json.dumps of
the same 2,500 stored rows in the same run (target: at most 2x), and page 20 against page 1
(target: within 1.3x, a page costs the same wherever it lies). Writes: POST a hub rowset of 50
rows (upserts of new keys) against the CloudPage POST /token, in calls per second, in-process
(target: at least 0.5x the token's; the rest-token mode measures it over HTTP)."""


def bench_rest_rows(rows: int, repeats: int) -> None:
    """Print a rowset page against json.dumps, page 20 against page 1, hub POST against token."""
    from itertools import count

    from emulator.app import create_app
    from emulator.rest.packages import PACKAGES_TABLE
    from emulator.runtime import get_emulator
    from emulator.store.schema import DataExtensionSchema, Field

    app = create_app({"TESTING": True, "db": None})
    emulator = get_emulator(app)
    schema = DataExtensionSchema("Big", "Big", (
        Field("Id", "Number", primary_key=True, nullable=False), Field("Name", "Text", length=50),
        Field("Email", "EmailAddress"), Field("Score", "Decimal", precision=8, scale=2),
        Field("Active", "Boolean"), Field("Joined", "Date")))
    emulator.store.create(schema, [
        {"Id": i, "Name": f"name {i}", "Email": f"p{i}@example.com", "Score": f"{i % 1000}.5",
         "Active": i % 2 == 0, "Joined": "2024-06-23T10:00:00"} for i in range(rows)])
    package = emulator.store.records(PACKAGES_TABLE)[0]
    login = {"grant_type": "client_credentials", "client_id": package["client_id"],
             "client_secret": package["client_secret"]}
    client = app.test_client()

    def token() -> dict[str, str]:
        answer = client.post("/v2/token", json=login)
        assert answer.status_code == 200, answer.data
        return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}

    headers = token()
    url = "/data/v1/customobjectdata/key/Big/rowset?$pageSize=2500&$page="
    same_rows = emulator.store.scan("Big", None, 0, 2500)[0]

    def page(number: int) -> Callable[[], object]:
        def call() -> object:
            answer = client.get(f"{url}{number}", headers=headers)
            assert answer.status_code == 200
            return answer

        return call

    for number in (1, 20):  # checked once, outside the timed calls
        assert len(page(number)().get_json()["items"]) == 2500
    # Interleaved, one call of each a round: on a shared machine each ratio then compares
    # calls made under the same load.
    rounds = [[median_time(call, 1) for call in (lambda: json.dumps(same_rows), page(1),
                                                 page(20))] for _ in range(repeats)]
    dumps, first, twentieth = (statistics.median(r[i] for r in rounds) for i in range(3))
    print(f"{'figure':<34} {'ms':>8} {'ratio':>7} target")
    print(f"{'json.dumps of 2,500 stored rows':<34} {dumps * 1000:>8.2f}")
    print(f"{'GET rowset page 1 (2,500 rows)':<34} {first * 1000:>8.2f} "
          f"{statistics.median(r[1] / r[0] for r in rounds):>7.2f} <= 2x dumps")
    print(f"{'GET rowset page 20 (2,500 rows)':<34} {twentieth * 1000:>8.2f} "
          f"{statistics.median(r[2] / r[1] for r in rounds):>7.2f} <= 1.3x page 1")

    keys = count(rows)

    def hub() -> object:
        body = [{"keys": {"Id": next(keys)}, "values": {"Name": "new", "Active": True}}
                for _ in range(50)]
        answer = client.post("/hub/v1/dataevents/key:Big/rowset", json=body, headers=headers)
        assert answer.status_code == 200, answer.data
        return answer

    def page_token() -> object:
        answer = client.post("/token", data=TOKEN_BODY, content_type="application/json")
        assert answer.status_code == 200, answer.data
        return answer

    pairs = [(median_time(hub, 1), median_time(page_token, 1)) for _ in range(repeats)]
    posted, tokens = (statistics.median(p[i] for p in pairs) for i in range(2))
    print(f"{'POST hub rowset of 50 rows':<34} {1 / posted:>8.0f}/s "
          f"{statistics.median(t / p for p, t in pairs):>6.2f} >= 0.5x /token (in-process; "
          "over HTTP: the rest-token mode)")
    print(f"{'POST /token (the CloudPage)':<34} {1 / tokens:>8.0f}/s")
    emulator.close()


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if args.mode == "_baseline":
        serve_baseline(args.port)
    elif args.mode == "http":
        bench_http(args.rounds, args.duration, args.connections, args.store)
    elif args.mode == "rest-token":
        if args.rounds < 1 or args.duration <= 0 or args.connections < 1:
            command.error("--rounds and --connections must be at least 1, --duration above 0")
        bench_rest_token(args.rounds, args.duration, args.connections, args.store)
    elif args.mode == "growth":
        bench_growth(args.sizes, args.requests)
    elif args.mode == "seed":
        bench_seed(args.rows, args.runs)
    elif args.mode == "stop":
        names = [name.strip().upper() for name in args.signals.split(",") if name.strip()]
        unknown = [name for name in names if name not in ("SIGKILL", "SIGTERM", "SIGINT")]
        if unknown or not names:
            command.error(f"--signals takes SIGKILL, SIGTERM and SIGINT, not {unknown or 'none'}")
        if args.seconds <= 0 or args.connections < 1 or args.flush_interval <= 0:
            command.error("--seconds and --flush-interval must be above 0, --connections >= 1")
        bench_stop(names, args.seconds, args.connections, args.flush_interval)
    elif args.mode == "page":
        bench_page(args.requests, args.sizes, args.http, args.per_client)
    elif args.mode == "mock":
        bench_mock(args.requests)
    elif args.mode == "ssjs":
        bench_ssjs(args.requests)
    elif args.mode == "ampscript":
        if args.requests < 1 or args.big < 1:
            command.error("--requests and --big must be at least 1")
        bench_ampscript(args.requests, args.big)
    elif args.mode == "wsproxy":
        if args.repeats < 1 or min(args.sizes) < 2:
            command.error("--repeats must be at least 1 and --sizes at least 2 rows")
        bench_wsproxy(args.sizes, args.repeats)
    elif args.mode == "outbound":
        if args.requests < 1:
            command.error("--requests must be at least 1")
        bench_outbound(args.requests)
    elif args.mode == "objects":
        if args.repeats < 1 or min(args.subscribers) < 1 or min(args.rows) < 1:
            command.error("--repeats, --subscribers and --rows counts must be at least 1")
        bench_objects(args.subscribers, args.rows, args.repeats)
    elif args.mode == "rest-rows":
        if args.repeats < 1 or args.rows < 50_000:
            command.error("--repeats must be at least 1 and --rows at least 50000 (page 20)")
        bench_rest_rows(args.rows, args.repeats)
    elif args.mode == "tests":
        if args.tests < 1 or min(args.rows) < 0:
            command.error("--tests must be at least 1 and --rows counts >= 0")
        bench_tests(args.tests, args.rows)
    elif args.mode == "hostile":
        if min(args.page_limit, args.interval, args.deadline) <= 0 or min(
                args.requests, args.payload, args.idle, args.samples, args.regex_length,
                args.bomb_doublings) < 0:
            command.error("--page-limit, --interval and --deadline must be above 0, the counts "
                          ">= 0")
        try:
            bench_hostile(args.page_limit, args.requests, args.payload, args.idle,
                          args.samples, args.interval, args.deadline, args.regex_length,
                          args.bomb_doublings)
        except KeyboardInterrupt:  # the server, threads and sockets are gone by now
            print("interrupted; the server is stopped", file=sys.stderr)
            return 130
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
