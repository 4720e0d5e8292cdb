#!/usr/bin/env python3
"""Benchmarks of mc-emulator, as ratios to a baseline measured in the same run; asserts nothing.

``seed``: seeding N rows (default 100,000) into a new ``--db`` file, from a JSON DE file and from
a CSV one, through the code ``mcemu seed`` runs (reading, checking every row, one transaction,
one save). Baseline: a plain ``json.load`` of the JSON DE file plus a ``json.dump`` of the same
data to a file. Prints the baseline, each measurement (the median of ``--runs``) and the ratio.

    .venv/bin/python scripts/bench.py seed [--rows 100000] [--runs 3]
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

from emulator.seeding import load_seed_paths, seed_db_file

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    seed = modes.add_parser("seed", help="seeding a --db file against json.load + json.dump")
    seed.add_argument("--rows", type=int, default=100_000)
    seed.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.mode == "seed":
        bench_seed(args.rows, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
