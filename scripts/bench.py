#!/usr/bin/env python3
"""Benchmarks of mc-emulator, as ratios to a baseline measured in the same run; asserts nothing.

``seed``: seeding N rows (default 100,000) into a new ``--db`` file, from a JSON DE file and from
a CSV one, through the code ``mcemu seed`` runs (reading, checking every row, one transaction,
one save). Baseline: a plain ``json.load`` of the JSON DE file plus a ``json.dump`` of the same
data to a file. Prints the baseline, each measurement (the median of ``--runs``) and the ratio.

    .venv/bin/python scripts/bench.py seed [--rows 100000] [--runs 3]

``http``: throughput over loopback. The baseline is variant (b) of perf-baseline.md (a bare Flask
endpoint that parses the JSON body and signs it with PyJWT, on waitress with 4 threads); the
emulator is ``mcemu serve`` (waitress, 4 threads) answering ``POST /token``. Both are loaded with
the same concurrency in alternating rounds, by ``wrk`` (installed with apt when missing and run as
root) or else a multi-process Python client. Prints requests/s, p50, p99, client and server CPU
and the emulator/baseline ratio; a round whose client used more than 80 % of a core is marked
client-bound and left out of the medians.

``growth``: the emulator's p50 for ``POST /token`` with 0, 1k, 10k and 50k ``HTTPProperties``
rows already stored, in-process (Flask test client) and over HTTP (one connection), as ratios
to the 0-row figure.

``stop``: what a stop under load keeps. ``mcemu serve --db`` is loaded by 16 keep-alive
connections for a few seconds, then stopped by each signal in turn (a fresh file each time); it
prints the requests answered 200, the ``HTTPProperties`` rows the file then holds, and the
missing ones against the bound the loss window allows (request rate x ``--flush-interval``).
SIGTERM and SIGINT must lose none; SIGKILL at most the bound.

    .venv/bin/python scripts/bench.py http [--rounds 3] [--duration 10] [--connections 16]
    .venv/bin/python scripts/bench.py growth [--sizes 0,1000,10000,50000] [--requests 500]
    .venv/bin/python scripts/bench.py stop [--signals SIGKILL,SIGKILL,SIGTERM] [--seconds 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.fixtures.seeding import load_seed_paths, seed_db_file

FIELDS = ["Id", "Email", "FirstName", "LastName", "City", "Country", "Phone", "Segment", "Note"]


def write_fixtures(folder: Path, rows: int) -> tuple[Path, Path]:
    """Write the same DE as ``json/Contacts.json`` (rows inline) and ``csv/Contacts.{json,csv}``."""
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


def median_seconds(action: Callable[[int], object], runs: int) -> float:
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        action(run)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def bench_seed(rows: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        json_file, csv_file = write_fixtures(folder, rows)

        def baseline(run: int) -> None:
            with open(json_file, encoding="utf-8") as handle:
                data = json.load(handle)
            with open(folder / f"baseline-{run}.json", "w", encoding="utf-8") as handle:
                json.dump(data, handle)

        def seed(source: Path, label: str) -> Callable[[int], object]:
            def action(run: int) -> object:
                definitions = load_seed_paths([source])
                return seed_db_file(folder / f"{label}-{run}.json", definitions)
            return action

        base = median_seconds(baseline, runs)
        print(f"seeding {rows} rows x {len(FIELDS)} fields into a new --db file, "
              f"median of {runs} runs")
        print(f"  baseline json.load + json.dump: {base:8.3f} s")
        for label, source in (("JSON rows", json_file), ("CSV rows", csv_file)):
            seconds = median_seconds(seed(source, label.split()[0].lower()), runs)
            print(f"  mcemu seed, {label:9}:      {seconds:8.3f} s   ratio {seconds / base:5.2f}")

# --- http and growth -------------------------------------------------------------------------

TOKEN_BODY = json.dumps({"operation": "RequestToken", "grant_type": "client_credentials",
                         "client_id": "demo-client", "client_secret": "demo-secret"})
LOG_ROW = {"Browser": "{}", "ClientIP": "127.0.0.1", "HasSSL": "False", "IsSSL": "False",
           "Method": "POST", "QueryString": "", "ReferrerURL": "",
           "RequestURL": "http://127.0.0.1/token", "UserAgent": "bench"}


def serve_baseline(port: int) -> None:
    """Serve perf-baseline's variant (b): parse the JSON body, sign it with PyJWT (HS256)."""
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


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(argv: list[str], port: int) -> Any:
    """Start a server process and wait until it accepts connections on ``port``."""
    import socket
    import subprocess
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"{argv[0]} did not start listening on port {port}")


