"""A writer process killed with SIGKILL at random points leaves a file that loads, with a prefix."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.store.store import Store

# Writes rows 0, 1, 2... one change each, and prints each number once the store acknowledged it.
# A tiny fold threshold makes the flusher rewrite the snapshot all the time, so kills land in the
# middle of snapshot writes and journal appends alike.
WRITER = """
import sys
from emulator.store.durability import WalFile
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

path, durable = sys.argv[1], sys.argv[2] == "durable"
store = Store(WalFile(path, flush_interval=0.01, durable=durable, fold_min_bytes=2000))
if not store.has("Log"):
    store.create(DataExtensionSchema.from_json({"key": "Log", "fields": [{"name": "N"}]}, "t"))
n = store.count("Log")
print("ready", n, flush=True)
while True:
    store.add_rows("Log", [{"N": str(n)}])
    print(n, flush=True)
    n += 1
"""


def run_and_kill(path: Path, mode: str, rows: int) -> tuple[int, int]:
    """Start the writer, SIGKILL it after ``rows`` acknowledged rows; return (start, acked)."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), mode],
                              stdout=subprocess.PIPE, text=True)
    try:
        first = writer.stdout.readline().split()
        assert first and first[0] == "ready", first
        start, acked = int(first[1]), int(first[1])
        for line in writer.stdout:
            acked = int(line) + 1
            if acked - start >= rows:
                break
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.kill()
        # read(), not communicate(): lines the loop above had buffered but not yet seen count too
        with writer.stdout:
            rest = writer.stdout.read()
        writer.wait(timeout=30)
    # the writer may have acknowledged more before the signal landed: count what it printed
    numbers = [int(line) for line in rest.split() if line.isdigit()]
    return start, max([acked, *(n + 1 for n in numbers)])


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["buffered", "durable"])
def test_kills_at_random_points_leave_a_loadable_prefix(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "crash.json"
    chooser = random.Random(4)
    for _ in range(6):
        start, acked = run_and_kill(path, mode, chooser.randint(1, 400))
        with Store.open(path) as store:
            # a kill inside the loss window may even take the DE's creation with it
            kept = [int(row["N"]) for row in store.rows("Log")] if store.has("Log") else []
        assert kept == list(range(len(kept)))  # a prefix, in order, nothing torn or doubled
        assert len(kept) <= acked + 1  # at most the one being written when killed
        if mode == "durable":
            assert len(kept) >= acked  # fsynced before it was acknowledged
        else:
            assert len(kept) >= start  # what an earlier run had folded in is never lost
