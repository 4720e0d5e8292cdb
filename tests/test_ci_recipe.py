"""The CI recipe end to end, with real processes: seed a --db file, serve it, reset between runs.

``mcemu seed FILE --db DB``, then ``mcemu serve --db DB``; the client's requests and the tests'
own rows change the data; ``mcemu reset --url`` gives back exactly what was seeded.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import MCEMU, token_body

USERS = {"key": "Users", "fields": [{"name": "Id", "primaryKey": True}, {"name": "Name"}],
         "rows": [{"Id": "u1", "Name": "Ann"}, {"Id": "u2", "Name": "Bob"}]}


def mcemu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MCEMU, *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin"})


def get(url: str) -> Any:
    answer = requests.get(url, timeout=10)
    assert answer.ok, answer.text
    return answer.json()


@pytest.mark.slow
def test_reset_gives_the_pipeline_back_its_seeded_data(server: Any, tmp_path: Path) -> None:
    fixture = tmp_path / "ci" / "data_extensions" / "Users.json"
    fixture.parent.mkdir(parents=True)
    fixture.write_text(json.dumps(USERS), encoding="utf-8")
    db = tmp_path / "emu.json"
    seeded = mcemu("seed", str(fixture), "--db", str(db))
    assert seeded.returncode == 0, seeded.stderr

    emu = server("--quiet", "--db", str(db))
    start = get(f"{emu.url}/_emulator/health")["dataExtensions"]
    assert start["Users"] == 2
    for _ in range(3):  # the client under test: each request adds an HTTPProperties row
        assert requests.post(f"{emu.url}/token", data=token_body(), timeout=10).ok
    added = requests.post(f"{emu.url}/_emulator/data-extensions/Users/rows", timeout=10,
                          json=[{"Id": "u3", "Name": "Cy"}, {"Id": "u1", "Name": "Changed"}])
    assert added.ok, added.text
    assert get(f"{emu.url}/_emulator/health")["dataExtensions"]["HTTPProperties"] == (
        start["HTTPProperties"] + 3)

    reset = mcemu("reset", "--url", emu.url)
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.startswith("Reset to start:")
    assert get(f"{emu.url}/_emulator/health")["dataExtensions"] == start
    assert get(f"{emu.url}/_emulator/data-extensions/Users/rows")["rows"] == USERS["rows"]
    assert get(f"{emu.url}/_emulator/journal")["total"] == 3  # the journal is kept

    fixtures = mcemu("reset", "--url", emu.url, "--to", "fixtures")
    assert fixtures.returncode == 0, fixtures.stderr
    assert "Users" not in get(f"{emu.url}/_emulator/health")["dataExtensions"]

    assert mcemu("reset", "--url", emu.url).returncode == 0  # the start state outlives that
    empty = mcemu("reset", "--url", emu.url, "--to", "empty")
    assert empty.returncode == 0, empty.stderr
    counts = get(f"{emu.url}/_emulator/health")["dataExtensions"]
    assert sorted(counts) == sorted(start) and set(counts.values()) == {0}
    assert get(f"{emu.url}/_emulator/data-extensions/Users")["fields"][0]["primaryKey"]

    assert emu.stop()[0] == 0

    offline = mcemu("reset", "--db", str(db), "--to", "start")  # no emulator knows the start
    assert offline.returncode == 2 and "--to start needs --url" in offline.stderr
    default = mcemu("reset", "--db", str(db))
    assert default.returncode == 0 and default.stdout.startswith("Reset to fixtures:")
    assert "Users" not in default.stdout
