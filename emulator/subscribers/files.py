"""``subscribers.json`` (or ``subscribers.csv``) and ``lists.json`` in fixtures directories.

Read at start from the default fixtures directory, then each ``--fixtures`` directory in order.
A subscriber key or list ID defined twice (in one file or two), an invalid e-mail address, an
unknown status or a membership of an unknown list is a problem naming the file, the line and
the entry; every problem is listed at once and nothing is loaded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emulator.fixtures.problems import Problem, Problems, read_text
from emulator.fixtures.records import (
    DefinedOnce,
    RecordRefused,
    fixture_folders,
    read_records,
)
from emulator.subscribers.data import SubscriberData
from emulator.subscribers.model import check_list, check_subscriber

SUBSCRIBERS_JSON = "subscribers.json"
SUBSCRIBERS_CSV = "subscribers.csv"
LISTS_JSON = "lists.json"
#: Columns of subscribers.csv that are no attribute (any other column is one).
CSV_FIELDS = ("SubscriberKey", "EmailAddress", "Status")


def load_subscriber_dirs(dirs: Iterable[str | Path], include_default: bool = True
                         ) -> SubscriberData:
    """Return the subscribers and lists of every fixtures directory given (and the default's).

    Raise FixtureProblems listing every problem; nothing is loaded then.
    """
    folders = fixture_folders(dirs, include_default)
    problems = Problems()
    lists = DefinedOnce(problems, "list ID", "duplicate-list")
    for folder in folders:
        path = folder / LISTS_JSON
        if path.is_file():
            for record, where in read_records(path, problems, check_list, "list"):
                lists.add(record["ID"], record, path, where)
    subscribers = DefinedOnce(problems, "SubscriberKey", "duplicate-subscriber")
    for folder in folders:
        json_path, csv_path = folder / SUBSCRIBERS_JSON, folder / SUBSCRIBERS_CSV
        if json_path.is_file() and csv_path.is_file():
            problems.add(Problem(f"both {SUBSCRIBERS_JSON} and {SUBSCRIBERS_CSV} are here; keep "
                                 "one", "two-subscriber-files", file=str(csv_path)))
            continue
        def check(raw: Any) -> dict[str, Any]:
            return check_subscriber(raw, lambda list_id: list_id in lists)
        if json_path.is_file():
            found = read_records(json_path, problems, check, "subscriber")
            path = json_path
        elif csv_path.is_file():
            found = _read_csv_file(csv_path, problems, check)
            path = csv_path
        else:
            continue
        for record, where in found:
            subscribers.add(record["SubscriberKey"], record, path, where)
    problems.raise_if_any()
    return SubscriberData(subscribers.records(), lists.records())


def _read_csv_file(path: Path, problems: Problems, check: Any
                   ) -> list[tuple[dict[str, Any], str]]:
    """Return (record, where) for each good line of subscribers.csv.

    The header names the columns: SubscriberKey and EmailAddress, optionally Status, and any
    other column is an attribute (an empty cell is empty text). Memberships need the JSON file.
    """
    text = read_text(path, problems)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    found: list[tuple[dict[str, Any], str]] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in CSV_FIELDS[:2] if name not in header]
        if missing:
            problems.add(Problem(f"the header has no {', '.join(missing)} column: the first "
                                 "line names SubscriberKey, EmailAddress, optionally Status, "
                                 "then attribute columns", "csv-header", file=str(path), line=1))
            return []
        doubled = sorted({name for name in header if header.count(name) > 1})
        if doubled or not all(header):
            problems.add(Problem(f"every column needs a name, once: {doubled or 'an empty one'}",
                                 "csv-header", file=str(path), line=1))
            return []
        previous = reader.line_num
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not cells:
                continue
            where = f"line {start}"
            if len(cells) != len(header):
                problems.add(Problem(f"{len(cells)} values for {len(header)} columns of the "
                                     "header", "csv-columns", file=str(path), line=start))
                continue
            row = dict(zip(header, cells, strict=True))
            raw: dict[str, Any] = {name: row[name] for name in CSV_FIELDS if name in row}
            if raw.get("Status") == "":
                del raw["Status"]
            raw["Attributes"] = {name: value for name, value in row.items()
                                 if name not in CSV_FIELDS}
            try:
                found.append((check(raw), where))
            except RecordRefused as refused:
                column = header.index(refused.field) + 1 if refused.field in header else None
                problems.add(Problem(refused.message, "bad-subscriber", file=str(path),
                                     line=start, column=column, field=refused.field))
    except csv.Error as error:
        problems.add(Problem(f"invalid CSV: {error}", "csv-syntax", file=str(path),
                             line=reader.line_num))
    return found
