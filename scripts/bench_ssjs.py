#!/usr/bin/env python3
"""Benchmark SSJS pages run verbatim against their Python ports, in-process, in one run.

For each built-in page, its reconstructed SSJS source is served from a ``--pages`` folder and
the same request goes to the port and to the source through the Flask test client, each app on
a fresh memory store. Prints the median per request (after a warm-up, with the worker pool
warm), the overhead of the SSJS page over the port and their ratio; then the cold figures:
building an app with ``--pages`` until its first SSJS answer, and that first request alone.
Asserts nothing.

    .venv/bin/python scripts/bench_ssjs.py [--requests 1000]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchlib import TOKEN_BODY, median_us
from flask import Flask

import emulator.pages
from emulator.app import create_app
from emulator.runtime import get_emulator

SOURCES = Path(emulator.pages.__file__).parent / "sources"
#: page -> (method, built-in path, headers, body)
CASES = {
    "token": ("POST", "/token", {}, TOKEN_BODY),
    "api": ("GET", "/api", {}, b""),
    "hardened": ("POST", "/token/hardened", {}, TOKEN_BODY),
}


def _pages_folder(root: Path) -> Path:
    folder = root / "pages"
    folder.mkdir()
    for name in CASES:
        # .json: served as a JSON code resource, like the built-in mounts
        shutil.copy(SOURCES / f"{name}.ssjs", folder / f"ssjs-{name}.json")
    return folder


def _call(app: Flask, method: str, path: str, headers: dict[str, str], body: bytes) -> object:
    client = app.test_client()
    return lambda: client.open(path, method=method, headers=headers, data=body)


def _token(app: Flask) -> str:
    response = app.test_client().post("/token", data=TOKEN_BODY)
    return response.get_json()["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    count = parser.parse_args().requests
    logging.disable(logging.WARNING)  # the seed page's warnings would flood the output
    with tempfile.TemporaryDirectory() as tmp:
        folder = _pages_folder(Path(tmp))
        started = time.perf_counter()
        cold_app = create_app({"pages": str(folder)})
        first = time.perf_counter()
        cold_app.test_client().post("/ssjs-token", data=TOKEN_BODY)
        done = time.perf_counter()
        get_emulator(cold_app).close()
        print(f"cold: app with --pages to first SSJS answer {(done - started) * 1e3:.1f} ms "
              f"(first request alone {(done - first) * 1e3:.1f} ms)")
        print(f"{'page':10} {'port us':>9} {'ssjs us':>9} {'overhead ms':>12} {'ratio':>6}")
        for name, (method, path, headers, body) in CASES.items():
            port_app, ssjs_app = create_app(), create_app({"pages": str(folder)})
            try:
                if name == "api":
                    headers = {"Authorization": "Bearer " + _token(port_app)}
                port = median_us(_call(port_app, method, path, headers, body), count)
                ssjs = median_us(_call(ssjs_app, method, f"/ssjs-{name}", headers, body), count)
            finally:
                get_emulator(port_app).close()
                get_emulator(ssjs_app).close()
            print(f"{name:10} {port:9.0f} {ssjs:9.0f} {(ssjs - port) / 1e3:12.2f} "
                  f"{ssjs / port:6.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
