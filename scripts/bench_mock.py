#!/usr/bin/env python3
"""Measure the mock's overhead per request, against a baseline measured in the same run.

Baseline: POST /token (success branch) through the Flask test client of a fresh app. Measured:
the same request body through ``requests.post`` to a ``mock_marketing_cloud`` URL, which builds
a PreparedRequest, goes through ``responses`` and forwards into the same kind of app. Also shown:
``requests.Session().post``, which skips building a session per call. Prints the median
microseconds per request of each and the ratio to the baseline; asserts nothing.

    .venv/bin/python scripts/bench_mock.py [--requests 1000]
"""

from __future__ import annotations

import argparse
import logging

import requests
from benchlib import TOKEN_BODY as BODY
from benchlib import median_us

from emulator.app import create_app
from emulator.runtime import get_emulator
from emulator.testing import mock_marketing_cloud

HEADERS = {"Content-Type": "application/json"}
URL = "https://cloud.example.com/token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="calls per variant")
    count = parser.parse_args().requests
    logging.disable(logging.WARNING)  # the page's per-request warnings would drown the figures

    app = create_app({"db": None})
    client = app.test_client()
    try:
        baseline = median_us(lambda: client.post("/token", data=BODY, headers=HEADERS), count)
    finally:
        get_emulator(app).close()

    with mock_marketing_cloud("cloud.example.com"):
        through_post = median_us(lambda: requests.post(URL, data=BODY, headers=HEADERS), count)
    with mock_marketing_cloud("cloud.example.com"), requests.Session() as session:
        through_session = median_us(lambda: session.post(URL, data=BODY, headers=HEADERS), count)

    print(f"median of {count} calls, POST /token (success branch), memory store")
    print(f"  Flask test client (baseline)   {baseline:9.1f} us")
    print(f"  requests.post through the mock {through_post:9.1f} us   "
          f"x{through_post / baseline:.2f}  (+{through_post - baseline:.1f} us)")
    print(f"  Session.post through the mock  {through_session:9.1f} us   "
          f"x{through_session / baseline:.2f}  (+{through_session - baseline:.1f} us)")


if __name__ == "__main__":
    main()
