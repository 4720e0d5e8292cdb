"""What the benchmark scripts share: the token request body and a per-call timer."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

#: The demo client's RequestToken body, as a client app sends it.
TOKEN_BODY = json.dumps({"operation": "RequestToken", "grant_type": "client_credentials",
                         "client_id": "demo-client", "client_secret": "demo-secret"}).encode()


def median_us(call: Callable[[], object], count: int) -> float:
    """Return the median wall time of ``call`` in microseconds, after a short warm-up."""
    for _ in range(min(20, count)):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)