def stop_server(process: Any) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except Exception:
        process.kill()
        process.wait(timeout=30)


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


def wrk_round(wrk: str, url: str, connections: int, duration: float) -> dict[str, float]:
    import re
    import subprocess
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(f"wrk.method = 'POST'\nwrk.body = {json.dumps(TOKEN_BODY)}\n"
                     "wrk.headers['Content-Type'] = 'application/json'\n")
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


def _python_client(url: str, threads: int, until: float, results: Any) -> None:
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
            connection.request("POST", parts.path, TOKEN_BODY,
                               {"Content-Type": "application/json"})
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


def python_round(url: str, connections: int, duration: float) -> dict[str, float]:
    import multiprocessing
    processes = min(4, connections)
    results: Any = multiprocessing.Queue()
    until = time.monotonic() + duration
    workers = [multiprocessing.Process(target=_python_client, args=(
        url, connections // processes + (i < connections % processes), until, results))
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
    mcemu = str(Path(sys.executable).with_name("mcemu"))
    with tempfile.TemporaryDirectory() as scratch:
        ports = {"baseline": free_port(), "emulator": free_port()}
        db = ["--db", str(Path(scratch) / "bench.json")] if store == "file" else []
        servers = {
            "baseline": start_server([sys.executable, __file__, "_baseline",
                                      str(ports["baseline"])], ports["baseline"]),
            "emulator": start_server([mcemu, "serve", "--quiet", "--port",
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


def prefilled_db(path: Path, rows: int) -> None:
    """Create a --db file with the default fixtures and ``rows`` more HTTPProperties rows."""
    from emulator.app import create_app
    from emulator.runtime import get_emulator
    app = create_app({"db": str(path)})
    store = get_emulator(app).store
    with store.transaction():
        for start in range(0, rows, 5000):
            batch = min(5000, rows - start)
            store.add_rows("HTTPProperties", [dict(LOG_ROW) for _ in range(batch)])
    get_emulator(app).close()


def http_p50(url: str, count: int) -> float:
    import http.client
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    samples = []
    for n in range(count + 50):
        started = time.perf_counter()
        connection.request("POST", parts.path, TOKEN_BODY, {"Content-Type": "application/json"})
        connection.getresponse().read()
        if n >= 50:  # after a warm-up
            samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return statistics.median(samples)


def bench_growth(sizes: list[int], count: int) -> None:
    import logging

    from emulator.app import create_app
    from emulator.runtime import get_emulator
    logging.disable(logging.WARNING)  # the token page's per-request warnings
    mcemu = str(Path(sys.executable).with_name("mcemu"))
    inproc: dict[int, float] = {}
    over_http: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            path = Path(scratch) / f"growth-{size}.json"
            prefilled_db(path, size)
            app = create_app({"db": str(path)})
            client = app.test_client()
            samples = []
            for n in range(count + 50):
                started = time.perf_counter()
                client.post("/token", data=TOKEN_BODY)
                if n >= 50:
                    samples.append((time.perf_counter() - started) * 1000)
            get_emulator(app).close()
            inproc[size] = statistics.median(samples)
            port = free_port()
            server = start_server([mcemu, "serve", "--quiet", "--port", str(port), "--db",
                                   str(path)], port)
            try:
                over_http[size] = http_p50(f"http://127.0.0.1:{port}/token", count)
            finally:
                stop_server(server)
            print(f"  {size:>6} rows: in-process p50 {inproc[size]:6.2f} ms (x"
                  f"{inproc[size] / inproc[sizes[0]]:.2f})   HTTP 1 connection p50 "
                  f"{over_http[size]:6.2f} ms (x{over_http[size] / over_http[sizes[0]]:.2f})",
                  flush=True)
    print(f"  target: p50 at {sizes[-1]} rows <= 1.3 x p50 at {sizes[0]} rows: in-process "
          f"x{inproc[sizes[-1]] / inproc[sizes[0]]:.2f}, "
          f"HTTP x{over_http[sizes[-1]] / over_http[sizes[0]]:.2f}")


def _stop_run(mcemu: str, signal_name: str, seconds: float, connections: int,
              flush_interval: float) -> tuple[int, int, float]:
    """Load a fresh ``--db`` server, stop it with ``signal_name``: (answered, kept, rate)."""
    import http.client
    import signal
    import threading

    from emulator.store.store import Store
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "stop.json"
        port = free_port()
        server = start_server([mcemu, "serve", "--quiet", "--port", str(port), "--db", str(path),
                               "--flush-interval", str(flush_interval)], port)
        answered = [0]
        lock = threading.Lock()
        done = threading.Event()

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                while not done.is_set():
                    connection.request("POST", "/token", TOKEN_BODY,
                                       {"Content-Type": "application/json"})
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
    mcemu = str(Path(sys.executable).with_name("mcemu"))
    print(f"mcemu serve --db under {connections} connections for {seconds:g} s, then a signal "
          f"(--flush-interval {flush_interval:g} s)")
    for name in signals:
        answered, kept, rate = _stop_run(mcemu, name, seconds, connections, flush_interval)
        missing = max(0, answered - kept)
        bound = 0.0 if name != "SIGKILL" else rate * flush_interval
        verdict = "within" if missing <= bound else "OVER"
        print(f"  {name:7}: answered {answered:6}  kept {kept:6}  missing {missing:5}  at "
              f"{rate:5.0f} req/s; bound {bound:5.0f} (missing/bound "
              f"{missing / bound if bound else float(missing > 0):.2f}): {verdict}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    seed = modes.add_parser("seed", help="seeding a --db file against json.load + json.dump")
    seed.add_argument("--rows", type=int, default=100_000)
    seed.add_argument("--runs", type=int, default=3)
    http = modes.add_parser("http", help="/token throughput against the Flask+PyJWT baseline")
    http.add_argument("--rounds", type=int, default=3)
    http.add_argument("--duration", type=float, default=10.0, help="seconds per round")
    http.add_argument("--connections", type=int, default=16)
    http.add_argument("--store", choices=["file", "memory"], default="file",
                      help="the emulator's store: a --db file (default) or memory")
    growth = modes.add_parser("growth", help="p50 as the HTTPProperties table grows")
    growth.add_argument("--sizes", default="0,1000,10000,50000")
    growth.add_argument("--requests", type=int, default=500)
    stop = modes.add_parser("stop", help="rows kept when a loaded --db server is stopped")
    stop.add_argument("--signals", default="SIGKILL,SIGKILL,SIGTERM",
                      help="comma-separated: SIGKILL, SIGTERM, SIGINT")
    stop.add_argument("--seconds", type=float, default=5.0, help="load before the signal")
    stop.add_argument("--connections", type=int, default=16)
    stop.add_argument("--flush-interval", type=float, default=1.0)
    baseline = modes.add_parser("_baseline", help=argparse.SUPPRESS)
    baseline.add_argument("port", type=int)
    args = parser.parse_args(argv)
    if args.mode == "seed":
        bench_seed(args.rows, args.runs)
    elif args.mode == "_baseline":
        serve_baseline(args.port)
    elif args.mode == "http":
        bench_http(args.rounds, args.duration, args.connections, args.store)
    elif args.mode == "growth":
        bench_growth([int(n) for n in args.sizes.split(",")], args.requests)
    elif args.mode == "stop":
        names = [name.strip().upper() for name in args.signals.split(",") if name.strip()]
        unknown = [name for name in names if name not in ("SIGKILL", "SIGTERM", "SIGINT")]
        if unknown or not names:
            parser.error(f"--signals takes SIGKILL, SIGTERM and SIGINT, not {unknown or 'none'}")
        if args.seconds <= 0 or args.connections < 1 or args.flush_interval <= 0:
            parser.error("--seconds and --flush-interval must be above 0, --connections >= 1")
        bench_stop(names, args.seconds, args.connections, args.flush_interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
